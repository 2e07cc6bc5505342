import { Alert, Badge, Button, Code, CopyButton, Group, Paper, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import type { ApiToken, CreatedToken } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, localInputToIso } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
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
    <Alert color="green" variant="light" title={`Token “${token.name}” created`} role="status" mb="md">
      <Text size="sm" mb="xs">
        Copy it now. It will not be shown again.
      </Text>
      <Group gap="xs" wrap="nowrap">
        <Code block style={{ flex: 1, wordBreak: 'break-all' }} aria-label="New API token">
          {token.token}
        </Code>
        <CopyButton value={token.token}>
          {({ copied, copy }) => (
            <Button size="xs" color={copied ? 'teal' : 'blue'} onClick={copy}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      </Group>
      <Button size="xs" variant="subtle" mt="xs" onClick={onDismiss}>
        I have stored it
      </Button>
    </Alert>
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

  const onRevoke = (t: ApiToken) => {
    if (window.confirm(`Revoke the token “${t.name}”? Scripts using it will stop working.`)) revoke.mutate(t.id);
  };

  return (
    <>
      <PageHeader title="API tokens" description="Tokens let scripts, the CLI and pipelines call the API as you." />
      {created && <NewTokenNotice token={created} onDismiss={() => setCreated(null)} />}
      <Paper withBorder p="sm" radius="sm" mb="md" maw={760}>
        <form onSubmit={onSubmit} aria-label="Create an API token" noValidate>
          <Stack gap="xs">
            <Title order={2} size="h6">
              Create a token
            </Title>
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
          </Stack>
        </form>
      </Paper>
      {revoke.isError && <ErrorAlert error={revoke.error} title="Token not revoked" />}
      {tokens.isError && <ErrorAlert error={tokens.error} title="Cannot load tokens" />}
      {tokens.isPending ? (
        <PageLoader label="Loading tokens" />
      ) : (
        <Paper withBorder radius="sm">
          <Table aria-label="API tokens">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th w={130}>Prefix</Table.Th>
                <Table.Th w={160}>Created</Table.Th>
                <Table.Th w={160}>Expires</Table.Th>
                <Table.Th w={160}>Last used</Table.Th>
                <Table.Th w={110}>Status</Table.Th>
                <Table.Th w={90}>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
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
                        <Button
                          size="compact-xs"
                          variant="subtle"
                          color="red"
                          onClick={() => onRevoke(t)}
                          loading={revoke.isPending && revoke.variables === t.id}
                          aria-label={`Revoke ${t.name}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
              {tokens.data?.items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={7}>
                    <Text size="sm" c="dimmed" ta="center" py="md">
                      No tokens yet.
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
