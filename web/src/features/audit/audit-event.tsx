import { Code, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { AuditEvent, Policy } from '../../api/types';
import { describeAuditEvent, formatAuditValue } from '../changes/change-history';
import { changeFieldLabel } from '../changes/field-labels';
import { DefinitionList, type DefinitionRow } from '../../shared/definition-list';
import { RouterAnchor } from '../../shared/router-link';
import { actionLabel, type AuditName, formatWhen, recordPath, recordTypeLabel } from './audit-labels';

export type AuditNames = Record<string, AuditName>;

/** Actions whose title the change history already puts in words (state moves, risk, approvals). */
const WORDED_BY_HISTORY = new Set([
  'change.transitioned',
  'change.risk_assessed',
  'change.risk_overridden',
  'change.risk_override_cleared',
  'change.approvals_requested',
  'change.authorization_reopened',
  'change.commented',
  'change.routed',
  'change.evidence_added',
  'change.incident_linked',
  'change.incident_unlinked',
  'approval.decided',
  'approval.reopened',
  'approval.vote_voided',
]);

/** The fields a `{ field: { from, to } }` diff names, in words. */
function changedFields(data: Record<string, unknown>): string[] {
  const changes = data.changes;
  if (!changes || typeof changes !== 'object' || Array.isArray(changes)) return [];
  return Object.keys(changes).map(changeFieldLabel);
}

/**
 * One event as a sentence: "Moved from Draft to Assess", "Edited a CI: Criticality, Tags", "Added evidence
 * “Staging run”". `teamName` names a team approver labelled by its handle.
 */
export function describeEvent(event: AuditEvent, policy: Policy | undefined, teamName: (label: string) => string = (l) => l): string {
  if (WORDED_BY_HISTORY.has(event.action)) return describeAuditEvent(event, policy, '', teamName);
  const label = actionLabel(event.action);
  switch (event.action) {
    case 'policy.applied':
      return typeof event.data.version === 'number' ? `Applied policy version ${event.data.version}` : label;
  }
  const fields = event.action.endsWith('.updated') ? changedFields(event.data) : [];
  return fields.length > 0 ? `${label}: ${fields.join(', ')}` : label;
}

/** The record an event is about, linked to its page when it has one, else named in words. */
export function RecordLink({ type, id, names, withType = false }: { type: string; id: string; names: AuditNames; withType?: boolean }) {
  const name = names[id];
  const kind = name?.type ?? type;
  const label = name?.label ?? (type === 'policy' ? `version ${id}` : id);
  const path = recordPath(kind, id, name);
  const typeWords = withType ? `${recordTypeLabel(kind)} ` : '';
  return (
    <span>
      {typeWords}
      {path ? (
        <RouterAnchor to={path} size="sm" ff={name?.type === 'change' || name?.type === 'incident' ? 'monospace' : undefined}>
          {label}
        </RouterAnchor>
      ) : (
        <Text span size="sm" ff={name ? undefined : 'monospace'}>
          {label}
        </Text>
      )}
      {name?.title && (
        <Text span size="sm">
          {' '}
          {name.title}
        </Text>
      )}
    </span>
  );
}

const VIA_WORDS: Record<string, string> = {
  session: 'a browser session',
  token: 'an API token',
  cli: 'the command line',
  system: 'Cabinet itself',
};

const KEY_LABELS: Record<string, string> = {
  after: 'As recorded',
  before: 'Before',
  changes: 'Changed',
  number: 'Number',
  policyVersion: 'Policy version',
  contentHash: 'Content fingerprint',
  sha256: 'sha256',
  decision: 'Decision',
  comment: 'Comment',
  justification: 'Justification',
  reason: 'Reason',
  approver: 'Approver',
  stage: 'Stage',
  rule: 'Rule',
  factors: 'Risk factors',
  kind: 'Kind',
  from: 'From',
  to: 'To',
  evidenceId: 'Evidence id',
  approvalId: 'Approval id',
  commentId: 'Comment id',
  clockId: 'SLA clock id',
  breakGlassId: 'Break-glass id',
  incidentId: 'Incident',
};

/** A data key as a label: the change's field names, then a few of the trail's own, then words from the key. */
function keyLabel(key: string): string {
  return KEY_LABELS[key] ?? changeFieldLabel(key);
}

const isIdKey = (key: string) => /(Id|Ids)$/.test(key) && !/^(evidence|approval|comment|clock|breakGlass|request)Id$/.test(key);

/** A diff of one field, `{ from, to }`. */
function isDiff(value: unknown): value is { from: unknown; to: unknown } {
  return !!value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 2 && 'from' in value && 'to' in value;
}

/** A stored value for people: names for ids, local times with their zone, Yes/No, nested records as lists. */
export function AuditValue({ field, value, names, depth = 0 }: { field: string; value: unknown; names: AuditNames; depth?: number }): ReactNode {
  if (isDiff(value)) {
    return (
      <span>
        <AuditValue field={field} value={value.from} names={names} depth={depth + 1} /> → <AuditValue field={field} value={value.to} names={names} depth={depth + 1} />
      </span>
    );
  }
  if (isIdKey(field)) {
    const ids = Array.isArray(value) ? value : [value];
    const present = ids.filter((v): v is string => typeof v === 'string');
    if (present.length === 0) return '—';
    return (
      <Group gap={4} component="span" wrap="wrap">
        {present.map((id, i) => (
          <span key={id}>
            <RecordLink type={field.replace(/Ids?$/, '')} id={id} names={names} />
            {i < present.length - 1 ? ',' : ''}
          </span>
        ))}
      </Group>
    );
  }
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return formatWhen(value);
  if (typeof value === 'string' && /^[0-9a-f]{64}$/.test(value)) return <Code fz="xs">{value}</Code>;
  if (typeof value === 'string') return <span className="cabinet-pre">{value}</span>;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) return formatAuditValue(value);
  if (depth >= 3) return <Code fz="xs">{JSON.stringify(value)}</Code>;
  if (Array.isArray(value)) {
    return (
      <Stack gap={6} component="ol" style={{ margin: 0, paddingLeft: '1.2rem' }}>
        {value.map((item, i) => (
          <li key={i}>
            <AuditValue field={field} value={item} names={names} depth={depth + 1} />
          </li>
        ))}
      </Stack>
    );
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return (
      <DefinitionList
        rows={entries.map(([k, v]) => [keyLabel(k), <AuditValue key={k} field={k} value={v} names={names} depth={depth + 1} />, k])}
      />
    );
  }
  return formatAuditValue(value);
}

/** Everything an event holds, for people: what, which record, who and how, when, its data field by field, its hashes. */
export function AuditEventDetails({ event, names, policy }: { event: AuditEvent; names: AuditNames; policy: Policy | undefined }) {
  const { requestId, via, ...data } = event.data;
  const actorKnown = names[event.actorId]?.type === 'user';
  const rows: DefinitionRow[] = [
    [
      'What',
      <>
        {describeEvent(event, policy)}{' '}
        <Code fz="xs" bg="transparent" p={0}>
          {event.action}
        </Code>
      </>,
      'what',
    ],
    ['Record', <RecordLink key="record" type={event.entityType} id={event.entityId} names={names} withType />, 'record'],
    [
      'Who',
      <>
        {event.actorName}
        {!actorKnown && (
          <Text span size="sm" ff="monospace">
            {' '}
            ({event.actorId})
          </Text>
        )}
        {typeof via === 'string' && `, through ${VIA_WORDS[via] ?? via}`}
      </>,
      'who',
    ],
    ['When', `${formatWhen(event.at)} (${event.at})`, 'when'],
  ];
  for (const [key, value] of Object.entries(data)) rows.push([keyLabel(key), <AuditValue key={key} field={key} value={value} names={names} />, `data.${key}`]);
  if (typeof requestId === 'string') rows.push(['Request id', <Code key="request" fz="xs">{requestId}</Code>, 'request']);
  rows.push(['Event', `number ${event.seq} of the chain`, 'seq']);
  rows.push(['Hash', <Code key="hash" fz="xs">{event.hash}</Code>, 'hash']);
  rows.push(['Previous hash', <Code key="prev" fz="xs">{event.prevHash}</Code>, 'prev']);
  return <DefinitionList rows={rows} testId={`event-${event.seq}-details`} />;
}
