/**
 * The CEL context of a change: one documented object (docs/policy.md, "The change context") built from
 * plain inputs. Counts are CEL ints (BigInt) so expressions can do arithmetic with integer literals; rates
 * are doubles between 0 and 1.
 */
export interface ChangeContextInput {
  change: {
    type: string;
    state: string;
    title: string;
    impact: string;
    urgency: string;
    priority: number;
    plannedStart: string | null;
    plannedEnd: string | null;
    implementationPlan: string;
    testPlan: string;
    backoutPlan: string;
    backoutTested: boolean;
    assignmentTeamHandle: string | null;
    /** A freeze exception was requested (or granted) for the change. */
    freezeException?: boolean;
    /** The name of the template the change was made from, if any. */
    templateName?: string | null;
  };
  cis: { name: string; type: string; environment: string; criticality: string; tags: string[]; serviceName: string | null }[];
  services: { name: string; tier: number; tags: string[]; provider: string; ownerTeamHandle: string | null }[];
  requester: { email: string; name: string; roles: string[]; teamHandles: string[] };
  history: {
    teamChanges90d: number;
    teamFailed90d: number;
    ciChanges90d: number;
    ciFailed90d: number;
    /** Finished changes made from the change's template in the last 90 days, and how many failed (0 without a template). */
    templateChanges90d?: number;
    templateFailed90d?: number;
    /** Distinct incidents opened on any of the change's CIs in the last 30 days. */
    ciIncidents30d?: number;
    /** Open action items of the post-implementation reviews of other changes on its CIs, team or template. */
    openReviewActions?: number;
    /** Those reviews completed in the last 90 days that recorded what went wrong or a contributing factor. */
    reviewFindings90d?: number;
  };
  businessHours: { timeZone: string; days: number[]; start: number; end: number };
  /** Occurrences of the freezes that apply to the change (its services, CIs, environments or tags), near its plan. */
  freezes?: { start: string; end: string }[];
  now: Date;
}

/** The CEL type of one field of the change context. */
export type ContextFieldType = 'int' | 'double' | 'string' | 'bool' | 'list<string>';

/** One variable of the change context: an object with typed fields, or (`list`) a list of such objects. */
export interface ContextVariableShape {
  list: boolean;
  fields: Readonly<Record<string, ContextFieldType>>;
}

/**
 * The declared shape of the change context: every variable `buildChangeContext` builds, with the CEL type
 * of each field. Policy expressions are type-checked against it when a bundle is validated, so a reference
 * to a field that does not exist (`s.tierr`) is refused with its place instead of failing when it runs.
 * Keep it in step with `buildChangeContext` and docs/policy.md ("The change context").
 */
export const CHANGE_CONTEXT_SHAPE: Readonly<Record<string, ContextVariableShape>> = {
  change: {
    list: false,
    fields: {
      type: 'string',
      state: 'string',
      title: 'string',
      impact: 'string',
      urgency: 'string',
      priority: 'int',
      ciCount: 'int',
      serviceCount: 'int',
      hasImplementationPlan: 'bool',
      implementationSteps: 'int',
      hasTestPlan: 'bool',
      hasBackoutPlan: 'bool',
      backoutTested: 'bool',
      durationMinutes: 'int',
      assignmentTeam: 'string',
      freezeException: 'bool',
      template: 'string',
      tags: 'list<string>',
    },
  },
  cis: {
    list: true,
    fields: { name: 'string', type: 'string', environment: 'string', criticality: 'string', criticalityRank: 'int', tags: 'list<string>', service: 'string' },
  },
  services: { list: true, fields: { name: 'string', tier: 'int', tags: 'list<string>', provider: 'string', ownerTeam: 'string' } },
  requester: { list: false, fields: { email: 'string', name: 'string', roles: 'list<string>', teams: 'list<string>' } },
  time: {
    list: false,
    fields: {
      scheduled: 'bool',
      weekday: 'int',
      hour: 'int',
      businessHours: 'bool',
      weekend: 'bool',
      leadTimeHours: 'int',
      inFreeze: 'bool',
      nearFreeze: 'bool',
      hoursToFreeze: 'int',
    },
  },
  history: {
    list: false,
    fields: {
      teamChanges90d: 'int',
      teamFailed90d: 'int',
      teamFailureRate: 'double',
      ciChanges90d: 'int',
      ciFailed90d: 'int',
      ciFailureRate: 'double',
      templateChanges90d: 'int',
      templateFailed90d: 'int',
      templateFailureRate: 'double',
      ciIncidents30d: 'int',
      openReviewActions: 'int',
      reviewFindings90d: 'int',
    },
  },
};

/**
 * What the audience of a notice rule (notifications.yaml) sees, for each person who could hear of it: the
 * notice, its change (empty values for a freeze's notice), the change's CIs and services, the freeze (empty
 * for a change's), and the reader. Built by `buildNoticeContext` (domain/notification/notice-context.ts);
 * keep them in step with docs/communication.md ("Who hears of what").
 */
export const NOTICE_CONTEXT_SHAPE: Readonly<Record<string, ContextVariableShape>> = {
  notice: { list: false, fields: { event: 'string', subject: 'string' } },
  change: {
    list: false,
    fields: {
      number: 'string',
      title: 'string',
      type: 'string',
      state: 'string',
      riskLevel: 'string',
      priority: 'int',
      closeCode: 'string',
      assignmentTeam: 'string',
      emergency: 'bool',
    },
  },
  cis: CHANGE_CONTEXT_SHAPE.cis!,
  services: CHANGE_CONTEXT_SHAPE.services!,
  freeze: { list: false, fields: { name: 'string', urgent: 'bool' } },
  reader: {
    list: false,
    fields: {
      email: 'string',
      roles: 'list<string>',
      teams: 'list<string>',
      subscribed: 'bool',
      owner: 'bool',
      requester: 'bool',
      changeOwner: 'bool',
      implementer: 'bool',
      assignee: 'bool',
    },
  },
};

/**
 * What review rules (reviews.yaml) see besides the change context and `risk`: what came of the change. Built by
 * the review service (services/review.service.ts); documented in docs/learning.md ("Post-implementation reviews").
 */
export const OUTCOME_CONTEXT_SHAPE: ContextVariableShape = {
  list: false,
  fields: {
    closeCode: 'string',
    failed: 'bool',
    incidentsCaused: 'int',
    worstIncidentPriority: 'int',
    brokeGlass: 'bool',
    finalState: 'string',
  },
};

/** What approval rules and SLA targets see besides the change context: the change's assessed risk. */
export const RISK_CONTEXT_SHAPE: ContextVariableShape = { list: false, fields: { score: 'int', level: 'string' } };

/** How far `time.hoursToFreeze` looks either side of the plan; beyond it the value is this many hours. */
export const FREEZE_HORIZON_HOURS = 14 * 24;
const NEAR_FREEZE_HOURS = 48;

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
export const CRITICALITY_RANK: Readonly<Record<string, number>> = { low: 1, medium: 2, high: 3, critical: 4 };

// NOTE: constructing an Intl.DateTimeFormat costs about 100 µs (ICU loads the zone's rules), more than
// evaluating a whole policy bundle's worth of simple rules, while formatting with an existing one costs a
// few µs. Formatters are immutable, so one per time zone is kept for the life of the process. The map is
// bounded by the time zones that bundles name; a name ICU rejects throws before it is stored.
const weekdayHourFormats = new Map<string, Intl.DateTimeFormat>();

function weekdayHourFormat(timeZone: string): Intl.DateTimeFormat {
  let format = weekdayHourFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    weekdayHourFormats.set(timeZone, format);
  }
  return format;
}

/** Weekday (1 = Monday … 7 = Sunday) and hour of an instant in a time zone. */
export function localTime(iso: string, timeZone: string): { weekday: number; hour: number } {
  const parts = weekdayHourFormat(timeZone).formatToParts(new Date(iso));
  const weekday = WEEKDAYS[parts.find((p) => p.type === 'weekday')?.value ?? 'Mon'] ?? 1;
  const hour = Number(parts.find((p) => p.type === 'hour')?.value ?? 0);
  return { weekday, hour };
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').length;

/** Every tag of the CIs and services, once each, sorted. */
function tagsOf(cis: ChangeContextInput['cis'], services: ChangeContextInput['services']): string[] {
  // NOTE: plain loops into one Set: the spread-and-flatMap version allocated five arrays and cost more
  // than the rest of the context together.
  const seen = new Set<string>();
  for (const c of cis) for (const t of c.tags) seen.add(t);
  for (const s of services) for (const t of s.tags) seen.add(t);
  return [...seen].sort();
}

const rate = (failed: number, total: number) => (total === 0 ? 0 : failed / total);

export function buildChangeContext(input: ChangeContextInput): Record<string, unknown> {
  const { change, businessHours: bh } = input;
  const scheduled = change.plannedStart !== null;
  const local = scheduled ? localTime(change.plannedStart!, bh.timeZone) : { weekday: 0, hour: 0 };
  const inBusinessHours = scheduled && bh.days.includes(local.weekday) && local.hour >= bh.start && local.hour < bh.end;
  const durationMinutes = change.plannedStart && change.plannedEnd ? Math.round((Date.parse(change.plannedEnd) - Date.parse(change.plannedStart)) / 60000) : 0;
  const leadTimeHours = scheduled ? Math.floor((Date.parse(change.plannedStart!) - input.now.getTime()) / 3600000) : 0;
  const hoursToFreeze = scheduled ? freezeGapHours(Date.parse(change.plannedStart!), Date.parse(change.plannedEnd ?? change.plannedStart!), input.freezes ?? []) : FREEZE_HORIZON_HOURS;
  const tags = tagsOf(input.cis, input.services);
  return {
    change: {
      type: change.type,
      state: change.state,
      title: change.title,
      impact: change.impact,
      urgency: change.urgency,
      priority: BigInt(change.priority),
      ciCount: BigInt(input.cis.length),
      serviceCount: BigInt(input.services.length),
      hasImplementationPlan: change.implementationPlan.trim() !== '',
      implementationSteps: BigInt(lines(change.implementationPlan)),
      hasTestPlan: change.testPlan.trim() !== '',
      hasBackoutPlan: change.backoutPlan.trim() !== '',
      backoutTested: change.backoutTested,
      durationMinutes: BigInt(durationMinutes),
      assignmentTeam: change.assignmentTeamHandle ?? '',
      freezeException: change.freezeException ?? false,
      template: change.templateName ?? '',
      tags,
    },
    cis: input.cis.map((c) => ({
      name: c.name,
      type: c.type,
      environment: c.environment,
      criticality: c.criticality,
      criticalityRank: BigInt(CRITICALITY_RANK[c.criticality] ?? 2),
      tags: c.tags,
      service: c.serviceName ?? '',
    })),
    services: input.services.map((s) => ({ name: s.name, tier: BigInt(s.tier), tags: s.tags, provider: s.provider, ownerTeam: s.ownerTeamHandle ?? '' })),
    requester: { email: input.requester.email, name: input.requester.name, roles: input.requester.roles, teams: input.requester.teamHandles },
    time: {
      scheduled,
      weekday: BigInt(local.weekday),
      hour: BigInt(local.hour),
      businessHours: inBusinessHours,
      weekend: scheduled && (local.weekday === 6 || local.weekday === 7),
      leadTimeHours: BigInt(leadTimeHours),
      inFreeze: scheduled && hoursToFreeze === 0,
      nearFreeze: scheduled && hoursToFreeze > 0 && hoursToFreeze <= NEAR_FREEZE_HOURS,
      hoursToFreeze: BigInt(hoursToFreeze),
    },
    history: {
      teamChanges90d: BigInt(input.history.teamChanges90d),
      teamFailed90d: BigInt(input.history.teamFailed90d),
      teamFailureRate: rate(input.history.teamFailed90d, input.history.teamChanges90d),
      ciChanges90d: BigInt(input.history.ciChanges90d),
      ciFailed90d: BigInt(input.history.ciFailed90d),
      ciFailureRate: rate(input.history.ciFailed90d, input.history.ciChanges90d),
      templateChanges90d: BigInt(input.history.templateChanges90d ?? 0),
      templateFailed90d: BigInt(input.history.templateFailed90d ?? 0),
      templateFailureRate: rate(input.history.templateFailed90d ?? 0, input.history.templateChanges90d ?? 0),
      ciIncidents30d: BigInt(input.history.ciIncidents30d ?? 0),
      openReviewActions: BigInt(input.history.openReviewActions ?? 0),
      reviewFindings90d: BigInt(input.history.reviewFindings90d ?? 0),
    },
  };
}

/**
 * Whole hours between the planned interval and the nearest freeze occurrence (0 when they overlap; intervals
 * that only touch do not overlap), at most FREEZE_HORIZON_HOURS.
 */
function freezeGapHours(start: number, end: number, freezes: { start: string; end: string }[]): number {
  let gap = FREEZE_HORIZON_HOURS * 3_600_000;
  for (const f of freezes) {
    const fs = Date.parse(f.start);
    const fe = Date.parse(f.end);
    // A plan without an end is the instant it starts.
    const overlapping = end > start ? fs < end && fe > start : fs <= start && fe > start;
    if (overlapping) return 0;
    gap = Math.min(gap, fe <= start ? start - fe : fs - end);
  }
  return Math.min(FREEZE_HORIZON_HOURS, Math.max(1, Math.ceil(gap / 3_600_000)));
}
