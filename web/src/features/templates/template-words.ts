import type { TemplateHistory } from './templates-api';

/** "Never used", "Used once", "Used 12 times". */
export function usedText(history: TemplateHistory): string {
  if (history.used === 0) return 'Never used';
  return history.used === 1 ? 'Used once' : `Used ${history.used} times`;
}

/** "1 of 6 failed" over the last 90 days, or what stands in for it before any change made from it finished. */
export function failureText(history: TemplateHistory): string {
  if (history.changes90d === 0) return 'None finished';
  return `${history.failed90d} of ${history.changes90d} failed`;
}

/** The failure rate as a whole percentage ("17%"), or null before any change made from it finished. */
export function failurePercent(history: TemplateHistory): string | null {
  if (history.failureRate === null) return null;
  return `${Math.round(history.failureRate * 100)}%`;
}

/** Red once a fifth of its recent changes failed, orange for any failure, otherwise no colour. */
export function failureColor(history: TemplateHistory): string | undefined {
  if (history.failureRate === null || history.failed90d === 0) return undefined;
  return history.failureRate >= 0.2 ? 'red.8' : 'orange.8';
}
