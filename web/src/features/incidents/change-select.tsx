import { Select, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { api } from '../../api/client';
import type { Change, ChangeDetail, Page } from '../../api/types';
import { changeKeys } from '../changes/change-api';

export interface ChangeRef {
  id: string;
  number: string;
  title: string;
}

/** One page of changes matching a number or words, for the picker. */
function useChangeSearch(q: string) {
  return useQuery({
    queryKey: ['changes', 'search', q],
    queryFn: ({ signal }) => api.get<Page<Change>>('/api/v1/changes', { q, limit: 20 }, signal),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

interface ChangeSelectProps {
  value: string | null;
  onChange: (id: string | null) => void;
  /** What is known of the chosen change already (the incident's `causedByChange`), so it need not be fetched. */
  known?: ChangeRef | null;
  label: string;
  description?: ReactNode;
  error?: ReactNode;
  disabled?: boolean;
}

/** Picks a change by its number (`CHG0000012`, or just `12`) or words of its title, searching on the server. */
export function ChangeSelect({ value, onChange, known, label, description, error, disabled }: ChangeSelectProps) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 200);
  const results = useChangeSearch(debounced);
  const needsFetch = !!value && known?.id !== value;
  const chosen = useQuery({
    queryKey: changeKeys.detail(value ?? ''),
    queryFn: ({ signal }) => api.get<ChangeDetail>(`/api/v1/changes/${encodeURIComponent(value!)}`, undefined, signal),
    enabled: needsFetch,
  });
  // A link may name the change by its number (`?causedBy=CHG0000012`); the API takes its id.
  useEffect(() => {
    if (chosen.data && value === chosen.data.number && chosen.data.id !== value) onChange(chosen.data.id);
  }, [chosen.data, value, onChange]);
  const options = useMemo(() => {
    const byId = new Map<string, ChangeRef>();
    if (value) {
      const ref =
        known?.id === value ? known : chosen.data ? { id: chosen.data.id, number: chosen.data.number, title: chosen.data.title } : null;
      byId.set(ref?.id ?? value, ref ?? { id: value, number: value, title: '' });
    }
    for (const c of results.data?.items ?? []) if (!byId.has(c.id)) byId.set(c.id, { id: c.id, number: c.number, title: c.title });
    return [...byId.values()];
  }, [value, known, chosen.data, results.data]);
  const byId = new Map(options.map((o) => [o.id, o]));
  const isFetching = results.isFetching || debounced !== search.trim();

  return (
    <Select
      label={label}
      description={description}
      placeholder="Search by number or title"
      data={options.map((o) => ({ value: o.id, label: o.title ? `${o.number} · ${o.title}` : o.number }))}
      value={value && chosen.data?.number === value ? chosen.data.id : value}
      onChange={onChange}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      // NOTE: the server searched numbers, titles and text already; filtering again here would hide its matches.
      filter={({ options: all }) => all}
      nothingFoundMessage={isFetching ? 'Searching…' : 'No change matches'}
      renderOption={({ option }) => {
        const ref = byId.get(option.value);
        return (
          <Stack gap={0}>
            <Text size="sm" ff="monospace" fw={600}>
              {ref?.number ?? option.label}
            </Text>
            {ref?.title && (
              <Text size="xs" c="dimmed" lineClamp={1}>
                {ref.title}
              </Text>
            )}
          </Stack>
        );
      }}
      clearable
      error={error}
      disabled={disabled}
      maxDropdownHeight={260}
    />
  );
}
