import { Badge, Button, Checkbox, Code, Group, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { ImportForm, useImportSource } from '../../shared/import/import-form';
import { ImportReport } from '../../shared/import/import-report';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { type ImportIncidentsResult, useImportIncidents } from './incidents-api';

const CSV_EXAMPLE = `number,title,priority,state,opened_at,ci,caused_by
INC0010001,Checkout times out,2,in_progress,2026-11-20T09:14:00Z,pay-api-prod;pay-db-prod,CHG0000012`;

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
    <ImportReport
      title={dryRun ? 'Dry run: nothing was saved' : 'Result'}
      counts={[
        { label: 'Incidents read', value: result.incidents },
        { label: dryRun ? 'Would be created' : 'Created', value: result.created, color: 'green.8' },
        { label: dryRun ? 'Would be updated' : 'Updated', value: result.updated, color: 'blue.8' },
      ]}
      errors={result.errors}
      recordColumn={{ label: 'Incident', of: (e) => e.number ?? '—' }}
      allGood={
        <>
          {dryRun ? 'Every row can be imported.' : 'Every row was imported.'}{' '}
          {!dryRun && <RouterAnchor to="/incidents?state=all">See the incidents</RouterAnchor>}
        </>
      }
    >
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
    </ImportReport>
  );
}

export function IncidentImportPage() {
  const importIncidents = useImportIncidents();
  const [dryRun, setDryRun] = useState(true);
  // An answer about other text would mislead: any new input forgets it.
  const source = useImportSource({ onFileChosen: () => importIncidents.reset(), onText: () => importIncidents.reset() });
  const result = importIncidents.data;
  const wasDryRun = importIncidents.variables?.dryRun ?? false;
  const run = (asDryRun: boolean) => {
    if (source.text.trim()) importIncidents.mutate({ csv: source.text, dryRun: asDryRun });
  };

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
      <ImportForm
        label="Import incidents"
        source={source}
        mutation={importIncidents}
        file={{ label: 'Upload a CSV file', placeholder: 'Choose a .csv file', accept: '.csv,text/csv' }}
        data={{
          label: 'CSV',
          description: (
            <>
              A ServiceNow incident event log as exported (<Code>number</Code>, <Code>incident_state</Code>, <Code>opened_at</Code>,{' '}
              <Code>cmdb_ci</Code>, <Code>caused_by</Code>, <Code>rfc</Code>…; the last row of each number counts), or{' '}
              <Code>number,title,priority,state,opened_at,ci,caused_by</Code> with ISO dates and CIs separated by “;”.
            </>
          ),
          placeholder: CSV_EXAMPLE,
        }}
        options={
          <Checkbox
            label="Dry run: check the file and show what would happen, without saving anything"
            checked={dryRun}
            onChange={(e) => setDryRun(e.currentTarget.checked)}
          />
        }
        submitLabel={dryRun ? 'Check' : 'Import'}
        actions={
          result &&
          wasDryRun && (
            <Button variant="light" onClick={() => run(false)} loading={importIncidents.isPending} disabled={!source.text.trim()}>
              Import for real
            </Button>
          )
        }
        onSubmit={() => run(dryRun)}
      />
      {result && <IncidentImportReport result={result} dryRun={wasDryRun} />}
    </>
  );
}
