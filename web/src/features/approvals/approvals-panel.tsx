import { Badge, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { ApprovalStateBadge } from './approval-state-badge';
import { groupByStage, isOverdue, quorumWords } from './approval-words';
import { type Approval, useApproverName, useChangeApprovals } from './approvals-api';
import { DecisionControls } from './decision-controls';

const listStyle = { listStyle: 'none', padding: 0, margin: 0 } as const;

/** "Due 1 Dec 2026, 23:00", or "Overdue since …" in red while the approval is still open. */
export function DueText({ approval, withPrefix = true }: { approval: Pick<Approval, 'dueAt' | 'state'>; withPrefix?: boolean }) {
  if (!approval.dueAt) return null;
  const overdue = isOverdue(approval);
  return (
    <Text span size="xs" c={overdue ? 'red.8' : 'dimmed'} fw={overdue ? 600 : undefined} data-overdue={overdue || undefined}>
      {overdue ? 'Overdue since ' : withPrefix ? 'Due ' : ''}
      {formatDateTime(approval.dueAt)}
    </Text>
  );
}

/** "Escalated to Change Managers on …" once an overdue approval was escalated; they may decide it too. */
export function EscalationText({ approval }: { approval: Pick<Approval, 'escalatedAt' | 'escalation'> }) {
  const approverName = useApproverName();
  if (!approval.escalatedAt || !approval.escalation) return null;
  const to = approval.escalation.kind === 'board' ? 'the board’s delegates' : approverName({ ...approval.escalation, label: approval.escalation.ref });
  return (
    <Badge size="sm" color="orange" variant="light" data-escalated title={`${to} may decide it too`}>
      Escalated to {to} · {formatDateTime(approval.escalatedAt)}
    </Badge>
  );
}

function Votes({ votes, withdrawnReason }: { votes: Approval['votes']; withdrawnReason: string | null }) {
  if (votes.length === 0) return null;
  return (
    <Stack component="ul" gap={4} style={listStyle} aria-label="Votes" mt={2}>
      {votes.map((v) => (
        <li key={`${v.userId}-${v.createdAt}`} data-vote-counts={!v.superseded && !v.voided}>
          <Text size="sm" td={v.superseded || v.voided ? 'line-through' : undefined}>
            <Text span fw={600} size="sm">
              {v.userName}
            </Text>{' '}
            {v.onBehalfOfName && (
              <Text span size="sm" data-testid="vote-on-behalf">
                for{' '}
                <Text span fw={600} size="sm">
                  {v.onBehalfOfName}
                </Text>{' '}
                <Text span size="xs" c="dimmed">
                  (delegated)
                </Text>{' '}
              </Text>
            )}
            <Text span size="sm" fw={500} c={v.decision === 'approve' ? 'green.8' : 'red.8'}>
              {v.decision === 'approve' ? 'approved' : 'rejected'}
            </Text>
            <Text span size="xs" c="dimmed">
              {' '}
              · {formatDateTime(v.createdAt)}
            </Text>
          </Text>
          {(v.superseded || v.voided) && (
            <Text size="xs" c="red.9" data-testid="vote-ended">
              {v.voided ? 'Voided' : 'Superseded'}
              {v.endedAt ? ` ${formatDateTime(v.endedAt)}` : ''}
              {/* A superseded vote's reason is its withdrawn approval's: said once, above. */}
              {v.why && v.why !== withdrawnReason ? `: ${v.why}` : ': it no longer counts.'}
            </Text>
          )}
          {v.comment && (
            <Text size="sm" c="dark.6" className="cabinet-pre" pl="sm" style={{ borderLeft: '2px solid var(--mantine-color-gray-3)' }}>
              {v.comment}
            </Text>
          )}
        </li>
      ))}
    </Stack>
  );
}

function ApprovalItem({ approval }: { approval: Approval }) {
  const open = approval.state === 'pending';
  const approverName = useApproverName()(approval.approver);
  return (
    <Paper component="li" withBorder radius="sm" p="sm" data-approval={approval.rule} aria-label={`${approverName} approval`}>
      <Stack gap={4}>
        <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <Text size="sm" fw={600} component="span">
              {approverName}
            </Text>
            <Text size="sm" c="dimmed" component="span">
              {' '}
              · {quorumWords(approval.quorum)}
            </Text>
          </div>
          <ApprovalStateBadge state={approval.state} />
        </Group>
        <Text size="sm">{approval.reason}</Text>
        {approval.withdrawnReason && (
          <Text size="sm" c="dark.6" data-testid="withdrawn-reason">
            Withdrawn: {approval.withdrawnReason}
          </Text>
        )}
        <Group gap="sm">
          <DueText approval={approval} />
          <EscalationText approval={approval} />
          <Text span size="xs" c="dimmed">
            Rule {approval.rule} · policy v{approval.policyVersion}
          </Text>
        </Group>
        <Votes votes={approval.votes} withdrawnReason={approval.withdrawnReason} />
        {open && approval.canDecide && (
          <div>
            <DecisionControls approvalId={approval.id} changeId={approval.changeId} subject={approverName} decidesFor={approval.decidesFor} />
          </div>
        )}
      </Stack>
    </Paper>
  );
}

function stageSummary(approvals: Approval[]): string {
  const approved = approvals.filter((a) => a.state === 'approved').length;
  if (approvals.some((a) => a.state === 'rejected')) return 'rejected';
  if (approvals.every((a) => a.state === 'waiting')) return 'waiting for the stage before it';
  return `${approved} of ${approvals.length} approved`;
}

/** The approvals of a change, stage by stage, with votes and Approve / Reject for those the person may decide. */
export function ApprovalsPanel({ changeId }: { changeId: string }) {
  const query = useChangeApprovals(changeId);
  if (query.isPending) return <PageLoader label="Loading the approvals" />;
  if (query.isError) return <ErrorAlert error={query.error} title="Cannot load the approvals" onRetry={() => void query.refetch()} />;
  const stages = groupByStage(query.data.items.filter((a) => a.state !== 'withdrawn'));
  const withdrawn = query.data.items.filter((a) => a.state === 'withdrawn');
  if (stages.length === 0 && withdrawn.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="approvals-panel">
        No approvals yet. The policy asks for them when the change enters Authorize.
      </Text>
    );
  }
  return (
    <Stack gap="md" data-testid="approvals-panel">
      {stages.map((stage, i) => {
        const headingId = `approval-stage-${stage.stage}`;
        return (
          <section key={stage.stage} aria-labelledby={headingId} data-stage={stage.stage}>
            <Group gap="xs" mb={6} align="baseline">
              <Badge size="sm" variant="filled" color="gray" circle aria-hidden>
                {i + 1}
              </Badge>
              <Title order={2} size="h5" id={headingId}>
                {stage.label}
              </Title>
              <Text size="xs" c="dimmed">
                {stageSummary(stage.approvals)}
              </Text>
            </Group>
            <Stack component="ul" gap="xs" style={listStyle}>
              {stage.approvals.map((a) => (
                <ApprovalItem key={a.id} approval={a} />
              ))}
            </Stack>
          </section>
        );
      })}
      {withdrawn.length > 0 && (
        <section aria-labelledby="approvals-withdrawn" data-stage="withdrawn">
          <Title order={2} size="h5" id="approvals-withdrawn" mb={4}>
            Withdrawn
          </Title>
          <Text size="xs" c="gray.7" mb={6}>
            Earlier requests: the change was edited, asked again or closed. Their votes are kept for the record and no longer count.
          </Text>
          <Stack component="ul" gap="xs" style={listStyle}>
            {withdrawn.map((a) => (
              <ApprovalItem key={a.id} approval={a} />
            ))}
          </Stack>
        </section>
      )}
    </Stack>
  );
}
