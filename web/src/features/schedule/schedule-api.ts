import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Ci, Page, Service } from '../../api/types';
import { cmdbKeys } from '../cmdb/cmdb-api';
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

/** The calendar's filters as the query sends them: ids, one type, states comma-separated. */
export interface CalendarFilters {
  serviceId?: string;
  teamId?: string;
  ciId?: string;
  type?: string;
  state?: string;
}

export const scheduleKeys = {
  // NOTE: under 'changes' so that change writes (which invalidate 'changes' keys) refresh the calendar too.
  calendar: (from: string, to: string, filters: CalendarFilters = {}) => ['changes', 'calendar', from, to, filters] as const,
  windows: ['windows', 'list'] as const,
  occurrences: (id: string) => ['windows', 'occurrences', id] as const,
};

export function useCalendar(from: string, to: string, filters: CalendarFilters = {}) {
  return useQuery({
    queryKey: scheduleKeys.calendar(from, to, filters),
    queryFn: ({ signal }) => api.get<Calendar>('/api/v1/calendar', { from, to, ...filters }, signal),
    placeholderData: keepPreviousData,
  });
}

/** Every service (the catalogue is small; the first 500 are plenty), for the timeline's rows and scopes. */
export function useScheduleServices(enabled = true) {
  return useQuery({
    enabled,
    queryKey: ['services', 'schedule'],
    queryFn: ({ signal }) => api.get<Page<Service>>('/api/v1/services', { limit: 500 }, signal),
    staleTime: 60_000,
    select: (page) => new Map(page.items.map((s) => [s.id, s])),
  });
}

/**
 * The CIs on screen, by id, each asked for once and cached with the CMDB pages' own entries. Calendar
 * changes carry only CI ids, and the CIs a fortnight of changes touches are far fewer than the CMDB holds.
 */
export function useScheduleCis(ids: readonly string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: cmdbKeys.ci(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Ci>(`/api/v1/cis/${encodeURIComponent(id)}`, undefined, signal),
      staleTime: 60_000,
    })),
    combine: (results) => ({
      cis: new Map(results.flatMap((r) => (r.data ? [[r.data.id, r.data] as const] : []))),
      isPending: results.some((r) => r.isPending),
    }),
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
