import { Button, SegmentedControl, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import { customFilter, searchFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { hasPermission, useCurrentUser } from '../auth/session';
import { orderedModels, typeLabel, usePolicy } from '../changes/policy';
import { TypeBadge } from '../changes/state-badge';
import { type Template, type TemplateActivity, useTemplateList } from './templates-api';
import { ActiveBadge, FailureRate, TemplateCis, UsageText } from './template-ui';

const ACTIVITY_OPTIONS: { value: TemplateActivity; label: string }[] = [
  { value: 'true', label: 'Active' },
  { value: 'false', label: 'Retired' },
  { value: 'all', label: 'All' },
];

export function TemplatesPage() {
  const me = useCurrentUser();
  const { data: policy } = usePolicy();
  const state = useListParams(['q', 'type', 'active'] as const);
  const { filters } = state;
  const active: TemplateActivity = filters.active === 'false' || filters.active === 'all' ? filters.active : 'true';
  const list = useTemplateList({ q: filters.q, type: filters.type, active, ...(state.sort ? { sort: state.sort } : {}) });
  const canWrite = hasPermission(me, 'template.write');
  const canUse = hasPermission(me, 'change.create');
  const typeOptions = orderedModels(policy).map((m) => ({ value: m.type, label: typeLabel(policy, m.type) }));

  const columns: ListColumn<Template>[] = [
    {
      key: 'name',
      label: 'Name',
      sortable: true,
      render: (t) => (
        <>
          <Text component={Link} to={`/templates/${t.id}`} size="sm" fw={600} c="blue.8">
            {t.name}
          </Text>
          {t.description && (
            <Text size="xs" c="dimmed" lineClamp={2}>
              {t.description}
            </Text>
          )}
        </>
      ),
    },
    {
      key: 'type',
      label: 'Type',
      sortable: true,
      width: 110,
      render: (t) => <TypeBadge type={t.type} label={typeLabel(policy, t.type)} />,
    },
    { key: 'cis', label: 'CIs', width: 220, render: (t) => <TemplateCis cis={t.cis} /> },
    { key: 'used', label: 'Used', sortable: true, width: 150, render: (t) => <UsageText history={t.history} /> },
    // Sorted by how many changes finished in the 90 days (the N of "x of N failed"), not by the failure rate.
    { key: 'changes90d', label: 'Last 90 days', sortable: true, width: 160, render: (t) => <FailureRate history={t.history} /> },
    ...(active !== 'true'
      ? [{ key: 'active', label: 'Status', sortable: true, width: 90, render: (t: Template) => <ActiveBadge active={t.active} /> }]
      : []),
    ...(canUse
      ? [
          {
            key: 'actions',
            label: 'Actions',
            hideLabel: true,
            width: 80,
            render: (t: Template) =>
              t.active && (
                <Button
                  component={Link}
                  to={`/changes/new?template=${encodeURIComponent(t.id)}`}
                  size="xs"
                  variant="light"
                  aria-label={`Use ${t.name}`}
                >
                  Use
                </Button>
              ),
          },
        ]
      : []),
  ];

  return (
    <ListPage
      title="Change templates"
      description="Starting points for changes people make again and again, with how the changes made from them fared."
      label="Templates"
      list="templates"
      state={state}
      query={list}
      columns={columns}
      filters={[
        searchFilter('q', 'Search', 'Name or description', { width: 260 }),
        selectFilter('type', 'Type', typeOptions, { placeholder: 'Any type' }),
        customFilter('active', (value, set) => (
          <Stack gap={4}>
            <Text size="sm" fw={500} id="template-activity-label">
              Status
            </Text>
            <SegmentedControl
              aria-labelledby="template-activity-label"
              data={ACTIVITY_OPTIONS}
              value={value === 'false' || value === 'all' ? value : 'true'}
              onChange={(v) => set(v === 'true' ? null : v)}
            />
          </Stack>
        )),
      ]}
      exportPath="/api/v1/templates/export.csv"
      rowKey={(t) => t.id}
      rowHref={(t) => `/templates/${t.id}`}
      emptyText="No templates yet."
      filteredEmptyText="No template matches these filters."
      actions={
        canWrite && (
          <Button component={Link} to="/templates/new">
            New template
          </Button>
        )
      }
    />
  );
}
