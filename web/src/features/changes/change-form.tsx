import { Checkbox, Fieldset, Grid, Select, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import type { ChangeEvent, ReactNode } from 'react';
import type { Change, CloseCode, CreateChangeInput, Level, UpdateChangeInput } from '../../api/types';
import { isoToLocalInput, localInputToIso } from '../../shared/format';
import { CLOSE_CODE_LABELS, LEVEL_LABELS, toOptions } from '../../shared/labels';
import { useTeams } from '../admin/admin-api';
import { UserSelect } from '../admin/user-select';
import { CiMultiSelect } from '../cmdb/ci-multi-select';
import { ConflictPreview } from './conflict-preview';
import { FindSlot, FormFreezeBanner } from './slot-finder';

/** What the form edits. Times are datetime-local strings here and ISO instants on the wire. */
export interface ChangeFormValues {
  title: string;
  description: string;
  justification: string;
  ciIds: string[];
  plannedStart: string;
  plannedEnd: string;
  implementationPlan: string;
  testPlan: string;
  backoutPlan: string;
  /** The backout plan has been rehearsed; lowers the risk score. */
  backoutTested: boolean;
  impact: Level;
  urgency: Level;
  assignmentTeamId: string | null;
  changeManagerId: string | null;
  actualStart: string;
  actualEnd: string;
  closeCode: CloseCode | null;
  closeNotes: string;
}

export const emptyChangeForm: ChangeFormValues = {
  title: '',
  description: '',
  justification: '',
  ciIds: [],
  plannedStart: '',
  plannedEnd: '',
  implementationPlan: '',
  testPlan: '',
  backoutPlan: '',
  backoutTested: false,
  impact: 'medium',
  urgency: 'medium',
  assignmentTeamId: null,
  changeManagerId: null,
  actualStart: '',
  actualEnd: '',
  closeCode: null,
  closeNotes: '',
};

export function formFromChange(change: Change): ChangeFormValues {
  return {
    title: change.title,
    description: change.description,
    justification: change.justification,
    ciIds: change.ciIds,
    plannedStart: isoToLocalInput(change.plannedStart),
    plannedEnd: isoToLocalInput(change.plannedEnd),
    implementationPlan: change.implementationPlan,
    testPlan: change.testPlan,
    backoutPlan: change.backoutPlan,
    backoutTested: change.backoutTested,
    impact: change.impact,
    urgency: change.urgency,
    assignmentTeamId: change.assignmentTeamId,
    changeManagerId: change.changeManagerId,
    actualStart: isoToLocalInput(change.actualStart),
    actualEnd: isoToLocalInput(change.actualEnd),
    closeCode: change.closeCode,
    closeNotes: change.closeNotes,
  };
}

/**
 * The body of POST /api/v1/changes for a new draft of the given type. The team goes along only when one is set
 * (a template's): left out, routing chooses it. `templateId` records the template the draft was made from.
 */
export function toCreateInput(type: Change['type'], v: ChangeFormValues, templateId: string | null = null): CreateChangeInput {
  return {
    type,
    ...(templateId ? { templateId } : {}),
    ...(v.assignmentTeamId ? { assignmentTeamId: v.assignmentTeamId } : {}),
    title: v.title,
    description: v.description,
    justification: v.justification,
    ciIds: v.ciIds,
    plannedStart: localInputToIso(v.plannedStart),
    plannedEnd: localInputToIso(v.plannedEnd),
    implementationPlan: v.implementationPlan,
    testPlan: v.testPlan,
    backoutPlan: v.backoutPlan,
    backoutTested: v.backoutTested,
    impact: v.impact,
    urgency: v.urgency,
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Only the fields that differ from the stored change, so a save never overwrites untouched fields. */
export function toUpdateInput(change: Change, v: ChangeFormValues): UpdateChangeInput {
  const before = formFromChange(change);
  const patch: UpdateChangeInput = {};
  const text = ['title', 'description', 'justification', 'implementationPlan', 'testPlan', 'backoutPlan', 'closeNotes'] as const;
  for (const key of text) if (v[key] !== before[key]) patch[key] = v[key];
  const times = ['plannedStart', 'plannedEnd', 'actualStart', 'actualEnd'] as const;
  for (const key of times) if (v[key] !== before[key]) patch[key] = localInputToIso(v[key]);
  if (!sameList(v.ciIds, before.ciIds)) patch.ciIds = v.ciIds;
  if (v.backoutTested !== before.backoutTested) patch.backoutTested = v.backoutTested;
  if (v.impact !== before.impact) patch.impact = v.impact;
  if (v.urgency !== before.urgency) patch.urgency = v.urgency;
  if (v.assignmentTeamId !== before.assignmentTeamId) patch.assignmentTeamId = v.assignmentTeamId;
  if (v.changeManagerId !== before.changeManagerId) patch.changeManagerId = v.changeManagerId;
  if (v.closeCode !== before.closeCode) patch.closeCode = v.closeCode;
  return patch;
}

interface ChangeFormProps {
  values: ChangeFormValues;
  onChange: (values: ChangeFormValues) => void;
  /** Messages per field, from the server's validation issues or a failed transition. */
  errors?: Record<string, ReactNode>;
  /** Show assignment, actual times and closure (on an existing change). */
  withOutcome?: boolean;
  /** Every field, or those for which the function says so (an implementer edits only how the change went). */
  disabled?: boolean | ((field: string) => boolean);
  /** Under the assignment team and change manager: which routing rule chose them, when one did. */
  routingHints?: { team?: ReactNode; changeManager?: ReactNode };
  /**
   * "Find a slot" and the warnings of freezes and conflicts. On a saved change: its id (its own interval is not
   * in the way), its implementer, and whether to warn (the page's banner and Schedule tab already speak for the
   * saved plan).
   */
  scheduling?: { changeId?: string; implementerId?: string | null; warnOfFreezes?: boolean };
}

const levelOptions = toOptions(LEVEL_LABELS);
const closeCodeOptions = toOptions(CLOSE_CODE_LABELS);

/** The fields of a change, shared by the new-change page and the change page. */
export function ChangeForm({
  values,
  onChange,
  errors = {},
  withOutcome = false,
  disabled = false,
  routingHints = {},
  scheduling = {},
}: ChangeFormProps) {
  const teams = useTeams(withOutcome);
  const off = (field: string) => (typeof disabled === 'function' ? disabled(field) : disabled);
  const plannedStart = localInputToIso(values.plannedStart);
  const plannedEnd = localInputToIso(values.plannedEnd);
  const set = <K extends keyof ChangeFormValues>(key: K, value: ChangeFormValues[K]) => onChange({ ...values, [key]: value });
  const textProps = (
    key: 'title' | 'description' | 'justification' | 'implementationPlan' | 'testPlan' | 'backoutPlan' | 'closeNotes',
  ) => ({
    value: values[key],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => set(key, e.currentTarget.value),
    error: errors[key],
    disabled: off(key),
    name: key,
  });
  const timeProps = (key: 'plannedStart' | 'plannedEnd' | 'actualStart' | 'actualEnd') => ({
    type: 'datetime-local',
    value: values[key],
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(key, e.currentTarget.value),
    error: errors[key],
    disabled: off(key),
    name: key,
  });

  return (
    <Stack gap="sm">
      <TextInput label="Title" required maxLength={200} {...textProps('title')} />
      <SimpleGrid cols={2} spacing="sm">
        <Textarea label="Description" description="What will change" autosize minRows={3} maxRows={10} {...textProps('description')} />
        <Textarea
          label="Justification"
          description="Why it is needed now"
          autosize
          minRows={3}
          maxRows={10}
          {...textProps('justification')}
        />
      </SimpleGrid>
      <CiMultiSelect
        value={values.ciIds}
        onChange={(ids) => set('ciIds', ids)}
        error={errors.ciIds}
        disabled={off('ciIds')}
        description="The configuration items this change touches; their services follow from the CMDB"
      />
      <Grid gap="sm">
        <Grid.Col span={4}>
          <TextInput label="Planned start" {...timeProps('plannedStart')} />
        </Grid.Col>
        <Grid.Col span={4}>
          <TextInput label="Planned end" {...timeProps('plannedEnd')} />
        </Grid.Col>
        <Grid.Col span={2}>
          <Select
            label="Impact"
            data={levelOptions}
            value={values.impact}
            onChange={(v) => v && set('impact', v as Level)}
            allowDeselect={false}
            error={errors.impact}
            disabled={off('impact')}
          />
        </Grid.Col>
        <Grid.Col span={2}>
          <Select
            label="Urgency"
            data={levelOptions}
            value={values.urgency}
            onChange={(v) => v && set('urgency', v as Level)}
            allowDeselect={false}
            error={errors.urgency}
            disabled={off('urgency')}
          />
        </Grid.Col>
      </Grid>
      <FindSlot
        ciIds={values.ciIds}
        start={plannedStart}
        end={plannedEnd}
        excludeChangeId={scheduling.changeId}
        implementerId={scheduling.implementerId}
        onPick={(slot) => onChange({ ...values, plannedStart: isoToLocalInput(slot.start), plannedEnd: isoToLocalInput(slot.end) })}
        disabled={off('plannedStart')}
      />
      {scheduling.warnOfFreezes !== false && <FormFreezeBanner ciIds={values.ciIds} start={plannedStart} end={plannedEnd} />}
      {scheduling.warnOfFreezes !== false && (
        <ConflictPreview
          ciIds={values.ciIds}
          plannedStart={plannedStart}
          plannedEnd={plannedEnd}
          implementerId={scheduling.implementerId}
          changeId={scheduling.changeId}
        />
      )}
      <SimpleGrid cols={3} spacing="sm">
        <Textarea label="Implementation plan" autosize minRows={3} maxRows={12} {...textProps('implementationPlan')} />
        <Textarea label="Test plan" autosize minRows={3} maxRows={12} {...textProps('testPlan')} />
        <Stack gap={6}>
          <Textarea label="Backout plan" autosize minRows={3} maxRows={12} {...textProps('backoutPlan')} />
          <Checkbox
            label="Backout plan tested"
            size="xs"
            name="backoutTested"
            checked={values.backoutTested}
            onChange={(e) => set('backoutTested', e.currentTarget.checked)}
            error={errors.backoutTested}
            disabled={off('backoutTested')}
          />
        </Stack>
      </SimpleGrid>
      {withOutcome && (
        <Fieldset legend="Assignment and outcome" variant="filled" p="sm">
          <Grid gap="sm">
            <Grid.Col span={6}>
              <Select
                label="Assignment team"
                placeholder={teams.isPending ? 'Loading teams…' : 'No team'}
                data={(teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
                value={values.assignmentTeamId}
                onChange={(v) => set('assignmentTeamId', v)}
                clearable
                searchable
                error={errors.assignmentTeamId}
                disabled={off('assignmentTeamId')}
                description={routingHints.team}
                inputWrapperOrder={['label', 'input', 'description', 'error']}
              />
            </Grid.Col>
            <Grid.Col span={6}>
              <UserSelect
                label="Change manager"
                placeholder="No change manager"
                value={values.changeManagerId}
                onChange={(v) => set('changeManagerId', v)}
                error={errors.changeManagerId}
                disabled={off('changeManagerId')}
                description={routingHints.changeManager}
                inputWrapperOrder={['label', 'input', 'description', 'error']}
              />
            </Grid.Col>
            <Grid.Col span={4}>
              <TextInput label="Actual start" {...timeProps('actualStart')} />
            </Grid.Col>
            <Grid.Col span={4}>
              <TextInput label="Actual end" {...timeProps('actualEnd')} />
            </Grid.Col>
            <Grid.Col span={4}>
              <Select
                label="Close code"
                placeholder="Not closed"
                data={closeCodeOptions}
                value={values.closeCode}
                onChange={(v) => set('closeCode', v as CloseCode | null)}
                clearable
                error={errors.closeCode}
                disabled={off('closeCode')}
              />
            </Grid.Col>
            <Grid.Col span={12}>
              <Textarea label="Close notes" autosize minRows={1} maxRows={8} {...textProps('closeNotes')} />
            </Grid.Col>
          </Grid>
        </Fieldset>
      )}
    </Stack>
  );
}
