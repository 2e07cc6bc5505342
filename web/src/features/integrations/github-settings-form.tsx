import { Group, Radio, Select, Stack, Switch, TextInput } from '@mantine/core';
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

type GitHubInput = SettingsInputOf['github'];
const FIELDS = [
  'enabled',
  'appId',
  'privateKey',
  'webhookSecret',
  'apiUrl',
  'reviewCountsAs',
  'peerApprovalMaxRisk',
  'repositories',
  'environments',
  'people',
  'deadlineMinutes',
];

function formOf(s: IntegrationSettings) {
  const v = s.settings as Partial<GitHubInput>;
  return {
    enabled: v.enabled ?? true,
    appId: v.appId ?? '',
    apiUrl: v.apiUrl ?? '',
    reviewCountsAs: v.reviewCountsAs ?? 'evidence',
    peerApprovalMaxRisk: v.peerApprovalMaxRisk ?? 'low',
    repositories: (v.repositories ?? []).map((r) => ({ repository: r.repository, serviceId: r.serviceId as string | null })),
    common: forgeCommonOf(v),
    privateKey: '',
    webhookSecret: '',
    generateWebhookSecret: false,
  };
}

/** The GitHub App: its id and key, the webhook secret, what a review counts for, repositories and people. */
export function GitHubSettingsForm({ settings, onGenerated }: SettingsFormProps) {
  const { save, values, set, submit, textField, secretField } = useSettingsForm('github', settings, formOf);
  const services = useServiceOptions();
  const common = forgeCommonInput(values.common);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!common.ok) return;
    const input: GitHubInput = {
      enabled: values.enabled,
      appId: values.appId.trim(),
      ...(values.apiUrl.trim() ? { apiUrl: values.apiUrl.trim() } : {}),
      reviewCountsAs: values.reviewCountsAs,
      peerApprovalMaxRisk: values.peerApprovalMaxRisk,
      repositories: values.repositories.map((r) => ({ repository: r.repository.trim(), serviceId: r.serviceId ?? '' })),
      ...common.input,
      ...typedSecrets({ privateKey: values.privateKey, webhookSecret: values.webhookSecret }),
      ...(values.generateWebhookSecret ? { generateWebhookSecret: true } : {}),
      version: settings.version,
    };
    submit(input, (saved) => onGenerated(saved.generated));
  };

  return (
    <form onSubmit={onSubmit} aria-label="GitHub App settings" noValidate>
      <Stack gap="sm" maw={820}>
        <Switch label="Use the GitHub App" checked={values.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
        <Group align="flex-start" grow>
          <TextInput label="App ID" description="The number on the App's settings page." required {...textField('appId')} />
          <TextInput
            label="GitHub API address"
            description="Leave empty for github.com; GitHub Enterprise: https://HOST/api/v3."
            {...textField('apiUrl')}
          />
        </Group>
        <SecretInput label="Private key (PEM)" multiline {...secretField('privateKey')} />
        <WebhookSecretFields
          label="Webhook secret"
          {...secretField('webhookSecret')}
          generate={values.generateWebhookSecret}
          onGenerateChange={(v) => set('generateWebhookSecret', v)}
        />
        <Radio.Group
          label="An approving pull request review counts as"
          value={values.reviewCountsAs}
          onChange={(v) => set('reviewCountsAs', v as typeof values.reviewCountsAs)}
        >
          <Stack gap={6} mt={6}>
            <Radio value="evidence" label="Evidence on the change" />
            <Radio
              value="peer_approval"
              label="The peer approval of a low-risk change"
              description="Only a reviewer who is neither the author nor a party to the change; it is evidence as well."
            />
          </Stack>
        </Radio.Group>
        {values.reviewCountsAs === 'peer_approval' && (
          <Select
            label="Highest risk a review may approve"
            data={[
              { value: 'low', label: 'Low' },
              { value: 'moderate', label: 'Moderate' },
            ]}
            value={values.peerApprovalMaxRisk}
            onChange={(v) => set('peerApprovalMaxRisk', (v ?? 'low') as typeof values.peerApprovalMaxRisk)}
            allowDeselect={false}
            w={240}
          />
        )}
        <RowsField
          title="Repositories and the service each deploys"
          error={fieldError(save.error, 'repositories')}
          addLabel="Add a repository"
          onAdd={() => set('repositories', [...values.repositories, { repository: '', serviceId: null }])}
        >
          {values.repositories.map((r, i) => (
            <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
              <TextInput
                label={`Repository ${i + 1}`}
                placeholder="owner/name"
                value={r.repository}
                onChange={(e) => set('repositories', patchRow(values.repositories, i, { repository: e.currentTarget.value }))}
                w={280}
              />
              <Select
                label={`Service of repository ${i + 1}`}
                placeholder="Choose a service"
                data={services.data ?? []}
                searchable
                value={r.serviceId}
                onChange={(serviceId) => set('repositories', patchRow(values.repositories, i, { serviceId }))}
                w={260}
              />
              <RemoveRow label={`Remove repository ${i + 1}`} onClick={() => set('repositories', withoutRow(values.repositories, i))} />
            </Group>
          ))}
        </RowsField>
        <ForgeCommonFields forge="GitHub" values={values.common} onChange={(v) => set('common', v)} error={save.error} />
        <SettingsFooter save={save} fields={FIELDS} what="GitHub" />
      </Stack>
    </form>
  );
}
