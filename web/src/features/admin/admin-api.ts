import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import type { ApiToken, CreatedToken, Page, Person, RoleName, Team, User } from '../../api/types';

/** Everyone with their emails, roles and teams: admins, change managers and auditors only. */
export function useUsers(enabled = true) {
  return useQuery({
    queryKey: ['users'],
    queryFn: ({ signal }) => api.get<Page<User>>('/api/v1/users', { limit: 500 }, signal),
    enabled,
  });
}

/** Enabled people whose name or email contains `q`, for pickers: anyone signed in may search. */
export function usePeople(q: string) {
  return useQuery({
    queryKey: ['people', 'search', q],
    queryFn: ({ signal }) => api.get<Page<Person>>('/api/v1/people', { q, limit: 50 }, signal),
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });
}

/** These people by id, disabled ones included, to show names on records. */
export function usePeopleByIds(ids: (string | null | undefined)[]) {
  const unique = [...new Set(ids.filter((id): id is string => !!id))].sort();
  return useQuery({
    queryKey: ['people', 'ids', unique],
    queryFn: ({ signal }) => api.get<Page<Person>>('/api/v1/people', { ids: unique.join(',') }, signal),
    enabled: unique.length > 0,
    staleTime: 60_000,
  });
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; name: string; password: string; roles: RoleName[]; teamIds: string[] }) =>
      api.post<User>('/api/v1/users', input),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['users'] }), queryClient.invalidateQueries({ queryKey: ['people'] })]),
  });
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: { id: string; disabled?: boolean; roles?: RoleName[] }) =>
      api.patch<User>(`/api/v1/users/${encodeURIComponent(id)}`, input),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['users'] }), queryClient.invalidateQueries({ queryKey: ['people'] })]),
  });
}

export function useTeams(enabled = true) {
  return useQuery({
    queryKey: ['teams'],
    queryFn: ({ signal }) => api.get<Page<Team>>('/api/v1/teams', undefined, signal),
    staleTime: 60_000,
    enabled,
  });
}

/** Team id → name, for showing owners and assignment teams. */
export function useTeamNames(): Map<string, string> {
  const { data } = useTeams();
  return new Map((data?.items ?? []).map((t) => [t.id, t.name]));
}

export function useCreateTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; handle?: string; description: string; memberIds: string[] }) =>
      api.post<Team>('/api/v1/teams', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['teams'] }),
  });
}

export function useTokens() {
  return useQuery({
    queryKey: ['tokens'],
    queryFn: ({ signal }) => api.get<Page<ApiToken>>('/api/v1/tokens', undefined, signal),
  });
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; expiresAt?: string }) => api.post<CreatedToken>('/api/v1/tokens', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/tokens/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['tokens'] }),
  });
}
