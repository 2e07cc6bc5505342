import { Grid, Select, Stack, Textarea, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { isoToLocalInput, localInputToIso } from '../../shared/format';
import { CiMultiSelect } from '../cmdb/ci-multi-select';
import { useServiceOptions } from '../cmdb/cmdb-api';
import { type ChangeRef, ChangeSelect } from './change-select';
import type { CreateIncidentInput, Incident, IncidentState, UpdateIncidentInput } from './incidents-api';
import { INCIDENT_STATE_LABELS } from './incident-words';
import { PriorityField, textFieldsOf } from './record-fields';

/** What the incident form edits. `openedAt` is a datetime-local string here and an ISO instant on the wire. */
export interface IncidentFormValues {
  title: string;
  description: string;
  priority: number;
  state: IncidentState;
  openedAt: string;
  ciIds: string[];
  serviceId: string | null;
  causedByChangeId: string | null;
}

export const emptyIncidentForm: IncidentFormValues = {
  title: '',
  description: '',
  priority: 3,
  state: 'new',
  openedAt: '',
  ciIds: [],
  serviceId: null,
  causedByChangeId: null,
};

/** Fields the form shows; issues on other paths go in an alert above it. */
export const INCIDENT_FORM_FIELDS = ['title', 'description', 'priority', 'state', 'openedAt', 'ciIds', 'serviceId', 'causedByChangeId'];

export function formFromIncident(incident: Incident): IncidentFormValues {
  return {
    title: incident.title,
    description: incident.description,
    priority: incident.priority,
    state: incident.state,
    openedAt: isoToLocalInput(incident.openedAt),
    ciIds: incident.ciIds,
    serviceId: incident.service?.id ?? null,
    causedByChangeId: incident.causedByChange?.id ?? null,
  };
}

/** The body of POST /api/v1/incidents; no opening time means now. */
export function toCreateIncidentInput(v: IncidentFormValues): CreateIncidentInput {
  const openedAt = localInputToIso(v.openedAt);
  return {
    title: v.title,
    description: v.description,
    priority: v.priority,
    state: v.state,
    ...(openedAt ? { openedAt } : {}),
    ciIds: v.ciIds,
    serviceId: v.serviceId,
    causedByChangeId: v.causedByChangeId,
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Only what differs from the stored incident, so a save never overwrites what someone else changed. */
export function toUpdateIncidentInput(incident: Incident, v: IncidentFormValues): UpdateIncidentInput {
  const before = formFromIncident(incident);
  const patch: UpdateIncidentInput = {};
  if (v.title !== before.title) patch.title = v.title;
  if (v.description !== before.description) patch.description = v.description;
  if (v.priority !== before.priority) patch.priority = v.priority;
  if (v.state !== before.state) patch.state = v.state;
  if (!sameList(v.ciIds, before.ciIds)) patch.ciIds = v.ciIds;
  if (v.serviceId !== before.serviceId) patch.serviceId = v.serviceId;
  if (v.causedByChangeId !== before.causedByChangeId) patch.causedByChangeId = v.causedByChangeId;
  return patch;
}

const stateOptions = (Object.keys(INCIDENT_STATE_LABELS) as IncidentState[]).map((s) => ({ value: s, label: INCIDENT_STATE_LABELS[s] }));

interface IncidentFormProps {
  values: IncidentFormValues;
  onChange: (values: IncidentFormValues) => void;
  errors?: Record<string, ReactNode>;
  disabled?: boolean;
  /** The opening time is set when the incident is reported, not edited afterwards. */
  withOpenedAt?: boolean;
  /** The change the stored incident names, so the picker shows it without asking the server. */
  knownChange?: ChangeRef | null;
}

/** The fields of an incident, shared by the new-incident page and the incident page. */
export function IncidentForm({ values, onChange, errors = {}, disabled = false, withOpenedAt = false, knownChange }: IncidentFormProps) {
  const services = useServiceOptions();
  const set = <K extends keyof IncidentFormValues>(key: K, value: IncidentFormValues[K]) => onChange({ ...values, [key]: value });
  const text = textFieldsOf(values, onChange, errors, disabled);
  return (
    <Stack gap="sm">
      <TextInput
        label="Title"
        description="What is broken, as the people affected would say it"
        required
        maxLength={200}
        {...text('title')}
      />
      <Grid gap="sm">
        <Grid.Col span={{ base: 6, sm: withOpenedAt ? 3 : 4 }}>
          <PriorityField value={values.priority} onChange={(v) => set('priority', v)} error={errors.priority} disabled={disabled} />
        </Grid.Col>
        <Grid.Col span={{ base: 6, sm: withOpenedAt ? 3 : 4 }}>
          <Select
            label="State"
            data={stateOptions}
            value={values.state}
            onChange={(v) => v && set('state', v as IncidentState)}
            allowDeselect={false}
            error={errors.state}
            disabled={disabled}
          />
        </Grid.Col>
        {withOpenedAt && (
          <Grid.Col span={{ base: 12, sm: 3 }}>
            <TextInput label="Opened" type="datetime-local" description="Empty means now" {...text('openedAt')} />
          </Grid.Col>
        )}
        <Grid.Col span={{ base: 12, sm: withOpenedAt ? 3 : 4 }}>
          <Select
            label="Service"
            placeholder={services.isPending ? 'Loading services…' : 'None'}
            data={services.data ?? []}
            value={values.serviceId}
            onChange={(v) => set('serviceId', v)}
            clearable
            searchable
            error={errors.serviceId}
            disabled={disabled}
          />
        </Grid.Col>
      </Grid>
      <Textarea label="Description" autosize minRows={3} maxRows={12} {...text('description')} />
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <CiMultiSelect
            label="Affected CIs"
            value={values.ciIds}
            onChange={(ids) => set('ciIds', ids)}
            error={errors.ciIds}
            disabled={disabled}
            description="Where it happens; changes to these CIs count it in their risk"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <ChangeSelect
            label="Caused by change"
            description="When someone knows which change caused it"
            value={values.causedByChangeId}
            onChange={(id) => set('causedByChangeId', id)}
            known={knownChange}
            error={errors.causedByChangeId}
            disabled={disabled}
          />
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
