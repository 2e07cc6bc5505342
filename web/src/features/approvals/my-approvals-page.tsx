import { Button, Group, Paper, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { quorumWords } from './approval-words';
import { type Decision, type MyApproval, useApproverName, useMyApprovals } from './approvals-api';
import { DueText } from './approvals-panel';
import { firstName } from './decision-controls';
import { DecisionPanel } from './decision-panel';

/**
 * The approvals waiting for the signed-in person, soonest due first. Approve and Reject open the decision
 * panel: the essentials of the change first, then the decision with its comment; nothing is decided in one click.
 */
export function MyApprovalsPage() {
  const query = useMyApprovals();
  const approverName = useApproverName();
  const [deciding, setDeciding] = useState<{ approval: MyApproval; decision: Decision } | null>(null);
  return (
    <>
      <PageHeader title="My approvals" description="Changes waiting for your decision, soonest due first." />
      {query.isPending && <PageLoader label="Loading your approvals" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load your approvals" onRetry={() => void query.refetch()} />}
      {query.isSuccess && (
        <Paper withBorder radius="sm">
          <Table aria-label="My approvals" verticalSpacing="xs" aria-busy={query.isFetching}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={120}>Change</Table.Th>
                <Table.Th>Title</Table.Th>
                <Table.Th w={150}>Stage</Table.Th>
                <Table.Th>Why you are asked</Table.Th>
                <Table.Th w={170}>Due</Table.Th>
                <Table.Th w={250}>Decision</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {query.data.items.map((a) => (
                <Table.Tr key={a.id} data-approval={a.rule}>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <Text component={Link} to={`/changes/${a.changeNumber}`} size="sm" fw={600} c="blue.8" ff="monospace">
                      {a.changeNumber}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <Text size="sm" lineClamp={2}>
                      {a.changeTitle}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <Text size="sm">{a.stageLabel}</Text>
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <Text size="sm">{a.reason}</Text>
                    <Text size="xs" c="dimmed">
                      {approverName(a.approver)} · {quorumWords(a.quorum)}
                    </Text>
                  </Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>{a.dueAt ? <DueText approval={a} withPrefix={false} /> : <Text size="sm">—</Text>}</Table.Td>
                  <Table.Td style={{ verticalAlign: 'top' }}>
                    <Group gap="xs" wrap="nowrap">
                      {(['approve', 'reject'] as const).map((decision) => {
                        const verb = decision === 'approve' ? 'Approve' : 'Reject';
                        return (
                          <Button
                            key={decision}
                            size="xs"
                            variant={decision === 'approve' ? 'light' : 'subtle'}
                            color={decision === 'approve' ? 'green' : 'red'}
                            aria-haspopup="dialog"
                            aria-label={`${verb}${a.decidesFor ? ` for ${a.decidesFor.name}` : ''}: ${a.changeNumber} ${approverName(a.approver)}, after reading the change`}
                            onClick={() => setDeciding({ approval: a, decision })}
                          >
                            {verb}
                            {a.decidesFor ? ` for ${firstName(a.decidesFor.name)}` : ''}…
                          </Button>
                        );
                      })}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
              {query.data.items.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text c="dimmed" size="sm" ta="center" py="md">
                      Nothing is waiting for your decision.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      <DecisionPanel approval={deciding?.approval ?? null} initial={deciding?.decision ?? 'approve'} onClose={() => setDeciding(null)} />
    </>
  );
}
