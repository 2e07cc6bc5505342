import { Badge } from '@mantine/core';
import type { SlaClock } from './sla-api';

const STATUS: Record<SlaClock['status'], { label: string; color: string }> = {
  running: { label: 'Running', color: 'blue' },
  met: { label: 'Met', color: 'green' },
  breached: { label: 'Breached', color: 'red' },
};

export function SlaStatusBadge({ status }: { status: SlaClock['status'] }) {
  const s = STATUS[status];
  return (
    <Badge size="sm" variant="light" color={s.color} data-sla-status={status} style={{ overflow: 'visible' }}>
      {s.label}
    </Badge>
  );
}
