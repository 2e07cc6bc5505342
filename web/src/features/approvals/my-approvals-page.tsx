import { Paper, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { quorumWords } from './approval-words';
import { useApproverName, useMyApprovals } from './approvals-api';
import { DueText } from './approvals-panel';
import { DecisionControls } from './decision-controls';

/** The approvals waiting for the signed-in person, soonest due first, decided right here. */
export function MyApprovalsPage() {
  const query = useMyApprovals();
  const approverName = useApproverName();
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
                    <DecisionControls
                      approvalId={a.id}
                      changeId={a.changeId}
                      subject={`${a.changeNumber} ${approverName(a.approver)}`}
                      decidesFor={a.decidesFor}
                    />
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
    </>
  );
}
