import { Badge } from '@mantine/core';
import type { ApprovalState } from './approvals-api';
import { APPROVAL_STATE_COLORS, APPROVAL_STATE_LABELS } from './approval-words';

export function ApprovalStateBadge({ state }: { state: ApprovalState }) {
  return (
    <Badge color={APPROVAL_STATE_COLORS[state]} variant="light" size="sm" radius="sm" data-approval-state={state}>
      {APPROVAL_STATE_LABELS[state]}
    </Badge>
  );
}
