import { Stack, Textarea, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { CiMultiSelect } from '../cmdb/ci-multi-select';
import { listError, textFieldsOf } from '../incidents/record-fields';
import type { CreateKnownErrorInput, KnownError, UpdateKnownErrorInput } from './problems-api';

export interface KnownErrorFormValues {
  title: string;
  cause: string;
  workaround: string;
  ciIds: string[];
  /** A problem number (PRB0000012), or empty for none. */
  problem: string;
}

export const emptyKnownErrorForm: KnownErrorFormValues = { title: '', cause: '', workaround: '', ciIds: [], problem: '' };
export const KNOWN_ERROR_FORM_FIELDS = ['title', 'cause', 'workaround', 'ciIds', 'problemId'];

export function formFromKnownError(k: KnownError): KnownErrorFormValues {
  return { title: k.title, cause: k.cause, workaround: k.workaround, ciIds: k.ciIds, problem: k.problem?.number ?? '' };
}

export function toCreateKnownErrorInput(v: KnownErrorFormValues, publish: boolean): CreateKnownErrorInput {
  return {
    title: v.title,
    cause: v.cause,
    workaround: v.workaround,
    ciIds: v.ciIds,
    problemId: v.problem.trim() ? v.problem.trim().toUpperCase() : null,
    state: publish ? 'published' : 'draft',
  };
}

const sameList = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

export function toUpdateKnownErrorInput(k: KnownError, v: KnownErrorFormValues): UpdateKnownErrorInput {
  const before = formFromKnownError(k);
  const patch: UpdateKnownErrorInput = {};
  if (v.title !== before.title) patch.title = v.title;
  if (v.cause !== before.cause) patch.cause = v.cause;
  if (v.workaround !== before.workaround) patch.workaround = v.workaround;
  if (!sameList(v.ciIds, before.ciIds)) patch.ciIds = v.ciIds;
  if (v.problem.trim().toUpperCase() !== before.problem) patch.problemId = v.problem.trim() ? v.problem.trim().toUpperCase() : null;
  return patch;
}

interface KnownErrorFormProps {
  values: KnownErrorFormValues;
  onChange: (values: KnownErrorFormValues) => void;
  errors?: Record<string, ReactNode>;
  disabled?: boolean;
}

export function KnownErrorForm({ values, onChange, errors = {}, disabled = false }: KnownErrorFormProps) {
  const set = <K extends keyof KnownErrorFormValues>(key: K, value: KnownErrorFormValues[K]) => onChange({ ...values, [key]: value });
  const text = textFieldsOf(values, onChange, errors, disabled);
  return (
    <Stack gap="sm">
      <TextInput label="Title" description="The fault as people meet it" required maxLength={200} {...text('title')} />
      <CiMultiSelect
        label="CIs"
        value={values.ciIds}
        onChange={(v) => set('ciIds', v)}
        error={listError(errors, 'ciIds')}
        disabled={disabled}
      />
      <TextInput
        label="Problem"
        description="The problem it belongs to, by number (PRB0000012); empty for none"
        {...text('problem', 'problemId')}
      />
      <Textarea label="Cause" autosize minRows={2} {...text('cause')} />
      <Textarea
        label="Workaround"
        description="What to do until the fix lands, step by step. Shown as written on every change to these CIs."
        autosize
        minRows={4}
        {...text('workaround')}
      />
    </Stack>
  );
}
