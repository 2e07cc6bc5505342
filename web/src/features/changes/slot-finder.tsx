import { Alert, Button, CloseButton, Group, Paper, Stack, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { RouterAnchor } from '../../shared/router-link';
import { useCis, useServices } from '../cmdb/cmdb-api';
import { formatInterval, scopeReaches, type Slot, type SlotSearch, slotSearchFor, useFreezesBetween, useNextSlots } from './conflicts-api';

const listStyle = { listStyle: 'none', padding: 0, margin: 0 } as const;

/** 90 → "1 h 30 min", 2880 → "2 days". */
export function durationWords(minutes: number): string {
  if (minutes % 1440 === 0) return minutes === 1440 ? '1 day' : `${minutes / 1440} days`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : ''].filter(Boolean).join(' ');
}

interface SlotListProps {
  search: SlotSearch;
  /** The button on each slot: "Use this slot" in a form, "Take this slot" on a saved change. */
  pickLabel: string;
  onPick: (slot: Slot) => void;
  onClose: () => void;
  /** A slot being taken (its button spins), and the others wait. */
  picking?: Slot | null;
}

/** The first free slots for the search, each with a button to take it. */
export function SlotList({ search, pickLabel, onPick, onClose, picking = null }: SlotListProps) {
  const slots = useNextSlots(search);
  return (
    <Paper withBorder radius="sm" p="sm" role="region" aria-label="Free slots" data-testid="free-slots">
      <Group justify="space-between" gap="xs" wrap="nowrap" mb={6}>
        <Text size="sm" fw={600}>
          Free slots of {durationWords(search.durationMinutes)} from {formatDateTime(search.after)}
        </Text>
        <CloseButton size="sm" onClick={onClose} aria-label="Close the free slots" />
      </Group>
      {slots.isPending ? (
        <PageLoader label="Searching for free slots" />
      ) : slots.isError ? (
        <ErrorAlert error={slots.error} title="Cannot search for free slots" onRetry={() => void slots.refetch()} />
      ) : (
        <Stack gap={6}>
          {slots.data.requiresMaintenanceWindow.length > 0 && (
            <Text size="xs" c="dimmed" data-testid="requires-maintenance-window">
              {slots.data.requiresMaintenanceWindow.map((s) => s.name).join(', ')}{' '}
              {slots.data.requiresMaintenanceWindow.length === 1 ? 'requires' : 'require'} a maintenance window: these slots lie inside one.
            </Text>
          )}
          {slots.data.slots.length === 0 ? (
            <Text size="sm" c="dimmed">
              No free slot until {formatDateTime(slots.data.searchedUntil)}. Try other CIs or a shorter change.
            </Text>
          ) : (
            <Stack component="ul" gap={4} style={listStyle} aria-label="Slots">
              {slots.data.slots.map((slot) => (
                <Group component="li" key={slot.start} gap="md" wrap="nowrap" aria-label={formatInterval(slot.start, slot.end)}>
                  <Text size="sm" miw={240}>
                    {formatInterval(slot.start, slot.end)}
                  </Text>
                  <Button
                    size="compact-sm"
                    variant="light"
                    onClick={() => onPick(slot)}
                    loading={picking?.start === slot.start}
                    disabled={picking !== null && picking.start !== slot.start}
                  >
                    {pickLabel}
                  </Button>
                </Group>
              ))}
            </Stack>
          )}
          <Text size="xs" c="dimmed">
            Outside freezes and other changes on these CIs or within their impact; searched until {formatDateTime(slots.data.searchedUntil)}
            .
          </Text>
        </Stack>
      )}
    </Paper>
  );
}

interface FindSlotProps {
  ciIds: string[];
  /** The planned start and end as ISO instants (null when not set). */
  start: string | null;
  end: string | null;
  /** The change being rescheduled: its own interval is not in the way. */
  excludeChangeId?: string;
  implementerId?: string | null;
  onPick: (slot: Slot) => void;
  disabled?: boolean;
}

/** "Find a slot" beside a form's planned times: searches with what the form holds and fills the times on a pick. */
export function FindSlot({ ciIds, start, end, excludeChangeId, implementerId, onPick, disabled = false }: FindSlotProps) {
  const [search, setSearch] = useState<SlotSearch | null>(null);
  const noCis = ciIds.length === 0;
  return (
    <Stack gap={6}>
      <Group gap="xs">
        <Button
          size="xs"
          variant="light"
          disabled={disabled || noCis}
          onClick={() => setSearch(slotSearchFor(ciIds, start, end, Date.now(), { excludeChangeId, implementerId }))}
        >
          Find a slot
        </Button>
        <Text size="xs" c="dimmed">
          {noCis
            ? 'Choose the affected CIs to search for a free slot.'
            : 'The first free slots of this length for the chosen CIs, outside freezes and other changes.'}
        </Text>
      </Group>
      {search && (
        <SlotList
          search={search}
          pickLabel="Use this slot"
          onClose={() => setSearch(null)}
          onPick={(slot) => {
            onPick(slot);
            setSearch(null);
          }}
        />
      )}
    </Stack>
  );
}

/**
 * A warning while the interval a form holds falls in a freeze that applies to its CIs (or a global one). The
 * server decides for real when the change is saved; this only saves a round trip.
 */
export function FormFreezeBanner({ ciIds, start, end }: { ciIds: string[]; start: string | null; end: string | null }) {
  const [from] = useDebouncedValue(start, 300);
  const [to] = useDebouncedValue(end, 300);
  const freezes = useFreezesBetween(from, to);
  const cis = useCis(ciIds)
    .map((q) => q.data)
    .filter((c) => c !== undefined);
  const services = useServices([...new Set(cis.flatMap((c) => (c.serviceId ? [c.serviceId] : [])))])
    .map((q) => q.data)
    .filter((s) => s !== undefined);
  if (!from || !to || !start || !end || !freezes.data) return null;
  const s = Date.parse(from);
  const e = Date.parse(to);
  const hits = freezes.data.filter((o) => Date.parse(o.start) < e && s < Date.parse(o.end) && scopeReaches(o.scope, cis, services));
  if (hits.length === 0) return null;
  const names = [...new Set(hits.map((h) => h.name))];
  return (
    <Alert
      color="red"
      variant="light"
      role="status"
      title={`Inside the freeze ${names.map((n) => `“${n}”`).join(' and ')}`}
      data-testid="form-freeze-banner"
    >
      <Stack gap={2}>
        {hits.map((h) => (
          <Text size="sm" key={`${h.windowId}-${h.start}`}>
            {h.name}
            {h.urgent ? ' (urgent)' : ''}: {formatInterval(h.start, h.end)}
          </Text>
        ))}
        <Text size="sm">
          A change planned in a freeze cannot be scheduled without an approved freeze exception. Find a slot outside it, or request an
          exception on the change&apos;s Schedule tab once it is saved. <RouterAnchor to="/schedule/windows">See the windows</RouterAnchor>
        </Text>
      </Stack>
    </Alert>
  );
}
