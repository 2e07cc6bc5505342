import { Badge, Button, Checkbox, Group, PasswordInput, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { RoleName, User } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { DialogButtons, NewRecordDialog } from '../../shared/form-parts';
import { ROLE_LABELS } from '../../shared/labels';
import { PageHeader } from '../../shared/page-header';
import { ListTable } from '../../shared/table-parts';
import { useCurrentUser } from '../auth/session';
import { fieldErrorsFrom } from '../changes/field-errors';
import { useCreateUser, useTeams, useUpdateUser, useUsers } from './admin-api';

const ROLE_NAMES = Object.keys(ROLE_LABELS) as RoleName[];

function CreateUserForm({ onDone }: { onDone: () => void }) {
  const create = useCreateUser();
  const teams = useTeams();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<RoleName[]>(['requester']);
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const errors = fieldErrorsFrom(create.error);
  const placed = ['email', 'name', 'password', 'roles', 'teamIds'];
  const hasUnplaced = create.isError && !Object.keys(errors).some((f) => placed.includes(f));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ email: email.trim(), name: name.trim(), password, roles, teamIds }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Create user" noValidate>
      <Stack gap="sm">
        <TextInput
          label="Email"
          type="email"
          required
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          error={errors.email}
          data-autofocus
        />
        <TextInput label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.name} />
        <PasswordInput
          label="Initial password"
          description="At least 10 characters; share it with the person safely"
          required
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          error={errors.password}
        />
        <Checkbox.Group label="Roles" value={roles} onChange={(v) => setRoles(v as RoleName[])} error={errors.roles}>
          <SimpleGrid cols={2} spacing={6} mt={6}>
            {ROLE_NAMES.map((r) => (
              <Checkbox key={r} value={r} label={ROLE_LABELS[r]} size="sm" />
            ))}
          </SimpleGrid>
        </Checkbox.Group>
        {(teams.data?.items.length ?? 0) > 0 && (
          <Checkbox.Group label="Teams" value={teamIds} onChange={setTeamIds} error={errors.teamIds}>
            <SimpleGrid cols={2} spacing={6} mt={6}>
              {teams.data?.items.map((t) => (
                <Checkbox key={t.id} value={t.id} label={t.name} size="sm" />
              ))}
            </SimpleGrid>
          </Checkbox.Group>
        )}
        {hasUnplaced && <ErrorAlert error={create.error} title="User not created" />}
        <DialogButtons onCancel={onDone} submitLabel="Create user" loading={create.isPending} />
      </Stack>
    </form>
  );
}

function RoleBadges({ user }: { user: User }) {
  return (
    <Group gap={4}>
      {user.roles.map((g, i) => (
        <Badge key={`${g.role}-${i}`} size="sm" variant="light" radius="sm" tt="none" color={g.role === 'admin' ? 'red' : 'blue'}>
          {ROLE_LABELS[g.role] ?? g.role}
          {g.scopeType ? ` (${g.scopeType})` : ''}
        </Badge>
      ))}
      {user.roles.length === 0 && (
        <Text size="sm" c="dimmed">
          No roles
        </Text>
      )}
    </Group>
  );
}

export function UsersPage() {
  const me = useCurrentUser();
  const users = useUsers();
  const teams = useTeams();
  const update = useUpdateUser();
  const teamNames = new Map((teams.data?.items ?? []).map((t) => [t.id, t.name]));

  return (
    <>
      <PageHeader
        title="Users"
        description="People who can sign in, and what they may do."
        actions={<NewRecordDialog title="New user">{(close) => <CreateUserForm onDone={close} />}</NewRecordDialog>}
      />
      {update.isError && <ErrorAlert error={update.error} title="User not updated" />}
      {users.isError && <ErrorAlert error={users.error} title="Cannot load users" onRetry={() => void users.refetch()} />}
      <ListTable label="Users" loading={users.isPending} loadingLabel="Loading users">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Roles</Table.Th>
            <Table.Th>Teams</Table.Th>
            <Table.Th w={170}>Created</Table.Th>
            <Table.Th w={200}>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(users.data?.items ?? []).map((u) => (
            <Table.Tr key={u.id} c={u.disabled ? 'dimmed' : undefined}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {u.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{u.email}</Text>
              </Table.Td>
              <Table.Td>
                <RoleBadges user={u} />
              </Table.Td>
              <Table.Td>
                <Text size="sm">{u.teamIds.map((id) => teamNames.get(id) ?? id).join(', ') || '—'}</Text>
              </Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}>
                <Text size="sm">{formatDateTime(u.createdAt)}</Text>
              </Table.Td>
              <Table.Td>
                <Group gap="xs" wrap="nowrap">
                  <Badge size="sm" variant="dot" color={u.disabled ? 'gray' : 'green'} style={{ flexShrink: 0 }}>
                    {u.disabled ? 'Disabled' : 'Active'}
                  </Badge>
                  {u.id !== me.id && (
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      color={u.disabled ? 'blue' : 'red'}
                      loading={update.isPending && update.variables?.id === u.id}
                      onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })}
                      aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.name}`}
                    >
                      {u.disabled ? 'Enable' : 'Disable'}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </ListTable>
    </>
  );
}
