import { Alert, Button, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { Fact } from '../../shared/fact';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { SaveBar } from '../../shared/save-bar';
import { useCurrentUser } from '../auth/session';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { PriorityBadge } from '../incidents/incident-ui';
import { formFromProblem, PROBLEM_FORM_FIELDS, ProblemForm, type ProblemFormValues, toUpdateProblemInput } from './problem-form';
import { KnownErrorStateBadge, ProblemStateBadge } from './problem-ui';
import { FORWARD, PROBLEM_MOVE_LABELS, PROBLEM_STATE_LABELS } from './problem-words';
import { type Problem, type ProblemState, useProblem, useUpdateProblem } from './problems-api';

export function ProblemPage() {
  const { id = '' } = useParams();
  const query = useProblem(id);
  if (query.isPending) return <PageLoader label="Loading the problem" />;
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <ErrorAlert
        error={query.error}
        title={notFound ? 'There is no such problem' : 'Cannot load the problem'}
        onRetry={notFound ? undefined : () => void query.refetch()}
      />
    );
  }
  return <ProblemView problem={query.data} cacheKey={id} onReload={() => query.refetch()} />;
}

/** Who may edit: a change manager, the owner, or a member of its team (the server decides; this only hides buttons). */
function mayEdit(me: ReturnType<typeof useCurrentUser>, p: Problem): boolean {
  if (!me) return false;
  if (me.permissions.includes('problem.manage') || me.roles.some((r) => r.role === 'admin')) return true;
  return me.permissions.includes('problem.create') && (p.owner?.id === me.id || (p.team !== null && me.teamIds.includes(p.team.id)));
}

function LinkList({ title, empty, children }: { title: string; empty: string; children: ReactNode[] }) {
  return (
    <Stack gap={4}>
      <Title order={2} size="h6">
        {title}
      </Title>
      {children.length === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Stack gap={4}>{children}</Stack>
      )}
    </Stack>
  );
}

function LinkRow({ to, number, title, extra }: { to: string; number: string; title: string; extra?: ReactNode }) {
  return (
    <Group gap="xs" wrap="nowrap">
      <RouterAnchor to={to} size="sm" ff="monospace">
        {number}
      </RouterAnchor>
      <Text size="sm" lineClamp={1}>
        {title}
      </Text>
      {extra}
    </Group>
  );
}

interface ProblemViewProps {
  problem: Problem;
  cacheKey: string;
  onReload: () => Promise<unknown>;
}

function ProblemView({ problem, cacheKey, onReload }: ProblemViewProps) {
  const me = useCurrentUser();
  const update = useUpdateProblem(problem.id, cacheKey);
  const move = useUpdateProblem(problem.id, cacheKey);
  const [base, setBase] = useState<Problem>(problem);
  const [values, setValues] = useState<ProblemFormValues>(() => formFromProblem(problem));
  const [stale, setStale] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const canEdit = mayEdit(me, base);
  const patch = toUpdateProblemInput(base, values);
  const isDirty = Object.keys(patch).length > 0;
  const busy = update.isPending || move.isPending;

  useEffect(() => {
    if (problem.version > base.version && !isDirty) {
      setBase(problem);
      setValues(formFromProblem(problem));
    }
  }, [problem, base.version, isDirty]);

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    setAnnouncement('');
    setStale(false);
    move.reset();
    if (!isDirty) return;
    try {
      const saved = await update.mutateAsync({ ...patch, version: base.version });
      setBase(saved);
      setValues(formFromProblem(saved));
      setAnnouncement('Saved.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const onMove = async (to: ProblemState) => {
    setAnnouncement('');
    setStale(false);
    update.reset();
    try {
      const saved = await move.mutateAsync({ state: to, version: base.version });
      setBase(saved);
      setAnnouncement(`${PROBLEM_STATE_LABELS[saved.state]}.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const reload = async () => {
    setStale(false);
    update.reset();
    move.reset();
    const result = (await onReload()) as { data?: Problem };
    if (result.data) {
      setBase(result.data);
      setValues(formFromProblem(result.data));
    }
  };

  const errors = fieldErrorsFrom(update.error);
  const forward = FORWARD[base.state];
  const moves = canEdit ? base.nextStates : [];

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <RouterAnchor to="/problems" size="sm">
              ← Problems
            </RouterAnchor>
            <Text ff="monospace" fw={600} size="sm" c="dimmed">
              {base.number}
            </Text>
            <ProblemStateBadge state={base.state} size="md" />
            <PriorityBadge priority={base.priority} size="md" />
          </Group>
        }
        title={base.title}
        actions={
          moves.length > 0 && (
            <Group gap="xs" role="group" aria-label="Problem actions">
              {moves.map((to) => (
                <Button
                  key={to}
                  variant={to === forward ? 'filled' : 'default'}
                  loading={move.isPending && move.variables?.state === to}
                  disabled={busy && !(move.isPending && move.variables?.state === to)}
                  onClick={() => void onMove(to)}
                >
                  {PROBLEM_MOVE_LABELS[to]}
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
          <Fact label="Owner">{base.owner?.name ?? 'Nobody'}</Fact>
          <Fact label="Team">{base.team?.name ?? '—'}</Fact>
          <Fact label="Service">{base.service?.name ?? '—'}</Fact>
          <Fact label="Opened">{formatDateTime(base.createdAt)}</Fact>
          <Fact label="Resolved">
            {formatDateTime(base.resolvedAt)}
            {base.resolvedByChange && (
              <>
                {' by '}
                <RouterAnchor to={`/changes/${base.resolvedByChange.number}`} size="sm" ff="monospace">
                  {base.resolvedByChange.number}
                </RouterAnchor>
              </>
            )}
          </Fact>
          <Fact label="Closed">{formatDateTime(base.closedAt)}</Fact>
        </Group>
      </Paper>
      <Stack gap="sm" mb="sm">
        {stale && (
          <Alert color="yellow" variant="light" role="alert" title="Someone changed this problem, reload">
            <Text size="sm">Your copy is out of date. Reload to see the latest version; your unsaved edits will be discarded.</Text>
            <Button size="xs" mt="xs" variant="filled" color="yellow" onClick={() => void reload()}>
              Reload
            </Button>
          </Alert>
        )}
        {move.isError && !stale && <ErrorAlert error={move.error} title="The state was not changed" />}
        {update.isError && !stale && <UnplacedIssues error={update.error} placed={PROBLEM_FORM_FIELDS} title="The problem was not saved" />}
      </Stack>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <form onSubmit={(e) => void onSave(e)} aria-label="Problem details" noValidate>
            <ProblemForm values={values} onChange={setValues} errors={errors} disabled={!canEdit || busy} />
            {canEdit ? (
              <SaveBar
                saving={update.isPending}
                dirty={isDirty}
                busy={busy}
                onDiscard={() => {
                  setValues(formFromProblem(base));
                  update.reset();
                }}
              />
            ) : (
              <Text size="xs" c="dimmed" mt="sm">
                Only a change manager, the owner or a member of its team may edit this problem.
              </Text>
            )}
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <LinkList title="Incidents" empty="No incident linked yet.">
              {base.incidents.map((i) => (
                <LinkRow key={i.id} to={`/incidents/${i.number}`} number={i.number} title={i.title} />
              ))}
            </LinkList>
            <LinkList title="Caused by" empty="No change is known to have caused it.">
              {base.causedByChanges.map((c) => (
                <LinkRow key={c.id} to={`/changes/${c.number}`} number={c.number} title={c.title} />
              ))}
            </LinkList>
            <LinkList title="Fixed by" empty="No fix change linked yet. Link one: its successful close resolves this problem.">
              {base.fixChanges.map((c) => (
                <LinkRow
                  key={c.id}
                  to={`/changes/${c.number}`}
                  number={c.number}
                  title={c.title}
                  extra={
                    <Text size="xs" c="dimmed">
                      {c.closeCode ? c.closeCode.replaceAll('_', ' ') : c.state}
                    </Text>
                  }
                />
              ))}
            </LinkList>
            <LinkList title="Known errors" empty="No known error recorded for it.">
              {base.knownErrors.map((k) => (
                <LinkRow
                  key={k.id}
                  to={`/known-errors/${k.number}`}
                  number={k.number}
                  title={k.title}
                  extra={<KnownErrorStateBadge state={k.state} />}
                />
              ))}
            </LinkList>
            {canEdit && (
              <Button component={Link} to={`/known-errors/new?problem=${base.number}`} variant="light" size="xs">
                Record a known error
              </Button>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
    </>
  );
}
