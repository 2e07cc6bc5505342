import { createHash } from 'node:crypto';

const DAY_MS = 86_400_000;

/**
 * When an entry's next periodic review is due: the date set by its last review decision, or else its
 * activation (its creation, for an entry created active) plus its cadence.
 */
export function reviewDueAt(entry: { nextReviewAt: string | null; activatedAt: string; cadenceDays: number }): string {
  if (entry.nextReviewAt) return entry.nextReviewAt;
  return new Date(Date.parse(entry.activatedAt) + entry.cadenceDays * DAY_MS).toISOString();
}

/** The moment an open review past its due date suspends its entry: due plus the grace days. */
export function graceEndsAt(dueAt: string, graceDays: number): string {
  return new Date(Date.parse(dueAt) + graceDays * DAY_MS).toISOString();
}

/** The next review after a decision at `at`: one cadence later. */
export function nextReviewAfter(at: string, cadenceDays: number): string {
  return new Date(Date.parse(at) + cadenceDays * DAY_MS).toISOString();
}

/**
 * An implementation plan reduced to what makes two plans "the same work": lower case, every run of digits
 * as `#` (versions, host numbers, dates differ between repeats), punctuation as spaces, whitespace collapsed.
 */
export function normalisePlan(plan: string): string {
  return plan
    .toLowerCase()
    .replace(/[0-9]+/g, '#')
    .replace(/[^\p{L}#]+/gu, ' ')
    .trim();
}

/** The distinct words of a normalised plan. */
export function planTokens(normalised: string): Set<string> {
  return new Set(normalised.split(' ').filter(Boolean));
}

/** A short hash of a normalised plan: equal hashes are equal plans. */
export function planHash(normalised: string): string {
  return createHash('sha256').update(normalised).digest('hex').slice(0, 16);
}

/** |a ∩ b| / |a ∪ b|; two empty sets are not alike (0). */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const t of a) if (b.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}

/** How alike two plans must be (token Jaccard) to count as the same work. */
export const PLAN_SIMILARITY = 0.8;

/**
 * Groups items by near-identical plans, greedily in the order given: each item joins the first group whose
 * first plan has the same hash or a token Jaccard of at least PLAN_SIMILARITY with its own, or starts a new one.
 * NOTE: quadratic in the number of groups, which is fine for the few hundred successful normal changes of a
 * look-back window per CI type; the first plan stands for its group, so the result is stable for a given order.
 */
export function groupByPlan<T>(items: readonly T[], planOf: (item: T) => string): { hash: string; items: T[] }[] {
  const groups: { hash: string; tokens: Set<string>; items: T[] }[] = [];
  for (const item of items) {
    const normalised = normalisePlan(planOf(item));
    const hash = planHash(normalised);
    const tokens = planTokens(normalised);
    if (tokens.size === 0) continue;
    const home = groups.find((g) => g.hash === hash || jaccard(g.tokens, tokens) >= PLAN_SIMILARITY);
    if (home) home.items.push(item);
    else groups.push({ hash, tokens, items: [item] });
  }
  return groups.map(({ hash, items: members }) => ({ hash, items: members }));
}
