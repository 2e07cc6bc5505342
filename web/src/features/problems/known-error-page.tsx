import { Alert, Button, Grid, Group, List, Paper, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { Fact } from '../../shared/fact';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { SaveBar } from '../../shared/save-bar';
import { hasPermission, useCurrentUser } from '../auth/session';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import {
  formFromKnownError,
  KNOWN_ERROR_FORM_FIELDS,
  KnownErrorForm,
  type KnownErrorFormValues,
  toUpdateKnownErrorInput,
} from './known-error-form';
import { KnownErrorStateBadge, ProblemStateBadge, Workaround } from './problem-ui';
import { KNOWN_ERROR_STATE_LABELS } from './problem-words';
import { type KnownError, type KnownErrorState, useKnownError, useShareWorkaround, useUpdateKnownError } from './problems-api';

export function KnownErrorPage() {
  const { id = '' } = useParams();
  const query = useKnownError(id);
  if (query.isPending) return <PageLoader label="Loading the known error" />;
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <ErrorAlert
        error={query.error}
        title={notFound ? 'There is no such known error' : 'Cannot load the known error'}
        onRetry={notFound ? undefined : () => void query.refetch()}
      />
    );
  }
  return <KnownErrorView knownError={query.data} cacheKey={id} onReload={() => query.refetch()} />;
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
  const [base, setBase] = useState<KnownError>(knownError);
  const [values, setValues] = useState<KnownErrorFormValues>(() => formFromKnownError(knownError));
  const [stale, setStale] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  // The server decides (a change manager, or the owner and team of its problem); this only hides what cannot work.
  const canEdit = hasPermission(me, 'problem.manage') || (hasPermission(me, 'problem.create') && base.problem !== null);
  const patch = toUpdateKnownErrorInput(base, values);
  const isDirty = Object.keys(patch).length > 0;
  const busy = update.isPending || move.isPending || share.isPending;

  useEffect(() => {
    if (knownError.version > base.version && !isDirty) {
      setBase(knownError);
      setValues(formFromKnownError(knownError));
    }
  }, [knownError, base.version, isDirty]);

  const guard = async (work: () => Promise<void>) => {
    setAnnouncement('');
    setStale(false);
    try {
      await work();
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const onSave = (event: FormEvent) => {
    event.preventDefault();
    move.reset();
    if (!isDirty) return;
    void guard(async () => {
      const saved = await update.mutateAsync({ ...patch, version: base.version });
      setBase(saved);
      setValues(formFromKnownError(saved));
      setAnnouncement('Saved.');
    });
  };

  const onMove = (to: KnownErrorState) => {
    update.reset();
    void guard(async () => {
      const saved = await move.mutateAsync({ state: to, version: base.version });
      setBase(saved);
      setAnnouncement(`${KNOWN_ERROR_STATE_LABELS[saved.state]}.`);
    });
  };

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

  const reload = async () => {
    setStale(false);
    update.reset();
    move.reset();
    const result = (await onReload()) as { data?: KnownError };
    if (result.data) {
      setBase(result.data);
      setValues(formFromKnownError(result.data));
    }
  };

  const errors = fieldErrorsFrom(update.error);

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <RouterAnchor to="/known-errors" size="sm">
              ← Known errors
            </RouterAnchor>
            <Text ff="monospace" fw={600} size="sm" c="dimmed">
              {base.number}
            </Text>
            <KnownErrorStateBadge state={base.state} size="md" />
          </Group>
        }
        title={base.title}
        actions={
          canEdit && (
            <Group gap="xs" role="group" aria-label="Known error actions">
              {base.state === 'published' && (
                <Button onClick={onShare} loading={share.isPending} disabled={busy && !share.isPending}>
                  Share the workaround
                </Button>
              )}
              {MOVES[base.state].map((m) => (
                <Button
                  key={m.to}
                  variant={m.primary ? 'filled' : 'default'}
                  loading={move.isPending && move.variables?.state === m.to}
                  disabled={busy && !(move.isPending && move.variables?.state === m.to)}
                  onClick={() => onMove(m.to)}
                >
                  {m.label}
                </Button>
              ))}
            </Group>
          )
        }
      />
      <Text size="xs" c="dimmed" mt={-8} mb="sm" role="status" aria-live="polite">
        {announcement}
      </Text>
      <Paper withBorder p="sm" radius="sm" mb="md">
        <Group gap="xl" align="flex-start">
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
        </Group>
      </Paper>
      <Stack gap="sm" mb="sm">
        {stale && (
          <Alert color="yellow" variant="light" role="alert" title="Someone changed this known error, reload">
            <Text size="sm">Your copy is out of date. Reload to see the latest version; your unsaved edits will be discarded.</Text>
            <Button size="xs" mt="xs" variant="filled" color="yellow" onClick={() => void reload()}>
              Reload
            </Button>
          </Alert>
        )}
        {move.isError && !stale && <ErrorAlert error={move.error} title="The state was not changed" />}
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
      </Stack>
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
          <form onSubmit={onSave} aria-label="Known error details" noValidate>
            <KnownErrorForm values={values} onChange={setValues} errors={errors} disabled={!canEdit || busy} />
            {canEdit ? (
              <SaveBar
                saving={update.isPending}
                dirty={isDirty}
                busy={busy}
                onDiscard={() => {
                  setValues(formFromKnownError(base));
                  update.reset();
                }}
              />
            ) : (
              <Text size="xs" c="dimmed" mt="sm">
                Only a change manager, or the owner and team of its problem, may edit this known error.
              </Text>
            )}
          </form>
        </Grid.Col>
      </Grid>
    </>
  );
}
