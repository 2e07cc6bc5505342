import { z } from 'zod';
import { ChangeRef, CiRef, Id, ServiceRef } from './common';

/**
 * Unauthorized changes (issue 14 point 8, docs/deployments.md#unauthorized-changes): a production deployment no
 * authorised change covered. The review is blameless by design: it asks what in the process made the bypass
 * easier than the right path and records the fix; nothing here counts or ranks people.
 */
export const UNAUTHORIZED_STATES = ['open', 'closed'] as const;

/** What in the process made the bypass easier than the right path. */
export const UNAUTHORIZED_CAUSES = ['no_catalogue_entry', 'route_too_slow', 'tooling_gap', 'emergency_no_time', 'unclear_policy', 'other'] as const;
export const UNAUTHORIZED_CAUSE_LABELS: Record<(typeof UNAUTHORIZED_CAUSES)[number], string> = {
  no_catalogue_entry: 'No catalogue entry fits this work',
  route_too_slow: 'The approval route is too slow for it',
  tooling_gap: 'The pipeline or tooling does not ask the gate',
  emergency_no_time: 'An emergency left no time to file a change',
  unclear_policy: 'The policy is unclear about this work',
  other: 'Something else',
};
/** What was changed so the right path is the easy one next time. */
export const UNAUTHORIZED_FIX_KINDS = ['catalogue_entry', 'faster_route', 'tooling', 'policy_text', 'none'] as const;
/** How the review ended. */
export const UNAUTHORIZED_OUTCOMES = ['authorised_after_the_fact', 'process_fixed', 'false_alarm'] as const;
/** What a fix may link to: a catalogue entry (template), a change, a problem, or a page elsewhere. */
export const FIX_LINK_KINDS = ['template', 'change', 'problem', 'url'] as const;

const Named = z.object({ id: z.string(), name: z.string() });

export const UnauthorizedChange = z
  .object({
    id: z.string(),
    /** `UNA` and seven digits. */
    number: z.string(),
    state: z.enum(UNAUTHORIZED_STATES),
    service: Named.nullable(),
    ci: Named.nullable(),
    repository: z.string(),
    environment: z.string(),
    firstSeenAt: z.string(),
    lastSeenAt: z.string(),
    /** Until then, more deployments on the same CI join this record instead of raising another. */
    quietUntil: z.string(),
    deploymentCount: z.number().int(),
    /** The deployments that raised or joined it, oldest first (the first 50). */
    deployments: z.array(z.object({ id: z.string(), sha: z.string(), environment: z.string(), startedAt: z.string(), status: z.string() })),
    review: z
      .object({
        cause: z.enum(UNAUTHORIZED_CAUSES),
        causeLabel: z.string(),
        causeText: z.string(),
        fix: z.object({ kind: z.enum(UNAUTHORIZED_FIX_KINDS), text: z.string(), link: z.object({ kind: z.enum(FIX_LINK_KINDS), ref: z.string(), label: z.string() }).nullable() }),
        outcome: z.enum(UNAUTHORIZED_OUTCOMES),
        authorisedChange: z.object({ id: z.string(), number: z.string(), title: z.string() }).nullable(),
        notes: z.string(),
        reviewedAt: z.string(),
      })
      .nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'UnauthorizedChange' });
export type UnauthorizedChangeView = z.infer<typeof UnauthorizedChange>;

export const UnauthorizedListQuery = z.strictObject({
  state: z.string().max(40).optional().describe('open or closed, or both comma-separated'),
  serviceId: ServiceRef.optional(),
  ciId: CiRef.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type UnauthorizedListQuery = z.output<typeof UnauthorizedListQuery>;

/** The blameless review: the cause in the process, the fix, the outcome. Closes the record. */
export const ReviewUnauthorizedInput = z
  .strictObject({
    cause: z.enum(UNAUTHORIZED_CAUSES),
    /** Required for `other`; what happened, in the process's terms. */
    causeText: z.string().trim().max(5000).default(''),
    fix: z
      .strictObject({
        kind: z.enum(UNAUTHORIZED_FIX_KINDS),
        text: z.string().trim().max(5000).default(''),
        link: z.strictObject({ kind: z.enum(FIX_LINK_KINDS), ref: z.string().trim().min(1).max(2000) }).optional(),
      })
      .default({ kind: 'none', text: '' }),
    outcome: z.enum(UNAUTHORIZED_OUTCOMES),
    /** For `authorised_after_the_fact`: the change that authorises the work now. */
    changeNumber: ChangeRef.optional(),
    notes: z.string().trim().max(5000).default(''),
    version: z.number().int().min(1).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.cause === 'other' && r.causeText === '') ctx.addIssue({ code: 'custom', path: ['causeText'], message: 'say what in the process made the bypass easier' });
    if (r.outcome === 'authorised_after_the_fact' && !r.changeNumber) ctx.addIssue({ code: 'custom', path: ['changeNumber'], message: 'name the change that authorises the work' });
    if (r.outcome === 'process_fixed' && r.fix.kind === 'none') ctx.addIssue({ code: 'custom', path: ['fix.kind'], message: 'say what was fixed: catalogue_entry, faster_route, tooling or policy_text' });
    if (r.fix.kind !== 'none' && r.fix.text === '' && !r.fix.link) ctx.addIssue({ code: 'custom', path: ['fix.text'], message: 'describe the fix or link to it' });
    if (r.fix.link?.kind === 'url' && !/^https?:\/\/\S+$/.test(r.fix.link.ref)) ctx.addIssue({ code: 'custom', path: ['fix.link.ref'], message: 'must be an http(s) URL' });
  })
  .meta({ id: 'ReviewUnauthorizedChange' });
export type ReviewUnauthorizedInput = z.input<typeof ReviewUnauthorizedInput>;

export const UnauthorizedParams = z.object({ id: Id.describe('Unauthorized change id or number (UNA0000001)') });
