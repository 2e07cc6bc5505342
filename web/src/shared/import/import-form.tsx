import { Button, FileInput, Group, Stack, Textarea } from '@mantine/core';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ErrorAlert } from '../error-alert';

/** The part of the import mutation the form shows: its spinner, its refusal, and "Clear" forgetting its answer. */
export interface ImportMutationState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  reset: () => void;
}

export interface ImportSourceOptions {
  /** A file was chosen or cleared (before it is read). */
  onFileChosen?: () => void;
  /** New text, typed (with the text before it) or read from a file (with the file's name). */
  onText?: (text: string, from: { previous: string; fileName?: string }) => void;
}

/** The text to import, typed or read from a chosen file, so that both ways end in the same text box. */
export function useImportSource({ onFileChosen, onText }: ImportSourceOptions = {}) {
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [readError, setReadError] = useState<string | null>(null);

  const chooseFile = async (f: File | null) => {
    setFile(f);
    setReadError(null);
    onFileChosen?.();
    if (!f) return;
    try {
      const content = await f.text();
      setText(content);
      onText?.(content, { previous: text, fileName: f.name });
    } catch {
      setReadError(`Cannot read ${f.name}.`);
    }
  };

  const type = (value: string) => {
    setText(value);
    onText?.(value, { previous: text });
  };

  const clear = () => {
    setText('');
    setFile(null);
  };

  return { text, file, readError, chooseFile, type, clear };
}

export type ImportSource = ReturnType<typeof useImportSource>;

interface ImportFormProps {
  /** The form's name ("Import CIs"). */
  label: string;
  source: ImportSource;
  mutation: ImportMutationState;
  file: { label: string; placeholder: string; accept: string };
  /** Beside the file input: the format switch of an import that reads more than one. */
  beside?: ReactNode;
  data: { label: string; description: ReactNode; placeholder: string };
  /** Between the text and the buttons: the import's options (a dry run). */
  options?: ReactNode;
  submitLabel: string;
  /** More buttons, after the submit one and before "Clear". */
  actions?: ReactNode;
  /** Runs the import; only called when there is text. */
  onSubmit: () => void;
}

/** An import page's form: a file or pasted text, what the server refused, and the buttons; each page says its words. */
export function ImportForm({ label, source, mutation, file, beside, data, options, submitLabel, actions, onSubmit }: ImportFormProps) {
  const empty = !source.text.trim();
  const fileInput = (
    <FileInput
      label={file.label}
      placeholder={file.placeholder}
      accept={file.accept}
      value={source.file}
      onChange={(f) => void source.chooseFile(f)}
      clearable
      w={320}
      error={source.readError}
    />
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!empty) onSubmit();
  };

  return (
    <form onSubmit={submit} aria-label={label} noValidate>
      <Stack gap="sm" maw={900}>
        {beside ? (
          <Group align="flex-end" gap="sm">
            {fileInput}
            {beside}
          </Group>
        ) : (
          fileInput
        )}
        <Textarea
          label={data.label}
          description={data.description}
          placeholder={data.placeholder}
          value={source.text}
          onChange={(e) => source.type(e.currentTarget.value)}
          autosize
          minRows={8}
          maxRows={20}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        />
        {options}
        {mutation.isError && <ErrorAlert error={mutation.error} title="Nothing was imported" />}
        <Group>
          <Button type="submit" loading={mutation.isPending} disabled={empty}>
            {submitLabel}
          </Button>
          {actions}
          {source.text && (
            <Button
              variant="default"
              onClick={() => {
                source.clear();
                mutation.reset();
              }}
            >
              Clear
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
