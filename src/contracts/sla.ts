import { z } from 'zod';
import { Instant } from './common';

export const SLA_METRIC_NAMES = ['approval_response', 'time_to_schedule'] as const;

/** One SLA clock of a change: what it times, its target and due time, and what happened. */
export const SlaClock = z
  .object({
    id: z.string(),
    changeId: z.string(),
    approvalId: z.string().nullable(),
    metric: z.enum(SLA_METRIC_NAMES),
    /** The SLA target's name, or `rule:<name>` when the approval rule's own `due` set the time. */
    target: z.string(),
    clock: z.enum(['business', 'wall']),
    policyVersion: z.number().int(),
    startedAt: z.string(),
    dueAt: z.string(),
    remindAt: z.string().nullable(),
    remindedAt: z.string().nullable(),
    stoppedAt: z.string().nullable(),
    breachedAt: z.string().nullable(),
    escalatedAt: z.string().nullable(),
    /** running: not stopped and not breached; met: stopped in time; breached: past due (stopped or not). */
    status: z.enum(['running', 'met', 'breached']),
    /** For an approval clock: its rule and approver. */
    rule: z.string().nullable(),
    approverLabel: z.string().nullable(),
  })
  .meta({ id: 'SlaClock' });
export type SlaClock = z.infer<typeof SlaClock>;
export const SlaClockList = z.object({ items: z.array(SlaClock) });

/** A breached clock with its change, for the SLA report. */
export const SlaBreach = SlaClock.extend({ changeNumber: z.string(), changeTitle: z.string(), changeType: z.string() }).meta({
  id: 'SlaBreach',
});
export type SlaBreach = z.infer<typeof SlaBreach>;
export const SlaBreachList = z.object({ items: z.array(SlaBreach), nextCursor: z.string().nullable() });

export const SlaBreachQuery = z
  .strictObject({
    metric: z.enum(SLA_METRIC_NAMES).optional(),
    changeId: z.string().min(1).max(64).optional().describe('Change id or number'),
    from: Instant.optional().describe('Breaches recorded at or after this instant'),
    to: Instant.optional().describe('Breaches recorded before this instant'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(200).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { path: ['to'], message: 'must be after "from"' });
export type SlaBreachQuery = z.output<typeof SlaBreachQuery>;
