import { Badge, List, Text } from '@mantine/core';
import { formatDateTime, withLocalTimes } from '../../shared/format';
import { RouterAnchor } from '../../shared/router-link';
import type { GateReasonCode } from '../../../../src/contracts/gate';
import type { GateCheck, GateDecision, GateReason, GateReasonRef, GateSource } from './gate-api';

export const DECISION_LABELS: Record<GateDecision, string> = { allow: 'Allowed', deny: 'Denied', pending: 'Waiting' };
const DECISION_COLORS: Record<GateDecision, string> = { allow: 'green', deny: 'red', pending: 'orange' };

export const SOURCE_LABELS: Record<GateSource, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  jenkins: 'Jenkins',
  argocd: 'Argo CD',
  generic: 'Other (CLI, API)',
};

/** The gate's stable reason codes in words; a code the app does not know yet shows as the server wrote it. */
export const REASON_LABELS: Record<GateReasonCode, string> = {
  allowed: 'Allowed',
  no_change: 'No change covers it',
  change_not_authorized: 'Change not authorised',
  change_closed: 'Change closed',
  change_not_covering: 'Change does not cover it',
  outside_change_window: 'Outside the change window',
  freeze: 'Freeze',
  conflict: 'Conflict',
  template_suspended: 'Catalogue entry suspended',
  template_not_eligible: 'Catalogue entry does not apply',
  checks_failed: 'Checks failed',
  conditions_unmet: 'Conditions unmet',
  deadline_passed: 'Deadline passed',
  change_not_started: 'Change not started',
};

export const reasonLabel = (code: string) => REASON_LABELS[code as GateReasonCode] ?? code.replace(/_/g, ' ');

export function DecisionBadge({ decision, size = 'sm' }: { decision: GateDecision; size?: 'sm' | 'md' | 'lg' }) {
  return (
    <Badge color={DECISION_COLORS[decision]} variant="light" radius="sm" tt="none" size={size} data-decision={decision}>
      {DECISION_LABELS[decision]}
    </Badge>
  );
}

/** Where the record behind a reason lives in the app, if it has a page. */
export function refHref(ref: GateReasonRef, change: GateCheck['change']): string | null {
  switch (ref.type) {
    case 'change':
      return `/changes/${encodeURIComponent(ref.label ?? ref.id)}`;
    case 'approval':
      return change ? `/changes/${change.number}?tab=approvals` : '/approvals';
    case 'conflict':
      return change ? `/changes/${change.number}?tab=schedule` : null;
    case 'freeze':
    case 'window':
      return '/schedule/windows';
    case 'template':
      return `/templates/${encodeURIComponent(ref.id)}`;
    case 'check':
      return change ? `/changes/${change.number}?tab=evidence` : null;
    default:
      return null;
  }
}

const REF_NOUNS: Record<GateReasonRef['type'], string> = {
  change: 'Change',
  approval: 'Approval',
  window: 'Window',
  freeze: 'Freeze',
  conflict: 'Conflict',
  template: 'Catalogue entry',
  check: 'Check',
  condition: 'Condition',
};

/** The record a reason names, as a link where it has a page, with when it ends. */
export function ReasonRef({ reason, change }: { reason: GateReason; change: GateCheck['change'] }) {
  const ref = reason.ref;
  if (!ref) return null;
  const href = refHref(ref, change);
  const name = ref.label ?? ref.id;
  return (
    <Text span size="sm" c="dimmed">
      {REF_NOUNS[ref.type]}:{' '}
      {href ? (
        <RouterAnchor to={href} size="sm">
          {name}
        </RouterAnchor>
      ) : (
        name
      )}
      {ref.until ? `, until ${formatDateTime(ref.until)}` : ''}
    </Text>
  );
}

/** The reasons of a check, each in words with the record behind it. */
export function GateReasons({ check, compact = false }: { check: GateCheck; compact?: boolean }) {
  if (check.reasons.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {check.decision === 'allow' ? 'Nothing stands in the way.' : 'No reason given.'}
      </Text>
    );
  }
  if (compact) {
    return (
      <Text size="sm" lineClamp={2}>
        {check.reasons.map((r) => withLocalTimes(r.message)).join(' ')}
      </Text>
    );
  }
  return (
    <List size="sm" spacing={4} aria-label="Reasons">
      {check.reasons.map((r, i) => (
        <List.Item key={`${r.code}-${i}`} data-code={r.code}>
          <Text span size="sm" fw={600}>
            {reasonLabel(r.code)}:
          </Text>{' '}
          <Text span size="sm">
            {withLocalTimes(r.message)}
          </Text>{' '}
          <ReasonRef reason={r} change={check.change} />
        </List.Item>
      ))}
    </List>
  );
}

/** "github · acme/payments @ main" for a list cell. */
export function pipelineWords(check: Pick<GateCheck, 'source' | 'repository' | 'ref'>): string {
  return `${SOURCE_LABELS[check.source] ?? check.source} · ${check.repository}${check.ref ? ` @ ${check.ref}` : ''}`;
}
