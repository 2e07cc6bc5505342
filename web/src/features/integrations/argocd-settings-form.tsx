import { Badge, Button, Group, Paper, Select, Stack, Switch, Table, Text, TextInput, Title } from '@mantine/core';
import type { FormEvent } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { useServiceOptions } from '../cmdb/cmdb-api';
import { fieldError, RemoveRow, RowsField, SettingsFooter } from './integration-fields';
import {
  ARGO_SYNC_WINDOWS_PATH,
  type IntegrationSettings,
  type SettingsFormProps,
  type SettingsInputOf,
  useArgoSyncWindows,
} from './integrations-api';
import { patchRow, useSettingsForm, withoutRow } from './settings-form';

type ArgoInput = SettingsInputOf['argocd'];
type AppRow = { serviceId: string | null; environment: string; applications: string; namespaces: string; clusters: string };
const FIELDS = ['enabled', 'project', 'applications'];

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function formOf(s: IntegrationSettings) {
  const v = s.settings as Partial<ArgoInput>;
  return {
    enabled: v.enabled ?? true,
    project: v.project ?? '',
    applications: (v.applications ?? []).map((a): AppRow => ({
      serviceId: a.serviceId ?? null,
      environment: a.environment ?? '',
      applications: (a.applications ?? []).join(', '),
      namespaces: (a.namespaces ?? []).join(', '),
      clusters: (a.clusters ?? []).join(', '),
    })),
  };
}

/** Cabinet's windows and freezes as the AppProject's `syncWindows`: shown, and downloadable as YAML. */
function SyncWindowsExport({ enabled }: { enabled: boolean }) {
  const windows = useArgoSyncWindows(enabled);
  if (!enabled) return null;
  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="argo-windows-title">
      <Group justify="space-between" mb="xs">
        <Title order={3} size="h6" id="argo-windows-title">
          Sync windows for the AppProject
        </Title>
        <Button component="a" href={`${ARGO_SYNC_WINDOWS_PATH}?format=yaml`} download="sync-windows.yaml" variant="default" size="xs">
          Download YAML
        </Button>
      </Group>
      <Text size="sm" c="dimmed" mb="xs">
        Maintenance windows allow syncs, freezes deny them; manual sync stays possible only for emergency changes. Paste them under the
        AppProject&apos;s spec.syncWindows, or let a job fetch {ARGO_SYNC_WINDOWS_PATH}?format=yaml.
      </Text>
      {windows.isError && <ErrorAlert error={windows.error} title="Cannot load the sync windows" onRetry={() => void windows.refetch()} />}
      {windows.data && (
        <>
          <Table aria-label="Sync windows">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Schedule</Table.Th>
                <Table.Th>Duration</Table.Th>
                <Table.Th>Time zone</Table.Th>
                <Table.Th>Applications</Table.Th>
                <Table.Th>Manual sync</Table.Th>
                <Table.Th>From</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {windows.data.syncWindows.map((w, i) => (
                <Table.Tr key={i}>
                  <Table.Td>
                    <Badge color={w.kind === 'deny' ? 'red' : 'green'} variant="light" radius="sm" tt="none">
                      {w.kind === 'deny' ? 'Deny' : 'Allow'}
                    </Badge>
                  </Table.Td>
                  <Table.Td ff="monospace">{w.schedule}</Table.Td>
                  <Table.Td>{w.duration}</Table.Td>
                  <Table.Td>{w.timeZone}</Table.Td>
                  <Table.Td>{[...(w.applications ?? []), ...(w.namespaces ?? []), ...(w.clusters ?? [])].join(', ') || 'All'}</Table.Td>
                  <Table.Td>{w.manualSync ? 'Yes' : 'No'}</Table.Td>
                  <Table.Td>{w.description}</Table.Td>
                </Table.Tr>
              ))}
              {windows.data.syncWindows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text size="sm" c="dimmed">
                      No window or freeze applies to the mapped applications.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
          {windows.data.skipped.length > 0 && (
            <Text size="sm" mt="xs" data-testid="argo-skipped">
              Not exported: {windows.data.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}
            </Text>
          )}
        </>
      )}
    </Paper>
  );
}

/** Argo CD: the AppProject, what each service and environment is there, and the sync windows export. */
export function ArgoCdSettingsForm({ settings }: SettingsFormProps) {
  const { save, values, set, submit, textField } = useSettingsForm('argocd', settings, formOf);
  const services = useServiceOptions();
  const setApp = (i: number, patch: Partial<AppRow>) => set('applications', patchRow(values.applications, i, patch));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const input: ArgoInput = {
      enabled: values.enabled,
      project: values.project.trim(),
      applications: values.applications.map((a) => ({
        ...(a.serviceId ? { serviceId: a.serviceId } : {}),
        ...(a.environment.trim() ? { environment: a.environment.trim() } : {}),
        applications: list(a.applications),
        namespaces: list(a.namespaces),
        clusters: list(a.clusters),
      })),
      version: settings.version,
    };
    submit(input);
  };

  return (
    <Stack gap="md">
      <form onSubmit={onSubmit} aria-label="Argo CD settings" noValidate>
        <Stack gap="sm" maw={960}>
          <Switch label="Use Argo CD" checked={values.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          <TextInput
            label="AppProject"
            description="The Argo CD project whose sync windows Cabinet writes."
            required
            {...textField('project')}
            w={320}
          />
          <RowsField
            title="Services in Argo CD"
            hint="Names separated by commas; wildcards as Argo CD reads them."
            error={fieldError(save.error, 'applications')}
            addLabel="Add a service"
            onAdd={() =>
              set('applications', [
                ...values.applications,
                { serviceId: null, environment: '', applications: '', namespaces: '', clusters: '' },
              ])
            }
          >
            {values.applications.map((a, i) => (
              <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
                <Select
                  label={`Service ${i + 1}`}
                  placeholder="Any"
                  data={services.data ?? []}
                  searchable
                  clearable
                  value={a.serviceId}
                  onChange={(serviceId) => setApp(i, { serviceId })}
                  w={180}
                />
                <TextInput
                  label={`Environment ${i + 1}`}
                  placeholder="production"
                  value={a.environment}
                  onChange={(e) => setApp(i, { environment: e.currentTarget.value })}
                  w={130}
                />
                <TextInput
                  label={`Applications ${i + 1}`}
                  value={a.applications}
                  onChange={(e) => setApp(i, { applications: e.currentTarget.value })}
                  w={180}
                />
                <TextInput
                  label={`Namespaces ${i + 1}`}
                  value={a.namespaces}
                  onChange={(e) => setApp(i, { namespaces: e.currentTarget.value })}
                  w={150}
                />
                <TextInput
                  label={`Clusters ${i + 1}`}
                  value={a.clusters}
                  onChange={(e) => setApp(i, { clusters: e.currentTarget.value })}
                  w={150}
                />
                <RemoveRow label={`Remove service ${i + 1}`} onClick={() => set('applications', withoutRow(values.applications, i))} />
              </Group>
            ))}
          </RowsField>
          <SettingsFooter save={save} fields={FIELDS} what="Argo CD" />
        </Stack>
      </form>
      <SyncWindowsExport enabled={settings.version > 0} />
    </Stack>
  );
}
