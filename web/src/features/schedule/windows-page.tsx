import { Badge, Button, Group, Modal, Paper, Table, Text, VisuallyHidden } from '@mantine/core';
import { useState } from 'react';
import type { Environment } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { ENVIRONMENT_LABELS } from '../../shared/labels';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useServiceOptions } from '../cmdb/cmdb-api';
import { type MaintenanceWindow, useCreateWindow, useDeleteWindow, useUpdateWindow, useWindows, WINDOW_KIND_LABELS, type WindowInput } from './schedule-api';
import { ruleWords } from './schedule-words';
import { emptyWindowForm, WindowForm, windowToForm } from './window-form';

/** "Everywhere", or the services, environments and tags a window applies to, by name. */
function scopeWords(scope: MaintenanceWindow['scope'], serviceName: (id: string) => string): string {
  if (scope.global) return 'Everywhere';
  const parts = [
    ...(scope.serviceIds ?? []).map(serviceName),
    ...(scope.ciIds ?? []).map((id) => `CI ${id}`),
    ...(scope.environments ?? []).map((e) => ENVIRONMENT_LABELS[e as Environment] ?? e),
    ...(scope.tags ?? []).map((t) => `#${t}`),
  ];
  return parts.join(', ') || '—';
}

type Editing = { mode: 'create' } | { mode: 'edit'; window: MaintenanceWindow };

/** Maintenance windows and freezes: the list for everyone, and create / edit / delete for change managers. */
export function WindowsPage() {
  const me = useCurrentUser();
  const canWrite = hasPermission(me, 'window.write');
  const windows = useWindows();
  const services = useServiceOptions();
  const serviceName = (id: string) => services.data?.find((s) => s.value === id)?.label ?? id;
  const [editing, setEditing] = useState<Editing | null>(null);
  const create = useCreateWindow();
  const update = useUpdateWindow();
  const remove = useDeleteWindow();
  const mutation = editing?.mode === 'edit' ? update : create;

  const close = () => {
    setEditing(null);
    create.reset();
    update.reset();
  };
  const save = (input: WindowInput) => {
    if (editing?.mode === 'edit') {
      update.mutate({ id: editing.window.id, version: editing.window.version, ...input }, { onSuccess: (w) => w && setEditing({ mode: 'edit', window: w }) });
    } else {
      // After the first save the form stays open on the saved window, so its next occurrences can be checked.
      create.mutate(input, { onSuccess: (w) => w && setEditing({ mode: 'edit', window: w }) });
    }
  };
  const items = windows.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Windows"
        description="Maintenance windows, when work is expected, and freezes, when changes should not happen."
        actions={
          canWrite && (
            <Button size="xs" onClick={() => setEditing({ mode: 'create' })}>
              New window
            </Button>
          )
        }
      />
      {windows.isPending && <PageLoader label="Loading the windows" />}
      {windows.isError && <ErrorAlert error={windows.error} title="Cannot load the windows" onRetry={() => void windows.refetch()} />}
      {windows.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No windows yet.
        </Text>
      )}
      {remove.isError && <ErrorAlert error={remove.error} title="Cannot delete the window" />}
      {items.length > 0 && (
        <Paper withBorder radius="sm">
          <Table aria-label="Windows" verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th w={150}>Kind</Table.Th>
                <Table.Th>When</Table.Th>
                <Table.Th>Applies to</Table.Th>
                {canWrite && <Table.Th w={150}><VisuallyHidden>Actions</VisuallyHidden></Table.Th>}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((w) => (
                <Table.Tr key={w.id} data-window={w.name}>
                  <Table.Td>
                    <Text size="sm" fw={600}>
                      {w.name}
                    </Text>
                    {w.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {w.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge variant="light" color={w.kind === 'freeze' ? 'red' : 'blue'} radius="sm" tt="none" title={WINDOW_KIND_LABELS[w.kind]}>
                      {w.kind === 'freeze' ? 'Freeze' : 'Maintenance'}
                    </Badge>
                    {w.urgent && (
                      <Badge ml={4} variant="filled" color="red" radius="sm" size="xs">
                        Urgent
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" data-testid="rule-words">
                      {ruleWords(w)}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{scopeWords(w.scope, serviceName)}</Text>
                  </Table.Td>
                  {canWrite && (
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant="default" onClick={() => setEditing({ mode: 'edit', window: w })} aria-label={`Edit ${w.name}`}>
                          Edit
                        </Button>
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          aria-label={`Delete ${w.name}`}
                          loading={remove.isPending && remove.variables === w.id}
                          onClick={() => {
                            if (window.confirm(`Delete “${w.name}”? Its occurrences leave the schedule.`)) remove.mutate(w.id);
                          }}
                        >
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  )}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <Modal opened={editing !== null} onClose={close} title={editing?.mode === 'edit' ? `Edit ${editing.window.name}` : 'New window'} size="lg">
        {editing && (
          <WindowForm
            key={editing.mode === 'edit' ? `${editing.window.id}:${editing.window.version}` : 'new'}
            initial={editing.mode === 'edit' ? windowToForm(editing.window) : emptyWindowForm()}
            savedId={editing.mode === 'edit' ? editing.window.id : null}
            error={mutation.error}
            pending={mutation.isPending}
            onSubmit={save}
            onCancel={close}
          />
        )}
      </Modal>
    </>
  );
}
