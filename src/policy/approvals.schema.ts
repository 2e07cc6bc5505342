import { z } from 'zod';
import { CONTENT_FIELDS, type ContentField } from '../domain/approval/content';
import { ROLES } from '../domain/auth/roles';

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, 'names are lowercase letters, digits and "_"');

/** Who may decide: exactly one of a team (handle), a role, a user (email) or a field of the change. */
const BaseApproverSchema = z.union(
  [
    z.strictObject({ team: z.string().min(1) }),
    z.strictObject({ role: z.enum(ROLES) }),
    z.strictObject({ user: z.email('must be an email address') }),
    z.strictObject({ field: z.enum(['service_owner', 'ci_owner']) }),
  ],
  { error: 'name exactly one of team, role, user or field (service_owner, ci_owner)' },
);

/**
 * Who decides a rule: one of the above, or a change advisory board (docs/cab.md#routing-changes-to-a-board):
 * `board` names one board, `boards` every active board of a kind whose scope takes the change. When no board
 * takes it (none set up yet, deactivated, out of every scope), `otherwise` decides, else the rule's
 * `escalateTo`: an approval never silently disappears. `retrospective` names the boards that review the board's
 * approvals once given (the full CAB reviewing the ECAB's).
 */
const BoardKindSchema = z.enum(['cab', 'ecab', 'technical']);

/**
 * The boards that review a board's approval after the fact (an ECAB's emergency approvals by the full CAB,
 * docs/cab.md#retrospective-review): one board by name, or every active board of a kind whose scope takes the change.
 */
const RetrospectiveSchema = z.union([z.strictObject({ board: z.string().min(1, 'name the board') }), z.strictObject({ boards: BoardKindSchema })], {
  error: 'a retrospective review names board (a name) or boards (cab, ecab, technical)',
});

const ApproverSchema = z.union(
  [
    ...BaseApproverSchema.options,
    z.strictObject({ board: z.string().min(1, 'name the board'), otherwise: BaseApproverSchema.optional(), retrospective: RetrospectiveSchema.optional() }),
    z.strictObject({ boards: BoardKindSchema, otherwise: BaseApproverSchema.optional(), retrospective: RetrospectiveSchema.optional() }),
  ],
  {
    error:
      'name exactly one of team, role, user, field (service_owner, ci_owner), board (a name) or boards (cab, ecab, technical); a board may add otherwise (one of team, role, user, field) and retrospective (board: a name, or boards: cab, ecab, technical)',
  },
);

const QuorumSchema = z.union(
  [
    z.enum(['any', 'all']),
    z.strictObject({ n: z.number().int().min(1) }),
    z.strictObject({ percent: z.number().int().min(1).max(100) }),
  ],
  { error: 'quorum is any, all, { n: N } or { percent: P }' },
);

/** A duration: minutes, hours or days (`30m`, `24h`, `2d`). */
const Duration = z.string().regex(/^[1-9][0-9]*[mhd]$/, 'a duration is a whole number followed by m, h or d (30m, 24h, 2d)');

const RuleSchema = z.strictObject({
  name: Name,
  /** CEL over the change context and `risk`; a rule without `when` always applies. */
  when: z.string().min(1).default('true'),
  approvers: ApproverSchema,
  quorum: QuorumSchema.default('any'),
  due: Duration.optional(),
  escalateTo: BaseApproverSchema.optional(),
  reason: z.string().min(1),
});

const StageSchema = z.strictObject({
  name: Name,
  label: z.string().min(1),
  rules: z.array(RuleSchema).default([]),
});

export const DEFAULT_MATERIAL_FIELDS: ContentField[] = ['type', 'ciIds', 'plannedStart', 'plannedEnd', 'implementationPlan', 'testPlan', 'backoutPlan', 'ownerId', 'implementerId', 'riskLevel'];
export const DEFAULT_LOCKED_STATES = ['implement', 'review'];

/**
 * What an approval is for: the material fields (a vote records their fingerprint; editing one after approvals
 * were requested reopens authorization) and the states in which such an edit is refused instead.
 */
const ContentSchema = z
  .strictObject({
    fields: z.array(z.enum(CONTENT_FIELDS)).min(1, 'name at least one material field').default(DEFAULT_MATERIAL_FIELDS),
    /** Left out: those of the default states (implement, review) that the bundle's models have. */
    lockedIn: z.array(z.string().min(1)).optional(),
  })
  .default({ fields: DEFAULT_MATERIAL_FIELDS });

export const ApprovalsSection = z
  .strictObject({ content: ContentSchema, stages: z.array(StageSchema).default([]) })
  .default({ content: { fields: DEFAULT_MATERIAL_FIELDS }, stages: [] });

export type ApproverInput = z.output<typeof ApproverSchema>;
export type BaseApproverInput = z.output<typeof BaseApproverSchema>;
export type QuorumInput = z.output<typeof QuorumSchema>;
export type ApprovalsSectionOutput = z.output<typeof ApprovalsSection>;

/** Milliseconds in a duration accepted by the schema. */
export function durationMs(duration: string): number {
  const n = Number(duration.slice(0, -1));
  const unit = duration.slice(-1);
  return n * (unit === 'm' ? 60_000 : unit === 'h' ? 3_600_000 : 86_400_000);
}
