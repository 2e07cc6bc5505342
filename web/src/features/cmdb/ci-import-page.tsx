import { Code } from '@mantine/core';
import { useState } from 'react';
import { ImportForm, useImportSource } from '../../shared/import/import-form';
import { guessFormat, type ImportFormat, ImportFormatSwitch } from '../../shared/import/import-format';
import { ImportReport } from '../../shared/import/import-report';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { useImportCis } from './cmdb-api';

const CSV_EXAMPLE = `name,type,environment,service,criticality,tags
db-orders-01,database,production,Orders,high,pci;eu
web-orders-01,server,production,Orders,medium,`;

const JSON_EXAMPLE = `[
  { "name": "db-orders-01", "type": "database", "environment": "production",
    "service": "Orders", "criticality": "high", "tags": ["pci"] }
]`;

export function CiImportPage() {
  const importCis = useImportCis();
  const [format, setFormat] = useState<ImportFormat>('csv');
  const source = useImportSource({
    // A file's name decides its format; typed text is guessed once, when the box was empty.
    onText: (text, { previous, fileName }) => {
      if (fileName) setFormat(guessFormat(text, fileName));
      else if (!previous && text) setFormat(guessFormat(text));
    },
  });
  const result = importCis.data;

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
      <ImportForm
        label="Import CIs"
        source={source}
        mutation={importCis}
        file={{ label: 'Upload a file', placeholder: 'Choose a .csv or .json file', accept: '.csv,.json,text/csv,application/json' }}
        beside={<ImportFormatSwitch value={format} onChange={setFormat} />}
        data={{
          label: 'Data',
          description:
            format === 'csv' ? (
              <>
                Header <Code>name,type,environment,service,criticality,tags</Code> (tags separated by “;”), or <Code>from,type,to</Code> for
                relations
              </>
            ) : (
              'An array of { name, type, environment, service, criticality, tags, attributes, relations: [{ to, type }] }'
            ),
          placeholder: format === 'csv' ? CSV_EXAMPLE : JSON_EXAMPLE,
        }}
        submitLabel="Import"
        onSubmit={() => importCis.mutate({ text: source.text, format })}
      />
      {result && (
        <ImportReport
          title="Result"
          counts={[
            { label: 'Created', value: result.created, color: 'green.8' },
            { label: 'Updated', value: result.updated, color: 'blue.8' },
            { label: 'Relations created', value: result.relationsCreated },
          ]}
          errors={result.errors}
          allGood={
            <>
              Every row was imported. <RouterAnchor to="/cmdb/cis">See the CIs</RouterAnchor>
            </>
          }
        />
      )}
    </>
  );
}
