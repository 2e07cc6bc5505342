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
  /** Median hours from submission to decision. */
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

/**
 * The board's figures. Approval rate counts approvals (with or without conditions) over all decisions; the
 * escape rate approved changes that later failed or caused incidents over approved ones; the low-risk share is
 * the part of the agenda a board should not have seen (it should fall to zero as the catalogue grows).
 */
export function boardMetrics(items: readonly DecidedItem[], opts: { rubberStampAbove?: number; minDecisions?: number } = {}): BoardMetrics {
  const approved = items.filter((i) => APPROVALS.includes(i.decision));
  const approvalRate = ratio(approved.length, items.length);
  const timed = items.filter((i) => i.minutesTaken !== null && i.minutesAllotted !== null);
  return {
    decisions: items.length,
    approvalRate,
    rubberStamp: items.length >= (opts.minDecisions ?? 20) && (approvalRate.value ?? 0) > (opts.rubberStampAbove ?? 0.95),
    escapeRate: ratio(approved.filter((i) => i.escaped).length, approved.length),
    deferralRate: ratio(items.filter((i) => i.decision === 'defer').length, items.length),
    deferredMoreThanOnce: new Set(items.filter((i) => i.decision === 'defer' && i.earlierDeferrals >= 1).map((i) => i.changeId)).size,
    lowRiskShare: ratio(items.filter((i) => i.riskLevel === 'low').length, items.length),
    medianHoursToDecision: median(items.map((i) => (Date.parse(i.decidedAt) - Date.parse(i.submittedAt)) / 3_600_000)),
    timeAgainstAllotment: ratio(
      timed.reduce((n, i) => n + i.minutesTaken!, 0),
      timed.reduce((n, i) => n + i.minutesAllotted!, 0),
    ),
  };
}
