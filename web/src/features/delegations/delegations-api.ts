import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type { CreateDelegationInput, Delegation as DelegationSchema } from '../../../../src/contracts/governance';

/** Someone lets a delegate decide their approvals for a while (GET /api/v1/me/delegations). */
export type Delegation = z.infer<typeof DelegationSchema>;

export const delegationKeys = { mine: ['me', 'delegations'] as const };

export function useMyDelegations() {
  return useQuery({
    queryKey: delegationKeys.mine,
    queryFn: ({ signal }) => api.get<{ given: Delegation[]; received: Delegation[] }>('/api/v1/me/delegations', undefined, signal),
  });
}

// NOTE: a delegation changes which approvals people may decide, so the inbox is fetched again too.
function afterWrite(queryClient: ReturnType<typeof useQueryClient>) {
  void queryClient.invalidateQueries({ queryKey: delegationKeys.mine });
  void queryClient.invalidateQueries({ queryKey: ['approvals', 'mine'] });
}

export function useCreateDelegation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateDelegationInput) => api.post<Delegation>('/api/v1/me/delegations', input),
    onSuccess: () => afterWrite(queryClient),
  });
}

export function useRevokeDelegation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/me/delegations/${encodeURIComponent(id)}`),
    onSuccess: () => afterWrite(queryClient),
  });
}
