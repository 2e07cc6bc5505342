import { z } from 'zod';

/** The signed-in person's own settings. */
export const Preferences = z
  .object({
    timeZone: z.string().nullable().describe('IANA time zone the web app shows times in; null: the browser’s'),
  })
  .meta({ id: 'Preferences' });
export type Preferences = z.infer<typeof Preferences>;

/** `PATCH /api/v1/me/preferences`: what is given changes; `timeZone: null` goes back to the browser's zone. */
export const UpdatePreferencesInput = z
  .strictObject({
    timeZone: z.string().max(64).nullable().optional().describe('An IANA zone such as "Europe/Amsterdam", or null'),
  })
  .meta({ id: 'UpdatePreferences' });
