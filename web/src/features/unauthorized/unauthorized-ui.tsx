import { Badge } from '@mantine/core';
import type {
  FIX_LINK_KINDS,
  UNAUTHORIZED_CAUSES,
  UNAUTHORIZED_FIX_KINDS,
  UNAUTHORIZED_OUTCOMES,
  UNAUTHORIZED_STATES,
} from '../../../../src/contracts/unauthorized-changes';

type State = (typeof UNAUTHORIZED_STATES)[number];

export const UNAUTHORIZED_STATE_LABELS: Record<State, string> = { open: 'Review due', closed: 'Reviewed' };
export const unauthorizedStateLabel = (state: string) => UNAUTHORIZED_STATE_LABELS[state as State] ?? state;

export const OUTCOME_LABELS: Record<(typeof UNAUTHORIZED_OUTCOMES)[number], string> = {
  authorised_after_the_fact: 'Authorised after the fact',
  process_fixed: 'Process fixed',
  false_alarm: 'False alarm',
};

export const FIX_KIND_LABELS: Record<(typeof UNAUTHORIZED_FIX_KINDS)[number], string> = {
  catalogue_entry: 'A catalogue entry for this work',
  faster_route: 'A faster approval route',
  tooling: 'Tooling: the pipeline asks the gate',
  policy_text: 'Clearer policy',
  none: 'Nothing yet',
};

export function UnauthorizedStateBadge({ state }: { state: string }) {
  return (
    <Badge color={state === 'open' ? 'red' : 'green'} variant="light" radius="sm" tt="none" data-state={state}>
      {unauthorizedStateLabel(state)}
    </Badge>
  );
}

export const CAUSE_LABELS: Record<(typeof UNAUTHORIZED_CAUSES)[number], string> = {
  no_catalogue_entry: 'No catalogue entry fits this work',
  route_too_slow: 'The approval route is too slow for it',
  tooling_gap: 'The pipeline or tooling does not ask the gate',
  emergency_no_time: 'An emergency left no time to file a change',
  unclear_policy: 'The policy is unclear about this work',
  other: 'Something else',
};

export const FIX_LINK_LABELS: Record<(typeof FIX_LINK_KINDS)[number], string> = {
  template: 'Catalogue entry',
  change: 'Change',
  problem: 'Problem',
  url: 'Web page',
};
