import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import { ErrorAlert } from './error-alert';
import { RouterAnchor } from './router-link';
import { SaveBar } from './save-bar';

/** The part of a TanStack mutation the editor uses. */
interface Mutation<I, R> {
  mutateAsync(input: I): Promise<R>;
  reset(): void;
  isPending: boolean;
  variables?: I;
}

export interface RecordEditorOptions<R extends { version: number }, V, P extends object, S extends string> {
  /** The record as last loaded. */
  record: R;
  /** The form's values for a record. */
  formOf: (record: R) => V;
  /** What the form changed against `base` (empty: nothing to save). */
  patchOf: (base: R, values: V) => P;
  update: Mutation<P & { version: number }, R>;
  /** A state button is a save of its own: only the state is sent, and other unsaved edits stay in the form. */
  move: Mutation<{ state?: S; version: number }, R>;
  /** What is announced after a move ("Resolved."). */
  movedWords: (saved: R) => string;
  /** The form after a move, when its values hold the state too. */
  afterMove?: (values: V, saved: R) => V;
  /** Loads the record again (the query's refetch). */
  onReload: () => Promise<unknown>;
  /** Other work of the page in flight (sharing a workaround), which keeps the buttons off too. */
  alsoBusy?: boolean;
}

/**
 * The editing of a versioned record on its page (an incident, a problem, a known error): the form's values
 * against the version it was read at, Save sending only what changed, state buttons sending only the state,
 * 412 turning into "reload", and a newer version taken in while nothing is edited.
 */
export function useRecordEditor<R extends { version: number }, V, P extends object, S extends string>(o: RecordEditorOptions<R, V, P, S>) {
  const { record, formOf, patchOf, update, move } = o;
  const [base, setBase] = useState<R>(record);
  const [values, setValues] = useState<V>(() => formOf(record));
  const [stale, setStale] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const patch = patchOf(base, values);
  const isDirty = Object.keys(patch).length > 0;
  const busy = update.isPending || move.isPending || Boolean(o.alsoBusy);

  useEffect(() => {
    if (record.version > base.version && !isDirty) {
      setBase(record);
      setValues(formOf(record));
    }
  }, [record, base.version, isDirty, formOf]);

  /** Runs a write; a 412 (someone else wrote first) shows the reload alert, other errors stay on the mutation. */
  const guard = async (work: () => Promise<void>) => {
    setAnnouncement('');
    setStale(false);
    try {
      await work();
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const onSave = (event: FormEvent) => {
    event.preventDefault();
    move.reset();
    if (!isDirty) return;
    void guard(async () => {
      const saved = await update.mutateAsync({ ...patch, version: base.version });
      setBase(saved);
      setValues(formOf(saved));
      setAnnouncement('Saved.');
    });
  };

  const onMove = (to: S) => {
    update.reset();
    void guard(async () => {
      const saved = await move.mutateAsync({ state: to, version: base.version });
      setBase(saved);
      if (o.afterMove) setValues((v) => o.afterMove!(v, saved));
      setAnnouncement(o.movedWords(saved));
    });
  };

  const reload = async () => {
    setStale(false);
    update.reset();
    move.reset();
    const result = (await o.onReload()) as { data?: R };
    if (result.data) {
      setBase(result.data);
      setValues(formOf(result.data));
    }
  };

  const discard = () => {
    setValues(formOf(base));
    update.reset();
  };

  return { base, values, setValues, stale, announcement, setAnnouncement, isDirty, busy, onSave, onMove, reload, discard };
}

export type RecordEditor = Pick<ReturnType<typeof useRecordEditor>, 'isDirty' | 'busy' | 'discard'>;

/** The buttons that move a record along; the one being sent spins, the others wait. */
export function MoveButtons<S extends string>({
  label,
  moves,
  move,
  busy,
  onMove,
  before,
}: {
  /** The group's name for screen readers ("Incident actions"). */
  label: string;
  /** Other buttons of the record, first in the group. */
  before?: ReactNode;
  moves: { to: S; label: string; primary: boolean }[];
  move: { isPending: boolean; variables?: { state?: S } };
  busy: boolean;
  onMove: (to: S) => void;
}) {
  if (moves.length === 0 && !before) return null;
  const sending = (to: S) => move.isPending && move.variables?.state === to;
  return (
    <Group gap="xs" role="group" aria-label={label}>
      {before}
      {moves.map((m) => (
        <Button
          key={m.to}
          variant={m.primary ? 'filled' : 'default'}
          loading={sending(m.to)}
          disabled={busy && !sending(m.to)}
          onClick={() => onMove(m.to)}
        >
          {m.label}
        </Button>
      ))}
    </Group>
  );
}

/** What the last write did ("Saved.", "Resolved."), read out to screen readers. */
export function Announcement({ text }: { text: string }) {
  return (
    <Text size="xs" c="dimmed" mt={-8} mb="sm" role="status" aria-live="polite">
      {text}
    </Text>
  );
}

/** A record page's eyebrow: back to its list, the record's number, then its badges. */
export function RecordEyebrow({
  back,
  backLabel,
  number,
  children,
}: {
  back: string;
  backLabel: string;
  number: string;
  children: ReactNode;
}) {
  return (
    <Group gap="xs">
      <RouterAnchor to={back} size="sm">
        ← {backLabel}
      </RouterAnchor>
      <Text ff="monospace" fw={600} size="sm" c="dimmed">
        {number}
      </Text>
      {children}
    </Group>
  );
}

/** Above a record's form: "reload" when someone else wrote first, else why a state button failed; then the page's own alerts. */
export function RecordAlerts({
  what,
  editor,
  move,
  children,
}: {
  what: string;
  editor: { stale: boolean; reload: () => Promise<void> };
  move: { isError: boolean; error: unknown };
  children?: ReactNode;
}) {
  return (
    <Stack gap="sm" mb="sm">
      {editor.stale && <StaleAlert what={what} onReload={() => void editor.reload()} />}
      {move.isError && !editor.stale && <ErrorAlert error={move.error} title="The state was not changed" />}
      {children}
    </Stack>
  );
}

/** Someone else saved the record since it was read: the edits cannot be sent, only discarded by reloading. */
export function StaleAlert({ what, onReload }: { what: string; onReload: () => void }) {
  return (
    <Alert color="yellow" variant="light" role="alert" title={`Someone changed this ${what}, reload`}>
      <Text size="sm">Your copy is out of date. Reload to see the latest version; your unsaved edits will be discarded.</Text>
      <Button size="xs" mt="xs" variant="filled" color="yellow" onClick={onReload}>
        Reload
      </Button>
    </Alert>
  );
}

/** Under the edit form: Save and Discard for those who may edit, and for the others why they cannot. */
export function EditFooter({
  canEdit,
  editor,
  saving,
  readOnly,
}: {
  canEdit: boolean;
  editor: RecordEditor;
  saving: boolean;
  readOnly: string;
}) {
  return canEdit ? (
    <SaveBar saving={saving} dirty={editor.isDirty} busy={editor.busy} onDiscard={editor.discard} />
  ) : (
    <Text size="xs" c="dimmed" mt="sm">
      {readOnly}
    </Text>
  );
}
