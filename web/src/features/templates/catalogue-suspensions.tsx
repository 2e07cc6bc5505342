import { Badge, Paper, Stack, Table, Text } from '@mantine/core';
import { formatDateTime } from '../../shared/format';
import type { TemplateSuspension } from './templates-api';
import { suspensionNumbers, suspensionReason } from './template-words';

/** "Suspended automatically", "Reinstated by hand". */
export function suspensionTitle(row: TemplateSuspension): string {
  const what = row.kind === 'suspended' ? 'Suspended' : 'Reinstated';
  return `${what} ${row.automatic ? 'automatically' : 'by hand'}`;
}

/** What made Cabinet act: the failure rule, an overdue review. */
const CAUSES: Record<string, string> = { failures: 'the failure rule', review_overdue: 'an overdue review' };

/** Who: the person, or Cabinet by its rule, with the person whose step set it off. */
function ByCell({ row }: { row: TemplateSuspension }) {
  if (!row.automatic) return <Text size="sm">{row.byName || row.by}</Text>;
  return (
    <>
      <Text size="sm">Cabinet, by {CAUSES[row.cause] ?? row.cause.replace(/_/g, ' ')}</Text>
      {row.byName && row.by !== 'system' && (
        <Text size="xs" c="gray.7">
          when {row.byName} acted
        </Text>
      )}
    </>
  );
}

/** An entry's suspension log, newest first: who, when, why, whether automatic, and the numbers that triggered it. */
export function SuspensionLog({ rows }: { rows: TemplateSuspension[] }) {
  return (
    <Stack gap="xs">
      <Text size="sm" c="dimmed">
        Cabinet suspends an entry at once when its changes fail as the policy says; a change manager reinstates it with a reason. While it
        is suspended, changes filed from it become normal changes with approvals.
      </Text>
      <Paper withBorder radius="sm">
        <Table aria-label="Suspension log" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={170}>When</Table.Th>
              <Table.Th w={130}>What</Table.Th>
              <Table.Th w={200}>By</Table.Th>
              <Table.Th>Why</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => {
              const numbers = suspensionNumbers(row.numbers);
              return (
                <Table.Tr key={row.id} data-kind={row.kind}>
                  <Table.Td>
                    <Text size="sm">{formatDateTime(row.at)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Badge color={row.kind === 'suspended' ? 'red' : 'green'} variant="light" size="sm" radius="sm">
                      {row.kind === 'suspended' ? 'Suspended' : 'Reinstated'}
                    </Badge>
                    <Text size="xs" c="gray.7" mt={2}>
                      {row.automatic ? 'Automatically' : 'By hand'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <ByCell row={row} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{suspensionReason(row.reason)}</Text>
                    {numbers.length > 0 && (
                      <Text size="xs" c="gray.7" mt={2}>
                        {numbers.join(' · ')}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {rows.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={4}>
                  <Text size="sm" c="dimmed" ta="center" py="md">
                    This entry has never been suspended.
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}
