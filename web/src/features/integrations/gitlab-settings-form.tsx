import { Checkbox, Group, NumberInput, Select, Stack, Switch, TextInput } from '@mantine/core';
import type { FormEvent } from 'react';
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
  WebhookSecretFields,
} from './integration-fields';
import type { IntegrationSettings, SettingsFormProps, SettingsInputOf } from './integrations-api';
import { patchRow, typedSecrets, useSettingsForm, withoutRow } from './settings-form';

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
  const { save, values, set, submit, textField, secretField } = useSettingsForm('gitlab', settings, formOf);
  const services = useServiceOptions();
  const setProject = (i: number, patch: Partial<ProjectRow>) => set('projects', patchRow(values.projects, i, patch));
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
      ...typedSecrets({ accessToken: values.accessToken, webhookToken: values.webhookToken }),
      ...(values.generateWebhookToken ? { generateWebhookToken: true } : {}),
      version: settings.version,
    };
    submit(input, (saved) => onGenerated(saved.generated));
  };

  return (
    <form onSubmit={onSubmit} aria-label="GitLab settings" noValidate>
      <Stack gap="sm" maw={820}>
        <Switch label="Use GitLab" checked={values.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        <TextInput
          label="GitLab address"
          description="https://gitlab.com, or your own (https://gitlab.example.com)."
          {...textField('baseUrl')}
        />
        <SecretInput label="Access token" {...secretField('accessToken')} />
        <WebhookSecretFields
          label="Webhook secret token"
          {...secretField('webhookToken')}
          generate={values.generateWebhookToken}
          onGenerateChange={(v) => set('generateWebhookToken', v)}
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
              <RemoveRow label={`Remove project ${i + 1}`} onClick={() => set('projects', withoutRow(values.projects, i))} />
            </Group>
          ))}
        </RowsField>
        <ForgeCommonFields forge="GitLab" values={values.common} onChange={(v) => set('common', v)} error={save.error} />
        <SettingsFooter save={save} fields={FIELDS} what="GitLab" />
      </Stack>
    </form>
  );
}
