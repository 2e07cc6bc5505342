import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { RouterAnchor } from '../../shared/router-link';
import { formatDateTime } from '../../shared/format';
import type { Template, TemplateHistory } from './templates-api';
import { failureColor, failurePercent, failureText, usedText } from './template-words';

export function ActiveBadge({ active }: { active: boolean }) {
  return (
    <Badge color={active ? 'green' : 'gray'} variant="light" size="sm" radius="sm">
      {active ? 'Active' : 'Retired'}
    </Badge>
  );
}

/** The CIs of a template as links, the first `max` of them and "+N more". */
export function TemplateCis({ cis, max = 3 }: { cis: Template['cis']; max?: number }) {
  if (cis.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        —
      </Text>
    );
  }
  const shown = cis.slice(0, max);
  const rest = cis.slice(max);
  return (
    <Group gap={6} wrap="wrap">
      {shown.map((ci) => (
        <RouterAnchor key={ci.id} to={`/cmdb/cis/${ci.id}`} size="sm">
          {ci.name}
        </RouterAnchor>
      ))}
      {rest.length > 0 && (
        <Tooltip label={rest.map((ci) => ci.name).join(', ')} multiline w={260}>
          <Text size="xs" c="dimmed" tabIndex={0}>
            +{rest.length} more
          </Text>
        </Tooltip>
      )}
    </Group>
  );
}

/** "1 of 6 failed (17%)" over the last 90 days, coloured by how many failed. */
export function FailureRate({ history }: { history: TemplateHistory }) {
  const percent = failurePercent(history);
  return (
    <Text
      size="sm"
      c={failureColor(history) ?? (history.changes90d === 0 ? 'dimmed' : undefined)}
      fw={history.failed90d > 0 ? 600 : undefined}
    >
      {failureText(history)}
      {percent && history.failed90d > 0 ? ` (${percent})` : ''}
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
