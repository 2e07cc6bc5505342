import { Alert, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** One count of an import's result. */
export interface ImportCount {
  label: string;
  value: number;
  color?: string;
}

/** A refused row: where it is in the file, and why. */
export interface ImportRowError {
  row: number;
  message: string;
}

function Stat({ label, value, color }: ImportCount) {
  return (
    <Paper withBorder p="sm" radius="sm">
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="xl" fw={700} c={color}>
        {value}
      </Text>
    </Paper>
  );
}

interface ImportReportProps<E extends ImportRowError> {
  title: string;
  /** The counts the page shows; "Rows with errors" follows them. */
  counts: ImportCount[];
  errors: E[];
  /** A column between "Row" and "Problem" that names the record of the row (the incident number). */
  recordColumn?: { label: string; of: (error: E) => ReactNode };
  /** What is said when no row was refused. */
  allGood: ReactNode;
  /** What else the import has to say, under the errors (names that matched nothing). */
  children?: ReactNode;
}

/** What an import did: its counts, then every refused row with its problem, or that every row was good. */
export function ImportReport<E extends ImportRowError>({ title, counts, errors, recordColumn, allGood, children }: ImportReportProps<E>) {
  return (
    <Stack gap="sm" mt="lg" aria-label="Import result" role="region">
      <Title order={2} size="h5">
        {title}
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" maw={700}>
        {counts.map((c) => (
          <Stat key={c.label} {...c} />
        ))}
        <Stat label="Rows with errors" value={errors.length} color={errors.length ? 'red.8' : undefined} />
      </SimpleGrid>
      {errors.length > 0 ? (
        <Paper withBorder radius="sm" maw={900}>
          <Table aria-label="Import errors">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>Row</Table.Th>
                {recordColumn && <Table.Th w={130}>{recordColumn.label}</Table.Th>}
                <Table.Th>Problem</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {errors.map((e, i) => (
                <Table.Tr key={`${e.row}-${i}`}>
                  <Table.Td>{e.row}</Table.Td>
                  {recordColumn && (
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {recordColumn.of(e)}
                      </Text>
                    </Table.Td>
                  )}
                  <Table.Td>
                    <Text size="sm" c="red.8">
                      {e.message}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      ) : (
        <Alert color="green" variant="light" maw={900}>
          {allGood}
        </Alert>
      )}
      {children}
    </Stack>
  );
}
