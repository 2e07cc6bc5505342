import { Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { DialogButtons, NewRecordDialog } from '../../shared/form-parts';
import { PageHeader } from '../../shared/page-header';
import { EmptyRow, ListTable } from '../../shared/table-parts';
import { fieldErrorsFrom } from '../changes/field-errors';
import { useCreateTeam, useTeams } from './admin-api';

function CreateTeamForm({ onDone }: { onDone: () => void }) {
  const create = useCreateTeam();
  const [name, setName] = useState('');
  const [handle, setHandle] = useState('');
  const [description, setDescription] = useState('');
  const errors = fieldErrorsFrom(create.error);
  const hasUnplaced = create.isError && !['name', 'handle', 'description'].some((f) => f in errors);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ name: name.trim(), handle: handle.trim() || undefined, description, memberIds: [] }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Create team" noValidate>
      <Stack gap="sm">
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} data-autofocus />
        <TextInput
          label="Handle"
          description="Lowercase letters, digits, “-” or “_”; made from the name when empty"
          value={handle}
          onChange={(e) => setHandle(e.currentTarget.value)}
          error={errors.handle}
        />
        <Textarea
          label="Description"
          autosize
          minRows={2}
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
          error={errors.description}
        />
        {hasUnplaced && <ErrorAlert error={create.error} title="Team not created" />}
        <DialogButtons onCancel={onDone} submitLabel="Create team" loading={create.isPending} />
      </Stack>
    </form>
  );
}

export function TeamsPage() {
  const teams = useTeams();
  const { hash } = useLocation();
  // Links such as /admin/teams#team-dba (from the policy page) land on the team's row once the list is in.
  useEffect(() => {
    if (hash && teams.data) document.getElementById(decodeURIComponent(hash.slice(1)))?.scrollIntoView({ block: 'center' });
  }, [hash, teams.data]);

  return (
    <>
      <PageHeader
        title="Teams"
        description="Teams own services and CIs and carry out changes."
        actions={<NewRecordDialog title="New team">{(close) => <CreateTeamForm onDone={close} />}</NewRecordDialog>}
      />
      {teams.isError && <ErrorAlert error={teams.error} title="Cannot load teams" onRetry={() => void teams.refetch()} />}
      <ListTable label="Teams" loading={teams.isPending} loadingLabel="Loading teams">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th w={180}>Handle</Table.Th>
            <Table.Th>Description</Table.Th>
            <Table.Th w={90}>Members</Table.Th>
            <Table.Th w={160}>Created</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(teams.data?.items ?? []).map((t) => (
            <Table.Tr key={t.id} id={`team-${t.handle}`} bg={hash === `#team-${t.handle}` ? 'yellow.0' : undefined}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {t.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  @{t.handle}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" lineClamp={2}>
                  {t.description || '—'}
                </Text>
              </Table.Td>
              <Table.Td>{t.memberIds.length}</Table.Td>
              <Table.Td>
                <Text size="sm">{formatDateTime(t.createdAt)}</Text>
              </Table.Td>
            </Table.Tr>
          ))}
          {teams.data?.items.length === 0 && <EmptyRow colSpan={5}>No teams yet.</EmptyRow>}
        </Table.Tbody>
      </ListTable>
    </>
  );
}
