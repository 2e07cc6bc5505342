import { Alert, Anchor, Badge, Button, Checkbox, Group, Paper, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { hasPermission, useCurrentUser } from '../auth/session';
import { type Subscription, useMailStatus, useMySubscriptions, useResendConfirmation, useUnfollow, useUpdateSubscription } from './communication-api';
import { ExternalAddressForm } from './external-address-form';
import { CHANNEL_LABELS, CHANNELS, EVENT_GROUPS, EVENT_LABELS, EVENTS } from './follow-button';

/** Where a followed service, CI or team is shown. */
function targetLink(s: Subscription): string | null {
  if (s.target.kind === 'service') return `/cmdb/services/${encodeURIComponent(s.target.id)}`;
  if (s.target.kind === 'ci') return `/cmdb/cis/${encodeURIComponent(s.target.id)}`;
  return null;
}

/**
 * What one subscription hears of and how, as checkboxes that save at once. The last event or channel cannot
 * be unticked (a subscription hears of something, somehow): Unfollow stops it.
 */
function Preferences({ s }: { s: Subscription }) {
  const update = useUpdateSubscription();
  const events = s.events ?? EVENTS;
  const toggleEvent = (e: (typeof EVENTS)[number], on: boolean) => {
    const next = on ? [...events, e] : events.filter((x) => x !== e);
    update.mutate({ id: s.id, events: next.length === EVENTS.length ? null : next });
  };
  const toggleChannel = (c: (typeof CHANNELS)[number], on: boolean) =>
    update.mutate({ id: s.id, channels: on ? [...s.channels, c] : s.channels.filter((x) => x !== c) });
  return (
    <>
      <Table.Td>
        {s.target.kind === 'team' ? (
          '—'
        ) : (
          <Checkbox
            size="xs"
            label="Yes"
            aria-label={`Yes, include what ${s.target.name} depends on`}
            checked={s.includeDependencies}
            disabled={update.isPending}
            onChange={(e) => update.mutate({ id: s.id, includeDependencies: e.currentTarget.checked })}
          />
        )}
      </Table.Td>
      <Table.Td>
        {EVENT_GROUPS.map((g) => (
          <Group key={g.label} gap="xs" mb={4} wrap="wrap">
            <Text size="xs" c="dimmed" w={56}>
              {g.label}
            </Text>
            {g.events.map((e) => (
              <Checkbox
                key={e}
                size="xs"
                label={EVENT_LABELS[e]}
                aria-label={`${EVENT_LABELS[e]}: ${s.target.name}`}
                checked={events.includes(e)}
                disabled={update.isPending || (events.length === 1 && events.includes(e))}
                onChange={(ev) => toggleEvent(e, ev.currentTarget.checked)}
              />
            ))}
          </Group>
        ))}
      </Table.Td>
      <Table.Td>
        <Group gap="xs">
          {CHANNELS.map((c) => (
            <Checkbox
              key={c}
              size="xs"
              label={CHANNEL_LABELS[c]}
              aria-label={`${CHANNEL_LABELS[c]}: ${s.target.name}`}
              checked={s.channels.includes(c)}
              // An external address is told by email only.
              disabled={update.isPending || (s.channels.length === 1 && s.channels.includes(c)) || s.subscriber.kind === 'address'}
              onChange={(ev) => toggleChannel(c, ev.currentTarget.checked)}
            />
          ))}
        </Group>
        {update.isError && (
          <Text size="xs" c="red.8" role="alert">
            Not saved: {update.error.message}
          </Text>
        )}
      </Table.Td>
    </>
  );
}

const KIND_LABELS: Record<Subscription['target']['kind'], string> = { service: 'Service', ci: 'CI', team: 'Team' };

/** Who a subscription is for; an external address waiting for confirmation says so, with a way to send the link again. */
function SubscriberCell({ s }: { s: Subscription }) {
  const resend = useResendConfirmation();
  if (s.subscriber.kind === 'team') return <>Team {s.subscriber.name}</>;
  if (s.subscriber.kind === 'user') return <>You</>;
  return (
    <Stack gap={4} align="flex-start">
      <Text size="sm">{s.subscriber.name}</Text>
      {s.state === 'pending' && (
        <>
          <Badge color="yellow" variant="light" size="sm">
            Waiting for confirmation
          </Badge>
          <Button size="compact-xs" variant="subtle" onClick={() => resend.mutate(s.id)} loading={resend.isPending} disabled={resend.isSuccess} aria-label={`${resend.isSuccess ? 'Link sent again' : 'Send the link again'} to ${s.subscriber.name}`}>
            {resend.isSuccess ? 'Link sent again' : 'Send the link again'}
          </Button>
          {resend.isError && (
            <Text size="xs" c="red.8" role="alert">
              Not sent: {resend.error.message}
            </Text>
          )}
        </>
      )}
    </Stack>
  );
}

/**
 * What the signed-in person (and their teams) follow (`/me/subscriptions`, from the account menu): the
 * events and channels of each, and a way to stop. New ones are made with Follow on a service's or CI's page.
 */
export function SubscriptionsPage() {
  const mine = useMySubscriptions();
  const unfollow = useUnfollow();
  const mail = useMailStatus();
  const me = useCurrentUser();
  return (
    <>
      <PageHeader
        title="My subscriptions"
        description="The services, CIs and teams you and your teams follow, and what you hear of each. Changes save at once."
      />
      {mine.isPending && <PageLoader label="Loading your subscriptions" />}
      {mine.isError && <ErrorAlert error={mine.error} title="Cannot load your subscriptions" />}
      {unfollow.isError && <ErrorAlert error={unfollow.error} title="Not unfollowed" />}
      {mail.data?.email === false && (
        <Alert color="yellow" mb="md" title="Email is not set up">
          This Cabinet sends no email: no SMTP server is configured. Email stays chosen and is sent once an administrator sets one up.
        </Alert>
      )}
      {mine.isSuccess && mine.data.items.length === 0 && (
        <Text size="sm">
          You follow nothing yet. Open a{' '}
          <Anchor component={Link} to="/cmdb/services" underline="always">
            service
          </Anchor>{' '}
          or a CI and choose Follow.
        </Text>
      )}
      {mine.isSuccess && mine.data.items.length > 0 && (
        <Paper withBorder radius="sm">
          <Table aria-label="My subscriptions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Follows</Table.Th>
                <Table.Th>With what it depends on</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>Channels</Table.Th>
                <Table.Th>For</Table.Th>
                <Table.Th>Since</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {mine.data.items.map((s) => {
                const link = targetLink(s);
                return (
                  <Table.Tr key={s.id}>
                    <Table.Td>
                      <Text size="xs" c="gray.7" span>
                        {KIND_LABELS[s.target.kind]}{' '}
                      </Text>
                      {link ? (
                        <Anchor component={Link} to={link} size="sm">
                          {s.target.name}
                        </Anchor>
                      ) : (
                        s.target.name
                      )}
                    </Table.Td>
                    <Preferences s={s} />
                    <Table.Td>
                      <SubscriberCell s={s} />
                    </Table.Td>
                    <Table.Td>{formatDateTime(s.createdAt)}</Table.Td>
                    <Table.Td>
                      <Button size="xs" variant="default" onClick={() => unfollow.mutate(s.id)} aria-label={`Unfollow ${s.target.name}`} loading={unfollow.isPending && unfollow.variables === s.id}>
                        Unfollow
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {hasPermission(me, 'subscription.manage_external') && <ExternalAddressForm />}
    </>
  );
}
