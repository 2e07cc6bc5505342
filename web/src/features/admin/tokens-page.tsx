import { Badge, Button, Code, Group, Table, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { ApiToken, CreatedToken } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, localInputToIso } from '../../shared/format';
import { FormCard } from '../../shared/form-parts';
import { PageHeader } from '../../shared/page-header';
import { CopyValue, ShownOnceNotice } from '../../shared/shown-once';
import { ActionsHeader, EmptyRow, ListTable, RevokeButton } from '../../shared/table-parts';
import { fieldErrorsFrom } from '../changes/field-errors';
import { useCreateToken, useRevokeToken, useTokens } from './admin-api';

function tokenStatus(t: ApiToken): { label: string; color: string } {
  if (t.revokedAt) return { label: 'Revoked', color: 'gray' };
  if (t.expiresAt && new Date(t.expiresAt).getTime() < Date.now()) return { label: 'Expired', color: 'orange' };
  return { label: 'Active', color: 'green' };
}

/** The secret is shown once, right after creation; the server never returns it again. */
function NewTokenNotice({ token, onDismiss }: { token: CreatedToken; onDismiss: () => void }) {
  return (
    <ShownOnceNotice
      title={`Token “${token.name}” created`}
      note="Copy it now. It will not be shown again."
      dismissLabel="I have stored it"
      onDismiss={onDismiss}
      mb="md"
    >
      <CopyValue label="New API token" value={token.token} />
    </ShownOnceNotice>
  );
}

export function TokensPage() {
  const tokens = useTokens();
  const create = useCreateToken();
  const revoke = useRevokeToken();
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const errors = fieldErrorsFrom(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const expiresAt = localInputToIso(expires);
    create.mutate(
      { name: name.trim() || 'API token', ...(expiresAt ? { expiresAt } : {}) },
      {
        onSuccess: (t) => {
          setCreated(t);
          setName('');
          setExpires('');
        },
      },
    );
  };

  return (
    <>
      <PageHeader title="API tokens" description="Tokens let scripts, the CLI and pipelines call the API as you." />
      {created && <NewTokenNotice token={created} onDismiss={() => setCreated(null)} />}
      <FormCard label="Create an API token" title="Create a token" onSubmit={onSubmit} maw={760}>
        <Group align="flex-start" gap="sm">
          <TextInput
            label="Name"
            placeholder="e.g. GitLab pipeline"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={errors.name}
            w={280}
          />
          <TextInput
            label="Expires"
            description="Leave empty for no expiry"
            type="datetime-local"
            value={expires}
            onChange={(e) => setExpires(e.currentTarget.value)}
            error={errors.expiresAt}
            w={220}
          />
          <Button type="submit" mt={24} loading={create.isPending}>
            Create token
          </Button>
        </Group>
        {create.isError && !errors.name && !errors.expiresAt && <ErrorAlert error={create.error} title="Token not created" />}
      </FormCard>
      {revoke.isError && <ErrorAlert error={revoke.error} title="Token not revoked" />}
      {tokens.isError && <ErrorAlert error={tokens.error} title="Cannot load tokens" />}
      <ListTable label="API tokens" loading={tokens.isPending} loadingLabel="Loading tokens">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th w={130}>Prefix</Table.Th>
            <Table.Th w={160}>Created</Table.Th>
            <Table.Th w={160}>Expires</Table.Th>
            <Table.Th w={160}>Last used</Table.Th>
            <Table.Th w={110}>Status</Table.Th>
            <ActionsHeader w={90} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {(tokens.data?.items ?? []).map((t) => {
            const status = tokenStatus(t);
            return (
              <Table.Tr key={t.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {t.name}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Code>{t.prefix}…</Code>
                </Table.Td>
                <Table.Td>{formatDateTime(t.createdAt)}</Table.Td>
                <Table.Td>{t.expiresAt ? formatDateTime(t.expiresAt) : 'Never'}</Table.Td>
                <Table.Td>{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</Table.Td>
                <Table.Td>
                  <Badge size="sm" variant="dot" color={status.color}>
                    {status.label}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  {!t.revokedAt && (
                    <RevokeButton
                      id={t.id}
                      label={`Revoke ${t.name}`}
                      question={`Revoke the token “${t.name}”? Scripts using it will stop working.`}
                      revoke={revoke}
                    />
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
          {tokens.data?.items.length === 0 && <EmptyRow colSpan={7}>No tokens yet.</EmptyRow>}
        </Table.Tbody>
      </ListTable>
    </>
  );
}
