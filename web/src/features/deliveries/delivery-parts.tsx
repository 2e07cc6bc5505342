import { Anchor, Badge, Text } from '@mantine/core';
import { Link } from 'react-router';

const RESULTS: Record<'delivered' | 'failed' | 'dead', { label: string; color: string }> = {
  delivered: { label: 'Delivered', color: 'green' },
  failed: { label: 'Failed, retried', color: 'orange' },
  dead: { label: 'Given up', color: 'red' },
};

/** One attempt's result as the delivery logs show it (a change's, a webhook's): a badge, and its error below. */
export function DeliveryResult({ result, error }: { result: keyof typeof RESULTS; error: string | null }) {
  return (
    <>
      <Badge size="sm" variant="light" color={RESULTS[result].color}>
        {RESULTS[result].label}
      </Badge>
      {error && (
        <Text size="xs" c="gray.7" style={{ wordBreak: 'break-word' }}>
          {error}
        </Text>
      )}
    </>
  );
}

/** What an item was about, with its event's name as a small tag under it (a dead letter, a webhook's delivery). */
export function EventTitle({ title, event, strong = false }: { title: string; event: string | null; strong?: boolean }) {
  return (
    <>
      <Text size="sm" fw={strong ? 500 : undefined}>
        {title}
      </Text>
      {event && (
        <Badge size="xs" variant="light" color="gray">
          {event}
        </Badge>
      )}
    </>
  );
}

/** The change an item was about, as a link to its page, or a dash. */
export function ChangeNumberLink({ number }: { number: string | null }) {
  return number ? (
    <Anchor component={Link} to={`/changes/${number}`} size="sm">
      {number}
    </Anchor>
  ) : (
    <>—</>
  );
}
