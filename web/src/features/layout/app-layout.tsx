import { Anchor, AppShell, Avatar, Badge, Box, Burger, Group, Menu, NavLink, ScrollArea, Text, Tooltip, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Fragment, Suspense, useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { ErrorBoundary } from '../../shared/error-boundary';
import { displayTimeZone, setDisplayTimeZone, zoneAbbreviation } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { useMyApprovals } from '../approvals/approvals-api';
import { hasPermission, hasRole, useCurrentUser, useSignOut } from '../auth/session';
import { GlobalSearch } from '../home/global-search';
import { NotificationBell } from '../notifications/notification-bell';

interface NavItem {
  to: string;
  label: string;
  /** Paths that also highlight this item (by prefix), besides `to` itself. */
  match?: (path: string) => boolean;
  /** A count shown after the label (hidden when 0), with words for screen readers. */
  badge?: { count: number; label: string };
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
        {/* NOTE: accessibility. Named by its content, not an aria-label: the name must contain the text a
            person sees (WCAG 2.5.3), and the initials are decoration. */}
        <UnstyledButton className="cabinet-user-button">
          <Group gap={8} wrap="nowrap">
            <VisuallyHidden>Account menu for {me.name}</VisuallyHidden>
            <Avatar size={28} radius="xl" color="blue" aria-hidden>
              {initials}
            </Avatar>
            <Text size="sm" fw={500} visibleFrom="sm" aria-hidden>
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
        <Menu.Item onClick={() => navigate('/me/preferences')}>Preferences</Menu.Item>
        <Menu.Item onClick={() => navigate('/me/subscriptions')}>My subscriptions</Menu.Item>
        <Menu.Item onClick={() => navigate('/me/delegations')}>Delegations</Menu.Item>
        <Menu.Item onClick={() => navigate('/me/calendar-feeds')}>Calendar feeds</Menu.Item>
        <Menu.Item onClick={() => navigate('/admin/tokens')}>API tokens</Menu.Item>
        {/* c, not color: a Menu item draws a colour's shade 6 (3.3:1 on white) and a dark hover for a shade */}
        <Menu.Item c="red.8" onClick={() => signOut.mutate(undefined, { onSettled: () => navigate('/sign-in', { replace: true }) })}>
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
  // NOTE: set while rendering, before any page renders a time: every formatter reads it (shared/format.ts).
  setDisplayTimeZone(me.timeZone);
  const zone = displayTimeZone();
  // On a narrow screen the navigation is a drawer; following a link closes it.
  useEffect(closeNav, [location.pathname, closeNav]);

  const changeItems: NavItem[] = [
    { to: '/', label: 'Home' },
    {
      to: '/changes',
      label: 'Changes',
      match: (p) => p === '/changes' || (p.startsWith('/changes/') && p !== '/changes/new'),
    },
  ];
  if (hasPermission(me, 'change.create')) changeItems.push({ to: '/changes/new', label: 'New change' });
  // Everyone who reads changes may read the templates they are made from.
  if (hasPermission(me, 'change.read')) changeItems.push({ to: '/templates', label: 'Templates', match: (p) => p.startsWith('/templates') });
  // The catalogue that learns: its review queue, candidates for it, and misclassification counts.
  if (hasPermission(me, 'change.read')) changeItems.push({ to: '/catalogue/reviews', label: 'Catalogue reviews' });
  // Post-implementation reviews of changes (docs/learning.md).
  if (hasPermission(me, 'change.read')) changeItems.push({ to: '/reviews', label: 'Change reviews' });
  if (hasPermission(me, 'template.write')) changeItems.push({ to: '/catalogue/candidates', label: 'Catalogue candidates' });
  if (hasPermission(me, 'sla.read')) changeItems.push({ to: '/catalogue/misclassification', label: 'Misclassification' });
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
  // Problems and known errors sit with the incidents they explain (docs/learning.md).
  if (hasPermission(me, 'problem.read')) {
    incidentItems.push({ to: '/problems', label: 'Problems', match: (p) => p.startsWith('/problems') });
    incidentItems.push({ to: '/known-errors', label: 'Known errors', match: (p) => p.startsWith('/known-errors') });
  }
  // Pipelines and what they shipped (issue 14): the gate's answers, deployments, bypasses and DORA.
  const deliveryItems: NavItem[] = [];
  if (hasPermission(me, 'deployment.read')) deliveryItems.push({ to: '/deployments', label: 'Deployments', match: (p) => p.startsWith('/deployments') });
  if (hasPermission(me, 'gate.read')) deliveryItems.push({ to: '/gate/checks', label: 'Gate checks', match: (p) => p.startsWith('/gate/') });
  if (hasPermission(me, 'deployment.read')) {
    deliveryItems.push({ to: '/unauthorized-changes', label: 'Unauthorized changes', match: (p) => p.startsWith('/unauthorized-changes') });
    deliveryItems.push({ to: '/dora', label: 'DORA metrics' });
  }
  // The CABs, the ECAB and the technical boards that decide changes, and their meetings (docs/cab.md): beside the
  // schedule, where their members look for the next meeting.
  const cabItems: NavItem[] = hasPermission(me, 'board.read')
    ? [
        { to: '/meetings', label: 'Meetings', match: (p) => p.startsWith('/meetings') },
        { to: '/boards', label: 'Boards', match: (p) => p.startsWith('/boards') },
      ]
    : [];
  const governanceItems: NavItem[] = hasPermission(me, 'policy.read') ? [{ to: '/policy', label: 'Policy' }] : [];
  if (hasPermission(me, 'sla.read')) governanceItems.push({ to: '/sla/breaches', label: 'SLA breaches' });
  if (hasPermission(me, 'audit.read')) governanceItems.push({ to: '/audit', label: 'Audit trail' });
  // Change managers set up the GitHub, GitLab and Argo CD integrations too; admins find them under Admin.
  if (hasPermission(me, 'integration.manage') && !hasRole(me, 'admin')) governanceItems.push({ to: '/admin/integrations', label: 'Integrations' });
  const adminItems: NavItem[] = [
    { to: '/admin/users', label: 'Users' },
    { to: '/admin/teams', label: 'Teams' },
    { to: '/admin/tokens', label: 'API tokens' },
    { to: '/admin/deliveries', label: 'Deliveries' },
    { to: '/admin/webhooks', label: 'Webhooks' },
    { to: '/admin/integrations', label: 'Integrations' },
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
            <Text component={Link} to="/" fw={800} size="lg" c="blue.8" td="none" className="cabinet-brand">
              Cabinet
            </Text>
            <GlobalSearch />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Tooltip label={`Times are shown in ${zone}. Change it in Preferences.`}>
              <Anchor component={Link} to="/me/preferences" size="xs" c="dimmed" visibleFrom="sm" data-testid="time-zone">
                Times in {zoneAbbreviation()}
              </Anchor>
            </Tooltip>
            <NotificationBell />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <AppShell.Section grow component={ScrollArea}>
          <NavSection items={changeItems} />
          <NavSection title="Schedule" items={scheduleItems} />
          {cabItems.length > 0 && <NavSection title="Change advisory boards" items={cabItems} />}
          {incidentItems.length > 0 && <NavSection title="Operations" items={incidentItems} />}
          {deliveryItems.length > 0 && <NavSection title="Delivery" items={deliveryItems} />}
          <NavSection title="CMDB" items={cmdbItems} />
          {governanceItems.length > 0 && <NavSection title="Governance" items={governanceItems} />}
          {hasRole(me, 'admin') && <NavSection title="Admin" items={adminItems} />}
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1} style={{ outline: 'none' }}>
        <ErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<PageLoader />}>
            {/* A new zone draws every page again, so that no time stays in the old one. */}
            <Fragment key={zone}>
              <Outlet />
            </Fragment>
          </Suspense>
        </ErrorBoundary>
      </AppShell.Main>
    </AppShell>
  );
}
