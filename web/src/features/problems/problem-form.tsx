import { Grid, Stack, Textarea, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { CiMultiSelect } from '../cmdb/ci-multi-select';
import { listError, PriorityField, textFieldsOf } from '../incidents/record-fields';
import { parseNumbers } from './problem-words';
import type { CreateProblemInput, Problem, UpdateProblemInput } from './problems-api';

/** What the problem form edits; links are typed as numbers (INC…, CHG…), comma-separated. */
export interface ProblemFormValues {
  title: string;
  description: string;
  priority: number;
  ciIds: string[];
  rootCause: string;
  incidents: string;
  causedBy: string;
  fixedBy: string;
}

export const emptyProblemForm: ProblemFormValues = {
  title: '',
  description: '',
  priority: 3,
  ciIds: [],
  rootCause: '',
  incidents: '',
  causedBy: '',
  fixedBy: '',
};

/** Fields the form shows; issues on other paths go in an alert above it. */
export const PROBLEM_FORM_FIELDS = [
  'title',
  'description',
  'priority',
  'ciIds',
  'rootCause',
  'incidentIds',
  'causedByChangeIds',
  'fixChangeIds',
];

export function formFromProblem(p: Problem): ProblemFormValues {
  return {
    title: p.title,
    description: p.description,
    priority: p.priority,
    ciIds: p.ciIds,
    rootCause: p.rootCause,
    incidents: p.incidents.map((i) => i.number).join(', '),
    causedBy: p.causedByChanges.map((c) => c.number).join(', '),
    fixedBy: p.fixChanges.map((c) => c.number).join(', '),
  };
}

export function toCreateProblemInput(v: ProblemFormValues): CreateProblemInput {
  return {
    title: v.title,
    description: v.description,
    priority: v.priority,
    ciIds: v.ciIds,
    rootCause: v.rootCause,
    incidentIds: parseNumbers(v.incidents),
    causedByChangeIds: parseNumbers(v.causedBy),
    fixChangeIds: parseNumbers(v.fixedBy),
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** Only what differs from the stored problem, so a save never overwrites what someone else changed. */
export function toUpdateProblemInput(p: Problem, v: ProblemFormValues): UpdateProblemInput {
  const before = formFromProblem(p);
  const patch: UpdateProblemInput = {};
  if (v.title !== before.title) patch.title = v.title;
  if (v.description !== before.description) patch.description = v.description;
  if (v.priority !== before.priority) patch.priority = v.priority;
  if (!sameList(v.ciIds, before.ciIds)) patch.ciIds = v.ciIds;
  if (v.rootCause !== before.rootCause) patch.rootCause = v.rootCause;
  if (!sameList(parseNumbers(v.incidents), parseNumbers(before.incidents))) patch.incidentIds = parseNumbers(v.incidents);
  if (!sameList(parseNumbers(v.causedBy), parseNumbers(before.causedBy))) patch.causedByChangeIds = parseNumbers(v.causedBy);
  if (!sameList(parseNumbers(v.fixedBy), parseNumbers(before.fixedBy))) patch.fixChangeIds = parseNumbers(v.fixedBy);
  return patch;
}

interface ProblemFormProps {
  values: ProblemFormValues;
  onChange: (values: ProblemFormValues) => void;
  errors?: Record<string, ReactNode>;
  disabled?: boolean;
}

/** The fields of a problem, shared by the new-problem page and the problem page. */
export function ProblemForm({ values, onChange, errors = {}, disabled = false }: ProblemFormProps) {
  const set = <K extends keyof ProblemFormValues>(key: K, value: ProblemFormValues[K]) => onChange({ ...values, [key]: value });
  const text = textFieldsOf(values, onChange, errors, disabled);
  return (
    <Stack gap="sm">
      <TextInput label="Title" description="The underlying fault, not one of its symptoms" required maxLength={200} {...text('title')} />
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, sm: 4 }}>
          <PriorityField value={values.priority} onChange={(v) => set('priority', v)} error={errors.priority} disabled={disabled} />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 8 }}>
          <CiMultiSelect value={values.ciIds} onChange={(v) => set('ciIds', v)} error={listError(errors, 'ciIds')} disabled={disabled} />
        </Grid.Col>
      </Grid>
      <Textarea label="Description" autosize minRows={3} {...text('description')} />
      <TextInput
        label="Incidents"
        description="The incidents this problem explains, by number (INC0000012), separated by commas"
        {...text('incidents')}
        error={listError(errors, 'incidentIds')}
      />
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <TextInput
            label="Caused by changes"
            description="Changes that brought the fault in (CHG0000012, …)"
            {...text('causedBy')}
            error={listError(errors, 'causedByChangeIds')}
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, sm: 6 }}>
          <TextInput
            label="Fixed by changes"
            description="When one of them closes successfully, the problem is resolved"
            {...text('fixedBy')}
            error={listError(errors, 'fixChangeIds')}
          />
        </Grid.Col>
      </Grid>
      <Textarea label="Root cause" description="What analysis found; empty until it is known" autosize minRows={2} {...text('rootCause')} />
    </Stack>
  );
}
