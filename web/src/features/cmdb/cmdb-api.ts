import { keepPreviousData, useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { Ci, CiRelations, ImportResult, Page, RelationType, Service } from '../../api/types';
import type { ImportFormat } from '../../shared/import/import-format';

export interface CiFilters {
  q?: string;
  type?: string;
  environment?: string;
  serviceId?: string;
  tag?: string;
  /** The order (`sort=-criticality`); by name when absent. */
  sort?: string;
}

export interface ServiceFilters {
  q?: string;
  tag?: string;
}

export const cmdbKeys = {
  services: (filters: ServiceFilters) => ['services', 'list', filters] as const,
  service: (id: string) => ['services', 'detail', id] as const,
  cis: (filters: CiFilters, limit: number) => ['cis', 'list', filters, limit] as const,
  ci: (id: string) => ['cis', 'detail', id] as const,
  relations: (id: string) => ['cis', 'relations', id] as const,
};

export function useServiceList(filters: ServiceFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...cmdbKeys.services(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<Service>>('/api/v1/services', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** All services for a select (the service catalogue is small; the first 500 are plenty). */
export function useServiceOptions() {
  return useQuery({
    queryKey: ['services', 'options'],
    queryFn: ({ signal }) => api.get<Page<Service>>('/api/v1/services', { limit: 500 }, signal),
    staleTime: 60_000,
    select: (page) => page.items.map((s) => ({ value: s.id, label: s.name })),
  });
}

export function useService(id: string | null | undefined) {
  return useQuery({
    queryKey: cmdbKeys.service(id ?? ''),
    queryFn: ({ signal }) => api.get<Service>(`/api/v1/services/${encodeURIComponent(id!)}`, undefined, signal),
    enabled: !!id,
    staleTime: 60_000,
  });
}

/** Edits a service; send the `version` you read (none answers 428, a stale one 412). */
export function useUpdateService(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { requiresMaintenanceWindow?: boolean; version: number }) =>
      api.patch<Service>(`/api/v1/services/${encodeURIComponent(id)}`, input),
    onSuccess: (service) => {
      queryClient.setQueryData(cmdbKeys.service(id), service);
      // The answer is the service itself; only the lists that show it are fetched again.
      void queryClient.invalidateQueries({ queryKey: ['services'], predicate: (q) => q.queryKey[1] !== 'detail' });
    },
  });
}

export function useServices(ids: string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: cmdbKeys.service(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Service>(`/api/v1/services/${encodeURIComponent(id)}`, undefined, signal),
      staleTime: 60_000,
    })),
  });
}

export function useCiList(filters: CiFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: cmdbKeys.cis(filters, limit),
    queryFn: ({ pageParam, signal }) => api.get<Page<Ci>>('/api/v1/cis', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** One page of CIs matching a search, for pickers. */
export function useCiSearch(q: string, limit = 20) {
  return useQuery({
    queryKey: ['cis', 'search', q, limit],
    queryFn: ({ signal }) => api.get<Page<Ci>>('/api/v1/cis', { q, limit }, signal),
    placeholderData: keepPreviousData,
    staleTime: 30_000,
  });
}

export function useCi(id: string) {
  return useQuery({
    queryKey: cmdbKeys.ci(id),
    queryFn: ({ signal }) => api.get<Ci>(`/api/v1/cis/${encodeURIComponent(id)}`, undefined, signal),
  });
}

/** Several CIs by id (e.g. the CIs a change touches), each cached on its own. */
export function useCis(ids: string[]) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: cmdbKeys.ci(id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<Ci>(`/api/v1/cis/${encodeURIComponent(id)}`, undefined, signal),
      staleTime: 60_000,
    })),
  });
}

export function useCiRelations(id: string) {
  return useQuery({
    queryKey: cmdbKeys.relations(id),
    queryFn: ({ signal }) => api.get<CiRelations>(`/api/v1/cis/${encodeURIComponent(id)}/relations`, undefined, signal),
  });
}

export function useAddRelation(ciId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { toCiId: string; type: RelationType }) => api.post(`/api/v1/cis/${encodeURIComponent(ciId)}/relations`, input),
    onSuccess: (_data, input) => {
      void queryClient.invalidateQueries({ queryKey: cmdbKeys.relations(ciId) });
      void queryClient.invalidateQueries({ queryKey: cmdbKeys.relations(input.toCiId) });
    },
  });
}

export function useDeleteRelation(ciId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (relationId: string) => api.delete(`/api/v1/cis/${encodeURIComponent(ciId)}/relations/${encodeURIComponent(relationId)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['cis', 'relations'] }),
  });
}

export function useImportCis() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ text, format }: { text: string; format: ImportFormat }) =>
      api.post<ImportResult>('/api/v1/cis/import', text, {
        contentType: format === 'csv' ? 'text/csv' : 'application/json',
      }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['cis'] }),
  });
}
