import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ApiError, messageOf } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { fieldErrorsFrom } from '../changes/field-errors';
import { type Decision, useDecideApproval } from './approvals-api';

/** What the server's refusal means, in words, for the errors people can act on. */
export function DecisionError({ error }: { error: unknown }) {
  // A missing reason is said under the comment box.
  if (error instanceof ApiError && (error.code === 'invalid_input' || error.code === 'reason_required') && fieldErrorsFrom(error).comment) return null;
  if (error instanceof ApiError && error.code === 'segregation_of_duties') {
    return (
      <Alert color="red" variant="light" role="alert" title="You may not decide this approval">
        <Text size="sm">{messageOf(error)}</Text>
        <Text size="xs" c="dimmed" mt={4}>
          Segregation of duties: whoever requested, owns or implements a change cannot approve it.
        </Text>
      </Alert>
    );
  }
  if (error instanceof ApiError && error.code === 'not_an_approver') {
    return <ErrorAlert error={error} title="You are not an approver of this approval" />;
  }
  if (error instanceof ApiError && (error.code === 'approval_closed' || error.code === 'already_voted')) {
    return (
      <Alert color="yellow" variant="light" role="alert" title="Already decided">
        <Text size="sm">{messageOf(error)}</Text>
      </Alert>
    );
  }
  return <ErrorAlert error={error} title="The decision was not recorded" />;
}

/** "Dave Kowalski (DBA)" → "Dave". */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] || name;
}

interface DecisionControlsProps {
  approvalId: string;
  changeId: string;
  /** Names the approval for screen readers: "Approve: DBA". */
  subject: string;
  /** Set when the person may decide only as someone's delegate: the vote is cast, and labelled, for them. */
  decidesFor?: { userId: string; name: string } | null;
  onDecided?: (decision: Decision) => void;
}

/** Approve right away; Reject asks why first (the server requires a comment and says so). */
export function DecisionControls({ approvalId, changeId, subject, decidesFor = null, onDecided }: DecisionControlsProps) {
  const decide = useDecideApproval(approvalId, changeId);
  const [rejecting, setRejecting] = useState(false);
  const [comment, setComment] = useState('');
  const errors = fieldErrorsFrom(decide.error);
  // "Approve for Dave" on the button; the whole name for screen readers.
  const forShort = decidesFor ? ` for ${firstName(decidesFor.name)}` : '';
  const forFull = decidesFor ? ` for ${decidesFor.name}` : '';
  const onBehalf = decidesFor ? { onBehalfOf: decidesFor.userId } : {};

  const send = (decision: Decision) => {
    decide.mutate(decision === 'reject' ? { decision, comment, ...onBehalf } : { decision, ...onBehalf }, {
      onSuccess: () => {
        setRejecting(false);
        setComment('');
        onDecided?.(decision);
      },
    });
  };

  const onReject = (event: FormEvent) => {
    event.preventDefault();
    send('reject');
  };

  return (
    <Stack gap="xs">
      {!rejecting && (
        <Group gap="xs" wrap="nowrap">
          <Button
            size="xs"
            color="green"
            loading={decide.isPending && decide.variables?.decision === 'approve'}
            disabled={decide.isPending}
            onClick={() => send('approve')}
            aria-label={`Approve${forFull}: ${subject}`}
          >
            Approve{forShort}
          </Button>
          <Button
            size="xs"
            variant="light"
            color="red"
            disabled={decide.isPending}
            onClick={() => {
              decide.reset();
              setRejecting(true);
            }}
            aria-label={`Reject${forFull}: ${subject}`}
          >
            Reject{forShort}
          </Button>
        </Group>
      )}
      {rejecting && (
        <form onSubmit={onReject} aria-label={`Reject${forFull}: ${subject}`} noValidate>
          <Stack gap="xs">
            <Textarea
              label="Why do you reject it?"
              description="The requester sees this comment on the change."
              autosize
              minRows={2}
              maxRows={6}
              value={comment}
              onChange={(e) => setComment(e.currentTarget.value)}
              error={errors.comment}
              data-autofocus
            />
            <Group gap="xs">
              <Button type="submit" size="xs" color="red" loading={decide.isPending}>
                Reject{forShort}
              </Button>
              <Button
                size="xs"
                variant="default"
                disabled={decide.isPending}
                onClick={() => {
                  setRejecting(false);
                  decide.reset();
                }}
              >
                Cancel
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      {decide.isError && <DecisionError error={decide.error} />}
    </Stack>
  );
}
