import type { z } from 'zod';
import type { RiskDetail, RiskOverrideInput } from '../contracts/change';
import { systemActor, type Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { findState } from '../domain/change/lifecycle';
import { assertUnlocked } from '../domain/approval/content';
import { ConflictError, NotFoundError, StaleVersionError } from '../domain/errors';
import type { RiskAssessment, RiskLevel } from '../domain/risk/score';
import type { ChangeRecord, Repositories, RiskHistory } from '../db/repositories';
import { buildChangeContext, FREEZE_HORIZON_HOURS } from '../policy/context';
import { scopeApplies, targetOfCis, type ScopeTarget } from '../domain/schedule/scope';
import { occurrences } from '../domain/schedule/windows';
import { evaluateRisk } from '../policy/risk';
import { audit, type ServiceDeps } from './context';
import type { OutboxHandler, OutboxService } from './outbox.service';
import { finalStatesOf, type ActivePolicy, type PolicyService } from './policy.service';

/** The outbox topic of the reassessment of other changes after a change's outcome moved. */
export const PEER_REASSESSMENT_TOPIC = 'risk.reassess_peers';

/** What `reassessPeers` queues: the change whose outcome moved, and who moved it. */
interface PeersPayload {
  changeId: string;
  actor: Actor;
}

const DAY = 86_400_000;
const MINUTE = 60_000;
/** The counter holding when the history sweep last ran, in minutes since the epoch. */
const SWEEP_COUNTER = 'risk_history_sweep';
/** How often the worker looks for history that aged out of its window. */
const SWEEP_EVERY_MINUTES = 60;
/** The history windows of the context: finished changes (team, CIs, template) and incidents on the CIs. */
const CHANGE_HISTORY_DAYS = 90;
const NO_HISTORY: RiskHistory = { team: { changes: 0, failed: 0 }, ci: { changes: 0, failed: 0 }, ciIncidents: 0, learning: { openActions: 0, findings: 0 } };
const INCIDENT_HISTORY_DAYS = 30;

export interface RiskServiceDeps extends ServiceDeps {
  policy: PolicyService;
  /** When given, the service registers its follow-up handlers itself; otherwise the worker does. */
  outbox?: Pick<OutboxService, 'handle'>;
}

/**
 * Risk of changes: assessed by the active policy's risk factors over the change context, stored on the
 * change with the factors that made it, and recomputed whenever an input changes (the change's own fields,
 * its CIs, or those CIs and services in the CMDB). A change manager may override the level, with a reason.
 */
export function createRiskService(deps: RiskServiceDeps) {
  const { store, policy } = deps;

  /**
   * The CEL context of a change, read through the caller's repositories (inside its transaction). `fresh`: the
   * caller is filing the change in this transaction, so nothing refers to it yet (no freeze exception).
   */
  /**
   * The context the policy's expressions read about a change. `history: false` leaves out the facts of the past
   * (all zero, without asking the database), for expressions that do not read them (routing.service.ts).
   */
  async function contextOf(repos: Repositories, change: ChangeRecord, active: ActivePolicy, opts: { fresh?: boolean; history?: boolean } = {}): Promise<Record<string, unknown>> {
    const cis = await repos.cmdb.findCisByIds(change.ciIds);
    const services = await repos.cmdb.findServicesByIds([...new Set(cis.map((c) => c.serviceId).filter((id): id is string => id !== null))]);
    const teams = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.handle]));
    const requester = await repos.accounts.findUserById(change.requesterId);
    const now = deps.now();
    // NOTE: the history windows start at a whole minute, so the contexts one transaction builds (routing's,
    // then the assessment's) ask the same questions and the repositories answer them once (memo.ts).
    const since = (days: number) => new Date(Math.floor(now.getTime() / MINUTE) * MINUTE - days * DAY).toISOString();
    // NOTE: the histories count closed changes only, so an open change (one being filed, above all) need not be
    // left out of its own: asked without it, the filings of one group (group-commit.ts) share the answer.
    const self = change.closeCode === null ? '' : change.id;
    // A change being filed has no review of its own: asked without it, a group's filings share the answer.
    const learning = { ciIds: change.ciIds, teamId: change.assignmentTeamId, templateId: change.templateId, excludeChangeId: opts.fresh ? '' : change.id };
    const past =
      opts.history === false
        ? NO_HISTORY
        : await repos.riskHistory.of({ ciIds: change.ciIds, teamId: change.assignmentTeamId, since: since(CHANGE_HISTORY_DAYS), incidentsSince: since(INCIDENT_HISTORY_DAYS), excludeId: self, learning });
    const history = { teamChanges: past.team.changes, teamFailed: past.team.failed, ciChanges: past.ci.changes, ciFailed: past.ci.failed };
    const template = change.templateId ? await repos.templates.findById(change.templateId) : null;
    const templateHistory = template && opts.history !== false ? (await repos.templates.historyOf([template.id], since(CHANGE_HISTORY_DAYS), self)).get(template.id) : undefined;
    const ciIncidents30d = past.ciIncidents;
    // What the post-implementation reviews of other changes here learned (review.service.ts, docs/learning.md).
    const { openActions: openReviewActions, findings: reviewFindings90d } = past.learning;
    const serviceName = new Map(services.map((s) => [s.id, s.name]));
    const freezes = await freezesNear(repos, change, targetOfCis(cis, services));
    return buildChangeContext({
      change: {
        ...change,
        assignmentTeamHandle: change.assignmentTeamId ? (teams.get(change.assignmentTeamId) ?? null) : null,
        freezeException: !opts.fresh && (await repos.schedule.freezeExceptionsOf(change.id)).some((e) => e.state === 'requested' || e.state === 'approved'),
        templateName: template?.name ?? null,
      },
      cis: cis.map((c) => ({ ...c, serviceName: c.serviceId ? (serviceName.get(c.serviceId) ?? null) : null })),
      services: services.map((s) => ({ ...s, ownerTeamHandle: s.ownerTeamId ? (teams.get(s.ownerTeamId) ?? null) : null })),
      requester: {
        email: requester?.email ?? '',
        name: requester?.name ?? '',
        roles: requester?.roles.map((r) => r.role) ?? [],
        teamHandles: (requester?.teamIds ?? []).map((id) => teams.get(id)).filter((h): h is string => h !== undefined),
      },
      history: {
        teamChanges90d: history.teamChanges,
        teamFailed90d: history.teamFailed,
        ciChanges90d: history.ciChanges,
        ciFailed90d: history.ciFailed,
        templateChanges90d: templateHistory?.changes90d ?? 0,
        templateFailed90d: templateHistory?.failed90d ?? 0,
        ciIncidents30d,
        openReviewActions,
        reviewFindings90d,
      },
      businessHours: active.bundle.risk.businessHours,
      freezes,
      now,
    });
  }

  /** Occurrences of the freezes that apply to the change, within the context's horizon of its plan. */
  async function freezesNear(repos: Repositories, change: ChangeRecord, target: ScopeTarget): Promise<{ start: string; end: string }[]> {
    if (!change.plannedStart) return [];
    const margin = FREEZE_HORIZON_HOURS * 3_600_000;
    const from = new Date(Date.parse(change.plannedStart) - margin);
    const to = new Date(Date.parse(change.plannedEnd ?? change.plannedStart) + margin);
    const found: { start: string; end: string }[] = [];
    for (const w of await repos.windows.listWindows()) {
      // Every window, not only the freezes: the same read serves the schedule's conflicts in this transaction.
      if (w.kind !== 'freeze' || !scopeApplies(w.scope, target)) continue;
      for (const o of occurrences(w, from, to, 100)) found.push({ start: o.start.toISOString(), end: o.end.toISOString() });
    }
    return found;
  }

  /** The assessment of the change by the active policy, as it is now; nothing is written. */
  async function assess(repos: Repositories, change: ChangeRecord, active: ActivePolicy, opts: { fresh?: boolean } = {}): Promise<RiskAssessment> {
    return evaluateRisk(active.bundle.risk, await contextOf(repos, change, active, opts));
  }

  /**
   * The `change.risk_assessed` audit event of an assessment stored on the change, when its score or level
   * moved from `before` (or the policy did), so the change's history says when and why its risk changed.
   */
  async function recordAssessment(repos: Repositories, actor: Actor, change: ChangeRecord, before: ChangeRecord['risk'], assessment: RiskAssessment, active: ActivePolicy): Promise<void> {
    if (before && before.score === assessment.score && before.computedLevel === assessment.level && before.policyVersion === active.number) return;
    await audit(repos, actor, deps.now().toISOString(), 'change.risk_assessed', 'change', change.id, {
      number: change.number,
      changes: { riskScore: { from: before?.score ?? null, to: assessment.score }, riskLevel: { from: before?.computedLevel ?? null, to: assessment.level } },
      policyVersion: active.number,
      factors: assessment.factors.filter((f) => f.contribution !== 0).map((f) => ({ name: f.name, contribution: f.contribution })),
    });
  }

  /** Assesses the change and stores the result (see recordAssessment). */
  async function reassess(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy): Promise<RiskAssessment> {
    const assessment = await assess(repos, change, active);
    await repos.changes.setRisk(change.id, { ...assessment, policyVersion: active.number });
    await recordAssessment(repos, actor, change, change.risk, assessment, active);
    return assessment;
  }

  /** Reassesses each of these changes (read one at a time, inside the caller's transaction); how many there were. */
  async function reassessIds(repos: Repositories, actor: Actor, ids: Iterable<string>, active: ActivePolicy): Promise<number> {
    let n = 0;
    for (const id of ids) {
      const change = await repos.changes.findById(id);
      if (change) {
        const assessment = await reassess(repos, actor, change, active);
        // The level in force is approved content: its approvals follow when it moved (a CMDB edit, a freeze).
        if (change.risk && !change.risk.overridden && assessment.level !== change.risk.level) await hooks.levelMoved?.(repos, actor, change.id, active);
      }
      n++;
    }
    return n;
  }

  /**
   * Set by the approval service: called inside the caller's transaction when the risk level in force of a
   * change moved by anything but an edit of the change itself (which reconciles its approvals on its own).
   */
  const hooks: { levelMoved?: (repos: Repositories, actor: Actor, changeId: string, active: ActivePolicy) => Promise<void> } = {};

  /**
   * A hand-set level is approved content too: refused (422 `locked_for_approval`) in a state the policy locks,
   * otherwise it raises the change's version, so a client holding the old one must read it again.
   */
  async function levelSetByHand(repos: Repositories, change: ChangeRecord, active: ActivePolicy, from: string, to: string, at: string): Promise<void> {
    if (from !== to) assertUnlocked(active.bundle.approvals.content, change, ['riskLevel'], `${change.number} is ${change.state}: its approvals were given for ${from} risk, which can no longer change.`);
    if (!(await repos.changes.update({ ...change, version: change.version + 1, updatedAt: at }, change.version))) throw new StaleVersionError('Change', change.number, change.version, change.version + 1);
  }

  /**
   * The CEL context approval rules see: the change context plus `risk` (`score` as a CEL int, `level` as
   * stored, the override when there is one). Reads through the caller's repositories.
   */
  async function approvalContextOf(repos: Repositories, change: ChangeRecord, active: ActivePolicy): Promise<Record<string, unknown>> {
    const context = await contextOf(repos, change, active);
    const stored = (await repos.changes.risk(change.id)) ?? { ...evaluateRisk(active.bundle.risk, context), override: null };
    return { ...context, risk: { score: BigInt(stored.score), level: stored.override?.level ?? stored.level } };
  }

  const service = {
    hooks,
    assess,
    recordAssessment,
    reassess,
    contextOf,
    approvalContextOf,

    /** Reassesses every open, planned change (after a freeze was added, moved or removed). */
    async reassessPlanned(repos: Repositories, actor: Actor, active: ActivePolicy | null): Promise<number> {
      if (!active) return 0;
      const finalStates = finalStatesOf(active);
      const ids = await repos.changes.openPlannedChangeIds(finalStates);
      return reassessIds(repos, actor, ids, active);
    },

    /**
     * After a change's outcome moved (close code, actual end, or it closed): queues the reassessment of the
     * open changes whose history counts it, those on its CIs, of its team and made from its template. The
     * worker runs it (`followUps`); the change itself is left to its caller. NOTE: one outbox item instead of
     * one assessment per other change inside the writer's transaction: closing a change on a CI that hundreds
     * of open changes share costs the writer one INSERT.
     */
    async reassessPeers(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy | null): Promise<void> {
      if (!active) return;
      const at = deps.now().toISOString();
      const payload: PeersPayload = { changeId: change.id, actor };
      await repos.outbox.enqueue({ id: deps.newId(), topic: PEER_REASSESSMENT_TOPIC, payload: { ...payload }, createdAt: at, availableAt: at });
    },

    /**
     * The outbox handlers of the risk service's follow-up, for the outbox service to run (the worker registers
     * them): the peer reassessment `reassessPeers` queued, against the policy active at delivery, as the actor
     * who caused it.
     */
    followUps: {
      [PEER_REASSESSMENT_TOPIC]: {
        prepare: () => policy.activeOrNull(),
        async deliver(repos: Repositories, payload: Record<string, unknown>, active: ActivePolicy | null): Promise<void> {
          const { changeId, actor } = payload as unknown as PeersPayload;
          const change = await repos.changes.findById(changeId);
          if (!change || !active) return;
          const finalStates = finalStatesOf(active);
          const ids = new Set([
            ...(await repos.changes.openChangeIdsTouching(change.ciIds, finalStates)),
            ...(await repos.changes.openChangeIdsSharing({ teamId: change.assignmentTeamId, templateId: change.templateId }, finalStates)),
          ]);
          ids.delete(change.id);
          await reassessIds(repos, actor, ids, active);
        },
      },
    } satisfies Record<string, OutboxHandler<ActivePolicy | null>>,

    /**
     * The worker's history sweep, at most once an hour: a failed change or an incident stops counting when it
     * leaves its window (90 or 30 days) with no write to say so. Reassesses the open changes whose history
     * held something that left its window since the last sweep (the first sweep looks back a whole window).
     */
    async tick(): Promise<{ reassessed: number }> {
      const active = await policy.activeOrNull();
      if (!active) return { reassessed: 0 };
      const now = deps.now().getTime();
      const nowMinutes = Math.floor(now / MINUTE);
      return store.transaction(async (repos) => {
        const last = await repos.changes.counter(SWEEP_COUNTER);
        if (last !== null && nowMinutes - last < SWEEP_EVERY_MINUTES) return { reassessed: 0 };
        await repos.changes.setCounter(SWEEP_COUNTER, nowMinutes);
        const since = last === null ? now - CHANGE_HISTORY_DAYS * DAY : last * MINUTE;
        const left = (days: number) => [new Date(since - days * DAY).toISOString(), new Date(now - days * DAY).toISOString()] as const;
        const finished = await repos.changes.finishedBetween(...left(CHANGE_HISTORY_DAYS));
        const ciIds = [...(await repos.incidents.ciIdsOpenedBetween(...left(INCIDENT_HISTORY_DAYS))), ...finished.flatMap((c) => c.ciIds)];
        const finalStates = finalStatesOf(active);
        const ids = new Set(await repos.changes.openChangeIdsTouching([...new Set(ciIds)], finalStates));
        for (const c of finished) for (const id of await repos.changes.openChangeIdsSharing({ teamId: c.teamId, templateId: c.templateId }, finalStates)) ids.add(id);
        return { reassessed: await reassessIds(repos, systemActor(), ids, active) };
      });
    },

    /** Reassesses every open change touching the CIs (after the CMDB changed under them). */
    async reassessTouching(repos: Repositories, actor: Actor, ciIds: string[], active: ActivePolicy | null): Promise<number> {
      // Without a policy no change can have been filed, so there is nothing to reassess.
      if (!active || ciIds.length === 0) return 0;
      const finalStates = finalStatesOf(active);
      const ids = await repos.changes.openChangeIdsTouching(ciIds, finalStates);
      return reassessIds(repos, actor, ids, active);
    },

    async get(actor: Actor, id: string): Promise<RiskDetail> {
      assertPermission(actor, 'change.read');
      const change = await store.repos.changes.findById(id);
      if (!change) throw new NotFoundError('Change', id);
      let stored = await store.repos.changes.risk(change.id);
      if (!stored) {
        // A change filed before risk existed is assessed on first read.
        const active = await policy.active();
        await store.transaction(async (repos) => reassess(repos, actor, (await repos.changes.findById(change.id))!, active));
        stored = (await store.repos.changes.risk(change.id))!;
      }
      const names = await store.repos.accounts.userNames(stored.override ? [stored.override.by] : []);
      return {
        score: stored.score,
        level: (stored.override?.level ?? stored.level) as RiskLevel,
        computedLevel: stored.level as RiskLevel,
        factors: stored.factors,
        policyVersion: stored.policyVersion,
        override: stored.override ? { ...stored.override, level: stored.override.level as RiskLevel, byName: names.get(stored.override.by) ?? stored.override.by } : null,
      };
    },

    /** Sets the level by hand with a required justification; audited and shown on the change. */
    async override(actor: Actor, id: string, input: z.output<typeof RiskOverrideInput>): Promise<RiskDetail> {
      assertPermission(actor, 'change.override_risk');
      const active = await policy.active();
      await store.transaction(async (repos) => {
        const change = await repos.changes.findById(id, { lock: true });
        if (!change) throw new NotFoundError('Change', id);
        if (input.version !== undefined && input.version !== change.version) throw new StaleVersionError('Change', change.number, input.version, change.version);
        const model = active.bundle.models[change.type];
        if (model && findState(model, change.state)?.final) throw new ConflictError('change_closed', `${change.number} is ${change.state}; its risk can no longer be changed.`);
        if (!change.risk) await reassess(repos, actor, change, active);
        const computed = (await repos.changes.risk(change.id))!;
        const at = deps.now().toISOString();
        await levelSetByHand(repos, change, active, computed.override?.level ?? computed.level, input.level, at);
        await repos.changes.setRiskOverride(change.id, { level: input.level, justification: input.justification, by: actor.userId, at });
        await audit(repos, actor, at, 'change.risk_overridden', 'change', change.id, {
          number: change.number,
          changes: { riskLevel: { from: computed.override?.level ?? computed.level, to: input.level } },
          computedLevel: computed.level,
          justification: input.justification,
        });
        await hooks.levelMoved?.(repos, actor, change.id, active);
      });
      return service.get(actor, id);
    },

    async clearOverride(actor: Actor, id: string): Promise<RiskDetail> {
      assertPermission(actor, 'change.override_risk');
      const active = await policy.active();
      await store.transaction(async (repos) => {
        const change = await repos.changes.findById(id, { lock: true });
        if (!change) throw new NotFoundError('Change', id);
        const model = active.bundle.models[change.type];
        if (model && findState(model, change.state)?.final) throw new ConflictError('change_closed', `${change.number} is ${change.state}; its risk can no longer be changed.`);
        const stored = await repos.changes.risk(change.id);
        if (!stored?.override) return;
        const at = deps.now().toISOString();
        await levelSetByHand(repos, change, active, stored.override.level, stored.level, at);
        await repos.changes.setRiskOverride(change.id, null);
        await audit(repos, actor, at, 'change.risk_override_cleared', 'change', change.id, {
          number: change.number,
          changes: { riskLevel: { from: stored.override.level, to: stored.level } },
        });
        await hooks.levelMoved?.(repos, actor, change.id, active);
      });
      return service.get(actor, id);
    },
  };
  if (deps.outbox) for (const [topic, handler] of Object.entries(service.followUps)) deps.outbox.handle(topic, handler);
  return service;
}
export type RiskService = ReturnType<typeof createRiskService>;
