import type { KnownErrorState, ProblemState } from './problems-api';

/** Typed as Records so that a state added to the contract is a type error here until it has words. */
export const PROBLEM_STATE_LABELS: Record<ProblemState, string> = {
  new: 'New',
  assess: 'Assess',
  root_cause_analysis: 'Root cause analysis',
  fix_in_progress: 'Fix in progress',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const PROBLEM_STATE_COLORS: Record<ProblemState, string> = {
  new: 'red',
  assess: 'orange',
  root_cause_analysis: 'grape',
  fix_in_progress: 'blue',
  resolved: 'green',
  closed: 'gray',
};

/** What moving a problem to a state means, as its button says it. */
export const PROBLEM_MOVE_LABELS: Record<ProblemState, string> = {
  new: 'Back to new',
  assess: 'Assess',
  root_cause_analysis: 'Analyse the root cause',
  fix_in_progress: 'Start the fix',
  resolved: 'Resolve',
  closed: 'Close',
};

export const KNOWN_ERROR_STATE_LABELS: Record<KnownErrorState, string> = {
  draft: 'Draft',
  published: 'Published',
  retired: 'Retired',
};

export const KNOWN_ERROR_STATE_COLORS: Record<KnownErrorState, string> = {
  draft: 'gray',
  published: 'blue',
  retired: 'dark',
};

/** The forward moves of a problem, to make the primary button of its page. */
export const FORWARD: Record<ProblemState, ProblemState | null> = {
  new: 'assess',
  assess: 'root_cause_analysis',
  root_cause_analysis: 'fix_in_progress',
  fix_in_progress: 'resolved',
  resolved: 'closed',
  closed: null,
};

/** A comma- or space-separated list of numbers as the API takes them. */
export function parseNumbers(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,;]+/)
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
}
