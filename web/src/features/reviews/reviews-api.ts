import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api, ApiError } from '../../api/client';
import type {
  CreateReviewActionInput as CreateReviewActionInputSchema,
  Review as ReviewSchema,
  ReviewAction as ReviewActionSchema,
  ReviewQueueItem as ReviewQueueItemSchema,
  UpdateReviewActionInput as UpdateReviewActionInputSchema,
  UpdateReviewInput as UpdateReviewInputSchema,
} from '../../../../src/contracts/reviews';

export type Review = z.infer<typeof ReviewSchema>;
export type ReviewAction = z.infer<typeof ReviewActionSchema>;
export type ReviewQueueItem = z.infer<typeof ReviewQueueItemSchema>;
export type UpdateReviewInput = z.input<typeof UpdateReviewInputSchema>;
export type CreateReviewActionInput = z.input<typeof CreateReviewActionInputSchema>;
export type UpdateReviewActionInput = z.input<typeof UpdateReviewActionInputSchema>;
export type ReviewQueueState = 'open' | 'overdue' | 'completed' | 'all';

export const reviewKeys = {
  all: ['reviews'] as const,
  ofChange: (changeId: string) => ['reviews', 'change', changeId] as const,
  queue: (state: ReviewQueueState, mine: boolean) => ['reviews', 'queue', state, mine] as const,
};

const reviewPath = (changeId: string) => `/api/v1/changes/${encodeURIComponent(changeId)}/review`;

/** The change's post-implementation review; null when the policy asks for none (404). */
export function useChangeReview(changeId: string, enabled = true) {
  return useQuery({
    queryKey: reviewKeys.ofChange(changeId),
    queryFn: async ({ signal }) => {
      try {
        return await api.get<Review>(reviewPath(changeId), undefined, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    enabled,
  });
}

/** Every write answers with the whole review: it replaces the cached one, and the queue is read again. */
function useReviewWrite<V>(changeId: string, write: (vars: V) => Promise<Review>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: (review) => {
      client.setQueryData(reviewKeys.ofChange(changeId), review);
      void client.invalidateQueries({ queryKey: ['reviews', 'queue'] });
    },
  });
}

export const useUpdateReview = (changeId: string) =>
  useReviewWrite(changeId, (input: UpdateReviewInput & { version: number }) => api.patch<Review>(reviewPath(changeId), input));

export const useAddReviewAction = (changeId: string) =>
  useReviewWrite(changeId, (input: CreateReviewActionInput) => api.post<Review>(`${reviewPath(changeId)}/actions`, input));

export const useUpdateReviewAction = (changeId: string) =>
  useReviewWrite(changeId, ({ actionId, ...input }: UpdateReviewActionInput & { actionId: string }) =>
    api.patch<Review>(`${reviewPath(changeId)}/actions/${encodeURIComponent(actionId)}`, input),
  );

export const useCompleteReview = (changeId: string) =>
  useReviewWrite(changeId, (input: { version: number }) => api.post<Review>(`${reviewPath(changeId)}/complete`, input));

/** The review queue: open (not completed), overdue, completed or all; `mine` narrows to the reader's changes. */
export function useReviewQueue(state: ReviewQueueState, mine: boolean) {
  return useQuery({
    queryKey: reviewKeys.queue(state, mine),
    queryFn: ({ signal }) => api.get<{ items: ReviewQueueItem[] }>('/api/v1/reviews', { state, mine }, signal),
  });
}
