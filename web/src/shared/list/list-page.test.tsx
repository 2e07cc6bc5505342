import { Select } from '@mantine/core';
import { keepPreviousData, useInfiniteQuery } from '@tanstack/react-query';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import { adminMe, fakeServer, renderWithProviders } from '../../test/render';
import { customFilter, multiFilter, searchFilter } from './filters';
import { ListPage, sortStateOf, type ListColumn } from './list-page';
import { useListParams } from './use-list-params';

afterEach(() => vi.unstubAllGlobals());

const LOAD = { timeout: 5000 };
const PAGE_TEST_TIMEOUT = 20_000;

interface Thing {
  id: string;
  name: string;
  colour: string;
}

const things: Thing[] = [
  { id: 't1', name: 'Anvil', colour: 'red' },
  { id: 't2', name: 'Bell', colour: 'blue' },
  { id: 't3', name: 'Candle', colour: 'red' },
];

const COLUMNS: ListColumn<Thing>[] = [
  { key: 'name', label: 'Name', sortable: true, render: (t) => t.name },
  { key: 'colour', label: 'Colour', sortable: true, render: (t) => t.colour },
  { key: 'id', label: 'Id', render: (t) => t.id },
];

function ThingsPage() {
  const state = useListParams(['q', 'colour', 'size', 'mine'] as const);
  const query = { ...state.filters, ...(state.sort ? { sort: state.sort } : {}) };
  const list = useInfiniteQuery({
    queryKey: ['things', query],
    queryFn: ({ pageParam, signal }) => api.get<Page<Thing>>('/api/v1/things', { ...query, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
  return (
    <ListPage
      title="Things"
      label="Things"
      list="changes"
      state={state}
      query={list}
      columns={COLUMNS}
      filters={[
        searchFilter('q', 'Search', 'Name'),
        multiFilter('colour', 'Colour', [
          { value: 'red', label: 'Red' },
          { value: 'blue', label: 'Blue' },
        ]),
        customFilter('size', (value, set) => (
          <Select label="Size" data={['small', 'large']} value={value ?? null} onChange={set} clearable />
        )),
      ]}
      quickFilters={[{ label: 'Mine', params: { mine: 'requested,owned' } }]}
      exportPath="/api/v1/things/export.csv"
      rowKey={(t) => t.id}
      rowHref={(t) => `/things/${t.id}`}
      emptyText="No things."
      filteredEmptyText="No thing matches."
    />
  );
}

function server(extra: Parameters<typeof fakeServer>[0] = []) {
  return fakeServer([
    { path: '/api/v1/things', body: { items: things, nextCursor: null } },
    { path: '/api/v1/me/saved-views', body: { items: [], nextCursor: null } },
    ...extra,
  ]);
}

const thingQueries = (s: ReturnType<typeof fakeServer>) =>
  s.calls.filter((c) => c.url.split('?')[0] === '/api/v1/things').map((c) => Object.fromEntries(new URL(c.url, 'http://x').searchParams));

function open(path = '/things') {
  const s = server();
  vi.stubGlobal('fetch', s.fetch);
  const view = renderWithProviders(<ThingsPage />, { path, route: '/things', me: adminMe });
  const search = () => new URLSearchParams(view.router.state.location.search);
  return { ...view, server: s, search };
}

describe('sortStateOf', () => {
  it.each([
    [null, 'name', 'none'],
    ['name', 'name', 'ascending'],
    ['-name', 'name', 'descending'],
    ['-colour', 'name', 'none'],
  ] as const)('sort %s on column %s is %s', (sort, key, expected) => {
    expect(sortStateOf(sort, key)).toBe(expected);
  });
});

describe('ListPage', () => {
  it(
    'sorts by a header: ascending, descending, then back to the default order, in aria-sort and the address',
    async () => {
      const { search, server: s } = open();
      const table = await screen.findByRole('table', { name: 'Things' }, LOAD);
      const header = () =>
        within(table)
          .getAllByRole('columnheader')
          .find((th) => th.textContent?.startsWith('Name'))!;
      expect(header().getAttribute('aria-sort')).toBe('none');
      const idHeader = within(table)
        .getAllByRole('columnheader')
        .find((th) => th.textContent === 'Id')!;
      expect(idHeader.hasAttribute('aria-sort')).toBe(false);
      expect(within(idHeader).queryByRole('button')).toBeNull();

      fireEvent.click(within(header()).getByRole('button', { name: /Name/ }));
      await waitFor(() => expect(header().getAttribute('aria-sort')).toBe('ascending'));
      expect(search().get('sort')).toBe('name');
      await waitFor(() => expect(thingQueries(s).at(-1)).toMatchObject({ sort: 'name' }), LOAD);

      fireEvent.click(within(header()).getByRole('button', { name: /Name/ }));
      await waitFor(() => expect(header().getAttribute('aria-sort')).toBe('descending'));
      expect(search().get('sort')).toBe('-name');

      fireEvent.click(within(header()).getByRole('button', { name: /Name/ }));
      await waitFor(() => expect(header().getAttribute('aria-sort')).toBe('none'));
      expect(search().has('sort')).toBe(false);
    },
    PAGE_TEST_TIMEOUT,
  );

  it(
    'keeps filters and quick filters in the address, sends them to the server, and clears them but not the order',
    async () => {
      const { search, server: s } = open('/things?sort=-colour');
      await screen.findByRole('table', { name: 'Things' }, LOAD);

      fireEvent.click(screen.getByRole('button', { name: 'Mine' }));
      await waitFor(() => expect(search().get('mine')).toBe('requested,owned'));
      expect(screen.getByRole('button', { name: 'Mine' }).getAttribute('aria-pressed')).toBe('true');
      await waitFor(() => expect(thingQueries(s).at(-1)).toEqual({ sort: '-colour', mine: 'requested,owned' }), LOAD);

      fireEvent.click(screen.getByRole('combobox', { name: 'Size' }));
      fireEvent.click(await screen.findByRole('option', { name: 'large', hidden: true }));
      await waitFor(() => expect(search().get('size')).toBe('large'));

      fireEvent.change(screen.getByRole('searchbox', { name: 'Search' }), { target: { value: 'anv' } });
      fireEvent.keyDown(screen.getByRole('searchbox', { name: 'Search' }), { key: 'Enter' });
      await waitFor(() => expect(search().get('q')).toBe('anv'));
      await waitFor(
        () => expect(thingQueries(s).at(-1)).toEqual({ sort: '-colour', mine: 'requested,owned', size: 'large', q: 'anv' }),
        LOAD,
      );

      // The export carries the same query.
      const href = screen.getByRole('link', { name: 'Export CSV' }).getAttribute('href')!;
      expect(href.split('?')[0]).toBe('/api/v1/things/export.csv');
      expect(Object.fromEntries(new URLSearchParams(href.split('?')[1]))).toEqual({
        sort: '-colour',
        mine: 'requested,owned',
        size: 'large',
        q: 'anv',
      });

      fireEvent.click(screen.getByRole('button', { name: 'Mine' }));
      await waitFor(() => expect(search().has('mine')).toBe(false));

      fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
      await waitFor(() => expect(search().toString()).toBe('sort=-colour'));
    },
    PAGE_TEST_TIMEOUT,
  );

  it(
    'reads several values of a filter from the address',
    async () => {
      const { server: s } = open('/things?colour=red,blue');
      await screen.findByRole('table', { name: 'Things' }, LOAD);
      expect(thingQueries(s)[0]).toEqual({ colour: 'red,blue' });
      const colour = screen.getByRole('search', { name: 'Filter things' });
      expect(within(colour).getByText('Red')).toBeTruthy();
      expect(within(colour).getByText('Blue')).toBeTruthy();
    },
    PAGE_TEST_TIMEOUT,
  );

  it(
    'moves a visible row focus with j / k and the arrow keys, and opens the row with Enter',
    async () => {
      const { router } = open();
      const table = await screen.findByRole('table', { name: 'Things' }, LOAD);
      await waitFor(() => expect(within(table).getByText('Anvil')).toBeTruthy());
      const rows = () => within(table).getAllByRole('row').slice(1);
      expect(rows().some((r) => r.getAttribute('aria-current') === 'true')).toBe(false);

      fireEvent.keyDown(document.body, { key: 'j' });
      await waitFor(() => expect(rows()[0]!.getAttribute('aria-current')).toBe('true'));
      expect(document.activeElement).toBe(rows()[0]);
      fireEvent.keyDown(document.activeElement!, { key: 'j' });
      fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
      await waitFor(() => expect(rows()[2]!.getAttribute('aria-current')).toBe('true'));
      fireEvent.keyDown(document.activeElement!, { key: 'j' });
      expect(rows()[2]!.getAttribute('aria-current')).toBe('true');
      fireEvent.keyDown(document.activeElement!, { key: 'k' });
      await waitFor(() => expect(rows()[1]!.getAttribute('aria-current')).toBe('true'));
      expect(rows()[2]!.getAttribute('aria-current')).toBeNull();

      // Typing in a field is typing, not moving.
      const searchBox = screen.getByRole('searchbox', { name: 'Search' });
      fireEvent.keyDown(searchBox, { key: 'k' });
      expect(rows()[1]!.getAttribute('aria-current')).toBe('true');

      fireEvent.keyDown(rows()[1]!, { key: 'Enter' });
      await waitFor(() => expect(router.state.location.pathname).toBe('/things/t2'));
    },
    PAGE_TEST_TIMEOUT,
  );

  it(
    'opens a shared view by its link: its query fills the address',
    async () => {
      const s = server([
        {
          path: '/api/v1/saved-views/v1',
          body: {
            id: 'v1',
            name: 'Red ones',
            list: 'changes',
            query: 'colour=red&sort=name',
            shared: true,
            ownerId: 'u2',
            ownerName: 'Bo',
            mine: false,
            createdAt: '',
            updatedAt: '',
          },
        },
      ]);
      vi.stubGlobal('fetch', s.fetch);
      const { router } = renderWithProviders(<ThingsPage />, { path: '/things?view=v1', route: '/things', me: adminMe });
      await waitFor(
        () =>
          expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
            colour: 'red',
            sort: 'name',
            view: 'v1',
          }),
        LOAD,
      );
      await waitFor(() => expect(thingQueries(s).at(-1)).toEqual({ colour: 'red', sort: 'name' }), LOAD);
      expect((await screen.findByTestId('current-view')).textContent).toBe('View: Red ones (shared by Bo)');
    },
    PAGE_TEST_TIMEOUT,
  );
});
