export type Level = 'low' | 'medium' | 'high';

const WEIGHT: Record<Level, number> = { low: 1, medium: 2, high: 3 };

/**
 * ITIL's impact × urgency matrix: 1 (critical) … 4 (low).
 * high/high → 1; high/medium → 2; medium/medium, high/low → 3; anything lower → 4.
 */
export function derivePriority(impact: Level, urgency: Level): number {
  const sum = WEIGHT[impact] + WEIGHT[urgency];
  if (sum >= 6) return 1;
  if (sum === 5) return 2;
  if (sum === 4) return 3;
  return 4;
}

/** Human change numbers: CHG0000001 for sequence 1. */
export function formatChangeNumber(seq: number): string {
  return `CHG${String(seq).padStart(7, '0')}`;
}
