import { Button, Checkbox, Group, Menu, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { SavedView, SavedViewList } from '../../../../src/contracts/saved-views';
import { api, ApiError } from '../../api/client';
import type { Page } from '../../api/types';

const viewKeys = {
  mine: (list: SavedViewList) => ['saved-views', 'mine', list] as const,
  one: (id: string) => ['saved-views', 'one', id] as const,
};

/** The caller's views of one list. */
export function useMyViews(list: SavedViewList) {
  return useQuery({
    queryKey: viewKeys.mine(list),
    queryFn: ({ signal }) => api.get<Page<SavedView>>('/api/v1/me/saved-views', { list }, signal),
  });
}

/** A view by id: the caller's own, or one shared with them. */
export function useSavedView(id: string | null) {
  return useQuery({
    queryKey: viewKeys.one(id ?? ''),
    queryFn: ({ signal }) => api.get<SavedView>(`/api/v1/saved-views/${encodeURIComponent(id!)}`, undefined, signal),
    enabled: Boolean(id),
  });
}

function useViewWrites(list: SavedViewList) {
  const client = useQueryClient();
  const refresh = () => client.invalidateQueries({ queryKey: ['saved-views'] });
  return {
    create: useMutation({
      mutationFn: (input: { name: string; query: string; shared: boolean }) =>
        api.post<SavedView>('/api/v1/me/saved-views', { ...input, list }),
      onSuccess: refresh,
    }),
    remove: useMutation({
      mutationFn: (id: string) => api.delete(`/api/v1/saved-views/${encodeURIComponent(id)}`),
      onSuccess: refresh,
    }),
  };
}

interface SavedViewsMenuProps {
  list: SavedViewList;
  /** The list's query as it stands (filters and sort). */
  query: string;
  /** The view the list shows, while unchanged. */
  viewId: string | null;
  onOpen: (view: SavedView) => void;
  /** After the shown view was deleted. */
  onDeleted: () => void;
}

/** "Views": the caller's saved views of the list, saving the current one, and sharing its link. */
export function SavedViewsMenu({ list, query, viewId, onOpen, onDeleted }: SavedViewsMenuProps) {
  const mine = useMyViews(list);
  const current = useSavedView(viewId);
  const writes = useViewWrites(list);
  const [saving, setSaving] = useState(false);
  const [name, setName] = useState('');
  const [shared, setShared] = useState(false);
  const [copied, setCopied] = useState(false);
  const views = mine.data?.items ?? [];
  const view = current.data;
  const linkOf = (v: SavedView) => `${window.location.origin}${window.location.pathname}?view=${encodeURIComponent(v.id)}`;
  const nameError = writes.create.error instanceof ApiError ? writes.create.error.message : null;

  return (
    <>
      <Group gap="xs">
        {view && (
          <Text size="sm" c="dimmed" data-testid="current-view">
            View: <b>{view.name}</b>
            {!view.mine && ` (shared by ${view.ownerName})`}
          </Text>
        )}
        <Menu position="bottom-end" withinPortal>
          <Menu.Target>
            <Button variant="default" size="sm">
              Views
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>My views</Menu.Label>
            {views.length === 0 && <Menu.Item disabled>No saved views yet</Menu.Item>}
            {views.map((v) => (
              <Menu.Item
                key={v.id}
                onClick={() => onOpen(v)}
                rightSection={
                  v.shared ? (
                    <Text size="xs" c="dimmed">
                      shared
                    </Text>
                  ) : null
                }
              >
                {v.name}
              </Menu.Item>
            ))}
            <Menu.Divider />
            <Menu.Item
              onClick={() => {
                setName('');
                setShared(false);
                writes.create.reset();
                setSaving(true);
              }}
            >
              Save this view…
            </Menu.Item>
            {view?.shared && (
              <Menu.Item
                onClick={() => {
                  void navigator.clipboard?.writeText(linkOf(view)).then(() => setCopied(true));
                }}
              >
                Copy link to “{view.name}”
              </Menu.Item>
            )}
            {view?.mine && (
              <Menu.Item color="red" onClick={() => writes.remove.mutate(view.id, { onSuccess: onDeleted })}>
                Delete “{view.name}”
              </Menu.Item>
            )}
          </Menu.Dropdown>
        </Menu>
      </Group>
      {copied && <CopiedNote onDone={() => setCopied(false)} />}
      <Modal opened={saving} onClose={() => setSaving(false)} title="Save this view">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            writes.create.mutate(
              { name: name.trim(), query, shared },
              {
                onSuccess: (saved) => {
                  setSaving(false);
                  onOpen(saved);
                },
              },
            );
          }}
        >
          <Stack>
            <TextInput
              label="Name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              maxLength={100}
              error={nameError}
              data-autofocus
            />
            <Checkbox
              label="Share: anyone who may read this list opens it by its link"
              checked={shared}
              onChange={(e) => setShared(e.currentTarget.checked)}
            />
            <Text size="xs" c="dimmed">
              Keeps the filters and the order: {query ? query.replace(/&/g, ' · ') : 'none'}
            </Text>
            <Group justify="flex-end">
              <Button variant="default" onClick={() => setSaving(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={writes.create.isPending} disabled={!name.trim()}>
                Save view
              </Button>
            </Group>
          </Stack>
        </form>
      </Modal>
    </>
  );
}

/** A short-lived confirmation read out by screen readers. */
function CopiedNote({ onDone }: { onDone: () => void }) {
  const done = useRef(onDone);
  done.current = onDone;
  useEffect(() => {
    const t = setTimeout(() => done.current(), 3000);
    return () => clearTimeout(t);
  }, []);
  return (
    <Text size="xs" c="green.8" role="status">
      Link copied
    </Text>
  );
}
