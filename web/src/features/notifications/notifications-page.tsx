import { Badge, Button, Group, Paper, SegmentedControl, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import {
  NOTIFICATION_KIND_LABELS,
  type Notification,
  notificationLink,
  useMarkAllRead,
  useMarkRead,
  useNotifications,
} from './notifications-api';

const KIND_COLORS: Record<Notification['kind'], string> = {
  approval_requested: 'blue',
  approval_reminder: 'yellow',
  approval_escalated: 'orange',
  approval_reopened: 'yellow',
  approval_vote_voided: 'red',
  sla_breached: 'red',
  break_glass: 'grape',
  schedule_conflict: 'red',
  change_held: 'yellow',
  change_released: 'teal',
  change_transitioned: 'indigo',
  change_submitted: 'blue',
  approval_decided: 'teal',
  change_announced: 'cyan',
  concern_raised: 'orange',
  concern_answered: 'teal',
  change_affected_reported: 'red',
  freeze_announced: 'indigo',
  workaround_shared: 'yellow',
  problem_resolved: 'green',
  catalogue_review_due: 'violet',
  review_requested: 'orange',
  review_overdue: 'red',
  template_suspended: 'red',
  template_reinstated: 'green',
  unauthorized_change: 'red',
  meeting_scheduled: 'grape',
  meeting_minutes: 'grape',
  digest: 'gray',
};

/**
 * One notice. A resolved one (an approval someone decided, withdrawn or requested again) stays in the list,
 * greyed, with what resolved it, and no longer counts as unread or offers "Mark read".
 */
function NotificationItem({ n }: { n: Notification }) {
  const markRead = useMarkRead();
  const resolved = n.resolvedAt !== null;
  const unread = n.readAt === null && !resolved;
  const link = notificationLink(n);
  return (
    <Paper
      component="li"
      withBorder
      radius="sm"
      p="sm"
      bg={unread ? 'blue.0' : resolved ? 'gray.0' : undefined}
      data-unread={unread || undefined}
      data-resolved={resolved || undefined}
      aria-label={n.title}
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap" gap="sm">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap="xs">
            <Badge size="sm" variant="light" color={resolved ? 'gray' : KIND_COLORS[n.kind]}>
              {NOTIFICATION_KIND_LABELS[n.kind]}
            </Badge>
            {n.needsAction && (
              <Badge size="sm" variant="outline" color="orange.9">
                Needs your decision
              </Badge>
            )}
            {resolved && (
              <Badge size="sm" variant="outline" color="gray.7">
                Resolved
              </Badge>
            )}
            <Text size="xs" c="dimmed">
              {formatDateTime(n.createdAt)}
            </Text>
          </Group>
          <Text size="sm" fw={unread ? 700 : 500}>
            {link ? (
              <Text component={Link} to={link} inherit c={resolved ? 'dark.6' : 'blue.8'} onClick={() => unread && markRead.mutate(n.id)}>
                {n.title}
              </Text>
            ) : (
              n.title
            )}
          </Text>
          {n.body !== '' && (
            <Text size="sm" c="dark.6">
              {n.body}
            </Text>
          )}
          {resolved && (
            <Text size="sm" c="dark.6" data-testid="resolution">
              {n.resolution ?? 'Resolved.'}{' '}
              <Text span size="xs" c="dimmed">
                ({formatDateTime(n.resolvedAt)})
              </Text>
            </Text>
          )}
        </Stack>
        {unread && (
          <Button
            size="compact-xs"
            variant="default"
            onClick={() => markRead.mutate(n.id)}
            loading={markRead.isPending}
            aria-label={`Mark read: ${n.title}`}
          >
            Mark read
          </Button>
        )}
      </Group>
    </Paper>
  );
}

/**
 * The inbox, newest first: approvals asked of you (resolved once someone decides them), what happens to your
 * changes, submissions routed to you as change manager, conflicts and SLA notices.
 */
export function NotificationsPage() {
  const [filter, setFilter] = useState<'unread' | 'all'>('all');
  const query = useNotifications(filter === 'unread');
  const markAll = useMarkAllRead();
  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = query.data?.pages[0]?.unread ?? 0;
  return (
    <>
      <PageHeader
        title="Notifications"
        description={unread === 0 ? 'Nothing unread.' : `${unread} unread.`}
        actions={
          <Button variant="default" size="xs" onClick={() => markAll.mutate()} disabled={unread === 0} loading={markAll.isPending}>
            Mark all read
          </Button>
        }
      />
      <SegmentedControl
        mb="sm"
        size="xs"
        value={filter}
        onChange={(v) => setFilter(v as 'unread' | 'all')}
        data={[
          { value: 'all', label: 'All' },
          { value: 'unread', label: 'Unread' },
        ]}
        aria-label="Show"
      />
      {query.isPending && <PageLoader label="Loading your notifications" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load your notifications" onRetry={() => void query.refetch()} />}
      {query.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          {filter === 'unread'
            ? 'No unread notifications.'
            : 'No notifications yet. Approvals asked of you, moves of your changes, submissions routed to you and schedule conflicts appear here.'}
        </Text>
      )}
      {items.length > 0 && (
        <>
          <Stack component="ul" gap="xs" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Notifications">
            {items.map((n) => (
              <NotificationItem key={n.id} n={n} />
            ))}
          </Stack>
          <LoadMore query={query} shown={items.length} />
        </>
      )}
    </>
  );
}
