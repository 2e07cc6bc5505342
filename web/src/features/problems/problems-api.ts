import { keepPreviousData, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { Page } from '../../api/types';
import type {
  CreateKnownErrorInput as CreateKnownErrorInputSchema,
  CreateProblemInput as CreateProblemInputSchema,
  KnownError as KnownErrorSchema,
  KnownErrorsOnCis as KnownErrorsOnCisSchema,
  KnownErrorState,
  Problem as ProblemSchema,
  ProblemState,
  ProblemSuggestions as ProblemSuggestionsSchema,
  ShareWorkaroundResult as ShareWorkaroundResultSchema,
  UpdateKnownErrorInput as UpdateKnownErrorInputSchema,
  UpdateProblemInput as UpdateProblemInputSchema,
} from '../../../../src/contracts/problems';

export type { KnownErrorState, ProblemState };
export type Problem = z.infer<typeof ProblemSchema>;
export type CreateProblemInput = z.input<typeof CreateProblemInputSchema>;
export type UpdateProblemInput = z.input<typeof UpdateProblemInputSchema>;
export type ProblemSuggestions = z.infer<typeof ProblemSuggestionsSchema>;
export type KnownError = z.infer<typeof KnownErrorSchema>;
export type CreateKnownErrorInput = z.input<typeof CreateKnownErrorInputSchema>;
export type UpdateKnownErrorInput = z.input<typeof UpdateKnownErrorInputSchema>;
export type KnownErrorsOnCis = z.infer<typeof KnownErrorsOnCisSchema>;
export type ShareWorkaroundResult = z.infer<typeof ShareWorkaroundResultSchema>;

/** The query of GET /api/v1/problems the list page sends (`state=open`: every state before resolved). */
export interface ProblemFilters {
  state?: string;
  priority?: string;
  ciId?: string;
  q?: string;
  sort?: string;
}

export interface KnownErrorFilters {
  state?: string;
  ciId?: string;
  q?: string;
}

export const problemKeys = {
  all: ['problems'] as const,
  list: (filters: ProblemFilters) => ['problems', 'list', filters] as const,
  detail: (id: string) => ['problems', 'detail', id] as const,
  suggestions: ['problems', 'suggestions'] as const,
};

export const knownErrorKeys = {
  all: ['known-errors'] as const,
  list: (filters: KnownErrorFilters) => ['known-errors', 'list', filters] as const,
  detail: (id: string) => ['known-errors', 'detail', id] as const,
  ofChange: (changeId: string) => ['known-errors', 'change', changeId] as const,
  onCis: (ciIds: string[]) => ['known-errors', 'on-cis', ciIds] as const,
};

const problemPath = (id: string) => `/api/v1/problems/${encodeURIComponent(id)}`;
const knownErrorPath = (id: string) => `/api/v1/known-errors/${encodeURIComponent(id)}`;

export function useProblemList(filters: ProblemFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...problemKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<Problem>>('/api/v1/problems', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

/** One problem by id or number (`PRB0000012`); the page URL uses the number. */
export function useProblem(idOrNumber: string) {
  return useQuery({
    queryKey: problemKeys.detail(idOrNumber),
    queryFn: ({ signal }) => api.get<Problem>(problemPath(idOrNumber), undefined, signal),
  });
}

export function useProblemSuggestions(enabled = true) {
  return useQuery({
    queryKey: problemKeys.suggestions,
    queryFn: ({ signal }) => api.get<ProblemSuggestions>('/api/v1/problems/suggestions', undefined, signal),
    enabled,
  });
}

// NOTE: a problem shows on its list, the suggestions (its incidents leave them) and its known errors.
function afterProblemWrite(queryClient: ReturnType<typeof useQueryClient>) {
  void queryClient.invalidateQueries({ queryKey: problemKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
  void queryClient.invalidateQueries({ queryKey: knownErrorKeys.all });
}

export function useCreateProblem() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateProblemInput) => api.post<Problem>('/api/v1/problems', input),
    onSuccess: (problem) => {
      queryClient.setQueryData(problemKeys.detail(problem.number), problem);
      afterProblemWrite(queryClient);
    },
  });
}

/** Edits problem `id`; `cacheKey` is how the page loaded it. Send the `version` you read (none answers 428, a stale one 412). */
export function useUpdateProblem(id: string, cacheKey = id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateProblemInput & { version: number }) => api.patch<Problem>(problemPath(id), input),
    onSuccess: (problem) => {
      queryClient.setQueryData(problemKeys.detail(cacheKey), problem);
      afterProblemWrite(queryClient);
    },
  });
}

export function useKnownErrorList(filters: KnownErrorFilters, limit = 50) {
  return useInfiniteQuery({
    queryKey: [...knownErrorKeys.list(filters), limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<KnownError>>('/api/v1/known-errors', { ...filters, limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useKnownError(idOrNumber: string) {
  return useQuery({
    queryKey: knownErrorKeys.detail(idOrNumber),
    queryFn: ({ signal }) => api.get<KnownError>(knownErrorPath(idOrNumber), undefined, signal),
  });
}

/** The problems change `id` caused or fixes, in any state. */
export function useChangeProblems(changeId: string, enabled = true) {
  return useQuery({
    queryKey: [...problemKeys.all, 'change', changeId] as const,
    queryFn: ({ signal }) => api.get<Page<Problem>>('/api/v1/problems', { changeId, limit: 100 }, signal),
    select: (page) => page.items,
    enabled,
  });
}

/** The problems incident `id` is linked to, in any state. */
export function useIncidentProblems(incidentId: string, enabled = true) {
  return useQuery({
    queryKey: [...problemKeys.all, 'incident', incidentId] as const,
    queryFn: ({ signal }) => api.get<Page<Problem>>('/api/v1/problems', { incidentId, limit: 20 }, signal),
    select: (page) => page.items,
    enabled,
  });
}

/** The published known errors on change `id`'s CIs. */
export function useChangeKnownErrors(changeId: string, enabled = true) {
  return useQuery({
    queryKey: knownErrorKeys.ofChange(changeId),
    queryFn: ({ signal }) => api.get<KnownErrorsOnCis>(`/api/v1/changes/${encodeURIComponent(changeId)}/known-errors`, undefined, signal),
    enabled,
  });
}

/** The published known errors on these CIs (the new-change form asks as CIs are picked); nothing is asked for none. */
export function useKnownErrorsOnCis(ciIds: string[]) {
  const sorted = [...new Set(ciIds)].sort();
  return useQuery({
    queryKey: knownErrorKeys.onCis(sorted),
    queryFn: ({ signal }) => api.get<KnownErrorsOnCis>('/api/v1/known-errors/on-cis', { ciIds: sorted.join(',') }, signal),
    enabled: sorted.length > 0,
  });
}

function afterKnownErrorWrite(queryClient: ReturnType<typeof useQueryClient>) {
  void queryClient.invalidateQueries({ queryKey: knownErrorKeys.all, predicate: (q) => q.queryKey[1] !== 'detail' });
  void queryClient.invalidateQueries({ queryKey: problemKeys.all });
}

export function useCreateKnownError() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateKnownErrorInput) => api.post<KnownError>('/api/v1/known-errors', input),
    onSuccess: (knownError) => {
      queryClient.setQueryData(knownErrorKeys.detail(knownError.number), knownError);
      afterKnownErrorWrite(queryClient);
    },
  });
}

export function useUpdateKnownError(id: string, cacheKey = id) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateKnownErrorInput & { version: number }) => api.patch<KnownError>(knownErrorPath(id), input),
    onSuccess: (knownError) => {
      queryClient.setQueryData(knownErrorKeys.detail(cacheKey), knownError);
      afterKnownErrorWrite(queryClient);
    },
  });
}

/** "Share the workaround": answers who was told. */
export function useShareWorkaround(id: string) {
  return useMutation({
    mutationFn: () => api.post<ShareWorkaroundResult>(`${knownErrorPath(id)}/share`, {}),
  });
}
