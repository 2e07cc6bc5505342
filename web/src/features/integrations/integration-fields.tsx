import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  NumberInput,
  PasswordInput,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { issuesByField } from '../../api/client';
import { formatDateTime } from '../../shared/format';
import { UnplacedIssues } from '../changes/field-errors';
import type { IntegrationSettings } from './integrations-api';

/** A saved secret as the form says it: set (with its last characters when the server gives them) or not. */
export function secretDescription(settings: IntegrationSettings | undefined, name: string): string {
  const state = settings?.secrets[name];
  if (!state?.configured) return 'Not set yet.';
  return `Configured${state.hint ? ` (ends in …${state.hint})` : ''}. It is never shown again; leave this empty to keep it, or type a new one to replace it.`;
}

/** A write-only secret: typed, sent once, never read back. */
export function SecretInput({
  label,
  name,
  settings,
  value,
  onChange,
  error,
  multiline = false,
}: {
  label: string;
  name: string;
  settings: IntegrationSettings | undefined;
  value: string;
  onChange: (v: string) => void;
  error?: ReactNode;
  multiline?: boolean;
}) {
  const configured = !!settings?.secrets[name]?.configured;
  const props = {
    label,
    description: secretDescription(settings, name),
    placeholder: configured ? 'Configured: leave empty to keep' : undefined,
    value,
    error,
    autoComplete: 'off',
  };
  return multiline ? (
    <Textarea
      {...props}
      onChange={(e) => onChange(e.currentTarget.value)}
      autosize
      minRows={3}
      maxRows={8}
      styles={{ input: { fontFamily: 'monospace' } }}
      spellCheck={false}
    />
  ) : (
    <PasswordInput {...props} onChange={(e) => onChange(e.currentTarget.value)} />
  );
}

/** Whether the integration has everything it needs, and who saved it last. */
export function ConfiguredBadge({ settings }: { settings: IntegrationSettings }) {
  return (
    <Group gap="xs">
      <Badge color={settings.configured ? 'green' : 'gray'} variant="light" radius="sm" tt="none" data-testid="integration-state">
        {settings.configured ? 'Configured' : 'Not configured'}
      </Badge>
      {settings.updatedAt && (
        <Text size="xs" c="dimmed">
          Saved {formatDateTime(settings.updatedAt)}
          {settings.updatedBy ? ` by ${settings.updatedBy}` : ''}
        </Text>
      )}
    </Group>
  );
}

/** A value to copy: the webhook address, a generated secret. */
export function CopyValue({ label, value }: { label: string; value: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, wordBreak: 'break-all' }} aria-label={label}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="xs" color={copied ? 'teal' : 'blue'} onClick={copy} aria-label={`Copy the ${label.toLowerCase()}`}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

/** Where the forge sends its webhooks: Cabinet's own address and the path. */
export function WebhookAddress({ settings }: { settings: IntegrationSettings }) {
  if (!settings.webhookPath) return null;
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        Webhook address
      </Text>
      <CopyValue label="Webhook address" value={`${window.location.origin}${settings.webhookPath}`} />
    </Stack>
  );
}

const GENERATED_NAMES: Record<string, string> = { webhookSecret: 'Webhook secret', webhookToken: 'Webhook secret token' };

/** A secret Cabinet generated on save: shown this once, to paste into the forge. */
export function GeneratedSecrets({ generated, onDismiss }: { generated: Record<string, string> | undefined; onDismiss: () => void }) {
  const entries = Object.entries(generated ?? {});
  if (entries.length === 0) return null;
  return (
    <Alert color="green" variant="light" title="New secret generated" role="status" data-testid="generated-secret">
      <Text size="sm" mb="xs">
        Paste it into the forge&apos;s webhook settings now. Cabinet keeps it sealed and will not show it again.
      </Text>
      <Stack gap="xs">
        {entries.map(([name, value]) => (
          <Stack gap={2} key={name}>
            <Text size="sm" fw={600}>
              {GENERATED_NAMES[name] ?? name}
            </Text>
            <CopyValue label={GENERATED_NAMES[name] ?? name} value={value} />
          </Stack>
        ))}
      </Stack>
      <Button size="xs" variant="subtle" mt="xs" onClick={onDismiss}>
        I have copied it
      </Button>
    </Alert>
  );
}

/** `{ prod: 'production' }` ⇄ "prod = production", one a line, for the mapping text areas. */
export function mapToLines(map: Record<string, string> | undefined): string {
  return Object.entries(map ?? {})
    .map(([k, v]) => `${k} = ${v}`)
    .join('\n');
}

/** Reads "key = value" lines; a line without "=" is a problem, named by its number. */
export function linesToMap(text: string): { map: Record<string, string>; problems: string[] } {
  const map: Record<string, string> = {};
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed) return;
    const at = trimmed.indexOf('=');
    const key = at > 0 ? trimmed.slice(0, at).trim() : '';
    const value = at > 0 ? trimmed.slice(at + 1).trim() : '';
    if (!key || !value) problems.push(`Line ${i + 1}: write it as “name = value”.`);
    else map[key] = value;
  });
  return { map, problems };
}

/** The server's issues for a field and its sub-paths (`repositories.0.repository`), joined. */
export function fieldError(error: unknown, field: string, local?: string[]): string | undefined {
  const messages = [...(local ?? []), ...(issuesByField(error)[field] ?? [])];
  return messages.length ? messages.join(' ') : undefined;
}

/** The remove button of a row in a settings list. */
export function RemoveRow({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <ActionIcon variant="subtle" color="red.8" aria-label={label} onClick={onClick} mt={26}>
      <span aria-hidden>×</span>
    </ActionIcon>
  );
}

/** What GitHub and GitLab settings share: environment names, people, and the longest a deployment may wait. */
export interface ForgeCommonValues {
  environments: string;
  people: string;
  deadlineMinutes: number;
}

export function forgeCommonOf(v: {
  environments?: Record<string, string>;
  people?: { login: string; email: string }[];
  deadlineMinutes?: number;
}): ForgeCommonValues {
  return {
    environments: mapToLines(v.environments),
    people: (v.people ?? []).map((p) => `${p.login} = ${p.email}`).join('\n'),
    deadlineMinutes: v.deadlineMinutes ?? 1440,
  };
}

/** The shared values as the API takes them, or the problems of their lines. */
export function forgeCommonInput(v: ForgeCommonValues) {
  const environments = linesToMap(v.environments);
  const people = linesToMap(v.people);
  return {
    problems: { environments: environments.problems, people: people.problems },
    ok: environments.problems.length === 0 && people.problems.length === 0,
    input: {
      environments: environments.map,
      people: Object.entries(people.map).map(([login, email]) => ({ login, email })),
      deadlineMinutes: v.deadlineMinutes,
    },
  };
}

export function ForgeCommonFields({
  forge,
  values,
  onChange,
  error,
}: {
  forge: 'GitHub' | 'GitLab';
  values: ForgeCommonValues;
  onChange: (values: ForgeCommonValues) => void;
  error: unknown;
}) {
  const { problems } = forgeCommonInput(values);
  return (
    <>
      <Group align="flex-start" grow>
        <Textarea
          label="Environments"
          description={`One a line: ${forge}'s name = Cabinet's (prod = production). Others pass as they are, in lower case.`}
          autosize
          minRows={2}
          value={values.environments}
          onChange={(e) => onChange({ ...values, environments: e.currentTarget.value })}
          error={fieldError(error, 'environments', problems.environments)}
        />
        <Textarea
          label="People"
          description={`One a line: ${forge} login = email of their Cabinet account.`}
          autosize
          minRows={2}
          value={values.people}
          onChange={(e) => onChange({ ...values, people: e.currentTarget.value })}
          error={fieldError(error, 'people', problems.people)}
        />
      </Group>
      <NumberInput
        label="Longest wait, in minutes"
        description="A deployment waiting on the gate longer than this is rejected, so no run waits for days."
        min={1}
        max={43200}
        value={values.deadlineMinutes}
        onChange={(v) => onChange({ ...values, deadlineMinutes: typeof v === 'number' ? v : 1440 })}
        error={fieldError(error, 'deadlineMinutes')}
        w={320}
      />
    </>
  );
}

/** Under a settings form: what was not placed under a field, "Saved.", and the save button. */
export function SettingsFooter({
  save,
  fields,
  what,
}: {
  save: { isError: boolean; isSuccess: boolean; isPending: boolean; error: unknown };
  fields: string[];
  what: string;
}) {
  return (
    <>
      {save.isError && <UnplacedIssues error={save.error} placed={fields} title={`The ${what} settings were not saved`} />}
      {save.isSuccess && (
        <Text size="sm" c="green.8" role="status">
          Saved.
        </Text>
      )}
      <Group>
        <Button type="submit" loading={save.isPending}>
          Save the {what} settings
        </Button>
      </Group>
    </>
  );
}

/** A list of rows in a settings form (repositories, projects, applications): its title, the rows, their problems and "Add". */
export function RowsField({
  title,
  hint,
  error,
  addLabel,
  onAdd,
  children,
}: {
  title: string;
  hint?: string;
  error: string | undefined;
  addLabel: string;
  onAdd: () => void;
  children: ReactNode;
}) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        {title}
      </Text>
      {hint && (
        <Text size="xs" c="dimmed">
          {hint}
        </Text>
      )}
      {children}
      {error && (
        <Text size="xs" c="red.8" role="alert">
          {error}
        </Text>
      )}
      <Group>
        <Button variant="default" size="xs" onClick={onAdd}>
          {addLabel}
        </Button>
      </Group>
    </Stack>
  );
}
