import { type ChangeEvent, useState } from 'react';
import { fieldError } from './integration-fields';
import { type IntegrationKind, type IntegrationSettings, type SettingsInputOf, useSaveIntegrationSettings } from './integrations-api';

/** The fields of a form's values that hold text. */
type TextKeys<V> = { [K in keyof V]: V[K] extends string ? K : never }[keyof V] & string;

/**
 * The state every integration settings form keeps: its values read from the saved settings, one field set at a
 * time, and after a save the values read again from what the server kept (secrets come back empty).
 */
export function useSettingsForm<K extends IntegrationKind, V>(
  kind: K,
  settings: IntegrationSettings,
  formOf: (s: IntegrationSettings) => V,
) {
  const save = useSaveIntegrationSettings(kind);
  const [values, setValues] = useState(() => formOf(settings));
  const set = <F extends keyof V>(key: F, value: V[F]) => setValues((v) => ({ ...v, [key]: value }));
  const submit = (input: SettingsInputOf[K], onSaved?: (saved: IntegrationSettings) => void) =>
    save.mutate(input, {
      onSuccess: (saved) => {
        onSaved?.(saved);
        setValues(formOf(saved));
      },
    });
  // A text field's props by its name: its value, its setter, and what the server said about it.
  const textField = (name: TextKeys<V>) => ({
    value: values[name] as string,
    onChange: (e: ChangeEvent<HTMLInputElement>) => set(name, e.currentTarget.value as V[TextKeys<V>]),
    error: fieldError(save.error, name),
  });
  const secretField = (name: TextKeys<V>) => ({
    name,
    settings,
    value: values[name] as string,
    onChange: (v: string) => set(name, v as V[TextKeys<V>]),
    error: fieldError(save.error, name),
  });
  return { save, values, set, submit, textField, secretField };
}

/** The rows of a settings list with row `i` changed. */
export function patchRow<T>(rows: T[], i: number, patch: Partial<T>): T[] {
  return rows.map((r, j) => (j === i ? { ...r, ...patch } : r));
}

/** The rows of a settings list without row `i`. */
export function withoutRow<T>(rows: T[], i: number): T[] {
  return rows.filter((_, j) => j !== i);
}

/** Only the secrets the person typed: an empty one keeps the saved secret, so it is not sent. */
export function typedSecrets<T extends Record<string, string>>(secrets: T): Partial<T> {
  return Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== '')) as Partial<T>;
}
