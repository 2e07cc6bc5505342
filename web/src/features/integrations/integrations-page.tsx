import { Paper, Stack, Tabs, Text } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { useSearchParams } from 'react-router';
import { PageHeader } from '../../shared/page-header';
import { RecordLoader } from '../../shared/record-loader';
import { ArgoCdSettingsForm } from './argocd-settings-form';
import { GitHubSettingsForm } from './github-settings-form';
import { GitLabSettingsForm } from './gitlab-settings-form';
import { ConfiguredBadge, GeneratedSecrets, WebhookAddress } from './integration-fields';
import { type IntegrationKind, type SettingsFormProps, useIntegrationSettings } from './integrations-api';

const KIND_LABELS: Record<IntegrationKind, string> = { github: 'GitHub App', gitlab: 'GitLab', argocd: 'Argo CD' };
const KIND_HELP: Record<IntegrationKind, string> = {
  github:
    'Cabinet answers GitHub deployment protection rules, attaches pull request reviews to changes and records deployments. Create a GitHub App with the webhook address below, then give its ID and key here.',
  gitlab:
    'Cabinet approves or rejects blocked GitLab deployments, records deployments and merge request approvals, and exports freezes as freeze periods. Add a webhook with the address and secret token below.',
  argocd:
    'Cabinet records Argo CD syncs from argocd-notifications (webhook address below) and exports windows and freezes as the AppProject’s sync windows.',
};
const FORMS: Record<IntegrationKind, (props: SettingsFormProps) => ReactNode> = {
  github: GitHubSettingsForm,
  gitlab: GitLabSettingsForm,
  argocd: ArgoCdSettingsForm,
};

function IntegrationPanel({ kind }: { kind: IntegrationKind }) {
  const Form = FORMS[kind];
  // NOTE (security): a generated secret lives here, in memory, until dismissed; never in the query cache.
  const [generated, setGenerated] = useState<Record<string, string> | undefined>();
  return (
    <RecordLoader query={useIntegrationSettings(kind)} what={`${KIND_LABELS[kind]} settings`}>
      {(settings) => (
        <Stack gap="md">
          <Paper withBorder p="sm" radius="sm" maw={960}>
            <Stack gap="xs">
              <ConfiguredBadge settings={settings} />
              <Text size="sm">{KIND_HELP[kind]}</Text>
              <WebhookAddress settings={settings} />
            </Stack>
          </Paper>
          <GeneratedSecrets generated={generated} onDismiss={() => setGenerated(undefined)} />
          <Form settings={settings} onGenerated={setGenerated} />
        </Stack>
      )}
    </RecordLoader>
  );
}

/** Admin → Integrations: GitHub App, GitLab and Argo CD settings; secrets are write-only. */
export function IntegrationsPage() {
  const [params, setParams] = useSearchParams();
  const tab = (params.get('tab') as IntegrationKind | null) ?? 'github';
  return (
    <>
      <PageHeader
        title="Integrations"
        description="Connect the pipelines' tools to the deployment gate. Secrets are write-only: Cabinet says whether one is set, never what it is."
      />
      <Tabs value={tab} onChange={(v) => setParams(v && v !== 'github' ? { tab: v } : {}, { replace: true })} keepMounted={false}>
        <Tabs.List mb="md">
          {(Object.keys(KIND_LABELS) as IntegrationKind[]).map((k) => (
            <Tabs.Tab key={k} value={k}>
              {KIND_LABELS[k]}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {(Object.keys(KIND_LABELS) as IntegrationKind[]).map((k) => (
          <Tabs.Panel key={k} value={k}>
            <IntegrationPanel kind={k} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
