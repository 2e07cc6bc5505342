import { ActionIcon, Alert, Button, Code, FileInput, Group, List, Paper, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type FormEvent, useRef, useState } from 'react';
import { ApiError, messageOf } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { type AppliedPolicy, bundleIssuesOf, fetchPolicyVersion, useApplyPolicy, usePreviewPolicy } from './policy-api';
import { PolicyImpact } from './policy-impact';
import { PolicyTestResults, TestSummary } from './policy-test-results';

interface FileEntry {
  key: number;
  name: string;
  text: string;
  /** Whether its text is shown for editing; files with problems open by themselves. */
  open: boolean;
}

// The same rule as the API: a plain name, or a test case file under tests/.
const FILE_NAME = /^(tests\/)?[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/;

/** A problem with the file names, before anything is sent; null when they are fine. */
function nameProblem(entry: FileEntry, all: FileEntry[]): string | null {
  const name = entry.name.trim();
  if (!name) return 'Name the file, e.g. teams.yaml';
  if (!FILE_NAME.test(name)) return 'A plain file name ending in .yaml or .yml (test cases: tests/NAME.yaml)';
  if (all.filter((e) => e.name.trim() === name).length > 1) return 'Two files have this name';
  return null;
}

interface ApplyPolicyFormProps {
  /** The active version, offered as a starting point. */
  activeNumber: number | null;
  onApplied: (result: AppliedPolicy) => void;
  onCancel: () => void;
}

/** The files as they would be sent, in name order. */
const filesOf = (entries: FileEntry[]) =>
  Object.fromEntries(entries.map((e) => [e.name.trim(), e.text] as const).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Applies a bundle as a new policy version: files uploaded, pasted, or copied from the active version and
 * edited. First a preview: the bundle is checked, its test cases run and its impact on open changes shown;
 * applying comes after, for exactly the previewed files. A refused bundle lists every problem with its
 * file, line and column.
 */
export function ApplyPolicyForm({ activeNumber, onApplied, onCancel }: ApplyPolicyFormProps) {
  const apply = useApplyPolicy();
  const preview = usePreviewPolicy();
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
      preview.reset();
    } catch (err) {
      setLoadError(messageOf(err));
    } finally {
      setLoadingActive(false);
    }
  };

  const update = (key: number, patch: Partial<FileEntry>) =>
    setEntries((current) => current.map((e) => (e.key === key ? { ...e, ...patch } : e)));
  const remove = (key: number) => setEntries((current) => current.filter((e) => e.key !== key));

  const openFilesWithProblems = (error: unknown) => {
    const withProblems = new Set(bundleIssuesOf(error).map((i) => i.file));
    setEntries((current) => current.map((e) => (withProblems.has(e.name.trim()) ? { ...e, open: true } : e)));
  };

  const files = filesOf(entries);
  // A preview stands for exactly the files it was made of: any edit asks for a new one.
  const previewed = preview.data !== undefined && JSON.stringify(preview.variables) === JSON.stringify(files) ? preview.data : null;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (entries.length === 0) return;
    if (entries.some((e) => nameProblem(e, entries))) {
      setShowNameErrors(true);
      return;
    }
    if (!previewed) {
      apply.reset();
      preview.mutate(files, { onError: openFilesWithProblems });
      return;
    }
    apply.mutate(files, {
      onSuccess: (result) => {
        if (result.applied) onApplied(result);
      },
      onError: openFilesWithProblems,
    });
  };

  // The latest refusal, from the preview or from applying.
  const refusal = apply.error ?? (previewed || preview.isPending ? null : preview.error);
  const issues = bundleIssuesOf(refusal);
  const issueCount = (name: string) => issues.filter((i) => i.file === name.trim()).length;
  const refused = refusal instanceof ApiError && refusal.code === 'invalid_policy';

  return (
    <form onSubmit={onSubmit} aria-label="Apply a new policy version" noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          Upload the bundle’s .yaml files, paste them, or start from the active version and edit it. Preview first: the whole bundle is
          checked, its test cases run, and you see what it would change for open changes. Nothing is applied unless every file is valid and
          every team it names exists.
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
              preview again.
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
        {refusal && !refused && <ErrorAlert error={refusal} title="The bundle was not applied" />}
        {previewed && (
          <Paper withBorder p="sm" radius="sm" component="section" aria-label="Preview">
            <Stack gap="sm">
              <Group justify="space-between">
                <Title order={3} size="h6">
                  Preview of “{previewed.name}”
                </Title>
                <TestSummary report={previewed.tests} />
              </Group>
              {previewed.sameAsActive && (
                <Text size="sm" c="dimmed">
                  The active version already has exactly this content.
                </Text>
              )}
              <Title order={4} size="h6">
                Test cases
              </Title>
              <PolicyTestResults report={previewed.tests} label="Test cases of the new version" />
              <Title order={4} size="h6">
                Impact on open changes
              </Title>
              <PolicyImpact diff={previewed.diff} />
            </Stack>
          </Paper>
        )}
        {apply.data && !apply.data.applied && (
          <Alert color="blue" variant="light" role="status">
            Version {apply.data.number} already has exactly this content; nothing was applied.
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          {previewed ? (
            <Button
              type="submit"
              loading={apply.isPending}
              color={previewed.tests.failed > 0 || previewed.tests.issues.length > 0 ? 'orange' : undefined}
            >
              Apply as a new version
            </Button>
          ) : (
            <Button type="submit" loading={preview.isPending} disabled={entries.length === 0}>
              Preview
            </Button>
          )}
        </Group>
      </Stack>
    </form>
  );
}
