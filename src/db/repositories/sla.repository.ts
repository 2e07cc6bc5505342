import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB, SlaClocksTable } from '../schema';

export type SlaMetricName = 'approval_response' | 'time_to_schedule';

/** One SLA clock: what it measures, its target and due time, and what the worker did about it. */
export interface SlaClockRecord {
  id: string;
  changeId: string;
  /** The approval it times (approval_response), or null (time_to_schedule). */
  approvalId: string | null;
  metric: SlaMetricName;
  /** The SLA target's name, or `rule:<name>` when the approval rule's own `due` set the time. */
  target: string;
  clock: 'business' | 'wall';
  policyVersion: number;
  startedAt: string;
  dueAt: string;
  remindAt: string | null;
  stoppedAt: string | null;
  remindedAt: string | null;
  breachedAt: string | null;
  escalatedAt: string | null;
}

/** A breached clock with its change (and approval) for the report. */
export interface SlaBreachRow extends SlaClockRecord {
  changeNumber: string;
  changeTitle: string;
  changeType: string;
  rule: string | null;
  approverLabel: string | null;
}

export interface SlaBreachFilter {
  metric?: SlaMetricName;
  changeId?: string;
  from?: string;
  to?: string;
  /** Keyset: breaches strictly before this (breached_at, id) pair, newest first. */
  before?: { at: string; id: string };
  limit: number;
}

/** SLA clocks. Every worker step claims its clock with a conditional UPDATE, so two workers never both act. */
export function createSlaRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: SlaClocksTable): SlaClockRecord => ({
    id: r.id,
    changeId: r.change_id,
    approvalId: r.approval_id,
    metric: r.metric as SlaMetricName,
    target: r.target,
    clock: r.clock as SlaClockRecord['clock'],
    policyVersion: Number(r.policy_version),
    startedAt: h.readInstant(r.started_at)!,
    dueAt: h.readInstant(r.due_at)!,
    remindAt: h.readInstant(r.remind_at),
    stoppedAt: h.readInstant(r.stopped_at),
    remindedAt: h.readInstant(r.reminded_at),
    breachedAt: h.readInstant(r.breached_at),
    escalatedAt: h.readInstant(r.escalated_at),
  });
  const claimed = (res: { numUpdatedRows: bigint }) => Number(res.numUpdatedRows) === 1;

  return {
    async insert(c: SlaClockRecord): Promise<void> {
      await db
        .insertInto('sla_clocks')
        .values({
          id: c.id,
          change_id: c.changeId,
          approval_id: c.approvalId,
          metric: c.metric,
          target: c.target,
          clock: c.clock,
          policy_version: c.policyVersion,
          started_at: c.startedAt,
          due_at: c.dueAt,
          remind_at: c.remindAt,
          stopped_at: c.stoppedAt,
          reminded_at: c.remindedAt,
          breached_at: c.breachedAt,
          escalated_at: c.escalatedAt,
        })
        .execute();
    },
    async find(id: string): Promise<SlaClockRecord | null> {
      const row = await db.selectFrom('sla_clocks').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** Every clock of the change, oldest first. */
    async forChange(changeId: string): Promise<SlaClockRecord[]> {
      return (await db.selectFrom('sla_clocks').selectAll().where('change_id', '=', changeId).orderBy('started_at').orderBy('id').execute()).map(toRecord);
    },
    /** Whether the change ever had a clock of this metric. */
    async hasAny(changeId: string, metric: SlaMetricName): Promise<boolean> {
      return (await db.selectFrom('sla_clocks').select('id').where('change_id', '=', changeId).where('metric', '=', metric).limit(1).executeTakeFirst()) !== undefined;
    },
    /** The running clocks of the change for a metric (or of the given approvals). */
    async running(filter: { changeId: string; metric?: SlaMetricName; approvalIds?: string[] }): Promise<SlaClockRecord[]> {
      let q = db.selectFrom('sla_clocks').selectAll().where('change_id', '=', filter.changeId).where('stopped_at', 'is', null);
      if (filter.metric) q = q.where('metric', '=', filter.metric);
      if (filter.approvalIds) {
        if (filter.approvalIds.length === 0) return [];
        q = q.where('approval_id', 'in', filter.approvalIds);
      }
      return (await q.orderBy('started_at').execute()).map(toRecord);
    },
    /** The running approval clocks of the change whose approvals were cancelled. */
    async runningForCancelledApprovals(changeId: string): Promise<SlaClockRecord[]> {
      const rows = await db
        .selectFrom('sla_clocks')
        .selectAll()
        .where('change_id', '=', changeId)
        .where('stopped_at', 'is', null)
        .where('approval_id', 'in', db.selectFrom('approvals').select('id').where('change_id', '=', changeId).where('state', '=', 'withdrawn'))
        .execute();
      return rows.map(toRecord);
    },
    /** Stops a running clock; false when it had stopped already. */
    async stop(id: string, at: string): Promise<boolean> {
      return claimed(await db.updateTable('sla_clocks').set({ stopped_at: at }).where('id', '=', id).where('stopped_at', 'is', null).executeTakeFirst());
    },
    /** Running clocks whose reminder is due and that are not due yet, earliest first. */
    async dueForReminder(now: string, limit: number): Promise<SlaClockRecord[]> {
      const rows = await db
        .selectFrom('sla_clocks')
        .selectAll()
        .where('stopped_at', 'is', null)
        .where('reminded_at', 'is', null)
        .where('remind_at', '<=', now)
        .where('due_at', '>', now)
        .orderBy('remind_at')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
    /** Claims the reminder of a clock; false when another worker sent it or the clock stopped. */
    async claimReminder(id: string, at: string): Promise<boolean> {
      return claimed(await db.updateTable('sla_clocks').set({ reminded_at: at }).where('id', '=', id).where('reminded_at', 'is', null).where('stopped_at', 'is', null).executeTakeFirst());
    },
    /** Running clocks past their due time and not recorded as breached yet, earliest first. */
    async dueForBreach(now: string, limit: number): Promise<SlaClockRecord[]> {
      const rows = await db
        .selectFrom('sla_clocks')
        .selectAll()
        .where('stopped_at', 'is', null)
        .where('breached_at', 'is', null)
        .where('due_at', '<=', now)
        .orderBy('due_at')
        .limit(limit)
        .execute();
      return rows.map(toRecord);
    },
    /** Records the breach of a clock; false when it was recorded already. */
    async claimBreach(id: string, at: string): Promise<boolean> {
      return claimed(await db.updateTable('sla_clocks').set({ breached_at: at }).where('id', '=', id).where('breached_at', 'is', null).executeTakeFirst());
    },
    async markEscalated(id: string, at: string): Promise<boolean> {
      return claimed(await db.updateTable('sla_clocks').set({ escalated_at: at }).where('id', '=', id).where('escalated_at', 'is', null).executeTakeFirst());
    },
    /** Breached clocks, newest breach first, with their changes and approvals. */
    async breaches(f: SlaBreachFilter): Promise<SlaBreachRow[]> {
      let q = db
        .selectFrom('sla_clocks as s')
        .innerJoin('changes as c', 'c.id', 's.change_id')
        .leftJoin('approvals as a', 'a.id', 's.approval_id')
        .selectAll('s')
        .select(['c.number as change_number', 'c.title as change_title', 'c.type as change_type', 'a.rule as approval_rule', 'a.approver_label as approver_label'])
        .where('s.breached_at', 'is not', null);
      if (f.metric) q = q.where('s.metric', '=', f.metric);
      if (f.changeId) q = q.where('s.change_id', '=', f.changeId);
      if (f.from) q = q.where('s.breached_at', '>=', f.from);
      if (f.to) q = q.where('s.breached_at', '<', f.to);
      const before = f.before;
      if (before) q = q.where((eb) => eb.or([eb('s.breached_at', '<', before.at), eb.and([eb('s.breached_at', '=', before.at), eb('s.id', '<', before.id)])]));
      const rows = await q.orderBy('s.breached_at', 'desc').orderBy('s.id', 'desc').limit(f.limit).execute();
      return rows.map((r) => ({
        ...toRecord(r),
        changeNumber: r.change_number,
        changeTitle: r.change_title,
        changeType: r.change_type,
        rule: r.approval_rule,
        approverLabel: r.approver_label,
      }));
    },
  };
}
export type SlaRepository = ReturnType<typeof createSlaRepository>;
