import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/chain';
import { FIELD_LABELS } from '../change/fields';
import { PolicyError } from '../errors';

/** The material fields a policy may name (`approvals.content.fields`); `riskLevel` is the level in force. */
export const CONTENT_FIELDS = [
  'type',
  'title',
  'description',
  'justification',
  'ciIds',
  'plannedStart',
  'plannedEnd',
  'implementationPlan',
  'testPlan',
  'backoutPlan',
  'backoutTested',
  'ownerId',
  'implementerId',
  'assignmentTeamId',
  'impact',
  'urgency',
  'priority',
  'riskLevel',
] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];

/** The parts of a change an approval can be given for. */
export interface ApprovableContent {
  type: string;
  title: string;
  description: string;
  justification: string;
  ciIds: readonly string[];
  plannedStart: string | null;
  plannedEnd: string | null;
  implementationPlan: string;
  testPlan: string;
  backoutPlan: string;
  backoutTested: boolean;
  ownerId: string | null;
  implementerId: string | null;
  assignmentTeamId: string | null;
  impact: string;
  urgency: string;
  priority: number;
  /** The risk in force (a change manager's override, else the scored level). */
  risk: { level: string } | null;
}

/** The value of one material field, normalised so that equal content always reads equal (CIs as a set). */
export function contentValue(change: ApprovableContent, field: ContentField): unknown {
  switch (field) {
    case 'riskLevel':
      return change.risk?.level ?? null;
    case 'ciIds':
      return [...new Set(change.ciIds)].sort();
    case 'plannedStart':
    case 'plannedEnd': {
      // The same instant written two ways is the same content.
      const value = change[field];
      return value === null ? null : new Date(value).toISOString();
    }
    default:
      return change[field] ?? null;
  }
}

/**
 * The fingerprint of a change's material content: sha256 over the canonical JSON of the named fields. Two
 * changes with the same values of those fields have the same fingerprint whatever else differs.
 */
export function contentFingerprint(change: ApprovableContent, fields: readonly ContentField[]): string {
  const content = Object.fromEntries([...new Set(fields)].sort().map((f) => [f, contentValue(change, f)]));
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** The material fields whose values differ between two versions of a change, in the policy's order. */
export function materialChanges(before: ApprovableContent, after: ApprovableContent, fields: readonly ContentField[]): ContentField[] {
  return fields.filter((f) => canonicalJson(contentValue(before, f)) !== canonicalJson(contentValue(after, f)));
}

/** What the policy says an approval is for: its material fields, and the states that lock them. */
export interface ContentPolicy {
  fields: readonly ContentField[];
  lockedIn: readonly string[];
}

/** The material fields that may no longer change in `state`: all of them where the policy locks it, else none. */
export function lockedFields(content: ContentPolicy, state: string): ContentField[] {
  return content.lockedIn.includes(state) ? [...content.fields] : [];
}

/**
 * Refuses (422 `locked_for_approval`, `details.fields`) a write that changes material fields the policy locks in
 * the change's state: the approvals were given for them and the work is under way. `why` replaces the message.
 */
export function assertUnlocked(content: ContentPolicy, change: { number: string; state: string }, changed: readonly ContentField[], why?: string): void {
  const locked = lockedFields(content, change.state);
  const refused = changed.filter((f) => locked.includes(f));
  if (refused.length === 0) return;
  throw new PolicyError(
    'locked_for_approval',
    why ?? `${change.number} is ${change.state}: its approvals were given for its content, which can no longer change. These fields are locked: ${refused.map((f) => FIELD_LABELS[f] ?? f).join(', ')}.`,
    { state: change.state, fields: refused },
  );
}
