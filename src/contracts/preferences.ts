import { z } from 'zod';
import { DIGEST_FREQUENCIES } from '../domain/notification/quiet-hours';

const HourMinute = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time of day as HH:MM, such as "22:00"');

/** Quiet hours: email of a notice that falls in them waits until they end (urgent ones do not wait). */
export const QuietHours = z
  .object({
    start: z.string().describe('HH:MM in your zone (UTC when you chose none)'),
    end: z.string().describe('HH:MM; earlier than the start: the quiet hours run past midnight'),
  })
  .meta({ id: 'QuietHours' });

/** The signed-in person's own settings. */
export const Preferences = z
  .object({
    timeZone: z.string().nullable().describe('IANA time zone the web app shows times in; null: the browser’s'),
    quietHours: QuietHours.nullable().describe('When your email of a notice waits; null: never'),
    digest: z.enum(DIGEST_FREQUENCIES).describe('A digest of the changes planned on what you follow: daily at 07:00, weekly on Monday at 07:00, or off'),
    approvalEmails: z.boolean().describe('Approval requests, reminders and escalations are emailed to you too (when the server sends email)'),
  })
  .meta({ id: 'Preferences' });
export type Preferences = z.infer<typeof Preferences>;

/** `PATCH /api/v1/me/preferences`: what is given changes; `timeZone: null` goes back to the browser's zone. */
export const UpdatePreferencesInput = z
  .strictObject({
    timeZone: z.string().max(64).nullable().optional().describe('An IANA zone such as "Europe/Amsterdam", or null'),
    quietHours: z
      .strictObject({ start: HourMinute, end: HourMinute })
      .refine((q) => q.start !== q.end, { message: 'the start and the end must differ', path: ['end'] })
      .nullable()
      .optional()
      .describe('{start, end} as HH:MM in your zone (an end before the start runs past midnight), or null for none'),
    digest: z.enum(DIGEST_FREQUENCIES, { error: `must be one of ${DIGEST_FREQUENCIES.join(', ')}` }).optional(),
    approvalEmails: z.boolean().optional().describe('false: the approvals you are asked for reach you in Cabinet only'),
  })
  .meta({ id: 'UpdatePreferences' });
