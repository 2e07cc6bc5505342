import { z } from 'zod';
import { Id } from './common';

/**
 * What a feed holds: `user` the changes a person takes part in, `team` the changes assigned to a team,
 * `service` the changes on a service's CIs, `all` the whole schedule. Each with the windows that apply.
 */
export const FEED_SCOPE_KINDS = ['user', 'team', 'service', 'all'] as const;
export type FeedScopeKind = (typeof FEED_SCOPE_KINDS)[number];

/** How far back and ahead a feed reaches from the moment it is fetched. */
export const FEED_DAYS_BACK = 30;
export const FEED_DAYS_AHEAD = 180;

export const CalendarFeedScope = z
  .object({
    kind: z.enum(FEED_SCOPE_KINDS),
    /** The team, service or user id; null for `all`. */
    ref: z.string().nullable(),
    /** Words for people: "Team Database", "Service Payments", "Changes of Ada Admin", "Everything on the schedule". */
    label: z.string(),
  })
  .meta({ id: 'CalendarFeedScope' });
export type CalendarFeedScope = z.infer<typeof CalendarFeedScope>;

/** A feed as listed: never its secret, only the first characters of it. */
export const CalendarFeed = z
  .object({
    id: z.string(),
    userId: z.string(),
    name: z.string(),
    scope: CalendarFeedScope,
    prefix: z.string(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: 'CalendarFeed' });
export type CalendarFeed = z.infer<typeof CalendarFeed>;

/** The only answer that ever holds the secret: the subscription URL, right after creation. */
export const CreatedCalendarFeed = CalendarFeed.extend({
  url: z.string().describe('The subscription URL; it contains the secret and is shown only now'),
}).meta({ id: 'CreatedCalendarFeed' });
export type CreatedCalendarFeed = z.infer<typeof CreatedCalendarFeed>;

// The schema checks shapes; the service checks the name's content and the scope's reference together, so
// that one 400 lists every problem (an empty name and an unknown team at once).
export const CreateCalendarFeedInput = z
  .strictObject({
    name: z.string().max(100, 'at most 100 characters'),
    scope: z.strictObject({
      kind: z.enum(FEED_SCOPE_KINDS, { error: `kind is one of ${FEED_SCOPE_KINDS.join(', ')}` }),
      ref: Id.nullable().optional().describe('Team id or handle, service id or name; leave out for user (yourself) and all'),
    }),
  })
  .meta({ id: 'CreateCalendarFeed' });
export type CreateCalendarFeedInput = z.input<typeof CreateCalendarFeedInput>;

export const CalendarFeedListQuery = z.strictObject({
  all: z.stringbool().default(false).describe('Everyone’s feeds (needs token.manage_all: admins)'),
});

export const CalendarFeedList = z.object({ items: z.array(CalendarFeed), nextCursor: z.null() });
