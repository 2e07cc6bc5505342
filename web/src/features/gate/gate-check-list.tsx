import { Paper, Stack, Text } from '@mantine/core';
import { formatDateTime } from '../../shared/format';
import { RouterAnchor } from '../../shared/router-link';
import type { GateCheck } from './gate-api';
import { DecisionBadge, GateReasons, SOURCE_LABELS } from './gate-ui';

/**
 * Gate checks as a list of cards, each with its decision and its reasons in words (the records behind them as
 * links): for the change page and a deployment's page, where there are a few.
 */
export function GateCheckList({ checks, label = 'Gate checks' }: { checks: GateCheck[]; label?: string }) {
  return (
    <Stack component="ul" gap="xs" aria-label={label} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {checks.map((c) => (
        <Paper component="li" key={c.id} withBorder radius="sm" p="sm" aria-label={`Gate check: ${c.decision}`} data-decision={c.decision}>
          <Stack gap={4}>
            <Text size="sm">
              <DecisionBadge decision={c.decision} />{' '}
              <RouterAnchor to={`/gate/checks/${c.id}`} size="sm" fw={600}>
                {c.repository}
                {c.ref ? ` @ ${c.ref}` : ''}
              </RouterAnchor>{' '}
              <Text span size="xs" c="dimmed">
                {SOURCE_LABELS[c.source]}, run {c.pipeline.runId}
                {c.pipeline.attempt > 1 ? ` (attempt ${c.pipeline.attempt})` : ''}, asked {formatDateTime(c.createdAt)}
              </Text>
            </Text>
            <GateReasons check={c} />
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}
