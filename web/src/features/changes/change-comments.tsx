import { Badge, Button, Group, Paper, SegmentedControl, Stack, Text, Textarea } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { CommentKind } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { useAddComment, useChangeComments } from './change-api';
import { fieldErrorsFrom } from './field-errors';

/** Comments (seen by everyone following the change) and work notes (for the people doing the work). */
export function ChangeComments({ changeId, canComment }: { changeId: string; canComment: boolean }) {
  const comments = useChangeComments(changeId);
  const add = useAddComment(changeId);
  const [body, setBody] = useState('');
  const [kind, setKind] = useState<CommentKind>('comment');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ body, kind }, { onSuccess: () => setBody('') });
  };
  const errors = fieldErrorsFrom(add.error);
  const items = comments.data?.items ?? [];

  return (
    <Stack gap="sm">
      {canComment && (
        <Paper withBorder p="sm" radius="sm">
          <form onSubmit={onSubmit} aria-label="Add a comment" noValidate>
            <Stack gap="xs">
              <SegmentedControl
                size="xs"
                value={kind}
                onChange={(v) => setKind(v as CommentKind)}
                data={[
                  { value: 'comment', label: 'Comment' },
                  { value: 'work_note', label: 'Work note' },
                ]}
                aria-label="Kind of note"
                w={220}
              />
              <Textarea
                label={kind === 'comment' ? 'Comment' : 'Work note'}
                autosize
                minRows={2}
                maxRows={8}
                value={body}
                onChange={(e) => setBody(e.currentTarget.value)}
                error={errors.body}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) e.currentTarget.form?.requestSubmit();
                }}
                description="Ctrl+Enter to post"
              />
              {add.isError && !errors.body && <ErrorAlert error={add.error} title="Not posted" />}
              <Group>
                <Button type="submit" size="xs" loading={add.isPending} disabled={!body.trim()}>
                  Post {kind === 'comment' ? 'comment' : 'work note'}
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      )}
      {comments.isPending && <PageLoader label="Loading comments" />}
      {comments.isError && <ErrorAlert error={comments.error} title="Cannot load comments" />}
      {comments.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No comments or work notes yet.
        </Text>
      )}
      <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Comments">
        {items.map((c) => (
          <li key={c.id}>
            <Paper withBorder p="sm" radius="sm" bg={c.kind === 'work_note' ? 'yellow.0' : undefined}>
              <Group gap="xs" mb={4}>
                <Text size="sm" fw={600}>
                  {c.authorName}
                </Text>
                {c.kind === 'work_note' && (
                  <Badge size="xs" color="yellow" variant="light">
                    Work note
                  </Badge>
                )}
                <Text size="xs" c="dimmed">
                  {formatDateTime(c.createdAt)}
                </Text>
              </Group>
              <Text size="sm" className="cabinet-pre">
                {c.body}
              </Text>
            </Paper>
          </li>
        ))}
      </Stack>
    </Stack>
  );
}
