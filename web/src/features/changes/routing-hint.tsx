import { Text } from '@mantine/core';
import type { Change } from '../../api/types';

type Routed = NonNullable<NonNullable<Change['routing']>['team']>;

/**
 * The routing rule that chose a target, while the change still holds routing's choice: a value someone set
 * by hand (or changed since) has no hint.
 */
export function routedTarget(change: Pick<Change, 'routing'>, target: 'team' | 'changeManager', current: string | null): Routed | null {
  const routing = change.routing;
  const routed = routing?.[target];
  if (!routing || !routed || routing.manual[target] || routed.value !== current) return null;
  return routed;
}

/** "Routed by rule databases: Database changes are carried out by the DBAs". */
export function RoutingHint({ routed, size = 'xs' }: { routed: Routed | null; size?: 'xs' | 'sm' }) {
  if (!routed) return null;
  return (
    <Text span size={size} c="dimmed" data-testid="routing-hint">
      Routed by rule{' '}
      <Text span size={size} ff="monospace">
        {routed.rule}
      </Text>
      : {routed.reason}
    </Text>
  );
}
