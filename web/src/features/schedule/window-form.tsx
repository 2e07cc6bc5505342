import { Alert, Autocomplete, Button, Checkbox, Chip, Group, List, MultiSelect, NumberInput, SegmentedControl, Select, Stack, TagsInput, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import type { Environment } from '../../api/types';
import { ApiError, issuesByField } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { displayTimeZone, formatDateTime } from '../../shared/format';
import { ENVIRONMENT_LABELS } from '../../shared/labels';
import { useServiceOptions } from '../cmdb/cmdb-api';
import { type MaintenanceWindow, useNextOccurrences, WINDOW_KIND_LABELS, type WindowInput, type WindowKind } from './schedule-api';
import { ruleParts, WEEKDAY_CODES, WEEKDAY_NAMES, type WeekdayCode } from './schedule-words';

/** Zones people pick most; any other IANA name can be typed. */
export const COMMON_TIME_ZONES = [
  'UTC', 'Europe/London', 'Europe/Dublin', 'Europe/Paris', 'Europe/Berlin', 'Europe/Amsterdam', 'Europe/Madrid', 'Europe/Warsaw', 'Europe/Helsinki',
  'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Toronto', 'America/Sao_Paulo',
  'Asia/Kolkata', 'Asia/Singapore', 'Asia/Tokyo', 'Asia/Shanghai', 'Asia/Dubai', 'Australia/Sydney', 'Pacific/Auckland', 'Africa/Johannesburg',
];

export type Recurrence = 'none' | 'daily' | 'weekly' | 'monthly' | 'custom';
type Unit = 'minutes' | 'hours' | 'days';
const UNIT_MINUTES: Record<Unit, number> = { minutes: 1, hours: 60, days: 1440 };

export interface WindowFormValues {
  name: string;
  kind: WindowKind;
  description: string;
  start: string;
  timeZone: string;
  duration: number | string;
  unit: Unit;
  recurrence: Recurrence;
  weekdays: WeekdayCode[];
  rrule: string;
  global: boolean;
  serviceIds: string[];
  environments: Environment[];
  tags: string[];
  urgent: boolean;
}

/** A new window starts in the person's zone (their preference, or the browser's). */
const browserZone = () => displayTimeZone();

export function emptyWindowForm(): WindowFormValues {
  return { name: '', kind: 'maintenance', description: '', start: '', timeZone: browserZone(), duration: 4, unit: 'hours', recurrence: 'weekly', weekdays: ['SA'], rrule: '', global: false, serviceIds: [], environments: [], tags: [], urgent: false };
}

/** The form's view of a stored window: a rule it can build again becomes a choice, anything else stays raw. */
export function windowToForm(w: MaintenanceWindow): WindowFormValues {
  const unit: Unit = w.durationMinutes % 1440 === 0 ? 'days' : w.durationMinutes % 60 === 0 ? 'hours' : 'minutes';
  let recurrence: Recurrence = 'custom';
  let weekdays: WeekdayCode[] = [];
  if (!w.rrule) recurrence = 'none';
  else {
    const p = ruleParts(w.rrule);
    const keys = Object.keys(p).sort().join(',');
    if (keys === 'FREQ' && p.FREQ === 'DAILY') recurrence = 'daily';
    else if (keys === 'BYDAY,FREQ' && p.FREQ === 'WEEKLY' && p.BYDAY!.split(',').every((d) => (WEEKDAY_CODES as readonly string[]).includes(d))) {
      recurrence = 'weekly';
      weekdays = p.BYDAY!.split(',') as WeekdayCode[];
    } else if (keys === 'FREQ' && p.FREQ === 'MONTHLY') recurrence = 'monthly';
  }
  return {
    name: w.name, kind: w.kind, description: w.description, start: w.start, timeZone: w.timeZone,
    duration: w.durationMinutes / UNIT_MINUTES[unit], unit, recurrence, weekdays, rrule: w.rrule ?? '',
    global: !!w.scope.global, serviceIds: w.scope.serviceIds ?? [], environments: w.scope.environments ?? [], tags: w.scope.tags ?? [], urgent: w.urgent,
  };
}

/** The RRULE the recurrence choice stands for (null for a one-off window). */
export function recurrenceRule(v: Pick<WindowFormValues, 'recurrence' | 'weekdays' | 'rrule'>): string | null {
  switch (v.recurrence) {
    case 'none':
      return null;
    case 'daily':
      return 'FREQ=DAILY';
    case 'weekly':
      return v.weekdays.length ? `FREQ=WEEKLY;BYDAY=${WEEKDAY_CODES.filter((d) => v.weekdays.includes(d)).join(',')}` : 'FREQ=WEEKLY';
    case 'monthly':
      return 'FREQ=MONTHLY';
    case 'custom':
      return v.rrule.trim().replace(/^RRULE:/i, '');
  }
}

/** The request body. The server checks the values and reports every problem; the form only shapes them. */
export function formToInput(v: WindowFormValues): WindowInput {
  const scope = v.global
    ? { global: true as const }
    : { serviceIds: v.serviceIds, environments: v.environments, tags: v.tags };
  return {
    name: v.name, kind: v.kind, description: v.description, start: v.start, timeZone: v.timeZone.trim(),
    durationMinutes: Math.round(Number(v.duration) * UNIT_MINUTES[v.unit]),
    rrule: recurrenceRule(v), scope, urgent: v.kind === 'freeze' && v.urgent,
  };
}

/** Fields this form shows issues beside; the rest are listed in an alert. */
const PLACED = ['name', 'kind', 'description', 'start', 'timeZone', 'durationMinutes', 'rrule', 'scope', 'urgent'];

interface WindowFormProps {
  initial: WindowFormValues;
  /** The saved window, once there is one: its next occurrences are shown. */
  savedId: string | null;
  error: unknown;
  pending: boolean;
  onSubmit: (input: WindowInput) => void;
  onCancel: () => void;
}

export function WindowForm({ initial, savedId, error, pending, onSubmit, onCancel }: WindowFormProps) {
  const [v, setV] = useState(initial);
  const set = <K extends keyof WindowFormValues>(key: K, value: WindowFormValues[K]) => setV((old) => ({ ...old, [key]: value }));
  const services = useServiceOptions();
  const issues = issuesByField(error);
  const err = (field: string) => issues[field]?.join('; ');
  const scopeIssues = issuesOfScope(error);
  const unplaced = Object.entries(issues).filter(([field]) => !PLACED.includes(field));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(formToInput(v));
  };
  return (
    <form onSubmit={submit} noValidate aria-label="Window">
      <Stack gap="sm">
        {error !== null && error !== undefined && !(error instanceof ApiError && error.code === 'invalid_input') && <ErrorAlert error={error} title="Cannot save the window" />}
        {error instanceof ApiError && error.code === 'invalid_input' && (
          <Alert color="red" variant="light" role="alert" title="The window was not saved">
            <Text size="sm">Fix the fields marked below.</Text>
            {unplaced.length > 0 && (
              <List size="sm">
                {unplaced.map(([field, messages]) => (
                  <List.Item key={field}>
                    {field}: {messages.join('; ')}
                  </List.Item>
                ))}
              </List>
            )}
          </Alert>
        )}
        <TextInput label="Name" required value={v.name} onChange={(e) => set('name', e.currentTarget.value)} error={err('name')} />
        <SegmentedControl
          aria-label="Kind"
          value={v.kind}
          onChange={(k) => set('kind', k as WindowKind)}
          data={(Object.keys(WINDOW_KIND_LABELS) as WindowKind[]).map((k) => ({ value: k, label: WINDOW_KIND_LABELS[k] }))}
        />
        <Textarea label="Description" autosize minRows={1} value={v.description} onChange={(e) => set('description', e.currentTarget.value)} error={err('description')} />
        <Group grow align="flex-start">
          <TextInput label="Starts (local time)" type="datetime-local" required value={v.start} onChange={(e) => set('start', e.currentTarget.value)} error={err('start')} />
          <Autocomplete
            label="Time zone"
            required
            data={COMMON_TIME_ZONES}
            value={v.timeZone}
            onChange={(z) => set('timeZone', z)}
            error={err('timeZone')}
            description="Any IANA zone, e.g. Europe/London"
          />
        </Group>
        <Group grow align="flex-start">
          <NumberInput label="Duration" required min={1} value={v.duration} onChange={(n) => set('duration', n)} error={err('durationMinutes')} />
          <Select label="Unit" value={v.unit} onChange={(u) => set('unit', (u ?? 'hours') as Unit)} data={[{ value: 'minutes', label: 'minutes' }, { value: 'hours', label: 'hours' }, { value: 'days', label: 'days' }]} allowDeselect={false} />
        </Group>
        <Select
          label="Repeats"
          value={v.recurrence}
          onChange={(r) => set('recurrence', (r ?? 'none') as Recurrence)}
          allowDeselect={false}
          data={[
            { value: 'none', label: 'Does not repeat' },
            { value: 'daily', label: 'Every day' },
            { value: 'weekly', label: 'Every week on…' },
            { value: 'monthly', label: 'Every month on the start day' },
            { value: 'custom', label: 'Custom RRULE' },
          ]}
          error={v.recurrence === 'custom' ? undefined : err('rrule')}
        />
        {v.recurrence === 'weekly' && (
          <Chip.Group multiple value={v.weekdays} onChange={(d) => set('weekdays', d as WeekdayCode[])}>
            <Group gap={4} role="group" aria-label="Weekdays">
              {WEEKDAY_CODES.map((d) => (
                <Chip key={d} value={d} size="xs">
                  {WEEKDAY_NAMES[d].slice(0, 3)}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        )}
        {v.recurrence === 'custom' && (
          <TextInput label="RRULE" placeholder="FREQ=MONTHLY;BYDAY=1SU" value={v.rrule} onChange={(e) => set('rrule', e.currentTarget.value)} error={err('rrule')} ff="monospace" />
        )}
        <SegmentedControl
          aria-label="Scope"
          value={v.global ? 'global' : 'targeted'}
          onChange={(s) => set('global', s === 'global')}
          data={[
            { value: 'global', label: 'Everywhere' },
            { value: 'targeted', label: 'Services, environments, tags' },
          ]}
        />
        {!v.global && (
          <>
            <MultiSelect label="Services" searchable data={services.data ?? []} value={v.serviceIds} onChange={(s) => set('serviceIds', s)} error={scopeIssues.serviceIds} />
            <MultiSelect
              label="Environments"
              data={(Object.keys(ENVIRONMENT_LABELS) as Environment[]).map((e) => ({ value: e, label: ENVIRONMENT_LABELS[e] }))}
              value={v.environments}
              onChange={(e) => set('environments', e as Environment[])}
            />
            <TagsInput label="Tags" value={v.tags} onChange={(t) => set('tags', t)} />
          </>
        )}
        {scopeIssues.other && (
          <Text size="sm" c="red.8" role="alert" data-testid="scope-error">
            Scope: {scopeIssues.other}
          </Text>
        )}
        {v.kind === 'freeze' && (
          <Checkbox label="Urgent (a lockdown: holds in-flight changes in its scope)" checked={v.urgent} onChange={(e) => set('urgent', e.currentTarget.checked)} />
        )}
        {savedId && <NextOccurrences id={savedId} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            {savedId ? 'Close' : 'Cancel'}
          </Button>
          <Button type="submit" loading={pending}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Scope issues split into the services list and the rest ("give global: true, or…"). */
function issuesOfScope(error: unknown): { serviceIds?: string; other?: string } {
  if (!(error instanceof ApiError)) return {};
  const raw = Array.isArray(error.details.issues) ? (error.details.issues as { path: unknown; message: string }[]) : [];
  const paths = raw.map((i) => ({ path: Array.isArray(i.path) ? i.path.join('.') : String(i.path), message: i.message })).filter((i) => i.path.startsWith('scope'));
  const services = paths.filter((i) => i.path.startsWith('scope.serviceIds')).map((i) => i.message);
  const other = paths.filter((i) => !i.path.startsWith('scope.serviceIds')).map((i) => i.message);
  return { serviceIds: services.join('; ') || undefined, other: other.join('; ') || undefined };
}

function NextOccurrences({ id }: { id: string }) {
  const next = useNextOccurrences(id);
  return (
    <Stack gap={2} data-testid="next-occurrences">
      <Text size="sm" fw={600}>
        Next occurrences
      </Text>
      {next.isPending && <Text size="sm" c="dimmed">Loading…</Text>}
      {next.isError && <ErrorAlert error={next.error} title="Cannot load the occurrences" />}
      {next.data?.length === 0 && <Text size="sm" c="dimmed">None in the next 400 days.</Text>}
      {next.data && next.data.length > 0 && (
        <List size="sm">
          {next.data.map((o) => (
            <List.Item key={o.start}>
              {formatDateTime(o.start)} – {formatDateTime(o.end)}
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}
