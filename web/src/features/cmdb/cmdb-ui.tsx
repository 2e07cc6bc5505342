import { Badge, Group, Paper, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Ci } from '../../api/types';
import { ENVIRONMENT_LABELS } from '../../shared/labels';
import { Dash, EmptyRow, useRowLink } from '../../shared/table-parts';

export function TierBadge({ tier }: { tier: number }) {
  const color = tier === 1 ? 'red' : tier === 2 ? 'orange' : tier === 3 ? 'blue' : 'gray';
  return (
    <Badge color={color} variant="light" size="sm" radius="sm">
      Tier {tier}
    </Badge>
  );
}

const CRITICALITY_COLORS: Record<string, string> = { critical: 'red', high: 'orange', medium: 'blue', low: 'gray' };

export function CriticalityBadge({ criticality }: { criticality: string }) {
  return (
    <Badge color={CRITICALITY_COLORS[criticality] ?? 'gray'} variant="light" size="sm" radius="sm">
      {criticality}
    </Badge>
  );
}

export function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <Dash />;
  return (
    <Group gap={4}>
      {tags.map((t) => (
        <Badge key={t} size="xs" variant="outline" color="gray" radius="sm" tt="none">
          {t}
        </Badge>
      ))}
    </Group>
  );
}

interface CiTableProps {
  cis: Ci[];
  serviceNames?: Map<string, string>;
  emptyText?: string;
  label?: string;
}

/** CIs as a dense table; the name links to the CI page. */
export function CiTable({ cis, serviceNames, emptyText = 'No CIs found.', label = 'Configuration items' }: CiTableProps) {
  const rowLink = useRowLink();
  const withService = !!serviceNames;
  return (
    <Paper withBorder radius="sm">
      <Table highlightOnHover aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th w={130}>Type</Table.Th>
            <Table.Th w={150}>Environment</Table.Th>
            {withService && <Table.Th w={200}>Service</Table.Th>}
            <Table.Th w={110}>Criticality</Table.Th>
            <Table.Th>Tags</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {cis.map((ci) => (
            <Table.Tr key={ci.id} {...rowLink(`/cmdb/cis/${ci.id}`)}>
              <Table.Td>
                <Text component={Link} to={`/cmdb/cis/${ci.id}`} size="sm" fw={600} c="blue.8">
                  {ci.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {ci.type}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{ENVIRONMENT_LABELS[ci.environment] ?? ci.environment}</Text>
              </Table.Td>
              {withService && (
                <Table.Td>
                  {ci.serviceId ? (
                    <Text component={Link} to={`/cmdb/services/${ci.serviceId}`} size="sm" c="blue.8">
                      {serviceNames.get(ci.serviceId) ?? 'Service'}
                    </Text>
                  ) : (
                    <Dash />
                  )}
                </Table.Td>
              )}
              <Table.Td>
                <CriticalityBadge criticality={ci.criticality} />
              </Table.Td>
              <Table.Td>
                <Tags tags={ci.tags} />
              </Table.Td>
            </Table.Tr>
          ))}
          {cis.length === 0 && <EmptyRow colSpan={withService ? 6 : 5}>{emptyText}</EmptyRow>}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
