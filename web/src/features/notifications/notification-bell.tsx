import { ActionIcon, Indicator, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { useUnreadCount } from './notifications-api';

function BellIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round" aria-hidden>
      <path d="M6 8a6 6 0 0 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

/** The bell in the header: how many notifications are unread; opens the inbox. */
export function NotificationBell() {
  const unread = useUnreadCount().data ?? 0;
  const label = unread === 0 ? 'Notifications' : `Notifications (${unread} unread)`;
  return (
    <Tooltip label={label}>
      <Indicator label={unread > 99 ? '99+' : unread} size={16} color="red" disabled={unread === 0} offset={4} data-testid="notification-count">
        <ActionIcon component={Link} to="/notifications" variant="subtle" color="gray" size="lg" aria-label={label}>
          <BellIcon />
        </ActionIcon>
      </Indicator>
    </Tooltip>
  );
}
