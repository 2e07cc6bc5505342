import { Select } from '@mantine/core';
import type { ChangeEvent, ReactNode } from 'react';
import { PRIORITY_LABELS } from '../../shared/labels';

/**
 * The pieces the forms of incidents, problems and known errors share: a text field bound to one key of the
 * form's values, the priority, and the issues of a list field.
 */

/**
 * The props of a TextInput or Textarea that edits `key` of `values`: its name, value, change, error (at `key`,
 * or at `errorKey` when the server names the field otherwise) and whether it is off.
 */
export function textFieldsOf<V>(values: V, onChange: (values: V) => void, errors: Record<string, ReactNode>, disabled: boolean) {
  return <K extends keyof V & string>(key: V[K] extends string ? K : never, errorKey: string = key) => ({
    name: key,
    value: values[key] as string,
    onChange: (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => onChange({ ...values, [key]: e.currentTarget.value }),
    error: errors[errorKey],
    disabled,
  });
}

/** The issues of a list field at any index (`incidentIds.1`), shown together on the field. */
export function listError(errors: Record<string, ReactNode>, key: string): ReactNode {
  const found = Object.entries(errors).filter(([path]) => path === key || path.startsWith(`${key}.`));
  return found.length > 0 ? found.map(([, message]) => message).join('; ') : undefined;
}

const PRIORITY_OPTIONS = [1, 2, 3, 4].map((p) => ({ value: String(p), label: PRIORITY_LABELS[p] ?? String(p) }));

/** Priority 1 (critical) to 4 (low). */
export function PriorityField({
  value,
  onChange,
  error,
  disabled,
}: {
  value: number;
  onChange: (priority: number) => void;
  error?: ReactNode;
  disabled: boolean;
}) {
  return (
    <Select
      label="Priority"
      data={PRIORITY_OPTIONS}
      value={String(value)}
      onChange={(v) => v && onChange(Number(v))}
      allowDeselect={false}
      error={error}
      disabled={disabled}
    />
  );
}
