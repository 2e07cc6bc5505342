import { Badge, Group, Stack, Table, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError } from '../../api/client';
import type { ChangeDetail } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { useTeamNames } from '../admin/admin-api';
import { useUserNames } from '../admin/user-select';
import { ApprovalStateBadge } from '../approvals/approval-state-badge';
import { useApproverName, useChangeApprovals } from '../approvals/approvals-api';
import { useChangeRisk } from './change-api';
import { gateStates } from './evidence-panel';
import { METRIC_LABELS, targetWords, useChangeSla } from '../sla/sla-api';
import { SlaStatusBadge } from '../sla/sla-status-badge';
import { evidenceKindLabel, useChangeEvidence } from './governance-api';
import { usePolicy } from './policy';
import { formatPoints } from './risk-badge';

function Section({ title, children, count }: { title: string; children: ReactNode; count?: number }) {
  const id = `policy-${title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <section aria-labelledby={id}>
      <Group gap="xs" mb={4} align="baseline">
        <Title order={2} size="h5" id={id}>
          {title}
        </Title>
        {count !== undefined && (
          <Text size="xs" c="dimmed">
            {count === 0 ? 'none fired' : `${count} fired`}
          </Text>
        )}
      </Group>
      {children}
    </section>
  );
}

/** A rule that fired: its name, the policy's reason, and what it decided. */
function RuleTable({ label, rows }: { label: string; rows: { key: string; rule: ReactNode; reason: ReactNode; outcome: ReactNode }[] }) {
  return (
    <Table fz="sm" verticalSpacing={4} horizontalSpacing="xs" aria-label={label} layout="fixed">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w="22%">Rule</Table.Th>
          <Table.Th>Why</Table.Th>
          <Table.Th w="30%">Outcome</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r) => (
          <Table.Tr key={r.key}>
            <Table.Td ff="monospace" fz="xs" style={{ overflowWrap: 'anywhere' }}>
              {r.rule}
            </Table.Td>
            <Table.Td>{r.reason}</Table.Td>
            <Table.Td>{r.outcome}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

const Dimmed = ({ children }: { children: ReactNode }) => (
  <Text size="sm" c="dimmed">
    {children}
  </Text>
);

function RoutingSection({ change }: { change: ChangeDetail }) {
  const teamNames = useTeamNames();
  const userNames = useUserNames([change.changeManagerId, change.routing?.changeManager?.value]);
  const routing = change.routing;
  if (!routing) return <Dimmed>Routing has not run on this change.</Dimmed>;
  const rows = [];
  for (const target of ['team', 'changeManager'] as const) {
    const routed = routing[target];
    const what = target === 'team' ? 'Assignment team' : 'Change manager';
    if (routed) {
      const name = target === 'team' ? (teamNames.get(routed.value) ?? routed.value) : (userNames.get(routed.value) ?? routed.value);
      rows.push({ key: target, rule: routed.rule, reason: routed.reason, outcome: `${what}: ${name}` });
    } else {
      const current = target === 'team' ? change.assignmentTeamId : change.changeManagerId;
      const name = current ? (target === 'team' ? (teamNames.get(current) ?? current) : (userNames.get(current) ?? current)) : 'none';
      rows.push({ key: target, rule: '—', reason: routing.manual[target] ? 'Set by hand; routing leaves it alone' : 'No rule chose one', outcome: `${what}: ${name}` });
    }
  }
  return <RuleTable label="Routing rules" rows={rows} />;
}

function RiskSection({ changeId }: { changeId: string }) {
  const risk = useChangeRisk(changeId);
  if (risk.isPending) return <PageLoader label="Loading the risk" />;
  if (risk.isError) return <ErrorAlert error={risk.error} title="Cannot load the risk" />;
  const fired = risk.data.factors.filter((f) => f.contribution !== 0).sort((a, b) => b.contribution - a.contribution);
  return (
    <Stack gap={4}>
      <Text size="sm">
        Score {risk.data.score} / 100 under policy v{risk.data.policyVersion}
        {risk.data.override ? ` (level overridden to ${risk.data.override.level.replace(/_/g, ' ')})` : ''}
      </Text>
      {fired.length === 0 ? (
        <Dimmed>No risk factor adds or removes points.</Dimmed>
      ) : (
        <RuleTable
          label="Risk factors"
          rows={fired.map((f) => ({
            key: f.name,
            rule: f.name,
            reason: f.reason,
            outcome: (
              <>
                <Text span size="sm" fw={600} ff="monospace" c={f.contribution > 0 ? 'red.8' : 'green.8'}>
                  {formatPoints(f.contribution)}
                </Text>{' '}
                {f.label.toLowerCase()}
              </>
            ),
          }))}
        />
      )}
    </Stack>
  );
}

function ApprovalSection({ changeId }: { changeId: string }) {
  const approvals = useChangeApprovals(changeId);
  const approverName = useApproverName();
  if (approvals.isPending) return <PageLoader label="Loading the approvals" />;
  if (approvals.isError) return <ErrorAlert error={approvals.error} title="Cannot load the approvals" />;
  const items = [...approvals.data.items].sort((a, b) => a.stageOrder - b.stageOrder);
  if (items.length === 0) return <Dimmed>No approval rule has fired yet; the policy asks for approvals when the change enters Authorize.</Dimmed>;
  return (
    <RuleTable
      label="Approval rules"
      rows={items.map((a) => ({
        key: a.id,
        rule: a.rule,
        reason: (
          <>
            {a.reason}
            <Text size="xs" c="dimmed">
              {a.stageLabel} · policy v{a.policyVersion}
            </Text>
          </>
        ),
        outcome: (
          <Stack gap={2} align="flex-start">
            <Text span size="sm">
              {approverName(a.approver)}
            </Text>
            <ApprovalStateBadge state={a.state} />
          </Stack>
        ),
      }))}
    />
  );
}

function GateSection({ changeId, changeType }: { changeId: string; changeType: string }) {
  const evidence = useChangeEvidence(changeId);
  const { data: policy } = usePolicy();
  if (evidence.isPending) return <PageLoader label="Loading the gates" />;
  if (evidence.isError) return <ErrorAlert error={evidence.error} title="Cannot load the gates" />;
  const gates = evidence.data.gates;
  if (gates.length === 0) return <Dimmed>No gate applies to this change.</Dimmed>;
  return (
    <RuleTable
      label="Gates"
      rows={gates.map((g) => ({
        key: g.name,
        rule: g.name,
        reason: (
          <>
            {g.reason}
            <Text size="xs" c="dimmed">
              Before {gateStates(g, changeType, policy)}; needs {g.evidence.map(evidenceKindLabel).join(' and ')}
            </Text>
          </>
        ),
        outcome:
          g.missing.length === 0 ? (
            <Badge size="sm" color="green" variant="light">
              Satisfied
            </Badge>
          ) : (
            <Text span size="sm" c="orange.8">
              Missing {g.missing.map(evidenceKindLabel).join(' and ')}
            </Text>
          ),
      }))}
    />
  );
}

function SlaSection({ changeId }: { changeId: string }) {
  const sla = useChangeSla(changeId);
  if (sla.isPending) return <PageLoader label="Loading the SLA targets" />;
  // NOTE: an older server has no SLA endpoint; the section then says nothing rather than an error.
  if (sla.isError) return sla.error instanceof ApiError && sla.error.status === 404 ? <Dimmed>No SLA targets.</Dimmed> : <ErrorAlert error={sla.error} title="Cannot load the SLA targets" />;
  if (sla.data.items.length === 0) return <Dimmed>No SLA target applies yet.</Dimmed>;
  return (
    <RuleTable
      label="SLA targets"
      rows={sla.data.items.map((c) => ({
        key: c.id,
        rule: targetWords(c.target),
        reason: (
          <>
            {METRIC_LABELS[c.metric] ?? c.metric}
            {c.approverLabel ? ` · ${c.approverLabel}` : ''}
            <Text size="xs" c="dimmed">
              {c.clock === 'business' ? 'Business hours' : 'Wall clock'} · policy v{c.policyVersion}
            </Text>
          </>
        ),
        outcome: (
          <Stack gap={0}>
            <SlaStatusBadge status={c.status} />
            <Text size="xs" c="dimmed">
              Due {formatDateTime(c.dueAt)}
            </Text>
          </Stack>
        ),
      }))}
    />
  );
}

/** Which rules of the policy fired for this change, and why: routing, risk, approvals, gates and SLA targets. */
export function PolicyPanel({ change }: { change: ChangeDetail }) {
  const { data: policy } = usePolicy();
  const approvals = useChangeApprovals(change.id);
  const evidence = useChangeEvidence(change.id);
  return (
    <Stack gap="md" data-testid="policy-panel">
      <Text size="sm">
        This change follows{' '}
        <Text span fw={600} size="sm">
          policy v{change.policyVersion}
        </Text>
        {policy && policy.number !== change.policyVersion ? ` (the active version is v${policy.number})` : ''}. These are the rules that fired for
        it, and why.
      </Text>
      <Section title="Routing">
        <RoutingSection change={change} />
      </Section>
      <Section title="Risk factors">
        <RiskSection changeId={change.id} />
      </Section>
      <Section title="Approval rules" count={approvals.data?.items.length}>
        <ApprovalSection changeId={change.id} />
      </Section>
      <Section title="Gates" count={evidence.data?.gates.length}>
        <GateSection changeId={change.id} changeType={change.type} />
      </Section>
      <Section title="SLA targets">
        <SlaSection changeId={change.id} />
      </Section>
    </Stack>
  );
}
