import { Button, Group, Modal, Paper, Stack, Table, Text, Textarea, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type FormEvent, useEffect, useState } from 'react';
import { useLocation } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
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
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={create.isPending}>
            Create team
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function TeamsPage() {
  const teams = useTeams();
  const [opened, { open, close }] = useDisclosure(false);
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
        actions={<Button onClick={open}>New team</Button>}
      />
      <Modal opened={opened} onClose={close} title="New team">
        <CreateTeamForm onDone={close} />
      </Modal>
      {teams.isError && <ErrorAlert error={teams.error} title="Cannot load teams" onRetry={() => void teams.refetch()} />}
      {teams.isPending ? (
        <PageLoader label="Loading teams" />
      ) : (
        <Paper withBorder radius="sm">
          <Table aria-label="Teams">
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
              {teams.data?.items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text size="sm" c="dimmed" ta="center" py="md">
                      No teams yet.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </>
  );
}
