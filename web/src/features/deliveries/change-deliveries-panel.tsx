import { Table, Text } from '@mantine/core';
import type { Delivery } from './deliveries-api';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { useChangeDeliveries } from './deliveries-api';
import { DeliveryResult } from './delivery-parts';

const CHANNEL_LABELS: Record<Delivery['channel'], string> = { in_app: 'In-app', email: 'Email', webhook: 'Webhook' };

/** Who the attempt went to: the person, else the address or target, else everyone it was for. */
function recipientOf(d: Delivery): string {
  return d.recipientName ?? d.recipient ?? 'All recipients';
}

/**
 * The delivery log of the notices about a change, newest first: who was told what, on which channel, when,
 * and how it went (evidence that the people concerned were told).
 */
export function ChangeDeliveriesPanel({ changeId }: { changeId: string }) {
  const deliveries = useChangeDeliveries(changeId);
  if (deliveries.isPending) return <PageLoader label="Loading the delivery log" />;
  if (deliveries.isError) return <ErrorAlert error={deliveries.error} title="Cannot load the delivery log" />;
  const items = deliveries.data.items;
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No notices about this change have been delivered yet.
      </Text>
    );
  }
  return (
    <Table aria-label="Delivery log">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Notice</Table.Th>
          <Table.Th>Recipient</Table.Th>
          <Table.Th w={100}>Channel</Table.Th>
          <Table.Th w={190}>Time</Table.Th>
          <Table.Th w={150}>Result</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td>{d.summary ?? '—'}</Table.Td>
            <Table.Td>{recipientOf(d)}</Table.Td>
            <Table.Td>{CHANNEL_LABELS[d.channel]}</Table.Td>
            <Table.Td>{formatDateTime(d.attemptedAt)}</Table.Td>
            <Table.Td>
              <DeliveryResult result={d.result} error={d.error} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
