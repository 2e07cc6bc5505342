import { Alert, Badge, Button, Group, Modal, Paper, Radio, SegmentedControl, Stack, Table, Text, Textarea } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDate, formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { hasPermission, useCurrentUser } from '../auth/session';
import { fieldErrorsFrom } from '../changes/field-errors';
import {
  type CatalogueReview,
  type CatalogueReviewDecision,
  DECISION_WORDS,
  historyWords,
  type ReviewFilter,
  useCatalogueReviews,
  useDecideReview,
} from './catalogue-learning-api';

const FILTERS: { value: ReviewFilter; label: string }[] = [
  { value: 'open', label: 'Due' },
  { value: 'overdue', label: 'Overdue' },
  { value: 'decided', label: 'Decided' },
];

const EMPTY: Record<ReviewFilter, string> = {
  open: 'No review is due. Each active entry of the catalogue is reviewed once per cadence (every 90 days by default); its review appears here when it falls due.',
  overdue: 'No review is overdue.',
  decided: 'No review has been decided yet.',
};

/**
 * The catalogue's review queue: each active standard change entry is reviewed once per cadence; its owner team
 * (or a change manager) looks at how its changes fared and decides to keep, revise or retire it.
 */
export function CatalogueReviewsPage() {
  const me = useCurrentUser();
  const [filter, setFilter] = useState<ReviewFilter>('open');
  const query = useCatalogueReviews(filter);
  const [deciding, setDeciding] = useState<CatalogueReview | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const items = query.data?.items ?? [];
  const mayDecide = (r: CatalogueReview) =>
    hasPermission(me, 'template.write') || (r.ownerTeam !== null && me.teamIds.includes(r.ownerTeam.id));
  return (
    <>
      <PageHeader
        title="Catalogue reviews"
        description="Every standard change entry is reviewed once per cadence. Its owner team looks at how its changes fared since the last review and keeps it, asks for a revision, or retires it. A review left open past its grace period suspends the entry."
      />
      <SegmentedControl
        mb="sm"
        size="xs"
        value={filter}
        onChange={(v) => setFilter(v as ReviewFilter)}
        data={FILTERS}
        aria-label="Reviews to show"
      />
      {done && (
        <Alert color="green" mb="sm" withCloseButton closeButtonLabel="Dismiss" onClose={() => setDone(null)} role="status">
          {done}
        </Alert>
      )}
      {query.isPending && <PageLoader label="Loading the catalogue reviews" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the catalogue reviews" onRetry={() => void query.refetch()} />}
      {query.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          {EMPTY[filter]}
        </Text>
      )}
      {items.length > 0 && (
        <Paper withBorder radius="sm">
          <Table aria-label="Catalogue reviews" verticalSpacing="xs" aria-busy={query.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Entry</Table.Th>
                <Table.Th>Owner team</Table.Th>
                <Table.Th w={170}>Due</Table.Th>
                <Table.Th>History at review</Table.Th>
                <Table.Th w={260}>Decision</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((r) => (
                <Table.Tr key={r.id} data-review={r.id}>
                  <Table.Td>
                    <RouterAnchor to={`/templates/${encodeURIComponent(r.templateId)}`}>{r.templateName}</RouterAnchor>
                    <Text size="xs" c="dimmed">
                      version {r.templateVersion} · {r.templateState}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{r.ownerTeam?.name ?? 'No owner team: the change managers decide'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{formatDate(r.dueAt)}</Text>
                    {r.overdue && (
                      <Badge size="xs" color={r.suspendedAt ? 'red' : 'orange'} variant="light">
                        {r.suspendedAt ? 'Entry suspended' : 'Overdue'}
                      </Badge>
                    )}
                    {r.state === 'open' && !r.suspendedAt && (
                      <Text size="xs" c="dimmed">
                        suspends the entry after {formatDate(r.graceEndsAt)}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{historyWords(r.history)}</Text>
                  </Table.Td>
                  <Table.Td>
                    {r.state === 'decided' && r.decision ? (
                      <Stack gap={2}>
                        <Text size="sm" fw={600}>
                          {DECISION_WORDS[r.decision].label}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {r.decidedBy?.name} · {formatDateTime(r.decidedAt)}
                        </Text>
                        <Text size="xs">{r.reason}</Text>
                        {r.reviseLink && (
                          <RouterAnchor to={r.reviseLink} size="xs">
                            Write the new version
                          </RouterAnchor>
                        )}
                      </Stack>
                    ) : mayDecide(r) ? (
                      <Button size="xs" onClick={() => setDeciding(r)}>
                        Decide
                      </Button>
                    ) : (
                      <Text size="xs" c="dimmed">
                        Waiting for {r.ownerTeam?.name ?? 'a change manager'}
                      </Text>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <DecideDialog
        review={deciding}
        onClose={() => setDeciding(null)}
        onDone={(words) => {
          setDeciding(null);
          setDone(words);
        }}
      />
    </>
  );
}

/** Asks for the decision and its reason, says what each decision does, and sends it. */
function DecideDialog({
  review,
  onClose,
  onDone,
}: {
  review: CatalogueReview | null;
  onClose: () => void;
  onDone: (words: string) => void;
}) {
  const decide = useDecideReview();
  const [decision, setDecision] = useState<CatalogueReviewDecision>('keep');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const errors = fieldErrorsFrom(decide.error);
  const close = () => {
    decide.reset();
    setDecision('keep');
    setReason('');
    setMissing(false);
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!review) return;
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    decide.mutate(
      { id: review.id, decision, reason: reason.trim() },
      {
        onSuccess: () => {
          const name = review.templateName;
          setDecision('keep');
          setReason('');
          onDone(
            decision === 'keep'
              ? `Kept “${name}”.`
              : decision === 'revise'
                ? `Asked for a new version of “${name}”.`
                : `Retired “${name}”.`,
          );
        },
      },
    );
  };
  return (
    <Modal
      opened={review !== null}
      onClose={decide.isPending ? () => undefined : close}
      title={review ? `Review “${review.templateName}”` : ''}
      size="md"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {review && (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <Text size="sm">
              Since it was activated or last reviewed: {historyWords(review.history)}. Due {formatDate(review.dueAt)}.
            </Text>
            <Radio.Group label="Decision" value={decision} onChange={(v) => setDecision(v as CatalogueReviewDecision)} required>
              <Stack gap="xs" mt="xs">
                {(Object.keys(DECISION_WORDS) as CatalogueReviewDecision[]).map((d) => (
                  <Radio key={d} value={d} label={DECISION_WORDS[d].label} description={DECISION_WORDS[d].words} />
                ))}
              </Stack>
            </Radio.Group>
            <Textarea
              label="Why?"
              description="Required. Kept with the entry and in the audit trail."
              required
              autosize
              minRows={3}
              maxLength={5000}
              value={reason}
              onChange={(e) => {
                setReason(e.currentTarget.value);
                if (e.currentTarget.value.trim() !== '') setMissing(false);
              }}
              error={missing ? 'Give a reason: it is kept with the entry.' : errors.reason}
              data-autofocus
            />
            {decide.isError && !errors.reason && <ErrorAlert error={decide.error} title="Not decided" />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={close} disabled={decide.isPending}>
                Go back
              </Button>
              <Button type="submit" color={decision === 'retire' ? 'red' : undefined} loading={decide.isPending}>
                {decision === 'keep' ? 'Keep the entry' : decision === 'revise' ? 'Ask for a revision' : 'Retire the entry'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
