import { Group, Stack, Text, Title } from '@mantine/core';
import type { Change } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { RouterAnchor } from '../../shared/router-link';
import { KnownErrorsList, ProblemStateBadge } from './problem-ui';
import { useChangeKnownErrors, useChangeProblems } from './problems-api';

/**
 * The change page's problems and known errors: the problems it caused or fixes, and the published known errors on its
 * CIs, each with its workaround.
 */
export function ChangeKnownErrorsPanel({ change }: { change: Pick<Change, 'id'> }) {
  const known = useChangeKnownErrors(change.id);
  const problems = useChangeProblems(change.id);
  return (
    <Stack gap="sm">
      {problems.data && problems.data.length > 0 && (
        <Stack gap={4}>
          <Title order={2} size="h6">
            Problems
          </Title>
          {problems.data.map((p) => (
            <Group key={p.id} gap="xs" wrap="nowrap">
              <RouterAnchor to={`/problems/${p.number}`} size="sm" ff="monospace">
                {p.number}
              </RouterAnchor>
              <Text size="sm" lineClamp={1}>
                {p.title}
              </Text>
              <ProblemStateBadge state={p.state} />
              <Text size="xs" c="dimmed">
                {[
                  p.causedByChanges.some((c) => c.id === change.id) ? 'this change caused it' : null,
                  p.fixChanges.some((c) => c.id === change.id) ? 'this change fixes it' : null,
                ]
                  .filter(Boolean)
                  .join('; ')}
              </Text>
            </Group>
          ))}
        </Stack>
      )}
      <Title order={2} size="h6">
        Known errors on its CIs
      </Title>
      <Text size="sm" c="dimmed">
        Known faults on this change’s CIs that are not fixed yet. Plan around them; each has a workaround. A standard change on them is
        checked before it runs.
      </Text>
      {known.isError && <ErrorAlert error={known.error} title="Cannot load the known errors" onRetry={() => void known.refetch()} />}
      {known.isPending ? (
        <PageLoader label="Loading the known errors" />
      ) : known.data && known.data.items.length > 0 ? (
        <KnownErrorsList items={known.data.items} />
      ) : known.data ? (
        <Text size="sm" c="dimmed">
          No published known error on its CIs.
        </Text>
      ) : null}
    </Stack>
  );
}
