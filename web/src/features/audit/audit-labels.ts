import type { AuditAction, AuditName, AuditRecordType } from '../../../../src/contracts/audit';
import { displayTimeZone, formatDateTime, humanize } from '../../shared/format';

export type { AuditAction, AuditName, AuditRecordType };

/**
 * Every action of the trail in words, grouped as the action filter shows them. Typed by the contract, so an
 * action the server starts recording is a type error here until it has words.
 */
export const ACTION_LABELS: Record<AuditAction, string> = {
  'change.created': 'Filed a change',
  'change.updated': 'Edited a change',
  'change.transitioned': 'Moved a change to another state',
  'change.commented': 'Commented on a change',
  'change.concern_raised': 'Raised a concern about a change',
  'change.concern_answered': 'Answered a concern about a change',
  'change.routed': 'Routed a change (team, change manager)',
  'change.risk_assessed': 'Assessed the risk',
  'change.risk_overridden': 'Overrode the risk level',
  'change.risk_override_cleared': 'Removed a risk override',
  'change.reclassified': 'Reclassified a change (it should have been of another type)',
  'change.evidence_added': 'Added evidence',
  'change.incident_linked': 'Linked an incident',
  'change.incident_unlinked': 'Unlinked an incident',
  'change.conflict_acknowledged': 'Accepted a schedule conflict',
  'change.impact_excluded': 'Left a CI out of the impact',
  'change.impact_included': 'Put a CI back into the impact',
  'change.held': 'Held a change until a window',
  'change.released': 'Released a held change',
  'change.freeze_exception_requested': 'Asked for a freeze exception',
  'change.freeze_exception_approved': 'Granted a freeze exception',
  'change.freeze_exception_rejected': 'Refused a freeze exception',
  'change.freeze_exception_withdrawn': 'Withdrew a freeze exception',
  'change.break_glass': 'Broke glass',
  'change.checks_run': 'Ran the catalogue checks again',
  'change.converted': 'Filed as a normal change instead of standard',
  'change.break_glass_used': 'Bypassed controls with break-glass',
  'change.break_glass_reviewed': 'Reviewed a break-glass',
  'change.approvals_requested': 'Requested approvals',
  'change.authorization_reopened': 'Reopened authorization',
  'approval.decided': 'Approved or rejected',
  'approval.escalated': 'Escalated an overdue approval',
  'approval.reopened': 'Reopened an approval',
  'approval.vote_voided': 'Voided a vote',
  'sla.breached': 'Missed an SLA target',
  'subscription.confirmed': 'Confirmed an external address’s subscription',
  'subscription.created': 'Followed a service, CI or team',
  'subscription.deleted': 'Stopped following',
  'subscription.updated': 'Changed what they follow',
  'incident.created': 'Reported an incident',
  'incident.updated': 'Edited an incident',
  'incident.imported': 'Imported incidents',
  'problem.created': 'Opened a problem',
  'problem.updated': 'Edited a problem',
  'problem.resolved': 'Resolved a problem (its fix change closed)',
  'integration.settings_updated': 'Changed the settings of an integration',
  'integration.gate_answered': 'Answered a pipeline waiting on the gate (GitHub or GitLab)',
  'integration.freeze_periods_synced': 'Pushed the freezes to GitLab as freeze periods',
  'known_error.created': 'Recorded a known error',
  'known_error.updated': 'Edited a known error',
  'known_error.shared': 'Shared a workaround',
  'change.problem_linked': 'Linked a change to a problem',
  'change.problem_unlinked': 'Unlinked a change from a problem',
  'ci.created': 'Created a CI',
  'ci.updated': 'Edited a CI',
  'ci.relation_added': 'Related two CIs',
  'ci.relation_removed': 'Removed a CI relation',
  'service.created': 'Created a service',
  'service.updated': 'Edited a service',
  'template.activated': 'Activated a catalogue entry or its proposed version',
  'template.created': 'Created a template',
  'template.reinstated': 'Reinstated a catalogue entry',
  'template.suspended': 'Suspended a catalogue entry',
  'template.updated': 'Edited a template',
  'template.version_proposed': 'Proposed a new version of a catalogue entry',
  'template.proposed_from_change': 'Proposed a catalogue entry from a change',
  'template.review_overdue': 'Suspended a catalogue entry whose review was overdue',
  'catalogue_review.opened': 'Opened the periodic review of a catalogue entry',
  'catalogue_review.decided': 'Decided the periodic review of a catalogue entry',
  'window.created': 'Created a window',
  'window.updated': 'Edited a window',
  'window.deleted': 'Deleted a window',
  'policy.applied': 'Applied a policy version',
  'outbox.retried': 'Retried a dead letter',
  'outbox.discarded': 'Discarded a dead letter',
  'webhook.created': 'Added a webhook',
  'webhook.updated': 'Changed a webhook',
  'webhook.deleted': 'Deleted a webhook',
  'webhook.allow_list_updated': 'Changed the webhook allow-list',
  'user.created': 'Created a person',
  'user.updated': 'Edited a person',
  'user.signed_in': 'Signed in',
  'team.created': 'Created a team',
  'team.updated': 'Edited a team',
  'token.created': 'Created an API token',
  'token.revoked': 'Revoked an API token',
  'delegation.created': 'Delegated approvals',
  'delegation.revoked': 'Revoked a delegation',
  'deployment.recorded': 'Recorded a deployment',
  'deployment.updated': 'Updated a deployment (a later report of it)',
  'deployment.change_not_completed': 'A finished deployment could not move its change on',
  'deployment.incident_linked': 'Linked an incident to a deployment',
  'unauthorized_change.raised': 'A production deployment had no authorised change',
  'unauthorized_change.deployment_added': 'Another deployment joined an unauthorized change',
  'unauthorized_change.reviewed': 'Reviewed an unauthorized change',
  'gate.checked': 'Asked the deployment gate',
  'gate.decision_changed': 'The deployment gate changed its answer',
  'board.created': 'Set up a change advisory board',
  'board.updated': 'Changed a change advisory board',
  'board.deactivated': 'Deactivated a change advisory board',
  'board.decided': 'Recorded a board decision',
  'change.condition_met': 'Marked a condition of approval met',
  'meeting.scheduled': 'Scheduled a board meeting',
  'meeting.updated': 'Changed a board meeting',
  'meeting.cancelled': 'Cancelled a board meeting',
  'meeting.started': 'Started a board meeting',
  'meeting.attendance': 'Recorded attendance at a board meeting',
  'meeting.agenda_edited': 'Changed a meeting agenda',
  'meeting.ended': 'Ended a board meeting (minutes written)',
  'calendar_feed.created': 'Created a calendar feed',
  'calendar_feed.revoked': 'Revoked a calendar feed',
  'review.created': 'Opened a post-implementation review',
  'review.updated': 'Wrote in a post-implementation review',
  'review.action_added': 'Added a review action',
  'review.action_updated': 'Changed a review action',
  'review.completed': 'Completed a post-implementation review',
  'review.overdue': 'A post-implementation review fell overdue',
  'saved_view.created': 'Saved a list view',
  'saved_view.updated': 'Changed a saved view',
  'saved_view.deleted': 'Deleted a saved view',
};

const GROUPS: [string, (action: string) => boolean][] = [
  ['Changes', (a) => a.startsWith('change.') && !/approval|authorization|break_glass|freeze/.test(a)],
  [
    'Approvals and controls',
    (a) =>
      a.startsWith('approval.') || /approval|authorization|break_glass|freeze/.test(a) || a.startsWith('sla.') || a.startsWith('board.'),
  ],
  ['CMDB and catalogue', (a) => /^(ci|service|template|catalogue_review)\./.test(a)],
  ['Incidents and problems', (a) => /^(incident|problem|known_error)\./.test(a)],
  ['Schedule and policy', (a) => /^(window|policy|outbox)\./.test(a)],
  ['People and access', () => true],
];

/** The action filter's options: grouped, in the order of ACTION_LABELS within each group. */
export function actionOptions(): { group: string; items: { value: string; label: string }[] }[] {
  const groups = new Map<string, { value: string; label: string }[]>(GROUPS.map(([g]) => [g, []]));
  for (const [value, label] of Object.entries(ACTION_LABELS)) {
    const group = GROUPS.find(([, match]) => match(value))![0];
    groups.get(group)!.push({ value, label });
  }
  return [...groups].map(([group, items]) => ({ group, items }));
}

/** The words for an action; an action of an older version that this app does not know reads as its name. */
export function actionLabel(action: string): string {
  return ACTION_LABELS[action as AuditAction] ?? humanize(action.replace('.', ' '));
}

export const RECORD_TYPE_LABELS: Record<AuditRecordType, string> = {
  change: 'Change',
  incident: 'Incident',
  ci: 'CI',
  service: 'Service',
  team: 'Team',
  user: 'Person',
  template: 'Template',
  window: 'Window',
  token: 'API token',
  calendar_feed: 'Calendar feed',
  policy: 'Policy',
  problem: 'Problem',
  known_error: 'Known error',
  deployment: 'Deployment',
  gate_check: 'Gate check',
  unauthorized_change: 'Unauthorized change',
  board: 'Board',
  meeting: 'Meeting',
};

/** The record kind of an entity type as the trail stores it (`incident_import` → "Incident import"). */
export function recordTypeLabel(type: string): string {
  return RECORD_TYPE_LABELS[type as AuditRecordType] ?? humanize(type);
}

/** Where the app shows a record, for those with a page an auditor may open; null for the others. */
export function recordPath(type: string, id: string, name?: AuditName): string | null {
  switch (type) {
    case 'change':
      return `/changes/${encodeURIComponent(name?.label ?? id)}`;
    case 'incident':
      return `/incidents/${encodeURIComponent(name?.label ?? id)}`;
    case 'problem':
      return `/problems/${encodeURIComponent(name?.label ?? id)}`;
    case 'known_error':
      return `/known-errors/${encodeURIComponent(name?.label ?? id)}`;
    case 'ci':
      return `/cmdb/cis/${encodeURIComponent(id)}`;
    case 'service':
      return `/cmdb/services/${encodeURIComponent(id)}`;
    case 'template':
      return `/templates/${encodeURIComponent(id)}`;
    case 'window':
      return name ? '/schedule/windows' : null;
    case 'policy':
      return '/policy';
    default:
      return null;
  }
}

/** `2026-12-06T07:07:41.707Z` → "6 Dec 2026, 08:07:41 CET": an audit time says its zone (the person's, shared/format.ts). */
export function formatWhen(iso: string | null | undefined): string {
  return formatDateTime(iso, { seconds: true });
}

/** The zone times are shown in, for "times are in Europe/Amsterdam": the person's preference or the browser's. */
export const browserTimeZone = displayTimeZone;
