import { Alert, Badge, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useId } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import type { TemplateVersion } from './templates-api';
import { ScoreText } from './template-ui';
import {
  type VersionDifference,
  type VersionNames,
  TEMPLATE_VERSION_STATE_COLORS,
  TEMPLATE_VERSION_STATE_LABELS,
  versionDifferences,
} from './template-words';
import { useTemplateVersions } from './templates-api';

/** The pending version's differences from the version in force, field by field. */
export function VersionDifferences({ from, to, differences }: { from: number | null; to: number; differences: VersionDifference[] }) {
  const titleId = useId();
  return (
    <Stack gap={6} role="region" aria-labelledby={titleId}>
      <Title order={3} size="h6" id={titleId}>
        {from === null ? `What version ${to} holds` : `What version ${to} changes from version ${from}`}
      </Title>
      {differences.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing: it holds the same content as version {from}.
        </Text>
      ) : (
        <Paper withBorder radius="sm">
          <Table aria-label={`Differences of version ${to}`} verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={180}>Field</Table.Th>
                <Table.Th>{from === null ? 'Before' : `Version ${from} (in force)`}</Table.Th>
                <Table.Th>Version {to} (pending)</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {differences.map((d) => (
                <Table.Tr key={d.field}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {d.field}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="gray.7" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                      {d.before}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
                      {d.after}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}

/** The version in force and the pending one (if any) of a list of versions. */
export function pendingAndActive(versions: readonly TemplateVersion[]) {
  return {
    pending: versions.find((v) => v.state === 'proposed') ?? null,
    active: versions.find((v) => v.state === 'active') ?? null,
  };
}

/**
 * An entry's versions, newest first, each with how the changes pinned to it fared; above them, what the
 * pending version would change.
 */
export function VersionsSection({ templateId, names }: { templateId: string; names: VersionNames }) {
  const versions = useTemplateVersions(templateId);
  if (versions.isPending) return <PageLoader label="Loading the versions" />;
  if (versions.isError)
    return <ErrorAlert error={versions.error} title="Cannot load the versions" onRetry={() => void versions.refetch()} />;
  const items = [...versions.data].sort((a, b) => b.number - a.number);
  const { pending, active } = pendingAndActive(items);

  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">
        Each change pins the version it was filed from. An edit of an active entry becomes its next version, which a change manager
        activates before it replaces the one in force.
      </Text>
      {pending && (
        <Alert color="blue" variant="light" title={`Version ${pending.number} waits for activation`} role="note">
          <Stack gap="xs">
            <Text size="sm">
              Proposed by {pending.proposedByName || pending.proposedBy} on {formatDateTime(pending.proposedAt)}
              {pending.note ? `: “${pending.note}”` : '.'}
            </Text>
            <VersionDifferences
              from={active?.number ?? null}
              to={pending.number}
              differences={active ? versionDifferences(active.content, pending.content, names) : []}
            />
          </Stack>
        </Alert>
      )}
      <Paper withBorder radius="sm">
        <Table aria-label="Versions" verticalSpacing="xs">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={80}>Version</Table.Th>
              <Table.Th w={110}>State</Table.Th>
              <Table.Th>Proposed</Table.Th>
              <Table.Th>Activated</Table.Th>
              <Table.Th w={70}>Uses</Table.Th>
              <Table.Th w={100}>Successful</Table.Th>
              <Table.Th w={80}>Failed</Table.Th>
              <Table.Th w={80}>Score</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((v) => (
              <Table.Tr key={v.number} data-version={v.number} bg={v.state === 'proposed' ? 'blue.0' : undefined}>
                <Table.Td>
                  <Text size="sm" fw={600}>
                    {v.number}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Badge color={TEMPLATE_VERSION_STATE_COLORS[v.state]} variant="light" size="sm" radius="sm">
                    {TEMPLATE_VERSION_STATE_LABELS[v.state]}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {v.proposedByName || v.proposedBy}, {formatDateTime(v.proposedAt)}
                  </Text>
                  {v.note && (
                    <Text size="xs" c="gray.7">
                      {v.note}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={v.activatedAt ? undefined : 'dimmed'}>
                    {v.activatedAt ? `${v.activatedByName || v.activatedBy}, ${formatDateTime(v.activatedAt)}` : 'Not activated'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{v.history.uses}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {v.history.successful}
                    {v.history.successfulWithIssues > 0 && (
                      <Text span size="xs" c="gray.7">
                        {' '}
                        (+{v.history.successfulWithIssues} with issues)
                      </Text>
                    )}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={v.history.failed > 0 ? 'red.8' : undefined} fw={v.history.failed > 0 ? 600 : undefined}>
                    {v.history.failed}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <ScoreText score={v.history.score} />
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}
