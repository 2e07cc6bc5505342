import { z } from 'zod';
import { AuditEvent } from './change';
import { Instant } from './common';

/**
 * Every action Cabinet records in the audit trail. `audit()` in services/context.ts takes only these, so an
 * action added there is a type error until it is listed here (and the web app's words for it follow the same
 * way). Never remove one: old events keep their action.
 */
export const AUDIT_ACTIONS = [
  'approval.decided',
  'approval.escalated',
  'approval.reopened',
  'approval.vote_voided',
  'board.created',
  'board.deactivated',
  'board.decided',
  'board.updated',
  'meeting.agenda_edited',
  'meeting.attendance',
  'meeting.cancelled',
  'meeting.ended',
  'meeting.scheduled',
  'meeting.started',
  'meeting.updated',
  'calendar_feed.created',
  'calendar_feed.revoked',
  'catalogue_review.decided',
  'catalogue_review.opened',
  'change.approvals_requested',
  'change.authorization_reopened',
  'change.break_glass',
  'change.checks_run',
  'change.converted',
  'change.break_glass_reviewed',
  'change.break_glass_used',
  'change.commented',
  'change.condition_met',
  'change.concern_answered',
  'change.concern_raised',
  'change.conflict_acknowledged',
  'change.created',
  'change.evidence_added',
  'change.freeze_exception_approved',
  'change.freeze_exception_rejected',
  'change.freeze_exception_requested',
  'change.freeze_exception_withdrawn',
  'change.held',
  'change.impact_excluded',
  'change.impact_included',
  'change.incident_linked',
  'change.incident_unlinked',
  'change.problem_linked',
  'change.problem_unlinked',
  'change.released',
  'change.risk_assessed',
  'change.risk_overridden',
  'change.risk_override_cleared',
  'change.reclassified',
  'change.routed',
  'change.transitioned',
  'change.updated',
  'ci.created',
  'ci.relation_added',
  'ci.relation_removed',
  'ci.updated',
  'delegation.created',
  'delegation.revoked',
  'deployment.change_not_completed',
  'deployment.incident_linked',
  'deployment.recorded',
  'deployment.updated',
  'gate.checked',
  'gate.decision_changed',
  'incident.created',
  'incident.imported',
  'incident.updated',
  'integration.freeze_periods_synced',
  'integration.gate_answered',
  'integration.settings_updated',
  'known_error.created',
  'known_error.shared',
  'known_error.updated',
  'outbox.discarded',
  'outbox.retried',
  'policy.applied',
  'problem.created',
  'problem.resolved',
  'problem.updated',
  'review.action_added',
  'review.action_updated',
  'review.completed',
  'review.created',
  'review.overdue',
  'review.updated',
  'saved_view.created',
  'saved_view.deleted',
  'saved_view.updated',
  'service.created',
  'service.updated',
  'sla.breached',
  'subscription.confirmed',
  'subscription.created',
  'subscription.deleted',
  'subscription.updated',
  'team.created',
  'team.updated',
  'template.activated',
  'template.created',
  'template.proposed_from_change',
  'template.review_overdue',
  'template.reinstated',
  'template.suspended',
  'template.updated',
  'template.version_proposed',
  'token.created',
  'token.revoked',
  'unauthorized_change.deployment_added',
  'unauthorized_change.raised',
  'unauthorized_change.reviewed',
  'user.created',
  'user.signed_in',
  'user.updated',
  'webhook.allow_list_updated',
  'webhook.created',
  'webhook.deleted',
  'webhook.updated',
  'window.created',
  'window.deleted',
  'window.updated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The kinds of record an audit event can be about or name in its data. */
export const AUDIT_RECORD_TYPES = ['change', 'incident', 'ci', 'service', 'team', 'user', 'template', 'window', 'token', 'calendar_feed', 'policy', 'problem', 'known_error', 'deployment', 'gate_check', 'unauthorized_change', 'board', 'meeting'] as const;
export type AuditRecordType = (typeof AUDIT_RECORD_TYPES)[number];

/** What an id in the trail stands for today: a change's number and title, a CI's name, a person's name… */
export const AuditName = z.object({
  type: z.enum(AUDIT_RECORD_TYPES),
  /** How people call it: the number of a change or incident, the name of anything else. */
  label: z.string(),
  /** The title of a change or incident; null for other records. */
  title: z.string().nullable(),
}).meta({ id: 'AuditName' });
export type AuditName = z.infer<typeof AuditName>;

/** Ids met in a page of events (their records, actors, and the ids their data names) with what they stand for. */
export const AuditNames = z
  .record(z.string(), AuditName)
  .describe('Every id the events mention (entity, actor, `…Id` and `…Ids` fields of the data) that still names a record, by id');

/** A record the `record` filter matched. */
export const AuditRecordRef = AuditName.extend({ id: z.string() }).meta({ id: 'AuditRecordRef' });
export type AuditRecordRef = z.infer<typeof AuditRecordRef>;

/** A change's history: its events, oldest first, with names for the ids they carry. */
export const AuditHistory = z.object({ items: z.array(AuditEvent), nextCursor: z.null(), names: AuditNames }).meta({ id: 'AuditHistory' });
export type AuditHistory = z.infer<typeof AuditHistory>;

/** A page of a search, newest first. */
export const AuditEventPage = z.object({
  items: z.array(AuditEvent),
  nextCursor: z.string().nullable(),
  names: AuditNames,
  records: z.array(AuditRecordRef).describe('What the `record` filter matched (empty without one, or when nothing has that name)'),
}).meta({ id: 'AuditEventPage' });
export type AuditEventPage = z.infer<typeof AuditEventPage>;

// NOTE: `action=a&action=b` arrives as an array, `action=a,b` as one string; both mean the same.
const actionList = z
  .union([z.string().max(4000), z.array(z.string().max(200)).max(100)])
  .transform((v) =>
    (Array.isArray(v) ? v : [v])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(AUDIT_ACTIONS, { error: 'is not an action the audit trail records' })).max(100));

const notBefore = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from < q.to;
const rangeIssue = { message: 'must be after `from`', path: ['to'] };

export const AuditSearchQuery = z
  .strictObject({
    record: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('Events about this record: a change or incident (number or id), a CI, service, template or window (name or id), a team (handle, name or id), a person (email, name or id), or any id'),
    actor: z.string().trim().min(1).max(200).optional().describe('Events by this person (id, email or name), or this actor id (`system`)'),
    action: actionList.optional().describe('One action or several (repeat the parameter, or separate with commas)'),
    from: Instant.optional().describe('Events at or after this instant'),
    to: Instant.optional().describe('Events before this instant'),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^[1-9][0-9]{0,14}$/, 'pass the nextCursor of the previous page unchanged')
      .optional(),
  })
  .refine(notBefore, rangeIssue);
export type AuditSearchQuery = z.output<typeof AuditSearchQuery>;

export const AuditExportQuery = z
  .strictObject({
    from: Instant.optional().describe('From the first event recorded at or after this instant'),
    to: Instant.optional().describe('To the last event recorded before this instant'),
  })
  .refine(notBefore, rangeIssue);
export type AuditExportQuery = z.output<typeof AuditExportQuery>;

/** GET /api/v1/audit/verify. */
export const AuditVerdict = z.object({
  ok: z.boolean(),
  /** Events whose hash was recomputed and found right (before the broken one, when the chain is broken). */
  checked: z.number().int(),
  /** The last sequence number the chain's head records. */
  headSeq: z.number().int(),
  lastSeq: z.number().int().optional(),
  /** The hash of the last event: keep it to prove later that nothing before it was rewritten. */
  lastHash: z.string().optional(),
  brokenSeq: z.number().int().optional(),
  reason: z.string().optional(),
}).meta({ id: 'AuditVerdict' });
export type AuditVerdict = z.infer<typeof AuditVerdict>;
