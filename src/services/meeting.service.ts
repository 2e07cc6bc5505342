import {
  AgendaEditRequest,
  AttendanceRequest,
  DecisionRequest,
  MeetingRequest,
  MeetingUpdate,
  type AgendaView,
  type Condition,
  type DecisionView,
  type Meeting,
  type MeetingListQuery,
  type Minutes,
  type PreRead,
} from '../contracts/meetings';
import { systemActor, type Actor } from '../domain/actor';
import { occurrences, windowRuleIssues } from '../domain/schedule/windows';
import { timeToken } from '../domain/notification/texts';
import { writeMeetingIcs } from '../integrations/ical/ics-meeting';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { buildAgenda, type AgendaAdjustment, type AgendaCandidate } from '../domain/cab/agenda';
import { boardPeople, boardVoteOutcome, checkQuorum, nextChair } from '../domain/cab/board';
import { DEFAULT_ALLOTMENT, minutesHash, renderMinutes } from '../domain/cab/minutes';
import { isPartyTo, partyRole } from '../domain/approval/segregation';
import { counts } from '../domain/approval/quorum';
import { ConflictError, ForbiddenError, NotFoundError, PolicyError, StaleVersionError, type Issue } from '../domain/errors';
import { RISK_LEVELS, type RiskLevel } from '../domain/risk/score';
import type { BoardRecord, ChangeRecord, ConditionRecord, DecisionRecord, MeetingRecord, Repositories } from '../db/repositories';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import type { ApprovalService } from './approval.service';
import { presentCondition, mayVerify, type ConditionChecks } from './conditions';
import type { MeetingNotice } from './notice-mail.service';
import type { OutboxService } from './outbox.service';
import type { ActivePolicy, PolicyService } from './policy.service';
import { boardTakes, scopeProblem } from './board.service';
import { addRetrospectives, isRetrospectiveDecision, retrospectivesOf } from './retrospectives';
import type { RiskService } from './risk.service';
import type { ScheduleService } from './schedule.service';

export interface MeetingServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  approvals: ApprovalService;
  outbox: OutboxService;
  conditions: ConditionChecks;
  /** The change's impact over the CMDB, for the pre-read (the same as its change page shows). */
  schedule: Pick<ScheduleService, 'impact'>;
}

const MINUTE = 60_000;
const riskOf = (level: string | null): RiskLevel => ((RISK_LEVELS as readonly string[]).includes(level ?? '') ? (level as RiskLevel) : 'low');

/**
 * Board meetings (docs/cab.md#meetings): scheduled by change managers, run by their chair (or a change
 * manager), with an agenda that builds itself from the changes awaiting the board, decisions that settle the
 * board's approvals (with conditions the change must meet before it starts), and minutes that cannot change
 * once the meeting ended.
 */
export function createMeetingService(deps: MeetingServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();
  /** When this process last made recurring meetings (epoch ms), so the worker's pass runs once a minute. */
  let lastRecurring: number | null = null;

  async function loadBoard(repos: Repositories, ref: string): Promise<BoardRecord> {
    const b = await repos.boards.find(ref);
    if (!b) throw new NotFoundError('Board', ref);
    return b;
  }
  async function loadMeeting(repos: Repositories, id: string, opts: { lock?: boolean } = {}): Promise<MeetingRecord> {
    const m = await repos.meetings.find(id, opts);
    if (!m) throw new NotFoundError('Meeting', id);
    return m;
  }
  async function loadChange(repos: Repositories, ref: string, opts: { lock?: boolean } = {}): Promise<ChangeRecord> {
    const c = await repos.changes.findById(ref, opts);
    if (!c) throw new NotFoundError('Change', ref);
    return c;
  }
  /** A person by id or email, or null. */
  async function userIdOf(repos: Repositories, ref: string): Promise<string | null> {
    if ((await repos.accounts.existingUserIds([ref])).has(ref)) return ref;
    return ref.includes('@') ? ((await repos.accounts.findUserByEmail(ref.toLowerCase()))?.id ?? null) : null;
  }

  /** The chair or a change manager (board.manage) runs a meeting: starts it, records attendance and decisions, ends it. */
  function assertMayRun(actor: Actor, m: MeetingRecord): void {
    assertPermission(actor, 'board.read');
    if (m.chairId === actor.userId || hasPermission(actor, 'board.manage')) return;
    throw new ForbiddenError('Only the chair of this meeting or a change manager may run it.', 'not_the_chair', { meetingId: m.id, chairId: m.chairId });
  }
  function assertState(m: MeetingRecord, states: MeetingRecord['state'][], doing: string): void {
    if (states.includes(m.state)) return;
    throw new ConflictError(`meeting_${m.state}`, `The meeting is ${m.state}; it cannot ${doing}.`, { state: m.state, allowed: states });
  }

  async function present(repos: Repositories, meetings: MeetingRecord[]): Promise<Meeting[]> {
    if (meetings.length === 0) return [];
    const boards = new Map<string, BoardRecord>();
    for (const id of new Set(meetings.map((m) => m.boardId))) boards.set(id, await loadBoard(repos, id));
    const seats = await repos.boards.seatsOf([...boards.keys()]);
    const attendance = await repos.meetings.attendance(meetings.map((m) => m.id));
    const names = await repos.accounts.userNames([...new Set([...meetings.flatMap((m) => (m.chairId ? [m.chairId] : [])), ...attendance.map((a) => a.userId)])]);
    const numbers = new Map<string, string>();
    for (const id of new Set(meetings.flatMap((m) => (m.currentChangeId ? [m.currentChangeId] : [])))) numbers.set(id, (await repos.changes.findById(id))?.number ?? id);
    return meetings.map((m) => {
      const board = boards.get(m.boardId)!;
      return {
        id: m.id,
        boardId: m.boardId,
        boardName: board.name,
        boardKind: board.kind,
        title: m.title,
        start: m.start,
        end: new Date(Date.parse(m.start) + m.durationMinutes * MINUTE).toISOString(),
        durationMinutes: m.durationMinutes,
        state: m.state,
        chair: m.chairId ? { userId: m.chairId, name: names.get(m.chairId) ?? m.chairId } : null,
        startedAt: m.startedAt,
        endedAt: m.endedAt,
        cancelledReason: m.cancelledReason,
        currentItem: m.currentChangeId && m.currentSince ? { changeId: m.currentChangeId, number: numbers.get(m.currentChangeId) ?? m.currentChangeId, since: m.currentSince } : null,
        notes: m.notes,
        attendance: attendance
          .filter((a) => a.meetingId === m.id)
          .map((a) => ({ userId: a.userId, name: names.get(a.userId) ?? a.userId, present: a.present, attested: a.attested, domains: seats.get(m.boardId)?.get(a.userId) ?? [] })),
        minutesHash: m.minutesHash,
        version: m.version,
        createdBy: m.createdBy,
        createdAt: m.createdAt,
      };
    });
  }
  const presentOne = async (repos: Repositories, m: MeetingRecord) => (await present(repos, [m]))[0]!;

  /** Writes the meeting if nobody saved it since `m.version - 1`; 412 otherwise. */
  async function save(repos: Repositories, m: MeetingRecord, expected: number): Promise<void> {
    if (!(await repos.meetings.update(m, expected))) {
      const now = await repos.meetings.find(m.id);
      throw new StaleVersionError('Meeting', m.title, expected, now?.version ?? expected);
    }
  }

  /**
   * The chair of a new meeting starting at `start`: the board's rule over its people in member order, from who
   * chaired before, skipping those away then (a delegation of theirs covers that instant). When every member is
   * away, the same rule over the board's delegates who are not; null when they are all away too (a change
   * manager runs the meeting).
   */
  async function pickChair(repos: Repositories, board: BoardRecord, start: string): Promise<string | null> {
    const seats = (await repos.boards.seatsOf([board.id])).get(board.id) ?? new Map();
    const teams = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.memberIds]));
    const past = (await repos.meetings.list({ boardId: board.id, limit: 500 })).filter((m) => m.state !== 'cancelled' && m.chairId);
    const last = new Map<string, string>();
    for (const m of past) last.set(m.chairId!, m.start);
    const previous = past.at(-1)?.chairId ?? null;
    const members = boardPeople(board.members, teams, seats, false);
    const delegates = boardPeople(board.members, teams, seats, true);
    const away = new Set<string>();
    for (const userId of [...members, ...delegates]) if (await isAwayAt(repos, userId, start)) away.add(userId);
    const candidates = (ids: string[]) => ids.map((userId) => ({ userId, lastChairedAt: last.get(userId) ?? null, away: away.has(userId) }));
    return nextChair(board.chairRule, candidates(members), previous) ?? nextChair(board.chairRule, candidates(delegates), previous);
  }

  /** Whether the person is away at the instant: a delegation they gave, not revoked, covers it. */
  async function isAwayAt(repos: Repositories, userId: string, at: string): Promise<boolean> {
    const t = Date.parse(at);
    return (await repos.governance.delegationsOf(userId, new Date(t).toISOString())).some((d) => d.userId === userId && Date.parse(d.startsAt) <= t && t < Date.parse(d.endsAt));
  }

  /** Changes a board decides, as agenda candidates; with the board approval behind each. */
  async function candidatesOf(repos: Repositories, board: BoardRecord, m: MeetingRecord, active: ActivePolicy) {
    const finals = finalStates(active);
    const queue = (await repos.meetings.boardQueue(board.id, { states: ['pending', 'waiting'] })).filter((r) => !finals.includes(r.state));
    const decidedHere = await repos.meetings.decisions({ meetingId: m.id });
    const approvalOf = new Map<string, { id: string; state: string }>();
    const candidates: AgendaCandidate[] = [];
    const add = (c: { changeId: string; number: string; title: string; riskLevel: string | null; riskScore: number | null; plannedStart: string | null }, preAuthorised = false) => {
      if (candidates.some((x) => x.changeId === c.changeId)) return;
      candidates.push({ changeId: c.changeId, number: c.number, title: c.title, riskLevel: riskOf(c.riskLevel), riskScore: c.riskScore ?? 0, plannedStart: c.plannedStart, preAuthorised });
    };
    for (const r of queue) {
      approvalOf.set(r.changeId, { id: r.approvalId, state: r.approvalState });
      add(r);
    }
    for (const d of decidedHere) {
      const c = await repos.changes.findById(d.changeId);
      if (!c) continue;
      if (d.approvalId && !approvalOf.has(c.id)) approvalOf.set(c.id, { id: d.approvalId, state: (await repos.approvals.find(d.approvalId))?.state ?? 'withdrawn' });
      const risk = await repos.changes.risk(c.id);
      add({ changeId: c.id, number: c.number, title: c.title, riskLevel: risk?.override?.level ?? risk?.level ?? null, riskScore: risk?.score ?? null, plannedStart: c.plannedStart });
    }
    // Changes added by hand that await no decision of this board still need a line on the agenda.
    for (const e of await repos.meetings.agendaEdits(m.id)) {
      if (e.action !== 'add' || candidates.some((x) => x.changeId === e.changeId)) continue;
      const c = await repos.changes.findById(e.changeId);
      if (!c) continue;
      const risk = await repos.changes.risk(c.id);
      add({ changeId: c.id, number: c.number, title: c.title, riskLevel: risk?.override?.level ?? risk?.level ?? null, riskScore: risk?.score ?? null, plannedStart: c.plannedStart });
    }
    return { candidates, approvalOf, decidedHere };
  }

  function finalStates(active: ActivePolicy): string[] {
    return [...new Set(Object.values(active.bundle.models).flatMap((model) => model.states.filter((s) => s.final).map((s) => s.id)))];
  }

  async function agendaOf(repos: Repositories, actor: Actor, m: MeetingRecord, active: ActivePolicy): Promise<AgendaView> {
    const board = await loadBoard(repos, m.boardId);
    const { candidates, approvalOf, decidedHere } = await candidatesOf(repos, board, m, active);
    const [next, afterNext] = await repos.meetings.nextOf(board.id, m.start, 2);
    // FYI: standard changes in the board's scope planned before the cut-off.
    const cutoff = afterNext?.start ?? null;
    for (const { id } of await repos.meetings.standardPlanned(m.start, cutoff, finalStates(active))) {
      const c = await repos.changes.findById(id);
      if (!c || candidates.some((x) => x.changeId === c.id)) continue;
      if (board.scope && !boardTakes(board.scope, await deps.risk.approvalContextOf(repos, c, active))) continue;
      const risk = await repos.changes.risk(c.id);
      candidates.push({ changeId: c.id, number: c.number, title: c.title, riskLevel: riskOf(risk?.level ?? null), riskScore: risk?.score ?? 0, plannedStart: c.plannedStart, preAuthorised: true });
    }
    // Approvals another board (an ECAB) gave that this one reviews after the fact (docs/cab.md#retrospective-review).
    const retrospective = await addRetrospectives(repos, board, m, active, (c) => deps.risk.approvalContextOf(repos, c, active), candidates, decidedHere);
    const edits = await repos.meetings.agendaEdits(m.id);
    const adjustments: AgendaAdjustment[] = edits.map((e) =>
      e.action === 'move'
        ? { kind: 'move', changeId: e.changeId, position: e.position ?? 1, reason: e.reason, at: e.createdAt }
        : { kind: e.action, changeId: e.changeId, reason: e.reason, at: e.createdAt },
    );
    const ended = m.state === 'ended' || m.state === 'cancelled';
    // An ended meeting's agenda is what it decided and what it was given by hand: the queue has moved on.
    const decidedIds = new Set(decidedHere.map((d) => d.changeId));
    const shown = ended ? candidates.filter((c) => decidedIds.has(c.changeId) || edits.some((e) => e.changeId === c.changeId)) : candidates;
    const agenda = buildAgenda({
      candidates: shown,
      meeting: { start: m.start, durationMinutes: m.durationMinutes },
      nextMeetingStart: next?.start ?? null,
      cutoff,
      allotment: DEFAULT_ALLOTMENT,
      adjustments,
      frozenAt: m.startedAt,
    });
    const approvalIds = [...approvalOf.values()].map((a) => a.id);
    const votes = (await repos.approvals.votesFor(approvalIds)).filter(counts);
    const seats = (await repos.boards.seatsOf([board.id])).get(board.id) ?? new Map<string, string[]>();
    const quorum = { minMembers: board.quorumMinMembers, requiredDomains: board.quorumRequiredDomains };
    const views = await decisionViews(repos, actor, decidedHere);
    const items = [];
    for (const item of agenda.items) {
      const approval = approvalOf.get(item.changeId) ?? null;
      const change = await repos.changes.findById(item.changeId);
      const parties = new Set([change?.requesterId, change?.ownerId, change?.implementerId].filter((x): x is string => !!x));
      const mine = approval ? votes.filter((v) => v.approvalId === approval.id) : [];
      const outcome = boardVoteOutcome(quorum, mine.map((v) => ({ userId: v.onBehalfOf ?? v.userId, decision: v.decision, domains: seats.get(v.onBehalfOf ?? v.userId) ?? [] })), parties);
      const decision = [...views].reverse().find((d) => d.changeId === item.changeId) ?? null;
      items.push({
        ...item,
        riskLevel: item.riskLevel,
        approvalId: approval?.id ?? null,
        votes: {
          approve: mine.filter((v) => v.decision === 'approve').length,
          reject: mine.filter((v) => v.decision === 'reject').length,
          // Once the board decided the item here, its votes no longer need anything: the decision stands instead.
          missingMembers: decision ? 0 : outcome.approve.missingMembers,
          missingDomains: decision ? [] : outcome.approve.missingDomains,
        },
        decision,
        // Already approved: nothing is urgent about reviewing it.
        ...(retrospective.has(item.changeId) ? { urgent: false, retrospective: retrospective.get(item.changeId) } : {}),
      });
    }
    // Decided ahead by members' votes since the meeting was planned (asynchronous review): off the live agenda.
    const ahead = ended ? [] : await repos.meetings.boardQueue(board.id, { states: ['approved', 'rejected'], decidedFrom: m.createdAt, decidedTo: m.startedAt ?? undefined });
    const decidedByBoard = new Set((await repos.meetings.decisions({ approvalIds: ahead.map((a) => a.approvalId) })).map((d) => d.approvalId));
    return {
      meetingId: m.id,
      frozen: m.startedAt !== null,
      items,
      decidedAhead: ahead
        .filter((a) => !decidedByBoard.has(a.approvalId))
        .map((a) => ({ changeId: a.changeId, number: a.number, title: a.title, outcome: a.approvalState, decidedAt: a.decidedAt })),
      fyi: agenda.fyi.map((f) => ({ changeId: f.changeId, number: f.number, title: f.title, riskLevel: f.riskLevel, plannedStart: f.plannedStart })),
      removed: agenda.removed,
      overrunMinutes: agenda.overrunMinutes,
    };
  }

  async function decisionViews(repos: Repositories, actor: Actor, rows: DecisionRecord[]): Promise<DecisionView[]> {
    if (rows.length === 0) return [];
    const conditions = await repos.meetings.conditionsOfDecisions(rows.map((d) => d.id));
    const names = await repos.accounts.userNames([
      ...new Set([...rows.map((d) => d.decidedBy), ...conditions.flatMap((c) => [c.verifierKind === 'person' ? c.verifierRef : null, c.metBy]).filter((x): x is string => !!x)]),
    ]);
    const boards = new Map<string, string>();
    for (const id of new Set(rows.map((d) => d.boardId))) boards.set(id, (await repos.boards.find(id))?.name ?? id);
    const out: DecisionView[] = [];
    const now = nowIso();
    for (const d of rows) {
      const change = await repos.changes.findById(d.changeId);
      const deferred = d.deferredTo ? await repos.meetings.find(d.deferredTo) : null;
      out.push({
        id: d.id,
        meetingId: d.meetingId,
        boardId: d.boardId,
        boardName: boards.get(d.boardId) ?? d.boardId,
        changeId: d.changeId,
        number: change?.number ?? d.changeId,
        decision: d.decision,
        rationale: d.rationale,
        conditions: conditions.filter((c) => c.decisionId === d.id).map((c) => presentCondition(actor, { ...c, holds: null, met: c.state === 'met' }, names, now)),
        deferredTo: deferred ? { meetingId: deferred.id, start: deferred.start } : null,
        decidedBy: { userId: d.decidedBy, name: names.get(d.decidedBy) ?? d.decidedBy },
        decidedAt: d.decidedAt,
        votes: d.votes,
        quorum: { met: d.quorum.met, voters: d.quorum.voters, missingMembers: d.quorum.missingMembers, missingDomains: d.quorum.missingDomains },
        minutesSpent: d.minutesSpent,
      });
    }
    return out;
  }

  /** Seconds since the current item came up, added to its time; the meeting record is updated by the caller. */
  async function closeCurrentItem(repos: Repositories, m: MeetingRecord, at: string): Promise<void> {
    if (!m.currentChangeId || !m.currentSince) return;
    await repos.meetings.addItemTime(m.id, m.currentChangeId, Math.max(0, Math.round((Date.parse(at) - Date.parse(m.currentSince)) / 1000)));
  }

  /**
   * Stores a meeting of the board, audited, its people told. The chair is the one given or the board's rule's
   * pick. Null when it is a recurrence's occurrence the board already has (another worker made it).
   */
  async function schedule(
    repos: Repositories,
    actor: Actor,
    board: BoardRecord,
    input: { start: string; durationMinutes: number; title?: string; chairId: string | null; occurrence: string | null },
  ): Promise<MeetingRecord | null> {
    const at = nowIso();
    const m: MeetingRecord = {
      id: deps.newId(),
      boardId: board.id,
      title: input.title?.trim() || `${board.name}, ${input.start.slice(0, 10)}`,
      start: input.start,
      durationMinutes: input.durationMinutes,
      state: 'planned',
      chairId: input.chairId ?? (await pickChair(repos, board, input.start)),
      startedAt: null,
      endedAt: null,
      cancelledReason: null,
      currentChangeId: null,
      currentSince: null,
      notes: '',
      minutesHash: null,
      occurrence: input.occurrence,
      version: 1,
      createdBy: actor.userId,
      createdAt: at,
    };
    if (!(await repos.meetings.insert(m))) return null;
    await audit(repos, actor, at, 'meeting.scheduled', 'meeting', m.id, {
      board: board.name,
      boardId: board.id,
      title: m.title,
      start: m.start,
      durationMinutes: m.durationMinutes,
      chairId: m.chairId,
      ...(m.occurrence ? { recurring: true } : {}),
    });
    const notice: MeetingNotice = {
      recipients: [{ kind: 'board', ref: board.id }],
      kind: 'meeting_scheduled',
      title: `${board.name} meets on ${timeToken(m.start)}: ${m.title}`,
      body: `A meeting of ${board.name} was scheduled for ${m.durationMinutes} minutes. Its agenda builds itself from the changes that await the board; vote ahead on the items you can decide.`,
      meetingId: m.id,
      invitation: 'REQUEST',
    };
    await deps.outbox.notify(repos, notice);
    return m;
  }

  const service = {
    /** Schedules a meeting of the board (201): the chair is the one given, or the board's rule picks one. */
    async create(actor: Actor, boardRef: string, raw: unknown): Promise<Meeting> {
      assertPermission(actor, 'board.manage');
      const input = MeetingRequest.parse(raw);
      return store.transaction(async (repos) => {
        const board = await loadBoard(repos, boardRef);
        if (!board.active) throw new ConflictError('board_inactive', `${board.name} is deactivated; it holds no more meetings.`, { boardId: board.id });
        const issues: Issue[] = [];
        let chairId: string | null = null;
        if (input.chairId) {
          chairId = await userIdOf(repos, input.chairId);
          const seats = (await repos.boards.seatsOf([board.id])).get(board.id)!;
          if (!chairId) issues.push({ path: 'chairId', message: `no such person: ${input.chairId}` });
          else if (!seats.has(chairId)) issues.push({ path: 'chairId', message: `is not a member of ${board.name}` });
        }
        throwIfIssues(issues, 'The meeting has invalid values.');
        const m = await schedule(repos, actor, board, { start: input.start, durationMinutes: input.durationMinutes, title: input.title, chairId, occurrence: null });
        return presentOne(repos, m!);
      });
    },

    /**
     * The worker's pass (at most once a minute per process): for every active board whose meetings recur, makes
     * the meetings that start within its `daysAhead`, skipping holidays (local dates in its zone). Safe with
     * several workers: an occurrence is made once per board (migration 0039). Returns how many were made.
     */
    async makeRecurring(): Promise<number> {
      const now = deps.now();
      if (lastRecurring !== null && now.getTime() - lastRecurring < 60_000) return 0;
      lastRecurring = now.getTime();
      let made = 0;
      const actor = systemActor('cab-recurrence');
      for (const board of await store.repos.boards.list({ active: true, limit: 1000 })) {
        const r = board.recurrence;
        if (!r) continue;
        const rule = { start: r.start, timeZone: r.timeZone, rrule: r.rrule, durationMinutes: r.durationMinutes };
        if (windowRuleIssues(rule).length > 0) continue;
        const until = new Date(now.getTime() + r.daysAhead * 86_400_000);
        const existing = await store.repos.meetings.occurrencesOf(board.id, now.toISOString());
        const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: r.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
        for (const o of occurrences(rule, now, until, 100)) {
          const occurrence = o.start.toISOString();
          if (o.start <= now || existing.has(occurrence) || r.holidays.includes(localDate.format(o.start))) continue;
          const m = await store.transaction((repos) => schedule(repos, actor, board, { start: occurrence, durationMinutes: r.durationMinutes, chairId: null, occurrence }));
          if (m) made++;
        }
      }
      return made;
    },

    async list(actor: Actor, q: MeetingListQuery): Promise<Meeting[]> {
      assertPermission(actor, 'board.read');
      const boardId = q.boardId ? (await loadBoard(store.repos, q.boardId)).id : undefined;
      return present(store.repos, await store.repos.meetings.list({ boardId, from: q.from, to: q.to, states: q.state ? [q.state] : undefined, limit: q.limit }));
    },

    /** The meeting as an iCalendar event for the members' calendars (chair as organizer, the board's people as attendees). */
    async ics(actor: Actor, id: string, origin: string): Promise<string> {
      const meeting = await service.get(actor, id);
      const seats = (await store.repos.boards.seatsOf([meeting.boardId])).get(meeting.boardId) ?? new Map<string, string[]>();
      const people = [];
      for (const userId of seats.keys()) {
        const user = await store.repos.accounts.findUserById(userId);
        if (user) people.push({ userId, name: user.name, email: user.email });
      }
      const chair = meeting.chair ? ((await store.repos.accounts.findUserById(meeting.chair.userId)) ?? null) : null;
      return writeMeetingIcs({
        meeting: { id: meeting.id, title: meeting.title, boardName: meeting.boardName, start: meeting.start, end: meeting.end, state: meeting.state, version: meeting.version, cancelledReason: meeting.cancelledReason },
        webUrl: origin,
        chair: chair ? { name: chair.name, email: chair.email } : null,
        attendees: people.sort((a, b) => a.name.localeCompare(b.name)),
        now: deps.now(),
      });
    },

    async get(actor: Actor, id: string): Promise<Meeting> {
      assertPermission(actor, 'board.read');
      return presentOne(store.repos, await loadMeeting(store.repos, id));
    },

    /** Edits a planned or live meeting: its time and chair (change managers), its notes (also the chair). */
    async update(actor: Actor, id: string, raw: unknown, ifMatch?: number): Promise<Meeting> {
      const input = MeetingUpdate.parse(raw);
      return store.transaction(async (repos) => {
        const m = await loadMeeting(repos, id, { lock: true });
        const onlyNotes = Object.keys(input).every((k) => k === 'notes' || k === 'version');
        if (onlyNotes) assertMayRun(actor, m);
        else assertPermission(actor, 'board.manage');
        assertState(m, onlyNotes ? ['planned', 'live'] : ['planned'], 'be changed');
        const expected = input.version ?? ifMatch;
        if (expected !== undefined && expected !== m.version) throw new StaleVersionError('Meeting', m.title, expected, m.version);
        const issues: Issue[] = [];
        let chairId = m.chairId;
        if (input.chairId !== undefined) {
          chairId = await userIdOf(repos, input.chairId);
          if (!chairId) issues.push({ path: 'chairId', message: `no such person: ${input.chairId}` });
          else if (!(await repos.boards.seatsOf([m.boardId])).get(m.boardId)!.has(chairId)) issues.push({ path: 'chairId', message: 'is not a member of the board' });
        }
        throwIfIssues(issues, 'The meeting has invalid values.');
        const after: MeetingRecord = {
          ...m,
          start: input.start ?? m.start,
          durationMinutes: input.durationMinutes ?? m.durationMinutes,
          title: input.title ?? m.title,
          chairId,
          notes: input.notes ?? m.notes,
          version: m.version + 1,
        };
        await save(repos, after, m.version);
        const changed = Object.fromEntries(
          (['start', 'durationMinutes', 'title', 'chairId'] as const).filter((k) => after[k] !== m[k]).map((k) => [k, { from: m[k], to: after[k] }]),
        );
        await audit(repos, actor, nowIso(), 'meeting.updated', 'meeting', m.id, { title: after.title, changes: changed, ...(input.notes !== undefined ? { notesEdited: true } : {}) });
        if ('start' in changed || 'durationMinutes' in changed) {
          // Moved: the board hears of it, and its members' calendars update the one event (notice-mail.service.ts).
          const boardName = (await repos.boards.find(m.boardId))?.name ?? 'The board';
          const moved: MeetingNotice = {
            recipients: [{ kind: 'board', ref: m.boardId }],
            kind: 'meeting_scheduled',
            title: `Moved: ${boardName} now meets on ${timeToken(after.start)}: ${after.title}`,
            body: `The meeting of ${boardName} was moved to ${timeToken(after.start)}, for ${after.durationMinutes} minutes.`,
            meetingId: m.id,
            invitation: 'REQUEST',
          };
          await deps.outbox.notify(repos, moved);
        }
        return presentOne(repos, after);
      });
    },

    async cancel(actor: Actor, id: string, input: { reason: string; version?: number }): Promise<Meeting> {
      assertPermission(actor, 'board.manage');
      return store.transaction(async (repos) => {
        const m = await loadMeeting(repos, id, { lock: true });
        assertState(m, ['planned'], 'be cancelled');
        if (input.version !== undefined && input.version !== m.version) throw new StaleVersionError('Meeting', m.title, input.version, m.version);
        const after: MeetingRecord = { ...m, state: 'cancelled', cancelledReason: input.reason, version: m.version + 1 };
        await save(repos, after, m.version);
        await audit(repos, actor, nowIso(), 'meeting.cancelled', 'meeting', m.id, { title: m.title, reason: input.reason });
        const notice: MeetingNotice = { recipients: [{ kind: 'board', ref: m.boardId }], kind: 'meeting_scheduled', title: `Cancelled: ${m.title}`, body: input.reason, meetingId: m.id, invitation: 'CANCEL' };
        await deps.outbox.notify(repos, notice);
        return presentOne(repos, after);
      });
    },

    /** Starts the meeting: it is live, and its agenda freezes (items added from now on are marked late). */
    async start(actor: Actor, id: string): Promise<Meeting> {
      return store.transaction(async (repos) => {
        const m = await loadMeeting(repos, id, { lock: true });
        assertMayRun(actor, m);
        assertState(m, ['planned'], 'start');
        const at = nowIso();
        const after: MeetingRecord = { ...m, state: 'live', startedAt: at, version: m.version + 1 };
        await save(repos, after, m.version);
        await audit(repos, actor, at, 'meeting.started', 'meeting', m.id, { title: m.title });
        return presentOne(repos, after);
      });
    },

    async setAttendance(actor: Actor, id: string, raw: unknown): Promise<Meeting> {
      const input = AttendanceRequest.parse(raw);
      return store.transaction(async (repos) => {
        const m = await loadMeeting(repos, id, { lock: true });
        assertPermission(actor, 'board.read');
        const issues: Issue[] = [];
        const rows: { userId: string; present: boolean; attested: boolean }[] = [];
        for (const [i, a] of input.attendees.entries()) {
          const userId = await userIdOf(repos, a.userId);
          if (!userId) issues.push({ path: `attendees.${i}.userId`, message: `no such person: ${a.userId}` });
          // NOTE (governance): a presence counts towards a quorum when the person says so themself, or a change
          // manager records it; a chair who is not one cannot make a quorum by ticking absent members present.
          else rows.push({ userId, present: a.present, attested: userId === actor.userId || hasPermission(actor, 'board.manage') });
        }
        // Anyone who sits on the board checks themself in; the chair and change managers record the others.
        const self = rows.every((r) => r.userId === actor.userId);
        if (!self || !(await repos.boards.seatsOf([m.boardId])).get(m.boardId)?.has(actor.userId)) assertMayRun(actor, m);
        assertState(m, ['planned', 'live'], 'take attendance');
        throwIfIssues(issues, 'The attendance has invalid values.');
        const at = nowIso();
        await repos.meetings.setAttendance(m.id, rows, actor.userId, at);
        await repos.meetings.update({ ...m, version: m.version + 1 }, m.version);
        await audit(repos, actor, at, 'meeting.attendance', 'meeting', m.id, { title: m.title, attendees: rows });
        return presentOne(repos, { ...m, version: m.version + 1 });
      });
    },

    /** The item under discussion moves on: the time spent on the one before is kept. */
    async setCurrent(actor: Actor, id: string, changeRef: string | null): Promise<Meeting> {
      return store.transaction(async (repos) => {
        const m = await loadMeeting(repos, id, { lock: true });
        assertMayRun(actor, m);
        assertState(m, ['live'], 'move to an item');
        const change = changeRef ? await loadChange(repos, changeRef) : null;
        const at = nowIso();
        await closeCurrentItem(repos, m, at);
        const after: MeetingRecord = { ...m, currentChangeId: change?.id ?? null, currentSince: change ? at : null, version: m.version + 1 };
        await save(repos, after, m.version);
        return presentOne(repos, after);
      });
    },

    async agenda(actor: Actor, id: string): Promise<AgendaView> {
      assertPermission(actor, 'board.read');
      const active = await deps.policy.active();
      return agendaOf(store.repos, actor, await loadMeeting(store.repos, id), active);
    },

    /** A change manager adds, removes or moves an item, with a reason (kept, audited, shown on the agenda). */
    async editAgenda(actor: Actor, id: string, raw: unknown): Promise<AgendaView> {
      assertPermission(actor, 'board.manage');
      const input = AgendaEditRequest.parse(raw);
      const active = await deps.policy.active();
      await store.transaction(async (repos) => {
        const m = await loadMeeting(repos, id, { lock: true });
        assertState(m, ['planned', 'live'], 'change its agenda');
        const change = await repos.changes.findById(input.changeId);
        const issues: Issue[] = [];
        if (!change) issues.push({ path: 'changeId', message: `no such change: ${input.changeId}` });
        if (input.action === 'move' && input.position === undefined) issues.push({ path: 'position', message: 'say where the item goes (1 is first)' });
        throwIfIssues(issues, 'The agenda edit has invalid values.');
        const agenda = await agendaOf(repos, actor, m, active);
        const onAgenda = agenda.items.some((i) => i.changeId === change!.id);
        if (input.action === 'add' && onAgenda) throw new ConflictError('already_on_agenda', `${change!.number} is already on the agenda.`, { changeId: change!.id });
        if (input.action !== 'add' && !onAgenda) throw new ConflictError('not_on_agenda', `${change!.number} is not on the agenda.`, { changeId: change!.id });
        const at = nowIso();
        await repos.meetings.addAgendaEdit({ id: deps.newId(), meetingId: m.id, action: input.action, changeId: change!.id, position: input.position ?? null, reason: input.reason, createdBy: actor.userId, createdAt: at });
        await audit(repos, actor, at, 'meeting.agenda_edited', 'meeting', m.id, { title: m.title, action: input.action, number: change!.number, position: input.position ?? null, reason: input.reason, late: m.startedAt !== null });
      });
      return service.agenda(actor, id);
    },

    /** What members read before deciding an item: risk, CIs, conflicts, history, concerns, approvals given, plans. */
    async preRead(actor: Actor, id: string, changeRef: string): Promise<PreRead> {
      assertPermission(actor, 'board.read');
      const repos = store.repos;
      await loadMeeting(repos, id);
      const c = await loadChange(repos, changeRef);
      const risk = await repos.changes.risk(c.id);
      const names = await repos.accounts.userNames([c.requesterId, c.ownerId, c.implementerId].filter((x): x is string => !!x));
      const person = (userId: string | null) => (userId ? { userId, name: names.get(userId) ?? userId } : null);
      const cis = await repos.cmdb.findCisByIds(c.ciIds);
      const conflicts = (await repos.schedule.conflictsOf(c.id)).filter((x) => !x.acknowledgement);
      const history = await repos.meetings.historyOf(c);
      const concerns = await repos.communication.concernsOf(c.id, { openOnly: true });
      const approvals = (await repos.approvals.forChange(c.id)).filter((a) => a.state === 'approved');
      const impact = await deps.schedule.impact(actor, c.id);
      const impactedCis = new Map((await repos.cmdb.findCisByIds(impact.impacted.map((i) => i.id))).map((ci) => [ci.id, ci]));
      const services = new Map((await repos.cmdb.findServicesByIds(impact.services.flatMap((x) => (x.id ? [x.id] : [])))).map((x) => [x.id, x]));
      const tierOf = (serviceId: string | null) => (serviceId ? (services.get(serviceId)?.tier ?? null) : null);
      return {
        changeId: c.id,
        number: c.number,
        title: c.title,
        type: c.type,
        state: c.state,
        requester: person(c.requesterId),
        owner: person(c.ownerId),
        implementer: person(c.implementerId),
        plannedStart: c.plannedStart,
        plannedEnd: c.plannedEnd,
        risk: { level: risk?.override?.level ?? risk?.level ?? 'low', score: risk?.score ?? 0, factors: risk?.factors ?? [] },
        cis: cis.map((ci) => ({ id: ci.id, name: ci.name, type: ci.type })),
        impact: {
          services: impact.services
            .map((x) => ({ id: x.id, name: x.name, tier: tierOf(x.id), affected: x.affected, ciCount: x.ciCount }))
            .sort((a, b) => (a.tier ?? Infinity) - (b.tier ?? Infinity) || Number(b.affected) - Number(a.affected) || a.name.localeCompare(b.name)),
          impacted: impact.impacted.map((i) => ({
            id: i.id,
            name: i.name,
            type: impactedCis.get(i.id)?.type ?? '',
            depth: i.depth,
            via: i.via.name,
            service: i.serviceId ? (services.get(i.serviceId)?.name ?? null) : null,
            tier: tierOf(i.serviceId),
          })),
          impactedCount: impact.impactedCount,
          summarised: impact.summarised,
        },
        conflicts: conflicts.map((x) => ({ kind: x.kind, message: `${x.kind.replace(/_/g, ' ')} from ${x.startsAt} to ${x.endsAt}` })),
        history,
        openConcerns: concerns.map((x) => ({ id: x.id, text: x.text })),
        approvalsGiven: approvals.map((a) => ({ rule: a.rule, approver: a.approverLabel, decidedAt: a.decidedAt })),
        implementationPlan: c.implementationPlan ?? '',
        backoutPlan: c.backoutPlan ?? '',
      };
    },

    /**
     * The board's decision on an item at a live meeting (201). Approve and reject settle the board's approval
     * and need the meeting's quorum (present members who are not parties to the change, with the required
     * domains); with conditions, the change cannot start until each is met; defer names a later meeting of the
     * board; request info asks the requester. A rationale always. Parties to the change cannot record it.
     */
    async decide(actor: Actor, id: string, changeRef: string, raw: unknown): Promise<DecisionView> {
      const input = DecisionRequest.parse(raw);
      const active = await deps.policy.active();
      const decisionId = await store.transaction(async (repos) => {
        const change = await loadChange(repos, changeRef, { lock: true });
        const m = await loadMeeting(repos, id, { lock: true });
        assertMayRun(actor, m);
        assertState(m, ['live'], 'take decisions (start it first)');
        if (isPartyTo(change, actor.userId)) {
          throw new ForbiddenError(`You are the ${partyRole(change, actor.userId)} of ${change.number}; someone else must record the board's decision.`, 'segregation_of_duties', { changeId: change.id });
        }
        const board = await loadBoard(repos, m.boardId);
        const issues: Issue[] = [];
        const conditions = input.conditions ?? [];
        if (input.decision === 'approve_with_conditions' && conditions.length === 0) issues.push({ path: 'conditions', message: 'an approval with conditions names at least one condition' });
        if (input.decision !== 'approve_with_conditions' && conditions.length > 0) issues.push({ path: 'conditions', message: 'only an approval with conditions has conditions' });
        let deferTo: MeetingRecord | null = null;
        if (input.decision === 'defer') {
          if (!input.deferTo) issues.push({ path: 'deferTo', message: 'name the meeting the item is deferred to' });
          else {
            deferTo = await repos.meetings.find(input.deferTo);
            if (!deferTo || deferTo.boardId !== board.id) issues.push({ path: 'deferTo', message: `no meeting of ${board.name} with id ${input.deferTo}` });
            else if (deferTo.state !== 'planned' || deferTo.start <= m.start) issues.push({ path: 'deferTo', message: 'must be a later meeting of the board that is still planned' });
          }
        } else if (input.deferTo) issues.push({ path: 'deferTo', message: 'only a deferral names a meeting' });
        const verifiers: { kind: ConditionRecord['verifierKind']; ref: string | null }[] = [];
        for (const [i, cond] of conditions.entries()) {
          const v = cond.verifier;
          if (v === undefined) verifiers.push({ kind: 'change_manager', ref: null });
          else if (typeof v === 'object' && 'check' in v) {
            const problem = scopeProblem(v.check);
            if (problem) issues.push({ path: `conditions.${i}.verifier.check`, message: problem });
            verifiers.push({ kind: 'check', ref: v.check });
          } else {
            const ref = typeof v === 'string' ? v : v.userId;
            const userId = await userIdOf(repos, ref);
            if (!userId) issues.push({ path: `conditions.${i}.verifier`, message: `no such person: ${ref}` });
            else if (isPartyTo(change, userId)) issues.push({ path: `conditions.${i}.verifier`, message: `is the ${partyRole(change, userId)} of ${change.number}; a party to the change cannot verify its conditions` });
            verifiers.push({ kind: 'person', ref: userId });
          }
        }
        throwIfIssues(issues, 'The decision has invalid values.');

        const approval = (await repos.approvals.forChange(change.id)).find((a) => a.approverKind === 'board' && a.approverRef === board.id && (a.state === 'pending' || a.state === 'waiting'));
        const settles = input.decision === 'approve' || input.decision === 'approve_with_conditions' || input.decision === 'reject';
        // A retrospective item (an approval another board gave, reviewed here after the fact) is ratified or flagged.
        const reviewing = isRetrospectiveDecision(input.decision);
        const reviewed = (await retrospectivesOf(repos, board, m, active, (c) => deps.risk.approvalContextOf(repos, c, active))).find((r) => r.changeId === change.id) ?? null;
        if (reviewing && !reviewed) {
          throw new ConflictError('not_a_retrospective', `${change.number} is no retrospective item of this meeting: only an approval another board gave, which ${board.name} reviews, is ratified or flagged.`, { changeId: change.id });
        }
        if (!reviewing && reviewed && !approval) {
          throw new ConflictError('retrospective_item', `${change.number} was already approved by ${reviewed.boardName}; ${board.name} reviews that approval: ratify or flag it.`, { changeId: change.id, approvalId: reviewed.approvalId });
        }
        if (settles && !approval) throw new ConflictError('no_board_approval', `${change.number} awaits no decision of ${board.name}.`, { changeId: change.id, boardId: board.id });
        if (settles && approval!.state === 'waiting') {
          throw new ConflictError('approval_not_open', `${change.number}'s approval by ${board.name} waits for an earlier stage of approvals; decide it once they are given.`, { approvalId: approval!.id });
        }
        // The meeting's quorum: members present who are not parties, with the required domains.
        const seats = (await repos.boards.seatsOf([board.id])).get(board.id) ?? new Map<string, string[]>();
        const present = (await repos.meetings.attendance([m.id])).filter((a) => a.present && a.attested && seats.has(a.userId));
        const parties = new Set([change.requesterId, change.ownerId, change.implementerId].filter((x): x is string => !!x));
        const counted = present.filter((a) => !parties.has(a.userId)).map((a) => ({ userId: a.userId, domains: seats.get(a.userId) ?? [] }));
        const quorum = checkQuorum({ minMembers: board.quorumMinMembers, requiredDomains: board.quorumRequiredDomains }, counted, parties);
        if ((settles || reviewing) && !quorum.met) {
          throw new PolicyError(
            'quorum_not_met',
            `${board.name} cannot decide ${change.number} without its quorum: ${[quorum.missingMembers ? `${quorum.missingMembers} more member${quorum.missingMembers === 1 ? '' : 's'} present` : '', quorum.missingDomains.length ? `someone from ${quorum.missingDomains.join(', ')}` : ''].filter(Boolean).join(' and ')}. Record attendance first.`,
            { quorum },
          );
        }
        const votes = approval ? (await repos.approvals.votesFor([approval.id])).filter(counts) : [];
        const voterNames = await repos.accounts.userNames(votes.map((v) => v.userId));
        const at = nowIso();
        let minutesSpent: number | null = null;
        const spent = (await repos.meetings.itemTimes([m.id])).find((t) => t.changeId === change.id)?.seconds ?? 0;
        const running = m.currentChangeId === change.id && m.currentSince ? (Date.parse(at) - Date.parse(m.currentSince)) / 1000 : 0;
        if (spent + running > 0) minutesSpent = Math.round(((spent + running) / 60) * 10) / 10;
        const decision: DecisionRecord = {
          id: deps.newId(),
          boardId: board.id,
          meetingId: m.id,
          changeId: change.id,
          // A review leaves every approval as it is: it belongs to none.
          approvalId: reviewing ? null : (approval?.id ?? null),
          decision: input.decision,
          rationale: input.rationale,
          deferredTo: deferTo?.id ?? null,
          votes: votes.map((v) => ({ userId: v.userId, name: voterNames.get(v.userId) ?? v.userId, decision: v.decision })),
          quorum: { ...quorum, counted },
          minutesSpent,
          decidedBy: actor.userId,
          decidedAt: at,
        };
        await repos.meetings.insertDecision(decision);
        await repos.meetings.insertConditions(
          conditions.map((cond, i) => ({
            id: deps.newId(),
            changeId: change.id,
            decisionId: decision.id,
            text: cond.text,
            dueAt: cond.dueAt ?? null,
            verifierKind: verifiers[i]!.kind,
            verifierRef: verifiers[i]!.ref,
            state: 'open',
            metBy: null,
            metAt: null,
            note: null,
            createdAt: at,
          })),
        );
        await audit(repos, actor, at, 'board.decided', 'change', change.id, {
          number: change.number,
          board: board.name,
          boardId: board.id,
          meetingId: m.id,
          decisionId: decision.id,
          decision: input.decision,
          rationale: input.rationale,
          conditions: conditions.map((c, i) => ({ text: c.text, dueAt: c.dueAt ?? null, verifier: verifiers[i]!.kind })),
          ...(deferTo ? { deferredTo: deferTo.id } : {}),
          ...(reviewing && reviewed ? { retrospective: { approvalId: reviewed.approvalId, boardId: reviewed.boardId, board: reviewed.boardName, approvedAt: reviewed.approvedAt } } : {}),
          quorum: { met: quorum.met, voters: quorum.voters },
        });
        if (settles) {
          const outcome = input.decision === 'reject' ? 'rejected' : 'approved';
          await deps.approvals.settleByBoard(repos, actor, change, approval!.id, outcome, active, { meetingId: m.id, decisionId: decision.id, decision: input.decision, rationale: input.rationale });
        }
        if (deferTo) {
          await repos.meetings.addAgendaEdit({
            id: deps.newId(),
            meetingId: deferTo.id,
            action: 'add',
            changeId: change.id,
            position: null,
            reason: `Deferred from ${m.title}: ${input.rationale}`,
            createdBy: actor.userId,
            createdAt: at,
          });
        }
        const words: Record<string, string> = {
          approve: 'approved',
          approve_with_conditions: 'approved with conditions',
          reject: 'rejected',
          defer: 'deferred',
          request_info: 'asked for more information on',
          ratify: 'ratified the approval of',
          flag: 'flagged the approval of',
        };
        await deps.outbox.notify(repos, {
          recipients: [change.requesterId, change.ownerId, change.implementerId].filter((x): x is string => !!x).map((ref) => ({ kind: 'user' as const, ref })),
          kind: 'approval_decided',
          title: `${board.name} ${words[input.decision]} ${change.number}`,
          body: `${input.rationale}${conditions.length ? `\nConditions: ${conditions.map((c) => c.text).join('; ')}` : ''}`,
          changeId: change.id,
        });
        return decision.id;
      });
      const [row] = await store.repos.meetings.decisions({ meetingId: id }).then((all) => all.filter((d) => d.id === decisionId));
      return (await decisionViews(store.repos, actor, [row!]))[0]!;
    },

    /** Ends the meeting and writes its minutes, once: their hash enters the audit chain; members and owners are sent them. */
    async end(actor: Actor, id: string): Promise<Minutes> {
      const active = await deps.policy.active();
      await store.transaction(async (repos) => {
        const m = await loadMeeting(repos, id, { lock: true });
        assertMayRun(actor, m);
        assertState(m, ['live'], 'end (only a live meeting ends)');
        const at = nowIso();
        await closeCurrentItem(repos, m, at);
        const board = await loadBoard(repos, m.boardId);
        const agenda = await agendaOf(repos, actor, { ...m, currentChangeId: null }, active);
        const decisions = await repos.meetings.decisions({ meetingId: m.id });
        const views = await decisionViews(repos, actor, decisions);
        const seats = (await repos.boards.seatsOf([board.id])).get(board.id) ?? new Map<string, string[]>();
        const attendance = await repos.meetings.attendance([m.id]);
        const names = await repos.accounts.userNames([...attendance.map((a) => a.userId), ...(m.chairId ? [m.chairId] : [])]);
        const times = new Map((await repos.meetings.itemTimes([m.id])).map((t) => [t.changeId, t.seconds]));
        const decided = new Set(decisions.map((d) => d.changeId));
        const markdown = renderMinutes({
          board: { name: board.name, kind: board.kind },
          meeting: { id: m.id, title: m.title, start: m.start, durationMinutes: m.durationMinutes, startedAt: m.startedAt, endedAt: at, chair: m.chairId ? (names.get(m.chairId) ?? m.chairId) : null, notes: m.notes },
          attendance: attendance.map((a) => ({ name: names.get(a.userId) ?? a.userId, present: a.present, attested: a.attested, domains: seats.get(a.userId) ?? [] })),
          decisions: views.map((d) => {
            const item = agenda.items.find((i) => i.changeId === d.changeId);
            return {
              number: d.number,
              title: item?.title ?? d.number,
              riskLevel: item?.riskLevel ?? 'low',
              decision: d.decision,
              rationale: d.rationale,
              decidedBy: d.decidedBy.name,
              decidedAt: d.decidedAt,
              minutesSpent: times.has(d.changeId) ? Math.round((times.get(d.changeId)! / 60) * 10) / 10 : d.minutesSpent,
              allottedMinutes: item?.allottedMinutes ?? null,
              votes: d.votes.map((v) => ({ name: v.name, decision: v.decision })),
              quorum: d.quorum,
              conditions: d.conditions.map((c) => ({ text: c.text, dueAt: c.dueAt, verifier: c.verifier.kind === 'person' ? c.verifier.name : c.verifier.kind === 'check' ? `check: ${c.verifier.check}` : 'a change manager' })),
              deferredTo: d.deferredTo ? d.deferredTo.start : null,
            };
          }),
          undecided: agenda.items.filter((i) => !decided.has(i.changeId)).map((i) => ({ number: i.number, title: i.title })),
          removed: agenda.removed.map((r) => ({ number: r.number, reason: r.reason })),
        });
        const sha256 = minutesHash(markdown);
        if (!(await repos.meetings.insertMinutes({ meetingId: m.id, markdown, sha256, createdBy: actor.userId, createdAt: at }))) {
          throw new ConflictError('minutes_immutable', 'This meeting already has its minutes; they cannot change.', { meetingId: m.id });
        }
        const after: MeetingRecord = { ...m, state: 'ended', endedAt: at, currentChangeId: null, currentSince: null, minutesHash: sha256, version: m.version + 1 };
        await save(repos, after, m.version);
        await audit(repos, actor, at, 'meeting.ended', 'meeting', m.id, { title: m.title, board: board.name, decisions: decisions.length, minutesSha256: sha256, policyVersion: active.number });
        const owners = new Set<string>();
        for (const d of decisions) {
          const c = await repos.changes.findById(d.changeId);
          for (const id of [c?.ownerId, c?.requesterId]) if (id) owners.add(id);
        }
        await deps.outbox.notify(repos, {
          recipients: [{ kind: 'board', ref: board.id }, ...[...owners].map((ref) => ({ kind: 'user' as const, ref }))],
          kind: 'meeting_minutes',
          title: `Minutes of ${m.title}`,
          body: `${decisions.length} decision${decisions.length === 1 ? '' : 's'} recorded. Minutes SHA-256 ${sha256}.`,
        });
      });
      return service.minutes(actor, id);
    },

    async minutes(actor: Actor, id: string): Promise<Minutes> {
      assertPermission(actor, 'board.read');
      const m = await loadMeeting(store.repos, id);
      const found = await store.repos.meetings.minutes(m.id);
      if (!found) throw new NotFoundError('Minutes', `${m.title} (the meeting has not ended)`);
      return found;
    },

    /** Minutes never change once written: 409 for anyone who tries. */
    async editMinutes(actor: Actor, id: string): Promise<never> {
      assertPermission(actor, 'board.read');
      const m = await loadMeeting(store.repos, id);
      throw new ConflictError('minutes_immutable', 'Minutes cannot be edited: they are the record of the meeting, and their hash is in the audit trail. Add a note to a later meeting instead.', {
        meetingId: m.id,
        minutesHash: m.minutesHash,
      });
    },

    /** The board's decisions on a change, oldest first. */
    async decisionsOf(actor: Actor, changeRef: string): Promise<DecisionView[]> {
      assertPermission(actor, 'change.read');
      const c = await loadChange(store.repos, changeRef);
      return decisionViews(store.repos, actor, await store.repos.meetings.decisions({ changeId: c.id }));
    },

    /** The conditions on a change, each judged now. */
    async conditionsOf(actor: Actor, changeRef: string): Promise<Condition[]> {
      assertPermission(actor, 'change.read');
      const c = await loadChange(store.repos, changeRef);
      const active = await deps.policy.active();
      const judged = await deps.conditions.judged(store.repos, c, active);
      const names = await namesOf(store.repos, judged);
      return judged.map((x) => presentCondition(actor, x, names, nowIso()));
    },

    /** Marks a condition met: its verifier, or a change manager for one without; a check holds by itself (409). */
    async verifyCondition(actor: Actor, changeRef: string, conditionId: string, note?: string): Promise<Condition> {
      assertPermission(actor, 'change.read');
      const active = await deps.policy.active();
      await store.transaction(async (repos) => {
        const c = await loadChange(repos, changeRef, { lock: true });
        const cond = (await repos.meetings.conditions(c.id)).find((x) => x.id === conditionId);
        if (!cond) throw new NotFoundError('Condition', conditionId);
        if (cond.state === 'met') throw new ConflictError('condition_met', 'This condition is already met.', { conditionId });
        if (cond.verifierKind === 'check') throw new ConflictError('condition_is_a_check', 'This condition is a check: it is met when it holds on the change, not by hand.', { check: cond.verifierRef });
        if (!mayVerify(actor, cond)) {
          throw new ForbiddenError(cond.verifierKind === 'person' ? 'Only the person named to verify this condition may mark it met.' : 'Only a change manager may mark this condition met.', 'not_the_verifier', {
            conditionId,
          });
        }
        if (isPartyTo(c, actor.userId)) throw new ForbiddenError(`You are the ${partyRole(c, actor.userId)} of ${c.number}; someone else must verify its conditions.`, 'segregation_of_duties', { changeId: c.id });
        const at = nowIso();
        if (!(await repos.meetings.meetCondition(cond.id, actor.userId, at, note?.trim() || null))) throw new ConflictError('condition_met', 'This condition was met meanwhile.', { conditionId });
        await audit(repos, actor, at, 'change.condition_met', 'change', c.id, { number: c.number, conditionId: cond.id, text: cond.text, note: note?.trim() || null });
      });
      const c = await loadChange(store.repos, changeRef);
      const judged = (await deps.conditions.judged(store.repos, c, active)).find((x) => x.id === conditionId)!;
      return presentCondition(actor, judged, await namesOf(store.repos, [judged]), nowIso());
    },
  };

  async function namesOf(repos: Repositories, rows: readonly ConditionRecord[]): Promise<Map<string, string>> {
    return repos.accounts.userNames([...new Set(rows.flatMap((c) => [c.verifierKind === 'person' ? c.verifierRef : null, c.metBy]).filter((x): x is string => !!x))]);
  }

  return service;
}
export type MeetingService = ReturnType<typeof createMeetingService>;
