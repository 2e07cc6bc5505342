import { ActionIcon, Alert, Button, Code, FileInput, Group, List, Paper, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useRef, useState } from 'react';
import { ApiError, messageOf } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { type AppliedPolicy, bundleIssuesOf, fetchPolicyVersion, useApplyPolicy } from './policy-api';

interface FileEntry {
  key: number;
  name: string;
  text: string;
  /** Whether its text is shown for editing; files with problems open by themselves. */
  open: boolean;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/;

/** A problem with the file names, before anything is sent; null when they are fine. */
function nameProblem(entry: FileEntry, all: FileEntry[]): string | null {
  const name = entry.name.trim();
  if (!name) return 'Name the file, e.g. teams.yaml';
  if (!FILE_NAME.test(name)) return 'A plain file name ending in .yaml or .yml';
  if (all.filter((e) => e.name.trim() === name).length > 1) return 'Two files have this name';
  return null;
}

interface ApplyPolicyFormProps {
  /** The active version, offered as a starting point. */
  activeNumber: number | null;
  onApplied: (result: AppliedPolicy) => void;
  onCancel: () => void;
}

/**
 * Applies a bundle as a new policy version: files uploaded, pasted, or copied from the active version and
 * edited. A refused bundle lists every problem with its file, line and column.
 */
export function ApplyPolicyForm({ activeNumber, onApplied, onCancel }: ApplyPolicyFormProps) {
  const apply = useApplyPolicy();
  const nextKey = useRef(1);
  const [entries, setEntries] = useState<FileEntry[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [loadingActive, setLoadingActive] = useState(false);
  const [showNameErrors, setShowNameErrors] = useState(false);

  const entry = (name: string, text: string, open = false): FileEntry => ({ key: nextKey.current++, name, text, open });
  /** Adds files, replacing any already there under the same name. */
  const addFiles = (files: { name: string; text: string }[]) =>
    setEntries((current) => {
      const names = new Set(files.map((f) => f.name));
      return [...current.filter((e) => !names.has(e.name)), ...files.map((f) => entry(f.name, f.text))].sort((a, b) =>
        a.name.localeCompare(b.name),
      );
    });

  const onUpload = async (files: File[]) => {
    setLoadError(null);
    try {
      addFiles(await Promise.all(files.map(async (f) => ({ name: f.name, text: await f.text() }))));
    } catch {
      setLoadError('Cannot read the files you chose.');
    }
  };

  const startFromActive = async () => {
    if (activeNumber === null) return;
    setLoadError(null);
    setLoadingActive(true);
    try {
      const version = await fetchPolicyVersion(activeNumber);
      setEntries(
        Object.entries(version.files)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, text]) => entry(name, text)),
      );
      apply.reset();
    } catch (err) {
      setLoadError(messageOf(err));
    } finally {
      setLoadingActive(false);
    }
  };

  const update = (key: number, patch: Partial<FileEntry>) =>
    setEntries((current) => current.map((e) => (e.key === key ? { ...e, ...patch } : e)));
  const remove = (key: number) => setEntries((current) => current.filter((e) => e.key !== key));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (entries.length === 0) return;
    if (entries.some((e) => nameProblem(e, entries))) {
      setShowNameErrors(true);
      return;
    }
    apply.mutate(Object.fromEntries(entries.map((e) => [e.name.trim(), e.text])), {
      onSuccess: (result) => {
        if (result.applied) onApplied(result);
      },
      onError: (error) => {
        const withProblems = new Set(bundleIssuesOf(error).map((i) => i.file));
        setEntries((current) => current.map((e) => (withProblems.has(e.name.trim()) ? { ...e, open: true } : e)));
      },
    });
  };

  const issues = bundleIssuesOf(apply.error);
  const issueCount = (name: string) => issues.filter((i) => i.file === name.trim()).length;
  const refused = apply.error instanceof ApiError && apply.error.code === 'invalid_policy';

  return (
    <form onSubmit={onSubmit} aria-label="Apply a new policy version" noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Upload the bundle’s .yaml files, paste them, or start from the active version and edit it. The whole bundle is checked first:
          nothing is applied unless every file is valid and every team it names exists.
        </Text>
        <Group align="flex-end" gap="sm">
          <FileInput
            label="Upload .yaml files"
            placeholder="Choose one or more files"
            accept=".yaml,.yml"
            multiple
            value={[]}
            onChange={(files) => void onUpload(files)}
            w={280}
          />
          {activeNumber !== null && (
            <Button variant="default" onClick={() => void startFromActive()} loading={loadingActive}>
              Start from version {activeNumber}
            </Button>
          )}
          <Button variant="default" onClick={() => setEntries((current) => [...current, entry('', '', true)])}>
            Add a file
          </Button>
        </Group>
        {loadError && (
          <Alert color="red" variant="light" role="alert">
            {loadError}
          </Alert>
        )}
        {entries.length === 0 && (
          <Text size="sm" c="dimmed">
            No files yet.
          </Text>
        )}
        {entries.map((e) => {
          const problem = showNameErrors ? nameProblem(e, entries) : null;
          const count = issueCount(e.name);
          const title = e.name.trim() || 'new file';
          const lines = e.text ? e.text.replace(/\n$/, '').split('\n').length : 0;
          return (
            <Paper key={e.key} withBorder p="sm" radius="sm">
              <Stack gap={6}>
                <Group gap="xs" align="flex-start" wrap="nowrap">
                  <TextInput
                    aria-label={`Name of ${title}`}
                    placeholder="teams.yaml"
                    value={e.name}
                    onChange={(ev) => update(e.key, { name: ev.currentTarget.value })}
                    error={problem}
                    w={260}
                    styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  />
                  <Text size="sm" c="dimmed" pt={6}>
                    {lines} line{lines === 1 ? '' : 's'}
                  </Text>
                  {count > 0 && (
                    <Text size="sm" c="red.8" fw={500} pt={6}>
                      {count} problem{count === 1 ? '' : 's'} in this file
                    </Text>
                  )}
                  <Group gap={4} ml="auto" wrap="nowrap">
                    <Button
                      size="xs"
                      variant="subtle"
                      onClick={() => update(e.key, { open: !e.open })}
                      aria-label={`${e.open ? 'Hide' : 'Edit'} ${title}`}
                      aria-expanded={e.open}
                    >
                      {e.open ? 'Hide' : 'Edit'}
                    </Button>
                    <ActionIcon
                      variant="subtle"
                      color="gray"
                      onClick={() => remove(e.key)}
                      aria-label={`Remove ${title}`}
                      title="Remove this file"
                    >
                      ✕
                    </ActionIcon>
                  </Group>
                </Group>
                {e.open && (
                  <Textarea
                    aria-label={`Content of ${title}`}
                    value={e.text}
                    onChange={(ev) => update(e.key, { text: ev.currentTarget.value })}
                    autosize
                    minRows={4}
                    maxRows={18}
                    spellCheck={false}
                    styles={{
                      input: {
                        fontFamily: 'var(--mantine-font-family-monospace)',
                        fontSize: 12,
                        borderColor: count > 0 ? 'var(--mantine-color-red-6)' : undefined,
                      },
                    }}
                  />
                )}
              </Stack>
            </Paper>
          );
        })}
        {refused && (
          <Alert color="red" variant="light" title="The bundle was not applied" role="alert">
            <Text size="sm" mb={4}>
              {issues.length === 1 ? 'It has 1 problem' : `It has ${issues.length} problems`}; fix {issues.length === 1 ? 'it' : 'them'} and
              apply again.
            </Text>
            <List size="sm" spacing={2} aria-label="Problems in the bundle">
              {issues.map((i, n) => (
                <List.Item key={`${i.file}:${i.line}:${i.column}:${n}`}>
                  <Code>
                    {i.file}:{i.line}:{i.column}
                  </Code>{' '}
                  {i.path && <Code color="red.0">{i.path}</Code>} {i.message}
                </List.Item>
              ))}
            </List>
          </Alert>
        )}
        {apply.isError && !refused && <ErrorAlert error={apply.error} title="The bundle was not applied" />}
        {apply.data && !apply.data.applied && (
          <Alert color="blue" variant="light" role="status">
            Version {apply.data.number} already has exactly this content; nothing was applied.
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={apply.isPending} disabled={entries.length === 0}>
            Apply as a new version
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
