import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type { Calendar as CalendarSchema, CalendarChange as CalendarChangeSchema } from '../../../../src/contracts/calendar';
import type {
  CreateWindowInput as CreateWindowInputSchema,
  Occurrence as OccurrenceSchema,
  ScheduledWindow as ScheduledWindowSchema,
  Window as WindowSchema,
  WindowKind as WindowKindType,
} from '../../../../src/contracts/windows';

/** GET /api/v1/calendar. */
export type Calendar = z.infer<typeof CalendarSchema>;
export type CalendarChange = z.infer<typeof CalendarChangeSchema>;
/** One occurrence of a window, with the window it belongs to. */
export type ScheduledWindow = z.infer<typeof ScheduledWindowSchema>;
export type MaintenanceWindow = z.infer<typeof WindowSchema>;
export type WindowKind = WindowKindType;
export type WindowInput = z.input<typeof CreateWindowInputSchema>;
export type Occurrence = z.infer<typeof OccurrenceSchema>;

export const WINDOW_KIND_LABELS: Record<WindowKind, string> = { maintenance: 'Maintenance window', freeze: 'Freeze' };

export const scheduleKeys = {
  // NOTE: under 'changes' so that change writes (which invalidate 'changes' keys) refresh the calendar too.
  calendar: (from: string, to: string) => ['changes', 'calendar', from, to] as const,
  windows: ['windows', 'list'] as const,
  occurrences: (id: string) => ['windows', 'occurrences', id] as const,
};

export function useCalendar(from: string, to: string) {
  return useQuery({
    queryKey: scheduleKeys.calendar(from, to),
    queryFn: ({ signal }) => api.get<Calendar>('/api/v1/calendar', { from, to }, signal),
    placeholderData: keepPreviousData,
  });
}

export function useWindows() {
  return useQuery({
    queryKey: scheduleKeys.windows,
    queryFn: ({ signal }) => api.get<Page<MaintenanceWindow>>('/api/v1/windows', { limit: 500 }, signal),
  });
}

const DAY_MS = 86_400_000;

/** The next occurrences of a window, from now, for the preview in the form. */
export function useNextOccurrences(id: string | null, count = 5) {
  return useQuery({
    queryKey: [...scheduleKeys.occurrences(id ?? ''), count],
    queryFn: async ({ signal }) => {
      const from = new Date();
      const to = new Date(from.getTime() + 399 * DAY_MS);
      const page = await api.get<{ items: Occurrence[]; truncated: boolean }>(`/api/v1/windows/${encodeURIComponent(id!)}/occurrences`, { from: from.toISOString(), to: to.toISOString() }, signal);
      return page.items.slice(0, count);
    },
    enabled: !!id,
  });
}

function useWindowWrite<V>(write: (v: V) => Promise<MaintenanceWindow | void>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['windows'] });
      void client.invalidateQueries({ queryKey: ['changes', 'calendar'] });
    },
  });
}

export const useCreateWindow = () => useWindowWrite((input: WindowInput) => api.post<MaintenanceWindow>('/api/v1/windows', input));
export const useUpdateWindow = () =>
  useWindowWrite(({ id, ...input }: Partial<WindowInput> & { id: string; version: number }) => api.patch<MaintenanceWindow>(`/api/v1/windows/${encodeURIComponent(id)}`, input));
export const useDeleteWindow = () => useWindowWrite((id: string) => api.delete(`/api/v1/windows/${encodeURIComponent(id)}`));
