import { Badge, Group, Paper, Stack, Table, Text } from '@mantine/core';
import type { RiskLevel } from '../../api/types';
import { RouterAnchor } from '../../shared/router-link';
import { RISK_LEVEL_LABELS, RiskLevelBadge } from '../changes/risk-badge';
import type { PolicyDiff } from './policy-api';

type Impact = PolicyDiff['changes'][number];

const isLevel = (level: string): level is RiskLevel => level in RISK_LEVEL_LABELS;

function Risk({ risk }: { risk: Impact['before']['risk'] }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Text size="sm">{risk.score}</Text>
      {isLevel(risk.level) ? <RiskLevelBadge level={risk.level} size="xs" /> : <Text size="sm">{risk.level}</Text>}
    </Group>
  );
}

/** "before → after" in words, or a dash when it does not move. */
function Moved({ before, after }: { before: string; after: string }) {
  if (before === after)
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  return (
    <Text size="sm">
      {before} → <strong>{after}</strong>
    </Text>
  );
}

function ImpactRow({ c }: { c: Impact }) {
  const list = (rules: string[]) => rules.join(', ') || 'none';
  return (
    <Table.Tr>
      <Table.Td valign="top">
        <Stack gap={0}>
          <RouterAnchor to={`/changes/${c.id}`} size="sm" fw={500}>
            {c.number}
          </RouterAnchor>
          <Text size="xs" c="dimmed" lineClamp={2}>
            {c.title}
          </Text>
        </Stack>
      </Table.Td>
      <Table.Td valign="top">
        <Text size="sm">
          {c.type} · {c.state}
        </Text>
      </Table.Td>
      <Table.Td valign="top">
        {c.changed.includes('risk') ? (
          <Group gap={4} wrap="nowrap">
            <Risk risk={c.before.risk} /> → <Risk risk={c.after.risk} />
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td valign="top">
        {c.approvalsAdded.length + c.approvalsRemoved.length === 0 ? (
          <Text size="sm" c="dimmed">
            —
          </Text>
        ) : (
          <Group gap={4}>
            {c.approvalsAdded.map((r) => (
              <Badge key={`+${r}`} color="orange" variant="light" radius="sm" tt="none">
                + {r}
              </Badge>
            ))}
            {c.approvalsRemoved.map((r) => (
              <Badge key={`-${r}`} color="gray" variant="light" radius="sm" tt="none">
                − {r}
              </Badge>
            ))}
          </Group>
        )}
      </Table.Td>
      <Table.Td valign="top">
        {c.changed.includes('routing') ? (
          <Stack gap={0}>
            {c.before.team !== c.after.team && <Moved before={`team ${c.before.team}`} after={c.after.team} />}
            {c.before.changeManager !== c.after.changeManager && (
              <Moved before={`manager ${c.before.changeManager}`} after={c.after.changeManager} />
            )}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
      </Table.Td>
      <Table.Td valign="top">
        {c.changed.includes('gates') ? (
          <Moved before={list(c.before.gates)} after={list(c.after.gates)} />
        ) : (
          <Text size="sm" c="dimmed">
            —
          </Text>
        )}
        {c.warnings.map((w) => (
          <Text key={w} size="xs" c="red.8">
            {w}
          </Text>
        ))}
      </Table.Td>
    </Table.Tr>
  );
}

/** What a candidate bundle would decide differently for each open change; unaffected changes are only counted. */
export function PolicyImpact({ diff }: { diff: PolicyDiff }) {
  if (diff.activeVersion === null) {
    return (
      <Text size="sm" c="dimmed">
        No version is active yet, so no open change is affected.
      </Text>
    );
  }
  const summary =
    diff.openChanges === 0
      ? `Compared with version ${diff.activeVersion}: there are no open changes.`
      : `Compared with version ${diff.activeVersion}: ${diff.changes.length} of ${diff.openChanges} open change${diff.openChanges === 1 ? '' : 's'} would change; ${diff.unchanged} would not.`;
  return (
    <Stack gap="xs">
      <Text size="sm" aria-label="Impact summary">
        {summary}
      </Text>
      {diff.changes.length > 0 && (
        <Paper withBorder radius="sm">
          <Table aria-label="Open changes the new version would change" verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={200}>Change</Table.Th>
                <Table.Th w={140}>Type · state</Table.Th>
                <Table.Th>Risk</Table.Th>
                <Table.Th>Approvals</Table.Th>
                <Table.Th>Routing</Table.Th>
                <Table.Th>Gates</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {diff.changes.map((c) => (
                <ImpactRow key={c.id} c={c} />
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Stack>
  );
}
