import { Button, Select, Text } from '@mantine/core';
import { Link } from 'react-router';
import { customFilter, searchFilter, selectFilter } from '../../shared/list/filters';
import { ListPage, type ListColumn, type QuickFilter } from '../../shared/list/list-page';
import { useListParams } from '../../shared/list/use-list-params';
import { hasPermission, useCurrentUser } from '../auth/session';
import { orderedModels, typeLabel, usePolicy } from '../changes/policy';
import { TypeBadge } from '../changes/state-badge';
import {
  type Template,
  type TemplateFilters,
  type TemplateState,
  useReviewSchedule,
  useTemplateCategories,
  useTemplateList,
} from './templates-api';
import { HealthBadge, ReviewDue, ScoreText, TemplateStateBadge, UsageText } from './template-ui';
import { TEMPLATE_STATE_LABELS } from './template-words';

const STATE_OPTIONS: { value: TemplateState | 'all'; label: string }[] = [
  { value: 'active', label: TEMPLATE_STATE_LABELS.active },
  { value: 'proposed', label: 'Proposed (waiting for activation)' },
  { value: 'draft', label: TEMPLATE_STATE_LABELS.draft },
  { value: 'suspended', label: TEMPLATE_STATE_LABELS.suspended },
  { value: 'retired', label: TEMPLATE_STATE_LABELS.retired },
  { value: 'all', label: 'Any state' },
];
const STATES = new Set<string>(STATE_OPTIONS.map((o) => o.value));

const QUICK_FILTERS: QuickFilter[] = [
  { label: 'Standard change catalogue', params: { type: 'standard' } },
  { label: 'Waiting for activation', params: { state: 'proposed' } },
  { label: 'Suspended', params: { state: 'suspended' } },
];

/**
 * The state the list asks for: `state=` of the address, or the older `active=` (false: retired, all: any), or
 * none (the server's default, active entries).
 */
function stateOf(filters: { state?: string; active?: string }): TemplateFilters['state'] {
  if (filters.state && STATES.has(filters.state)) return filters.state as TemplateFilters['state'];
  if (filters.active === 'false') return 'retired';
  if (filters.active === 'all') return 'all';
  return undefined;
}

export function TemplatesPage() {
  const me = useCurrentUser();
  const { data: policy } = usePolicy();
  const state = useListParams(['q', 'type', 'state', 'category', 'active'] as const);
  const { filters } = state;
  const entryState = stateOf(filters);
  const list = useTemplateList({
    q: filters.q,
    type: filters.type,
    category: filters.category,
    ...(entryState ? { state: entryState } : {}),
    ...(state.sort ? { sort: state.sort } : {}),
  });
  const categories = useTemplateCategories();
  const reviews = useReviewSchedule();
  const canWrite = hasPermission(me, 'template.write');
  const canUse = hasPermission(me, 'change.create');
  const typeOptions = orderedModels(policy).map((m) => ({ value: m.type, label: typeLabel(policy, m.type) }));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const catalogue = filters.type === 'standard';

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
    // Every row is of the type the list is filtered by: no column for it.
    ...(filters.type
      ? []
      : [
          {
            key: 'type',
            label: 'Type',
            sortable: true,
            width: 110,
            render: (t: Template) => <TypeBadge type={t.type} label={typeLabel(policy, t.type)} />,
          },
        ]),
    {
      key: 'state',
      label: 'State',
      sortable: true,
      width: 135,
      render: (t) => (
        <>
          <TemplateStateBadge state={t.state} />
          {t.pendingVersion && (
            <Text size="xs" c="blue.8" mt={2}>
              Version {t.pendingVersion.number} pending
            </Text>
          )}
        </>
      ),
    },
    {
      key: 'category',
      label: 'Category',
      sortable: true,
      width: 130,
      render: (t) => (
        <Text size="sm" c={t.category ? undefined : 'dimmed'}>
          {t.category || '—'}
        </Text>
      ),
    },
    {
      key: 'owner',
      label: 'Owner team',
      width: 140,
      render: (t) => (
        <Text size="sm" c={t.ownerTeam ? undefined : 'dimmed'}>
          {t.ownerTeam?.name ?? '—'}
        </Text>
      ),
    },
    {
      key: 'used',
      label: 'Uses / failed',
      sortable: true,
      width: 150,
      render: (t) => (
        <>
          <UsageText history={t.history} />
          <Text size="xs" c={t.history.failed > 0 ? 'red.8' : 'dimmed'} fw={t.history.failed > 0 ? 600 : undefined}>
            {t.history.failed} failed
          </Text>
        </>
      ),
    },
    { key: 'score', label: 'Score', sortable: true, width: 80, render: (t) => <ScoreText score={t.history.score} /> },
    { key: 'health', label: 'Health', width: 125, render: (t) => <HealthBadge health={t.health} /> },
    // Active standard entries are reviewed periodically; the column shows once the schedule has any of them.
    ...(reviews.data && items.some((t) => reviews.data.has(t.id))
      ? [{ key: 'reviewDue', label: 'Review due', width: 110, render: (t: Template) => <ReviewDue item={reviews.data.get(t.id)} /> }]
      : []),
    ...(canUse
      ? [
          {
            key: 'actions',
            label: 'Actions',
            hideLabel: true,
            width: 80,
            render: (t: Template) =>
              t.state === 'active' && (
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
      title={catalogue ? 'Standard change catalogue' : 'Change templates'}
      description={
        catalogue
          ? 'Pre-approved changes: each entry says where it may run, and the checks a change filed from it must pass. Entries that fail are suspended.'
          : 'Starting points for changes people make again and again. Standard ones form the catalogue of pre-approved changes; each shows how its changes fared.'
      }
      label="Templates"
      list="templates"
      state={state}
      query={list}
      columns={columns}
      quickFilters={QUICK_FILTERS}
      filters={[
        searchFilter('q', 'Search', 'Name or description', { width: 240 }),
        selectFilter('type', 'Type', typeOptions, { placeholder: 'Any type', width: 150 }),
        customFilter('state', (value) => (
          <Select
            label="State"
            data={STATE_OPTIONS}
            value={stateOf({ state: value, active: filters.active }) ?? 'active'}
            onChange={(v) => state.update({ state: v === 'active' ? null : v, active: null })}
            allowDeselect={false}
            w={230}
          />
        )),
        selectFilter('category', 'Category', categories.data ?? [], { placeholder: 'Any category', searchable: true, width: 180 }),
      ]}
      exportPath="/api/v1/templates/export.csv"
      rowKey={(t) => t.id}
      rowHref={(t) => `/templates/${t.id}`}
      emptyText="No templates yet."
      filteredEmptyText="No template matches these filters."
      actions={
        canWrite ? (
          <Button component={Link} to="/templates/new">
            New template
          </Button>
        ) : (
          canUse && (
            <Button component={Link} to="/templates/new" variant="light">
              Propose an entry
            </Button>
          )
        )
      }
    />
  );
}
