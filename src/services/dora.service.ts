import { DoraQuery, DoraRecordsQuery, type DoraFigureName, type DoraMetrics } from '../contracts/dora';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import {
  changeFailureRate,
  dayOf,
  deploymentFrequency,
  leadTimesOf,
  onlyInferred,
  quantileOf,
  rateFailureRate,
  rateFrequency,
  rateLeadTime,
  rateRecovery,
  recoverySeconds,
  series,
  type FailureInput,
  type Rating,
} from '../domain/dora/metrics';
import type { Issue } from '../domain/errors';
import type { DoraScope, Repositories } from '../db/repositories';
import { throwIfIssues, type ServiceDeps } from './context';
import type { ActivePolicy } from './policy.service';

export interface DoraServiceDeps extends ServiceDeps {
  policy: { active(): Promise<ActivePolicy> };
}

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 90;
/** Periods up to this many days get a weekly series by default; longer ones monthly. */
const WEEKLY_UP_TO_DAYS = 26 * 7;

/**
 * DORA's four keys, exact (issue 14 point 9, docs/dora.md): each figure with its numerator, denominator and the
 * deployments behind it, a rating or `insufficient_data` below the policy's minimum counts, explicit incident
 * links first and inferred ones counted apart. No figure is per person.
 */
export function createDoraService(deps: DoraServiceDeps) {
  const { store } = deps;

  /** The scope of a query with every name resolved; 400 naming each unknown one and a bad period. */
  async function scopeOf(repos: Repositories, raw: Partial<DoraQuery>) {
    const q = DoraQuery.parse(raw);
    const issues: Issue[] = [];
    const to = q.to ?? deps.now().toISOString();
    const from = q.from ?? new Date(Date.parse(to) - DEFAULT_DAYS * DAY_MS).toISOString();
    if (from >= to) issues.push({ path: 'query.from', message: 'must be before to' });
    if (Date.parse(to) - Date.parse(from) > 3660 * DAY_MS) issues.push({ path: 'query.from', message: 'the period may be at most ten years' });
    const service = q.serviceId ? await repos.cmdb.findService(q.serviceId) : null;
    if (q.serviceId && !service) issues.push({ path: 'query.serviceId', message: `unknown service ${q.serviceId}` });
    const team = q.teamId ? await repos.accounts.findTeam(q.teamId) : null;
    if (q.teamId && !team) issues.push({ path: 'query.teamId', message: `unknown team ${q.teamId}` });
    throwIfIssues(issues, 'The query has invalid values.');
    let serviceIds: string[] | null = null;
    if (service) serviceIds = [service.id];
    if (team) {
      const owned = await repos.deployments.servicesOfTeam(team.id);
      serviceIds = serviceIds ? serviceIds.filter((id) => owned.includes(id)) : owned;
    }
    const grain = q.grain ?? (Date.parse(to) - Date.parse(from) <= WEEKLY_UP_TO_DAYS * DAY_MS ? 'week' : 'month');
    const scope: DoraScope = { serviceIds, environment: q.environment?.trim() || null, from, to };
    return { scope, grain, service, team, query: q };
  }

  /** The failed deployments of a scope, each with why and its incidents. */
  async function failuresOf(repos: Repositories, scope: DoraScope, infer: boolean): Promise<FailureInput[]> {
    const byId = new Map<string, FailureInput>();
    const entry = (r: { deploymentId: string; finishedMs: number; nextSuccessMs?: number | null }) => {
      let f = byId.get(r.deploymentId);
      if (!f) {
        f = { deploymentId: r.deploymentId, finishedMs: r.finishedMs, causes: new Set(), incidents: [], nextSuccessMs: null };
        byId.set(r.deploymentId, f);
      }
      if (r.nextSuccessMs !== undefined) f.nextSuccessMs = r.nextSuccessMs;
      return f;
    };
    // NOTE (speed): the reads go out at once (PostgreSQL answers them on several connections while this process
    // reads the rows of the first). Every failure without an incident comes from the first two, which bring its
    // next success (kept on write, migration 0040) along.
    const [failed, failedChange, links, inferred] = await Promise.all([
      repos.deployments.failedDeployments(scope),
      repos.deployments.failedChangeDeployments(scope),
      repos.deployments.incidentLinks(scope),
      infer ? repos.deployments.inferredIncidentLinks(scope) : [],
    ]);
    for (const r of failed) entry(r).causes.add('result');
    for (const r of failedChange) entry(r).causes.add('change');
    for (const [rows, isInferred] of [[links.explicit, false], [links.change, false], [inferred, true]] as const) {
      for (const r of rows) {
        const f = entry(r);
        f.causes.add('incident');
        if (!f.incidents.some((i) => i.id === r.incidentId)) f.incidents.push({ id: r.incidentId, resolvedMs: r.resolvedMs, inferred: isInferred });
      }
    }
    return [...byId.values()].sort((a, b) => a.finishedMs - b.finishedMs || (a.deploymentId < b.deploymentId ? -1 : a.deploymentId > b.deploymentId ? 1 : 0));
  }

  /** Everything a DORA answer is computed from, read once. */
  async function compute(repos: Repositories, raw: Partial<DoraQuery>) {
    const active = await deps.policy.active();
    const settings = active.bundle.deployments.dora;
    const { scope, grain, service, team, query } = await scopeOf(repos, raw);
    const [{ days, leads }, failures] = await Promise.all([repos.deployments.doraDays(scope, { leads: true }), failuresOf(repos, scope, settings.inferIncidents)]);
    return { settings, scope, grain, service, team, query, days, leads, failures };
  }

  const recordsUrl = (query: DoraQuery, figure: DoraFigureName, part?: 'explicit' | 'inferred') => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && k !== 'grain') params.set(k, String(v));
    params.set('figure', figure);
    if (part) params.set('part', part);
    return `/api/v1/metrics/dora/records?${params.toString()}`;
  };
  const rated = (count: number, minimum: number, rate: () => Exclude<Rating, 'insufficient_data'>): Rating => (count < minimum ? 'insufficient_data' : rate());

  return {
    /** `GET /api/v1/metrics/dora`: the four keys for a service, team, environment and period, with a series. */
    async metrics(actor: Actor, raw: Partial<DoraQuery>): Promise<DoraMetrics> {
      assertPermission(actor, 'deployment.read');
      const c = await compute(store.repos, raw);
      const { settings, scope, days, leads, failures } = c;
      const query = { ...c.query, from: scope.from, to: scope.to };
      const shown = settings.recordsShown;
      const fromDay = dayOf(scope.from);
      const toDay = Math.ceil(Date.parse(scope.to) / DAY_MS);

      const [frequencyIds, leadIds] = await Promise.all([store.repos.deployments.successIds(scope, 0, shown), store.repos.deployments.leadTimeIds(scope, 0, shown)]);
      const freq = deploymentFrequency(days, fromDay, toDay);

      const leadTimes = leadTimesOf(leads);
      const leadMedian = quantileOf(leadTimes, 0.5);
      const leadDeployments = leads.reduce((n, d) => n + d.deployments, 0);

      const finished = days.reduce((n, d) => n + d.total, 0);
      const inferredOnly = failures.filter(onlyInferred);
      const explicitFailures = failures.filter((f) => !onlyInferred(f));
      const rate = changeFailureRate(failures.length, finished);
      const incidentIds = (inferred: boolean) => {
        const ids = new Set<string>();
        for (const f of failures) for (const i of f.incidents) if (i.inferred === inferred) ids.add(i.id);
        return ids.size;
      };

      const recoveries = recoverySeconds(failures);
      const recoveryTimes = Float64Array.from(recoveries, (r) => r.seconds);
      const recoveryMedian = quantileOf(recoveryTimes, 0.5);

      return {
        scope: {
          service: c.service ? { id: c.service.id, name: c.service.name } : null,
          team: c.team ? { id: c.team.id, name: c.team.name } : null,
          environment: scope.environment,
          from: scope.from,
          to: scope.to,
          grain: c.grain,
        },
        deploymentFrequency: {
          value: freq.medianDaysPerWeek,
          unit: 'deployment_days_per_week',
          numerator: freq.deploymentDays,
          denominator: freq.weeks,
          deployments: freq.deployments,
          medianDeploymentDaysPerMonth: freq.medianDaysPerMonth,
          rating: rated(freq.deployments, settings.minimumDeployments, () => rateFrequency(freq.medianDaysPerWeek, freq.medianDaysPerMonth)),
          records: { count: freq.deployments, ids: frequencyIds, list: recordsUrl(query, 'deploymentFrequency') },
        },
        leadTimeForChanges: {
          value: leadMedian,
          p75: quantileOf(leadTimes, 0.75),
          unit: 'seconds',
          denominator: leadTimes.length,
          rating: rated(leadTimes.length, settings.minimumPullRequests, () => rateLeadTime(leadMedian!)),
          records: { count: leadDeployments, ids: leadIds, list: recordsUrl(query, 'leadTimeForChanges') },
        },
        changeFailureRate: {
          value: rate,
          unit: 'ratio',
          numerator: failures.length,
          denominator: finished,
          explicit: explicitFailures.length,
          inferred: inferredOnly.length,
          incidents: { explicit: incidentIds(false), inferred: incidentIds(true) },
          rating: rated(finished, settings.minimumDeployments, () => rateFailureRate(rate ?? 0)),
          records: { count: failures.length, ids: failures.slice(0, shown).map((f) => f.deploymentId), list: recordsUrl(query, 'changeFailureRate') },
          inferredRecords: { count: inferredOnly.length, ids: inferredOnly.slice(0, shown).map((f) => f.deploymentId), list: recordsUrl(query, 'changeFailureRate', 'inferred') },
        },
        failedDeploymentRecoveryTime: {
          value: recoveryMedian,
          p75: quantileOf(recoveryTimes, 0.75),
          unit: 'seconds',
          numerator: recoveries.length,
          denominator: failures.length,
          rating: rated(recoveries.length, settings.minimumFailures, () => rateRecovery(recoveryMedian!)),
          records: { count: recoveries.length, ids: recoveries.slice(0, shown).map((r) => r.id), list: recordsUrl(query, 'failedDeploymentRecoveryTime') },
        },
        series: series({ fromDay, toDay, grain: c.grain, days, leadTimes: leads, failures, recoveries }),
        minimums: { deployments: settings.minimumDeployments, pullRequests: settings.minimumPullRequests, failures: settings.minimumFailures },
        inference: settings.inferIncidents,
      };
    },

    /** `GET /api/v1/metrics/dora/records`: every deployment id behind one figure, a page at a time. */
    async records(actor: Actor, raw: Partial<DoraRecordsQuery>): Promise<{ figure: DoraFigureName; count: number; ids: string[]; nextOffset: number | null }> {
      assertPermission(actor, 'deployment.read');
      const q = DoraRecordsQuery.parse(raw);
      const { figure, part, offset, limit, ...rest } = q;
      const page = (all: string[]) => ({ figure, count: all.length, ids: all.slice(offset, offset + limit), nextOffset: offset + limit < all.length ? offset + limit : null });
      if (figure === 'deploymentFrequency') {
        const { scope } = await scopeOf(store.repos, rest);
        const count = (await store.repos.deployments.doraDays(scope, { leads: false })).days.reduce((n, d) => n + d.successes, 0);
        const ids = await store.repos.deployments.successIds(scope, offset, limit);
        return { figure, count, ids, nextOffset: offset + ids.length < count ? offset + ids.length : null };
      }
      if (figure === 'leadTimeForChanges') {
        const { scope } = await scopeOf(store.repos, rest);
        const count = await store.repos.deployments.leadTimeDeploymentCount(scope);
        const ids = await store.repos.deployments.leadTimeIds(scope, offset, limit);
        return { figure, count, ids, nextOffset: offset + ids.length < count ? offset + ids.length : null };
      }
      const c = await compute(store.repos, rest);
      if (figure === 'failedDeploymentRecoveryTime') return page(recoverySeconds(c.failures).map((r) => r.id));
      const chosen = part === 'inferred' ? c.failures.filter(onlyInferred) : part === 'explicit' ? c.failures.filter((f) => !onlyInferred(f)) : c.failures;
      return page(chosen.map((f) => f.deploymentId));
    },
  };
}
export type DoraService = ReturnType<typeof createDoraService>;
