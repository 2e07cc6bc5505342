import { Group, SegmentedControl, Switch, Table, Text } from '@mantine/core';
import { useSearchParams } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { NumberLink } from '../../shared/router-link';
import { ReviewStateBadge } from './review-panel';
import { type ReviewQueueState, useReviewQueue } from './reviews-api';

const STATES: { value: ReviewQueueState; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'overdue', label: 'Overdue' },
  { value: 'completed', label: 'Completed' },
  { value: 'all', label: 'All' },
];

const isState = (v: string | null): v is ReviewQueueState => STATES.some((s) => s.value === v);

/** The post-implementation review queue: soonest due first, overdue ones flagged; the filters live in the URL. */
export function ReviewsPage() {
  const [params, setParams] = useSearchParams();
  const stateParam = params.get('state');
  const state: ReviewQueueState = isState(stateParam) ? stateParam : 'open';
  const mine = params.get('mine') === 'true';
  const queue = useReviewQueue(state, mine);
  const set = (key: string, value: string | null) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (value === null) next.delete(key);
      else next.set(key, value);
      return next;
    });

  return (
    <>
      <PageHeader
        title="Post-implementation reviews"
        description="Changes the policy asks to be reviewed after they are carried out: emergencies, failed or rolled-back changes, those that caused an incident or broke glass, and very high risk. Each review records what went well, what did not, the contributing factors and the actions. Until it is completed, the policy keeps the change from closing (as shipped: every change but a standard one)."
      />
      <Group mb="sm" gap="lg">
        <SegmentedControl aria-label="Which reviews" data={STATES} value={state} onChange={(v) => set('state', v === 'open' ? null : v)} />
        <Switch label="Only my changes' reviews" checked={mine} onChange={(e) => set('mine', e.currentTarget.checked ? 'true' : null)} />
      </Group>
      {queue.isError && <ErrorAlert error={queue.error} title="Cannot load the reviews" onRetry={() => void queue.refetch()} />}
      {queue.isPending ? (
        <PageLoader label="Loading the reviews" />
      ) : queue.data ? (
        queue.data.items.length === 0 ? (
          <Text size="sm" c="dimmed" data-testid="reviews-empty">
            {state === 'overdue'
              ? 'No review is overdue.'
              : state === 'completed'
                ? 'No review has been completed yet.'
                : 'No review is waiting.'}
          </Text>
        ) : (
          <Table aria-label="Post-implementation reviews" striped highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Change</Table.Th>
                <Table.Th>Title</Table.Th>
                <Table.Th>Why</Table.Th>
                <Table.Th>Owner</Table.Th>
                <Table.Th>Due</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th>Open actions</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {queue.data.items.map((r) => (
                <Table.Tr key={r.id}>
                  <Table.Td>
                    <NumberLink to={`/changes/${r.change.number}?tab=review`}>{r.change.number}</NumberLink>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" lineClamp={2}>
                      {r.change.title}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="xs">{r.reasons.join(' ')}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{r.owner?.name ?? 'Nobody'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c={r.overdue ? 'red.8' : undefined} fw={r.overdue ? 600 : undefined}>
                      {formatDateTime(r.dueAt)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <ReviewStateBadge state={r.state} overdue={r.overdue} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{r.openActions}</Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )
      ) : null}
    </>
  );
}
