import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type {
  ChangeAudience as ChangeAudienceSchema,
  ChangeConcerns as ChangeConcernsSchema,
  Concern as ConcernSchema,
  CreateSubscriptionInput,
  Subscription as SubscriptionSchema,
  UpdateSubscriptionInput,
} from '../../../../src/contracts/communication';
import type { MailStatus } from '../../../../src/contracts/mail';
import type { Incident } from '../incidents/incidents-api';

/** Who follows what (GET /api/v1/me/subscriptions). */
export type Subscription = z.infer<typeof SubscriptionSchema>;
/** Who a change's notices reach now, and why (GET /api/v1/changes/{id}/audience). */
export type ChangeAudience = z.infer<typeof ChangeAudienceSchema>;
export type Concern = z.infer<typeof ConcernSchema>;
export type ChangeConcerns = z.infer<typeof ChangeConcernsSchema>;
export type SubscriptionTargetKind = Subscription['target']['kind'];

export const communicationKeys = {
  mine: ['me', 'subscriptions'] as const,
  audience: (changeId: string, event?: string) => ['changes', 'audience', changeId, event ?? null] as const,
  concerns: (changeId: string) => ['changes', 'concerns', changeId] as const,
};

/** Whether the server sends email at all (GET /api/v1/mail/status): without SMTP, email subscriptions send nothing. */
export function useMailStatus() {
  return useQuery({
    queryKey: ['mail', 'status'] as const,
    queryFn: ({ signal }) => api.get<MailStatus>('/api/v1/mail/status', undefined, signal),
    staleTime: 5 * 60_000,
  });
}

export function useMySubscriptions() {
  return useQuery({
    queryKey: communicationKeys.mine,
    queryFn: ({ signal }) => api.get<{ items: Subscription[]; nextCursor: null }>('/api/v1/me/subscriptions', undefined, signal),
  });
}

/** Follows a service, CI or team; the audiences of changes follow. */
export function useFollow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateSubscriptionInput) => api.post<Subscription>('/api/v1/subscriptions', input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: communicationKeys.mine });
      void queryClient.invalidateQueries({ queryKey: ['changes'] });
    },
  });
}

/** Changes what a subscription hears of, how, and whether it includes what its target depends on. */
export function useUpdateSubscription() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateSubscriptionInput & { id: string }) =>
      api.patch<Subscription>(`/api/v1/subscriptions/${encodeURIComponent(id)}`, input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: communicationKeys.mine });
      void queryClient.invalidateQueries({ queryKey: ['changes'] });
    },
  });
}

/** Sends a fresh confirmation link to an external address that has not confirmed yet. */
export function useResendConfirmation() {
  return useMutation({ mutationFn: (id: string) => api.post<null>(`/api/v1/subscriptions/${encodeURIComponent(id)}/confirmation`, {}) });
}

export function useUnfollow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/subscriptions/${encodeURIComponent(id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: communicationKeys.mine });
      void queryClient.invalidateQueries({ queryKey: ['changes'] });
    },
  });
}

/** Who the change's notices reach now; with `event`, exactly who that event's notice would reach (notifications.yaml). */
export function useChangeAudience(changeId: string, event?: string) {
  return useQuery({
    queryKey: communicationKeys.audience(changeId, event),
    queryFn: ({ signal }) =>
      api.get<ChangeAudience>(`/api/v1/changes/${encodeURIComponent(changeId)}/audience`, event ? { event } : undefined, signal),
  });
}

export function useChangeConcerns(changeId: string) {
  return useQuery({
    queryKey: communicationKeys.concerns(changeId),
    queryFn: ({ signal }) => api.get<ChangeConcerns>(`/api/v1/changes/${encodeURIComponent(changeId)}/concerns`, undefined, signal),
  });
}

/** After a concern is raised or answered: its list, and the change (its counts and whether it may move on). */
function useConcernsChanged(changeId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: communicationKeys.concerns(changeId) });
    void queryClient.invalidateQueries({ queryKey: ['changes', 'detail'] });
  };
}

export function useRaiseConcern(changeId: string) {
  const changed = useConcernsChanged(changeId);
  return useMutation({
    mutationFn: (text: string) => api.post<Concern>(`/api/v1/changes/${encodeURIComponent(changeId)}/concerns`, { text }),
    onSuccess: changed,
  });
}

export function useAnswerConcern(changeId: string) {
  const changed = useConcernsChanged(changeId);
  return useMutation({
    mutationFn: (input: { concernId: string; text: string }) =>
      api.post<Concern>(`/api/v1/concerns/${encodeURIComponent(input.concernId)}/answer`, { text: input.text }),
    onSuccess: changed,
  });
}

/** "This affected me": opens a new incident linked to the change. */
export function useReportAffected(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (text: string) => api.post<Incident>(`/api/v1/changes/${encodeURIComponent(changeId)}/affected`, { text }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['incidents'] }),
  });
}
