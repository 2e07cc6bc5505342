/**
 * How a board measures itself (issue 15, point 8): figures over the items it decided in a period, each with
 * the numerator and denominator it came from, so nobody has to trust a bare percentage.
 */

export type BoardDecision = 'approve' | 'approve_with_conditions' | 'defer' | 'reject' | 'request_info';

export interface DecidedItem {
  changeId: string;
  decision: BoardDecision;
  riskLevel: string;
  /** When the change was submitted for the board's decision, and when the board decided (ISO instants). */
  submittedAt: string;
  decidedAt: string;
  /** How many times the board deferred this change before (this decision not counted). */
  earlierDeferrals: number;
  /** The change, once approved, closed unsuccessful or rolled back, or caused an incident. */
  escaped: boolean;
  /** Minutes the item took in the meeting, and those it was allotted (null: decided outside a meeting). */
  minutesTaken: number | null;
  minutesAllotted: number | null;
}

export interface Ratio {
  value: number | null;
  numerator: number;
  denominator: number;
}

export interface BoardMetrics {
  decisions: number;
  approvalRate: Ratio;
  /** Above the threshold (default 95 %) with enough decisions: the board may be approving without judging. */
  rubberStamp: boolean;
  escapeRate: Ratio;
  deferralRate: Ratio;
  deferredMoreThanOnce: number;
  lowRiskShare: Ratio;
  /** Median hours from submission to the board's answer (approve, approve with conditions, reject). */
  medianHoursToDecision: number | null;
  /** Minutes taken over minutes allotted, for items decided in a meeting. */
  timeAgainstAllotment: Ratio;
}

const ratio = (numerator: number, denominator: number): Ratio => ({ value: denominator === 0 ? null : numerator / denominator, numerator, denominator });

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const APPROVALS: readonly BoardDecision[] = ['approve', 'approve_with_conditions'];
/** The decisions that answer the requester; a deferral or a request for information leaves them waiting. */
const ANSWERS: readonly BoardDecision[] = [...APPROVALS, 'reject'];

/** Whether a decision answers the requester (approves or rejects). */
export const isAnswer = (decision: BoardDecision): boolean => ANSWERS.includes(decision);
/** Whether a decision approves (with or without conditions). */
export const isApproval = (decision: BoardDecision): boolean => APPROVALS.includes(decision);

/** The changes the board deferred in these items after deferring them before: items going round in circles. */
export function deferredAgain(items: readonly DecidedItem[]): string[] {
  return [...new Set(items.filter((i) => i.decision === 'defer' && i.earlierDeferrals >= 1).map((i) => i.changeId))];
}

/**
 * The board's figures. Approval rate counts approvals (with or without conditions) over all decisions; the
 * escape rate approved changes that later failed or caused incidents over approved ones; the low-risk share is
 * the part of the agenda a board should not have seen (it should fall to zero as the catalogue grows); the
 * time to decision runs from submission to the board's answer, deferrals and requests for information aside.
 */
/** A board approving more than `above` of at least `minDecisions` decisions is flagged as a possible rubber stamp. */
export const RUBBER_STAMP = { above: 0.95, minDecisions: 20 } as const;

export function boardMetrics(items: readonly DecidedItem[], opts: { rubberStampAbove?: number; minDecisions?: number } = {}): BoardMetrics {
  const approved = items.filter((i) => APPROVALS.includes(i.decision));
  const approvalRate = ratio(approved.length, items.length);
  const timed = items.filter((i) => i.minutesTaken !== null && i.minutesAllotted !== null);
  return {
    decisions: items.length,
    approvalRate,
    rubberStamp: items.length >= (opts.minDecisions ?? RUBBER_STAMP.minDecisions) && (approvalRate.value ?? 0) > (opts.rubberStampAbove ?? RUBBER_STAMP.above),
    escapeRate: ratio(approved.filter((i) => i.escaped).length, approved.length),
    deferralRate: ratio(items.filter((i) => i.decision === 'defer').length, items.length),
    deferredMoreThanOnce: deferredAgain(items).length,
    lowRiskShare: ratio(items.filter((i) => i.riskLevel === 'low').length, items.length),
    // A deferral is not an answer: the wait the requester feels runs until the board approves or rejects.
    medianHoursToDecision: median(items.filter((i) => isAnswer(i.decision)).map((i) => (Date.parse(i.decidedAt) - Date.parse(i.submittedAt)) / 3_600_000)),
    timeAgainstAllotment: ratio(
      timed.reduce((n, i) => n + i.minutesTaken!, 0),
      timed.reduce((n, i) => n + i.minutesAllotted!, 0),
    ),
  };
}

/** A meeting the board held (ended), with who of its people came and whether its quorum was ever there. */
export interface HeldMeeting {
  meetingId: string;
  /** The board's people (who it expects), and how many of them were recorded present. */
  people: number;
  present: number;
  /** The quorum was met by who was present, or by a decision taken at the meeting. */
  quorumMet: boolean;
}

export interface MeetingFigures {
  meetingsHeld: number;
  /** People present over people expected, summed over the meetings held: their mean attendance, weighted by size. */
  attendance: Ratio;
  /** Decisions taken at meetings whose quorum was met, over decisions taken at meetings. */
  quorumMet: Ratio;
  /** Meetings held where the quorum never was. */
  withoutQuorum: string[];
}

/** Attendance and quorum over the meetings held and the decisions taken at them. */
export function meetingFigures(meetings: readonly HeldMeeting[], decisions: readonly { quorumMet: boolean }[]): MeetingFigures {
  return {
    meetingsHeld: meetings.length,
    attendance: ratio(
      meetings.reduce((n, m) => n + Math.min(m.present, m.people), 0),
      meetings.reduce((n, m) => n + m.people, 0),
    ),
    quorumMet: ratio(decisions.filter((d) => d.quorumMet).length, decisions.length),
    withoutQuorum: meetings.filter((m) => !m.quorumMet).map((m) => m.meetingId),
  };
}

export interface ResponseFigures {
  slaMinutes: number;
  /** Median minutes from submission to the board's answer. */
  medianMinutes: number | null;
  /** Answers within the SLA (at most `slaMinutes`), over answers. */
  withinSla: Ratio;
}

/** How fast a board that must answer quickly (the ECAB) answered, against its response time. */
export function responseFigures(answers: readonly { submittedAt: string; decidedAt: string }[], slaMinutes: number): ResponseFigures {
  const minutes = answers.map((a) => (Date.parse(a.decidedAt) - Date.parse(a.submittedAt)) / 60_000);
  return { slaMinutes, medianMinutes: median(minutes), withinSla: ratio(minutes.filter((m) => m <= slaMinutes).length, minutes.length) };
}

export type Grain = 'week' | 'month';

/**
 * The weeks (from Monday) or months of a period [from, to), UTC, as the instants they start at: the rows of a
 * trend. The first may start before `from`; what falls before it is not counted.
 */
export function periodsOf(from: string, to: string, grain: Grain): string[] {
  const out: string[] = [];
  const end = Date.parse(to);
  for (let at = periodStart(from, grain); at < end; at = nextPeriod(at, grain)) out.push(new Date(at).toISOString());
  return out;
}

/** The start (ms) of the week or month an instant falls in, UTC. */
export function periodStart(iso: string, grain: Grain): number {
  const d = new Date(iso);
  if (grain === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return day - ((d.getUTCDay() + 6) % 7) * 86_400_000;
}

function nextPeriod(at: number, grain: Grain): number {
  if (grain === 'week') return at + 7 * 86_400_000;
  const d = new Date(at);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
}
