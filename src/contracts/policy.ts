import { z } from 'zod';

/** A bundle file name: a plain `*.yaml` / `*.yml` name, or a test case file `tests/NAME.yaml`. */
const BUNDLE_FILE_NAME = /^(tests\/)?[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/;

export const ApplyPolicyInput = z.strictObject({
  files: z.record(z.string().max(200), z.string().max(512 * 1024)).superRefine((files, ctx) => {
    const names = Object.keys(files);
    if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'send at least one .yaml file' });
    if (names.length > 100) ctx.addIssue({ code: 'custom', message: 'a bundle has at most 100 files' });
    for (const name of names) {
      if (!BUNDLE_FILE_NAME.test(name))
        ctx.addIssue({ code: 'custom', message: `"${name}": file names end in .yaml or .yml and hold no folders but tests/` });
    }
  }),
});
export type ApplyPolicyInput = z.input<typeof ApplyPolicyInput>;

export const PolicyVersion = z
  .object({
    number: z.number().int(),
    name: z.string(),
    hash: z.string(),
    appliedAt: z.string(),
    /** A user id, or `system:startup` / `system:cli` for versions applied by Cabinet itself. */
    appliedBy: z.string(),
    appliedByName: z.string(),
    active: z.boolean(),
  })
  .meta({ id: 'PolicyVersion' });
export type PolicyVersion = z.infer<typeof PolicyVersion>;

export const PolicyVersionDetail = PolicyVersion.extend({
  /** File name → YAML text, exactly as applied. */
  files: z.record(z.string(), z.string()),
}).meta({ id: 'PolicyVersionDetail' });
export type PolicyVersionDetail = z.infer<typeof PolicyVersionDetail>;

/** A state of a change model. */
const PolicyState = z
  .object({
    id: z.string(),
    label: z.string(),
    /** Fields a change must have filled in to enter the state. */
    requires: z.array(z.string()),
    /** A final state accepts no more edits or transitions. */
    final: z.boolean(),
    /** Entering it generates the change's approvals. */
    requestApprovals: z.boolean().optional(),
    /** It cannot be entered until every approval is approved. */
    requiresApprovals: z.boolean().optional(),
  })
  .meta({ id: 'PolicyState' });

/** A move between states, and who may make it (roles, or relations to the change such as requester). */
const PolicyTransition = z
  .object({ from: z.array(z.string()), to: z.string(), label: z.string(), roles: z.array(z.string()), relations: z.array(z.string()) })
  .meta({ id: 'PolicyTransition' });

/** A change model of the active policy: its states and transitions. */
export const ChangeModelOut = z
  .object({
    type: z.string(),
    label: z.string(),
    initial: z.string(),
    states: z.array(PolicyState),
    transitions: z.array(PolicyTransition),
  })
  .meta({ id: 'ChangeModel' });

/** The active policy version, with its change models (by type) and the teams it declares. */
export const ActivePolicy = PolicyVersion.omit({ active: true })
  .extend({
    description: z.string(),
    models: z.record(z.string(), ChangeModelOut),
    teams: z.array(z.object({ handle: z.string(), name: z.string(), description: z.string() })),
  })
  .meta({ id: 'ActivePolicy' });
export type ActivePolicyOut = z.infer<typeof ActivePolicy>;

/** The answer to applying a bundle: the new version, or the active one when the content is the same. */
export const AppliedPolicy = PolicyVersion.extend({ applied: z.boolean() }).meta({ id: 'AppliedPolicy' });
export type AppliedPolicy = z.infer<typeof AppliedPolicy>;

export const PolicyVersionParams = z.strictObject({ number: z.coerce.number().int().min(1).max(2_147_483_647) });

/** One problem of a bundle or a test file, at its place. */
export const PolicyIssue = z
  .object({
    file: z.string(),
    line: z.number().int(),
    column: z.number().int(),
    path: z.string(),
    message: z.string(),
  })
  .meta({ id: 'PolicyIssue' });

/** The outcome of a bundle's test cases (`tests/*.yaml`); `issues` lists problems of test files that kept them from running. */
export const PolicyTestReport = z.object({
  passed: z.number().int(),
  failed: z.number().int(),
  cases: z.array(
    z.object({
      file: z.string(),
      name: z.string(),
      ok: z.boolean(),
      mismatches: z.array(z.object({ what: z.string(), expected: z.string(), actual: z.string() })),
    }),
  ),
  issues: z.array(PolicyIssue),
});
export type PolicyTestReport = z.infer<typeof PolicyTestReport>;

export const PolicyVersionTests = PolicyTestReport.extend({ number: z.number().int() });
export type PolicyVersionTests = z.infer<typeof PolicyVersionTests>;

const RiskOutcome = z.object({ score: z.number(), level: z.string() });
/** What a bundle decides for one change: its risk, the approval rules that apply, routing and gates. */
const ChangeOutcome = z.object({
  risk: RiskOutcome,
  approvals: z.array(z.string()),
  /** The assignment team routing picks (a handle, `field service_owner`…) or `none`. */
  team: z.string(),
  changeManager: z.string(),
  gates: z.array(z.string()),
});

/** One open change whose outcome the candidate bundle changes. */
export const ChangeImpact = z.object({
  id: z.string(),
  number: z.string(),
  title: z.string(),
  type: z.string(),
  state: z.string(),
  /** What moves: any of risk, approvals, routing, gates, model. */
  changed: z.array(z.enum(['risk', 'approvals', 'routing', 'gates', 'model'])),
  before: ChangeOutcome,
  after: ChangeOutcome,
  approvalsAdded: z.array(z.string()),
  approvalsRemoved: z.array(z.string()),
  /** Problems the new bundle causes the change (its type or state no longer exists). */
  warnings: z.array(z.string()),
});
export type ChangeImpact = z.infer<typeof ChangeImpact>;

/** The impact of a candidate bundle on every open change, against the active version. */
export const PolicyDiff = z.object({
  activeVersion: z.number().int().nullable(),
  openChanges: z.number().int(),
  unchanged: z.number().int(),
  changes: z.array(ChangeImpact),
});
export type PolicyDiff = z.infer<typeof PolicyDiff>;

export const PolicyPreviewInput = ApplyPolicyInput;

/** A bundle checked as applying would check it, its test results, and its impact on open changes. */
export const PolicyPreview = z.object({
  valid: z.literal(true),
  name: z.string(),
  hash: z.string(),
  /** Whether the active version has exactly this content. */
  sameAsActive: z.boolean(),
  tests: PolicyTestReport,
  diff: PolicyDiff,
});
export type PolicyPreview = z.infer<typeof PolicyPreview>;
