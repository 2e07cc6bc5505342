import { Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDate, formatDateTime, formatRange } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { hasPermission, useCurrentUser } from '../auth/session';
import { CabVotesSection } from './cab-votes-section';
import { type Home, type HomeActionItem, useHome } from './home-api';

/** "in 3 h", "in 2 d", "5 min ago": how far an instant is from now, in the largest unit that fits. */
export function relativeWords(iso: string, now: number = Date.now()): string {
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  const abs = Math.abs(minutes);
  const amount = abs < 60 ? `${abs} min` : abs < 48 * 60 ? `${Math.round(abs / 60)} h` : `${Math.round(abs / 1440)} d`;
  return minutes >= 0 ? `in ${amount}` : `${amount} ago`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The change list narrowed to these states, and to the caller's changes by `mine` (docs/lists.md). */
const changesIn = (states: string[], mine?: string) => {
  const params = [...(states.length ? [`state=${states.map(encodeURIComponent).join(',')}`] : []), ...(mine ? [`mine=${mine}`] : [])];
  return params.length ? `/changes?${params.join('&')}` : '/changes';
};

interface SectionProps {
  id: string;
  title: string;
  /** The whole count, shown as a link to the list behind it. */
  count: number;
  countLabel: string;
  to: string;
  /** Said when there is nothing: plainly, as a sentence. */
  empty: string;
  hint?: ReactNode;
  children: ReactNode;
}

/** One block of the home page: a title, its count linking to the list behind it, and its first items. */
function Section({ id, title, count, countLabel, to, empty, hint, children }: SectionProps) {
  const headingId = `home-${id}`;
  return (
    <Paper withBorder radius="sm" p="md" component="section" aria-labelledby={headingId} data-testid={`home-section-${id}`}>
      <Group justify="space-between" align="baseline" wrap="nowrap" mb="xs">
        <Title order={2} size="h5" id={headingId}>
          {title}
        </Title>
        <Anchor component={Link} to={to} size="sm" fw={600} data-testid={`home-count-${id}`} style={{ whiteSpace: 'nowrap' }}>
          {countLabel}
        </Anchor>
      </Group>
      {hint && (
        <Text size="xs" c="dimmed" mb="xs">
          {hint}
        </Text>
      )}
      {count === 0 ? (
        <Text size="sm" c="dimmed">
          {empty}
        </Text>
      ) : (
        <Stack component="ul" gap="xs" m={0} p={0} style={{ listStyle: 'none' }}>
          {children}
        </Stack>
      )}
    </Paper>
  );
}

/** A change in a section: its number (a link to it), its title, and a line saying why it is here. */
/** One change in a section: its number, title and badge, its state and `children` on a second line, then `below`. */
function ChangeRow({
  change,
  children,
  badge,
  below,
}: {
  change: { number: string; title: string; stateLabel: string };
  children?: ReactNode;
  badge?: ReactNode;
  below?: ReactNode;
}) {
  return (
    <li>
      <Group gap={6} wrap="nowrap" align="baseline">
        <Anchor component={Link} to={`/changes/${change.number}`} size="sm" fw={600} ff="monospace" style={{ flexShrink: 0 }}>
          {change.number}
        </Anchor>
        <Text size="sm" lineClamp={1} style={{ minWidth: 0 }}>
          {change.title}
        </Text>
        {badge}
      </Group>
      <Text size="xs" c="dimmed">
        {change.stateLabel}
        {children ? ' · ' : ''}
        {children}
      </Text>
      {below}
    </li>
  );
}

/** A red mark beside a change's title (overdue, past due), or nothing. */
function RedFlag({ when, label }: { when: boolean; label: string }) {
  return when ? (
    <Badge color="red" variant="light" size="sm" style={{ flexShrink: 0 }}>
      {label}
    </Badge>
  ) : undefined;
}

const REASON_COLOURS: Record<HomeActionItem['reasons'][number]['kind'], string> = {
  returned: 'orange',
  rejected: 'red',
  approval_rejected: 'red',
  conflicts: 'red',
  concerns: 'orange',
  missing_fields: 'yellow',
  comment: 'blue',
  ready: 'green',
};

function ApprovalsSection({ home }: { home: Home }) {
  const { approvals } = home;
  return (
    <Section
      id="approvals"
      title="Approvals waiting for you"
      count={approvals.count}
      countLabel={`${plural(approvals.count, 'approval')} in My approvals`}
      to="/approvals"
      empty="Nothing waits for your approval."
      hint={
        approvals.count > 0 ? (
          <Anchor component={Link} to="/changes?mine=approving" size="xs">
            Their changes in the change list
          </Anchor>
        ) : undefined
      }
    >
      {approvals.items.map((a) => (
        <ChangeRow
          key={a.approvalId}
          change={a.change}
          badge={<RedFlag when={a.overdue} label="Overdue" />}
        >
          {a.stageLabel}: {a.reason}
          {a.decidesFor ? ` · for ${a.decidesFor.name}` : ''}
          {a.dueAt ? ` · due ${formatDateTime(a.dueAt)} (${relativeWords(a.dueAt)})` : ''}
        </ChangeRow>
      ))}
    </Section>
  );
}

function MyChangesSection({ home }: { home: Home }) {
  const { myChanges } = home;
  return (
    <Section
      id="my-changes"
      title="Your changes that need you"
      count={myChanges.count}
      countLabel={`${plural(myChanges.count, 'change')} in the list`}
      to={changesIn(myChanges.states, 'requested,owned')}
      empty="None of your changes waits for you."
    >
      {myChanges.items.map((item) => (
        <ChangeRow
          key={item.change.id}
          change={item.change}
          below={
            <Stack component="ul" gap={2} m={0} mt={2} p={0} style={{ listStyle: 'none' }} aria-label={`Why ${item.change.number} needs you`}>
              {item.reasons.map((r) => (
                <Group component="li" key={r.kind} gap={6} wrap="nowrap" align="baseline">
                  <Badge color={REASON_COLOURS[r.kind]} variant="light" size="xs" style={{ flexShrink: 0 }} aria-hidden>
                    {r.kind === 'missing_fields' ? 'fields' : r.kind === 'approval_rejected' ? 'rejected' : r.kind}
                  </Badge>
                  <Text size="xs">
                    {r.text}
                    {r.at ? ` · ${formatDateTime(r.at)}` : ''}
                  </Text>
                </Group>
              ))}
            </Stack>
          }
        />
      ))}
    </Section>
  );
}

function ImplementingSection({ home }: { home: Home }) {
  const { implementing } = home;
  return (
    <Section
      id="implementing"
      title="You implement in the next 7 days"
      count={implementing.count}
      countLabel={`${plural(implementing.count, 'change')} in the calendar`}
      to="/schedule?view=week"
      empty="Nothing to implement in the next 7 days."
      hint={
        implementing.count > 0 ? (
          <Anchor component={Link} to="/changes?mine=implementing&sort=plannedStart" size="xs">
            Everything you implement, in the change list
          </Anchor>
        ) : undefined
      }
    >
      {implementing.items.map(({ change }) => (
        <ChangeRow key={change.id} change={change}>
          {change.plannedStart && change.plannedEnd ? `${formatRange(change.plannedStart, change.plannedEnd)} (${relativeWords(change.plannedStart)})` : 'no planned time'}
        </ChangeRow>
      ))}
    </Section>
  );
}

function ManagerSections({ home }: { home: Home }) {
  const { triage, conflicts, slaAtRisk, freezes } = home;
  return (
    <>
      {triage && (
        <Section
          id="triage"
          title="Triage: submitted, waiting for assessment"
          count={triage.count}
          countLabel={`${plural(triage.count, 'change')} to assess`}
          to={changesIn(triage.states)}
          empty="Nothing waits for assessment."
        >
          {triage.items.map((t) => (
            <ChangeRow
              key={t.change.id}
              change={t.change}
              badge={
                t.routedToMe ? (
                  <Badge variant="light" size="sm" style={{ flexShrink: 0 }}>
                    Routed to you
                  </Badge>
                ) : undefined
              }
            >
              waiting since {formatDate(t.since)}
              {!t.routedToMe && t.changeManagerName ? ` · ${t.changeManagerName}` : ''}
            </ChangeRow>
          ))}
        </Section>
      )}
      {conflicts && (
        <Section
          id="conflicts"
          title="Conflicts nobody acknowledged"
          count={conflicts.count}
          countLabel={`${plural(conflicts.count, 'change')} in the list`}
          to={changesIn(conflicts.states)}
          empty="No open change has an unacknowledged conflict."
        >
          {conflicts.items.map((c) => (
            <ChangeRow key={c.change.id} change={c.change}>
              {plural(c.count, 'conflict')} ({c.kinds.map((k) => CONFLICT_WORDS[k] ?? k).join(', ')})
              {c.change.plannedStart ? ` · starts ${formatDateTime(c.change.plannedStart)}` : ''}
            </ChangeRow>
          ))}
        </Section>
      )}
      {slaAtRisk && (
        <Section
          id="sla"
          title="SLA clocks due within 24 hours"
          count={slaAtRisk.count}
          countLabel={`${plural(slaAtRisk.count, 'clock')} · SLA report`}
          to="/sla/breaches"
          empty="No SLA clock is about to run out."
        >
          {slaAtRisk.items.map((k) => (
            <ChangeRow
              key={k.clockId}
              change={k.change}
              badge={<RedFlag when={k.overdue} label="Past due" />}
            >
              {k.metric === 'approval_response' ? `approval by ${k.approverLabel ?? 'its approvers'}` : 'time to schedule'} · due {formatDateTime(k.dueAt)} ({relativeWords(k.dueAt)})
            </ChangeRow>
          ))}
        </Section>
      )}
      {freezes && (
        <Section
          id="freezes"
          title="Freezes in the next 14 days"
          count={freezes.count}
          countLabel={`${plural(freezes.count, 'freeze')} in Windows`}
          to="/schedule/windows"
          empty="No freeze starts in the next 14 days."
        >
          {freezes.items.map((f) => (
            <li key={`${f.windowId}-${f.start}`}>
              <Group gap={6} wrap="nowrap" align="baseline">
                <Text size="sm" fw={600}>
                  {f.name}
                </Text>
                {f.inForce && (
                  <Badge color="red" variant="light" size="sm">
                    In force
                  </Badge>
                )}
                {f.urgent && (
                  <Badge color="red" variant="filled" size="sm">
                    Lockdown
                  </Badge>
                )}
              </Group>
              <Text size="xs" c="dimmed">
                {formatRange(f.start, f.end)} · {f.scope}
                {f.inForce ? '' : ` · starts ${relativeWords(f.start)}`}
              </Text>
            </li>
          ))}
        </Section>
      )}
    </>
  );
}

const CONFLICT_WORDS: Record<string, string> = {
  ci_overlap: 'same CI at the same time',
  related_ci_overlap: 'related CI at the same time',
  freeze: 'in a freeze',
  outside_maintenance_window: 'outside a maintenance window',
  assignee_busy: 'implementer busy',
};

function OversightSection({ oversight }: { oversight: NonNullable<Home['oversight']> }) {
  return (
    <Paper withBorder radius="sm" p="md" component="section" aria-labelledby="home-oversight" data-testid="home-section-oversight">
      <Title order={2} size="h5" id="home-oversight" mb="xs">
        Oversight
      </Title>
      <Stack component="ul" gap={6} m={0} p={0} style={{ listStyle: 'none' }}>
        <li>
          <Anchor component={Link} to="/sla/breaches" size="sm" fw={600} data-testid="home-count-breaches">
            {plural(oversight.slaBreaches, 'SLA breach', 'SLA breaches')} since {formatDate(oversight.since)}
          </Anchor>
        </li>
        <li>
          <Text size="sm">
            {oversight.breakGlassToReview === 0
              ? 'No break-glass change waits for its review.'
              : `${plural(oversight.breakGlassToReview, 'break-glass change')} ${oversight.breakGlassToReview === 1 ? 'waits' : 'wait'} for review.`}
          </Text>
        </li>
        <li>
          <Anchor component={Link} to="/audit" size="sm">
            Search and verify the audit trail
          </Anchor>
        </li>
      </Stack>
    </Paper>
  );
}

/** Home (`/`, where sign-in lands): what needs the signed-in person now, from one call (GET /api/v1/home). */
export function HomePage() {
  const me = useCurrentUser();
  const home = useHome();
  const firstName = me.name.split(/\s+/)[0] ?? me.name;
  const createsChanges = hasPermission(me, 'change.create');

  return (
    <>
      <PageHeader
        title="Home"
        description={`What needs you now, ${firstName}.`}
        actions={
          createsChanges && (
            <Button component={Link} to="/changes/new">
              New change
            </Button>
          )
        }
      />
      {home.isPending && <PageLoader label="Loading what needs you" />}
      {home.isError && <ErrorAlert error={home.error} title="Cannot load your home page" onRetry={() => void home.refetch()} />}
      {home.data && (
        <Stack gap="md">
          {!home.data.sees.approvals && !createsChanges && (
            <Text size="sm" c="dimmed">
              {home.data.oversight ? 'Nothing waits for your decision: you read every change and record, and decide none.' : 'Nothing waits for you.'}
            </Text>
          )}
          <CabVotesSection />
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" style={{ alignItems: 'start' }}>
            {home.data.sees.approvals && <ApprovalsSection home={home.data} />}
            {(createsChanges || home.data.myChanges.count > 0) && <MyChangesSection home={home.data} />}
            {(hasPermission(me, 'change.update') || home.data.implementing.count > 0) && <ImplementingSection home={home.data} />}
            {home.data.oversight && !home.data.sees.changeManagement && <OversightSection oversight={home.data.oversight} />}
          </SimpleGrid>
          {home.data.sees.changeManagement && (
            <>
              <Title order={2} size="h4" mt="xs">
                Change management
              </Title>
              <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" style={{ alignItems: 'start' }}>
                <ManagerSections home={home.data} />
                {home.data.oversight && <OversightSection oversight={home.data.oversight} />}
              </SimpleGrid>
            </>
          )}
        </Stack>
      )}
    </>
  );
}
