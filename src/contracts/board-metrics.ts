import { z } from 'zod';
import { Instant } from './common';

/** How a board measures itself (issue 15 point 8, docs/cab.md#the-boards-figures). */
export const BoardMetricsQuery = z
  .strictObject({
    from: Instant.optional().describe('Start of the period (decisions and meetings at or after); default 90 days before `to`'),
    to: Instant.optional().describe('End of the period (before); default now'),
    grain: z.enum(['week', 'month']).optional().describe('The trend: per week (from Monday, UTC) or per calendar month; default week for periods up to 26 weeks, else month'),
  })
  // NOTE: runs even when a field failed (`when`), so one 400 lists a reversed period with the rest; it reads defensively.
  .superRefine(
    (q, ctx) => {
      const ms = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);
      if (ms(q.from) >= ms(q.to)) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before to' });
    },
    { when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) },
  );
export type BoardMetricsQuery = z.output<typeof BoardMetricsQuery>;

/** A share with what it was counted from, so nobody has to trust a bare percentage. */
export const BoardMetricsRatio = z
  .object({
    /** numerator / denominator, 0…1 (time against allotment may exceed 1); null when the denominator is 0. */
    value: z.number().nullable(),
    numerator: z.number(),
    denominator: z.number(),
  })
  .meta({ id: 'BoardMetricsRatio' });
export type BoardMetricsRatio = z.infer<typeof BoardMetricsRatio>;

const ChangeRef = z.object({ changeId: z.string(), number: z.string(), title: z.string() });

/** One week or month of the trend. */
export const BoardMetricsPeriod = z
  .object({
    /** When the week (Monday, UTC) or month starts. */
    start: z.string(),
    decisions: z.number().int(),
    approvalRate: BoardMetricsRatio,
    escapeRate: BoardMetricsRatio,
    deferralRate: BoardMetricsRatio,
    lowRiskShare: BoardMetricsRatio,
    medianHoursToDecision: z.number().nullable(),
    timeAgainstAllotment: BoardMetricsRatio,
    meetingsHeld: z.number().int(),
    attendance: BoardMetricsRatio,
    quorumMet: BoardMetricsRatio,
    /** ECAB only: answers within the response time; null for other boards. */
    responseWithinSla: BoardMetricsRatio.nullable(),
  })
  .meta({ id: 'BoardMetricsPeriod' });
export type BoardMetricsPeriod = z.infer<typeof BoardMetricsPeriod>;

export const BoardMetricsReport = z
  .object({
    board: z.object({ id: z.string(), name: z.string(), kind: z.enum(['cab', 'ecab', 'technical']) }),
    period: z.object({ from: z.string(), to: z.string(), grain: z.enum(['week', 'month']) }),
    /** Decisions in the period: recorded at meetings (each, deferrals included), and approvals settled by members' votes alone. */
    decisions: z.object({ total: z.number().int(), atMeetings: z.number().int(), byVotes: z.number().int() }),
    /** Approvals (with or without conditions) over decisions. */
    approvalRate: BoardMetricsRatio,
    /** Approving more than `above` of at least `minDecisions` decisions: the board may be approving without judging. */
    rubberStamp: z.object({ flagged: z.boolean(), above: z.number(), minDecisions: z.number().int() }),
    /** Approved changes that later closed unsuccessful or rolled back, or caused an incident, over approved ones. */
    escapeRate: BoardMetricsRatio,
    escapes: z.array(ChangeRef.extend({ closeCode: z.string().nullable(), incidents: z.number().int() })),
    /** Deferrals over decisions. */
    deferralRate: BoardMetricsRatio,
    /** Changes deferred in the period that the board had deferred before, with how often it deferred each. */
    deferredMoreThanOnce: z.object({ count: z.number().int(), items: z.array(ChangeRef.extend({ deferrals: z.number().int() })) }),
    /** Decisions on low-risk changes over decisions: what the board should not have had to see. */
    lowRiskShare: BoardMetricsRatio,
    /** Median hours from submission to the board's answer (approve or reject; deferrals and requests for information are not answers). */
    timeToDecision: z.object({ medianHours: z.number().nullable(), answers: z.number().int() }),
    /** Minutes the items decided at meetings took, over the minutes their risk allotted them. */
    timeAgainstAllotment: BoardMetricsRatio,
    /** People present over the board's people, summed over the meetings held. */
    attendance: z.object({ rate: BoardMetricsRatio, meetingsHeld: z.number().int(), people: z.number().int() }),
    /** Decisions at meetings whose quorum was met, over decisions at meetings; and the meetings held where it never was. */
    quorum: z.object({ rate: BoardMetricsRatio, meetingsWithoutQuorum: z.array(z.object({ meetingId: z.string(), title: z.string(), startedAt: z.string() })) }),
    /** ECAB only (null otherwise): how fast it answered against its response time. */
    response: z
      .object({
        slaMinutes: z.number().int(),
        medianMinutes: z.number().nullable(),
        withinSla: BoardMetricsRatio,
        /** Submitted in the period, still unanswered, and already past the response time. */
        openPastSla: z.number().int(),
      })
      .nullable(),
    series: z.array(BoardMetricsPeriod),
  })
  .meta({ id: 'BoardMetricsReport' });
export type BoardMetricsReport = z.infer<typeof BoardMetricsReport>;
