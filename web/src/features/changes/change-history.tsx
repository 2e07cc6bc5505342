import { Code, Group, List, Text, Timeline } from '@mantine/core';
import type { AuditEvent, Policy } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, humanize } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { useTeams } from '../admin/admin-api';
import { actionLabel, type AuditName, formatWhen } from '../audit/audit-labels';
import { useChangeAudit, useChangeRisk } from './change-api';
import { changeFieldLabel } from './field-labels';
import { stateLabel, usePolicy } from './policy';
import { formatPoints, riskLevelWords } from './risk-badge';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A stored value as a short phrase: dates in local time, lists joined, long text cut. */
export function formatAuditValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
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

/** What the title of an event already says, so its list of changed fields leaves it out. */
function inTitle(event: AuditEvent, field: string): boolean {
  if (field === 'state') return event.action.endsWith('transitioned');
  if (field === 'riskScore' || field === 'riskLevel') return event.action === 'change.risk_assessed';
  return false;
}

/**
 * `data.changes = { field: { from, to } }` as a list, when the event carries it. The state of a
 * transition and the score and level of a risk assessment are left out: the event's title says them.
 */
export function fieldChangesOf(event: AuditEvent): FieldChange[] {
  const changes = event.data.changes;
  if (!changes || typeof changes !== 'object' || Array.isArray(changes)) return [];
  return Object.entries(changes as Record<string, unknown>)
    .filter(([field]) => !inTitle(event, field))
    .map(([field, diff]) => {
      const d = (diff && typeof diff === 'object' ? diff : {}) as { from?: unknown; to?: unknown };
      return { field, from: d.from, to: d.to };
    });
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** `data.changes[field]` of an event as `{ from, to }`, whatever the event holds. */
function diffOf(event: AuditEvent, field: string): { from?: unknown; to?: unknown } {
  const changes = event.data.changes;
  if (!changes || typeof changes !== 'object') return {};
  const diff = (changes as Record<string, unknown>)[field];
  return diff && typeof diff === 'object' ? (diff as { from?: unknown; to?: unknown }) : {};
}

/** "Risk assessed: moderate → high (score 40 → 55)"; the first assessment is "Risk assessed: high (score 55)". */
function describeRiskAssessed(event: AuditEvent): string {
  const level = diffOf(event, 'riskLevel');
  const score = diffOf(event, 'riskScore');
  const levelTo = str(level.to);
  const levelFrom = str(level.from);
  const levels = levelTo
    ? levelFrom && levelFrom !== levelTo
      ? `${riskLevelWords(levelFrom)} → ${riskLevelWords(levelTo)}`
      : riskLevelWords(levelTo)
    : '';
  const scoreTo = typeof score.to === 'number' ? score.to : null;
  const scoreFrom = typeof score.from === 'number' ? score.from : null;
  const scores =
    scoreTo === null ? '' : scoreFrom !== null && scoreFrom !== scoreTo ? `score ${scoreFrom} → ${scoreTo}` : `score ${scoreTo}`;
  if (!levels) return scores ? `Risk assessed (${scores})` : 'Risk assessed';
  return scores ? `Risk assessed: ${levels} (${scores})` : `Risk assessed: ${levels}`;
}

/**
 * The factors of a risk assessment (`data.factors = [{ name, contribution }]`), largest first, as "CI
 * criticality +20, Rollback feasibility −5", named by `labels` (the current policy's) or else in words made from the name.
 */
export function riskFactorsOf(event: AuditEvent, labels: ReadonlyMap<string, string> = new Map()): string | null {
  const factors = event.data.factors;
  if (!Array.isArray(factors) || factors.length === 0) return null;
  return factors
    .flatMap((f: unknown) => {
      if (!f || typeof f !== 'object') return [];
      const { name, contribution } = f as { name?: unknown; contribution?: unknown };
      if (typeof name !== 'string' || typeof contribution !== 'number') return [];
      return [{ name, contribution }];
    })
    .sort((a, b) => b.contribution - a.contribution)
    .map(({ name, contribution }) => `${labels.get(name) ?? humanize(name)} ${formatPoints(contribution)}`)
    .join(', ');
}

/** "Approvals requested: DBA, Change Advisory Board"; "Approved the DBA approval (now approved)". */
function describeApprovalEvent(event: AuditEvent, teamName: (label: string) => string): string | null {
  if (event.action === 'change.approvals_requested') {
    const list = Array.isArray(event.data.approvals) ? event.data.approvals : [];
    const names = [
      ...new Set(
        list.flatMap((a: unknown) => {
          if (!a || typeof a !== 'object') return [];
          const { approver, rule } = a as { approver?: unknown; rule?: unknown };
          const label = approver && typeof approver === 'object' ? (approver as { label?: unknown }).label : approver;
          return typeof label === 'string' ? [teamName(label)] : typeof rule === 'string' ? [humanize(rule)] : [];
        }),
      ),
    ];
    if (names.length > 0) return `Approvals requested: ${names.join(', ')}`;
    return typeof event.data.cancelled === 'number' && event.data.cancelled > 0 ? 'Open approvals withdrawn' : 'Approvals requested';
  }
  if (event.action === 'change.authorization_reopened') {
    const fields = Array.isArray(event.data.fields) ? event.data.fields.filter((f): f is string => typeof f === 'string') : [];
    return fields.length > 0
      ? `Authorization reopened: ${fields.map((f) => changeFieldLabel(f)).join(', ')} changed after approvals were requested`
      : 'Authorization reopened: the change is no longer what was approved';
  }
  if (event.action === 'approval.vote_voided') {
    const voter = event.data.voter && typeof event.data.voter === 'object' ? str((event.data.voter as { name?: unknown }).name) : null;
    return `${voter ?? 'A'}'s vote no longer counts: ${str(event.data.reason) ?? 'they became a party to the change'}`;
  }
  if (event.action === 'approval.reopened') {
    const approver = str(event.data.approver) ? teamName(str(event.data.approver)!) : 'An';
    return `The ${approver} approval is open again: ${str(event.data.reason) ?? 'a vote it counted no longer counts'}`;
  }
  if (event.action === 'approval.decided') {
    const approver = str(event.data.approver) ? teamName(str(event.data.approver)!) : (str(event.data.rule) ? humanize(str(event.data.rule)!) : 'an');
    const verb = str(event.data.decision) === 'reject' ? 'Rejected' : 'Approved';
    const state = str(event.data.state);
    const outcome = state === 'approved' || state === 'rejected' ? ` (now ${state})` : '';
    return `${verb} the ${approver} approval${outcome}`;
  }
  return null;
}

/** "Moved from Draft to Assess", "Created the change", or a readable form of the raw action. */
export function describeAuditEvent(
  event: AuditEvent,
  policy: Policy | undefined,
  changeType: string,
  /** Names a team approver labelled by its handle (`dba` → "Database Administrators"). */
  teamName: (label: string) => string = (label) => label,
): string {
  const approval = describeApprovalEvent(event, teamName);
  if (approval) return approval;
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
  switch (event.action) {
    case 'change.risk_assessed':
      return describeRiskAssessed(event);
    case 'change.risk_overridden': {
      const level = str(diffOf(event, 'riskLevel').to) ?? str(event.data.level);
      return level ? `Risk overridden to ${riskLevelWords(level)}` : 'Risk overridden';
    }
    case 'change.risk_override_cleared':
      return 'Risk override removed';
  }
  switch (event.action) {
    case 'change.routed': {
      const routed = Object.keys(typeof event.data.changes === 'object' && event.data.changes ? event.data.changes : {});
      return routed.length > 0 ? `Routed by the policy: ${routed.map((f) => changeFieldLabel(f).toLowerCase()).join(' and ')} chosen` : 'Routed by the policy';
    }
    case 'change.evidence_added':
      return str(event.data.kind) === 'approval_record' ? 'Sealed the approval record' : `Added evidence “${str(event.data.title) ?? ''}”`;
    case 'change.incident_linked':
    case 'change.incident_unlinked':
      return str(event.data.incident) ? `${actionLabel(event.action)} (${str(event.data.incident)})` : actionLabel(event.action);
  }
  switch (verb) {
    case 'created':
      return 'Created the change';
    case 'updated':
      return 'Edited the change';
    case 'commented':
      return str(event.data.kind) === 'work_note' ? 'Added a work note' : 'Commented';
    default:
      return actionLabel(event.action);
  }
}

/**
 * A field's value in the history: ids (`changeManagerId`, `ciIds`) by the names the server gave for them (a
 * change as its number), dates in local time, the risk level in words.
 */
export function historyValue(field: string, value: unknown, names: Readonly<Record<string, AuditName>>): string {
  if (field === 'riskLevel' && typeof value === 'string') return riskLevelWords(value);
  if (/(Id|Ids)$/.test(field)) {
    const named = (v: unknown) => (typeof v === 'string' ? (names[v]?.label ?? v) : v);
    return formatAuditValue(Array.isArray(value) ? value.map(named) : named(value));
  }
  return formatAuditValue(value);
}

export function ChangeHistory({ changeId, changeType }: { changeId: string; changeType: string }) {
  const audit = useChangeAudit(changeId);
  const { data: policy } = usePolicy();
  // The risk panel has usually loaded this already; it names the factors of past assessments.
  const risk = useChangeRisk(changeId);
  const factorLabels = new Map((risk.data?.factors ?? []).map((f) => [f.name, f.label]));
  const teams = useTeams(audit.data?.items.some((e) => /approval/.test(e.action)) ?? false);
  const teamNames = new Map((teams.data?.items ?? []).map((t) => [t.handle, t.name]));
  const teamName = (label: string) => teamNames.get(label) ?? label;
  const names = audit.data?.names ?? {};
  const show = (field: string, value: unknown) => historyValue(field, value, names);
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
        const factors = event.action === 'change.risk_assessed' ? riskFactorsOf(event, factorLabels) : null;
        const justification = event.action === 'change.risk_overridden' ? str(event.data.justification) : undefined;
        const voteComment = event.action === 'approval.decided' ? str(event.data.comment) : undefined;
        // Cancelling and rejecting carry their reason; any other move may carry a comment.
        const moveReason = event.action === 'change.transitioned' ? str(event.data.comment) : undefined;
        return (
          <Timeline.Item
            key={event.seq}
            title={
              <Group gap="xs" wrap="wrap">
                <Text size="sm" fw={600}>
                  {describeAuditEvent(event, policy, changeType, teamName)}
                </Text>
                <Code fz="xs" c="dimmed" bg="transparent" p={0}>
                  {event.action}
                </Code>
              </Group>
            }
          >
            <Text size="xs" c="dimmed">
              {formatWhen(event.at)} · {event.actorName}
            </Text>
            {typeof event.data.body === 'string' && (
              <Text size="sm" mt={4} className="cabinet-pre" lineClamp={3}>
                {event.data.body}
              </Text>
            )}
            {justification && (
              <Text size="sm" mt={4} className="cabinet-pre" lineClamp={6}>
                <Text span size="sm" fw={500}>
                  Justification:
                </Text>{' '}
                {justification}
              </Text>
            )}
            {moveReason && (
              <Text size="sm" mt={4} className="cabinet-pre" lineClamp={6} data-testid="move-reason">
                <Text span size="sm" fw={500}>
                  Reason:
                </Text>{' '}
                {moveReason}
              </Text>
            )}
            {voteComment && (
              <Text size="sm" mt={4} className="cabinet-pre" lineClamp={6}>
                <Text span size="sm" fw={500}>
                  Comment:
                </Text>{' '}
                {voteComment}
              </Text>
            )}
            {factors && (
              <Text size="xs" c="dimmed" mt={2}>
                Factors: {factors}
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
