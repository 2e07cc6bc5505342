import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { api } from '../../api/client';
import { meQueryKey } from '../../api/query-client';
import type { Me } from '../../api/types';
import type { Preferences as PreferencesSchema, UpdatePreferencesInput } from '../../../../src/contracts/preferences';

/** GET /api/v1/me/preferences; the same `timeZone` comes with GET /api/v1/me. */
export type Preferences = z.infer<typeof PreferencesSchema>;

export const preferencesQueryKey = ['me', 'preferences'] as const;

/** The person's own settings: time zone, quiet hours and digest. */
export function usePreferences() {
  return useQuery({ queryKey: preferencesQueryKey, queryFn: ({ signal }) => api.get<Preferences>('/api/v1/me/preferences', undefined, signal) });
}

/** Saves the person's preferences; the signed-in user's cached `timeZone` follows, so every page re-renders in it. */
export function useUpdatePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: z.input<typeof UpdatePreferencesInput>) => api.patch<Preferences>('/api/v1/me/preferences', input),
    onSuccess: (prefs) => {
      client.setQueryData<Me | null>(meQueryKey, (me) => (me ? { ...me, timeZone: prefs.timeZone } : me));
      client.setQueryData<Preferences>(preferencesQueryKey, prefs);
    },
  });
}
