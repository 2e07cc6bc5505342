import type { Home, HomeAction, HomeChange, HomeConflict, HomeFreeze, HomeQuery } from '../contracts/home';
import type { Actor } from '../domain/actor';
import { hasPermission, hasRole } from '../domain/auth/roles';
import { canFire, findState, missingFields, transitionsFrom, type ChangeModel, type TransitionDef } from '../domain/change/lifecycle';
import { mayAnswerConcerns } from '../domain/change/concerns';
import { FIELD_LABELS } from '../domain/change/fields';
import type { ChangeRecord } from '../db/repositories';
import type { ApprovalService } from './approval.service';
import type { ServiceDeps } from './context';
import { finalStatesOf, type ActivePolicy, type PolicyService } from './policy.service';
import type { ScheduleService } from './schedule.service';
import type { WindowsService } from './windows.service';

export interface HomeServiceDeps extends ServiceDeps {
  policy: PolicyService;
  approvals: Pick<ApprovalService, 'myApprovals'>;
  windows: Pick<WindowsService, 'schedule'>;
  /** The conflict counts the markers show (related-CI pairs included). */
  schedule: Pick<ScheduleService, 'openConflictSummary'>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** How far ahead each section looks. */
export const HOME_HORIZONS = { implementDays: 7, freezeDays: 14, slaHours: 24, rejectedDays: 14, oversightDays: 30 } as const;
/** At most this many of a person's open changes are read to find those that need them. */
const OWN_CHANGES_READ = 500;

const CONFLICT_WORDS: Record<string, string> = {
  ci_overlap: 'same CI at the same time',
  related_ci_overlap: 'related CI at the same time',
  freeze: 'in a freeze',
  outside_maintenance_window: 'outside a maintenance window',
  assignee_busy: 'implementer busy',
};

/** Whether a person may manage the process: triage, conflicts, SLA clocks and freezes show for them. */
export const isChangeManager = (actor: Pick<Actor, 'roles'>): boolean => hasRole(actor, 'change_manager') || hasRole(actor, 'admin');

/**
 * A move that takes a change forward: not back to its first state, and not into a final state that needs
 * nothing (cancelled, rejected), which ends the change instead of doing its work.
 */
export function isForwardMove(model: ChangeModel, t: TransitionDef): boolean {
  const target = findState(model, t.to);
  if (!target || t.to === model.initial) return false;
  return !(target.final && target.requires.length === 0);
}

/**
 * The final states that mean "refused" to a requester: final, needing no fields, and entered only by roles (a
 * requester or owner may cancel their change; only a change manager rejects it).
 */
export function refusalStates(active: ActivePolicy): string[] {
  const found = new Set<string>();
  for (const model of Object.values(active.bundle.models)) {
    for (const s of model.states) {
      if (!s.final || s.requires.length > 0) continue;
      const into = model.transitions.filter((t) => t.to === s.id);
      if (into.length > 0 && into.every((t) => t.relations.length === 0)) found.add(s.id);
    }
  }
  return [...found];
}

/**
 * The states a change manager triages: entered from a model's first state, needing no approvals, and left
 * forward only by roles (assessing is the change manager's call, where a scheduled standard change is started
 * by its own people).
 */
export function triageStates(active: ActivePolicy): string[] {
  const found = new Set<string>();
  for (const model of Object.values(active.bundle.models)) {
    for (const t of transitionsFrom(model, model.initial)) {
      const s = findState(model, t.to);
      if (!s || s.final || s.requestApprovals || s.requiresApprovals) continue;
      const forward = transitionsFrom(model, s.id).filter((out) => isForwardMove(model, out));
      if (forward.length > 0 && forward.every((out) => out.relations.length === 0 && out.roles.includes('change_manager'))) found.add(s.id);
    }
  }
  return [...found];
}

const listWords = (words: string[]) => (words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`);

/**
 * The home page: what needs the caller now, from one call. Every section reads only what the caller may see
 * and is about them (their approvals, their changes, what they implement); change managers also get the
 * process's queues, and those who oversee it its breaches.
 */
export function createHomeService(deps: HomeServiceDeps) {
  const { store, policy } = deps;

  function stateLabel(active: ActivePolicy | null, c: Pick<ChangeRecord, 'type' | 'state'>): string {
    const model = active?.bundle.models[c.type];
    return (model && findState(model, c.state)?.label) ?? c.state;
  }

  function changeOf(active: ActivePolicy | null, c: ChangeRecord): HomeChange {
    return { id: c.id, number: c.number, title: c.title, type: c.type, state: c.state, stateLabel: stateLabel(active, c), plannedStart: c.plannedStart, plannedEnd: c.plannedEnd };
  }

  async function changesById(ids: string[]): Promise<Map<string, ChangeRecord>> {
    return new Map((await store.repos.changes.findManyByIds([...new Set(ids)])).map((c) => [c.id, c]));
  }

  /** Why each of the person's open changes needs them; changes that need nothing are left out. */
  async function myChanges(actor: Actor, active: ActivePolicy | null, finalStates: string[], now: Date, limit: number): Promise<Home['myChanges']> {
    const repos = store.repos;
    const openIds = await repos.home.openChangeIdsOf(actor.userId, finalStates, OWN_CHANGES_READ);
    const refused = active ? refusalStates(active) : [];
    const rejectedIds = await repos.home.recentInStatesOf(actor.userId, refused, new Date(now.getTime() - HOME_HORIZONS.rejectedDays * DAY).toISOString(), 50);
    const byId = await changesById([...openIds, ...rejectedIds]);
    const open = openIds.map((id) => byId.get(id)).filter((c): c is ChangeRecord => c !== undefined);
    const openIdList = open.map((c) => c.id);
    const [withRejected, conflictRows, lastComments, concerns] = await Promise.all([
      repos.home.withRejectedApprovals(openIdList),
      deps.schedule.openConflictSummary(openIdList, active),
      repos.home.lastComments(openIdList),
      repos.communication.openConcernCounts(openIdList),
    ]);
    // Returned: back in the first state of its model after having left it. The newest transition says so.
    const initialIds = open.filter((c) => active?.bundle.models[c.type]?.initial === c.state).map((c) => c.id);
    const transitions = initialIds.length ? await repos.audit.search({ entityIds: initialIds, actions: ['change.transitioned'], limit: initialIds.length * 20 }) : [];
    const lastMove = new Map<string, (typeof transitions)[number]>();
    for (const e of transitions) if (!lastMove.has(e.entityId)) lastMove.set(e.entityId, e);

    const actions: HomeAction[] = [];
    for (const c of open) {
      const model = active?.bundle.models[c.type];
      const reasons: HomeAction['reasons'] = [];
      const move = lastMove.get(c.id);
      if (move && model && move.data.to === model.initial && move.data.from !== model.initial) {
        const comment = typeof move.data.comment === 'string' && move.data.comment.trim() ? `: “${move.data.comment.trim()}”` : '';
        reasons.push({ kind: 'returned', text: `${move.actorName} returned it to ${stateLabel(active, c)}${comment}`, fields: [], at: move.at });
      }
      if (withRejected.has(c.id)) {
        const rejected = (await repos.approvals.forChange(c.id)).filter((a) => a.state === 'rejected');
        reasons.push({ kind: 'approval_rejected', text: `${listWords(rejected.map((a) => a.approverLabel))} rejected ${rejected.length === 1 ? 'its approval' : 'their approvals'}; see why on the Approvals tab`, fields: [], at: null });
      }
      const conflicts = conflictRows.filter((r) => r.changeId === c.id);
      const conflictCount = conflicts.reduce((n, r) => n + r.count, 0);
      if (conflictCount > 0) {
        const kinds = [...new Set(conflicts.map((r) => CONFLICT_WORDS[r.kind] ?? r.kind))];
        reasons.push({ kind: 'conflicts', text: `${conflictCount} schedule conflict${conflictCount === 1 ? '' : 's'} not acknowledged (${kinds.join(', ')})`, fields: [], at: null });
      }
      const open = concerns.get(c.id);
      if (open) {
        const mine = mayAnswerConcerns(actor, c);
        const waits = open.count === 1 ? 'A concern waits' : `${open.count} concerns wait`;
        reasons.push({ kind: 'concerns', text: `${waits} for ${mine ? 'your' : 'the owner’s'} answer`, fields: [], at: open.since });
      }
      const comment = lastComments.get(c.id);
      if (comment && comment.authorId !== c.requesterId && comment.authorId !== c.ownerId && comment.authorId !== actor.userId) {
        reasons.push({ kind: 'comment', text: `${comment.authorName} commented; no reply yet`, fields: [], at: comment.createdAt });
      }
      // The next move the person may make themselves, and what it still needs.
      const next = model ? transitionsFrom(model, c.state).find((t) => isForwardMove(model, t) && canFire(t, actor, c)) : undefined;
      if (next && model) {
        const missing = missingFields(c, findState(model, next.to)?.requires ?? []);
        if (missing.length > 0) reasons.push({ kind: 'missing_fields', text: `${next.label} needs ${listWords(missing.map((f) => FIELD_LABELS[f] ?? f))}`, fields: missing, at: null });
        else if (c.state === model.initial) reasons.push({ kind: 'ready', text: `Ready: ${next.label.toLowerCase()}`, fields: [], at: null });
      }
      if (reasons.length > 0) actions.push({ change: changeOf(active, c), nextMove: next?.label ?? null, reasons });
    }
    for (const id of rejectedIds) {
      const c = byId.get(id);
      if (!c) continue;
      actions.push({ change: changeOf(active, c), nextMove: null, reasons: [{ kind: 'rejected', text: `${stateLabel(active, c)}; read why in its history`, fields: [], at: c.updatedAt }] });
    }
    return { count: actions.length, items: actions.slice(0, limit), states: [...new Set(actions.map((a) => a.change.state))].sort() };
  }

  async function conflictQueue(active: ActivePolicy | null, limit: number): Promise<NonNullable<Home['conflicts']>> {
    const rows = await deps.schedule.openConflictSummary(null, active);
    const perChange = new Map<string, { count: number; kinds: Set<string> }>();
    for (const r of rows) {
      const entry = perChange.get(r.changeId) ?? { count: 0, kinds: new Set<string>() };
      entry.count += r.count;
      entry.kinds.add(r.kind);
      perChange.set(r.changeId, entry);
    }
    const byId = await changesById([...perChange.keys()]);
    const items: HomeConflict[] = [...perChange.entries()]
      .map(([id, e]) => ({ c: byId.get(id), e }))
      .filter((x): x is { c: ChangeRecord; e: { count: number; kinds: Set<string> } } => x.c !== undefined)
      .sort((a, b) => (a.c.plannedStart ?? '\uffff').localeCompare(b.c.plannedStart ?? '\uffff') || a.c.number.localeCompare(b.c.number))
      .map(({ c, e }) => ({ change: changeOf(active, c), count: e.count, kinds: [...e.kinds].sort() }));
    return { count: items.length, items: items.slice(0, limit), states: [...new Set(items.map((i) => i.change.state))].sort() };
  }

  function scopeWords(scope: { global?: true; serviceIds?: string[]; ciIds?: string[]; environments?: string[]; tags?: string[] }): string {
    if (scope.global) return 'everywhere';
    const parts: string[] = [];
    const n = (count: number | undefined, one: string) => (count ? `${count} ${one}${count === 1 ? '' : 's'}` : null);
    for (const p of [n(scope.serviceIds?.length, 'service'), n(scope.ciIds?.length, 'CI'), n(scope.environments?.length, 'environment'), n(scope.tags?.length, 'tag')]) if (p) parts.push(p);
    return parts.join(', ') || 'nowhere';
  }

  return {
    /** GET /api/v1/home: every signed-in person, about themselves only. */
    async home(actor: Actor, query: HomeQuery): Promise<Home> {
      const now = deps.now();
      const nowIso = now.toISOString();
      const limit = query.limit;
      const active = await policy.activeOrNull();
      const finalStates = active ? finalStatesOf(active) : [];
      const readsChanges = hasPermission(actor, 'change.read');
      const manager = isChangeManager(actor);
      const oversees = hasPermission(actor, 'sla.read') || hasPermission(actor, 'audit.read');

      const pending = await deps.approvals.myApprovals(actor);
      const approvalChanges = await changesById(pending.map((a) => a.changeId));
      const approvals: Home['approvals'] = {
        count: pending.length,
        items: pending.slice(0, limit).flatMap((a) => {
          const c = approvalChanges.get(a.changeId);
          if (!c) return [];
          return [{ approvalId: a.id, change: changeOf(active, c), stageLabel: a.stageLabel, approverLabel: a.approver.label, reason: a.reason, dueAt: a.dueAt, overdue: a.dueAt !== null && a.dueAt < nowIso, decidesFor: a.decidesFor }];
        }),
      };

      const mine = readsChanges ? await myChanges(actor, active, finalStates, now, limit) : { count: 0, items: [], states: [] };

      const implementTo = new Date(now.getTime() + HOME_HORIZONS.implementDays * DAY).toISOString();
      const impl = await store.repos.home.implementing(actor.userId, nowIso, implementTo, finalStates, limit);
      const implChanges = await changesById(impl.ids);
      const implementing: Home['implementing'] = {
        count: impl.count,
        items: impl.ids.flatMap((id) => (implChanges.has(id) ? [{ change: changeOf(active, implChanges.get(id)!) }] : [])),
        from: nowIso,
        to: implementTo,
      };

      let triage: Home['triage'] = null;
      let conflicts: Home['conflicts'] = null;
      let slaAtRisk: Home['slaAtRisk'] = null;
      let freezes: Home['freezes'] = null;
      if (manager) {
        const states = active ? triageStates(active) : [];
        const queue = await store.repos.home.inStates(states, actor.userId, limit);
        const queued = await changesById(queue.ids);
        const managerNames = await store.repos.accounts.userNames([...queued.values()].map((c) => c.changeManagerId).filter((id): id is string => id !== null));
        triage = {
          count: queue.count,
          states,
          items: queue.ids.flatMap((id) => {
            const c = queued.get(id);
            if (!c) return [];
            return [{ change: changeOf(active, c), since: c.updatedAt, routedToMe: c.changeManagerId === actor.userId, changeManagerName: c.changeManagerId ? (managerNames.get(c.changeManagerId) ?? null) : null }];
          }),
        };
        conflicts = await conflictQueue(active, limit);

        const slaUntil = new Date(now.getTime() + HOME_HORIZONS.slaHours * HOUR).toISOString();
        const clocks = await store.repos.home.clocksDueBefore(slaUntil, limit);
        const clockChanges = await changesById(clocks.items.map((k) => k.changeId));
        slaAtRisk = {
          count: clocks.count,
          until: slaUntil,
          items: clocks.items.flatMap((k) => {
            const c = clockChanges.get(k.changeId);
            if (!c) return [];
            return [{ clockId: k.id, change: changeOf(active, c), metric: k.metric, target: k.target, dueAt: k.dueAt, overdue: k.dueAt <= nowIso, approverLabel: k.approverLabel }];
          }),
        };

        const freezeUntil = new Date(now.getTime() + HOME_HORIZONS.freezeDays * DAY).toISOString();
        const occurrences = (await deps.windows.schedule(actor, { from: nowIso, to: freezeUntil, kind: 'freeze' })).items;
        const items: HomeFreeze[] = occurrences.map((o) => ({ windowId: o.windowId, name: o.name, start: o.start, end: o.end, inForce: o.start <= nowIso, urgent: o.urgent, scope: scopeWords(o.scope) }));
        freezes = { count: items.length, until: freezeUntil, items: items.slice(0, limit) };
      }

      let oversight: Home['oversight'] = null;
      if (oversees) {
        const since = new Date(now.getTime() - HOME_HORIZONS.oversightDays * DAY).toISOString();
        const [slaBreaches, breakGlassToReview] = await Promise.all([store.repos.home.breachesSince(since), store.repos.home.breakGlassToReview()]);
        oversight = { slaBreaches, breakGlassToReview, since };
      }

      return {
        generatedAt: nowIso,
        sees: { approvals: hasPermission(actor, 'approval.decide'), changeManagement: manager, oversight: oversees },
        approvals,
        myChanges: mine,
        implementing,
        triage,
        conflicts,
        slaAtRisk,
        freezes,
        oversight,
      };
    },
  };
}
export type HomeService = ReturnType<typeof createHomeService>;
