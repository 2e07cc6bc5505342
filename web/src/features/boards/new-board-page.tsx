import { Alert, Button, Group, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { hasPermission, useCurrentUser } from '../auth/session';
import { UnplacedIssues } from '../changes/field-errors';
import { BOARD_FORM_FIELDS, BoardForm, type BoardFormValues, boardFieldErrors, emptyBoardForm, toBoardRequest } from './board-form';
import { useCreateBoard } from './boards-api';

export function NewBoardPage() {
  const navigate = useNavigate();
  const me = useCurrentUser();
  const create = useCreateBoard();
  const [values, setValues] = useState<BoardFormValues>(emptyBoardForm);
  const errors = boardFieldErrors(create.error);
  const canManage = hasPermission(me, 'board.manage');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(toBoardRequest(values), { onSuccess: (b) => navigate(`/boards/${b.id}`) });
  };

  const header = (
    <PageHeader
      eyebrow={
        <RouterAnchor to="/boards" size="sm">
          ← Boards
        </RouterAnchor>
      }
      title="New board"
      description="A CAB, the ECAB or a technical board: who sits on it, which changes it decides, and how many must vote for a decision to stand."
    />
  );
  if (!canManage) {
    return (
      <>
        {header}
        <ErrorAlert error={new Error('Only change managers set up boards.')} title="You cannot set up boards" />
      </>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate aria-label="New board">
      {header}
      <Stack gap="md" maw={900}>
        {create.isError && <UnplacedIssues error={create.error} placed={BOARD_FORM_FIELDS} title="The board was not set up" />}
        <BoardForm values={values} onChange={setValues} errors={errors} disabled={create.isPending} />
        {create.isError && Object.keys(errors).length > 0 && (
          <Alert color="red" variant="light" role="status">
            Fix the fields marked in red, then create the board again.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create board
          </Button>
          <Button variant="default" onClick={() => navigate('/boards')}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
