import { Code, Group, List, Text, Timeline } from '@mantine/core';
import type { AuditEvent, Policy } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, humanize } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { useCis } from '../cmdb/cmdb-api';
import { useChangeAudit } from './change-api';
import { changeFieldLabel } from './field-labels';
import { stateLabel, usePolicy } from './policy';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A stored value as a short phrase: dates in local time, lists joined, long text cut. */
export function formatAuditValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string') {
    if (ISO.test(value)) return formatDateTime(value);
    return value.length > 140 ? `${value.slice(0, 140)}…` : value;
  }
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map(formatAuditValue).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

interface FieldChange {
  field: string;
  from: unknown;
  to: unknown;
}

/**
 * `data.changes = { field: { from, to } }` as a list, when the event carries it. The state of a
 * transition is left out: the event's title already says where the change moved.
 */
export function fieldChangesOf(event: AuditEvent): FieldChange[] {
  const changes = event.data.changes;
  if (!changes || typeof changes !== 'object' || Array.isArray(changes)) return [];
  return Object.entries(changes as Record<string, unknown>)
    .filter(([field]) => !(field === 'state' && event.action.endsWith('transitioned')))
    .map(([field, diff]) => {
      const d = (diff && typeof diff === 'object' ? diff : {}) as { from?: unknown; to?: unknown };
      return { field, from: d.from, to: d.to };
    });
}

/** Ids of the CIs named in `ciIds` diffs, so the history can show names instead. */
function ciIdsIn(events: AuditEvent[]): string[] {
  const ids = new Set<string>();
  for (const e of events) {
    for (const c of fieldChangesOf(e)) {
      if (c.field !== 'ciIds') continue;
      for (const v of [c.from, c.to]) if (Array.isArray(v)) v.forEach((id) => typeof id === 'string' && ids.add(id));
    }
  }
  return [...ids];
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** "Moved from Draft to Assess", "Created the change", or a readable form of the raw action. */
export function describeAuditEvent(event: AuditEvent, policy: Policy | undefined, changeType: string): string {
  const from = str(event.data.from) ?? str(event.data.fromState);
  const to = str(event.data.to) ?? str(event.data.toState) ?? str(event.data.state);
  const verb = event.action.split('.').pop() ?? event.action;
  if ((verb === 'transitioned' || verb === 'state_changed' || (from && to)) && to) {
    const label = str(event.data.label);
    const move = from
      ? `Moved from ${stateLabel(policy, changeType, from)} to ${stateLabel(policy, changeType, to)}`
      : `Moved to ${stateLabel(policy, changeType, to)}`;
    return label ? `${label}: ${move.charAt(0).toLowerCase()}${move.slice(1)}` : move;
  }
  switch (verb) {
    case 'created':
      return 'Created the change';
    case 'updated':
      return 'Edited the change';
    case 'commented':
      return str(event.data.kind) === 'work_note' ? 'Added a work note' : 'Commented';
    default:
      return humanize(event.action.replace(/^change\./, ''));
  }
}

export function ChangeHistory({ changeId, changeType }: { changeId: string; changeType: string }) {
  const audit = useChangeAudit(changeId);
  const { data: policy } = usePolicy();
  const ciIds = ciIdsIn(audit.data?.items ?? []);
  const cis = useCis(ciIds);
  const ciNames = new Map(ciIds.map((id, i) => [id, cis[i]?.data?.name ?? id]));
  const show = (field: string, value: unknown) =>
    formatAuditValue(field === 'ciIds' && Array.isArray(value) ? value.map((id) => ciNames.get(String(id)) ?? id) : value);
  if (audit.isPending) return <PageLoader label="Loading the history" />;
  if (audit.isError) return <ErrorAlert error={audit.error} title="Cannot load the history" />;
  const events = [...audit.data.items].sort((a, b) => b.seq - a.seq);
  if (events.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No history yet.
      </Text>
    );
  }
  return (
    <Timeline active={events.length} bulletSize={12} lineWidth={2} role="region" aria-label="History" mt="xs">
      {events.map((event) => {
        const changes = fieldChangesOf(event);
        return (
          <Timeline.Item
            key={event.seq}
            title={
              <Group gap="xs" wrap="wrap">
                <Text size="sm" fw={600}>
                  {describeAuditEvent(event, policy, changeType)}
                </Text>
                <Code fz="xs" c="dimmed" bg="transparent" p={0}>
                  {event.action}
                </Code>
              </Group>
            }
          >
            <Text size="xs" c="dimmed">
              {formatDateTime(event.at)} · {event.actorName}
            </Text>
            {typeof event.data.body === 'string' && (
              <Text size="sm" mt={4} className="cabinet-pre" lineClamp={3}>
                {event.data.body}
              </Text>
            )}
            {changes.length > 0 && (
              <List size="sm" spacing={0} mt={4} aria-label="Changed fields">
                {changes.map((c) => (
                  <List.Item key={c.field}>
                    <Text span size="sm" fw={500}>
                      {changeFieldLabel(c.field)}
                    </Text>
                    <Text span size="sm" c="dimmed">
                      {': '}
                      {show(c.field, c.from)} → {show(c.field, c.to)}
                    </Text>
                  </List.Item>
                ))}
              </List>
            )}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
