import { Badge } from '@mantine/core';
import { stateLabel, usePolicy } from './policy';

const STATE_COLORS: Record<string, string> = {
  draft: 'gray',
  assess: 'blue',
  authorize: 'violet',
  scheduled: 'cyan',
  implement: 'orange',
  review: 'yellow',
  closed: 'green',
  cancelled: 'dark',
  rejected: 'red',
};

interface StateBadgeProps {
  state: string;
  type?: string;
  size?: 'sm' | 'md' | 'lg';
  'data-testid'?: string;
}

export function StateBadge({ state, type, size = 'sm', ...rest }: StateBadgeProps) {
  const { data: policy } = usePolicy();
  return (
    <Badge color={STATE_COLORS[state] ?? 'indigo'} variant="light" size={size} radius="sm" data-state={state} {...rest}>
      {stateLabel(policy, type, state)}
    </Badge>
  );
}

const TYPE_COLORS: Record<string, string> = { standard: 'teal', normal: 'blue', emergency: 'red' };

export function TypeBadge({ type, label }: { type: string; label: string }) {
  return (
    <Badge color={TYPE_COLORS[type] ?? 'gray'} variant="outline" size="sm" radius="sm">
      {label}
    </Badge>
  );
}
