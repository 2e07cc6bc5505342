import { Button, Group, Paper, SegmentedControl, Select, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { Link, useNavigate } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SearchInput } from '../../shared/search-input';
import { useUrlFilters } from '../../shared/use-url-filters';
import { hasPermission, useCurrentUser } from '../auth/session';
import { orderedModels, typeLabel, usePolicy } from '../changes/policy';
import { TypeBadge } from '../changes/state-badge';
import { type TemplateActivity, useTemplateList } from './templates-api';
import { ActiveBadge, FailureRate, TemplateCis, UsageText } from './template-ui';

const ACTIVITY_OPTIONS: { value: TemplateActivity; label: string }[] = [
  { value: 'true', label: 'Active' },
  { value: 'false', label: 'Retired' },
  { value: 'all', label: 'All' },
];

export function TemplatesPage() {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const { data: policy } = usePolicy();
  const { filters, setFilter, clear, hasFilters } = useUrlFilters(['q', 'type', 'active'] as const);
  const active: TemplateActivity = filters.active === 'false' || filters.active === 'all' ? filters.active : 'true';
  const list = useTemplateList({ q: filters.q, type: filters.type, active });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const canWrite = hasPermission(me, 'template.write');
  const canUse = hasPermission(me, 'change.create');
  const typeOptions = orderedModels(policy).map((m) => ({ value: m.type, label: typeLabel(policy, m.type) }));

  return (
    <>
      <PageHeader
        title="Change templates"
        description="Starting points for changes people make again and again, with how the changes made from them fared."
        actions={
          canWrite && (
            <Button component={Link} to="/templates/new">
              New template
            </Button>
          )
        }
      />
      <Group gap="sm" mb="sm" align="flex-end" role="search" aria-label="Filter templates">
        <SearchInput label="Search" placeholder="Name or description" value={filters.q ?? ''} onSearch={(v) => setFilter('q', v)} w={260} />
        <Select
          label="Type"
          placeholder="Any type"
          data={typeOptions}
          value={filters.type ?? null}
          onChange={(v) => setFilter('type', v)}
          clearable
          w={170}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="template-activity-label">
            Status
          </Text>
          <SegmentedControl
            aria-labelledby="template-activity-label"
            data={ACTIVITY_OPTIONS}
            value={active}
            onChange={(v) => setFilter('active', v === 'true' ? null : v)}
          />
        </Stack>
        {hasFilters && (
          <Button variant="subtle" onClick={clear}>
            Clear filters
          </Button>
        )}
      </Group>
      {list.isError && <ErrorAlert error={list.error} title="Cannot load templates" onRetry={() => void list.refetch()} />}
      {list.isPending ? (
        <PageLoader label="Loading templates" />
      ) : (
        <>
          <Paper withBorder radius="sm">
            <Table highlightOnHover aria-label="Templates" aria-busy={list.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th w={110}>Type</Table.Th>
                  <Table.Th w={220}>CIs</Table.Th>
                  <Table.Th w={150}>Used</Table.Th>
                  <Table.Th w={160}>Last 90 days</Table.Th>
                  {active !== 'true' && <Table.Th w={90}>Status</Table.Th>}
                  {canUse && (
                    <Table.Th w={80}>
                      <VisuallyHidden>Actions</VisuallyHidden>
                    </Table.Th>
                  )}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((t) => (
                  <Table.Tr
                    key={t.id}
                    className="cabinet-row-link"
                    onClick={(e) => {
                      if (!(e.target as HTMLElement).closest('a, button')) navigate(`/templates/${t.id}`);
                    }}
                  >
                    <Table.Td>
                      <Text component={Link} to={`/templates/${t.id}`} size="sm" fw={600} c="blue.8">
                        {t.name}
                      </Text>
                      {t.description && (
                        <Text size="xs" c="dimmed" lineClamp={2}>
                          {t.description}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <TypeBadge type={t.type} label={typeLabel(policy, t.type)} />
                    </Table.Td>
                    <Table.Td>
                      <TemplateCis cis={t.cis} />
                    </Table.Td>
                    <Table.Td>
                      <UsageText history={t.history} />
                    </Table.Td>
                    <Table.Td>
                      <FailureRate history={t.history} />
                    </Table.Td>
                    {active !== 'true' && (
                      <Table.Td>
                        <ActiveBadge active={t.active} />
                      </Table.Td>
                    )}
                    {canUse && (
                      <Table.Td>
                        {t.active && (
                          <Button
                            component={Link}
                            to={`/changes/new?template=${encodeURIComponent(t.id)}`}
                            size="xs"
                            variant="light"
                            aria-label={`Use ${t.name}`}
                          >
                            Use
                          </Button>
                        )}
                      </Table.Td>
                    )}
                  </Table.Tr>
                ))}
                {rows.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={7}>
                      <Text c="dimmed" size="sm" ta="center" py="md">
                        {hasFilters ? 'No template matches these filters.' : 'No templates yet.'}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Paper>
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
