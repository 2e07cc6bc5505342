import { Checkbox, Group, NumberInput, Select, Stack, Switch, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useServiceOptions } from '../cmdb/cmdb-api';
import {
  fieldError,
  ForgeCommonFields,
  forgeCommonInput,
  forgeCommonOf,
  RemoveRow,
  RowsField,
  SecretInput,
  SettingsFooter,
} from './integration-fields';
import { type IntegrationSettings, type SettingsFormProps, type SettingsInputOf, useSaveIntegrationSettings } from './integrations-api';

type GitLabInput = SettingsInputOf['gitlab'];
type ProjectRow = { projectId: number | ''; path: string; serviceId: string | null; syncFreezes: boolean };
const FIELDS = ['enabled', 'baseUrl', 'accessToken', 'webhookToken', 'projects', 'environments', 'people', 'deadlineMinutes'];

function formOf(s: IntegrationSettings) {
  const v = s.settings as Partial<GitLabInput>;
  return {
    enabled: v.enabled ?? true,
    baseUrl: v.baseUrl ?? 'https://gitlab.com',
    projects: (v.projects ?? []).map((p): ProjectRow => ({
      projectId: p.projectId,
      path: p.path ?? '',
      serviceId: p.serviceId,
      syncFreezes: p.syncFreezes ?? true,
    })),
    common: forgeCommonOf(v),
    accessToken: '',
    webhookToken: '',
    generateWebhookToken: false,
  };
}

/** GitLab: its address and token, the webhook's secret token, projects and the service each deploys. */
export function GitLabSettingsForm({ settings, onGenerated }: SettingsFormProps) {
  const save = useSaveIntegrationSettings('gitlab');
  const services = useServiceOptions();
  const [values, setValues] = useState(() => formOf(settings));
  const set = <K extends keyof typeof values>(key: K, value: (typeof values)[K]) => setValues((v) => ({ ...v, [key]: value }));
  const setProject = (i: number, patch: Partial<ProjectRow>) =>
    set(
      'projects',
      values.projects.map((p, j) => (j === i ? { ...p, ...patch } : p)),
    );
  const common = forgeCommonInput(values.common);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!common.ok) return;
    const input: GitLabInput = {
      enabled: values.enabled,
      baseUrl: values.baseUrl.trim(),
      projects: values.projects.map((p) => ({
        projectId: p.projectId === '' ? 0 : p.projectId,
        ...(p.path.trim() ? { path: p.path.trim() } : {}),
        serviceId: p.serviceId ?? '',
        syncFreezes: p.syncFreezes,
      })),
      ...common.input,
      ...(values.accessToken ? { accessToken: values.accessToken } : {}),
      ...(values.webhookToken ? { webhookToken: values.webhookToken } : {}),
      ...(values.generateWebhookToken ? { generateWebhookToken: true } : {}),
      version: settings.version,
    };
    save.mutate(input, {
      onSuccess: (saved) => {
        onGenerated(saved.generated);
        setValues(formOf(saved));
      },
    });
  };

  return (
    <form onSubmit={onSubmit} aria-label="GitLab settings" noValidate>
      <Stack gap="sm" maw={820}>
        <Switch label="Use GitLab" checked={values.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        <TextInput
          label="GitLab address"
          description="https://gitlab.com, or your own (https://gitlab.example.com)."
          value={values.baseUrl}
          onChange={(e) => set('baseUrl', e.currentTarget.value)}
          error={fieldError(save.error, 'baseUrl')}
        />
        <SecretInput
          label="Access token"
          name="accessToken"
          settings={settings}
          value={values.accessToken}
          onChange={(v) => set('accessToken', v)}
          error={fieldError(save.error, 'accessToken')}
        />
        <SecretInput
          label="Webhook secret token"
          name="webhookToken"
          settings={settings}
          value={values.webhookToken}
          onChange={(v) => set('webhookToken', v)}
          error={fieldError(save.error, 'webhookToken')}
        />
        <Checkbox
          label="Generate a new webhook secret token when saving (shown once)"
          checked={values.generateWebhookToken}
          onChange={(e) => set('generateWebhookToken', e.currentTarget.checked)}
        />
        <RowsField
          title="Projects and the service each deploys"
          error={fieldError(save.error, 'projects')}
          addLabel="Add a project"
          onAdd={() => set('projects', [...values.projects, { projectId: '', path: '', serviceId: null, syncFreezes: true }])}
        >
          {values.projects.map((p, i) => (
            <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
              <NumberInput
                label={`Project ${i + 1} id`}
                min={1}
                value={p.projectId}
                onChange={(v) => setProject(i, { projectId: typeof v === 'number' ? v : '' })}
                w={130}
              />
              <TextInput
                label={`Project ${i + 1} path`}
                placeholder="group/project"
                value={p.path}
                onChange={(e) => setProject(i, { path: e.currentTarget.value })}
                w={200}
              />
              <Select
                label={`Service of project ${i + 1}`}
                placeholder="Choose a service"
                data={services.data ?? []}
                searchable
                value={p.serviceId}
                onChange={(serviceId) => setProject(i, { serviceId })}
                w={220}
              />
              <Checkbox
                label="Export freezes"
                checked={p.syncFreezes}
                onChange={(e) => setProject(i, { syncFreezes: e.currentTarget.checked })}
                mt={32}
              />
              <RemoveRow
                label={`Remove project ${i + 1}`}
                onClick={() =>
                  set(
                    'projects',
                    values.projects.filter((_, j) => j !== i),
                  )
                }
              />
            </Group>
          ))}
        </RowsField>
        <ForgeCommonFields forge="GitLab" values={values.common} onChange={(v) => set('common', v)} error={save.error} />
        <SettingsFooter save={save} fields={FIELDS} what="GitLab" />
      </Stack>
    </form>
  );
}
