import { Alert, Anchor, Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { fieldErrorsFrom } from '../changes/field-errors';
import { type Concern, useAnswerConcern, useChangeConcerns, useRaiseConcern, useReportAffected } from './communication-api';

/** The owner's (or a change manager's) answer to one open concern. */
function AnswerForm({ changeId, concern }: { changeId: string; concern: Concern }) {
  const answer = useAnswerConcern(changeId);
  const [text, setText] = useState('');
  const errors = fieldErrorsFrom(answer.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    answer.mutate({ concernId: concern.id, text }, { onSuccess: () => setText('') });
  };
  return (
    <form onSubmit={onSubmit} aria-label={`Answer the concern of ${concern.author.name}`} noValidate>
      <Stack gap={6} mt="xs">
        <Textarea label="Your answer" autosize minRows={2} maxRows={6} value={text} onChange={(e) => setText(e.currentTarget.value)} error={errors.text} />
        {answer.isError && !errors.text && <ErrorAlert error={answer.error} title="Not answered" />}
        <Group>
          <Button type="submit" size="xs" loading={answer.isPending} disabled={!text.trim()}>
            Answer
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** "This affected me", after the change was implemented: opens an incident linked to it. */
function AffectedForm({ changeId }: { changeId: string }) {
  const report = useReportAffected(changeId);
  const [text, setText] = useState('');
  const errors = fieldErrorsFrom(report.error);
  if (report.isSuccess) {
    return (
      <Alert color="teal" title="Reported" role="status">
        {report.data.number} was opened for the service desk. Thank you.
      </Alert>
    );
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        report.mutate(text);
      }}
      aria-label="Report that this change affected you"
      noValidate
    >
      <Stack gap={6}>
        <Textarea
          label="This affected me"
          description="What went wrong for you after this change? An incident is opened, linked to it."
          autosize
          minRows={2}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={errors.text}
        />
        {report.isError && !errors.text && <ErrorAlert error={report.error} title="Not reported" />}
        <Group>
          <Button type="submit" size="xs" color="red" variant="light" loading={report.isPending} disabled={!text.trim()}>
            Report it
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * The concerns raised about a change, their answers and counts; the form to raise one (for everyone who may),
 * the owner's answer to each open one, and "this affected me" once the change was implemented.
 */
export function ConcernsPanel({ changeId, canRaise, implemented }: { changeId: string; canRaise: boolean; implemented: boolean }) {
  const concerns = useChangeConcerns(changeId);
  const raise = useRaiseConcern(changeId);
  const [text, setText] = useState('');
  const errors = fieldErrorsFrom(raise.error);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    raise.mutate(text, { onSuccess: () => setText('') });
  };

  if (concerns.isPending) return <PageLoader label="Loading concerns" />;
  if (concerns.isError) return <ErrorAlert error={concerns.error} title="Cannot load the concerns" />;
  const { items, open, answered, canAnswer, blocksImplement } = concerns.data;

  return (
    <Stack gap="sm">
      <Group gap="xs">
        <Title order={2} size="h5">
          Concerns
        </Title>
        <Text size="sm" data-testid="concern-counts">
          {open} open, {answered} answered
        </Text>
      </Group>
      {blocksImplement && open > 0 && (
        <Text size="sm" c="orange.9">
          The policy holds the implementation until every concern is answered.
        </Text>
      )}
      {canRaise && (
        <Paper withBorder p="sm" radius="sm">
          <form onSubmit={onSubmit} aria-label="Raise a concern" noValidate>
            <Stack gap={6}>
              <Textarea
                label="Raise a concern"
                description="Tell the change's owner what worries you about it; they must answer."
                autosize
                minRows={2}
                maxRows={8}
                value={text}
                onChange={(e) => setText(e.currentTarget.value)}
                error={errors.text}
              />
              {raise.isError && !errors.text && <ErrorAlert error={raise.error} title="Not raised" />}
              <Group>
                <Button type="submit" size="xs" loading={raise.isPending} disabled={!text.trim()}>
                  Raise concern
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      )}
      {items.length === 0 && (
        <Text size="sm" c="dimmed">
          No concerns raised.
        </Text>
      )}
      <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Concerns raised">
        {items.map((c) => (
          <li key={c.id}>
            <Paper withBorder p="sm" radius="sm">
              <Group gap="xs" mb={4}>
                <Text size="sm" fw={600}>
                  {c.author.name}
                </Text>
                <Badge size="xs" variant="light" color={c.answer ? 'teal' : 'orange'}>
                  {c.answer ? 'Answered' : 'Open'}
                </Badge>
                <Text size="xs" c="gray.7">
                  {formatDateTime(c.createdAt)}
                </Text>
              </Group>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                {c.text}
              </Text>
              {c.answer ? (
                <Paper bg="gray.0" p="xs" mt="xs" radius="sm">
                  <Text size="xs" fw={600}>
                    {c.answer.by.name} answered, {formatDateTime(c.answer.at)}
                  </Text>
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {c.answer.text}
                  </Text>
                </Paper>
              ) : (
                canAnswer && <AnswerForm changeId={changeId} concern={c} />
              )}
            </Paper>
          </li>
        ))}
      </Stack>
      {canRaise && implemented && (
        <Paper withBorder p="sm" radius="sm">
          <AffectedForm changeId={changeId} />
        </Paper>
      )}
      <Text size="xs" c="gray.7">
        Who hears of this change: see “Who will be told”. Manage what you follow in{' '}
        <Anchor component={Link} to="/me/subscriptions" size="xs" underline="always">
          My subscriptions
        </Anchor>
        .
      </Text>
    </Stack>
  );
}
