import { Badge, Button, Group, Paper, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, isoToLocalInput, localInputToIso } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { FormCard } from '../../shared/form-parts';
import { PageHeader } from '../../shared/page-header';
import { ActionsHeader, EmptyRow, RevokeButton } from '../../shared/table-parts';
import { UserSelect } from '../admin/user-select';
import { useCurrentUser } from '../auth/session';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { type Delegation, useCreateDelegation, useMyDelegations, useRevokeDelegation } from './delegations-api';

const HOUR = 3_600_000;

function DelegationStatus({ delegation }: { delegation: Delegation }) {
  if (delegation.active) {
    return (
      <Badge size="sm" variant="dot" color="green">
        In force
      </Badge>
    );
  }
  return (
    <Badge size="sm" variant="dot" color="blue">
      Starts {formatDateTime(delegation.startsAt)}
    </Badge>
  );
}

function GiveDelegationForm() {
  const me = useCurrentUser();
  const create = useCreateDelegation();
  const [delegateId, setDelegateId] = useState<string | null>(null);
  const [startsAt, setStartsAt] = useState(() => isoToLocalInput(new Date().toISOString()));
  const [endsAt, setEndsAt] = useState(() => isoToLocalInput(new Date(Date.now() + 7 * 24 * HOUR).toISOString()));
  const [reason, setReason] = useState('');
  const [noDelegate, setNoDelegate] = useState(false);
  const errors = fieldErrorsFrom(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // Who is asked for here; the server checks the times (order, at most 90 days, in the future).
    if (!delegateId) {
      setNoDelegate(true);
      return;
    }
    create.mutate(
      { delegateId, startsAt: localInputToIso(startsAt) ?? '', endsAt: localInputToIso(endsAt) ?? '', reason },
      {
        onSuccess: () => {
          setDelegateId(null);
          setReason('');
        },
      },
    );
  };

  return (
    <FormCard label="Give a delegation" title="Give a delegation" onSubmit={onSubmit} maw={900}>
      <Text size="sm" c="dimmed">
        While you are away, your delegate may decide the approvals you could decide. Each decision is recorded as theirs, on your behalf.
      </Text>
      <Group align="flex-start" gap="sm">
        <UserSelect
          label="Delegate"
          placeholder="Choose a person"
          required
          value={delegateId}
          onChange={(v) => {
            setDelegateId(v);
            setNoDelegate(false);
          }}
          exclude={[me.id]}
          error={noDelegate ? 'Choose who decides for you' : errors.delegateId}
          w={260}
        />
        <TextInput
          label="From"
          type="datetime-local"
          required
          value={startsAt}
          onChange={(e) => setStartsAt(e.currentTarget.value)}
          error={errors.startsAt}
          w={210}
        />
        <TextInput
          label="Until"
          type="datetime-local"
          required
          value={endsAt}
          onChange={(e) => setEndsAt(e.currentTarget.value)}
          error={errors.endsAt}
          w={210}
        />
      </Group>
      <Textarea
        label="Reason"
        description="Shown to your delegate, e.g. “On holiday; Erin covers database reviews”."
        autosize
        minRows={1}
        maxRows={4}
        maxLength={500}
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        error={errors.reason}
        maw={690}
      />
      {create.isError && (
        <UnplacedIssues error={create.error} placed={['delegateId', 'startsAt', 'endsAt', 'reason']} title="The delegation was not saved" />
      )}
      <Group>
        <Button type="submit" loading={create.isPending}>
          Delegate
        </Button>
      </Group>
    </FormCard>
  );
}

function DelegationTable({ label, items, given }: { label: string; items: Delegation[]; given: boolean }) {
  const revoke = useRevokeDelegation();
  return (
    <Stack gap="xs">
      {revoke.isError && <ErrorAlert error={revoke.error} title="The delegation was not revoked" />}
      <Paper withBorder radius="sm">
        <Table aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{given ? 'Delegate' : 'Decide for'}</Table.Th>
              <Table.Th w={170}>From</Table.Th>
              <Table.Th w={170}>Until</Table.Th>
              <Table.Th>Reason</Table.Th>
              <Table.Th w={170}>Status</Table.Th>
              {given && <ActionsHeader w={90} />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((d) => (
              <Table.Tr key={d.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {given ? d.delegateName : d.userName}
                  </Text>
                </Table.Td>
                <Table.Td>{formatDateTime(d.startsAt)}</Table.Td>
                <Table.Td>{formatDateTime(d.endsAt)}</Table.Td>
                <Table.Td>
                  <Text size="sm" className="cabinet-pre">
                    {d.reason || '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <DelegationStatus delegation={d} />
                </Table.Td>
                {given && (
                  <Table.Td>
                    <RevokeButton
                      id={d.id}
                      label={`Revoke the delegation to ${d.delegateName}`}
                      question={`Revoke the delegation to ${d.delegateName}? They can no longer decide your approvals.`}
                      revoke={revoke}
                    />
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
            {items.length === 0 && (
              <EmptyRow colSpan={given ? 6 : 5} py="sm">
                {given ? 'You have not delegated your approvals.' : 'Nobody has delegated their approvals to you.'}
              </EmptyRow>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

/** Delegations you gave (with "Revoke") and those you received; a form to give one. */
export function DelegationsPage() {
  const query = useMyDelegations();
  return (
    <>
      <PageHeader
        title="Delegations"
        description="Let someone decide your approvals while you are away, and see who has asked you to decide theirs."
      />
      <GiveDelegationForm />
      {query.isPending && <PageLoader label="Loading the delegations" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the delegations" onRetry={() => void query.refetch()} />}
      {query.data && (
        <Stack gap="lg">
          <section aria-labelledby="delegations-given">
            <Title order={2} size="h5" id="delegations-given" mb={6}>
              Given by you
            </Title>
            <DelegationTable label="Delegations given" items={query.data.given} given />
          </section>
          <section aria-labelledby="delegations-received">
            <Title order={2} size="h5" id="delegations-received" mb={6}>
              Received
            </Title>
            <DelegationTable label="Delegations received" items={query.data.received} given={false} />
          </section>
        </Stack>
      )}
    </>
  );
}
