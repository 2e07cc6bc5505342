import type { SlaBreach, SlaBreachQuery, SlaClock } from '../contracts/sla';
import { systemActor, type Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { boardPeople } from '../domain/cab/board';
import { findState } from '../domain/change/lifecycle';
import { NotFoundError } from '../domain/errors';
import { addWorkingTime } from '../domain/sla/business-time';
import type { ApprovalRecord, ChangeRecord, Repositories, SlaClockRecord, SlaMetricName } from '../db/repositories';
import { slaTargetFor } from '../policy/evaluate';
import type { CompiledSlas } from '../policy/loader';
import { audit, decodeInstantCursor, encodeInstantCursor, type ServiceDeps } from './context';
import type { NotificationRecipient, OutboxService } from './outbox.service';
import { approverWords, changeFacts } from './change-notice.service';
import { changeWords, timeToken } from '../domain/notification/texts';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';

export interface SlaServiceDeps extends ServiceDeps {
  risk: RiskService;
  outbox: OutboxService;
  policy: Pick<PolicyService, 'activeOrNull'>;
}

/** How long a clock runs: `workingMs` of working time on a `business` clock, of elapsed time on a `wall` one. */
export interface ClockPlan {
  target: string;
  clock: 'business' | 'wall';
  workingMs: number;
}

/** The due time of a clock started at `start`. */
export function dueOf(calendar: CompiledSlas['calendar'], start: Date, plan: ClockPlan): Date {
  return plan.clock === 'business' ? addWorkingTime(calendar, start, plan.workingMs) : new Date(start.getTime() + plan.workingMs);
}

/**
 * When to remind: a share of the target left, or a duration before the due time (counted on the clock's
 * own calendar). Null when that falls at or before the start.
 */
export function remindOf(slas: Pick<CompiledSlas, 'calendar' | 'remindBefore'>, start: Date, plan: ClockPlan): Date | null {
  const before = slas.remindBefore.kind === 'percent' ? (plan.workingMs * slas.remindBefore.value) / 100 : plan.clock === 'business' ? slas.remindBefore.workingMs : slas.remindBefore.ms;
  const after = plan.workingMs - before;
  if (after <= 0) return null;
  return dueOf(slas.calendar, start, { ...plan, workingMs: Math.round(after) });
}

const partiesOf = (change: Pick<ChangeRecord, 'requesterId' | 'ownerId' | 'implementerId'>) =>
  [change.requesterId, change.ownerId, change.implementerId].filter((id): id is string => id !== null);

const METRIC_WORDS: Record<SlaMetricName, string> = { approval_response: 'approval response', time_to_schedule: 'time to schedule' };

/**
 * SLA clocks: approval response (one clock per approval, from when it opens to its decision) and time to
 * schedule (from a change leaving its first state to entering a state that needs approvals, or a final
 * one). The worker's `tick` reminds once before the due time, records breaches and escalates overdue
 * approvals: a board's to its delegates, else to their rule's escalation target; every step claims its clock
 * with a conditional UPDATE.
 */
export function createSlaService(deps: SlaServiceDeps) {
  const { store, risk, outbox } = deps;
  const worker = (requestId = 'worker'): Actor => ({ ...systemActor(requestId), name: 'Cabinet SLA timer' });

  async function startClock(repos: Repositories, change: ChangeRecord, active: ActivePolicy, metric: SlaMetricName, plan: ClockPlan, approvalId: string | null, remind: boolean): Promise<SlaClockRecord> {
    const start = deps.now();
    const slas = active.bundle.slas;
    const clock: SlaClockRecord = {
      id: deps.newId(),
      changeId: change.id,
      approvalId,
      metric,
      target: plan.target,
      clock: plan.clock,
      policyVersion: active.number,
      startedAt: start.toISOString(),
      dueAt: dueOf(slas.calendar, start, plan).toISOString(),
      remindAt: remind ? (remindOf(slas, start, plan)?.toISOString() ?? null) : null,
      stoppedAt: null,
      remindedAt: null,
      breachedAt: null,
      escalatedAt: null,
    };
    await repos.sla.insert(clock);
    return clock;
  }

  /** Stops a clock; a clock stopped past its due time is recorded as breached (once). */
  async function stopClock(repos: Repositories, clock: SlaClockRecord, change: ChangeRecord, requestId: string): Promise<void> {
    const at = deps.now().toISOString();
    if (!(await repos.sla.stop(clock.id, at))) return;
    if (clock.breachedAt === null && at > clock.dueAt && (await repos.sla.claimBreach(clock.id, at))) {
      await audit(repos, worker(requestId), at, 'sla.breached', 'change', change.id, breachData(change, clock, null));
    }
  }

  function breachData(change: ChangeRecord, clock: SlaClockRecord, approval: ApprovalRecord | null): Record<string, unknown> {
    return {
      number: change.number,
      clockId: clock.id,
      metric: clock.metric,
      target: clock.target,
      dueAt: clock.dueAt,
      ...(approval ? { approvalId: approval.id, rule: approval.rule, approver: approval.approverLabel } : {}),
    };
  }

  const approverOf = (a: Pick<ApprovalRecord, 'approverKind' | 'approverRef'>): NotificationRecipient => ({ kind: a.approverKind, ref: a.approverRef });

  /** Whether the policy's rule routes the approval to the ECAB (docs/cab.md#ecab), through its `otherwise` too. */
  const ruleConvenesEcab = (active: ActivePolicy | null, a: Pick<ApprovalRecord, 'stage' | 'rule'>): boolean => {
    const rule = active?.bundle.approvals.stages.find((s) => s.name === a.stage)?.rules.find((r) => r.name === a.rule);
    return rule?.approvers.kind === 'board' && rule.approvers.boardKind === 'ecab';
  };

  /**
   * Whether a reminder or escalation of the approval is urgent on every channel: when its rule routes to the
   * ECAB and it fell to the rule's `otherwise` (no ECAB board takes the change). One an ECAB board holds is
   * urgent by that board's kind (notice-mail.service.ts `convenesEcab`).
   */
  const urgentFor = (active: ActivePolicy | null, a: ApprovalRecord) => (ruleConvenesEcab(active, a) ? { urgent: true } : {});

  function present(c: SlaClockRecord, approval?: Pick<ApprovalRecord, 'rule' | 'approverLabel'> | null): SlaClock {
    return {
      ...c,
      status: c.breachedAt ? 'breached' : c.stoppedAt ? 'met' : 'running',
      rule: approval?.rule ?? null,
      approverLabel: approval?.approverLabel ?? null,
    };
  }

  /**
   * The delegates an overdue board approval escalates to: the board's delegates (docs/cab.md#response-time) who
   * are not parties to the change. Null when it is not a board approval or the board has none.
   */
  async function delegatesFor(repos: Repositories, approval: ApprovalRecord, change: ChangeRecord): Promise<{ boardId: string; userIds: string[] } | null> {
    if (approval.approverKind !== 'board') return null;
    const board = await repos.boards.find(approval.approverRef);
    if (!board || !board.members.some((m) => m.delegate)) return null;
    const seats = (await repos.boards.seatsOf([board.id])).get(board.id) ?? new Map<string, string[]>();
    const teams = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.memberIds]));
    const parties = partiesOf(change);
    const userIds = boardPeople(board.members, teams, seats, true).filter((id) => !parties.includes(id));
    return userIds.length > 0 ? { boardId: board.id, userIds } : null;
  }

  const service = {
    /**
     * Approvals just opened (the first stage at request, a later stage when the one before it is
     * approved), inside the caller's transaction: sets each due time (the rule's own `due`, on the wall
     * clock, wins over the SLA's approval_response target), starts its clock and asks its approvers
     * through the outbox. NOTE: updates `dueAt` on the given records, so the caller's audit shows it.
     */
    async approvalsOpened(repos: Repositories, change: ChangeRecord, active: ActivePolicy, approvals: ApprovalRecord[], context?: Record<string, unknown>): Promise<void> {
      if (approvals.length === 0) return;
      let sla: ClockPlan | null | undefined;
      // What every request of this change says about it, read once.
      const requester = (await repos.accounts.userNames([change.requesterId])).get(change.requesterId) ?? 'someone';
      const facts = await changeFacts(repos, change);
      for (const a of approvals) {
        const rule = active.bundle.approvals.stages.find((s) => s.name === a.stage)?.rules.find((r) => r.name === a.rule);
        let plan: ClockPlan | null;
        // A board answers within its own response time (an ECAB within the hour unless it says otherwise).
        const board = a.approverKind === 'board' ? await repos.boards.find(a.approverRef) : null;
        if (board?.responseMinutes) plan = { target: `board:${board.name}`, clock: 'wall', workingMs: board.responseMinutes * 60_000 };
        else if (rule && rule.dueMs !== null) plan = { target: `rule:${a.rule}`, clock: 'wall', workingMs: rule.dueMs };
        else {
          if (sla === undefined) {
            const target = slaTargetFor(active.bundle.slas, 'approval_response', context ?? (await risk.approvalContextOf(repos, change, active)));
            sla = target ? { target: target.name, clock: target.clock, workingMs: target.targetWorkingMs } : null;
          }
          plan = sla;
        }
        if (plan) {
          const clock = await startClock(repos, change, active, 'approval_response', plan, a.id, true);
          a.dueAt = clock.dueAt;
          await repos.approvals.setDue(a.id, clock.dueAt);
        }
        const convenes = board ? board.kind === 'ecab' : ruleConvenesEcab(active, a);
        await outbox.notify(repos, {
          recipients: [approverOf(a)],
          excludeUserIds: partiesOf(change),
          ...(convenes ? { urgent: true } : {}),
          kind: 'approval_requested',
          title: `${changeWords(change)} needs your approval${a.dueAt ? ` by ${timeToken(a.dueAt)}` : ''}.`,
          body: `${a.stageLabel}: ${a.reason}. Requested by ${requester}. ${facts}`.trim(),
          changeId: change.id,
          approvalId: a.id,
        });
      }
    },

    /** An approval was decided: its clock stops (a late decision is recorded as a breach). */
    async approvalDecided(repos: Repositories, actor: Actor, change: ChangeRecord, approvalId: string): Promise<void> {
      for (const clock of await repos.sla.running({ changeId: change.id, approvalIds: [approvalId] })) await stopClock(repos, clock, change, actor.requestId);
    },

    /** Stops the clocks of the change's cancelled approvals (a cancelled approval is neither met nor breached). */
    async approvalsCancelled(repos: Repositories, changeId: string): Promise<void> {
      const at = deps.now().toISOString();
      for (const clock of await repos.sla.runningForCancelledApprovals(changeId)) await repos.sla.stop(clock.id, at);
    },

    /**
     * A change moved: time to schedule starts when it leaves its model's first state for the first time,
     * and stops when it enters a state that needs approvals or a final state.
     */
    async changeTransitioned(repos: Repositories, actor: Actor, before: ChangeRecord, after: ChangeRecord, active: ActivePolicy): Promise<void> {
      const model = active.bundle.models[after.type];
      const state = model ? findState(model, after.state) : undefined;
      if (!model || !state) return;
      if (state.requiresApprovals || state.final) {
        for (const clock of await repos.sla.running({ changeId: after.id, metric: 'time_to_schedule' })) await stopClock(repos, clock, after, actor.requestId);
        return;
      }
      if (before.state !== model.initial || after.state === model.initial || (await repos.sla.hasAny(after.id, 'time_to_schedule'))) return;
      const target = slaTargetFor(active.bundle.slas, 'time_to_schedule', await risk.approvalContextOf(repos, after, active));
      if (target) await startClock(repos, after, active, 'time_to_schedule', { target: target.name, clock: target.clock, workingMs: target.targetWorkingMs }, null, false);
    },

    /**
     * One pass of the timers: reminders due now (once per clock, while it is not yet due), then breaches.
     * A breached approval is escalated: a board's to its delegates (told, their votes count towards its quorum),
     * any other (or a board's without delegates) to its rule's escalation target, who may decide it from then on.
     * Each clock is handled in its own transaction and claimed first, so concurrent workers never act twice.
     */
    async tick(opts: { limit?: number } = {}): Promise<{ reminded: number; breached: number; escalated: number }> {
      const done = { reminded: 0, breached: 0, escalated: 0 };
      const limit = opts.limit ?? 200;
      const nowIso = deps.now().toISOString();
      // The policy that says which approvals convene the ECAB: read once, outside the transactions, if any clock is due.
      let policyRead: Promise<ActivePolicy | null> | undefined;
      const activePolicy = () => (policyRead ??= deps.policy.activeOrNull());
      for (const clock of await store.repos.sla.dueForReminder(nowIso, limit)) {
        const active = await activePolicy();
        await store.transaction(async (repos) => {
          const at = deps.now().toISOString();
          const approval = clock.approvalId ? await repos.approvals.find(clock.approvalId) : null;
          const change = await repos.changes.findById(clock.changeId);
          if (!approval || !change || approval.state !== 'pending') return;
          if (!(await repos.sla.claimReminder(clock.id, at))) return;
          await outbox.notify(repos, {
            recipients: [approverOf(approval)],
            excludeUserIds: partiesOf(change),
            ...urgentFor(active, approval),
            kind: 'approval_reminder',
            title: `Reminder: ${changeWords(change)} needs your approval by ${timeToken(clock.dueAt)}.`,
            body: `${approval.stageLabel}: ${approval.reason}. The ${METRIC_WORDS[clock.metric]} target (${clock.target}) is due then.`,
            changeId: change.id,
            approvalId: approval.id,
          });
          done.reminded++;
        });
      }
      for (const clock of await store.repos.sla.dueForBreach(nowIso, limit)) {
        const active = await activePolicy();
        await store.transaction(async (repos) => {
          const at = deps.now().toISOString();
          const change = await repos.changes.findById(clock.changeId);
          const approval = clock.approvalId ? await repos.approvals.find(clock.approvalId) : null;
          if (!change) return;
          // An approval closed by a path that did not stop its clock: stop it instead of breaching.
          if (clock.approvalId && approval?.state !== 'pending') {
            await repos.sla.stop(clock.id, at);
            return;
          }
          if (!(await repos.sla.claimBreach(clock.id, at))) return;
          const actor = worker();
          await audit(repos, actor, at, 'sla.breached', 'change', change.id, breachData(change, clock, approval));
          done.breached++;
          const urgent = approval ? urgentFor(active, approval) : {};
          // A board's overdue approval goes to its delegates first; the rule's target only when it has none.
          const delegates = approval ? await delegatesFor(repos, approval, change) : null;
          const escalation = !approval
            ? null
            : delegates
              ? {
                  target: { kind: 'board', ref: delegates.boardId },
                  audited: { kind: 'board', ref: delegates.boardId, delegates: delegates.userIds },
                  recipients: delegates.userIds.map((ref) => ({ kind: 'user' as const, ref })),
                  title: `Escalated to you: ${changeWords(change)} is overdue for ${approval.approverLabel}'s approval.`,
                  body: `${approval.approverLabel} did not decide it by ${timeToken(clock.dueAt)} (${clock.target}); as its delegate, your vote counts towards its quorum.`,
                }
              : approval.escalateKind && approval.escalateRef
                ? {
                    target: undefined,
                    audited: { kind: approval.escalateKind, ref: approval.escalateRef },
                    recipients: [{ kind: approval.escalateKind as NotificationRecipient['kind'], ref: approval.escalateRef }],
                    title: `Escalated to you: ${changeWords(change)} is overdue for approval.`,
                    body: `${await approverWords(repos, approval)} did not decide it by ${timeToken(clock.dueAt)} (${clock.target}); you may decide it now.`,
                  }
                : null;
          if (approval && escalation && (await repos.approvals.markEscalated(approval.id, at, escalation.target))) {
            await repos.sla.markEscalated(clock.id, at);
            await audit(repos, actor, at, 'approval.escalated', 'change', change.id, {
              number: change.number,
              approvalId: approval.id,
              rule: approval.rule,
              approver: approval.approverLabel,
              escalateTo: escalation.audited,
              dueAt: clock.dueAt,
            });
            await outbox.notify(repos, {
              recipients: escalation.recipients,
              excludeUserIds: partiesOf(change),
              ...urgent,
              kind: 'approval_escalated',
              title: escalation.title,
              body: escalation.body,
              changeId: change.id,
              approvalId: approval.id,
            });
            done.escalated++;
            return;
          }
          await outbox.notify(repos, {
            recipients: approval ? [approverOf(approval)] : change.changeManagerId ? [{ kind: 'user', ref: change.changeManagerId }] : [{ kind: 'role', ref: 'change_manager' }],
            excludeUserIds: approval ? partiesOf(change) : [],
            ...urgent,
            kind: 'sla_breached',
            title: `${changeWords(change)} missed its ${METRIC_WORDS[clock.metric]} target.`,
            body: `The ${clock.target} target was due ${timeToken(clock.dueAt)}.${approval ? ` ${await approverWords(repos, approval)} had not decided ${approval.stageLabel} by then.` : ''}`,
            changeId: change.id,
            ...(approval ? { approvalId: approval.id } : {}),
          });
        });
      }
      return done;
    },

    /** The SLA clocks of a change, oldest first. */
    async forChange(actor: Actor, changeId: string): Promise<SlaClock[]> {
      assertPermission(actor, 'change.read');
      const change = await store.repos.changes.findById(changeId);
      if (!change) throw new NotFoundError('Change', changeId);
      const approvals = new Map((await store.repos.approvals.forChange(change.id)).map((a) => [a.id, a]));
      return (await store.repos.sla.forChange(change.id)).map((c) => present(c, c.approvalId ? approvals.get(c.approvalId) : null));
    },

    /** Recorded breaches, newest first (GET /api/v1/sla/breaches). */
    async breaches(actor: Actor, query: SlaBreachQuery): Promise<{ items: SlaBreach[]; nextCursor: string | null }> {
      assertPermission(actor, 'sla.read');
      const before = decodeInstantCursor(query.cursor);
      const changeId = query.changeId ? ((await store.repos.changes.findById(query.changeId))?.id ?? query.changeId) : undefined;
      const rows = await store.repos.sla.breaches({ metric: query.metric, changeId, from: query.from, to: query.to, before, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        items: page.map((r) => ({ ...present(r, { rule: r.rule ?? '', approverLabel: r.approverLabel ?? '' }), rule: r.rule, approverLabel: r.approverLabel, changeNumber: r.changeNumber, changeTitle: r.changeTitle, changeType: r.changeType })),
        // Only breached clocks are listed, so breachedAt is set.
        nextCursor: rows.length > query.limit && last ? encodeInstantCursor(last.breachedAt!, last.id) : null,
      };
    },

  };
  return service;
}
export type SlaService = ReturnType<typeof createSlaService>;
