import {
  Alert,
  Button,
  Code,
  FileInput,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { ImportResult } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { type ImportFormat, useImportCis } from './cmdb-api';

const CSV_EXAMPLE = `name,type,environment,service,criticality,tags
db-orders-01,database,production,Orders,high,pci;eu
web-orders-01,server,production,Orders,medium,`;

const JSON_EXAMPLE = `[
  { "name": "db-orders-01", "type": "database", "environment": "production",
    "service": "Orders", "criticality": "high", "tags": ["pci"] }
]`;

/** A leading `[` or `{` means JSON; anything else is read as CSV. */
export function guessFormat(text: string, fileName?: string): ImportFormat {
  if (fileName?.toLowerCase().endsWith('.json')) return 'json';
  if (fileName?.toLowerCase().endsWith('.csv')) return 'csv';
  return /^\s*[[{]/.test(text) ? 'json' : 'csv';
}

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

function ImportReport({ result }: { result: ImportResult }) {
  return (
    <Stack gap="sm" aria-label="Import result" role="region">
      <Title order={2} size="h5">
        Result
      </Title>
      <SimpleGrid cols={4} spacing="sm" maw={700}>
        <Stat label="Created" value={result.created} color="green.8" />
        <Stat label="Updated" value={result.updated} color="blue.8" />
        <Stat label="Relations created" value={result.relationsCreated} />
        <Stat label="Rows with errors" value={result.errors.length} color={result.errors.length ? 'red.8' : undefined} />
      </SimpleGrid>
      {result.errors.length > 0 ? (
        <Paper withBorder radius="sm" maw={900}>
          <Table aria-label="Import errors">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={80}>Row</Table.Th>
                <Table.Th>Problem</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {result.errors.map((e, i) => (
                <Table.Tr key={`${e.row}-${i}`}>
                  <Table.Td>{e.row}</Table.Td>
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
        <Alert color="green" variant="light">
          Every row was imported. <RouterAnchor to="/cmdb/cis">See the CIs</RouterAnchor>
        </Alert>
      )}
    </Stack>
  );
}

export function CiImportPage() {
  const importCis = useImportCis();
  const [text, setText] = useState('');
  const [format, setFormat] = useState<ImportFormat>('csv');
  const [file, setFile] = useState<File | null>(null);
  const [readError, setReadError] = useState<string | null>(null);

  const onFile = async (f: File | null) => {
    setFile(f);
    setReadError(null);
    if (!f) return;
    try {
      const content = await f.text();
      setText(content);
      setFormat(guessFormat(content, f.name));
    } catch {
      setReadError(`Cannot read ${f.name}.`);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    importCis.mutate({ text, format });
  };

  return (
    <>
      <PageHeader
        eyebrow={
          <RouterAnchor to="/cmdb/cis" size="sm">
            ← Configuration items
          </RouterAnchor>
        }
        title="Import CIs"
        description="Paste or upload CSV or JSON. A CI whose name already exists is updated; the others are created. Good rows are imported even when some rows have errors."
      />
      <form onSubmit={onSubmit} aria-label="Import CIs" noValidate>
        <Stack gap="sm" maw={900}>
          <Group align="flex-end" gap="sm">
            <FileInput
              label="Upload a file"
              placeholder="Choose a .csv or .json file"
              accept=".csv,.json,text/csv,application/json"
              value={file}
              onChange={(f) => void onFile(f)}
              clearable
              w={320}
              error={readError}
            />
            <Stack gap={4}>
              <Text size="sm" fw={500} id="import-format-label">
                Format
              </Text>
              <SegmentedControl
                value={format}
                onChange={(v) => setFormat(v as ImportFormat)}
                data={[
                  { value: 'csv', label: 'CSV' },
                  { value: 'json', label: 'JSON' },
                ]}
                aria-labelledby="import-format-label"
              />
            </Stack>
          </Group>
          <Textarea
            label="Data"
            description={
              format === 'csv' ? (
                <>
                  Header <Code>name,type,environment,service,criticality,tags</Code> (tags separated by “;”), or <Code>from,type,to</Code>{' '}
                  for relations
                </>
              ) : (
                'An array of { name, type, environment, service, criticality, tags, attributes, relations: [{ to, type }] }'
              )
            }
            placeholder={format === 'csv' ? CSV_EXAMPLE : JSON_EXAMPLE}
            value={text}
            onChange={(e) => {
              const v = e.currentTarget.value;
              setText(v);
              if (!text && v) setFormat(guessFormat(v));
            }}
            autosize
            minRows={8}
            maxRows={20}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
          />
          {importCis.isError && <ErrorAlert error={importCis.error} title="Nothing was imported" />}
          <Group>
            <Button type="submit" loading={importCis.isPending} disabled={!text.trim()}>
              Import
            </Button>
            {text && (
              <Button
                variant="default"
                onClick={() => {
                  setText('');
                  setFile(null);
                  importCis.reset();
                }}
              >
                Clear
              </Button>
            )}
          </Group>
        </Stack>
      </form>
      {importCis.data && (
        <Stack mt="lg">
          <ImportReport result={importCis.data} />
        </Stack>
      )}
    </>
  );
}
