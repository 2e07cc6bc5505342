import { Group, MultiSelect, Select, Text, type MultiSelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type ReactNode, useMemo, useState } from 'react';
import type { Ci } from '../../api/types';
import { ENVIRONMENT_LABELS } from '../../shared/labels';
import { useCis, useCiSearch } from './cmdb-api';

interface CiOption {
  value: string;
  label: string;
  ci?: Ci;
}

/** Search results plus the already chosen CIs, so chosen pills keep their names. */
function useCiOptions(selectedIds: string[], search: string) {
  const [debounced] = useDebouncedValue(search.trim(), 200);
  const results = useCiSearch(debounced);
  const selected = useCis(selectedIds);
  const options = useMemo(() => {
    const byId = new Map<string, CiOption>();
    selectedIds.forEach((id, i) => {
      const ci = selected[i]?.data;
      byId.set(id, { value: id, label: ci?.name ?? id, ci });
    });
    for (const ci of results.data?.items ?? []) {
      if (!byId.has(ci.id)) byId.set(ci.id, { value: ci.id, label: ci.name, ci });
    }
    return [...byId.values()];
  }, [selectedIds, selected, results.data]);
  return { options, isFetching: results.isFetching || debounced !== search.trim(), error: results.error };
}

function renderCiOption(option: CiOption) {
  const ci = option.ci;
  return (
    <Group gap={6} wrap="nowrap" justify="space-between" w="100%">
      <Text size="sm">{option.label}</Text>
      {ci && (
        <Text size="xs" c="dimmed">
          {ci.type} · {ENVIRONMENT_LABELS[ci.environment] ?? ci.environment}
        </Text>
      )}
    </Group>
  );
}

interface CiMultiSelectProps {
  value: string[];
  onChange: (ids: string[]) => void;
  label?: string;
  placeholder?: string;
  styles?: MultiSelectProps['styles'];
  description?: string;
  error?: ReactNode;
  disabled?: boolean;
  required?: boolean;
}

/** Picks configuration items by searching the CMDB on the server as the person types. */
export function CiMultiSelect({ value, onChange, label = 'Affected CIs', placeholder = 'Search CIs by name', ...props }: CiMultiSelectProps) {
  const [search, setSearch] = useState('');
  const { options, isFetching } = useCiOptions(value, search);
  const byValue = new Map(options.map((o) => [o.value, o]));
  return (
    <MultiSelect
      label={label}
      placeholder={value.length ? undefined : placeholder}
      data={options.map(({ value: v, label: l }) => ({ value: v, label: l }))}
      value={value}
      onChange={onChange}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      // NOTE: the server already filtered by the search text; filtering again here would hide CIs that
      // matched on something other than their name.
      filter={({ options: all }) => all}
      nothingFoundMessage={isFetching ? 'Searching…' : 'No CI matches'}
      renderOption={({ option }) => renderCiOption(byValue.get(option.value) ?? { value: option.value, label: option.label })}
      hidePickedOptions
      clearable
      maxDropdownHeight={260}
      {...props}
    />
  );
}

interface CiSelectProps {
  value: string | null;
  onChange: (id: string | null) => void;
  label: string;
  excludeId?: string;
  error?: ReactNode;
}

/** Picks one configuration item, searching on the server. */
export function CiSelect({ value, onChange, label, excludeId, error }: CiSelectProps) {
  const [search, setSearch] = useState('');
  const { options, isFetching } = useCiOptions(value ? [value] : [], search);
  const data = options.filter((o) => o.value !== excludeId);
  const byValue = new Map(data.map((o) => [o.value, o]));
  return (
    <Select
      label={label}
      placeholder="Search CIs by name"
      data={data.map(({ value: v, label: l }) => ({ value: v, label: l }))}
      value={value}
      onChange={onChange}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={({ options: all }) => all}
      nothingFoundMessage={isFetching ? 'Searching…' : 'No CI matches'}
      renderOption={({ option }) => renderCiOption(byValue.get(option.value) ?? { value: option.value, label: option.label })}
      clearable
      error={error}
    />
  );
}
