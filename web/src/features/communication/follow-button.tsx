import { Button, Checkbox, Group, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import {
  type Subscription,
  type SubscriptionTargetKind,
  useFollow,
  useMailStatus,
  useMySubscriptions,
  useUnfollow,
} from './communication-api';

/** The events a subscriber chooses from, in words. */
export const EVENT_LABELS: Record<NonNullable<Subscription['events']>[number], string> = {
  scheduled: 'Scheduled',
  rescheduled: 'Rescheduled',
  cancelled: 'Cancelled',
  upcoming: 'Coming up (before it starts)',
  started: 'Started',
  completed: 'Completed',
  extended: 'Runs longer',
  failed: 'Failed or rolled back',
  freeze_announced: 'Freeze announced',
  freeze_changed: 'Freeze changed',
  freeze_lifted: 'Freeze lifted',
  lockdown: 'Held by a lockdown',
};
/** The channels, in words. Email is sent only when the server has SMTP configured (the pages say when not). */
export const CHANNEL_LABELS: Record<Subscription['channels'][number], string> = {
  in_app: 'In Cabinet',
  email: 'Email',
};
export const EVENTS = Object.keys(EVENT_LABELS) as (keyof typeof EVENT_LABELS)[];
/** The events in two groups, as the forms show them: what happens to changes, and to freezes. */
export const EVENT_GROUPS: { label: string; events: (keyof typeof EVENT_LABELS)[] }[] = [
  { label: 'Changes', events: EVENTS.filter((e) => !e.startsWith('freeze_')) },
  { label: 'Freezes', events: EVENTS.filter((e) => e.startsWith('freeze_')) },
];
export const CHANNELS = Object.keys(CHANNEL_LABELS) as (keyof typeof CHANNEL_LABELS)[];

/**
 * Follow or unfollow a service, CI or team from its page. Following asks what to hear of (every event by
 * default), how (in Cabinet), and whether to include what it depends on (on by default for services and CIs:
 * work on the database a service runs on is work that affects the service).
 */
export function FollowButton({ kind, id, name }: { kind: SubscriptionTargetKind; id: string; name: string }) {
  const mine = useMySubscriptions();
  const follow = useFollow();
  const unfollow = useUnfollow();
  const [opened, setOpened] = useState(false);
  const [withDependencies, setWithDependencies] = useState(kind !== 'team');
  const [events, setEvents] = useState<string[]>(EVENTS);
  const [channels, setChannels] = useState<string[]>(['in_app']);
  const mail = useMailStatus();

  // Only one's own subscriptions are unfollowed here; a team's is the team's (My subscriptions lists both).
  const own = mine.data?.items.find((s) => s.subscriber.kind === 'user' && s.target.kind === kind && s.target.id === id);
  if (mine.isPending) return null;

  if (own) {
    return (
      <Stack gap={4} align="flex-end">
        <Button
          size="xs"
          variant="default"
          loading={unfollow.isPending}
          onClick={() => unfollow.mutate(own.id)}
          aria-label={`Unfollow ${name}`}
        >
          Unfollow
        </Button>
        <Text size="xs" c="dimmed">
          You follow {name}
          {own.includeDependencies ? ' and what it depends on' : ''}.
        </Text>
        {unfollow.isError && <ErrorAlert error={unfollow.error} title="Not unfollowed" />}
      </Stack>
    );
  }

  const submit = () =>
    follow.mutate(
      {
        target: { kind, id },
        includeDependencies: withDependencies,
        events: events.length === EVENTS.length ? undefined : (events as (typeof EVENTS)[number][]),
        channels: channels as (typeof CHANNELS)[number][],
      },
      { onSuccess: () => setOpened(false) },
    );

  return (
    <Stack gap={4} align="flex-end">
      <Button size="xs" onClick={() => setOpened((o) => !o)} aria-expanded={opened} aria-label={`Follow ${name}`}>
        Follow
      </Button>
      {opened && (
        <Paper withBorder shadow="sm" p="sm" radius="sm" maw={320}>
          <form
            aria-label={`Follow ${name}`}
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
          >
            <Stack gap="sm">
              <Text size="sm">Hear when changes to {name} are scheduled, start, finish or move, and of freezes on it.</Text>
              {kind !== 'team' && (
                <Checkbox
                  label="Include what it depends on"
                  description="Also changes to the CIs it runs on or depends on"
                  checked={withDependencies}
                  onChange={(e) => setWithDependencies(e.currentTarget.checked)}
                />
              )}
              <Checkbox.Group
                label="Events"
                value={events}
                onChange={setEvents}
                error={events.length === 0 ? 'Choose at least one' : undefined}
              >
                {EVENT_GROUPS.map((g) => (
                  <Stack key={g.label} gap={2} mt={4}>
                    <Text size="xs" c="dimmed">
                      {g.label}
                    </Text>
                    <Group gap="xs">
                      {g.events.map((e) => (
                        <Checkbox key={e} value={e} label={EVENT_LABELS[e]} size="xs" />
                      ))}
                    </Group>
                  </Stack>
                ))}
              </Checkbox.Group>
              <Checkbox.Group
                label="Channels"
                value={channels}
                onChange={setChannels}
                error={channels.length === 0 ? 'Choose at least one' : undefined}
              >
                <Stack gap={4} mt={4}>
                  {CHANNELS.map((c) => (
                    <Checkbox
                      key={c}
                      value={c}
                      label={CHANNEL_LABELS[c]}
                      size="xs"
                      description={c === 'email' && mail.data?.email === false ? 'Not sent yet: no mail server is set up here' : undefined}
                    />
                  ))}
                </Stack>
              </Checkbox.Group>
              {follow.isError && <ErrorAlert error={follow.error} title="Not followed" />}
              <Group justify="flex-end">
                <Button size="xs" variant="default" onClick={() => setOpened(false)}>
                  Cancel
                </Button>
                <Button size="xs" type="submit" loading={follow.isPending} disabled={events.length === 0 || channels.length === 0}>
                  Start following
                </Button>
              </Group>
            </Stack>
          </form>
        </Paper>
      )}
    </Stack>
  );
}
