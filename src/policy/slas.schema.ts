import { z } from 'zod';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');
const Hour = z.number().int().min(0).max(24);
/** A duration: minutes, hours or days (`30m`, `24h`, `2d`). In business time a day is one working day. */
const Duration = z.string().regex(/^[1-9][0-9]*[mhd]$/, 'a duration is a whole number followed by m, h or d (30m, 24h, 2d)');

/** What an SLA clock measures. */
export const SLA_METRICS = ['approval_response', 'time_to_schedule'] as const;
export type SlaMetric = (typeof SLA_METRICS)[number];

const TargetSchema = z.strictObject({
  name: Name,
  /**
   * approval_response: from an approval being asked to its decision (one clock per approval);
   * time_to_schedule: from the change leaving its first state to entering a state that needs approvals.
   */
  metric: z.enum(SLA_METRICS),
  /** CEL over the change context and `risk`; the first target of a metric whose `when` holds applies. */
  when: z.string().min(1).default('true'),
  target: Duration,
  /** `business`: the target counts working time on the SLA calendar; `wall`: around the clock. */
  clock: z.enum(['business', 'wall']).default('business'),
});

export const SlasSection = z
  .strictObject({
    /** The working calendar SLA targets count in; without it, the risk section's business hours. */
    businessHours: z
      .strictObject({
        timeZone: z.string().min(1),
        days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5]),
        start: Hour.default(8),
        end: Hour.default(18),
        /** Whole days off, as YYYY-MM-DD in the calendar's time zone. */
        holidays: z.array(z.iso.date()).default([]),
      })
      .optional(),
    /** When to remind the approvers: a share of the target left (`25%`) or a duration before the due time. */
    remindBefore: z.union([z.string().regex(/^[1-9][0-9]?%$/, 'a share is 1% to 99%'), Duration]).default('25%'),
    targets: z.array(TargetSchema).default([]),
  })
  .default({ remindBefore: '25%', targets: [] });
export type SlasSectionOutput = z.output<typeof SlasSection>;
