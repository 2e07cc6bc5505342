import { z } from 'zod';
import { ChangeRef, CiRef, Id, ServiceRef, TeamRef, UserRef } from './common';

/** A problem's life: found, assessed, its root cause analysed, a fix under way, resolved, closed. */
export const PROBLEM_STATES = ['new', 'assess', 'root_cause_analysis', 'fix_in_progress', 'resolved', 'closed'] as const;
export type ProblemState = (typeof PROBLEM_STATES)[number];

/**
 * The moves a problem may make (docs/learning.md). Forward one step at a time, skipping the fix when analysis
 * shows none is needed; back one step when the analysis or the fix did not hold; closed from anywhere (a
 * duplicate, not a problem after all); a closed problem stays closed.
 */
export const PROBLEM_TRANSITIONS: Record<ProblemState, readonly ProblemState[]> = {
  new: ['assess', 'closed'],
  assess: ['new', 'root_cause_analysis', 'closed'],
  root_cause_analysis: ['assess', 'fix_in_progress', 'resolved', 'closed'],
  fix_in_progress: ['root_cause_analysis', 'resolved', 'closed'],
  resolved: ['fix_in_progress', 'closed'],
  closed: [],
};

/** The states that count as open (for the `open` filter and suggestions). */
export const OPEN_PROBLEM_STATES = ['new', 'assess', 'root_cause_analysis', 'fix_in_progress'] as const;

export const KNOWN_ERROR_STATES = ['draft', 'published', 'retired'] as const;
export type KnownErrorState = (typeof KNOWN_ERROR_STATES)[number];

/** Incidents in the last SUGGESTION_DAYS on one CI, with no problem linked, that suggest a problem. */
export const SUGGESTION_INCIDENTS = 3;
export const SUGGESTION_DAYS = 30;

const Named = z.object({ id: z.string(), name: z.string() });
const LinkedChange = z.object({ id: z.string(), number: z.string(), title: z.string(), state: z.string(), closeCode: z.string().nullable() });
const LinkedIncident = z.object({ id: z.string(), number: z.string(), title: z.string(), state: z.string(), priority: z.number().int() });
const KnownErrorRef = z.object({ id: z.string(), number: z.string(), title: z.string(), state: z.enum(KNOWN_ERROR_STATES) });

export const Problem = z
  .object({
    id: z.string(),
    /** `PRB` and seven digits. */
    number: z.string(),
    title: z.string(),
    description: z.string(),
    priority: z.number().int(),
    state: z.enum(PROBLEM_STATES),
    /** The states it may move to from here. */
    nextStates: z.array(z.enum(PROBLEM_STATES)),
    ciIds: z.array(z.string()),
    cis: z.array(Named),
    service: Named.nullable(),
    owner: Named.nullable(),
    team: Named.nullable(),
    rootCause: z.string(),
    incidents: z.array(LinkedIncident),
    /** The changes that caused it. */
    causedByChanges: z.array(LinkedChange),
    /** The changes that fix it: the first to close successful or successful_with_issues resolves it. */
    fixChanges: z.array(LinkedChange),
    knownErrors: z.array(KnownErrorRef),
    resolvedAt: z.string().nullable(),
    resolvedByChange: z.object({ id: z.string(), number: z.string(), title: z.string() }).nullable(),
    closedAt: z.string().nullable(),
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

const Priority = z.number().int().min(1, 'priority is 1 (critical) to 4 (low)').max(4, 'priority is 1 (critical) to 4 (low)');
const IncidentRef = Id.describe('Incident id or number (INC0000001)');
const Refs = <T extends z.ZodType>(ref: T) => z.array(ref).max(200);

export const CreateProblemInput = z
  .strictObject({
    title: z.string().trim().min(1, 'must not be empty').max(200),
    description: z.string().max(20000).default(''),
    priority: Priority.default(3),
    ciIds: Refs(CiRef).default([]),
    serviceId: ServiceRef.nullable().default(null),
    /** The person who owns it; the creator when left out. */
    ownerId: UserRef.nullable().optional(),
    teamId: TeamRef.nullable().default(null),
    rootCause: z.string().max(20000).default(''),
    incidentIds: Refs(IncidentRef).default([]),
    causedByChangeIds: Refs(ChangeRef).default([]),
    fixChangeIds: Refs(ChangeRef).default([]),
  })
  .meta({ id: 'CreateProblem' });
export type CreateProblemInput = z.input<typeof CreateProblemInput>;

export const UpdateProblemInput = z
  .strictObject({
    title: CreateProblemInput.shape.title.optional(),
    description: z.string().max(20000).optional(),
    priority: Priority.optional(),
    /** Only the moves in `nextStates`; resolved and closed stamp resolvedAt / closedAt, going back clears them. */
    state: z.enum(PROBLEM_STATES).optional(),
    ciIds: Refs(CiRef).optional(),
    serviceId: ServiceRef.nullable().optional(),
    ownerId: UserRef.nullable().optional(),
    teamId: TeamRef.nullable().optional(),
    rootCause: z.string().max(20000).optional(),
    incidentIds: Refs(IncidentRef).optional(),
    causedByChangeIds: Refs(ChangeRef).optional(),
    fixChangeIds: Refs(ChangeRef).optional(),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'UpdateProblem' });
export type UpdateProblemInput = z.input<typeof UpdateProblemInput>;

export const PROBLEM_SORT_COLUMNS = ['number', 'title', 'priority', 'state', 'createdAt', 'resolvedAt'] as const;
export type ProblemSortColumn = (typeof PROBLEM_SORT_COLUMNS)[number];
export const PROBLEM_SORTS = PROBLEM_SORT_COLUMNS.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];

export const ProblemListQuery = z.strictObject({
  state: z.string().max(200).optional().describe('One state or several, comma-separated; `open` means every state before resolved'),
  priority: z.string().max(20).optional().describe('One priority or several, comma-separated (1 critical … 4 low)'),
  ciId: Id.optional().describe('Problems on this CI (id or name)'),
  serviceId: Id.optional(),
  teamId: Id.optional().describe('Problems of this team (id or handle)'),
  ownerId: Id.optional().describe('Problems owned by this person'),
  incidentId: Id.optional().describe('Problems linked to this incident (id or number)'),
  changeId: Id.optional().describe('Problems this change caused or fixes (id or number)'),
  q: z.string().max(200).optional().describe('Words in the number, title, description or root cause'),
  sort: z
    .enum(PROBLEM_SORTS, { error: () => `must be one of ${PROBLEM_SORTS.join(', ')}` })
    .optional()
    .describe(
      `The order: a column, ascending, or with a leading "-" descending (${PROBLEM_SORT_COLUMNS.join(', ')}); newest first when absent. Problems without a value come last either way; ties by number, highest first.`,
    ),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional(),
});
export type ProblemListQuery = z.output<typeof ProblemListQuery>;

export const ProblemExportQuery = ProblemListQuery.omit({ limit: true, cursor: true });
export type ProblemExportQuery = z.output<typeof ProblemExportQuery>;

/** A CI with enough recent incidents and no problem on them: a problem worth opening. */
export const ProblemSuggestion = z
  .object({
    ci: Named,
    incidents: z.array(z.object({ id: z.string(), number: z.string(), title: z.string(), priority: z.number().int(), openedAt: z.string() })),
  })
  .meta({ id: 'ProblemSuggestion' });
export type ProblemSuggestion = z.infer<typeof ProblemSuggestion>;
export const ProblemSuggestions = z
  .object({ threshold: z.number().int(), days: z.number().int(), items: z.array(ProblemSuggestion) })
  .meta({ id: 'ProblemSuggestions' });
export type ProblemSuggestions = z.infer<typeof ProblemSuggestions>;

export const KnownError = z
  .object({
    id: z.string(),
    /** `KE` and seven digits. */
    number: z.string(),
    title: z.string(),
    cause: z.string(),
    /** Markdown. */
    workaround: z.string(),
    state: z.enum(KNOWN_ERROR_STATES),
    ciIds: z.array(z.string()),
    cis: z.array(Named),
    problem: z.object({ id: z.string(), number: z.string(), title: z.string(), state: z.enum(PROBLEM_STATES) }).nullable(),
    publishedAt: z.string().nullable(),
    retiredAt: z.string().nullable(),
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'KnownError' });
export type KnownError = z.infer<typeof KnownError>;

const ProblemRef = Id.describe('Problem id or number (PRB0000001)');

export const CreateKnownErrorInput = z
  .strictObject({
    title: z.string().trim().min(1, 'must not be empty').max(200),
    cause: z.string().max(20000).default(''),
    workaround: z.string().max(20000).default(''),
    /** Published at once when `published`; a draft is seen by no check until published. */
    state: z.enum(['draft', 'published']).default('draft'),
    ciIds: Refs(CiRef).default([]),
    problemId: ProblemRef.nullable().default(null),
  })
  .meta({ id: 'CreateKnownError' });
export type CreateKnownErrorInput = z.input<typeof CreateKnownErrorInput>;

export const UpdateKnownErrorInput = z
  .strictObject({
    title: CreateKnownErrorInput.shape.title.optional(),
    cause: z.string().max(20000).optional(),
    workaround: z.string().max(20000).optional(),
    /** draft → published → retired; a retired known error may be published again. */
    state: z.enum(KNOWN_ERROR_STATES).optional(),
    ciIds: Refs(CiRef).optional(),
    problemId: ProblemRef.nullable().optional(),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'UpdateKnownError' });
export type UpdateKnownErrorInput = z.input<typeof UpdateKnownErrorInput>;

export const KnownErrorListQuery = z.strictObject({
  state: z.string().max(100).optional().describe('One state or several, comma-separated (draft, published, retired)'),
  ciId: Id.optional().describe('Known errors on this CI (id or name)'),
  problemId: Id.optional().describe('Known errors of this problem (id or number)'),
  q: z.string().max(200).optional().describe('Words in the number, title, cause or workaround'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(2000).optional(),
});
export type KnownErrorListQuery = z.output<typeof KnownErrorListQuery>;

/** The published known errors on a change's CIs (or on the CIs asked about), with their workarounds. */
export const KnownErrorsOnCis = z
  .object({
    items: z.array(
      z.object({ id: z.string(), number: z.string(), title: z.string(), workaround: z.string(), ciIds: z.array(z.string()), cis: z.array(Named) }),
    ),
  })
  .meta({ id: 'KnownErrorsOnCis' });
export type KnownErrorsOnCis = z.infer<typeof KnownErrorsOnCis>;

export const ShareWorkaroundResult = z
  .object({
    /** Everyone told, with why (incident creator, problem owner). */
    told: z.array(z.object({ id: z.string(), name: z.string(), reasons: z.array(z.string()) })),
  })
  .meta({ id: 'ShareWorkaroundResult' });
export type ShareWorkaroundResult = z.infer<typeof ShareWorkaroundResult>;
