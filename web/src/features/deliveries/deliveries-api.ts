import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { DeadLetter, DeadLetterOutcome, Delivery, DeliveryList } from '../../../../src/contracts/delivery';
import { api } from '../../api/client';
import type { Page } from '../../api/types';

export type { DeadLetter, Delivery };

const deliveryKeys = {
  deadLetters: ['outbox', 'dead-letters'] as const,
  ofChange: (changeId: string) => ['changes', changeId, 'deliveries'] as const,
};

/** The dead letters, the most recent first, a page at a time (admins). */
export function useDeadLetters(limit = 50) {
  return useInfiniteQuery({
    queryKey: [...deliveryKeys.deadLetters, limit],
    queryFn: ({ pageParam, signal }) => api.get<Page<DeadLetter>>('/api/v1/outbox/dead-letters', { limit, cursor: pageParam }, signal),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

/** Queues a dead letter again with its attempts reset. */
export function useRetryDeadLetter() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<DeadLetterOutcome>(`/api/v1/outbox/dead-letters/${encodeURIComponent(id)}/retry`, {}),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: deliveryKeys.deadLetters }),
  });
}

/** Gives a dead letter up for good, with the reason. */
export function useDiscardDeadLetter() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      api.post<DeadLetterOutcome>(`/api/v1/outbox/dead-letters/${encodeURIComponent(id)}/discard`, { reason }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: deliveryKeys.deadLetters }),
  });
}

/** The delivery log of the notices about a change, newest first (its latest 200 attempts). */
export function useChangeDeliveries(changeId: string, enabled = true) {
  return useQuery({
    queryKey: deliveryKeys.ofChange(changeId),
    queryFn: ({ signal }) => api.get<DeliveryList>(`/api/v1/changes/${encodeURIComponent(changeId)}/deliveries`, { limit: 200 }, signal),
    enabled,
  });
}
