import { z } from 'zod';
import { CHANGE_TYPES } from './change';

/** `GET /api/v1/home`: how many items each section lists at most (its count is always the whole count). */
export const HomeQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(5).describe('Items per section (the counts are never cut)'),
});
export type HomeQuery = z.output<typeof HomeQuery>;

/** The change an item of the home page is about. */
export const HomeChange = z
  .object({
    id: z.string(),
    number: z.string(),
    title: z.string(),
    type: z.enum(CHANGE_TYPES),
    state: z.string(),
    /** The state's label in the policy ("Assess"), or its id when the policy does not know it. */
    stateLabel: z.string(),
    plannedStart: z.string().nullable(),
    plannedEnd: z.string().nullable(),
  })
  .meta({ id: 'HomeChange' });
export type HomeChange = z.infer<typeof HomeChange>;

/** An approval the caller may decide now (themselves, or as someone's delegate). */
export const HomeApproval = z
  .object({
    approvalId: z.string(),
    change: HomeChange,
    stageLabel: z.string(),
    approverLabel: z.string(),
    reason: z.string(),
    dueAt: z.string().nullable(),
    overdue: z.boolean(),
    /** Set when the caller decides it only as this person's delegate. */
    decidesFor: z.object({ userId: z.string(), name: z.string() }).nullable(),
  })
  .meta({ id: 'HomeApproval' });

export const HOME_ACTION_KINDS = ['missing_fields', 'ready', 'returned', 'rejected', 'approval_rejected', 'conflicts', 'concerns', 'comment'] as const;
/** Why one of the caller's changes needs them, in words, with what the web app needs to show it. */
export const HomeActionReason = z
  .object({
    kind: z.enum(HOME_ACTION_KINDS),
    text: z.string(),
    /** missing_fields: the fields the next move needs (REQUIRABLE_FIELDS names). */
    fields: z.array(z.string()),
    /** When it happened (returned, rejected, the comment), for the reader's time zone; null otherwise. */
    at: z.string().nullable(),
  })
  .meta({ id: 'HomeActionReason' });
export const HomeAction = z
  .object({
    change: HomeChange,
    /** The caller's next move on it (a transition label), when there is one they may make. */
    nextMove: z.string().nullable(),
    reasons: z.array(HomeActionReason),
  })
  .meta({ id: 'HomeAction' });

/** A change the caller implements whose planned window falls in the next days. */
export const HomeImplementation = z.object({ change: HomeChange }).meta({ id: 'HomeImplementation' });

/** A submitted change waiting for a change manager's assessment. */
export const HomeTriage = z
  .object({
    change: HomeChange,
    /** When it entered its state (its last edit, for older changes). */
    since: z.string(),
    /** Whether routing (or someone) made the caller its change manager. */
    routedToMe: z.boolean(),
    changeManagerName: z.string().nullable(),
  })
  .meta({ id: 'HomeTriage' });

/** An open change with schedule conflicts nobody acknowledged (freezes: without an approved exception). */
export const HomeConflict = z
  .object({ change: HomeChange, count: z.number().int(), kinds: z.array(z.string()) })
  .meta({ id: 'HomeConflict' });

/** A running SLA clock due soon (or past due, before the worker records the breach). */
export const HomeSlaClock = z
  .object({
    clockId: z.string(),
    change: HomeChange,
    metric: z.enum(['approval_response', 'time_to_schedule']),
    target: z.string(),
    dueAt: z.string(),
    overdue: z.boolean(),
    approverLabel: z.string().nullable(),
  })
  .meta({ id: 'HomeSlaClock' });

/** An occurrence of a freeze that starts soon or is in force. */
export const HomeFreeze = z
  .object({
    windowId: z.string(),
    name: z.string(),
    start: z.string(),
    end: z.string(),
    inForce: z.boolean(),
    urgent: z.boolean(),
    /** Where it applies, in words ("everywhere", "2 services, 1 CI"). */
    scope: z.string(),
  })
  .meta({ id: 'HomeFreeze' });

const section = <T extends z.ZodType>(item: T) => z.object({ count: z.number().int(), items: z.array(item) });

export const Home = z
  .object({
    generatedAt: z.string(),
    /** What the caller's roles add to the page. */
    sees: z.object({ approvals: z.boolean(), changeManagement: z.boolean(), oversight: z.boolean() }),
    approvals: section(HomeApproval),
    /** `states`: the states of every change counted, for a link to the change list. */
    myChanges: section(HomeAction).extend({ states: z.array(z.string()) }),
    /** From now to seven days ahead. */
    implementing: section(HomeImplementation).extend({ from: z.string(), to: z.string() }),
    /** Change managers (and admins) only; null for everyone else. */
    triage: section(HomeTriage).extend({ states: z.array(z.string()) }).nullable(),
    conflicts: section(HomeConflict).extend({ states: z.array(z.string()) }).nullable(),
    /** Running clocks due within the next 24 hours. */
    slaAtRisk: section(HomeSlaClock).extend({ until: z.string() }).nullable(),
    /** Freeze occurrences in force now or starting in the next 14 days. */
    freezes: section(HomeFreeze).extend({ until: z.string() }).nullable(),
    /** Those who oversee the process (sla.read or audit.read): breaches of the last 30 days, break-glass to review. */
    oversight: z.object({ slaBreaches: z.number().int(), breakGlassToReview: z.number().int(), since: z.string() }).nullable(),
  })
  .meta({ id: 'Home' });
export type Home = z.infer<typeof Home>;
export type HomeAction = z.infer<typeof HomeAction>;
export type HomeApproval = z.infer<typeof HomeApproval>;
export type HomeTriage = z.infer<typeof HomeTriage>;
export type HomeSlaClock = z.infer<typeof HomeSlaClock>;
export type HomeFreeze = z.infer<typeof HomeFreeze>;
export type HomeConflict = z.infer<typeof HomeConflict>;

export const SEARCH_KINDS = ['change', 'ci', 'service', 'incident', 'template', 'person'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** `GET /api/v1/search`: one box for every kind of record. */
export const SearchQuery = z.strictObject({
  q: z.string().trim().min(1, 'type something to search for').max(200),
  limit: z.coerce.number().int().min(1).max(20).default(5).describe('Results per kind'),
});
export type SearchQuery = z.output<typeof SearchQuery>;

export const SearchHit = z
  .object({
    kind: z.enum(SEARCH_KINDS),
    id: z.string(),
    /** What people call it: a change's or incident's number and title, a CI's name, a person's name. */
    title: z.string(),
    /** A second line: state, type, service; a person's email only for those who may read users. */
    detail: z.string(),
    /** The web app's page for it, or null (people have no page for those who may not read users). */
    path: z.string().nullable(),
  })
  .meta({ id: 'SearchHit' });
export type SearchHit = z.infer<typeof SearchHit>;

/** Hits grouped by kind, in SEARCH_KINDS order; a kind the caller may not read is left out. */
export const SearchResult = z
  .object({
    q: z.string(),
    groups: z.array(z.object({ kind: z.enum(SEARCH_KINDS), items: z.array(SearchHit), more: z.boolean() })),
  })
  .meta({ id: 'SearchResult' });
export type SearchResult = z.infer<typeof SearchResult>;
