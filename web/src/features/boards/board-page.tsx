import { Alert, Badge, Button, Group, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageHeader } from '../../shared/page-header';
import { Announcement, EditFooter, StaleAlert, useRecordEditor } from '../../shared/record-editor';
import { RecordLoader } from '../../shared/record-loader';
import { RouterAnchor } from '../../shared/router-link';
import { UnsavedChangesDialog } from '../../shared/unsaved-changes-dialog';
import { useUnsavedChanges } from '../../shared/use-unsaved-changes';
import { hasPermission, useCurrentUser } from '../auth/session';
import { UnplacedIssues } from '../changes/field-errors';
import { BoardMeetingsPanel } from '../meetings/board-meetings-panel';
import { BOARD_FORM_FIELDS, BOARD_KIND_LABELS, BoardForm, boardFieldErrors, formFromBoard, toBoardUpdate } from './board-form';
import { BoardMetricsPanel } from './board-metrics-panel';
import { recurrenceWords } from './board-recurrence';
import { type Board, type BoardActivity, useBoard, useSetBoardActivity, useUpdateBoard } from './boards-api';

export function BoardPage() {
  const { id = '' } = useParams();
  const query = useBoard(id);
  return (
    <RecordLoader query={query} what="board">
      {(board) => <BoardView key={board.id} board={board} onReload={query.refetch} />}
    </RecordLoader>
  );
}

function BoardView({ board, onReload }: { board: Board; onReload: () => Promise<unknown> }) {
  const me = useCurrentUser();
  const canManage = hasPermission(me, 'board.manage');
  const update = useUpdateBoard(board.id);
  const activity = useSetBoardActivity(board.id);
  // NOTE: the shared editor sends a move as `{ state, version }`; the reason asked in the dialog rides along here.
  const reason = useRef('');
  const move = {
    mutateAsync: (input: { state?: BoardActivity; version: number }) => activity.mutateAsync({ ...input, reason: reason.current }),
    reset: activity.reset,
    isPending: activity.isPending,
    variables: activity.variables,
  };
  const editor = useRecordEditor({
    record: board,
    formOf: formFromBoard,
    patchOf: toBoardUpdate,
    update,
    move,
    movedWords: (saved: Board) =>
      saved.active ? 'Reactivated: the board takes new work again.' : 'Deactivated: the board keeps its history and takes no new work.',
    onReload,
  });
  const unsaved = useUnsavedChanges(editor.isDirty);
  const [confirming, setConfirming] = useState(false);
  const base = editor.base;

  // The dialog closes once the board is deactivated, or when someone else saved first (the page says so).
  useEffect(() => {
    if (confirming && (!base.active || editor.stale)) setConfirming(false);
  }, [confirming, base.active, editor.stale]);

  const errors = boardFieldErrors(update.error);
  const names = new Map(base.members.map((m) => [(m.userId ?? m.teamId)!, m.name]));
  const activityError = activity.isError && !(activity.error instanceof ApiError && activity.error.status === 412) ? activity.error : null;

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <RouterAnchor to="/boards" size="sm">
              ← Boards
            </RouterAnchor>
            <Badge variant="light">{BOARD_KIND_LABELS[base.kind]}</Badge>
            <Badge variant="light" color={base.active ? 'green' : 'gray'}>
              {base.active ? 'Active' : 'Deactivated'}
            </Badge>
            <Text size="xs" c="dimmed">
              {base.people} {base.people === 1 ? 'person' : 'people'} · updated {formatDateTime(base.updatedAt)}
            </Text>
          </Group>
        }
        title={base.name}
        description={base.description || undefined}
        actions={
          canManage &&
          (base.active ? (
            <Button variant="subtle" color="red" disabled={editor.busy} onClick={() => setConfirming(true)}>
              Deactivate
            </Button>
          ) : (
            <Button
              variant="default"
              loading={activity.isPending}
              disabled={editor.busy && !activity.isPending}
              onClick={() => {
                reason.current = '';
                editor.onMove('active');
              }}
            >
              Reactivate
            </Button>
          ))
        }
      />
      <Announcement text={editor.announcement} />
      <Stack gap="sm" mb="sm">
        <Text size="sm" data-testid="board-recurrence">
          <Text span size="sm" fw={600}>
            Regular meetings:
          </Text>{' '}
          {base.recurrence ? recurrenceWords(base.recurrence) : 'none; each meeting is scheduled on its own.'}
        </Text>
        {!base.active && (
          <Alert color="gray" variant="light" role="note" title="Deactivated">
            The board keeps its history and takes no new work.{canManage ? ' Reactivate it to route changes to it again.' : ''}
          </Alert>
        )}
        {editor.stale && <StaleAlert what="board" onReload={() => void editor.reload()} />}
        {activityError && !confirming && <ErrorAlert error={activityError} title="Not done" />}
        {update.isError && !editor.stale && (
          <UnplacedIssues error={update.error} placed={BOARD_FORM_FIELDS} title="The board was not saved" />
        )}
      </Stack>
      <form onSubmit={editor.onSave} aria-label="Board" noValidate>
        <BoardForm values={editor.values} onChange={editor.setValues} errors={errors} names={names} disabled={!canManage || editor.busy} />
        <EditFooter canEdit={canManage} editor={editor} saving={update.isPending} readOnly="Change managers set up and edit the boards." />
      </form>
      <BoardMeetingsPanel boardId={board.id} boardName={base.name} canSchedule={canManage && base.active} />
      <BoardMetricsPanel boardId={board.id} />
      <ConfirmDialog
        opened={confirming}
        title={`Deactivate ${base.name}?`}
        confirmLabel="Deactivate the board"
        closeLabel="Keep it active"
        reason={{ label: 'Reason', description: 'Kept in the audit trail, e.g. “merged into the Commerce CAB”.', required: false }}
        loading={activity.isPending}
        error={activityError ? <ErrorAlert error={activityError} title="Not deactivated" /> : undefined}
        onConfirm={(text) => {
          reason.current = text;
          editor.onMove('inactive');
        }}
        onClose={() => {
          setConfirming(false);
          activity.reset();
        }}
      >
        The board keeps its history but takes no new work. You can reactivate it later.
      </ConfirmDialog>
      <UnsavedChangesDialog unsaved={unsaved} what="this board" />
    </>
  );
}
