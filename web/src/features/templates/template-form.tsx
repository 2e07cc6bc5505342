import {
  Autocomplete,
  Checkbox,
  Fieldset,
  Grid,
  MultiSelect,
  NumberInput,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import type { ChangeEvent, ReactNode } from 'react';
import { issuesOf } from '../../api/client';
import type { ChangeType, Level, RiskLevel } from '../../api/types';
import { ENVIRONMENT_LABELS, LEVEL_LABELS, toOptions } from '../../shared/labels';
import { useTeams } from '../admin/admin-api';
import { ATTACHABLE_KIND_LABELS } from '../changes/governance-api';
import { orderedModels, typeLabel, usePolicy } from '../changes/policy';
import { RISK_LEVEL_LABELS } from '../changes/risk-badge';
import { CiMultiSelect } from '../cmdb/ci-multi-select';
import { useServiceOptions } from '../cmdb/cmdb-api';
import { useWindows } from '../schedule/schedule-api';
import {
  type CreateTemplateInput,
  type Template,
  type TemplateEligibility,
  type TemplateFields,
  type UpdateTemplateInput,
  useTemplateCategories,
} from './templates-api';

/** What the template form edits. */
export interface TemplateFormValues {
  name: string;
  description: string;
  type: ChangeType | null;
  fields: TemplateFields;
  ciIds: string[];
  assignmentTeamId: string | null;
  category: string;
  ownerTeamId: string | null;
  eligibility: TemplateEligibility;
}

export const NO_LIMITS: TemplateEligibility = {
  services: [],
  ciTypes: [],
  environments: [],
  maxRisk: null,
  windows: [],
  rule: '',
  maxImpact: null,
  requiredEvidence: [],
  knownErrors: 'warn',
};

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
  category: '',
  ownerTeamId: null,
  eligibility: NO_LIMITS,
};

/** The form of an entry's content (a version's content, say: the same fields). */
export function formFromTemplate(
  t: Pick<Template, 'name' | 'description' | 'type' | 'fields' | 'ciIds' | 'assignmentTeamId' | 'category' | 'ownerTeamId' | 'eligibility'>,
): TemplateFormValues {
  return {
    name: t.name,
    description: t.description,
    type: t.type,
    fields: { ...emptyTemplateForm.fields, ...t.fields },
    ciIds: t.ciIds,
    assignmentTeamId: t.assignmentTeamId,
    category: t.category,
    ownerTeamId: t.ownerTeamId,
    eligibility: { ...NO_LIMITS, ...t.eligibility },
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
    category: v.category,
    ownerTeamId: v.ownerTeamId,
    eligibility: v.eligibility,
  } as CreateTemplateInput;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Only what differs from `base` (the stored entry, or the pending version it builds on); `fields` and
 * `eligibility` carry only their keys that changed.
 */
export function toUpdateTemplateInput(t: Parameters<typeof formFromTemplate>[0], v: TemplateFormValues): UpdateTemplateInput {
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
  if (v.category !== before.category) patch.category = v.category;
  if (v.ownerTeamId !== before.ownerTeamId) patch.ownerTeamId = v.ownerTeamId;
  const eligibility: Partial<TemplateEligibility> = {};
  for (const key of Object.keys(v.eligibility) as (keyof TemplateEligibility)[]) {
    if (!same(v.eligibility[key], before.eligibility[key])) Object.assign(eligibility, { [key]: v.eligibility[key] });
  }
  if (Object.keys(eligibility).length > 0) patch.eligibility = eligibility;
  return patch;
}

/**
 * The server's issues by form field: `fields.title` and `eligibility.rule` stay whole (each has its own input),
 * other paths go by their first segment (`ciIds.3` → `ciIds`).
 */
export function templateFieldErrors(error: unknown): Record<string, string> {
  const byField: Record<string, string[]> = {};
  for (const issue of issuesOf(error)) {
    const parts = issue.path.split('.');
    const field = (parts[0] === 'fields' || parts[0] === 'eligibility') && parts[1] ? `${parts[0]}.${parts[1]}` : parts[0] || '_';
    (byField[field] ??= []).push(issue.message);
  }
  return Object.fromEntries(Object.entries(byField).map(([field, messages]) => [field, messages.join('; ')]));
}

/** Fields the form shows (by the first segment of an issue's path); issues on other paths go in an alert above it. */
export const TEMPLATE_FORM_FIELDS = [
  'name',
  'description',
  'type',
  'ciIds',
  'assignmentTeamId',
  'fields',
  'category',
  'ownerTeamId',
  'eligibility',
];

const levelOptions = toOptions(LEVEL_LABELS);
const environmentOptions = toOptions(ENVIRONMENT_LABELS);
const riskOptions = toOptions(RISK_LEVEL_LABELS);
const evidenceOptions = toOptions(ATTACHABLE_KIND_LABELS);
const knownErrorOptions = [
  { value: 'warn', label: 'A warning' },
  { value: 'fail', label: 'A failing check' },
];

/** One of the teams, or none (`none` says what none means). */
function TeamSelect({
  label,
  description,
  none,
  value,
  onChange,
  error,
  disabled,
}: {
  label: string;
  description?: string;
  none: string;
  value: string | null;
  onChange: (teamId: string | null) => void;
  error?: ReactNode;
  disabled: boolean;
}) {
  const teams = useTeams();
  return (
    <Select
      label={label}
      description={description}
      placeholder={teams.isPending ? 'Loading teams…' : none}
      data={(teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
      value={value}
      onChange={onChange}
      clearable
      searchable
      error={error}
      disabled={disabled}
    />
  );
}

interface TemplateFormProps {
  values: TemplateFormValues;
  onChange: (values: TemplateFormValues) => void;
  errors?: Record<string, ReactNode>;
  disabled?: boolean;
}

/** A template's name, type and what it fills in on a new change; shared by the new-template and template pages. */
export function TemplateForm({ values, onChange, errors = {}, disabled = false }: TemplateFormProps) {
  const policy = usePolicy();
  const categories = useTemplateCategories();
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
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <Autocomplete
            label="Category"
            description="Groups entries in the catalogue (Databases, Network…)"
            placeholder="No category"
            maxLength={100}
            data={(categories.data ?? []).map((c) => c.value)}
            value={values.category}
            onChange={(v) => set('category', v)}
            error={errors.category}
            disabled={disabled}
            name="category"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <TeamSelect
            label="Owner team"
            description="Keeps the entry: told when it is suspended, reviews it"
            none="No owner team"
            value={values.ownerTeamId}
            onChange={(v) => set('ownerTeamId', v)}
            error={errors.ownerTeamId}
            disabled={disabled}
          />
        </Grid.Col>
      </Grid>
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
          <TeamSelect
            label="Assignment team"
            none="Routing decides"
            value={values.assignmentTeamId}
            onChange={(v) => set('assignmentTeamId', v)}
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
      {values.type === 'standard' ? (
        <EligibilityFields
          value={values.eligibility}
          onChange={(eligibility) => set('eligibility', eligibility)}
          errors={errors}
          disabled={disabled}
        />
      ) : (
        <Text size="xs" c="dimmed">
          Eligibility rules and pre-approval checks apply to standard changes: choose the standard type to set where changes from it may
          run.
        </Text>
      )}
    </Stack>
  );
}

interface EligibilityFieldsProps {
  value: TemplateEligibility;
  onChange: (value: TemplateEligibility) => void;
  errors: Record<string, ReactNode>;
  disabled: boolean;
}

/** Where a standard change from the entry may run, and what it must carry: the rules its pre-approval checks apply. */
function EligibilityFields({ value, onChange, errors, disabled }: EligibilityFieldsProps) {
  const services = useServiceOptions();
  const windows = useWindows();
  const set = <K extends keyof TemplateEligibility>(key: K, v: TemplateEligibility[K]) => onChange({ ...value, [key]: v });
  const windowNames = [...new Set([...(windows.data?.items ?? []).map((w) => w.name), ...value.windows])];
  const error = (key: keyof TemplateEligibility) => errors[`eligibility.${key}`];

  return (
    <Fieldset legend="Eligibility: where a standard change from it may run" variant="filled" p="sm">
      <Stack gap="sm">
        <Text size="xs" c="gray.7">
          A change filed from this entry is checked against these rules when it is filed and again before it is implemented. If one fails,
          the change is filed as a normal change with approvals (or refused, as the policy says). Leave a rule empty for no limit.
        </Text>
        <SimpleGrid cols={{ base: 1, sm: 2, lg: 3 }} spacing="sm">
          <MultiSelect
            label="Services"
            description="Its CIs belong to one of these"
            placeholder={value.services.length ? undefined : 'Any service'}
            data={services.data ?? []}
            value={value.services}
            onChange={(v) => set('services', v)}
            searchable
            clearable
            error={error('services')}
            disabled={disabled}
          />
          <TagsInput
            label="CI types"
            description="Its CIs are of one of these types (press Enter after each)"
            placeholder={value.ciTypes.length ? undefined : 'Any type'}
            value={value.ciTypes}
            onChange={(v) => set('ciTypes', v)}
            clearable
            error={error('ciTypes')}
            disabled={disabled}
          />
          <MultiSelect
            label="Environments"
            description="Its CIs are in one of these"
            placeholder={value.environments.length ? undefined : 'Any environment'}
            data={environmentOptions}
            value={value.environments}
            onChange={(v) => set('environments', v)}
            clearable
            error={error('environments')}
            disabled={disabled}
          />
          <Select
            label="Highest risk"
            description="The most risk, as scored, a change from it may carry"
            placeholder="Any risk"
            data={riskOptions}
            value={value.maxRisk}
            onChange={(v) => set('maxRisk', v as RiskLevel | null)}
            clearable
            error={error('maxRisk')}
            disabled={disabled}
          />
          <MultiSelect
            label="Windows"
            description="It is planned inside one of these maintenance windows"
            placeholder={value.windows.length ? undefined : 'Any time'}
            data={windowNames}
            value={value.windows}
            onChange={(v) => set('windows', v)}
            searchable
            clearable
            error={error('windows')}
            disabled={disabled}
          />
          <NumberInput
            label="Most CIs reachable"
            description="Dependency analysis: CIs reachable over the CMDB from its CIs"
            placeholder="No limit"
            min={0}
            max={100000}
            allowDecimal={false}
            allowNegative={false}
            value={value.maxImpact ?? ''}
            onChange={(v) => set('maxImpact', typeof v === 'number' ? v : v === '' ? null : Number(v))}
            error={error('maxImpact')}
            disabled={disabled}
          />
          <MultiSelect
            label="Required evidence"
            description="Attached before implementation (a warning when filed)"
            placeholder={value.requiredEvidence.length ? undefined : 'None required'}
            data={evidenceOptions}
            value={value.requiredEvidence}
            onChange={(v) => set('requiredEvidence', v as TemplateEligibility['requiredEvidence'])}
            clearable
            error={error('requiredEvidence')}
            disabled={disabled}
          />
          <Select
            label="Known errors on its CIs"
            description="What a known error on its CIs makes of the check: a warning keeps the change standard, a failing check makes it normal"
            data={knownErrorOptions}
            value={value.knownErrors}
            onChange={(v) => v && set('knownErrors', v as TemplateEligibility['knownErrors'])}
            allowDeselect={false}
            error={error('knownErrors')}
            disabled={disabled}
          />
        </SimpleGrid>
        <Textarea
          label="Rule (CEL)"
          description="A condition over change, cis and services that must hold, for what the fields above cannot say; empty for none. For example: cis.all(c, c.environment != 'production' || c.criticality != 'critical')"
          autosize
          minRows={2}
          maxRows={8}
          maxLength={5000}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
          value={value.rule}
          onChange={(e) => set('rule', e.currentTarget.value)}
          error={error('rule')}
          disabled={disabled}
          name="eligibility.rule"
          spellCheck={false}
        />
      </Stack>
    </Fieldset>
  );
}
