import { Badge, Button, Divider, Group, List, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { DefinitionList } from '../../shared/definition-list';
import { formatDateTime, formatRange, withLocalTimes } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { NumberLink } from '../../shared/router-link';
import { stateLabel, typeLabel, usePolicy } from '../changes/policy';
import { formatPoints } from '../changes/risk-badge';
import { AgendaRiskBadge, votesWords } from './agenda-panel';
import { DecisionPanel, DecisionSummary } from './decision-panel';
import { formatClock } from './meeting-ui';
import { type AgendaItemView, type Meeting, type PreRead, usePreRead, useSetCurrentItem } from './meetings-api';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Stack gap={4}>
      <Title order={3} size="h6">
        {title}
      </Title>
      {children}
    </Stack>
  );
}

const none = (words: string) => (
  <Text size="sm" c="dimmed">
    {words}
  </Text>
);

const person = (p: PreRead['requester']) => p?.name ?? '—';

const tierWords = (tier: number | null) => (tier === null ? 'no tier' : `tier ${tier}`);

/** The services the change reaches, most critical first, and the CIs that depend on its own. */
function ImpactView({ impact }: { impact: PreRead['impact'] }) {
  if (impact.services.length === 0 && impact.impactedCount === 0) return none('No services or dependent CIs.');
  return (
    <Stack gap={4}>
      <List size="sm" spacing={2} aria-label="Services reached">
        {impact.services.map((s) => (
          <List.Item key={s.id ?? 'none'}>
            <Group gap={6} wrap="wrap">
              <Text span size="sm" fw={s.affected ? 600 : undefined}>
                {s.name}
              </Text>
              {s.tier !== null && (
                <Badge size="xs" variant="light" color={s.tier === 1 ? 'red' : s.tier === 2 ? 'orange' : 'gray'}>
                  {tierWords(s.tier)}
                </Badge>
              )}
              <Text span size="xs" c="dimmed">
                {s.affected ? 'its own CIs' : 'depends on them'} · {s.ciCount} CI{s.ciCount === 1 ? '' : 's'}
              </Text>
            </Group>
          </List.Item>
        ))}
      </List>
      <Text size="xs" c="dimmed">
        {impact.impactedCount === 0
          ? 'No other CI depends on its CIs.'
          : impact.summarised
            ? `${impact.impactedCount} CIs depend on its CIs: too many to list, shown by service above.`
            : `${impact.impactedCount} CI${impact.impactedCount === 1 ? ' depends' : 's depend'} on its CIs:`}
      </Text>
      {impact.impacted.length > 0 && (
        <List size="sm" spacing={2} aria-label="Dependent CIs">
          {impact.impacted.map((ci) => (
            <List.Item key={ci.id}>
              {ci.name}
              {ci.type ? ` (${ci.type})` : ''}, via {ci.via}
              {ci.service ? ` · ${ci.service}, ${tierWords(ci.tier)}` : ''}
            </List.Item>
          ))}
        </List>
      )}
    </Stack>
  );
}

/** The pre-read of one item: what a member reads before deciding. */
export function PreReadView({ preRead }: { preRead: PreRead }) {
  const { data: policy } = usePolicy();
  return (
    <Stack gap="sm">
      <DefinitionList
        termWidth="9rem"
        rows={[
          ['Type and state', `${typeLabel(policy, preRead.type)}, ${stateLabel(policy, preRead.type, preRead.state).toLowerCase()}`],
          ['Requester', person(preRead.requester)],
          ['Owner', person(preRead.owner)],
          ['Implementer', person(preRead.implementer)],
          ['Planned', preRead.plannedStart && preRead.plannedEnd ? formatRange(preRead.plannedStart, preRead.plannedEnd) : formatDateTime(preRead.plannedStart)],
          [
            'Risk',
            <Group gap={6} key="risk">
              <AgendaRiskBadge level={preRead.risk.level} />
              <Text span size="sm">
                score {preRead.risk.score} of 100
              </Text>
            </Group>,
          ],
        ]}
      />
      <Section title="Risk factors">
        {preRead.risk.factors.length === 0 ? (
          none('No factor adds to the risk.')
        ) : (
          <List size="sm" spacing={2}>
            {preRead.risk.factors.map((f) => (
              <List.Item key={f.name}>
                <Text span size="sm" fw={600}>
                  {formatPoints(f.contribution)}
                </Text>{' '}
                {f.label}
                {f.reason ? `: ${f.reason}` : ''}
              </List.Item>
            ))}
          </List>
        )}
      </Section>
      <Section title="Configuration items">
        {preRead.cis.length === 0 ? (
          none('None named.')
        ) : (
          <List size="sm" spacing={2}>
            {preRead.cis.map((ci) => (
              <List.Item key={ci.id}>
                {ci.name} ({ci.type})
              </List.Item>
            ))}
          </List>
        )}
      </Section>
      <Section title="Impact">
        <ImpactView impact={preRead.impact} />
      </Section>
      <Section title="Conflicts">
        {preRead.conflicts.length === 0 ? (
          none('None found.')
        ) : (
          <List size="sm" spacing={2}>
            {preRead.conflicts.map((c, i) => (
              <List.Item key={i}>{withLocalTimes(c.message)}</List.Item>
            ))}
          </List>
        )}
      </Section>
      <Section title="History">
        <Text size="sm">
          {preRead.history.total === 0
            ? 'No closed changes of the same team, CIs or template.'
            : `${preRead.history.total} closed changes of the same team, CIs or template; ${preRead.history.unsuccessful} unsuccessful.`}
        </Text>
        {preRead.history.recent.length > 0 && (
          <List size="sm" spacing={2}>
            {preRead.history.recent.map((h) => (
              <List.Item key={h.number}>
                <NumberLink to={`/changes/${h.number}`}>{h.number}</NumberLink> {h.title}
                {h.closeCode ? ` (${h.closeCode.replace(/_/g, ' ')})` : ''}
              </List.Item>
            ))}
          </List>
        )}
      </Section>
      <Section title="Open concerns">
        {preRead.openConcerns.length === 0 ? (
          none('None.')
        ) : (
          <List size="sm" spacing={2}>
            {preRead.openConcerns.map((c) => (
              <List.Item key={c.id}>{c.text}</List.Item>
            ))}
          </List>
        )}
      </Section>
      <Section title="Approvals given">
        {preRead.approvalsGiven.length === 0 ? (
          none('None yet.')
        ) : (
          <List size="sm" spacing={2}>
            {preRead.approvalsGiven.map((a, i) => (
              <List.Item key={`${a.rule}-${i}`}>
                {a.rule}: {a.approver}
                {a.decidedAt ? `, ${formatDateTime(a.decidedAt)}` : ''}
              </List.Item>
            ))}
          </List>
        )}
      </Section>
      <Section title="Implementation plan">
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {preRead.implementationPlan || '—'}
        </Text>
      </Section>
      <Section title="Backout plan">
        <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
          {preRead.backoutPlan || '—'}
        </Text>
      </Section>
    </Stack>
  );
}

interface ItemPaneProps {
  meeting: Meeting;
  item: AgendaItemView;
  canRun: boolean;
  /** The time now (ms), ticking each second while the meeting is live. */
  now: number;
}

/** The item open in the workbench: its pre-read, "Discuss now" with its timer, and the decision panel or the decision made. */
export function ItemPane({ meeting, item, canRun, now }: ItemPaneProps) {
  const preRead = usePreRead(meeting.id, item.changeId);
  const current = useSetCurrentItem(meeting.id);
  const isCurrent = meeting.currentItem?.changeId === item.changeId;
  const live = meeting.state === 'live';
  const elapsed = isCurrent && meeting.currentItem ? (now - new Date(meeting.currentItem.since).getTime()) / 1000 : 0;
  const over = elapsed > item.allottedMinutes * 60;

  return (
    <Stack gap="sm" component="section" aria-labelledby="item-heading">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <Stack gap={2} style={{ minWidth: 0 }}>
          <Group gap={6}>
            <NumberLink to={`/changes/${item.number}`}>{item.number}</NumberLink>
            <AgendaRiskBadge level={item.riskLevel} />
            {item.retrospective && (
              <Badge size="sm" color="indigo" variant="outline">
                Retrospective
              </Badge>
            )}
            {isCurrent && (
              <Badge size="sm" color="green" variant="filled">
                Under discussion
              </Badge>
            )}
          </Group>
          <Title order={2} size="h4" id="item-heading" style={{ overflowWrap: 'anywhere' }}>
            {item.title}
          </Title>
          <Text size="xs" c="dimmed">
            Item {item.position} · {item.allottedMinutes} min allotted ·{' '}
            {item.retrospective
              ? `approved by ${item.retrospective.boardName} on ${formatDateTime(item.retrospective.approvedAt)}; the board reviews that approval`
              : `votes so far: ${votesWords(item.votes, item.decision)}`}
          </Text>
        </Stack>
        {live && canRun && !item.decision && (
          <Group gap="xs">
            {isCurrent ? (
              <Button variant="default" size="xs" loading={current.isPending} onClick={() => current.mutate(null)}>
                Stop discussing
              </Button>
            ) : (
              <Button size="xs" loading={current.isPending} onClick={() => current.mutate(item.changeId)}>
                Discuss now
              </Button>
            )}
          </Group>
        )}
      </Group>
      {isCurrent && live && (
        <Text size="sm" role="timer" aria-label="Time on this item" c={over ? 'red.8' : undefined} fw={600}>
          On this item {formatClock(elapsed)} of {formatClock(item.allottedMinutes * 60)}
          {over ? ' (over its time)' : ''}
        </Text>
      )}
      {current.isError && <ErrorAlert error={current.error} title="Not done" />}
      <Divider />
      {preRead.isPending ? (
        <PageLoader label="Loading the pre-read" />
      ) : preRead.isError ? (
        <ErrorAlert error={preRead.error} title="Cannot load the pre-read" onRetry={() => void preRead.refetch()} />
      ) : (
        <PreReadView preRead={preRead.data} />
      )}
      <Divider />
      {item.decision ? (
        <DecisionSummary decision={item.decision} />
      ) : live && canRun ? (
        <DecisionPanel
          key={item.changeId}
          meetingId={meeting.id}
          meetingStart={meeting.start}
          boardId={meeting.boardId}
          changeId={item.changeId}
          number={item.number}
          retrospective={item.retrospective !== undefined}
        />
      ) : meeting.state === 'planned' ? (
        <Text size="sm" c="dimmed">
          The board decides once the meeting has started. Members may vote before it, from their approvals.
        </Text>
      ) : meeting.state === 'live' ? (
        <Text size="sm" c="dimmed">
          The chair or a change manager records the decision.
        </Text>
      ) : (
        <Text size="sm" c="dimmed">
          Not decided at this meeting.
        </Text>
      )}
    </Stack>
  );
}
