import { Badge, Group, Text, Tooltip, VisuallyHidden } from '@mantine/core';
import type { ChangeRisk, RiskLevel } from '../../api/types';

/** Risk levels in words; typed so that a level added to the contract needs a label here. */
export const RISK_LEVEL_LABELS: Record<RiskLevel, string> = {
  low: 'Low',
  moderate: 'Moderate',
  high: 'High',
  very_high: 'Very high',
};

export const RISK_LEVEL_COLORS: Record<RiskLevel, string> = {
  low: 'green',
  moderate: 'yellow',
  high: 'orange',
  very_high: 'red',
};

/** "very_high" → "very high", for running text ("Risk overridden to very high"). */
export function riskLevelWords(level: string): string {
  return (RISK_LEVEL_LABELS[level as RiskLevel] ?? level.replace(/_/g, ' ')).toLowerCase();
}

/** `20` → "+20", `-5` → "−5" (a real minus sign), `0` → "0"; fractions keep one decimal. */
export function formatPoints(points: number): string {
  const abs = Math.abs(points);
  const digits = Number.isInteger(abs) ? String(abs) : abs.toFixed(1);
  if (points > 0) return `+${digits}`;
  if (points < 0) return `−${digits}`;
  return '0';
}

/** A level as a coloured badge. */
export function RiskLevelBadge({
  level,
  size = 'sm',
  suffix = '',
}: {
  level: RiskLevel;
  size?: 'xs' | 'sm' | 'md' | 'lg';
  suffix?: string;
}) {
  return (
    <Badge color={RISK_LEVEL_COLORS[level]} variant="light" size={size} radius="sm" data-level={level}>
      {RISK_LEVEL_LABELS[level]}
      {suffix}
    </Badge>
  );
}

interface RiskBadgeProps {
  risk: ChangeRisk | null;
  size?: 'xs' | 'sm' | 'md';
  /** On the change page: "High risk", and an "overridden" marker when a change manager set the level. */
  withMarker?: boolean;
  'data-testid'?: string;
}

/** The risk in force on a change; "—" while it has not been assessed. */
export function RiskBadge({ risk, size = 'sm', withMarker = false, ...rest }: RiskBadgeProps) {
  if (!risk) {
    return (
      <Text span size="sm" c="dimmed" title="Not assessed yet" {...rest}>
        —
      </Text>
    );
  }
  const description = risk.overridden
    ? `${RISK_LEVEL_LABELS[risk.level]} risk, overridden (computed ${riskLevelWords(risk.computedLevel)}, score ${risk.score} of 100)`
    : `${RISK_LEVEL_LABELS[risk.level]} risk, score ${risk.score} of 100`;
  const badge = (
    <Badge color={RISK_LEVEL_COLORS[risk.level]} variant="light" size={size} radius="sm" data-level={risk.level} {...rest}>
      {RISK_LEVEL_LABELS[risk.level]}
      {withMarker ? ' risk' : ''}
      {!withMarker && risk.overridden && (
        <>
          <span aria-hidden> *</span>
          <VisuallyHidden> (overridden)</VisuallyHidden>
        </>
      )}
    </Badge>
  );
  return (
    <Tooltip label={description} withArrow openDelay={300}>
      {withMarker && risk.overridden ? (
        <Group gap={4} wrap="nowrap" display="inline-flex">
          {badge}
          <Badge color="gray" variant="outline" size={size} radius="sm" tt="lowercase">
            overridden
          </Badge>
        </Group>
      ) : (
        badge
      )}
    </Tooltip>
  );
}
