import { Alert, Button, Grid, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { Fact, FactStrip } from '../../shared/fact';
import { formatDateTime } from '../../shared/format';
import { PageHeader } from '../../shared/page-header';
import { Announcement, EditFooter, MoveButtons, RecordAlerts, RecordEyebrow, useRecordEditor } from '../../shared/record-editor';
import { RecordLoader } from '../../shared/record-loader';
import { RouterAnchor } from '../../shared/router-link';
import { hasPermission, useCurrentUser } from '../auth/session';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { formFromKnownError, KNOWN_ERROR_FORM_FIELDS, KnownErrorForm, toUpdateKnownErrorInput } from './known-error-form';
import { KnownErrorStateBadge, ProblemStateBadge, Workaround } from './problem-ui';
import { KNOWN_ERROR_STATE_LABELS } from './problem-words';
import { type KnownError, type KnownErrorState, useKnownError, useShareWorkaround, useUpdateKnownError } from './problems-api';

export function KnownErrorPage() {
  const { id = '' } = useParams();
  const query = useKnownError(id);
  return (
    <RecordLoader query={query} what="known error">
      {(knownError) => <KnownErrorView knownError={knownError} cacheKey={id} onReload={() => query.refetch()} />}
    </RecordLoader>
  );
}

const MOVES: Record<KnownErrorState, { to: KnownErrorState; label: string; primary: boolean }[]> = {
  draft: [{ to: 'published', label: 'Publish', primary: true }],
  published: [{ to: 'retired', label: 'Retire', primary: false }],
  retired: [{ to: 'published', label: 'Publish again', primary: false }],
};

function KnownErrorView({
  knownError,
  cacheKey,
  onReload,
}: {
  knownError: KnownError;
  cacheKey: string;
  onReload: () => Promise<unknown>;
}) {
  const me = useCurrentUser();
  const update = useUpdateKnownError(knownError.id, cacheKey);
  const move = useUpdateKnownError(knownError.id, cacheKey);
  const share = useShareWorkaround(knownError.id);
  const editor = useRecordEditor({
    record: knownError,
    formOf: formFromKnownError,
    patchOf: toUpdateKnownErrorInput,
    update,
    move,
    movedWords: (saved) => `${KNOWN_ERROR_STATE_LABELS[saved.state]}.`,
    onReload,
    alsoBusy: share.isPending,
  });
  const { base, stale, setAnnouncement } = editor;
  // The server decides (a change manager, or the owner and team of its problem); this only hides what cannot work.
  const canEdit = hasPermission(me, 'problem.manage') || (hasPermission(me, 'problem.create') && base.problem !== null);

  const onShare = () => {
    setAnnouncement('');
    share.mutate(undefined, {
      onSuccess: (result) =>
        setAnnouncement(
          result.told.length === 0
            ? 'Nobody to tell yet.'
            : `Shared with ${result.told.length} ${result.told.length === 1 ? 'person' : 'people'}.`,
        ),
    });
  };

  const errors = fieldErrorsFrom(update.error);

  return (
    <>
      <PageHeader
        eyebrow={
          <RecordEyebrow back="/known-errors" backLabel="Known errors" number={base.number}>
            <KnownErrorStateBadge state={base.state} size="md" />
          </RecordEyebrow>
        }
        title={base.title}
        actions={
          canEdit && (
            <MoveButtons
              label="Known error actions"
              moves={MOVES[base.state]}
              move={move}
              busy={editor.busy}
              onMove={editor.onMove}
              before={
                base.state === 'published' && (
                  <Button onClick={onShare} loading={share.isPending} disabled={editor.busy && !share.isPending}>
                    Share the workaround
                  </Button>
                )
              }
            />
          )
        }
      />
      <Announcement text={editor.announcement} />
      <FactStrip>
        <Fact label="Problem">
          {base.problem ? (
            <Group gap={6}>
              <RouterAnchor to={`/problems/${base.problem.number}`} size="sm" ff="monospace">
                {base.problem.number}
              </RouterAnchor>
              <ProblemStateBadge state={base.problem.state} />
            </Group>
          ) : (
            'None'
          )}
        </Fact>
        <Fact label="CIs">{base.cis.length > 0 ? base.cis.map((c) => c.name).join(', ') : '—'}</Fact>
        <Fact label="Published">{formatDateTime(base.publishedAt)}</Fact>
        <Fact label="Retired">{formatDateTime(base.retiredAt)}</Fact>
        <Fact label="Updated">{formatDateTime(base.updatedAt)}</Fact>
      </FactStrip>
      <RecordAlerts what="known error" editor={editor} move={move}>
        {share.isError && <ErrorAlert error={share.error} title="The workaround was not shared" />}
        {share.data && (
          <Alert color="green" variant="light" title="Workaround shared">
            {share.data.told.length === 0 ? (
              <Text size="sm">Nobody was told: its problem has no incidents filed by people in Cabinet and no owner.</Text>
            ) : (
              <List size="sm">
                {share.data.told.map((t) => (
                  <List.Item key={t.id}>
                    {t.name} ({t.reasons.join(', ')})
                  </List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        {update.isError && !stale && (
          <UnplacedIssues error={update.error} placed={KNOWN_ERROR_FORM_FIELDS} title="The known error was not saved" />
        )}
      </RecordAlerts>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Stack gap="xs">
            <Title order={2} size="h5">
              Workaround
            </Title>
            <Paper withBorder p="sm" radius="sm">
              <Workaround text={base.workaround} />
            </Paper>
            <Title order={2} size="h6" mt="sm">
              Cause
            </Title>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} c={base.cause ? undefined : 'dimmed'}>
              {base.cause || 'Not written yet.'}
            </Text>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <form onSubmit={editor.onSave} aria-label="Known error details" noValidate>
            <KnownErrorForm values={editor.values} onChange={editor.setValues} errors={errors} disabled={!canEdit || editor.busy} />
            <EditFooter
              canEdit={canEdit}
              editor={editor}
              saving={update.isPending}
              readOnly="Only a change manager, or the owner and team of its problem, may edit this known error."
            />
          </form>
        </Grid.Col>
      </Grid>
    </>
  );
}
