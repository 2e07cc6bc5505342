import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  List,
  Paper,
  Select,
  Stack,
  Table,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, issuesByField } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, isoToLocalInput, localInputToIso } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { UserSelect } from '../admin/user-select';
import {
  type Review,
  type ReviewAction,
  reviewKeys,
  useAddReviewAction,
  useChangeReview,
  useCompleteReview,
  useUpdateReview,
  useUpdateReviewAction,
} from './reviews-api';

export const REVIEW_STATE_LABELS: Record<Review['state'], string> = {
  open: 'Open',
  in_progress: 'In progress',
  completed: 'Completed',
};
const REVIEW_STATE_COLORS: Record<Review['state'], string> = { open: 'gray', in_progress: 'blue', completed: 'green' };

export function ReviewStateBadge({ state, overdue }: { state: Review['state']; overdue?: boolean }) {
  return (
    <Group gap={4} wrap="nowrap">
      <Badge color={REVIEW_STATE_COLORS[state]} variant="light">
        {REVIEW_STATE_LABELS[state]}
      </Badge>
      {overdue && (
        <Badge color="red" variant="filled">
          Overdue
        </Badge>
      )}
    </Group>
  );
}

/** Where an action's link goes: a problem's page or a change's. */
function linkPath(link: NonNullable<ReviewAction['link']>): string {
  return link.kind === 'problem' ? `/problems/${link.number ?? link.id}` : `/changes/${link.number ?? link.id}`;
}

/**
 * A change whose required review is not completed, said above its page: why it needs one, when it is due,
 * and that it cannot close until then (when the policy holds closing for it).
 */
export function ReviewRequiredBanner({
  changeId,
  version,
  isFinal,
  onShow,
}: {
  changeId: string;
  version: number;
  isFinal: boolean;
  onShow?: () => void;
}) {
  const review = useChangeReview(changeId);
  // A move of the change (into review, say) may have opened its review: read it again when the change moves.
  const seen = useRef(version);
  useEffect(() => {
    if (seen.current === version) return;
    seen.current = version;
    void review.refetch();
  }, [version, review]);
  const r = review.data;
  if (!r || r.state === 'completed') return null;
  return (
    <Alert
      color={r.overdue ? 'red' : 'yellow'}
      variant="light"
      title={r.blocksClose && !isFinal ? 'Review required before closing' : 'A post-implementation review is open'}
      data-testid="review-required-banner"
    >
      <Text size="sm">
        {r.reasons.map((x) => x.reason).join(' ')} The review is due {formatDateTime(r.dueAt)}
        {r.overdue ? ' and is overdue' : ''}.
        {r.blocksClose && !isFinal ? ' The change cannot be closed until the review is completed.' : ''}
      </Text>
      {onShow && (
        <Button size="xs" variant="light" mt="xs" onClick={onShow}>
          Open the review
        </Button>
      )}
    </Alert>
  );
}

/** The 422 `review_required` of a post-implementation review, with what the review still needs. */
export function PirRequiredAlert({
  changeId,
  action,
  message,
  missing,
  onShow,
  onClose,
}: {
  changeId: string;
  action: string;
  message: string;
  missing: string[];
  onShow?: () => void;
  onClose?: () => void;
}) {
  // The refusal may have opened the review: read it again, so the banner and the tab show it.
  const client = useQueryClient();
  useEffect(() => {
    void client.invalidateQueries({ queryKey: reviewKeys.ofChange(changeId) });
  }, [client, changeId, message]);
  return (
    <Alert
      color="red"
      variant="light"
      role="alert"
      title={`“${action}” needs the post-implementation review first`}
      withCloseButton={!!onClose}
      onClose={onClose}
      closeButtonLabel="Dismiss"
    >
      <Text size="sm">{message}</Text>
      {missing.length > 0 && (
        <List size="sm" mt={4} aria-label="What the review still needs">
          {missing.map((m) => (
            <List.Item key={m}>{m}</List.Item>
          ))}
        </List>
      )}
      {onShow && (
        <Button size="xs" variant="light" color="red" mt="xs" onClick={onShow}>
          Open the review
        </Button>
      )}
    </Alert>
  );
}

/** The Review tab of a change: the review assembled for its reviewers, its findings and actions, and completion. */
export function ReviewPanel({ changeId }: { changeId: string }) {
  const review = useChangeReview(changeId);
  if (review.isPending) return <PageLoader label="Loading the review" />;
  if (review.isError) return <ErrorAlert error={review.error} title="Cannot load the review" onRetry={() => void review.refetch()} />;
  if (!review.data) {
    return (
      <Text size="sm" c="dimmed" data-testid="no-review">
        This change needs no post-implementation review: none of the policy’s review rules applies to it (emergencies, failed or rolled-back
        changes, changes that caused an incident or broke glass, very high risk). If one does later, the review opens when the change enters
        review or closes.
      </Text>
    );
  }
  return <ReviewForm key={review.data.id} changeId={changeId} review={review.data} />;
}

function ReviewForm({ changeId, review }: { changeId: string; review: Review }) {
  const update = useUpdateReview(changeId);
  const complete = useCompleteReview(changeId);
  const [wentWell, setWentWell] = useState(review.wentWell);
  const [wentBadly, setWentBadly] = useState(review.wentBadly);
  const [factors, setFactors] = useState<string[]>(review.factors);
  const [saved, setSaved] = useState('');
  const completed = review.state === 'completed';
  const editable = review.canEdit && !completed;
  const dirty = wentWell !== review.wentWell || wentBadly !== review.wentBadly || factors.join('\n') !== review.factors.join('\n');

  // Another write (an action) brings a newer review: keep the person's unsaved text, take the rest.
  useEffect(() => {
    if (!dirty) {
      setWentWell(review.wentWell);
      setWentBadly(review.wentBadly);
      setFactors(review.factors);
    }
    // Only when the stored review moves.
  }, [review.version]);

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    setSaved('');
    const written = await update.mutateAsync({ wentWell, wentBadly, factors, version: review.version }).catch(() => null);
    if (written) setSaved('Saved.');
  };

  const onComplete = async () => {
    setSaved('');
    if (dirty) {
      const written = await update.mutateAsync({ wentWell, wentBadly, factors, version: review.version }).catch(() => null);
      if (!written) return;
      await complete.mutateAsync({ version: written.version }).catch(() => undefined);
    } else {
      await complete.mutateAsync({ version: review.version }).catch(() => undefined);
    }
  };
  const fieldErrors = issuesByField(update.error);

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-start">
        <Stack gap={2}>
          <Group gap="xs">
            <Title order={2} size="h4">
              Post-implementation review
            </Title>
            <ReviewStateBadge state={review.state} overdue={review.overdue} />
          </Group>
          <Text size="sm" c="dimmed">
            {review.reasons.map((r) => r.reason).join(' ')} Due {formatDateTime(review.dueAt)}.
            {review.blocksClose ? ' The change cannot close until this review is completed.' : ''}
          </Text>
          {completed && review.completedBy && (
            <Text size="sm" data-testid="review-completed">
              Completed by {review.completedBy.name} on {formatDateTime(review.completedAt)}.
            </Text>
          )}
        </Stack>
      </Group>

      <ReviewFacts review={review} />

      <form onSubmit={(e) => void onSave(e)} aria-label="Review findings" noValidate>
        <Stack gap="sm">
          <Textarea
            label="What went well"
            description="What helped: people, tools, steps worth keeping."
            autosize
            minRows={2}
            value={wentWell}
            onChange={(e) => setWentWell(e.currentTarget.value)}
            disabled={!editable}
            error={fieldErrors.wentWell?.join(' ')}
          />
          <Textarea
            label="What did not go well"
            description="What went wrong or nearly did, and what it cost."
            autosize
            minRows={2}
            value={wentBadly}
            onChange={(e) => setWentBadly(e.currentTarget.value)}
            disabled={!editable}
            error={fieldErrors.wentBadly?.join(' ')}
          />
          <TagsInput
            label="Contributing factors"
            description="Press Enter after each: an untested step, a missing alert, a rushed window…"
            value={factors}
            onChange={setFactors}
            disabled={!editable}
            error={fieldErrors.factors?.join(' ')}
          />
          {editable && (
            <Group>
              <Button type="submit" variant="default" loading={update.isPending} disabled={!dirty}>
                Save the findings
              </Button>
              <Text size="xs" c="dimmed" role="status" aria-live="polite">
                {saved}
              </Text>
            </Group>
          )}
          {update.isError && !(update.error instanceof ApiError && update.error.code === 'invalid_input') && (
            <ErrorAlert error={update.error} title="The findings were not saved" />
          )}
        </Stack>
      </form>

      <ReviewActions changeId={changeId} review={review} />

      {editable && (
        <Paper withBorder p="sm" radius="sm">
          <Stack gap="xs">
            <Text size="sm" fw={600}>
              Complete the review
            </Text>
            {review.missing.length > 0 ? (
              <>
                <Text size="sm">It cannot be completed yet. It still needs:</Text>
                <List size="sm" aria-label="What the review still needs">
                  {review.missing.map((m) => (
                    <List.Item key={m.path}>{m.message}</List.Item>
                  ))}
                </List>
              </>
            ) : (
              <Text size="sm">
                The findings are recorded and every action has an owner and a due date. Completing lets the change close; the actions stay
                tracked until done.
              </Text>
            )}
            <Group>
              <Button onClick={() => void onComplete()} loading={complete.isPending} disabled={review.missing.length > 0 && !dirty}>
                Complete the review
              </Button>
            </Group>
            {complete.isError && <ErrorAlert error={complete.error} title="The review was not completed" />}
          </Stack>
        </Paper>
      )}
      {!review.canEdit && !completed && (
        <Text size="xs" c="dimmed">
          The change’s owner, implementer, assignment team and the change managers write in this review.
        </Text>
      )}

      <ReviewTimeline review={review} />
    </Stack>
  );
}

function ReviewFacts({ review }: { review: Review }) {
  const c = review.change;
  const facts: [string, string][] = [
    ['Risk', c.riskLevel ? `${c.riskLevel.replace('_', ' ')} (${c.riskScore ?? '–'})` : 'Not assessed'],
    ['Close code', c.closeCode ? c.closeCode.replace(/_/g, ' ') : 'Not set'],
    ['Planned', c.plannedStart ? `${formatDateTime(c.plannedStart)} – ${formatDateTime(c.plannedEnd)}` : 'Not planned'],
    [
      'Actual',
      c.actualStart ? `${formatDateTime(c.actualStart)} – ${c.actualEnd ? formatDateTime(c.actualEnd) : 'not ended'}` : 'Not started',
    ],
    ['Break-glass', c.brokeGlass ? 'Used' : 'Not used'],
  ];
  return (
    <Paper withBorder p="sm" radius="sm">
      <Text size="sm" fw={600} mb={4}>
        The change’s facts
      </Text>
      <Table withRowBorders={false} verticalSpacing={2} aria-label="The change’s facts">
        <Table.Tbody>
          {facts.map(([label, value]) => (
            <Table.Tr key={label}>
              <Table.Th w={140} fw={500} fz="sm">
                {label}
              </Table.Th>
              <Table.Td fz="sm">{value}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Th w={140} fw={500} fz="sm">
              Incidents caused
            </Table.Th>
            <Table.Td fz="sm">
              {c.incidents.length === 0
                ? 'None known'
                : c.incidents.map((i, n) => (
                    <span key={i.id}>
                      {n > 0 ? ', ' : ''}
                      <Link to={`/incidents/${i.number}`}>{i.number}</Link> (P{i.priority}) {i.title}
                    </span>
                  ))}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function ReviewTimeline({ review }: { review: Review }) {
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Timeline
      </Title>
      <Text size="xs" c="dimmed">
        From the change’s audit trail: its moves, approvals, evidence, break-glass and incidents.
      </Text>
      {review.timeline.length === 0 ? (
        <Text size="sm">Nothing recorded.</Text>
      ) : (
        <Timeline bulletSize={12} lineWidth={2} aria-label="Timeline of the change">
          {review.timeline.map((e, i) => (
            <Timeline.Item key={`${e.at}-${i}`} title={<Text size="sm">{e.summary}</Text>}>
              <Text size="xs" c="dimmed">
                {formatDateTime(e.at)} · {e.actorName}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      )}
    </Stack>
  );
}

const LINK_KINDS = [
  { value: 'problem', label: 'A problem (PRB…)' },
  { value: 'change', label: 'A follow-up change (CHG…)' },
];

function ReviewActions({ changeId, review }: { changeId: string; review: Review }) {
  const add = useAddReviewAction(changeId);
  const update = useUpdateReviewAction(changeId);
  const [title, setTitle] = useState('');
  const [ownerId, setOwnerId] = useState<string | null>(null);
  const [due, setDue] = useState('');
  const [linkKind, setLinkKind] = useState<string | null>(null);
  const [linkRef, setLinkRef] = useState('');
  const errors = issuesByField(add.error);

  const onAdd = async (event: FormEvent) => {
    event.preventDefault();
    const dueAt = due ? localInputToIso(due) : null;
    const link = linkKind && linkRef.trim() ? { kind: linkKind as 'problem' | 'change', id: linkRef.trim() } : null;
    const done = await add.mutateAsync({ title, ownerId, dueAt, link }).catch(() => null);
    if (done) {
      setTitle('');
      setOwnerId(null);
      setDue('');
      setLinkKind(null);
      setLinkRef('');
    }
  };

  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Actions
      </Title>
      <Text size="xs" c="dimmed">
        What will be done so it does not happen again, each with an owner and a due date, tied to the problem that tracks the cause or to
        the follow-up change. Open actions raise the risk of the next changes on the same CIs, team and template until they are done.
      </Text>
      {review.actions.length === 0 ? (
        <Text size="sm">No action yet.</Text>
      ) : (
        <Table aria-label="Review actions" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Done</Table.Th>
              <Table.Th>Action</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th>Due</Table.Th>
              <Table.Th>Linked to</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {review.actions.map((a) => (
              <ActionRow
                key={a.id}
                action={a}
                canEdit={review.canEdit}
                completed={review.state === 'completed'}
                onChange={(input) => update.mutate({ actionId: a.id, ...input })}
                busy={update.isPending}
              />
            ))}
          </Table.Tbody>
        </Table>
      )}
      {update.isError && <ErrorAlert error={update.error} title="The action was not changed" />}
      {review.canEdit && (
        <Paper withBorder p="sm" radius="sm">
          <form onSubmit={(e) => void onAdd(e)} aria-label="Add an action" noValidate>
            <Stack gap="xs">
              <TextInput
                label="New action"
                required
                value={title}
                onChange={(e) => setTitle(e.currentTarget.value)}
                error={errors.title?.join(' ')}
              />
              <Group grow align="flex-start">
                <UserSelect
                  label="Owner"
                  value={ownerId}
                  onChange={setOwnerId}
                  placeholder="Who will do it"
                  error={errors.ownerId?.join(' ')}
                />
                <TextInput
                  label="Due"
                  type="datetime-local"
                  value={due}
                  onChange={(e) => setDue(e.currentTarget.value)}
                  error={errors.dueAt?.join(' ')}
                />
              </Group>
              <Group grow align="flex-start">
                <Select label="Linked to" data={LINK_KINDS} value={linkKind} onChange={setLinkKind} clearable placeholder="Nothing" />
                <TextInput
                  label="Its number"
                  placeholder={linkKind === 'change' ? 'CHG0000012' : 'PRB0000003'}
                  value={linkRef}
                  onChange={(e) => setLinkRef(e.currentTarget.value)}
                  disabled={!linkKind}
                  error={(errors['link.id'] ?? errors.link)?.join(' ')}
                />
              </Group>
              <Group>
                <Button type="submit" variant="light" loading={add.isPending} disabled={title.trim() === ''}>
                  Add the action
                </Button>
              </Group>
              {add.isError && !(add.error instanceof ApiError && add.error.code === 'invalid_input') && (
                <ErrorAlert error={add.error} title="The action was not added" />
              )}
            </Stack>
          </form>
        </Paper>
      )}
    </Stack>
  );
}

function ActionRow({
  action,
  canEdit,
  completed,
  onChange,
  busy,
}: {
  action: ReviewAction;
  canEdit: boolean;
  completed: boolean;
  onChange: (input: { state?: 'open' | 'done'; ownerId?: string | null; dueAt?: string | null }) => void;
  busy: boolean;
}) {
  const [due, setDue] = useState(isoToLocalInput(action.dueAt));
  useEffect(() => setDue(isoToLocalInput(action.dueAt)), [action.dueAt]);
  return (
    <Table.Tr>
      <Table.Td>
        <Checkbox
          aria-label={`Done: ${action.title}`}
          checked={action.state === 'done'}
          disabled={!canEdit || busy}
          onChange={(e) => onChange({ state: e.currentTarget.checked ? 'done' : 'open' })}
        />
      </Table.Td>
      <Table.Td>
        <Text size="sm" td={action.state === 'done' ? 'line-through' : undefined}>
          {action.title}
        </Text>
        {action.overdue && (
          <Badge color="red" size="xs" variant="light">
            Overdue
          </Badge>
        )}
      </Table.Td>
      <Table.Td miw={180}>
        {canEdit ? (
          <UserSelect
            aria-label={`Owner of ${action.title}`}
            value={action.ownerId}
            onChange={(id) => onChange({ ownerId: id })}
            clearable={!completed}
            placeholder="Nobody yet"
            size="xs"
          />
        ) : (
          <Text size="sm">{action.ownerName ?? 'Nobody yet'}</Text>
        )}
      </Table.Td>
      <Table.Td miw={190}>
        {canEdit ? (
          <TextInput
            aria-label={`Due date of ${action.title}`}
            type="datetime-local"
            size="xs"
            value={due}
            onChange={(e) => setDue(e.currentTarget.value)}
            onBlur={() => {
              const iso = due ? localInputToIso(due) : null;
              if (iso !== action.dueAt) onChange({ dueAt: iso });
            }}
          />
        ) : (
          <Text size="sm">{action.dueAt ? formatDateTime(action.dueAt) : 'No date'}</Text>
        )}
      </Table.Td>
      <Table.Td>
        {action.link ? (
          <Link to={linkPath(action.link)}>
            {action.link.number ?? action.link.id}
            {action.link.title ? ` ${action.link.title}` : ''}
          </Link>
        ) : (
          <Text size="sm" c="dimmed">
            Nothing
          </Text>
        )}
      </Table.Td>
    </Table.Tr>
  );
}
