import { sql, type Kysely } from 'kysely';
import type { BoardDecision, MeetingState } from '../../contracts/meetings';
import type { DialectHelpers } from '../dialect';
import type { BoardDecisionsTable, BoardMeetingsTable, ChangeConditionsTable, DB } from '../schema';

export interface MeetingRecord {
  id: string;
  boardId: string;
  title: string;
  start: string;
  durationMinutes: number;
  state: MeetingState;
  chairId: string | null;
  startedAt: string | null;
  endedAt: string | null;
  cancelledReason: string | null;
  currentChangeId: string | null;
  currentSince: string | null;
  notes: string;
  minutesHash: string | null;
  /** The recurrence occurrence it was made for; null for an ad hoc meeting. */
  occurrence: string | null;
  version: number;
  createdBy: string;
  createdAt: string;
}

export interface AgendaEditRecord {
  id: string;
  meetingId: string;
  action: 'add' | 'remove' | 'move';
  changeId: string;
  position: number | null;
  reason: string;
  createdBy: string;
  createdAt: string;
}

/** The members who counted towards a decision, with their domains: what the quorum was judged on. */
export interface DecisionQuorum {
  met: boolean;
  voters: number;
  missingMembers: number;
  missingDomains: string[];
  counted: { userId: string; domains: string[] }[];
}

export interface DecisionRecord {
  id: string;
  boardId: string;
  meetingId: string | null;
  changeId: string;
  approvalId: string | null;
  decision: BoardDecision;
  rationale: string;
  deferredTo: string | null;
  votes: { userId: string; name: string; decision: 'approve' | 'reject' }[];
  quorum: DecisionQuorum;
  minutesSpent: number | null;
  decidedBy: string;
  decidedAt: string;
}

/** A board approval with its change, as the agenda reads it. */
export interface BoardQueueRow {
  approvalId: string;
  approvalState: string;
  decidedAt: string | null;
  changeId: string;
  number: string;
  title: string;
  type: string;
  state: string;
  riskLevel: string | null;
  riskScore: number | null;
  plannedStart: string | null;
  templateId: string | null;
}

export interface ConditionRecord {
  id: string;
  changeId: string;
  decisionId: string;
  text: string;
  dueAt: string | null;
  verifierKind: 'person' | 'check' | 'change_manager';
  verifierRef: string | null;
  state: 'open' | 'met';
  metBy: string | null;
  metAt: string | null;
  note: string | null;
  createdAt: string;
}

/** Board meetings, agenda edits, attendance, item times, decisions, conditions and minutes (migration 0038). */
export function createMeetingRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toMeeting = (r: BoardMeetingsTable): MeetingRecord => ({
    id: r.id,
    boardId: r.board_id,
    title: r.title,
    start: h.readInstant(r.start_at)!,
    durationMinutes: Number(r.duration_minutes),
    state: r.state as MeetingState,
    chairId: r.chair_id,
    startedAt: h.readInstant(r.started_at),
    endedAt: h.readInstant(r.ended_at),
    cancelledReason: r.cancelled_reason,
    currentChangeId: r.current_change_id,
    currentSince: h.readInstant(r.current_since),
    notes: r.notes,
    minutesHash: r.minutes_hash,
    occurrence: r.occurrence ?? null,
    version: Number(r.version),
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
  });
  const meetingColumns = (m: MeetingRecord) => ({
    board_id: m.boardId,
    title: m.title,
    start_at: m.start,
    duration_minutes: m.durationMinutes,
    state: m.state,
    chair_id: m.chairId,
    started_at: m.startedAt,
    ended_at: m.endedAt,
    cancelled_reason: m.cancelledReason,
    current_change_id: m.currentChangeId,
    current_since: m.currentSince,
    notes: m.notes,
    minutes_hash: m.minutesHash,
    version: m.version,
  });
  const toDecision = (r: BoardDecisionsTable): DecisionRecord => ({
    id: r.id,
    boardId: r.board_id,
    meetingId: r.meeting_id,
    changeId: r.change_id,
    approvalId: r.approval_id,
    decision: r.decision as BoardDecision,
    rationale: r.rationale,
    deferredTo: r.deferred_to,
    votes: h.readJson(r.votes),
    quorum: h.readJson(r.quorum),
    minutesSpent: r.minutes_spent === null ? null : Number(r.minutes_spent),
    decidedBy: r.decided_by,
    decidedAt: h.readInstant(r.decided_at)!,
  });
  const toCondition = (r: ChangeConditionsTable): ConditionRecord => ({
    id: r.id,
    changeId: r.change_id,
    decisionId: r.decision_id,
    text: r.text,
    dueAt: h.readInstant(r.due_at),
    verifierKind: r.verifier_kind as ConditionRecord['verifierKind'],
    verifierRef: r.verifier_ref,
    state: r.state as ConditionRecord['state'],
    metBy: r.met_by,
    metAt: h.readInstant(r.met_at),
    note: r.note,
    createdAt: h.readInstant(r.created_at)!,
  });

  return {
    /** Stores a new meeting; false when it is a recurrence's occurrence the board already has (made by another worker). */
    async insert(m: MeetingRecord): Promise<boolean> {
      const r = await db
        .insertInto('board_meetings')
        .values({ id: m.id, ...meetingColumns(m), occurrence: m.occurrence, created_by: m.createdBy, created_at: m.createdAt })
        .onConflict((oc) => oc.columns(['board_id', 'occurrence']).where('occurrence', 'is not', null).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** The occurrences (starts) of the board's recurrence it already has meetings for, from `from` on. */
    async occurrencesOf(boardId: string, from: string): Promise<Set<string>> {
      const rows = await db.selectFrom('board_meetings').select('occurrence').where('board_id', '=', boardId).where('occurrence', '>=', from).execute();
      return new Set(rows.flatMap((r) => (r.occurrence ? [r.occurrence] : [])));
    },
    /** Stores `m` if the stored version is still `expectedVersion`; false when someone saved since. */
    async update(m: MeetingRecord, expectedVersion: number): Promise<boolean> {
      const r = await db.updateTable('board_meetings').set(meetingColumns(m)).where('id', '=', m.id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async find(id: string, opts: { lock?: boolean } = {}): Promise<MeetingRecord | null> {
      let q = db.selectFrom('board_meetings').selectAll().where('id', '=', id);
      if (opts.lock && h.name === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      return row ? toMeeting(row) : null;
    },
    /** Meetings by start (then id), filtered. */
    async list(f: { boardId?: string; from?: string; to?: string; states?: MeetingState[]; limit: number }): Promise<MeetingRecord[]> {
      let q = db.selectFrom('board_meetings').selectAll().orderBy('start_at').orderBy('id').limit(f.limit);
      if (f.boardId) q = q.where('board_id', '=', f.boardId);
      if (f.from) q = q.where('start_at', '>=', f.from);
      if (f.to) q = q.where('start_at', '<', f.to);
      if (f.states?.length) q = q.where('state', 'in', f.states);
      return (await q.execute()).map(toMeeting);
    },
    /** The board's meetings not cancelled that start after `after`, earliest first. */
    async nextOf(boardId: string, after: string, limit: number): Promise<MeetingRecord[]> {
      const rows = await db
        .selectFrom('board_meetings')
        .selectAll()
        .where('board_id', '=', boardId)
        .where('state', '!=', 'cancelled')
        .where('start_at', '>', after)
        .orderBy('start_at')
        .orderBy('id')
        .limit(limit)
        .execute();
      return rows.map(toMeeting);
    },

    async addAgendaEdit(e: AgendaEditRecord): Promise<void> {
      await db
        .insertInto('meeting_agenda_edits')
        .values({
          id: e.id,
          meeting_id: e.meetingId,
          action: e.action,
          change_id: e.changeId,
          position: e.position,
          reason: e.reason,
          created_by: e.createdBy,
          created_at: e.createdAt,
        })
        .execute();
    },
    async agendaEdits(meetingId: string): Promise<AgendaEditRecord[]> {
      const rows = await db.selectFrom('meeting_agenda_edits').selectAll().where('meeting_id', '=', meetingId).orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => ({
        id: r.id,
        meetingId: r.meeting_id,
        action: r.action as AgendaEditRecord['action'],
        changeId: r.change_id,
        position: r.position === null ? null : Number(r.position),
        reason: r.reason,
        createdBy: r.created_by,
        createdAt: h.readInstant(r.created_at)!,
      }));
    },

    async setAttendance(meetingId: string, rows: { userId: string; present: boolean; attested: boolean }[], by: string, at: string): Promise<void> {
      for (const r of rows) {
        const values = { present: h.writeBool(r.present), recorded_by: by, attested: h.writeBool(r.attested), recorded_at: at };
        await db
          .insertInto('meeting_attendance')
          .values({ meeting_id: meetingId, user_id: r.userId, ...values })
          .onConflict((oc) => oc.columns(['meeting_id', 'user_id']).doUpdateSet(values))
          .execute();
      }
    },
    async attendance(meetingIds: readonly string[]): Promise<{ meetingId: string; userId: string; present: boolean; attested: boolean; recordedBy: string }[]> {
      if (meetingIds.length === 0) return [];
      const rows = await db.selectFrom('meeting_attendance').selectAll().where('meeting_id', 'in', [...meetingIds]).orderBy('recorded_at').orderBy('user_id').execute();
      return rows.map((r) => ({ meetingId: r.meeting_id, userId: r.user_id, present: h.readBool(r.present), attested: h.readBool(r.attested), recordedBy: r.recorded_by }));
    },

    /** Adds seconds to the time spent on an item. */
    async addItemTime(meetingId: string, changeId: string, seconds: number): Promise<void> {
      if (seconds <= 0) return;
      await db
        .insertInto('meeting_item_times')
        .values({ meeting_id: meetingId, change_id: changeId, seconds })
        .onConflict((oc) => oc.columns(['meeting_id', 'change_id']).doUpdateSet({ seconds: sql`meeting_item_times.seconds + ${seconds}` }))
        .execute();
    },
    async itemTimes(meetingIds: readonly string[]): Promise<{ meetingId: string; changeId: string; seconds: number }[]> {
      if (meetingIds.length === 0) return [];
      const rows = await db.selectFrom('meeting_item_times').selectAll().where('meeting_id', 'in', [...meetingIds]).execute();
      return rows.map((r) => ({ meetingId: r.meeting_id, changeId: r.change_id, seconds: Number(r.seconds) }));
    },

    /** The board's approvals in these states (or decided in [from, to)), with their changes, by planned start. */
    async boardQueue(boardId: string, f: { states: string[]; decidedFrom?: string; decidedTo?: string }): Promise<BoardQueueRow[]> {
      let q = db
        .selectFrom('approvals as a')
        .innerJoin('changes as c', 'c.id', 'a.change_id')
        .select([
          'a.id as approval_id',
          'a.state as approval_state',
          'a.decided_at',
          'c.id as change_id',
          'c.number',
          'c.title',
          'c.type',
          'c.state',
          'c.risk_level',
          'c.risk_override_level',
          'c.risk_score',
          'c.planned_start',
          'c.template_id',
        ])
        .where('a.approver_kind', '=', 'board')
        .where('a.approver_ref', '=', boardId)
        .where('a.state', 'in', f.states);
      if (f.decidedFrom) q = q.where('a.decided_at', '>=', f.decidedFrom);
      if (f.decidedTo) q = q.where('a.decided_at', '<', f.decidedTo);
      const rows = await q.orderBy('c.planned_start').orderBy('c.seq').limit(1000).execute();
      return rows.map((r) => ({
        approvalId: r.approval_id,
        approvalState: r.approval_state,
        decidedAt: h.readInstant(r.decided_at),
        changeId: r.change_id,
        number: r.number,
        title: r.title,
        type: r.type,
        state: r.state,
        // The level in force: a change manager's override, else the assessed one.
        riskLevel: r.risk_override_level ?? r.risk_level,
        riskScore: r.risk_score === null ? null : Number(r.risk_score),
        plannedStart: h.readInstant(r.planned_start),
        templateId: r.template_id,
      }));
    },
    /**
     * The retrospective queue of a reviewing board: approvals the source boards gave under the rules before
     * `before`, which the reviewer has not ratified or flagged since, oldest first.
     */
    async retrospectiveQueue(f: {
      sourceBoardIds: string[];
      rules: string[];
      reviewerId: string;
      before: string;
    }): Promise<{ approvalId: string; changeId: string; boardId: string; rule: string; approvedAt: string }[]> {
      if (f.sourceBoardIds.length === 0 || f.rules.length === 0) return [];
      const rows = await db
        .selectFrom('approvals as a')
        .select(['a.id', 'a.change_id', 'a.approver_ref', 'a.rule', 'a.decided_at'])
        .where('a.approver_kind', '=', 'board')
        .where('a.approver_ref', 'in', f.sourceBoardIds)
        .where('a.rule', 'in', f.rules)
        .where('a.state', '=', 'approved')
        .where('a.decided_at', '<', f.before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('board_decisions as d')
                .select('d.id')
                .whereRef('d.change_id', '=', 'a.change_id')
                .where('d.board_id', '=', f.reviewerId)
                .where('d.decision', 'in', ['ratify', 'flag'])
                .whereRef('d.decided_at', '>=', 'a.decided_at'),
            ),
          ),
        )
        .orderBy('a.decided_at')
        .orderBy('a.id')
        .execute();
      return rows.map((r) => ({ approvalId: r.id, changeId: r.change_id, boardId: r.approver_ref, rule: r.rule, approvedAt: h.readInstant(r.decided_at)! }));
    },
    /**
     * How changes like this one went: the closed changes that share its team, one of its CIs or its template,
     * newest first (ten), with how many there are and how many did not succeed.
     */
    async historyOf(c: { id: string; assignmentTeamId: string | null; ciIds: string[]; templateId: string | null }): Promise<{ total: number; unsuccessful: number; recent: { number: string; title: string; closeCode: string | null }[] }> {
      const related = db
        .selectFrom('changes as o')
        .where('o.id', '!=', c.id)
        .where('o.close_code', 'is not', null)
        .where((eb) =>
          eb.or([
            ...(c.assignmentTeamId ? [eb('o.assignment_team_id', '=', c.assignmentTeamId)] : []),
            ...(c.templateId ? [eb('o.template_id', '=', c.templateId)] : []),
            ...(c.ciIds.length ? [eb('o.id', 'in', db.selectFrom('change_cis').select('change_id').where('ci_id', 'in', c.ciIds))] : []),
            sql<boolean>`1 = 0`,
          ]),
        );
      const counts = await related
        .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>(eb.case().when('o.close_code', '!=', 'successful').then(1).else(0).end()).as('unsuccessful')])
        .executeTakeFirst();
      const recent = await related.select(['o.number', 'o.title', 'o.close_code']).orderBy('o.seq', 'desc').limit(10).execute();
      return {
        total: Number(counts?.total ?? 0),
        unsuccessful: Number(counts?.unsuccessful ?? 0),
        recent: recent.map((r) => ({ number: r.number, title: r.title, closeCode: r.close_code })),
      };
    },
    /** Open standard changes planned in [from, to): the agenda's FYI list, before the board's scope narrows it. */
    async standardPlanned(from: string, to: string | null, finalStates: readonly string[]): Promise<{ id: string }[]> {
      let q = db.selectFrom('changes').select('id').where('type', '=', 'standard').where('planned_start', '>=', from);
      if (to) q = q.where('planned_start', '<', to);
      if (finalStates.length) q = q.where('state', 'not in', [...finalStates]);
      return q.orderBy('planned_start').limit(200).execute();
    },

    async insertDecision(d: DecisionRecord): Promise<void> {
      await db
        .insertInto('board_decisions')
        .values({
          id: d.id,
          board_id: d.boardId,
          meeting_id: d.meetingId,
          change_id: d.changeId,
          approval_id: d.approvalId,
          decision: d.decision,
          rationale: d.rationale,
          deferred_to: d.deferredTo,
          votes: h.writeJson(d.votes),
          quorum: h.writeJson(d.quorum),
          minutes_spent: d.minutesSpent,
          decided_by: d.decidedBy,
          decided_at: d.decidedAt,
        })
        .execute();
    },
    async decisions(f: { meetingId?: string; changeId?: string; boardId?: string; approvalIds?: readonly string[]; from?: string; to?: string }): Promise<DecisionRecord[]> {
      let q = db.selectFrom('board_decisions').selectAll().orderBy('decided_at').orderBy('id');
      if (f.meetingId) q = q.where('meeting_id', '=', f.meetingId);
      if (f.changeId) q = q.where('change_id', '=', f.changeId);
      if (f.boardId) q = q.where('board_id', '=', f.boardId);
      if (f.approvalIds) {
        if (f.approvalIds.length === 0) return [];
        q = q.where('approval_id', 'in', [...f.approvalIds]);
      }
      if (f.from) q = q.where('decided_at', '>=', f.from);
      if (f.to) q = q.where('decided_at', '<', f.to);
      return (await q.execute()).map(toDecision);
    },

    async insertConditions(rows: ConditionRecord[]): Promise<void> {
      if (rows.length === 0) return;
      await db
        .insertInto('change_conditions')
        .values(
          rows.map((c) => ({
            id: c.id,
            change_id: c.changeId,
            decision_id: c.decisionId,
            text: c.text,
            due_at: c.dueAt,
            verifier_kind: c.verifierKind,
            verifier_ref: c.verifierRef,
            state: c.state,
            met_by: c.metBy,
            met_at: c.metAt,
            note: c.note,
            created_at: c.createdAt,
          })),
        )
        .execute();
    },
    async conditions(changeId: string): Promise<ConditionRecord[]> {
      const rows = await db.selectFrom('change_conditions').selectAll().where('change_id', '=', changeId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toCondition);
    },
    async conditionsOfDecisions(decisionIds: readonly string[]): Promise<ConditionRecord[]> {
      if (decisionIds.length === 0) return [];
      const rows = await db.selectFrom('change_conditions').selectAll().where('decision_id', 'in', [...decisionIds]).orderBy('created_at').orderBy('id').execute();
      return rows.map(toCondition);
    },
    /** Marks an open condition met; false when it was not open (met meanwhile). */
    async meetCondition(id: string, by: string, at: string, note: string | null): Promise<boolean> {
      const r = await db
        .updateTable('change_conditions')
        .set({ state: 'met', met_by: by, met_at: at, note })
        .where('id', '=', id)
        .where('state', '=', 'open')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Writes the minutes once; false when the meeting already has minutes. */
    async insertMinutes(m: { meetingId: string; markdown: string; sha256: string; createdBy: string; createdAt: string }): Promise<boolean> {
      const r = await db
        .insertInto('meeting_minutes')
        .values({ meeting_id: m.meetingId, markdown: m.markdown, sha256: m.sha256, created_by: m.createdBy, created_at: m.createdAt })
        .onConflict((oc) => oc.column('meeting_id').doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async minutes(meetingId: string): Promise<{ meetingId: string; markdown: string; sha256: string; createdBy: string; createdAt: string } | null> {
      const r = await db.selectFrom('meeting_minutes').selectAll().where('meeting_id', '=', meetingId).executeTakeFirst();
      return r ? { meetingId: r.meeting_id, markdown: r.markdown, sha256: r.sha256, createdBy: r.created_by, createdAt: h.readInstant(r.created_at)! } : null;
    },
  };
}
export type MeetingRepository = ReturnType<typeof createMeetingRepository>;
