import { Button, Grid, Group, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { Fact, FactStrip } from '../../shared/fact';
import { formatDateTime } from '../../shared/format';
import { PageHeader } from '../../shared/page-header';
import { Announcement, EditFooter, MoveButtons, RecordAlerts, RecordEyebrow, useRecordEditor } from '../../shared/record-editor';
import { RecordLoader } from '../../shared/record-loader';
import { RouterAnchor } from '../../shared/router-link';
import { useCurrentUser } from '../auth/session';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { PriorityBadge } from '../incidents/incident-ui';
import { formFromProblem, PROBLEM_FORM_FIELDS, ProblemForm, toUpdateProblemInput } from './problem-form';
import { KnownErrorStateBadge, ProblemStateBadge } from './problem-ui';
import { FORWARD, PROBLEM_MOVE_LABELS, PROBLEM_STATE_LABELS } from './problem-words';
import { type Problem, useProblem, useUpdateProblem } from './problems-api';

export function ProblemPage() {
  const { id = '' } = useParams();
  const query = useProblem(id);
  return (
    <RecordLoader query={query} what="problem">
      {(problem) => <ProblemView problem={problem} cacheKey={id} onReload={() => query.refetch()} />}
    </RecordLoader>
  );
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
  const editor = useRecordEditor({
    record: problem,
    formOf: formFromProblem,
    patchOf: toUpdateProblemInput,
    update,
    move,
    movedWords: (saved) => `${PROBLEM_STATE_LABELS[saved.state]}.`,
    onReload,
  });
  const { base, stale } = editor;
  const canEdit = mayEdit(me, base);
  const errors = fieldErrorsFrom(update.error);
  const forward = FORWARD[base.state];
  const moves = (canEdit ? base.nextStates : []).map((to) => ({ to, label: PROBLEM_MOVE_LABELS[to], primary: to === forward }));

  return (
    <>
      <PageHeader
        eyebrow={
          <RecordEyebrow back="/problems" backLabel="Problems" number={base.number}>
            <ProblemStateBadge state={base.state} size="md" />
            <PriorityBadge priority={base.priority} size="md" />
          </RecordEyebrow>
        }
        title={base.title}
        actions={<MoveButtons label="Problem actions" moves={moves} move={move} busy={editor.busy} onMove={editor.onMove} />}
      />
      <Announcement text={editor.announcement} />
      <FactStrip>
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
      </FactStrip>
      <RecordAlerts what="problem" editor={editor} move={move}>
        {update.isError && !stale && <UnplacedIssues error={update.error} placed={PROBLEM_FORM_FIELDS} title="The problem was not saved" />}
      </RecordAlerts>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <form onSubmit={editor.onSave} aria-label="Problem details" noValidate>
            <ProblemForm values={editor.values} onChange={editor.setValues} errors={errors} disabled={!canEdit || editor.busy} />
            <EditFooter
              canEdit={canEdit}
              editor={editor}
              saving={update.isPending}
              readOnly="Only a change manager, the owner or a member of its team may edit this problem."
            />
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
