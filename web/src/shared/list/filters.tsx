import { MultiSelect, Select, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { SearchInput } from '../search-input';
import type { ListFilter } from './list-page';

type Options = { value: string; label: string }[];

/** Words: sent a moment after typing stops. */
export function searchFilter(key: string, label: string, placeholder: string, opts: { width?: number; id?: string } = {}): ListFilter {
  return {
    key,
    render: (value, set) => (
      <SearchInput
        id={opts.id}
        label={label}
        placeholder={placeholder}
        value={value ?? ''}
        onSearch={(v) => set(v)}
        w={opts.width ?? 240}
      />
    ),
  };
}

/** One value of a list. */
export function selectFilter(
  key: string,
  label: string,
  options: Options,
  opts: { placeholder?: string; width?: number; searchable?: boolean } = {},
): ListFilter {
  return {
    key,
    render: (value, set) => (
      <Select
        label={label}
        placeholder={opts.placeholder ?? 'Any'}
        data={options}
        value={value ?? null}
        onChange={set}
        clearable
        searchable={opts.searchable}
        w={opts.width ?? 170}
      />
    ),
  };
}

/** Keeps a multi-select's chosen values on one line however many there are: the bar keeps its height, the list scrolls sideways. */
export const ONE_LINE_PILLS = { pillsList: { flexWrap: 'nowrap', overflowX: 'auto' } } as const;

/**
 * Several values, kept comma-separated in the address (`ciId=a,b`), given to any control that picks several
 * (a picker that searches the server, say) as a list; none chosen removes the parameter.
 */
export function multiValueFilter(key: string, render: (values: string[], set: (values: string[]) => void) => ReactNode): ListFilter {
  return {
    key,
    render: (value, set) =>
      render(value ? value.split(',') : [], (values) => set(values.length ? values.join(',') : null)),
  };
}

/** Several values of a list, kept comma-separated in the address (`state=assess,authorize`). */
export function multiFilter(key: string, label: string, options: Options, opts: { placeholder?: string; width?: number } = {}): ListFilter {
  return multiValueFilter(key, (values, set) => (
    <MultiSelect
      label={label}
      placeholder={values.length ? undefined : (opts.placeholder ?? 'Any')}
      data={options}
      value={values}
      onChange={set}
      clearable
      searchable
      w={opts.width ?? 220}
      maxDropdownHeight={280}
      styles={ONE_LINE_PILLS}
    />
  ));
}

/**
 * A day, in the person's time zone, kept in the address as the instant the API takes: the start of the day
 * (`edge: 'start'`) or the start of the next one (`edge: 'end'`, so the day itself is included).
 */
export function dayFilter(key: string, label: string, edge: 'start' | 'end', opts: { width?: number } = {}): ListFilter {
  const toInstant = (day: string) => {
    const d = new Date(`${day}T00:00:00`);
    if (edge === 'end') d.setDate(d.getDate() + 1);
    return d.toISOString();
  };
  const toDay = (instant: string | undefined) => {
    if (!instant) return '';
    const d = new Date(instant);
    if (Number.isNaN(d.getTime())) return '';
    if (edge === 'end') d.setDate(d.getDate() - 1);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  };
  return {
    key,
    render: (value, set) => (
      <TextInput
        type="date"
        label={label}
        value={toDay(value)}
        onChange={(e) => set(e.currentTarget.value ? toInstant(e.currentTarget.value) : null)}
        w={opts.width ?? 150}
      />
    ),
  };
}

/** Any other control, given the value and its setter. */
export function customFilter(
  key: string,
  render: (value: string | undefined, set: (value: string | null) => void) => ReactNode,
): ListFilter {
  return { key, render };
}
