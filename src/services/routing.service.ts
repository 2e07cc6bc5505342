import type { Routing } from '../contracts/change';
import type { Actor } from '../domain/actor';
import type { ChangeRecord, Repositories } from '../db/repositories';
import { evaluateCondition } from '../policy/evaluate';
import type { CompiledRoutingRule } from '../policy/loader';
import { audit, type ServiceDeps } from './context';
import { finalStatesOf, type ActivePolicy } from './policy.service';
import type { RiskService } from './risk.service';

export interface RoutingServiceDeps extends ServiceDeps {
  risk: RiskService;
}

type TeamTarget = NonNullable<CompiledRoutingRule['team']>;
type ManagerTarget = NonNullable<CompiledRoutingRule['changeManager']>;

const historyReaders = new WeakMap<ActivePolicy['bundle'], boolean>();

/**
 * Whether any routing rule of the policy may read the change's history (`history.…`): when none does, routing's
 * context is built without asking the database about the past (issue 10: every filing is routed). NOTE: CEL
 * reaches a variable only by its name, so a rule whose text never names `history` cannot read it (a string
 * that contains the word only makes this answer a cautious yes).
 */
function readsHistory(active: ActivePolicy): boolean {
  let reads = historyReaders.get(active.bundle);
  if (reads === undefined) {
    reads = active.bundle.routing.rules.some((r) => /\bhistory\b/.test(r.when.source));
    historyReaders.set(active.bundle, reads);
  }
  return reads;
}

/**
 * Routing: fills a change's assignment team and change manager from the policy's routing rules, and keeps
 * them current while they are routing's choice. A value set by hand is the person's, and stays.
 */
export function createRoutingService(deps: RoutingServiceDeps) {
  /** A team by id or handle, from the list of teams the change's context already read (memo.ts). */
  const teamNamed = async (repos: Repositories, ref: string) => (await repos.accounts.listTeams()).find((t) => t.id === ref || t.handle === ref) ?? null;

  /** The team a target names for this change: by handle, or the owner of its first owned service or CI. */
  async function teamFor(repos: Repositories, target: TeamTarget, change: ChangeRecord): Promise<string | null> {
    if (target.kind === 'team') return (await teamNamed(repos, target.ref))?.id ?? null;
    const byId = new Map((await repos.cmdb.findCisByIds(change.ciIds)).map((c) => [c.id, c]));
    const cis = change.ciIds.map((id) => byId.get(id)).filter((c) => c !== undefined);
    if (target.ref === 'ci_owner') return cis.find((c) => c.ownerTeamId !== null)?.ownerTeamId ?? null;
    const serviceIds = [...new Set(cis.map((c) => c.serviceId).filter((id): id is string => id !== null))];
    const services = new Map((await repos.cmdb.findServicesByIds(serviceIds)).map((s) => [s.id, s]));
    return serviceIds.map((id) => services.get(id)?.ownerTeamId ?? null).find((id) => id !== null) ?? null;
  }

  /** The user a target names: by email, or the team member (not the requester) managing the fewest open changes. */
  async function managerFor(repos: Repositories, target: ManagerTarget, change: ChangeRecord, active: ActivePolicy): Promise<string | null> {
    if (target.kind === 'user') {
      const user = await repos.accounts.findUserByEmail(target.ref);
      return user && !user.disabled ? user.id : null;
    }
    const team = await teamNamed(repos, target.ref);
    if (!team) return null;
    const members = (await repos.accounts.eligibleUserIds('team', team.id)).filter((id) => id !== change.requesterId).sort();
    const load = await repos.changes.openCountsByManager(members, finalStatesOf(active));
    let best: string | null = null;
    for (const id of members) if (best === null || (load.get(id) ?? 0) < (load.get(best) ?? 0)) best = id;
    return best;
  }

  /**
   * What routing makes of the change, without writing it: the change as routed, whether anything differs from
   * what is stored, and the `change.routed` audit data when the team or manager moved. `fresh`: the change is
   * being filed in this transaction (risk.contextOf).
   */
  async function decide(
    repos: Repositories,
    change: ChangeRecord,
    active: ActivePolicy,
    manual: { team?: boolean; changeManager?: boolean } = {},
    opts: { fresh?: boolean } = {},
  ): Promise<{ change: ChangeRecord; unchanged: boolean; moved: Record<string, unknown> | null }> {
    const previous = change.routing;
    const hand = { team: Boolean(manual.team || previous?.manual.team), changeManager: Boolean(manual.changeManager || previous?.manual.changeManager) };
    const teamIsRouted = !hand.team && (change.assignmentTeamId === null || (previous?.team?.value ?? null) === change.assignmentTeamId);
    const managerIsRouted = !hand.changeManager && (change.changeManagerId === null || (previous?.changeManager?.value ?? null) === change.changeManagerId);
    const next: Routing = { policyVersion: active.number, team: null, changeManager: null, manual: hand };
    let { assignmentTeamId, changeManagerId } = change;

    if (teamIsRouted || managerIsRouted) {
      const context = await deps.risk.contextOf(repos, change, active, { ...opts, history: readsHistory(active) });
      // Each target takes the first rule that names it, holds, and resolves to someone; an owner field on a
      // change without an owned service falls through to the next rule.
      for (const rule of active.bundle.routing.rules) {
        const wantsTeam = teamIsRouted && next.team === null && rule.team !== null;
        const wantsManager = managerIsRouted && next.changeManager === null && rule.changeManager !== null;
        if (!wantsTeam && !wantsManager) continue;
        // NOTE: fails open: a rule that cannot be evaluated routes nothing (the change stays unassigned).
        if (!evaluateCondition(rule.when, context, false).holds) continue;
        const teamId = wantsTeam ? await teamFor(repos, rule.team!, change) : null;
        if (teamId) next.team = { rule: rule.name, reason: rule.reason, value: teamId };
        const managerId = wantsManager ? await managerFor(repos, rule.changeManager!, change, active) : null;
        if (managerId) next.changeManager = { rule: rule.name, reason: rule.reason, value: managerId };
      }
      if (teamIsRouted) assignmentTeamId = next.team?.value ?? (previous?.team ? null : change.assignmentTeamId);
      if (managerIsRouted) changeManagerId = next.changeManager?.value ?? (previous?.changeManager ? null : change.changeManagerId);
    }
    const routing = next.team || next.changeManager || hand.team || hand.changeManager ? next : null;
    const moved = assignmentTeamId !== change.assignmentTeamId || changeManagerId !== change.changeManagerId;
    if (!moved && JSON.stringify(routing) === JSON.stringify(previous)) return { change, unchanged: true, moved: null };
    return {
      change: { ...change, assignmentTeamId, changeManagerId, routing },
      unchanged: false,
      moved: moved
        ? {
            number: change.number,
            policyVersion: active.number,
            changes: {
              ...(assignmentTeamId !== change.assignmentTeamId ? { assignmentTeamId: { from: change.assignmentTeamId, to: assignmentTeamId } } : {}),
              ...(changeManagerId !== change.changeManagerId ? { changeManagerId: { from: change.changeManagerId, to: changeManagerId } } : {}),
            },
            rules: { team: next.team?.rule ?? null, changeManager: next.changeManager?.rule ?? null },
          }
        : null,
    };
  }

  return {
    decide,
    /**
     * Routes the change inside the caller's transaction and returns it as stored afterwards. A target is
     * routed when it is empty or still holds routing's earlier choice; `manual` names targets the caller set
     * by hand in this write (even to none), which routing then leaves alone for good. Writes `change.routed`
     * when anything moved.
     */
    async route(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy, manual: { team?: boolean; changeManager?: boolean } = {}): Promise<ChangeRecord> {
      const decided = await decide(repos, change, active, manual);
      if (decided.unchanged) return change;
      // Routing belongs to the write that caused it: the version the caller already set stays.
      await repos.changes.update(decided.change, change.version);
      if (decided.moved) await audit(repos, actor, deps.now().toISOString(), 'change.routed', 'change', change.id, decided.moved);
      return decided.change;
    },
  };
}
export type RoutingService = ReturnType<typeof createRoutingService>;
