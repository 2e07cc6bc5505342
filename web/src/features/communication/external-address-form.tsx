import { Button, Checkbox, Group, Paper, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { issuesOf } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { type SubscriptionTargetKind, useFollow } from './communication-api';

const TARGET_KINDS: { value: SubscriptionTargetKind; label: string }[] = [
  { value: 'service', label: 'Service' },
  { value: 'ci', label: 'CI' },
  { value: 'team', label: 'Team' },
];

/**
 * "Add an external address" (change managers and admins): a distribution list follows a service, CI or team
 * by email. It is sent a link to confirm, and hears nothing until someone there does (double opt-in).
 */
export function ExternalAddressForm() {
  const follow = useFollow();
  const [address, setAddress] = useState('');
  const [kind, setKind] = useState<SubscriptionTargetKind>('service');
  const [target, setTarget] = useState('');
  const [deep, setDeep] = useState(false);
  const [added, setAdded] = useState<string | null>(null);
  // Each issue under its field; those of no field shown above the button.
  const errors: Record<string, string> = {};
  for (const i of issuesOf(follow.error)) errors[i.path] = errors[i.path] ? `${errors[i.path]}; ${i.message}` : i.message;
  const placed = ['address', 'target.id', 'target.kind', 'channels'];
  const unplaced = follow.isError && !placed.some((p) => errors[p]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    follow.mutate(
      { target: { kind, id: target.trim() }, address: address.trim(), channels: ['email'], includeDependencies: kind !== 'team' && deep },
      {
        onSuccess: (s) => {
          setAdded(s.subscriber.name);
          setAddress('');
          setTarget('');
        },
      },
    );
  };

  return (
    <Paper withBorder p="md" radius="sm" mt="md" maw={720}>
      <form onSubmit={onSubmit} aria-label="Add an external address" noValidate>
        <Stack gap="sm">
          <Title order={2} size="h5">
            Add an external address
          </Title>
          <Text size="sm">
            A distribution list outside Cabinet gets the email of what it follows. It is sent a link to confirm, and gets nothing until someone there does. Every email it gets has a
            link to stop them.
          </Text>
          <TextInput label="Email address" type="email" required value={address} onChange={(e) => setAddress(e.currentTarget.value)} error={errors.address} w={360} />
          <Group gap="sm" align="flex-start">
            <Select label="Follows a" data={TARGET_KINDS} value={kind} onChange={(v) => setKind((v as SubscriptionTargetKind | null) ?? 'service')} allowDeselect={false} w={140} />
            <TextInput
              label="Name or id"
              description={kind === 'team' ? 'The team’s handle or id' : `The ${kind === 'ci' ? 'CI' : 'service'}’s name or id`}
              required
              value={target}
              onChange={(e) => setTarget(e.currentTarget.value)}
              error={errors['target.id'] ?? errors.channels}
              w={280}
            />
          </Group>
          {kind !== 'team' && <Checkbox label="Also what it depends on" checked={deep} onChange={(e) => setDeep(e.currentTarget.checked)} />}
          {unplaced && <ErrorAlert error={follow.error} title="The address was not added" />}
          <Group gap="sm">
            <Button type="submit" loading={follow.isPending}>
              Add and send the confirmation
            </Button>
            {added && (
              <Text size="sm" role="status">
                {added} was added and sent a link to confirm.
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}
