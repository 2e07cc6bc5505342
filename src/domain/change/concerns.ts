import type { Actor } from '../actor';
import { hasPermission } from '../auth/roles';
/**
 * Concerns raised about a change by the people it affects. When the policy says so
 * (`schedule.concernsBlockImplement`), a change cannot start its implementation while one waits for an answer.
 */

/** The state whose entry open concerns can refuse. */
export const CONCERN_CHECKED_STATE = 'implement';

/** The open concerns that refuse a move to `to` under the policy's setting (none when nothing refuses it). */
export function concernsBlocking<C extends { answeredAt: string | null }>(blockImplement: boolean, to: string, concerns: readonly C[]): C[] {
  if (!blockImplement || to !== CONCERN_CHECKED_STATE) return [];
  return concerns.filter((c) => c.answeredAt === null);
}

/** Counts of a change's concerns: still open, and answered. */
export function concernCounts(concerns: readonly { answeredAt: string | null }[]): { open: number; answered: number } {
  const open = concerns.filter((c) => c.answeredAt === null).length;
  return { open, answered: concerns.length - open };
}

/** Whether the person answers a change's concerns: its owner, or someone whose role answers any (change managers). */
export function mayAnswerConcerns(actor: Actor, change: { ownerId: string | null }): boolean {
  return change.ownerId === actor.userId || hasPermission(actor, 'change.answer_concern');
}
