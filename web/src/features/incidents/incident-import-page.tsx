import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  FileInput,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { type ImportIncidentsResult, useImportIncidents } from './incidents-api';

const CSV_EXAMPLE = `number,title,priority,state,opened_at,ci,caused_by
INC0010001,Checkout times out,2,in_progress,2026-11-20T09:14:00Z,pay-api-prod;pay-db-prod,CHG0000012`;

function Stat({ label, value, color }: { label: string; value: number; color?: string }) {
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

function NameList({ title, names, hint }: { title: string; names: string[]; hint: string }) {
  if (names.length === 0) return null;
  return (
    <Stack gap={4} maw={900}>
      <Title order={3} size="h6">
        {title} ({names.length})
      </Title>
      <Text size="xs" c="dimmed">
        {hint}
      </Text>
      <Group gap={6} role="list" aria-label={title}>
        {names.map((n) => (
          <Badge key={n} role="listitem" variant="outline" color="orange" radius="sm" tt="none">
            {n}
          </Badge>
        ))}
      </Group>
    </Stack>
  );
}

/** What an import did (or, on a dry run, would do): counts, every refused row, and the names that matched nothing. */
export function IncidentImportReport({ result, dryRun }: { result: ImportIncidentsResult; dryRun: boolean }) {
  return (
    <Stack gap="sm" aria-label="Import result" role="region">
      <Title order={2} size="h5">
        {dryRun ? 'Dry run: nothing was saved' : 'Result'}
      </Title>
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" maw={700}>
        <Stat label="Incidents read" value={result.incidents} />
        <Stat label={dryRun ? 'Would be created' : 'Created'} value={result.created} color="green.8" />
        <Stat label={dryRun ? 'Would be updated' : 'Updated'} value={result.updated} color="blue.8" />
        <Stat label="Rows with errors" value={result.errors.length} color={result.errors.length ? 'red.8' : undefined} />
      </SimpleGrid>
      {result.errors.length > 0 ? (
        <Paper withBorder radius="sm" maw={900}>
          <Table aria-label="Import errors">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={70}>Row</Table.Th>
                <Table.Th w={130}>Incident</Table.Th>
                <Table.Th>Problem</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.errors.map((e, i) => (
                <Table.Tr key={`${e.row}-${i}`}>
                  <Table.Td>{e.row}</Table.Td>
                  <Table.Td>
                    <Text size="sm" ff="monospace">
                      {e.number ?? '—'}
                    </Text>
                  </Table.Td>
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
          {dryRun ? 'Every row can be imported.' : 'Every row was imported.'}{' '}
          {!dryRun && <RouterAnchor to="/incidents?state=all">See the incidents</RouterAnchor>}
        </Alert>
      )}
      <NameList
        title="CIs not found"
        names={result.unmatchedCis}
        hint="These CI names match no CI here. The incidents were kept without them; the name is kept with the incident."
      />
      <NameList
        title="Changes not found"
        names={result.unmatchedChanges}
        hint="These change numbers match no change here. The incidents were kept without a cause; the number is kept with the incident."
      />
    </Stack>
  );
}

export function IncidentImportPage() {
  const importIncidents = useImportIncidents();
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [readError, setReadError] = useState<string | null>(null);

  const onFile = async (f: File | null) => {
    setFile(f);
    setReadError(null);
    importIncidents.reset();
    if (!f) return;
    try {
      setText(await f.text());
    } catch {
      setReadError(`Cannot read ${f.name}.`);
    }
  };

  const run = (asDryRun: boolean) => {
    if (!text.trim()) return;
    importIncidents.mutate({ csv: text, dryRun: asDryRun });
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    run(dryRun);
  };

  const result = importIncidents.data;
  const wasDryRun = importIncidents.variables?.dryRun ?? false;

  return (
    <>
      <PageHeader
        eyebrow={
          <RouterAnchor to="/incidents" size="sm">
            ← Incidents
          </RouterAnchor>
        }
        title="Import incidents"
        description="Upload or paste a CSV file. An incident whose number exists is updated; the others are created. CIs are matched by name and changes by number; what matches nothing is reported and kept with the incident. Good incidents are imported even when others have errors."
      />
      <form onSubmit={onSubmit} aria-label="Import incidents" noValidate>
        <Stack gap="sm" maw={900}>
          <FileInput
            label="Upload a CSV file"
            placeholder="Choose a .csv file"
            accept=".csv,text/csv"
            value={file}
            onChange={(f) => void onFile(f)}
            clearable
            w={320}
            error={readError}
          />
          <Textarea
            label="CSV"
            description={
              <>
                A ServiceNow incident event log as exported (<Code>number</Code>, <Code>incident_state</Code>, <Code>opened_at</Code>,{' '}
                <Code>cmdb_ci</Code>, <Code>caused_by</Code>, <Code>rfc</Code>…; the last row of each number counts), or{' '}
                <Code>number,title,priority,state,opened_at,ci,caused_by</Code> with ISO dates and CIs separated by “;”.
              </>
            }
            placeholder={CSV_EXAMPLE}
            value={text}
            onChange={(e) => {
              setText(e.currentTarget.value);
              importIncidents.reset();
            }}
            autosize
            minRows={8}
            maxRows={20}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
          />
          <Checkbox
            label="Dry run: check the file and show what would happen, without saving anything"
            checked={dryRun}
            onChange={(e) => setDryRun(e.currentTarget.checked)}
          />
          {importIncidents.isError && <ErrorAlert error={importIncidents.error} title="Nothing was imported" />}
          <Group>
            <Button type="submit" loading={importIncidents.isPending} disabled={!text.trim()}>
              {dryRun ? 'Check' : 'Import'}
            </Button>
            {result && wasDryRun && (
              <Button variant="light" onClick={() => run(false)} loading={importIncidents.isPending} disabled={!text.trim()}>
                Import for real
              </Button>
            )}
            {text && (
              <Button
                variant="default"
                onClick={() => {
                  setText('');
                  setFile(null);
                  importIncidents.reset();
                }}
              >
                Clear
              </Button>
            )}
          </Group>
        </Stack>
      </form>
      {result && (
        <Stack mt="lg">
          <IncidentImportReport result={result} dryRun={wasDryRun} />
        </Stack>
      )}
    </>
  );
}
