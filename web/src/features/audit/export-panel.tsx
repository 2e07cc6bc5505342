import { Button, Code, Group, Paper, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useId, useState } from 'react';
import { localInputToIso } from '../../shared/format';
import { exportUrl } from './audit-api';

/**
 * "Export": the trail, or the stretch of it recorded between two times, as a JSON-lines file. The button is a
 * plain link with `download`, so the browser saves what the server streams, under the name the server gives
 * (`cabinet-audit-120-245.jsonl`), and says how to check it offline.
 */
export function ExportPanel() {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const titleId = useId();
  const fromIso = localInputToIso(from);
  const toIso = localInputToIso(to);
  const reversed = fromIso !== null && toIso !== null && fromIso >= toIso;
  const whole = fromIso === null && toIso === null;
  return (
    <Paper withBorder radius="sm" p="sm" component="section" aria-labelledby={titleId}>
      <Stack gap="xs">
        <Title order={2} size="h5" id={titleId}>
          Export
        </Title>
        <Text size="sm">
          The events recorded between two times, oldest first, one JSON object per line, each with its hash and the hash before it. Leave both
          empty for the whole trail.
        </Text>
        <SimpleGrid cols={2} spacing="xs">
          <TextInput type="datetime-local" size="sm" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} />
          <TextInput
            type="datetime-local"
            size="sm"
            label="To"
            value={to}
            onChange={(e) => setTo(e.currentTarget.value)}
            error={reversed ? 'must be after From' : undefined}
          />
        </SimpleGrid>
        <Group>
          {reversed ? (
            <Button size="sm" variant="default" disabled>
              Download export
            </Button>
          ) : (
            <Button size="sm" variant="default" component="a" href={exportUrl({ from: fromIso, to: toIso })} download>
              {whole ? 'Download the whole trail' : 'Download export'}
            </Button>
          )}
        </Group>
        <Text size="sm">Check a file offline, with nothing but the file and Cabinet&apos;s command line:</Text>
        <Code block fz="xs">
          npx cabinet audit verify cabinet-audit.jsonl
        </Code>
        <Text size="sm">
          An export that does not start at the first event is a stretch of the chain: give the hash of the event just before it (the head hash you
          kept from an earlier check, or the last hash of the previous export), and the check proves it continues that chain:
        </Text>
        <Code block fz="xs">
          npx cabinet audit verify --after HASH cabinet-audit-120-245.jsonl
        </Code>
        <Text size="sm">It exits 0 and counts the events, or exits 1 naming the first broken one.</Text>
      </Stack>
    </Paper>
  );
}
