import { Alert, Button, Group, List, Modal, NumberInput, Stack, Text, Textarea } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError, messageOf } from '../../api/client';
import type { Change } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { useApproverName } from '../approvals/approvals-api';
import { formatDateTime } from '../../shared/format';
import { fieldErrorsFrom, UnplacedIssues } from './field-errors';
import { type BreakGlass, evidenceKindLabel, useBreakGlass, useBreakGlassList, useReviewBreakGlass } from './governance-api';

// NOTE: the shipped policy's breakGlass.maxDuration; the server checks the active policy's and says so.
const DEFAULT_MINUTES = 60;
const MAX_HINT_MINUTES = 240;

function BreakGlassForm({ changeId, onDone }: { changeId: string; onDone: () => void }) {
  const breakGlass = useBreakGlass(changeId);
  const [reason, setReason] = useState('');
  const [minutes, setMinutes] = useState<number | string>(DEFAULT_MINUTES);
  const errors = fieldErrorsFrom(breakGlass.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    breakGlass.mutate({ reason, durationMinutes: typeof minutes === 'number' ? minutes : Number(minutes) || DEFAULT_MINUTES }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Break glass" noValidate>
      <Stack gap="sm">
        <Text size="sm">
          Break-glass lets this emergency change past its pending approvals and unsatisfied gates until the bypass expires. The skipped approvers
          are told, and a change manager other than you must review the change before it can be closed.
        </Text>
        <Textarea
          label="Why is the bypass needed?"
          description="The emergency, in at least 10 characters. Shown on the change, to the skipped approvers and in the history."
          required
          autosize
          minRows={3}
          maxRows={8}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={errors.reason}
          data-autofocus
        />
        <NumberInput
          label="Duration (minutes)"
          description={`How long the bypass lasts; the policy allows at most ${MAX_HINT_MINUTES / 60} hours.`}
          min={5}
          step={15}
          value={minutes}
          onChange={setMinutes}
          error={errors.durationMinutes}
          w={220}
        />
        {breakGlass.isError && <BreakGlassError error={breakGlass.error} />}
        <Group gap="xs">
          <Button type="submit" color="red" loading={breakGlass.isPending}>
            Break glass
          </Button>
          <Button variant="default" onClick={onDone} disabled={breakGlass.isPending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function BreakGlassError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.code === 'invalid_input') {
    return <UnplacedIssues error={error} placed={['reason', 'durationMinutes']} title="Glass was not broken" />;
  }
  const titles: Record<string, string> = {
    break_glass_not_permitted: 'You may not break glass',
    break_glass_not_applicable: 'Break-glass is not for this change',
    break_glass_active: 'A bypass is already in force',
  };
  const title = error instanceof ApiError ? (titles[error.code] ?? 'Glass was not broken') : 'Glass was not broken';
  return <ErrorAlert error={error} title={title} />;
}

/** "Break glass" on an emergency change, with a modal asking for the reason and the duration. */
export function BreakGlassButton({ changeId }: { changeId: string }) {
  const [open, setOpen] = useState(false);
  const uses = useBreakGlassList(changeId);
  // One bypass at a time: while one is in force the banner says so and the button would only be refused.
  if (uses.data?.items.some((b) => b.active)) return null;
  return (
    <>
      <Button size="sm" variant="outline" color="red" onClick={() => setOpen(true)}>
        Break glass
      </Button>
      <Modal opened={open} onClose={() => setOpen(false)} title="Break glass" size="lg">
        <BreakGlassForm changeId={changeId} onDone={() => setOpen(false)} />
      </Modal>
    </>
  );
}

function ReviewForm({ changeId, record }: { changeId: string; record: BreakGlass }) {
  const review = useReviewBreakGlass(changeId, record.id);
  const [notes, setNotes] = useState('');
  const errors = fieldErrorsFrom(review.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    review.mutate({ notes }, { onSuccess: () => setNotes('') });
  };
  return (
    <form onSubmit={onSubmit} aria-label="Review the bypass" noValidate>
      <Stack gap="xs" mt="xs">
        <Textarea
          label="Review notes"
          description="What the review found: was the bypass justified, what follows (at least 10 characters)."
          required
          autosize
          minRows={2}
          maxRows={6}
          value={notes}
          onChange={(e) => setNotes(e.currentTarget.value)}
          error={errors.notes}
          styles={{ input: { background: 'var(--mantine-color-white)' }, description: { color: 'var(--mantine-color-white)' } }}
        />
        {review.isError && !errors.notes && (
          <Alert color="red" variant="white" role="alert" title={reviewErrorTitle(review.error)}>
            <Text size="sm">{messageOf(review.error)}</Text>
          </Alert>
        )}
        <Group>
          <Button type="submit" size="xs" variant="white" color="red" loading={review.isPending}>
            Record the review
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function reviewErrorTitle(error: unknown): string {
  if (error instanceof ApiError && error.code === 'segregation_of_duties') return 'Someone else must review this bypass';
  if (error instanceof ApiError && error.code === 'already_reviewed') return 'Already reviewed';
  return 'The review was not recorded';
}

function Skipped({ record }: { record: BreakGlass }) {
  const { approvals, gates } = record.skipped;
  // The record names a team approver by its handle (`ecab`): show the team's name.
  const approverName = useApproverName();
  if (approvals.length === 0 && gates.length === 0) return null;
  return (
    <List size="sm" spacing={0} mt={4} aria-label="Bypassed">
      {approvals.map((a) => (
        <List.Item key={a.id}>
          Approval of {approverName({ kind: 'team', ref: a.approver, label: a.approver })} ({a.state})
        </List.Item>
      ))}
      {gates.map((g) => (
        <List.Item key={g.name}>
          Gate {g.name}: missing {g.missing.map(evidenceKindLabel).join(' and ')}
        </List.Item>
      ))}
    </List>
  );
}

interface BreakGlassBannerProps {
  change: Pick<Change, 'id' | 'number' | 'reviewRequired'>;
  /** The person may review a bypass (change managers, admins). */
  canReview: boolean;
}

/** A red banner while a bypass is in force or waits for its review; change managers review it here. */
export function BreakGlassBanner({ change, canReview }: BreakGlassBannerProps) {
  const list = useBreakGlassList(change.id);
  const items = list.data?.items ?? [];
  const active = items.filter((b) => b.active);
  if (list.isPending) return null;
  if (list.isError) return change.reviewRequired ? <ErrorAlert error={list.error} title="Cannot load the break-glass record" /> : null;
  if (active.length === 0 && !change.reviewRequired) return null;
  const shown = items.filter((b) => b.active || (!b.review && change.reviewRequired));
  const title =
    active.length > 0
      ? `Break-glass in force until ${formatDateTime(active[0]!.expiresAt)}: approvals and gates are bypassed`
      : 'Break-glass was used: a change manager must review this change before it can be closed';
  return (
    <Alert color="red" variant="filled" role="alert" title={title} data-testid="break-glass-banner">
      <Stack gap="sm">
        {shown.map((b) => (
          <div key={b.id}>
            <Text size="sm">
              <Text span fw={700} size="sm">
                {b.userName}
              </Text>{' '}
              broke glass {formatDateTime(b.createdAt)}
              {b.usedAt ? `, used ${formatDateTime(b.usedAt)}` : ', not used yet'}:
            </Text>
            <Text size="sm" className="cabinet-pre" pl="sm" style={{ borderLeft: '2px solid rgba(255,255,255,0.6)' }}>
              {b.reason}
            </Text>
            <Skipped record={b} />
            {b.review ? (
              <Text size="sm" mt={4}>
                Reviewed by {b.review.byName}, {formatDateTime(b.review.at)}: {b.review.notes}
              </Text>
            ) : change.reviewRequired && canReview ? (
              <ReviewForm changeId={change.id} record={b} />
            ) : (
              <Text size="sm" mt={4}>
                Waiting for the review of a change manager other than {b.userName}.
              </Text>
            )}
          </div>
        ))}
      </Stack>
    </Alert>
  );
}
