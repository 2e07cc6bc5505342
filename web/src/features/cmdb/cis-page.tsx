import { Button, Group, Select } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { ENVIRONMENT_LABELS, toOptions } from '../../shared/labels';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SearchInput } from '../../shared/search-input';
import { useUrlFilters } from '../../shared/use-url-filters';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useCiList, useServiceOptions } from './cmdb-api';
import { CiTable } from './cmdb-ui';

const environmentOptions = toOptions(ENVIRONMENT_LABELS);

export function CisPage() {
  const me = useCurrentUser();
  const { filters, setFilter, clear, hasFilters } = useUrlFilters(['q', 'type', 'environment', 'serviceId', 'tag'] as const);
  const list = useCiList(filters);
  const services = useServiceOptions();
  const serviceNames = new Map((services.data ?? []).map((o) => [o.value, o.label]));
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <>
      <PageHeader
        title="Configuration items"
        description="Servers, databases, applications and everything else a change can touch."
        actions={
          hasPermission(me, 'cmdb.write') && (
            <Button component={Link} to="/cmdb/import" variant="default">
              Import CIs
            </Button>
          )
        }
      />
      <Group gap="sm" mb="sm" align="flex-end" role="search" aria-label="Filter CIs">
        <SearchInput label="Search" placeholder="CI name" value={filters.q ?? ''} onSearch={(v) => setFilter('q', v)} w={240} />
        <SearchInput label="Type" placeholder="e.g. database" value={filters.type ?? ''} onSearch={(v) => setFilter('type', v)} w={150} />
        <Select
          label="Environment"
          placeholder="Any"
          data={environmentOptions}
          value={filters.environment ?? null}
          onChange={(v) => setFilter('environment', v)}
          clearable
          w={170}
        />
        <Select
          label="Service"
          placeholder="Any service"
          data={services.data ?? []}
          value={filters.serviceId ?? null}
          onChange={(v) => setFilter('serviceId', v)}
          clearable
          searchable
          w={220}
        />
        <SearchInput label="Tag" placeholder="e.g. pci" value={filters.tag ?? ''} onSearch={(v) => setFilter('tag', v)} w={130} />
        {hasFilters && (
          <Button variant="subtle" onClick={clear}>
            Clear filters
          </Button>
        )}
      </Group>
      {list.isError && <ErrorAlert error={list.error} title="Cannot load CIs" onRetry={() => void list.refetch()} />}
      {list.isPending ? (
        <PageLoader label="Loading CIs" />
      ) : (
        <>
          <CiTable cis={rows} serviceNames={serviceNames} emptyText={hasFilters ? 'No CI matches these filters.' : 'No CIs yet.'} />
          <LoadMore
            shown={rows.length}
            hasNextPage={list.hasNextPage}
            isFetchingNextPage={list.isFetchingNextPage}
            onLoadMore={() => void list.fetchNextPage()}
          />
        </>
      )}
    </>
  );
}
