import type { Condition } from '../contracts/meetings';
import type { Actor } from '../domain/actor';
import { hasRole } from '../domain/auth/roles';
import { PolicyError } from '../domain/errors';
import type { ChangeRecord, ConditionRecord, Repositories } from '../db/repositories';
import { evaluateStoredCondition } from '../policy/cel';
import type { ActivePolicy } from './policy.service';
import type { RiskService } from './risk.service';

/** The state a change enters when it starts: conditions of its board approval must be met before it. */
export const CONDITIONS_CHECKED_STATE = 'implement';

/** A condition as judged now: a check's CEL holds or not; a person's or a change manager's is met once marked. */
export interface JudgedCondition extends ConditionRecord {
  holds: boolean | null;
  met: boolean;
}

/**
 * The conditions of approvals with conditions (docs/cab.md#decisions): judged on the change as it is now, and
 * enforced where every path to `implement` passes (change.service.ts `transition`, the deployment gate).
 */
export function createConditionChecks(deps: { risk: Pick<RiskService, 'approvalContextOf'> }) {
  /** Every condition of the change, each judged now (checks evaluated over the change's context). */
  async function judged(repos: Repositories, change: ChangeRecord, active: ActivePolicy): Promise<JudgedCondition[]> {
    const rows = await repos.meetings.conditions(change.id);
    if (rows.length === 0) return [];
    const needsContext = rows.some((c) => c.verifierKind === 'check' && c.state === 'open');
    const context = needsContext ? await deps.risk.approvalContextOf(repos, change, active) : {};
    return rows.map((c) => {
      if (c.verifierKind !== 'check') return { ...c, holds: null, met: c.state === 'met' };
      if (c.state === 'met') return { ...c, holds: true, met: true };
      const holds = evaluateCheck(c.verifierRef ?? 'false', context);
      return { ...c, holds, met: holds };
    });
  }

  return {
    judged,

    /** The conditions not met yet. */
    async unmet(repos: Repositories, change: ChangeRecord, active: ActivePolicy): Promise<JudgedCondition[]> {
      return (await judged(repos, change, active)).filter((c) => !c.met);
    },

    /** Refuses a move to `implement` while a condition is unmet: 422 `conditions_unmet`, listing each. */
    async beforeImplement(repos: Repositories, change: ChangeRecord, to: string, active: ActivePolicy): Promise<void> {
      if (to !== CONDITIONS_CHECKED_STATE) return;
      const open = (await judged(repos, change, active)).filter((c) => !c.met);
      if (open.length === 0) return;
      throw new PolicyError(
        'conditions_unmet',
        `${change.number} cannot start until the conditions of its approval are met: ${open.map((c) => `“${c.text}”`).join(', ')}.`,
        { from: change.state, to, conditions: open.map((c) => ({ id: c.id, text: c.text, dueAt: c.dueAt, verifier: c.verifierKind, check: c.verifierKind === 'check' ? c.verifierRef : null })) },
      );
    },
  };
}
export type ConditionChecks = ReturnType<typeof createConditionChecks>;

/** Whether a condition's CEL check holds over the change's context; one that no longer compiles or fails does not. */
export function evaluateCheck(source: string, context: Record<string, unknown>): boolean {
  return evaluateStoredCondition(source, context, false);
}

/** Who may mark a condition met: its verifier person, or for the others a change manager (never a check: it holds or not). */
export function mayVerify(actor: Pick<Actor, 'userId' | 'roles'>, c: Pick<ConditionRecord, 'verifierKind' | 'verifierRef' | 'state'>): boolean {
  if (c.state !== 'open' || c.verifierKind === 'check') return false;
  if (c.verifierKind === 'person') return c.verifierRef === actor.userId;
  return hasRole(actor, 'change_manager') || hasRole(actor, 'admin');
}

/** A condition as the API shows it. */
export function presentCondition(actor: Pick<Actor, 'userId' | 'roles'>, c: JudgedCondition, names: ReadonlyMap<string, string>, now: string): Condition {
  return {
    id: c.id,
    changeId: c.changeId,
    decisionId: c.decisionId,
    text: c.text,
    dueAt: c.dueAt,
    verifier:
      c.verifierKind === 'person'
        ? { kind: 'person', userId: c.verifierRef ?? '', name: names.get(c.verifierRef ?? '') ?? c.verifierRef ?? '' }
        : c.verifierKind === 'check'
          ? { kind: 'check', check: c.verifierRef ?? '' }
          : { kind: 'change_manager' },
    state: c.met ? 'met' : 'open',
    overdue: !c.met && c.dueAt !== null && c.dueAt < now,
    holds: c.holds,
    metAt: c.metAt,
    metBy: c.metBy ? { userId: c.metBy, name: names.get(c.metBy) ?? c.metBy } : null,
    note: c.note,
    createdAt: c.createdAt,
    canVerify: mayVerify(actor, c),
  };
}
