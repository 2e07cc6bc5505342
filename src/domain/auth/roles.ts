import { ForbiddenError } from '../errors';
import type { Actor } from '../actor';

export const ROLES = [
  'admin',
  'change_manager',
  'requester',
  'implementer',
  'approver',
  'cab_member',
  'release_manager',
  'auditor',
  'stakeholder',
  // A machine account for CI/CD pipelines: asks the gate, records deployments, files changes, reads them (docs/pipelines.md).
  'pipeline',
] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each permission needs. Permissions are checked in services, so the HTTP layer, the CLI and the
 * worker all obey the same rules. NOTE: admin holds every permission; that is a security decision
 * recorded in docs/security.md, and segregation-of-duties rules (later) still apply to admins.
 */
const PERMISSIONS = {
  // NOTE (security): a stakeholder reads only the changes on what they follow or own (readScope in
  // services/subscription.service.ts, applied by every read of changes and by http/change-scope.ts); every
  // other role reads all changes.
  'change.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor', 'stakeholder', 'pipeline'],
  'change.create': ['change_manager', 'requester', 'implementer', 'release_manager', 'pipeline'],
  'change.update': ['change_manager', 'requester', 'implementer', 'release_manager', 'pipeline'],
  'change.override_risk': ['change_manager'],
  'change.review_break_glass': ['change_manager'],
  // Writing in any change's post-implementation review; the change's owner, implementer and team may write in
  // its own whatever their role (checked per change in services/review.service.ts, docs/security.md).
  'review.write_any': ['change_manager'],
  // Accepting a schedule conflict (two changes at once, outside a maintenance window) is the change manager's call.
  'change.acknowledge_conflict': ['change_manager'],
  // Judging that a change was of another type than it was filed as (misclassification) is the change office's call.
  'change.reclassify': ['change_manager'],
  // NOTE: auditors read everything and decide nothing; who may decide one approval is the policy's approver.
  'approval.decide': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager'],
  'change.comment': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'stakeholder'],
  // Raising a concern about a change, or saying after it that it affected you: everyone who comments on changes.
  'change.raise_concern': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'stakeholder'],
  // Answering a concern is the change owner's duty (checked per change); change managers may answer any.
  'change.answer_concern': ['change_manager'],
  // Following services, CIs and teams, and one's own subscriptions: everyone signed in.
  'subscription.manage': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor', 'stakeholder'],
  // Other people's and teams' subscriptions.
  'subscription.manage_all': [],
  // Adding an external address (a distribution list) to the audience, and managing those: the change managers
  // (docs/communication.md#external-addresses); the address must confirm before it gets anything.
  'subscription.manage_external': ['change_manager'],
  'cmdb.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor', 'stakeholder', 'pipeline'],
  'cmdb.write': ['change_manager'],
  'team.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor', 'stakeholder'],
  'team.write': ['change_manager'],
  'user.read': ['change_manager', 'auditor'],
  'user.write': [],
  'token.manage_all': [],
  'audit.read': ['change_manager', 'auditor'],
  // The SLA breach report: who manages and oversees the process.
  'sla.read': ['change_manager', 'cab_member', 'release_manager', 'auditor'],
  'policy.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor', 'stakeholder'],
  'policy.write': [],
  // Maintenance windows and freezes shape everyone's schedule: the change managers keep them.
  'window.write': ['change_manager'],
  // Templates are what requesters start from: the change managers keep the catalogue.
  'template.write': ['change_manager'],
  // Anyone who works on changes may report an incident and tie it to the change that caused it.
  'incident.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor'],
  'incident.write': ['change_manager', 'requester', 'implementer', 'release_manager'],
  'incident.import': ['change_manager'],
  // Problems and known errors (docs/learning.md): read by those who read incidents; opened by those who file them;
  // a change manager edits any, the owner and the team of a problem edit theirs (checked per problem).
  'problem.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor'],
  'problem.create': ['change_manager', 'requester', 'implementer', 'release_manager'],
  'problem.manage': ['change_manager'],
  // Dead letters: retrying or discarding notices nobody received is the operators' job.
  'outbox.manage': [],
  // Outbound webhooks send Cabinet's events outside it and make the server connect where they say: admins only.
  'webhook.manage': [],
  // The GitHub App, GitLab and Argo CD settings (docs/integrations.md): their secrets are write-only.
  'integration.manage': ['change_manager'],
  // Asking the deployment gate (docs/pipelines.md): pipelines' machine accounts, and the people who deploy by hand.
  // NOTE (security): a requester cannot ask: the gate may open changes and start them.
  'gate.check': ['pipeline', 'change_manager', 'release_manager', 'implementer'],
  // Reading gate checks: everyone who reads every change (not stakeholders, who read only what they follow).
  'gate.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor', 'pipeline'],
  // Recording deployments (docs/deployments.md): pipelines, and the people who deploy.
  'deployment.write': ['pipeline', 'change_manager', 'release_manager', 'implementer'],
  // Reading deployments, unauthorized changes and DORA metrics: everyone who reads changes.
  'deployment.read': ['change_manager', 'requester', 'implementer', 'approver', 'cab_member', 'release_manager', 'auditor', 'stakeholder', 'pipeline'],
  // Reviewing an unauthorized change: change managers; the owner team of its service reviews its own (checked per record).
  'unauthorized.review': ['change_manager'],
  // Change advisory boards (docs/cab.md#boards): the change managers set them up; those who sit on them, decide
  // beside them or oversee them read them.
  'board.manage': ['change_manager'],
  'board.read': ['change_manager', 'cab_member', 'approver', 'auditor', 'release_manager'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Every permission, for listing what an actor holds. */
export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/** Whether the actor holds the permission through any role (scoped roles count everywhere for now). */
export function hasPermission(actor: Actor, permission: Permission): boolean {
  const allowed: readonly Role[] = PERMISSIONS[permission];
  return actor.roles.some((g) => g.role === 'admin' || allowed.includes(g.role));
}

/** Throws `ForbiddenError` unless the actor holds the permission. */
export function assertPermission(actor: Actor, permission: Permission): void {
  if (!hasPermission(actor, permission)) {
    throw new ForbiddenError(`You need the permission "${permission}" to do this.`, 'forbidden', { permission });
  }
}

export function hasRole(actor: Pick<Actor, 'roles'>, role: Role): boolean {
  return actor.roles.some((g) => g.role === role);
}
