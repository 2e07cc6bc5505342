import { Alert, Badge, Button, Code, Group, List, Paper, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { PolicyTestReport } from './policy-api';

/** "16 passed", "1 failed" as badges; a report with problems says the tests did not run. */
export function TestSummary({ report }: { report: PolicyTestReport }) {
  if (report.issues.length > 0)
    return (
      <Badge color="red" variant="light" radius="sm">
        tests did not run
      </Badge>
    );
  if (report.cases.length === 0)
    return (
      <Badge color="gray" variant="light" radius="sm">
        no test cases
      </Badge>
    );
  return (
    <Group gap={6} aria-label="Test summary">
      <Badge color="green" variant="light" radius="sm">
        {report.passed} passed
      </Badge>
      <Badge color={report.failed > 0 ? 'red' : 'gray'} variant={report.failed > 0 ? 'filled' : 'light'} radius="sm">
        {report.failed} failed
      </Badge>
    </Group>
  );
}

/**
 * The test cases of a bundle with their outcome; a failing case lists what it expected and what the bundle
 * decided. Failing cases come first, so they are seen; passing ones are listed on demand.
 */
export function PolicyTestResults({ report, label = 'Test cases' }: { report: PolicyTestReport; label?: string }) {
  const [showPassing, setShowPassing] = useState(false);
  if (report.issues.length > 0) {
    return (
      <Alert color="red" variant="light" title="The test files have problems, so no case ran">
        <List size="sm" spacing={2} aria-label="Problems in the test files">
          {report.issues.map((i, n) => (
            <List.Item key={`${i.file}:${i.line}:${i.column}:${n}`}>
              <Code>
                {i.file}:{i.line}:{i.column}
              </Code>{' '}
              {i.path && <Code>{i.path}</Code>} {i.message}
            </List.Item>
          ))}
        </List>
      </Alert>
    );
  }
  if (report.cases.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        This bundle has no test cases. Add YAML files under <Code>tests/</Code> to check its decisions on example changes.
      </Text>
    );
  }
  const failing = report.cases.filter((c) => !c.ok);
  const passing = report.cases.filter((c) => c.ok);
  const cases = showPassing ? [...failing, ...passing] : failing;
  const toggle = passing.length > 0 && (
    <Button variant="subtle" size="compact-sm" onClick={() => setShowPassing((v) => !v)} aria-expanded={showPassing}>
      {showPassing ? 'Hide the passing cases' : `Show the ${passing.length} passing case${passing.length === 1 ? '' : 's'}`}
    </Button>
  );
  if (cases.length === 0) return <Group>{toggle}</Group>;
  return (
    <Stack gap={4} align="flex-start">
      <Paper withBorder radius="sm" w="100%">
        <Table aria-label={label} verticalSpacing={6}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={90}>Result</Table.Th>
              <Table.Th>Case</Table.Th>
              <Table.Th w={220}>File</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {cases.map((c) => (
              <Table.Tr key={`${c.file}\n${c.name}`} data-ok={c.ok}>
                <Table.Td valign="top">
                  {c.ok ? (
                    <Text size="sm" c="green.8" fw={500}>
                      ✓ passed
                    </Text>
                  ) : (
                    <Text size="sm" c="red.8" fw={700}>
                      ✗ failed
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Stack gap={4}>
                    <Text size="sm">{c.name}</Text>
                    {c.mismatches.length > 0 && (
                      <List size="sm" spacing={2} aria-label={`Mismatches of ${c.name}`}>
                        {c.mismatches.map((m, n) => (
                          <List.Item key={n}>
                            <Text span size="sm" fw={500}>
                              {m.what}:
                            </Text>{' '}
                            expected <Code>{m.expected}</Code>, got <Code color="red.0">{m.actual}</Code>
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </Stack>
                </Table.Td>
                <Table.Td valign="top">
                  <Text size="sm" ff="monospace">
                    {c.file}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      {toggle}
    </Stack>
  );
}
