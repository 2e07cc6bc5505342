/**
 * The pure half of conflict detection: what makes two planned changes conflict, and the search for a free
 * slot among busy intervals. The services feed them rows; nothing here reads storage.
 */
export const CONFLICT_KINDS = ['ci_overlap', 'related_ci_overlap', 'freeze', 'outside_maintenance_window', 'assignee_busy'] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export interface Interval {
  start: number;
  end: number;
}

/** Half-open intervals overlap when each starts before the other ends: end touching start is no overlap. */
export function intervalsOverlap(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}

/** A planned change as the pair check sees it. */
export interface PlannedChange {
  id: string;
  start: number;
  end: number;
  ciIds: readonly string[];
  implementerId: string | null;
  /** The CIs its impact reaches (affected ones excluded), after its own exclusions. */
  impacted: ReadonlySet<string>;
}

export interface PairConflict {
  kind: 'ci_overlap' | 'related_ci_overlap' | 'assignee_busy';
  start: number;
  end: number;
  ciIds: string[];
}

/**
 * The conflicts between two planned changes, the same seen from either side: `ci_overlap` when they share a
 * CI, else `related_ci_overlap` when one works on a CI the other's impact reaches; `assignee_busy` when one
 * person implements both. Nothing when their intervals do not overlap.
 */
export function pairConflicts(a: PlannedChange, b: PlannedChange): PairConflict[] {
  if (!intervalsOverlap(a, b)) return [];
  const start = Math.max(a.start, b.start);
  const end = Math.min(a.end, b.end);
  const found: PairConflict[] = [];
  const bCis = new Set(b.ciIds);
  const shared = a.ciIds.filter((id) => bCis.has(id));
  if (shared.length > 0) {
    found.push({ kind: 'ci_overlap', start, end, ciIds: [...shared].sort() });
  } else {
    const related = new Set<string>();
    for (const id of b.ciIds) if (a.impacted.has(id)) related.add(id);
    for (const id of a.ciIds) if (b.impacted.has(id)) related.add(id);
    if (related.size > 0) found.push({ kind: 'related_ci_overlap', start, end, ciIds: [...related].sort() });
  }
  if (a.implementerId !== null && a.implementerId === b.implementerId) found.push({ kind: 'assignee_busy', start, end, ciIds: [] });
  return found;
}

/** Whether [start, end) lies inside one of the intervals. */
export function insideAny(slot: Interval, intervals: readonly Interval[]): boolean {
  return intervals.some((i) => i.start <= slot.start && slot.end <= i.end);
}

const DAY_MS = 86_400_000;

/**
 * The first `limit` slots of `durationMs` between `from` and `until` that overlap no busy interval and, when
 * `allowed` is given, lie inside one interval of every list in it (a maintenance window of each service that
 * requires one). Candidate starts are `from`, the end of every busy
 * interval, the start of every allowed one and the same time on each later day, rounded up to `stepMs`; the
 * slots returned do not overlap one another, so each is a real alternative.
 */
export function freeSlots(opts: { from: number; until: number; durationMs: number; busy: readonly Interval[]; allowed: readonly (readonly Interval[])[] | null; limit: number; stepMs: number }): Interval[] {
  const { durationMs, stepMs, limit } = opts;
  const roundUp = (t: number) => Math.ceil(t / stepMs) * stepMs;
  const busy = opts.busy.filter((b) => b.end > opts.from && b.start < opts.until);
  const candidates = new Set<number>();
  for (let t = opts.from; t < opts.until; t += DAY_MS) candidates.add(roundUp(t));
  for (const b of busy) candidates.add(roundUp(b.end));
  for (const list of opts.allowed ?? []) for (const a of list) if (a.end > opts.from) candidates.add(roundUp(Math.max(a.start, opts.from)));
  const slots: Interval[] = [];
  for (const start of [...candidates].sort((x, y) => x - y)) {
    if (slots.length >= limit) break;
    const slot = { start, end: start + durationMs };
    if (slot.end > opts.until) break;
    const previous = slots[slots.length - 1];
    if (previous && slot.start < previous.end) continue;
    if (opts.allowed && !opts.allowed.every((list) => insideAny(slot, list))) continue;
    if (busy.some((b) => intervalsOverlap(b, slot))) continue;
    slots.push(slot);
  }
  return slots;
}

/**
 * Whether an acknowledgement still covers a pair's overlap: the same pair, meeting within the interval that
 * was accepted. A pair that moved outside it (or grew) needs a new look.
 */
export function covers(ack: { startsAt: string; endsAt: string }, overlap: { startsAt: string; endsAt: string }): boolean {
  return Date.parse(ack.startsAt) <= Date.parse(overlap.startsAt) && Date.parse(overlap.endsAt) <= Date.parse(ack.endsAt);
}
