import { Alert, Button, List, Text } from '@mantine/core';
import { humanize } from '../../shared/format';
import { approvalStateWords, type BlockingApproval } from './approval-words';
import { type Approval, useApproverName } from './approvals-api';

interface ApprovalsPendingAlertProps {
  /** `details.approvals` of the 422 `approvals_pending`. */
  approvals: BlockingApproval[];
  /** The label of the refused step, e.g. "Schedule". */
  action: string;
  /** The change's approvals, when loaded: they give each blocking one its stage label and reason. */
  known?: Approval[];
  onShow?: () => void;
  onClose?: () => void;
}

/** Names every approval that still stands between the change and the step it was refused. */
export function ApprovalsPendingAlert({ approvals, action, known = [], onShow, onClose }: ApprovalsPendingAlertProps) {
  const byId = new Map(known.map((a) => [a.id, a]));
  const approverName = useApproverName();
  return (
    <Alert
      color="orange"
      variant="light"
      role="alert"
      title={`“${action}” needs ${approvals.length === 1 ? 'this approval' : `these ${approvals.length} approvals`} first`}
      withCloseButton={!!onClose}
      onClose={onClose}
      closeButtonLabel="Dismiss"
    >
      <List size="sm" spacing={2} aria-label="Pending approvals">
        {approvals.map((a) => {
          const full = byId.get(a.id);
          return (
            <List.Item key={a.id || a.rule}>
              <Text span size="sm" fw={600}>
                {full ? approverName(full.approver) : a.approver}
              </Text>{' '}
              ({full?.stageLabel ?? humanize(a.stage)}): {a.why && a.why !== a.state ? a.why : approvalStateWords(a.state)}
              {full?.reason && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  — {full.reason}
                </Text>
              )}
            </List.Item>
          );
        })}
      </List>
      {onShow && (
        <Button size="xs" variant="light" color="orange" mt="xs" onClick={onShow}>
          Show the approvals
        </Button>
      )}
    </Alert>
  );
}
