import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type {
  CreateIncidentInput as CreateIncidentInputSchema,
  ImportIncidentsResult as ImportIncidentsResultSchema,
  Incident as IncidentSchema,
  IncidentState,
  UpdateIncidentInput as UpdateIncidentInputSchema,
} from '../../../../src/contracts/incidents';

export type { IncidentState };
export type Incident = z.infer<typeof IncidentSchema>;
export type CreateIncidentInput = z.input<typeof CreateIncidentInputSchema>;
export type UpdateIncidentInput = z.input<typeof UpdateIncidentInputSchema>;
export type ImportIncidentsResult = z.infer<typeof ImportIncidentsResultSchema>;

/**
 * The query of GET /api/v1/incidents the list page sends (`state=open` means new, in progress and on hold;
 * `priority` is one priority or several, comma-separated, 1 critical … 4 low).
 */
export interface IncidentFilters {
  state?: string;
  priority?: string;
  ciId?: string;
  changeId?: string;
  q?: string;
  /** The order (`sort=-priority`); newest opened first when absent. */
  sort?: string;
}

export const incidentKeys = {
  all: ['incidents'] as const,
  list: (filters: IncidentFilters) => ['incidents', 'list', filters] as const,
  detail: (id: string) => ['incidents', 'detail', id] as const,
  ofChange: (changeId: string) => ['incidents', 'change', changeId] as const,
  ofCi: (ciId: string) => ['incidents', 'ci', ciId] as const,
};

const incidentPath = (id: string) => `/api/v1/incidents/${encodeURIComponent(id)}`;

export function useIncidentList(filters: IncidentFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...incidentKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<Incident>>('/api/v1/incidents', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** One incident by id or by number (`INC0000012`); the page URL uses the number. */
export function useIncident(idOrNumber: string) {
  return useQuery({
    queryKey: incidentKeys.detail(idOrNumber),
    queryFn: ({ signal }) => api.get<Incident>(incidentPath(idOrNumber), undefined, signal),
  });
}

const newestFirst = (a: Incident, b: Incident) => b.openedAt.localeCompare(a.openedAt);

/** The incidents change `id` caused, newest first. */
export function useChangeIncidents(changeId: string, enabled = true) {
  return useQuery({
    queryKey: incidentKeys.ofChange(changeId),
    queryFn: ({ signal }) => api.get<Page<Incident>>(`/api/v1/changes/${encodeURIComponent(changeId)}/incidents`, undefined, signal),
    select: (page) => [...page.items].sort(newestFirst),
    enabled,
  });
}

/** The most recent incidents on CI `ciId`, in any state, newest first. */
export function useCiIncidents(ciId: string, limit = 20, enabled = true) {
  return useQuery({
    queryKey: [...incidentKeys.ofCi(ciId), limit],
    queryFn: ({ signal }) => api.get<Page<Incident>>('/api/v1/incidents', { ciId, limit }, signal),
    select: (page) => ({ items: [...page.items].sort(newestFirst), more: page.nextCursor !== null }),
    enabled,
  });
}

// NOTE: an incident shows up on its list, its CIs and the change that caused it; a write refetches all of them.
function afterIncidentWrite(queryClient: ReturnType<typeof useQueryClient>) {
  void queryClient.invalidateQueries({ queryKey: incidentKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
  // The risk of changes on the same CIs counts recent incidents (factor `ci_incidents`).
  void queryClient.invalidateQueries({ queryKey: ['changes', 'risk'] });
}

export function useCreateIncident() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateIncidentInput) => api.post<Incident>('/api/v1/incidents', input),
    onSuccess: (incident) => {
      queryClient.setQueryData(incidentKeys.detail(incident.number), incident);
      afterIncidentWrite(queryClient);
    },
  });
}

/** Edits incident `id`; `cacheKey` is how the page loaded it. Send the `version` you read (none answers 428, a stale one 412). */
export function useUpdateIncident(id: string, cacheKey = id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateIncidentInput & { version: number }) => api.patch<Incident>(incidentPath(id), input),
    onSuccess: (incident) => {
      queryClient.setQueryData(incidentKeys.detail(cacheKey), incident);
      afterIncidentWrite(queryClient);
    },
  });
}

export function useImportIncidents() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ csv, dryRun }: { csv: string; dryRun: boolean }) =>
      api.post<ImportIncidentsResult>('/api/v1/incidents/import', csv, {
        contentType: 'text/csv',
        query: dryRun ? { dryRun: true } : undefined,
      }),
    onSuccess: (_result, { dryRun }) => {
      if (!dryRun) afterIncidentWrite(queryClient);
    },
  });
}
