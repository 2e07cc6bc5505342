import { Group, List, NativeSelect, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { useChangeAudience } from './communication-api';
import { CHANNEL_LABELS, EVENT_LABELS, EVENTS } from './follow-button';

/**
 * "Who will be told": the people the change's notices reach now, each with why (they follow one of its
 * services, CIs or team, or what depends on them, or their team owns what it touches). Computed again when a
 * notice is sent, so it may differ by then.
 */
export function AudiencePanel({ changeId }: { changeId: string }) {
  const [event, setEvent] = useState('');
  const audience = useChangeAudience(changeId, event || undefined);
  return (
    <Stack gap={6} component="section" aria-labelledby="audience-title">
      <Group justify="space-between" align="flex-end" gap="xs">
        <Title order={2} size="h6" id="audience-title">
          Who will be told
        </Title>
        <NativeSelect
          size="xs"
          aria-label="Of which notice"
          value={event}
          onChange={(e) => setEvent(e.currentTarget.value)}
          data={[
            { value: '', label: 'Any notice' },
            ...EVENTS.filter((e) => !e.startsWith('freeze_')).map((e) => ({ value: e, label: EVENT_LABELS[e] })),
          ]}
        />
      </Group>
      {audience.isPending && (
        <Text size="sm" c="dimmed">
          Loading…
        </Text>
      )}
      {/* Quiet on purpose: a side panel, not the page's problem (the page's alerts speak for its actions). */}
      {audience.isError && (
        <Text size="sm" c="red.8">
          Cannot load who will be told: {audience.error.message}
        </Text>
      )}
      {audience.isSuccess && audience.data.people.length === 0 && (audience.data.addresses ?? []).length === 0 && (
        <Text size="sm" c="gray.7">
          {event ? 'Nobody would be told of this notice now.' : 'Nobody follows what this change touches.'}
        </Text>
      )}
      {audience.isSuccess && audience.data.people.length > 0 && (
        <List size="sm" spacing={4} data-testid="audience">
          {audience.data.people.map((p) => (
            <List.Item key={p.userId}>
              <Text size="sm" fw={600} span>
                {p.name}
              </Text>
              {event && (
                <Text size="xs" c="gray.7" span>
                  {' '}
                  ({p.channels.map((c) => CHANNEL_LABELS[c]).join(', ')})
                </Text>
              )}
              <Text size="xs" c="gray.7">
                {p.reasons.join('; ')}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
      {/* External addresses that confirmed (0024): email only. */}
      {audience.isSuccess && (audience.data.addresses ?? []).length > 0 && (
        <List size="sm" spacing={4} data-testid="audience-addresses" aria-label="External addresses">
          {audience.data.addresses.map((a) => (
            <List.Item key={a.address}>
              <Text size="sm" fw={600} span>
                {a.address}
              </Text>{' '}
              <Text size="xs" c="gray.7" span>
                (email)
              </Text>
              <Text size="xs" c="gray.7">
                {a.reasons.join('; ')}
              </Text>
            </List.Item>
          ))}
        </List>
      )}
      <Text size="xs" c="gray.7">
        {event
          ? 'By the policy’s notice rules (notifications.yaml), as things stand now; worked out again when the notice is sent.'
          : 'Told as it is scheduled, comes up, starts, finishes or moves; worked out again when each notice is sent.'}
      </Text>
    </Stack>
  );
}
