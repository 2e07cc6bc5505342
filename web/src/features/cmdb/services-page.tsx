import { Group, Paper, Table, Text } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PROVIDER_LABELS } from '../../shared/labels';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SearchInput } from '../../shared/search-input';
import { useUrlFilters } from '../../shared/use-url-filters';
import { useTeamNames } from '../admin/admin-api';
import { Tags, TierBadge } from './cmdb-ui';
import { useServiceList } from './cmdb-api';

export function ServicesPage() {
  const { filters, setFilter } = useUrlFilters(['q', 'tag'] as const);
  const list = useServiceList(filters);
  const teamNames = useTeamNames();
  const navigate = useNavigate();
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader title="Services" description="Business and technical services, their tier and owners." />
      <Group gap="sm" mb="sm" align="flex-end" role="search" aria-label="Filter services">
        <SearchInput label="Search" placeholder="Service name" value={filters.q ?? ''} onSearch={(v) => setFilter('q', v)} w={280} />
        <SearchInput label="Tag" placeholder="e.g. pci" value={filters.tag ?? ''} onSearch={(v) => setFilter('tag', v)} w={160} />
      </Group>
      {list.isError && <ErrorAlert error={list.error} title="Cannot load services" onRetry={() => void list.refetch()} />}
      {list.isPending ? (
        <PageLoader label="Loading services" />
      ) : (
        <Paper withBorder radius="sm">
          <Table highlightOnHover aria-label="Services">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th w={90}>Tier</Table.Th>
                <Table.Th w={140}>Provider</Table.Th>
                <Table.Th w={200}>Owner team</Table.Th>
                <Table.Th>Tags</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map((s) => (
                <Table.Tr
                  key={s.id}
                  className="cabinet-row-link"
                  onClick={(e) => {
                    if (!(e.target as HTMLElement).closest('a')) navigate(`/cmdb/services/${s.id}`);
                  }}
                >
                  <Table.Td>
                    <Text component={Link} to={`/cmdb/services/${s.id}`} size="sm" fw={600} c="blue.8">
                      {s.name}
                    </Text>
                    {s.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {s.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <TierBadge tier={s.tier} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{PROVIDER_LABELS[s.provider] ?? s.provider}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{s.ownerTeamId ? (teamNames.get(s.ownerTeamId) ?? '—') : '—'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Tags tags={s.tags} />
                  </Table.Td>
                </Table.Tr>
              ))}
              {rows.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={5}>
                    <Text c="dimmed" size="sm" ta="center" py="md">
                      No services found.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {!list.isPending && (
        <LoadMore
          shown={rows.length}
          hasNextPage={list.hasNextPage}
          isFetchingNextPage={list.isFetchingNextPage}
          onLoadMore={() => void list.fetchNextPage()}
        />
      )}
    </>
  );
}
