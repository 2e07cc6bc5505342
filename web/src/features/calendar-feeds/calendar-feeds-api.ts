import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import type {
  CalendarFeed as CalendarFeedSchema,
  CreateCalendarFeedInput,
  CreatedCalendarFeed as CreatedCalendarFeedSchema,
  FeedScopeKind,
} from '../../../../src/contracts/calendar-feeds';

/** One of your iCalendar subscriptions (GET /api/v1/me/calendar-feeds); never its secret. */
export type CalendarFeed = z.infer<typeof CalendarFeedSchema>;
/** The answer to creating a feed: the only time its secret URL is shown. */
export type CreatedCalendarFeed = z.infer<typeof CreatedCalendarFeedSchema>;
export type { FeedScopeKind };

export const calendarFeedKeys = { mine: ['me', 'calendar-feeds'] as const };

export function useMyCalendarFeeds() {
  return useQuery({
    queryKey: calendarFeedKeys.mine,
    queryFn: ({ signal }) => api.get<{ items: CalendarFeed[]; nextCursor: null }>('/api/v1/me/calendar-feeds', undefined, signal),
  });
}

export function useCreateCalendarFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateCalendarFeedInput) => api.post<CreatedCalendarFeed>('/api/v1/me/calendar-feeds', input),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: calendarFeedKeys.mine }),
  });
}

export function useRevokeCalendarFeed() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/me/calendar-feeds/${encodeURIComponent(id)}`),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: calendarFeedKeys.mine }),
  });
}
