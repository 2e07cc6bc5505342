import { z } from 'zod';
import { CiRef, ServiceRef, TemplateRef } from './common';

/** The CI/CD tools that ask the gate (docs/pipelines.md). */
export const GATE_SOURCES = ['github', 'gitlab', 'jenkins', 'argocd', 'generic'] as const;
export type GateSource = (typeof GATE_SOURCES)[number];

export const GATE_DECISIONS = ['allow', 'deny', 'pending'] as const;
export type GateDecision = (typeof GATE_DECISIONS)[number];

/**
 * The stable codes of a gate decision's reasons (docs/pipelines.md#reasons). `deny` reasons do not change by
 * waiting; `pending` ones may (an approval granted, a window opening, a freeze ending).
 */
export const GATE_REASON_CODES = [
  'allowed',
  'no_change',
  'change_not_authorized',
  'change_closed',
  'change_not_covering',
  'outside_change_window',
  'freeze',
  'conflict',
  'template_suspended',
  'template_not_eligible',
  'checks_failed',
  'conditions_unmet',
  'deadline_passed',
  'change_not_started',
] as const;
export type GateReasonCode = (typeof GATE_REASON_CODES)[number];

export const GATE_REF_TYPES = ['change', 'approval', 'window', 'freeze', 'conflict', 'template', 'check', 'condition'] as const;

/** The record behind a reason: the freeze and when it ends, the approval still pending, the window and when it opens. */
export const GateReasonRef = z
  .object({
    type: z.enum(GATE_REF_TYPES),
    id: z.string(),
    label: z.string().optional(),
    until: z.string().optional().describe('When it ends (a freeze) or opens (a window): an instant'),
  })
  .meta({ id: 'GateReasonRef' });
export type GateReasonRef = z.infer<typeof GateReasonRef>;

export const GateReason = z
  .object({
    code: z.string().describe(`Stable code: ${GATE_REASON_CODES.join(', ')}`),
    message: z.string(),
    ref: GateReasonRef.nullable(),
  })
  .meta({ id: 'GateReason' });
export type GateReason = z.infer<typeof GateReason>;

const Text = (max: number) => z.string().trim().min(1).max(max);

export const GateTarget = z
  .strictObject({
    serviceId: ServiceRef.optional().describe('Service id or name'),
    ciIds: z.array(CiRef).max(200).optional().describe('CI ids or names'),
    environment: Text(64).describe('The environment deployed to, e.g. production'),
  })
  .refine((t) => !!t.serviceId || (t.ciIds?.length ?? 0) > 0, { message: 'name the service (serviceId) or the CIs (ciIds) deployed to', path: ['serviceId'] });

export const GatePipeline = z.strictObject({
  id: Text(200).describe('The pipeline or workflow (e.g. deploy.yml)'),
  runId: Text(200).describe('The run (GITHUB_RUN_ID, CI_PIPELINE_ID, BUILD_NUMBER)'),
  attempt: z.coerce.number().int().min(1).max(10_000).default(1).describe('The attempt of the run; a new attempt is evaluated afresh'),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000).optional(),
});

/** `POST /api/v1/gate/checks`: may this deployment go out now? (issue 14's contract, exactly). */
export const GateCheckInput = z
  .strictObject({
    target: GateTarget,
    source: z.enum(GATE_SOURCES),
    repository: Text(300).describe('owner/name, or the repository URL'),
    ref: Text(300).describe('Branch or tag'),
    sha: z.string().trim().regex(/^[0-9a-fA-F]{7,64}$/, 'must be a commit hash (7 to 64 hex digits)'),
    pipeline: GatePipeline,
    actor: Text(200).describe('Who started the deployment (the tool’s user name)'),
    changeNumber: z
      .string()
      .trim()
      .regex(/^CHG\d{7,}$/, 'must be a change number such as CHG0001234')
      .optional(),
    templateId: TemplateRef.optional().describe('A catalogue entry (id or name): the gate files a standard change from it'),
  })
  .meta({ id: 'GateCheckRequest' });
export type GateCheckInput = z.output<typeof GateCheckInput>;

export const GateChangeRef = z.object({ id: z.string(), number: z.string(), state: z.string() }).meta({ id: 'GateChangeRef' });

export const GateCheckView = z
  .object({
    id: z.string(),
    decision: z.enum(GATE_DECISIONS),
    reasons: z.array(GateReason),
    change: GateChangeRef.nullable(),
    target: z.object({ serviceId: z.string().nullable(), ciIds: z.array(z.string()), environment: z.string() }),
    source: z.enum(GATE_SOURCES),
    repository: z.string(),
    ref: z.string(),
    sha: z.string(),
    pipeline: z.object({ id: z.string(), runId: z.string(), attempt: z.number().int(), url: z.string().nullable() }),
    actor: z.string(),
    templateId: z.string().nullable(),
    createdAt: z.string(),
    decidedAt: z.string().describe('When the decision last changed'),
    deadline: z.string().nullable().describe('A pending check becomes deny (deadline_passed) at this instant'),
  })
  .meta({ id: 'GateCheck' });
export type GateCheckView = z.infer<typeof GateCheckView>;

export const GateCheckList = z.object({ items: z.array(GateCheckView), nextCursor: z.string().nullable() });

export const GateCheckListQuery = z.strictObject({
  changeId: z.string().max(64).optional().describe('Change id or number'),
  serviceId: ServiceRef.optional(),
  decision: z.enum(GATE_DECISIONS).optional(),
  source: z.enum(GATE_SOURCES).optional(),
  repository: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type GateCheckListQuery = z.output<typeof GateCheckListQuery>;

/** Long-polling: wait until the decision differs from `decision` (the one the caller saw), at most `wait` seconds. */
export const GateCheckGetQuery = z.strictObject({
  wait: z.coerce.number().int().min(0).max(3600).optional().describe('Seconds to wait for a new decision (capped at 60)'),
  decision: z.enum(GATE_DECISIONS).optional().describe('The decision the caller last saw (default: the current one)'),
});
