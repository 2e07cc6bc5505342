import { Badge, Text, Tooltip } from '@mantine/core';
import { formatDate, formatDateTime } from '../../shared/format';
import type { ReviewScheduleItem, TemplateHealth, TemplateHistory, TemplateState } from './templates-api';
import {
  HEALTH_COLORS,
  HEALTH_LABELS,
  HEALTH_WORDS,
  scoreColor,
  scoreText,
  TEMPLATE_STATE_COLORS,
  TEMPLATE_STATE_LABELS,
  usedText,
} from './template-words';

/** The state of a catalogue entry, in words (the colour only repeats them). */
export function TemplateStateBadge({ state, size = 'sm' }: { state: TemplateState; size?: 'sm' | 'md' }) {
  return (
    <Badge color={TEMPLATE_STATE_COLORS[state]} variant={state === 'suspended' ? 'filled' : 'light'} size={size} radius="sm">
      {TEMPLATE_STATE_LABELS[state]}
    </Badge>
  );
}

/** The health of an entry, in words, with what it means on hover or focus. */
export function HealthBadge({ health }: { health: TemplateHealth }) {
  return (
    <Tooltip label={HEALTH_WORDS[health]} multiline w={240}>
      <Badge color={HEALTH_COLORS[health]} variant="outline" size="sm" radius="sm" tabIndex={0} style={{ cursor: 'help' }}>
        {HEALTH_LABELS[health]}
      </Badge>
    </Tooltip>
  );
}

/** The success score, with its sign; red below zero. */
export function ScoreText({ score, size = 'sm' }: { score: number; size?: 'sm' | 'lg' }) {
  return (
    <Text span size={size} fw={600} c={scoreColor(score)} ff="monospace">
      {scoreText(score)}
    </Text>
  );
}

/** "Used 12 times", with the last use under it. */
export function UsageText({ history }: { history: TemplateHistory }) {
  return (
    <>
      <Text size="sm">{usedText(history)}</Text>
      {history.lastUsedAt && (
        <Text size="xs" c="dimmed">
          last {formatDateTime(history.lastUsedAt)}
        </Text>
      )}
    </>
  );
}

/** When an entry is next reviewed: the date, red once overdue, orange within a week. */
export function ReviewDue({ item }: { item: ReviewScheduleItem | undefined }) {
  if (!item) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  const soon = new Date(item.nextReviewAt).getTime() - Date.now() < 7 * 86_400_000;
  return (
    <>
      <Text size="sm" c={item.overdue ? 'red.8' : soon ? 'orange.9' : undefined} fw={item.overdue ? 600 : undefined}>
        {formatDate(item.nextReviewAt)}
      </Text>
      {item.overdue && (
        <Text size="xs" c="red.8">
          Overdue
        </Text>
      )}
    </>
  );
}
