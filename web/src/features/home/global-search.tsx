import { Box, Button, Group, Kbd, Loader, Modal, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { type KeyboardEvent, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { isTyping } from '../../shared/shortcuts';
import { hasPermission, useCurrentUser } from '../auth/session';
import { SEARCH_KIND_LABELS, type SearchHit, useGlobalSearch } from './home-api';

const LISTBOX_ID = 'global-search-results';
const optionId = (i: number) => `global-search-option-${i}`;

/** One row of the result list: a hit, or the way on to the whole change list. */
interface Option {
  key: string;
  title: string;
  detail: string;
  path: string | null;
}

/** The box and its grouped results; Enter opens the highlighted result, arrows move through them. */
function SearchPanel({ onDone }: { onDone: () => void }) {
  const me = useCurrentUser();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [q] = useDebouncedValue(text.trim(), 200);
  const search = useGlobalSearch(q);
  // NOTE: the highlighted result is remembered by its key, not its place: an answer that arrives (or is
  // fetched again) after the arrows moved keeps the highlight on the same record, wherever it now is.
  const [activeKey, setActiveKey] = useState<string | null>(null);

  const groups = q && search.data ? search.data.groups.filter((g) => g.items.length > 0) : [];
  const options: (Option & { group: number })[] = [];
  groups.forEach((g, gi) => g.items.forEach((hit: SearchHit) => options.push({ key: `${hit.kind}:${hit.id}`, title: hit.title, detail: hit.detail, path: hit.path, group: gi })));
  const allChanges: Option | null =
    q && hasPermission(me, 'change.read') ? { key: 'all-changes', title: `All changes matching “${q}”`, detail: 'Number, title or text, in the change list', path: `/changes?q=${encodeURIComponent(q)}` } : null;
  const flat: Option[] = allChanges ? [...options, allChanges] : options;
  // New words start again from the first result.
  useEffect(() => setActiveKey(null), [q]);
  const found = activeKey === null ? -1 : flat.findIndex((o) => o.key === activeKey);
  const active = found < 0 ? 0 : found;
  const setActive = (i: number) => setActiveKey(flat[i]?.key ?? null);

  const go = (option: Option | undefined) => {
    if (!option?.path) return;
    onDone();
    navigate(option.path);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (flat.length === 0) return;
      setActive((active + (e.key === 'ArrowDown' ? 1 : flat.length - 1)) % flat.length);
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      // Enter before the answer for the latest words arrives waits for nothing: it takes what is shown.
      go(flat[active]);
    }
  };

  const renderOption = (option: Option, i: number) => (
    <Box
      key={option.key}
      id={optionId(i)}
      role="option"
      aria-selected={i === active}
      aria-disabled={option.path ? undefined : true}
      className="cabinet-search-option"
      px="sm"
      py={6}
      style={{
        cursor: option.path ? 'pointer' : 'default',
        borderRadius: 4,
        background: i === active ? 'var(--mantine-color-blue-light)' : undefined,
      }}
      onMouseDown={(e) => e.preventDefault()}
      onMouseEnter={() => setActive(i)}
      onClick={() => go(option)}
    >
      <Text size="sm" fw={500} lineClamp={1}>
        {option.title}
      </Text>
      <Text size="xs" c="dimmed" lineClamp={1}>
        {option.detail}
      </Text>
    </Box>
  );

  let index = 0;
  return (
    <>
      <TextInput
        data-autofocus
        label="Changes, CIs, services, incidents, templates and people"
        placeholder="pay-db-prod, CHG0000012, Alice…"
        value={text}
        onChange={(e) => setText(e.currentTarget.value)}
        onKeyDown={onKeyDown}
        role="combobox"
        aria-expanded={flat.length > 0}
        aria-controls={LISTBOX_ID}
        aria-autocomplete="list"
        aria-activedescendant={flat.length > 0 ? optionId(active) : undefined}
        rightSection={search.isFetching ? <Loader size="xs" aria-label="Searching" /> : undefined}
        autoComplete="off"
        spellCheck={false}
      />
      {search.isError && (
        <Box mt="sm">
          <ErrorAlert error={search.error} title="Cannot search" />
        </Box>
      )}
      <Box id={LISTBOX_ID} role="listbox" aria-label="Search results" mt="sm" mah={420} style={{ overflowY: 'auto' }}>
        {groups.map((g, gi) => (
          <div key={g.kind} role="group" aria-labelledby={`global-search-group-${g.kind}`}>
            <Text id={`global-search-group-${g.kind}`} role="presentation" size="xs" fw={700} tt="uppercase" c="dimmed" px="sm" pt={gi === 0 ? 0 : 'xs'} pb={2}>
              {SEARCH_KIND_LABELS[g.kind]}
              {g.more ? ' (first results)' : ''}
            </Text>
            {g.items.map(() => {
              const i = index++;
              return renderOption(options[i]!, i);
            })}
          </div>
        ))}
        {allChanges && renderOption(allChanges, flat.length - 1)}
      </Box>
      {q && search.isSuccess && groups.length === 0 && (
        <Text size="sm" c="dimmed" mt="xs" role="status">
          Nothing found for “{q}”.
        </Text>
      )}
      {!q && (
        <Text size="xs" c="dimmed" mt="xs">
          Type a name or number; <Kbd size="xs">↑</Kbd> <Kbd size="xs">↓</Kbd> choose, <Kbd size="xs">Enter</Kbd> opens, <Kbd size="xs">Esc</Kbd> closes.
        </Text>
      )}
    </>
  );
}

/**
 * The global search: a button in the header, and "/" from any page (unless the person is typing). It opens a
 * dialog that searches every kind of record the person may read (GET /api/v1/search).
 */
export function GlobalSearch() {
  const [opened, setOpened] = useState(false);
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      event.preventDefault();
      setOpened(true);
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);

  return (
    <>
      <Button variant="default" size="compact-sm" onClick={() => setOpened(true)} aria-keyshortcuts="/">
        <Group gap={6} wrap="nowrap">
          Search
          <Kbd size="xs">/</Kbd>
        </Group>
      </Button>
      {/* NOTE: no transition, so the box has focus before the next key: people type straight after "/". */}
      <Modal opened={opened} onClose={() => setOpened(false)} title="Search" size="lg" yOffset="10vh" transitionProps={{ duration: 0 }}>
        {opened && <SearchPanel onDone={() => setOpened(false)} />}
      </Modal>
    </>
  );
}
