import { Badge, Group, Paper, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { formatDateTime } from '../../shared/format';
import { PRIORITY_LABELS } from '../../shared/labels';
import { RouterAnchor, NumberLink } from '../../shared/router-link';
import { Dash, EmptyRow, useRowLink } from '../../shared/table-parts';
import type { Incident, IncidentState } from './incidents-api';
import { INCIDENT_PRIORITY_COLORS, INCIDENT_STATE_COLORS, INCIDENT_STATE_LABELS } from './incident-words';

export function IncidentStateBadge({ state, size = 'sm' }: { state: IncidentState; size?: 'sm' | 'md' }) {
  return (
    <Badge color={INCIDENT_STATE_COLORS[state] ?? 'gray'} variant="light" size={size} radius="sm" data-state={state}>
      {INCIDENT_STATE_LABELS[state] ?? state}
    </Badge>
  );
}

export function PriorityBadge({ priority, size = 'sm' }: { priority: number; size?: 'sm' | 'md' }) {
  return (
    <Badge color={INCIDENT_PRIORITY_COLORS[priority] ?? 'gray'} variant={priority <= 2 ? 'filled' : 'light'} size={size} radius="sm">
      P{PRIORITY_LABELS[priority] ?? priority}
    </Badge>
  );
}

/** The CIs of an incident as links. */
export function IncidentCis({ cis, size = 'sm' }: { cis: Incident['cis']; size?: 'xs' | 'sm' }) {
  if (cis.length === 0) return <Dash />;
  return (
    <Group gap={6}>
      {cis.map((ci) => (
        <RouterAnchor key={ci.id} to={`/cmdb/cis/${ci.id}`} size={size}>
          {ci.name}
        </RouterAnchor>
      ))}
    </Group>
  );
}

export function CausedByLink({ change }: { change: Incident['causedByChange'] }) {
  if (!change) return <Dash />;
  return (
    <Text component={Link} to={`/changes/${change.number}`} size="sm" ff="monospace" c="blue.8" title={change.title}>
      {change.number}
    </Text>
  );
}

export type IncidentColumn = 'cis' | 'causedBy';

interface IncidentTableProps {
  incidents: Incident[];
  label?: string;
  emptyText?: string;
  /** Columns to leave out where the page already says them (the CI on a CI page, the change on a change page). */
  hide?: IncidentColumn[];
  /** Rows to mark (e.g. opened in the last 30 days), with words for screen readers. */
  highlight?: { test: (incident: Incident) => boolean; label: string };
  busy?: boolean;
  /** For a narrow column (the change page's tab): the CIs go under the title instead of a column of their own. */
  compact?: boolean;
}

/** Incidents as a dense table; the number links to the incident page. */
export function IncidentTable({
  incidents,
  label = 'Incidents',
  emptyText = 'No incidents.',
  hide = [],
  highlight,
  busy,
  compact = false,
}: IncidentTableProps) {
  const rowLink = useRowLink();
  const showCis = !compact && !hide.includes('cis');
  const showCause = !hide.includes('causedBy');
  const columns = 5 + (showCis ? 1 : 0) + (showCause ? 1 : 0);
  return (
    <Paper withBorder radius="sm">
      <Table highlightOnHover aria-label={label} aria-busy={busy}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={110}>Number</Table.Th>
            <Table.Th>{compact && !hide.includes('cis') ? 'Title and CIs' : 'Title'}</Table.Th>
            <Table.Th w={135}>Priority</Table.Th>
            <Table.Th w={125}>State</Table.Th>
            <Table.Th w={compact ? 130 : 160}>Opened</Table.Th>
            {showCis && <Table.Th w={200}>CIs</Table.Th>}
            {showCause && <Table.Th w={120}>Caused by</Table.Th>}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {incidents.map((incident) => {
            const marked = highlight?.test(incident) ?? false;
            return (
              <Table.Tr
                key={incident.id}
                {...rowLink(`/incidents/${incident.number}`)}
                bg={marked ? 'yellow.0' : undefined}
                data-highlighted={marked || undefined}
              >
                <Table.Td>
                  <NumberLink to={`/incidents/${incident.number}`}>{incident.number}</NumberLink>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2}>
                    {incident.title}
                  </Text>
                  {compact && !hide.includes('cis') && incident.cis.length > 0 && <IncidentCis cis={incident.cis} size="xs" />}
                </Table.Td>
                <Table.Td>
                  <PriorityBadge priority={incident.priority} />
                </Table.Td>
                <Table.Td>
                  <IncidentStateBadge state={incident.state} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDateTime(incident.openedAt)}</Text>
                  {marked && highlight && (
                    <Text size="xs" c="orange.9" fw={500}>
                      {highlight.label}
                    </Text>
                  )}
                </Table.Td>
                {showCis && (
                  <Table.Td>
                    <IncidentCis cis={incident.cis} />
                  </Table.Td>
                )}
                {showCause && (
                  <Table.Td>
                    <CausedByLink change={incident.causedByChange} />
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
          {incidents.length === 0 && <EmptyRow colSpan={columns}>{emptyText}</EmptyRow>}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
