import { Alert, Button, Grid, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { Fact } from '../../shared/fact';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SaveBar } from '../../shared/save-bar';
import { RouterAnchor } from '../../shared/router-link';
import { hasPermission, useCurrentUser } from '../auth/session';
import { IncidentProblemLinks } from '../problems/problem-ui';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { formFromIncident, INCIDENT_FORM_FIELDS, IncidentForm, type IncidentFormValues, toUpdateIncidentInput } from './incident-form';
import { IncidentStateBadge, PriorityBadge } from './incident-ui';
import { INCIDENT_STATE_LABELS, isOpenState } from './incident-words';
import { type Incident, type IncidentState, useIncident, useUpdateIncident } from './incidents-api';

export function IncidentPage() {
  const { id = '' } = useParams();
  const query = useIncident(id);
  if (query.isPending) return <PageLoader label="Loading the incident" />;
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <ErrorAlert
        error={query.error}
        title={notFound ? 'There is no such incident' : 'Cannot load the incident'}
        onRetry={notFound ? undefined : () => void query.refetch()}
      />
    );
  }
  return <IncidentView incident={query.data} cacheKey={id} onReload={() => query.refetch()} />;
}

/** The buttons that move an incident along, by the state it is in. */
function stateActions(state: IncidentState): { to: IncidentState; label: string; primary: boolean }[] {
  if (isOpenState(state)) {
    return [
      ...(state === 'new' ? [{ to: 'in_progress' as const, label: 'Start work', primary: false }] : []),
      { to: 'resolved', label: 'Resolve', primary: true },
      { to: 'closed', label: 'Close', primary: false },
    ];
  }
  if (state === 'resolved') {
    return [
      { to: 'closed', label: 'Close', primary: true },
      { to: 'in_progress', label: 'Reopen', primary: false },
    ];
  }
  return [{ to: 'in_progress', label: 'Reopen', primary: false }];
}

function ExternalFields({ external }: { external: Record<string, string> }) {
  const entries = Object.entries(external);
  if (entries.length === 0) return null;
  return (
    <Stack gap={4}>
      <Title order={2} size="h6">
        Kept from the import
      </Title>
      <Paper withBorder radius="sm">
        <Table aria-label="Kept from the import">
          <Table.Tbody>
            {entries.map(([key, value]) => (
              <Table.Tr key={key}>
                <Table.Th w="40%" fw={500}>
                  <Text size="sm" ff="monospace">
                    {key}
                  </Text>
                </Table.Th>
                <Table.Td>
                  <Text size="sm" className="cabinet-pre">
                    {value}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

interface IncidentViewProps {
  incident: Incident;
  cacheKey: string;
  onReload: () => Promise<unknown>;
}

function IncidentView({ incident, cacheKey, onReload }: IncidentViewProps) {
  const me = useCurrentUser();
  const update = useUpdateIncident(incident.id, cacheKey);
  // A state button is a save of its own: only the state is sent, and other unsaved edits stay in the form.
  const move = useUpdateIncident(incident.id, cacheKey);
  const [base, setBase] = useState<Incident>(incident);
  const [values, setValues] = useState<IncidentFormValues>(() => formFromIncident(incident));
  const [stale, setStale] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const canEdit = hasPermission(me, 'incident.write');
  const patch = toUpdateIncidentInput(base, values);
  const isDirty = Object.keys(patch).length > 0;
  const busy = update.isPending || move.isPending;

  useEffect(() => {
    if (incident.version > base.version && !isDirty) {
      setBase(incident);
      setValues(formFromIncident(incident));
    }
  }, [incident, base.version, isDirty]);

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    setAnnouncement('');
    setStale(false);
    move.reset();
    if (!isDirty) return;
    try {
      const saved = await update.mutateAsync({ ...patch, version: base.version });
      setBase(saved);
      setValues(formFromIncident(saved));
      setAnnouncement('Saved.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const onMove = async (to: IncidentState) => {
    setAnnouncement('');
    setStale(false);
    update.reset();
    try {
      const saved = await move.mutateAsync({ state: to, version: base.version });
      setBase(saved);
      setValues((v) => ({ ...v, state: saved.state }));
      setAnnouncement(`${INCIDENT_STATE_LABELS[saved.state]}.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const reload = async () => {
    setStale(false);
    update.reset();
    move.reset();
    const result = (await onReload()) as { data?: Incident };
    if (result.data) {
      setBase(result.data);
      setValues(formFromIncident(result.data));
    }
  };

  const errors = fieldErrorsFrom(update.error);
  const actions = canEdit ? stateActions(base.state) : [];

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <RouterAnchor to="/incidents" size="sm">
              ← Incidents
            </RouterAnchor>
            <Text ff="monospace" fw={600} size="sm" c="dimmed">
              {base.number}
            </Text>
            <IncidentStateBadge state={base.state} size="md" />
            <PriorityBadge priority={base.priority} size="md" />
          </Group>
        }
        title={base.title}
        actions={
          actions.length > 0 && (
            <Group gap="xs" role="group" aria-label="Incident actions">
              {actions.map((a) => (
                <Button
                  key={a.to}
                  variant={a.primary ? 'filled' : 'default'}
                  loading={move.isPending && move.variables?.state === a.to}
                  disabled={busy && !(move.isPending && move.variables?.state === a.to)}
                  onClick={() => void onMove(a.to)}
                >
                  {a.label}
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
          <Fact label="Opened">{formatDateTime(base.openedAt)}</Fact>
          <Fact label="Resolved">{formatDateTime(base.resolvedAt)}</Fact>
          <Fact label="Closed">{formatDateTime(base.closedAt)}</Fact>
          <Fact label="Service">
            {base.service ? (
              <RouterAnchor to={`/cmdb/services/${base.service.id}`} size="sm">
                {base.service.name}
              </RouterAnchor>
            ) : (
              '—'
            )}
          </Fact>
          <Fact label="Caused by">
            {base.causedByChange ? (
              <>
                <RouterAnchor to={`/changes/${base.causedByChange.number}`} size="sm" ff="monospace">
                  {base.causedByChange.number}
                </RouterAnchor>{' '}
                <Text span size="sm" c="dimmed">
                  {base.causedByChange.title}
                </Text>
              </>
            ) : (
              'Not known'
            )}
          </Fact>
          {hasPermission(me, 'problem.read') && (
            <Fact label="Problem">
              <IncidentProblemLinks incidentId={base.id} />
            </Fact>
          )}
          <Fact label="Source">{base.source === 'import' ? 'Imported' : 'Reported in Cabinet'}</Fact>
          <Fact label="Updated">{formatDateTime(base.updatedAt)}</Fact>
        </Group>
      </Paper>
      <Stack gap="sm" mb="sm">
        {stale && (
          <Alert color="yellow" variant="light" role="alert" title="Someone changed this incident, reload">
            <Text size="sm">Your copy is out of date. Reload to see the latest version; your unsaved edits will be discarded.</Text>
            <Button size="xs" mt="xs" variant="filled" color="yellow" onClick={() => void reload()}>
              Reload
            </Button>
          </Alert>
        )}
        {move.isError && !stale && <ErrorAlert error={move.error} title="The state was not changed" />}
        {update.isError && !stale && (
          <UnplacedIssues error={update.error} placed={INCIDENT_FORM_FIELDS} title="The incident was not saved" />
        )}
      </Stack>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: Object.keys(base.external).length > 0 ? 8 : 12 }}>
          <form onSubmit={(e) => void onSave(e)} aria-label="Incident details" noValidate>
            <IncidentForm
              values={values}
              onChange={setValues}
              errors={errors}
              disabled={!canEdit || busy}
              knownChange={base.causedByChange}
            />
            {canEdit ? (
              <SaveBar
                saving={update.isPending}
                dirty={isDirty}
                busy={busy}
                onDiscard={() => {
                  setValues(formFromIncident(base));
                  update.reset();
                }}
              />
            ) : (
              <Text size="xs" c="dimmed" mt="sm">
                You may read this incident but not edit it.
              </Text>
            )}
          </form>
        </Grid.Col>
        {Object.keys(base.external).length > 0 && (
          <Grid.Col span={{ base: 12, lg: 4 }}>
            <ExternalFields external={base.external} />
          </Grid.Col>
        )}
      </Grid>
    </>
  );
}
