import { Checkbox, Fieldset, Grid, Select, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import type { ChangeEvent, ReactNode } from 'react';
import { issuesOf } from '../../api/client';
import type { ChangeType, Level } from '../../api/types';
import { LEVEL_LABELS, toOptions } from '../../shared/labels';
import { useTeams } from '../admin/admin-api';
import { orderedModels, typeLabel, usePolicy } from '../changes/policy';
import { CiMultiSelect } from '../cmdb/ci-multi-select';
import type { CreateTemplateInput, Template, TemplateFields, UpdateTemplateInput } from './templates-api';

/** What the template form edits. */
export interface TemplateFormValues {
  name: string;
  description: string;
  type: ChangeType | null;
  fields: TemplateFields;
  ciIds: string[];
  assignmentTeamId: string | null;
}

export const emptyTemplateForm: TemplateFormValues = {
  name: '',
  description: '',
  type: null,
  fields: {
    title: '',
    description: '',
    justification: '',
    implementationPlan: '',
    testPlan: '',
    backoutPlan: '',
    backoutTested: false,
    impact: 'medium',
    urgency: 'medium',
  },
  ciIds: [],
  assignmentTeamId: null,
};

export function formFromTemplate(t: Template): TemplateFormValues {
  return {
    name: t.name,
    description: t.description,
    type: t.type,
    fields: { ...emptyTemplateForm.fields, ...t.fields },
    ciIds: t.ciIds,
    assignmentTeamId: t.assignmentTeamId,
  };
}

/** The body of POST /api/v1/templates. A missing type is left out, so the server names it with the other problems. */
export function toCreateTemplateInput(v: TemplateFormValues): CreateTemplateInput {
  return {
    name: v.name,
    description: v.description,
    ...(v.type ? { type: v.type } : {}),
    fields: v.fields,
    ciIds: v.ciIds,
    assignmentTeamId: v.assignmentTeamId,
  } as CreateTemplateInput;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Only what differs from the stored template; `fields` carries only the prefilled fields that changed. */
export function toUpdateTemplateInput(t: Template, v: TemplateFormValues): UpdateTemplateInput {
  const before = formFromTemplate(t);
  const patch: UpdateTemplateInput = {};
  if (v.name !== before.name) patch.name = v.name;
  if (v.description !== before.description) patch.description = v.description;
  if (v.type && v.type !== before.type) patch.type = v.type;
  const fields: Partial<TemplateFields> = {};
  for (const key of Object.keys(v.fields) as (keyof TemplateFields)[]) {
    if (v.fields[key] !== before.fields[key]) Object.assign(fields, { [key]: v.fields[key] });
  }
  if (Object.keys(fields).length > 0) patch.fields = fields;
  if (!sameList(v.ciIds, before.ciIds)) patch.ciIds = v.ciIds;
  if (v.assignmentTeamId !== before.assignmentTeamId) patch.assignmentTeamId = v.assignmentTeamId;
  return patch;
}

/**
 * The server's issues by form field: `fields.title` stays whole (each prefilled field has its own input),
 * other paths go by their first segment (`ciIds.3` → `ciIds`).
 */
export function templateFieldErrors(error: unknown): Record<string, string> {
  const byField: Record<string, string[]> = {};
  for (const issue of issuesOf(error)) {
    const parts = issue.path.split('.');
    const field = parts[0] === 'fields' && parts[1] ? `fields.${parts[1]}` : parts[0] || '_';
    (byField[field] ??= []).push(issue.message);
  }
  return Object.fromEntries(Object.entries(byField).map(([field, messages]) => [field, messages.join('; ')]));
}

/** Fields the form shows (by the first segment of an issue's path); issues on other paths go in an alert above it. */
export const TEMPLATE_FORM_FIELDS = ['name', 'description', 'type', 'ciIds', 'assignmentTeamId', 'fields'];

const levelOptions = toOptions(LEVEL_LABELS);

interface TemplateFormProps {
  values: TemplateFormValues;
  onChange: (values: TemplateFormValues) => void;
  errors?: Record<string, ReactNode>;
  disabled?: boolean;
}

/** A template's name, type and what it fills in on a new change; shared by the new-template and template pages. */
export function TemplateForm({ values, onChange, errors = {}, disabled = false }: TemplateFormProps) {
  const policy = usePolicy();
  const teams = useTeams();
  const typeOptions = orderedModels(policy.data).map((m) => ({ value: m.type, label: typeLabel(policy.data, m.type) }));
  const set = <K extends keyof TemplateFormValues>(key: K, value: TemplateFormValues[K]) => onChange({ ...values, [key]: value });
  const setField = <K extends keyof TemplateFields>(key: K, value: TemplateFields[K]) =>
    onChange({ ...values, fields: { ...values.fields, [key]: value } });
  const fieldText = (key: 'title' | 'description' | 'justification' | 'implementationPlan' | 'testPlan' | 'backoutPlan') => ({
    value: values.fields[key],
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setField(key, e.currentTarget.value),
    error: errors[`fields.${key}`],
    disabled,
    name: `fields.${key}`,
  });

  return (
    <Stack gap="sm">
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, sm: 8 }}>
          <TextInput
            label="Name"
            required
            maxLength={200}
            value={values.name}
            onChange={(e) => set('name', e.currentTarget.value)}
            error={errors.name}
            disabled={disabled}
            name="name"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <Select
            label="Type of change"
            required
            placeholder={policy.isPending ? 'Loading types…' : 'Choose a type'}
            data={typeOptions}
            value={values.type}
            onChange={(v) => set('type', v as ChangeType | null)}
            allowDeselect={false}
            error={errors.type}
            disabled={disabled}
          />
        </Grid.Col>
      </Grid>
      <Textarea
        label="Description"
        description="When to use this template"
        autosize
        minRows={2}
        maxRows={6}
        value={values.description}
        onChange={(e) => set('description', e.currentTarget.value)}
        error={errors.description}
        disabled={disabled}
        name="description"
      />
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, md: 8 }}>
          <CiMultiSelect
            value={values.ciIds}
            onChange={(ids) => set('ciIds', ids)}
            error={errors.ciIds}
            disabled={disabled}
            description="The CIs a change made from it touches"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4 }}>
          <Select
            label="Assignment team"
            placeholder={teams.isPending ? 'Loading teams…' : 'Routing decides'}
            data={(teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
            value={values.assignmentTeamId}
            onChange={(v) => set('assignmentTeamId', v)}
            clearable
            searchable
            error={errors.assignmentTeamId}
            disabled={disabled}
          />
        </Grid.Col>
      </Grid>
      <Fieldset legend="What a change made from it starts with" variant="filled" p="sm">
        <Stack gap="sm">
          <TextInput label="Change title" maxLength={200} {...fieldText('title')} />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <Textarea label="Change description" autosize minRows={2} maxRows={8} {...fieldText('description')} />
            <Textarea label="Justification" autosize minRows={2} maxRows={8} {...fieldText('justification')} />
          </SimpleGrid>
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <Textarea label="Implementation plan" autosize minRows={3} maxRows={12} {...fieldText('implementationPlan')} />
            <Textarea label="Test plan" autosize minRows={3} maxRows={12} {...fieldText('testPlan')} />
            <Stack gap={6}>
              <Textarea label="Backout plan" autosize minRows={3} maxRows={12} {...fieldText('backoutPlan')} />
              <Checkbox
                label="Backout plan tested"
                size="xs"
                name="fields.backoutTested"
                checked={values.fields.backoutTested}
                onChange={(e) => setField('backoutTested', e.currentTarget.checked)}
                error={errors['fields.backoutTested']}
                disabled={disabled}
              />
            </Stack>
          </SimpleGrid>
          <Grid gap="sm">
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <Select
                label="Impact"
                data={levelOptions}
                value={values.fields.impact}
                onChange={(v) => v && setField('impact', v as Level)}
                allowDeselect={false}
                error={errors['fields.impact']}
                disabled={disabled}
              />
            </Grid.Col>
            <Grid.Col span={{ base: 6, sm: 3 }}>
              <Select
                label="Urgency"
                data={levelOptions}
                value={values.fields.urgency}
                onChange={(v) => v && setField('urgency', v as Level)}
                allowDeselect={false}
                error={errors['fields.urgency']}
                disabled={disabled}
              />
            </Grid.Col>
          </Grid>
        </Stack>
      </Fieldset>
    </Stack>
  );
}
