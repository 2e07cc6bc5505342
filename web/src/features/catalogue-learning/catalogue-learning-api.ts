import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type {
  CatalogueReview as CatalogueReviewSchema,
  CatalogueReviewDecision,
  PromotionCandidate as PromotionCandidateSchema,
  PromotionCandidateList as PromotionCandidateListSchema,
  Reclassification as ReclassificationSchema,
  ReclassificationKind,
  ReclassificationSummary as ReclassificationSummarySchema,
} from '../../../../src/contracts/catalogue-learning';
import type { Template } from '../templates/templates-api';

export type { CatalogueReviewDecision, ReclassificationKind };
export type CatalogueReview = z.infer<typeof CatalogueReviewSchema>;
export type PromotionCandidate = z.infer<typeof PromotionCandidateSchema>;
export type PromotionCandidateList = z.infer<typeof PromotionCandidateListSchema>;
export type Reclassification = z.infer<typeof ReclassificationSchema>;
export type ReclassificationSummary = z.infer<typeof ReclassificationSummarySchema>;
export type ReviewFilter = 'open' | 'overdue' | 'decided';
export type ChangeType = Reclassification['to'];

export const learningKeys = {
  reviews: (state: ReviewFilter) => ['catalogue', 'reviews', state] as const,
  allReviews: ['catalogue', 'reviews'] as const,
  candidates: ['catalogue', 'candidates'] as const,
  reclassifications: (changeId: string) => ['changes', changeId, 'reclassifications'] as const,
  summary: (by: 'team' | 'service', since: string | null) => ['reclassifications', 'summary', by, since] as const,
};

/** Periodic reviews: open (by due date), overdue, or decided (latest first). */
export function useCatalogueReviews(state: ReviewFilter) {
  return useQuery({
    queryKey: learningKeys.reviews(state),
    queryFn: ({ signal }) => api.get<{ items: CatalogueReview[] }>('/api/v1/catalogue/reviews', { state }, signal),
  });
}

/** Decides a review (keep, revise or retire) with a reason. */
export function useDecideReview() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { id: string; decision: CatalogueReviewDecision; reason: string }) =>
      api.post<CatalogueReview>(`/api/v1/catalogue/reviews/${encodeURIComponent(input.id)}/decide`, {
        decision: input.decision,
        reason: input.reason,
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: learningKeys.allReviews });
      void queryClient.invalidateQueries({ queryKey: ['templates'] });
    },
  });
}

export function useCandidates() {
  return useQuery({
    queryKey: learningKeys.candidates,
    queryFn: ({ signal }) => api.get<PromotionCandidateList>('/api/v1/catalogue/candidates', undefined, signal),
  });
}

/** Proposes a catalogue entry from a change; the entry waits as proposed for a change manager's activation. */
export function useProposeEntry() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { changeId: string; name?: string; category?: string }) =>
      api.post<Template>(`/api/v1/changes/${encodeURIComponent(input.changeId)}/propose-entry`, {
        ...(input.name ? { name: input.name } : {}),
        ...(input.category ? { category: input.category } : {}),
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: learningKeys.candidates });
      void queryClient.invalidateQueries({ queryKey: ['templates'] });
    },
  });
}

export function useReclassifications(changeId: string) {
  return useQuery({
    queryKey: learningKeys.reclassifications(changeId),
    queryFn: ({ signal }) =>
      api.get<{ items: Reclassification[] }>(`/api/v1/changes/${encodeURIComponent(changeId)}/reclassifications`, undefined, signal),
  });
}

export function useReclassify(changeId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { as: ChangeType; reason: string }) =>
      api.post<Reclassification>(`/api/v1/changes/${encodeURIComponent(changeId)}/reclassify`, input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: learningKeys.reclassifications(changeId) });
      void queryClient.invalidateQueries({ queryKey: ['reclassifications'] });
    },
  });
}

export function useReclassificationSummary(by: 'team' | 'service', since: string | null) {
  return useQuery({
    queryKey: learningKeys.summary(by, since),
    queryFn: ({ signal }) =>
      api.get<ReclassificationSummary>('/api/v1/reclassifications/summary', { by, since: since ?? undefined }, signal),
  });
}

/** What each decision does, in words, for the decide dialog. */
export const DECISION_WORDS: Record<CatalogueReviewDecision, { label: string; words: string }> = {
  keep: { label: 'Keep', words: 'The entry stays as it is; its next review is one cadence from today.' },
  revise: { label: 'Revise', words: 'The entry stays active; its owner writes a new version, which a change manager activates.' },
  retire: { label: 'Retire', words: 'The entry leaves the catalogue: no more changes can be made from it.' },
};

/** What a reclassification says about how the change was filed. */
export const KIND_WORDS: Record<ReclassificationKind, string> = {
  not_urgent: 'Was not urgent',
  should_be_standard: 'Should have been standard',
  not_standard: 'Was not standard',
  other: 'Another type',
};

export const TYPE_WORDS: Record<ChangeType, string> = { standard: 'Standard', normal: 'Normal', emergency: 'Emergency' };

/** The history snapshot of a review in a few words: "12 uses, 11 successful, 1 failed, score 28". */
export function historyWords(history: Record<string, unknown>): string {
  const n = (key: string) => (typeof history[key] === 'number' ? (history[key] as number) : null);
  const parts: string[] = [];
  if (n('uses') !== null) parts.push(`${n('uses')} uses`);
  else if (n('used') !== null) parts.push(`${n('used')} uses`);
  if (n('successful') !== null) parts.push(`${n('successful')} successful`);
  if (n('successfulWithIssues')) parts.push(`${n('successfulWithIssues')} with issues`);
  if (n('failed') !== null) parts.push(`${n('failed')} failed`);
  if (n('score') !== null) parts.push(`score ${n('score')}`);
  return parts.length > 0 ? parts.join(', ') : 'No history yet';
}
