/**
 * DORA's four keys, computed exactly from records (docs/dora.md). Pure: the service reads the rows, this counts.
 *
 * - Deployment frequency: deployment days (UTC days with at least one successful production deployment) per
 *   week, the median over the weeks of the period; counts beside it. Rated as DevLake reads DORA's bands: elite
 *   at a median of 3 or more deployment days a week ("on demand"), high at 1 or more, medium at a median of 1 or
 *   more deployment days a month, low below.
 * - Lead time for changes: per pull request, its first commit to the finish of the first successful production
 *   deployment that shipped it; median and p75. Elite under a day, high under a week, medium under a month.
 * - Change failure rate: failed production deployments over all finished production deployments. A deployment
 *   is failed when it failed itself, its change closed as failed, or an incident is linked to it (explicitly,
 *   through the change that caused it, or inferred); it counts once however many incidents it has, so the rate
 *   never exceeds 100 %. Elite ≤ 5 %, high ≤ 10 %, medium ≤ 15 %.
 * - Failed deployment recovery time: per failed deployment, from its finish to its restoration (its last linked
 *   incident resolved, or else the next successful deployment of the same service); median and p75. Elite under
 *   an hour, high under a day, medium under a week.
 */

export type Rating = 'elite' | 'high' | 'medium' | 'low' | 'insufficient_data';
export type Grain = 'week' | 'month';

const DAY_S = 86_400;
const DAY_MS = DAY_S * 1000;

/**
 * The value at quantile `q` (0…1) of sorted numbers as DevLake takes it: the largest value whose percent rank is
 * at most `q` (of two middle values, the lower), so a figure is always one that occurred; null for none.
 */
export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.floor((sorted.length - 1) * q + 1e-9)]!;
}
export const median = (sorted: ArrayLike<number>): number | null => quantile(sorted, 0.5);

/**
 * `quantile` of numbers in any order: the same value, found by selection (quickselect) instead of a sort.
 * NOTE (speed): a year holds 100,000 lead times; selecting is linear, sorting them took a few times longer.
 * Reorders `values`.
 */
export function quantileOf(values: Float64Array, q: number): number | null {
  const n = values.length;
  if (n === 0) return null;
  const k = Math.floor((n - 1) * q + 1e-9);
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const a = values[lo]!;
    const b = values[(lo + hi) >>> 1]!;
    const c = values[hi]!;
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    // Now [lo, j] ≤ pivot ≤ [i, hi], and what lies between equals the pivot.
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}
/** Numbers sorted ascending (a typed array sorts numerically, without a comparator). */
const sortNum = (values: Iterable<number>): Float64Array => Float64Array.from(values).sort();

/** Days since 1970-01-01 of an instant, UTC. */
export const dayOf = (iso: string): number => Math.floor(Date.parse(iso) / DAY_MS);
/** The Monday starting the week of a day (1970-01-05 was a Monday). */
export const weekOf = (day: number): number => day - ((((day - 4) % 7) + 7) % 7);
/** The first day of the month of a day. */
export function monthOf(day: number): number {
  const d = new Date(day * DAY_MS);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) / DAY_MS;
}
const periodOf = (grain: Grain) => (grain === 'week' ? weekOf : monthOf);
const isoDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** The buckets (weeks or months) a period [fromDay, toDay) touches, in order. */
export function bucketsOf(fromDay: number, toDay: number, grain: Grain): number[] {
  const of = periodOf(grain);
  const out: number[] = [];
  for (let d = of(fromDay); d < toDay; ) {
    out.push(d);
    if (grain === 'week') d += 7;
    else {
      const x = new Date(d * DAY_MS);
      d = Date.UTC(x.getUTCFullYear(), x.getUTCMonth() + 1, 1) / DAY_MS;
    }
  }
  return out;
}

export function rateFrequency(medianDaysPerWeek: number | null, medianDaysPerMonth: number | null): Exclude<Rating, 'insufficient_data'> {
  if ((medianDaysPerWeek ?? 0) >= 3) return 'elite';
  if ((medianDaysPerWeek ?? 0) >= 1) return 'high';
  if ((medianDaysPerMonth ?? 0) >= 1) return 'medium';
  return 'low';
}
export function rateLeadTime(seconds: number): Exclude<Rating, 'insufficient_data'> {
  return seconds < DAY_S ? 'elite' : seconds < 7 * DAY_S ? 'high' : seconds < 30 * DAY_S ? 'medium' : 'low';
}
export function rateFailureRate(rate: number): Exclude<Rating, 'insufficient_data'> {
  return rate <= 0.05 ? 'elite' : rate <= 0.1 ? 'high' : rate <= 0.15 ? 'medium' : 'low';
}
export function rateRecovery(seconds: number): Exclude<Rating, 'insufficient_data'> {
  return seconds < 3600 ? 'elite' : seconds < DAY_S ? 'high' : seconds < 7 * DAY_S ? 'medium' : 'low';
}

export interface DailyCount {
  day: number;
  total: number;
  successes: number;
}

/** Deployment frequency over [fromDay, toDay): the median deployment days per week (and per month), and the counts. */
export function deploymentFrequency(days: readonly DailyCount[], fromDay: number, toDay: number) {
  const deployDays = days.filter((d) => d.successes > 0 && d.day >= fromDay && d.day < toDay);
  const perBucket = (grain: Grain) => {
    const counts = new Map(bucketsOf(fromDay, toDay, grain).map((b) => [b, 0]));
    for (const d of deployDays) counts.set(periodOf(grain)(d.day), (counts.get(periodOf(grain)(d.day)) ?? 0) + 1);
    return counts;
  };
  const weeks = perBucket('week');
  const months = perBucket('month');
  return {
    medianDaysPerWeek: median(sortNum(weeks.values())),
    medianDaysPerMonth: median(sortNum(months.values())),
    deploymentDays: deployDays.length,
    weeks: weeks.size,
    deployments: deployDays.reduce((n, d) => n + d.successes, 0),
  };
}

/**
 * The lead times of the pull requests counted on one UTC day (each at its first successful deployment to its
 * service and environment, which the store decides when deployments are written).
 */
export interface LeadTimeDay {
  day: number;
  seconds: ArrayLike<number>;
}

/** Every lead time of the days, in no order (a typed array: a year holds 100,000 of them); see `quantileOf`. */
export function leadTimesOf(days: readonly LeadTimeDay[]): Float64Array {
  const all = new Float64Array(days.reduce((n, d) => n + d.seconds.length, 0));
  let i = 0;
  for (const d of days) {
    if (d.seconds instanceof Float64Array) all.set(d.seconds, i);
    else for (let k = 0; k < d.seconds.length; k++) all[i + k] = d.seconds[k]!;
    i += d.seconds.length;
  }
  return all;
}

/** A failed deployment; instants are milliseconds since 1970 (read once: a year holds thousands of failures). */
export interface FailureInput {
  deploymentId: string;
  finishedMs: number;
  /** Why it counts as failed; a deployment may have several. */
  causes: Set<'result' | 'change' | 'incident'>;
  /** Its incidents and whether each link is explicit (named, or through its change) or inferred. */
  incidents: { id: string; resolvedMs: number | null; inferred: boolean }[];
  /** The finish of the next successful deployment of the same service after it, if any. */
  nextSuccessMs: number | null;
}

/** When a failed deployment was restored (ms): its incidents all resolved (the last one), else the next success; null while not. */
export function restoredAt(f: FailureInput): number | null {
  if (f.incidents.length > 0) {
    let last = -Infinity;
    for (const i of f.incidents) {
      if (i.resolvedMs === null) return null;
      if (i.resolvedMs > last) last = i.resolvedMs;
    }
    return last;
  }
  return f.nextSuccessMs;
}

/** Whether a failure counts only through inferred incidents (no result, failed change or explicit incident behind it). */
export const onlyInferred = (f: FailureInput): boolean => !f.causes.has('result') && !f.causes.has('change') && f.incidents.length > 0 && f.incidents.every((i) => i.inferred);

/** Change failure rate: failed deployments (each once) over all finished ones; capped at 1 (it cannot exceed it by construction). */
export function changeFailureRate(failed: number, total: number): number | null {
  if (total === 0) return null;
  return Math.min(1, failed / total);
}

/** Recovery times in seconds of the failures restored (a restoration before the finish counts as 0). */
export function recoverySeconds(failures: readonly FailureInput[]): { id: string; seconds: number; day: number }[] {
  const out: { id: string; seconds: number; day: number }[] = [];
  for (const f of failures) {
    const at = restoredAt(f);
    if (at !== null) out.push({ id: f.deploymentId, seconds: Math.max(0, Math.round((at - f.finishedMs) / 1000)), day: Math.floor(f.finishedMs / DAY_MS) });
  }
  return out;
}

export interface SeriesPoint {
  /** The first day of the week (Monday) or month, YYYY-MM-DD. */
  start: string;
  deployments: number;
  deploymentDays: number;
  finished: number;
  failed: number;
  changeFailureRate: number | null;
  leadTimeMedianSeconds: number | null;
  recoveryMedianSeconds: number | null;
}

/** The figures per week or month, for charts. */
export function series(input: {
  fromDay: number;
  toDay: number;
  grain: Grain;
  days: readonly DailyCount[];
  leadTimes: readonly LeadTimeDay[];
  failures: readonly FailureInput[];
  recoveries: readonly { seconds: number; day: number }[];
}): SeriesPoint[] {
  const period = periodOf(input.grain);
  // Thousands of failures fall on a few hundred days: each day's bucket worked out once.
  const bucketOfDay = new Map<number, number>();
  const of = (day: number) => {
    let b = bucketOfDay.get(day);
    if (b === undefined) bucketOfDay.set(day, (b = period(day)));
    return b;
  };
  const buckets = bucketsOf(input.fromDay, input.toDay, input.grain);
  const point = new Map(buckets.map((b) => [b, { deployments: 0, deploymentDays: 0, finished: 0, failed: 0, lead: [] as LeadTimeDay[], recovery: [] as number[] }]));
  for (const d of input.days) {
    const p = point.get(of(d.day));
    if (!p) continue;
    p.deployments += d.successes;
    p.finished += d.total;
    if (d.successes > 0) p.deploymentDays++;
  }
  for (const l of input.leadTimes) {
    point.get(of(l.day))?.lead.push(l);
  }
  for (const f of input.failures) {
    const p = point.get(of(Math.floor(f.finishedMs / DAY_MS)));
    if (p) p.failed++;
  }
  for (const r of input.recoveries) point.get(of(r.day))?.recovery.push(r.seconds);
  return buckets.map((b) => {
    const p = point.get(b)!;
    return {
      start: isoDay(b),
      deployments: p.deployments,
      deploymentDays: p.deploymentDays,
      finished: p.finished,
      failed: p.failed,
      changeFailureRate: changeFailureRate(p.failed, p.finished),
      leadTimeMedianSeconds: quantileOf(leadTimesOf(p.lead), 0.5),
      recoveryMedianSeconds: quantileOf(Float64Array.from(p.recovery), 0.5),
    };
  });
}

