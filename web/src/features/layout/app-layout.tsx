import { AppShell, Avatar, Badge, Box, Burger, Group, Kbd, Menu, NavLink, ScrollArea, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense, useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { ErrorBoundary } from '../../shared/error-boundary';
import { PageLoader } from '../../shared/loading';
import { CHANGE_SEARCH_ID } from '../../shared/shortcuts';
import { useMyApprovals } from '../approvals/approvals-api';
import { hasPermission, hasRole, useCurrentUser, useSignOut } from '../auth/session';
import { NotificationBell } from '../notifications/notification-bell';

interface NavItem {
  to: string;
  label: string;
  /** Paths that also highlight this item (by prefix), besides `to` itself. */
  match?: (path: string) => boolean;
  /** A count shown after the label (hidden when 0), with words for screen readers. */
  badge?: { count: number; label: string };
}

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** "/" focuses the change search, from any page, unless the person is typing somewhere. */
function useSearchShortcut() {
  const navigate = useNavigate();
  const location = useLocation();
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      const input = document.getElementById(CHANGE_SEARCH_ID);
      if (input) input.focus();
      else navigate('/changes', { state: { focusSearch: true } });
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [navigate, location.pathname]);
}

function NavSection({ title, items }: { title?: string; items: NavItem[] }) {
  const { pathname } = useLocation();
  return (
    <Box component="nav" aria-label={title ?? 'Changes'} mb="sm">
      {title && (
        <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="xs" pb={4}>
          {title}
        </Text>
      )}
      {items.map((item) => {
        const active = item.match ? item.match(pathname) : pathname === item.to;
        return (
          <NavLink
            key={item.to}
            component={Link}
            to={item.to}
            label={item.label}
            rightSection={
              item.badge && item.badge.count > 0 ? (
                <Badge size="sm" color="orange" variant="filled" circle data-testid="nav-badge">
                  {item.badge.count}
                  <VisuallyHidden> {item.badge.label}</VisuallyHidden>
                </Badge>
              ) : undefined
            }
            active={active}
            aria-current={active ? 'page' : undefined}
            py={6}
          />
        );
      })}
    </Box>
  );
}

function UserMenu() {
  const me = useCurrentUser();
  const signOut = useSignOut();
  const navigate = useNavigate();
  const initials = me.name
    .split(/\s+/)
    .map((p) => p[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase();
  return (
    <Menu position="bottom-end" width={220} shadow="md">
      <Menu.Target>
        <UnstyledButton aria-label={`Account menu for ${me.name}`} className="cabinet-user-button">
          <Group gap={8} wrap="nowrap">
            <Avatar size={28} radius="xl" color="blue">
              {initials}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm">
              {me.name}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>
          <Text size="xs" fw={600} c="dark">
            {me.name}
          </Text>
          <Text size="xs">{me.email}</Text>
        </Menu.Label>
        <Menu.Divider />
        <Menu.Item onClick={() => navigate('/me/delegations')}>Delegations</Menu.Item>
        <Menu.Item onClick={() => navigate('/me/calendar-feeds')}>Calendar feeds</Menu.Item>
        <Menu.Item onClick={() => navigate('/admin/tokens')}>API tokens</Menu.Item>
        <Menu.Item color="red" onClick={() => signOut.mutate(undefined, { onSettled: () => navigate('/sign-in', { replace: true }) })}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

/** The frame around every signed-in page: header, navigation and the page itself. */
export function AppLayout() {
  const me = useCurrentUser();
  const location = useLocation();
  const [navOpened, { toggle: toggleNav, close: closeNav }] = useDisclosure(false);
  const myApprovals = useMyApprovals();
  useSearchShortcut();
  // On a narrow screen the navigation is a drawer; following a link closes it.
  useEffect(closeNav, [location.pathname, closeNav]);

  const changeItems: NavItem[] = [
    {
      to: '/changes',
      label: 'Changes',
      match: (p) => p === '/changes' || (p.startsWith('/changes/') && p !== '/changes/new'),
    },
  ];
  if (hasPermission(me, 'change.create')) changeItems.push({ to: '/changes/new', label: 'New change' });
  // Everyone who reads changes may read the templates they are made from.
  if (hasPermission(me, 'change.read')) changeItems.push({ to: '/templates', label: 'Templates', match: (p) => p.startsWith('/templates') });
  const waiting = myApprovals.data?.items.length ?? 0;
  changeItems.push({
    to: '/approvals',
    label: 'My approvals',
    badge: { count: waiting, label: 'pending' },
  });
  const scheduleItems: NavItem[] = [
    { to: '/schedule', label: 'Calendar' },
    { to: '/schedule/windows', label: 'Windows' },
    { to: '/me/calendar-feeds', label: 'Calendar feeds' },
  ];
  const cmdbItems: NavItem[] = [
    { to: '/cmdb/services', label: 'Services', match: (p) => p.startsWith('/cmdb/services') },
    { to: '/cmdb/cis', label: 'CIs', match: (p) => p.startsWith('/cmdb/cis') },
  ];
  if (hasPermission(me, 'cmdb.write')) cmdbItems.push({ to: '/cmdb/import', label: 'Import CIs' });
  const incidentItems: NavItem[] = hasPermission(me, 'incident.read')
    ? [{ to: '/incidents', label: 'Incidents', match: (p) => p === '/incidents' || (p.startsWith('/incidents/') && p !== '/incidents/import') }]
    : [];
  if (hasPermission(me, 'incident.import')) incidentItems.push({ to: '/incidents/import', label: 'Import incidents' });
  const governanceItems: NavItem[] = hasPermission(me, 'policy.read') ? [{ to: '/policy', label: 'Policy' }] : [];
  if (hasPermission(me, 'sla.read')) governanceItems.push({ to: '/sla/breaches', label: 'SLA breaches' });
  const adminItems: NavItem[] = [
    { to: '/admin/users', label: 'Users' },
    { to: '/admin/teams', label: 'Teams' },
    { to: '/admin/tokens', label: 'API tokens' },
  ];

  return (
    <AppShell header={{ height: 48 }} navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !navOpened } }} padding="md">
      <a href="#main" className="cabinet-skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <Burger opened={navOpened} onClick={toggleNav} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text component={Link} to="/changes" fw={800} size="lg" c="blue.8" td="none" className="cabinet-brand">
              Cabinet
            </Text>
            <Text size="xs" c="dimmed" visibleFrom="sm">
              Press <Kbd size="xs">/</Kbd> to search changes
            </Text>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <NotificationBell />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <AppShell.Section grow component={ScrollArea}>
          <NavSection items={changeItems} />
          <NavSection title="Schedule" items={scheduleItems} />
          {incidentItems.length > 0 && <NavSection title="Operations" items={incidentItems} />}
          <NavSection title="CMDB" items={cmdbItems} />
          {governanceItems.length > 0 && <NavSection title="Governance" items={governanceItems} />}
          {hasRole(me, 'admin') && <NavSection title="Admin" items={adminItems} />}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1} style={{ outline: 'none' }}>
        <ErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<PageLoader />}>
            <Outlet />
          </Suspense>
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
