import { BoardMetricsQuery, type BoardMetricsPeriod, type BoardMetricsReport } from '../contracts/board-metrics';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { checkQuorum } from '../domain/cab/board';
import {
  boardMetrics,
  deferredAgain,
  isAnswer,
  isApproval,
  meetingFigures,
  periodsOf,
  responseFigures,
  RUBBER_STAMP,
  type DecidedItem,
  type Grain,
  type HeldMeeting,
} from '../domain/cab/metrics';
import { DEFAULT_ALLOTMENT } from '../domain/cab/minutes';
import { NotFoundError, type Issue } from '../domain/errors';
import { RISK_LEVELS, type RiskLevel } from '../domain/risk/score';
import { throwIfIssues, type ServiceDeps } from './context';

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 90;
/** Periods up to this many days get a weekly trend by default; longer ones monthly (as DORA's). */
const WEEKLY_UP_TO_DAYS = 26 * 7;
const MAX_DAYS = 3660;
/** The ECAB's response time when none is set (docs/cab.md#boards). */
const ECAB_RESPONSE_MINUTES = 60;

/** The level the agenda allots time by: an unassessed change counts as low, as on the agenda. */
const riskOf = (level: string | null): RiskLevel => ((RISK_LEVELS as readonly string[]).includes(level ?? '') ? (level as RiskLevel) : 'low');

/** A decision, answer or meeting with the instant that places it in the period and its trend. */
interface Dated {
  at: string;
}

/**
 * The board's own figures for a period (issue 15 point 8, docs/cab.md#the-boards-figures): how much it approves,
 * what escaped it, how often it defers, how long requesters wait, who comes to its meetings and whether they make
 * its quorum, and for the ECAB how fast it answers. Read-only; every share comes with its numerator and denominator.
 */
export function createBoardMetricsService(deps: ServiceDeps) {
  const { store } = deps;

  /** The period and grain of a query; 400 listing each problem the schema could not see (a default end). */
  function periodOf(q: BoardMetricsQuery): { from: string; to: string; grain: Grain } {
    const issues: Issue[] = [];
    const to = q.to ?? deps.now().toISOString();
    const from = q.from ?? new Date(Date.parse(to) - DEFAULT_DAYS * DAY_MS).toISOString();
    if (from >= to) issues.push({ path: 'query.from', message: q.to ? 'must be before to' : 'must be before to (now, when to is left out)' });
    else if (Date.parse(to) - Date.parse(from) > MAX_DAYS * DAY_MS) issues.push({ path: 'query.from', message: 'the period may be at most ten years' });
    throwIfIssues(issues, 'The query has invalid values.');
    const grain = q.grain ?? (Date.parse(to) - Date.parse(from) <= WEEKLY_UP_TO_DAYS * DAY_MS ? 'week' : 'month');
    return { from, to, grain };
  }

  return {
    /** `GET /api/v1/boards/{id}/metrics`: the board's figures for a period, with a weekly or monthly trend. */
    async metrics(actor: Actor, boardRef: string, raw: unknown): Promise<BoardMetricsReport> {
      assertPermission(actor, 'board.read');
      const repos = store.repos;
      const board = await repos.boards.find(boardRef);
      if (!board) throw new NotFoundError('Board', boardRef);
      const { from, to, grain } = periodOf(BoardMetricsQuery.parse(raw ?? {}));

      const [decisions, answered, held, seatsByBoard] = await Promise.all([
        // A retrospective review (ratify, flag) of another board's approval is no decision of this board's on a change.
        repos.meetings.decisions({ boardId: board.id, from, to }).then((all) => all.flatMap((d) => (d.decision === 'ratify' || d.decision === 'flag' ? [] : [{ ...d, decision: d.decision }]))),
        repos.boardMetrics.answeredApprovals(board.id, from, to),
        repos.boardMetrics.heldMeetings(board.id, from, to),
        repos.boards.seatsOf([board.id]),
      ]);
      // Approvals a meeting settled are counted through the meeting's decision; the rest were settled by votes.
      const byVotes = answered.filter((a) => !a.atMeeting);
      const changeIds = [...new Set([...decisions.map((d) => d.changeId), ...byVotes.map((a) => a.changeId)])];
      const decidedMeetings = [...new Set(decisions.flatMap((d) => (d.meetingId ? [d.meetingId] : [])))];
      const [outcomes, approvals, deferrals, times, attendance] = await Promise.all([
        repos.boardMetrics.outcomesOf(changeIds),
        repos.boardMetrics.approvalsOf(board.id, changeIds),
        repos.boardMetrics.deferralsOf(board.id, changeIds),
        repos.meetings.itemTimes(decidedMeetings),
        repos.meetings.attendance(held.map((m) => m.id)),
      ]);
      const outcome = new Map(outcomes.map((o) => [o.id, o]));
      const submittedById = new Map(approvals.map((a) => [a.id, a.createdAt]));
      const firstSubmitted = new Map<string, string>();
      for (const a of approvals) if (!firstSubmitted.has(a.changeId) || a.createdAt < firstSubmitted.get(a.changeId)!) firstSubmitted.set(a.changeId, a.createdAt);
      const secondsOn = new Map(times.map((t) => [`${t.meetingId}|${t.changeId}`, t.seconds]));
      const deferredAt = new Map<string, string[]>();
      for (const x of deferrals) deferredAt.set(x.changeId, [...(deferredAt.get(x.changeId) ?? []), x.decidedAt]);
      const deferralsBefore = (changeId: string, at: string) => (deferredAt.get(changeId) ?? []).filter((when) => when < at).length;
      const escaped = (changeId: string) => {
        const o = outcome.get(changeId);
        return !!o && (o.failed || o.incidentsCaused > 0);
      };

      const items: (DecidedItem & Dated)[] = [];
      for (const d of decisions) {
        const risk = riskOf(outcome.get(d.changeId)?.riskLevel ?? null);
        // The time as the minutes show it: all the meeting spent on the item (kept when the item stops being
        // discussed), or what it had taken when decided if that is more (a live meeting's running item).
        const seconds = d.meetingId ? secondsOn.get(`${d.meetingId}|${d.changeId}`) : undefined;
        const kept = seconds === undefined ? null : Math.round((seconds / 60) * 10) / 10;
        const minutesTaken = kept === null ? d.minutesSpent : Math.max(kept, d.minutesSpent ?? 0);
        items.push({
          at: d.decidedAt,
          changeId: d.changeId,
          decision: d.decision,
          riskLevel: risk,
          submittedAt: (d.approvalId ? submittedById.get(d.approvalId) : undefined) ?? firstSubmitted.get(d.changeId) ?? d.decidedAt,
          decidedAt: d.decidedAt,
          earlierDeferrals: deferralsBefore(d.changeId, d.decidedAt),
          escaped: isApproval(d.decision) && escaped(d.changeId),
          minutesTaken,
          minutesAllotted: d.meetingId ? DEFAULT_ALLOTMENT[risk] : null,
        });
      }
      for (const a of byVotes) {
        const decision = a.state === 'approved' ? 'approve' : 'reject';
        items.push({
          at: a.decidedAt,
          changeId: a.changeId,
          decision,
          riskLevel: riskOf(outcome.get(a.changeId)?.riskLevel ?? null),
          submittedAt: a.createdAt,
          decidedAt: a.decidedAt,
          earlierDeferrals: deferralsBefore(a.changeId, a.decidedAt),
          escaped: decision === 'approve' && escaped(a.changeId),
          minutesTaken: null,
          minutesAllotted: null,
        });
      }
      items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

      // Meetings, placed by when they were held: the board's people as it stands (who it expects), who came, and
      // whether its quorum was ever there.
      const seats = seatsByBoard.get(board.id) ?? new Map<string, string[]>();
      const quorumRule = { minMembers: board.quorumMinMembers, requiredDomains: board.quorumRequiredDomains };
      const meetings: (HeldMeeting & Dated & { title: string })[] = held.map((m) => {
        const present = attendance.filter((a) => a.meetingId === m.id && a.present && seats.has(a.userId)).map((a) => ({ userId: a.userId, domains: seats.get(a.userId) ?? [] }));
        const quorumMet = checkQuorum(quorumRule, present, new Set()).met || decisions.some((d) => d.meetingId === m.id && d.quorum.met);
        return { at: m.startedAt, title: m.title, meetingId: m.id, people: seats.size, present: present.length, quorumMet };
      });
      const meetingDecisions = decisions.map((d) => ({ at: d.decidedAt, quorumMet: d.quorum.met }));

      const isEcab = board.kind === 'ecab';
      const slaMinutes = board.responseMinutes ?? ECAB_RESPONSE_MINUTES;
      const answers = answered.map((a) => ({ at: a.decidedAt, submittedAt: a.createdAt, decidedAt: a.decidedAt }));
      const slaAgo = new Date(deps.now().getTime() - slaMinutes * 60_000).toISOString();
      const openPastSla = isEcab ? await repos.boardMetrics.openSince(board.id, from, slaAgo < to ? slaAgo : to) : 0;

      const figures = boardMetrics(items);
      const meetingFigs = meetingFigures(meetings, meetingDecisions);
      const change = (id: string) => {
        const o = outcome.get(id);
        return { changeId: id, number: o?.number ?? id, title: o?.title ?? '' };
      };

      const starts = periodsOf(from, to, grain);
      const series: BoardMetricsPeriod[] = starts.map((start, i) => {
        const end = starts[i + 1] ?? to;
        const within = <T extends Dated>(rows: readonly T[]) => rows.filter((r) => r.at >= start && r.at < end);
        const f = boardMetrics(within(items));
        const m = meetingFigures(within(meetings), within(meetingDecisions));
        return {
          start,
          decisions: f.decisions,
          approvalRate: f.approvalRate,
          escapeRate: f.escapeRate,
          deferralRate: f.deferralRate,
          lowRiskShare: f.lowRiskShare,
          medianHoursToDecision: f.medianHoursToDecision,
          timeAgainstAllotment: f.timeAgainstAllotment,
          meetingsHeld: m.meetingsHeld,
          attendance: m.attendance,
          quorumMet: m.quorumMet,
          responseWithinSla: isEcab ? responseFigures(within(answers), slaMinutes).withinSla : null,
        };
      });

      const again = deferredAgain(items);
      const escapes = [...new Set(items.filter((i) => i.escaped).map((i) => i.changeId))];
      return {
        board: { id: board.id, name: board.name, kind: board.kind },
        period: { from, to, grain },
        decisions: { total: items.length, atMeetings: decisions.length, byVotes: byVotes.length },
        approvalRate: figures.approvalRate,
        rubberStamp: { flagged: figures.rubberStamp, above: RUBBER_STAMP.above, minDecisions: RUBBER_STAMP.minDecisions },
        escapeRate: figures.escapeRate,
        escapes: escapes.map((id) => ({ ...change(id), closeCode: outcome.get(id)?.closeCode ?? null, incidents: outcome.get(id)?.incidentsCaused ?? 0 })),
        deferralRate: figures.deferralRate,
        deferredMoreThanOnce: {
          count: figures.deferredMoreThanOnce,
          items: again.map((id) => ({ ...change(id), deferrals: deferralsBefore(id, to) })),
        },
        lowRiskShare: figures.lowRiskShare,
        timeToDecision: { medianHours: figures.medianHoursToDecision, answers: items.filter((i) => isAnswer(i.decision)).length },
        timeAgainstAllotment: figures.timeAgainstAllotment,
        attendance: { rate: meetingFigs.attendance, meetingsHeld: meetingFigs.meetingsHeld, people: seats.size },
        quorum: {
          rate: meetingFigs.quorumMet,
          meetingsWithoutQuorum: meetings.filter((m) => !m.quorumMet).map((m) => ({ meetingId: m.meetingId, title: m.title, startedAt: m.at })),
        },
        response: isEcab ? { ...responseFigures(answers, slaMinutes), openPastSla } : null,
        series,
      };
    },
  };
}
export type BoardMetricsService = ReturnType<typeof createBoardMetricsService>;
