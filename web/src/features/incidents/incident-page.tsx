import { Grid, Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { Fact, FactStrip } from '../../shared/fact';
import { formatDateTime } from '../../shared/format';
import { PageHeader } from '../../shared/page-header';
import { Announcement, EditFooter, MoveButtons, RecordAlerts, RecordEyebrow, useRecordEditor } from '../../shared/record-editor';
import { RecordLoader } from '../../shared/record-loader';
import { RouterAnchor } from '../../shared/router-link';
import { KeyValueTable } from '../../shared/table-parts';
import { hasPermission, useCurrentUser } from '../auth/session';
import { IncidentProblemLinks } from '../problems/problem-ui';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { formFromIncident, INCIDENT_FORM_FIELDS, IncidentForm, toUpdateIncidentInput } from './incident-form';
import { IncidentStateBadge, PriorityBadge } from './incident-ui';
import { INCIDENT_STATE_LABELS, isOpenState } from './incident-words';
import { type Incident, type IncidentState, useIncident, useUpdateIncident } from './incidents-api';

export function IncidentPage() {
  const { id = '' } = useParams();
  const query = useIncident(id);
  return (
    <RecordLoader query={query} what="incident">
      {(incident) => <IncidentView incident={incident} cacheKey={id} onReload={() => query.refetch()} />}
    </RecordLoader>
  );
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
      <KeyValueTable label="Kept from the import" entries={entries} />
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
  const move = useUpdateIncident(incident.id, cacheKey);
  const editor = useRecordEditor({
    record: incident,
    formOf: formFromIncident,
    patchOf: toUpdateIncidentInput,
    update,
    move,
    movedWords: (saved) => `${INCIDENT_STATE_LABELS[saved.state]}.`,
    afterMove: (values, saved) => ({ ...values, state: saved.state }),
    onReload,
  });
  const { base, stale } = editor;
  const canEdit = hasPermission(me, 'incident.write');
  const errors = fieldErrorsFrom(update.error);
  const actions = canEdit ? stateActions(base.state) : [];

  return (
    <>
      <PageHeader
        eyebrow={
          <RecordEyebrow back="/incidents" backLabel="Incidents" number={base.number}>
            <IncidentStateBadge state={base.state} size="md" />
            <PriorityBadge priority={base.priority} size="md" />
          </RecordEyebrow>
        }
        title={base.title}
        actions={<MoveButtons label="Incident actions" moves={actions} move={move} busy={editor.busy} onMove={editor.onMove} />}
      />
      <Announcement text={editor.announcement} />
      <FactStrip>
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
      </FactStrip>
      <RecordAlerts what="incident" editor={editor} move={move}>
        {update.isError && !stale && (
          <UnplacedIssues error={update.error} placed={INCIDENT_FORM_FIELDS} title="The incident was not saved" />
        )}
      </RecordAlerts>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: Object.keys(base.external).length > 0 ? 8 : 12 }}>
          <form onSubmit={editor.onSave} aria-label="Incident details" noValidate>
            <IncidentForm
              values={editor.values}
              onChange={editor.setValues}
              errors={errors}
              disabled={!canEdit || editor.busy}
              knownChange={base.causedByChange}
            />
            <EditFooter
              canEdit={canEdit}
              editor={editor}
              saving={update.isPending}
              readOnly="You may read this incident but not edit it."
            />
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
