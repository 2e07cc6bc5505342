import type { IncidentState } from './incidents-api';

/** Typed as a Record so that a state added to the contract is a type error here until it has a label. */
export const INCIDENT_STATE_LABELS: Record<IncidentState, string> = {
  new: 'New',
  in_progress: 'In progress',
  on_hold: 'On hold',
  resolved: 'Resolved',
  closed: 'Closed',
};

export const INCIDENT_STATE_COLORS: Record<IncidentState, string> = {
  new: 'red',
  in_progress: 'orange',
  on_hold: 'yellow',
  resolved: 'green',
  closed: 'gray',
};

export const OPEN_STATES: readonly IncidentState[] = ['new', 'in_progress', 'on_hold'];

export const isOpenState = (state: IncidentState) => OPEN_STATES.includes(state);

export const INCIDENT_PRIORITY_COLORS: Record<number, string> = { 1: 'red', 2: 'orange', 3: 'yellow', 4: 'gray' };

const DAY_MS = 86_400_000;

/** Opened in the 30 days before `now`: what the risk of a change on the same CIs counts. */
export function isRecentIncident(openedAt: string, now: number = Date.now()): boolean {
  const at = Date.parse(openedAt);
  return !Number.isNaN(at) && now - at <= 30 * DAY_MS;
}
