import { MultiSelect, Select, type MultiSelectProps, type OptionsFilter, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { Person } from '../../api/types';
import { usePeople, usePeopleByIds } from './admin-api';

// The server already matched names and emails; filtering again by label would hide email matches.
const keepServerMatches: OptionsFilter = ({ options }) => options;

interface UserSelectProps extends Omit<SelectProps, 'data' | 'value' | 'onChange'> {
  value: string | null;
  onChange: (userId: string | null) => void;
  /** Leave these people out (yourself, when delegating). */
  exclude?: string[];
}

/**
 * Picks a person by name (or email), searching on the server as you type; disabled people are left out.
 * It uses the people search every signed-in person may use, not the user list, which is for admins.
 */
export function UserSelect({ value, onChange, exclude = [], placeholder, ...props }: UserSelectProps) {
  const [search, setSearch] = useState('');
  const selected = usePeopleByIds([value]);
  const selectedName = selected.data?.items.find((p) => p.id === value)?.name;
  // NOTE: the box shows the chosen person's name as its search text; that is no search.
  const [query] = useDebouncedValue(search === selectedName ? '' : search.trim(), 200);
  const people = usePeople(query);
  const options = new Map<string, Person>();
  for (const p of selected.data?.items ?? []) if (p.id === value) options.set(p.id, p);
  for (const p of people.data?.items ?? []) if (!exclude.includes(p.id)) options.set(p.id, p);
  const data = [...options.values()].map((p) => ({ value: p.id, label: p.name }));
  return (
    <Select
      data={data}
      value={value}
      onChange={onChange}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={keepServerMatches}
      clearable
      nothingFoundMessage={people.isFetching ? 'Searching…' : 'Nobody by that name'}
      placeholder={people.isPending ? 'Loading people…' : placeholder}
      {...props}
    />
  );
}

interface UserMultiSelectProps extends Omit<MultiSelectProps, 'data' | 'value' | 'onChange'> {
  value: string[];
  onChange: (userIds: string[]) => void;
}

/** Picks several people by name (or email), searching on the server as you type, as UserSelect picks one. */
export function UserMultiSelect({ value, onChange, placeholder, ...props }: UserMultiSelectProps) {
  const [search, setSearch] = useState('');
  const selected = usePeopleByIds(value);
  const [query] = useDebouncedValue(search.trim(), 200);
  const people = usePeople(query);
  const options = new Map<string, Person>();
  for (const p of selected.data?.items ?? []) options.set(p.id, p);
  for (const p of people.data?.items ?? []) options.set(p.id, p);
  // A chosen person not read yet still shows (by id) rather than vanishing from the box.
  const data = [...value.filter((id) => !options.has(id)).map((id) => ({ value: id, label: id })), ...[...options.values()].map((p) => ({ value: p.id, label: p.name }))];
  return (
    <MultiSelect
      data={data}
      value={value}
      onChange={onChange}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      filter={keepServerMatches}
      hidePickedOptions
      clearable
      nothingFoundMessage={people.isFetching ? 'Searching…' : 'Nobody by that name'}
      placeholder={value.length ? undefined : people.isPending ? 'Loading people…' : placeholder}
      {...props}
    />
  );
}

/** User id → name for these people, for showing change managers and delegates. */
export function useUserNames(ids: (string | null | undefined)[]): Map<string, string> {
  const { data } = usePeopleByIds(ids);
  return new Map((data?.items ?? []).map((p) => [p.id, p.name]));
}
