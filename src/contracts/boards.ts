import { z } from 'zod';
import { Id, TeamRef, UserRef } from './common';

/** The kinds of board (docs/cab.md#boards). */
export const BOARD_KINDS = ['cab', 'ecab', 'technical'] as const;
export type BoardKind = (typeof BOARD_KINDS)[number];
/** How the chair rotates from one meeting to the next (domain/cab/board.ts, `nextChair`). */
export const CHAIR_RULES = ['round_robin', 'least_recent'] as const;
export type ChairRule = (typeof CHAIR_RULES)[number];
/** An ECAB's response time when none is given: one hour. */
export const ECAB_RESPONSE_MINUTES = 60;

/** A domain a member represents, or a quorum requires: `security`, `database`, `network`… */
export const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'a domain is lowercase letters, digits, "-" or "_" (e.g. security)');

const Domains = z.array(Domain).max(20);

/** One member with what it represents: a person (`userId`) or a team (`teamId`), not both. */
export const BoardMemberRequest = z
  .strictObject({
    userId: UserRef.optional().describe('User id or email'),
    teamId: TeamRef.optional(),
    domains: Domains.default([]).describe('The domains this member represents on the board'),
    delegate: z.boolean().default(false).describe('Sits as a delegate, standing in for members who are away'),
  })
  .refine((m) => (m.userId === undefined) !== (m.teamId === undefined), { message: 'give either userId or teamId' })
  .meta({ id: 'BoardMemberRequest' });
export type BoardMemberRequest = z.input<typeof BoardMemberRequest>;

export const BoardQuorum = z
  .strictObject({
    minMembers: z
      .number()
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .describe('Voting people needed to decide (parties to a change never count)'),
    requiredDomains: Domains.default([]).describe('Domains of which at least one voter must be; each must be represented by a member'),
  })
  .meta({ id: 'BoardQuorum' });

const Scope = z
  .string()
  .max(4000)
  .nullable()
  .describe(
    'A CEL expression over the change (docs/policy.md, "The change context") deciding which changes need this board; null or empty: every change routed to it',
  );

const ResponseMinutes = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(10080, 'must be at most 10080 (a week)')
  .nullable()
  .describe('How long members have to answer, in minutes; an ECAB without one gets 60');

/** How a board's meetings recur: made `daysAhead` days before they start, never on a holiday. */
export const BoardRecurrence = z
  .strictObject({
    start: z.string().describe('The first meeting as a local date-time in timeZone, "YYYY-MM-DDTHH:mm" (its time of day is every meeting’s)'),
    timeZone: z.string().min(1).describe('IANA time zone, e.g. Europe/London'),
    rrule: z.string().min(1).max(500).describe('An RFC 5545 RRULE without DTSTART, e.g. FREQ=WEEKLY;BYDAY=TU'),
    durationMinutes: z.number().int('must be a whole number').min(5, 'must be at least 5').max(600, 'must be at most 600'),
    daysAhead: z.number().int('must be a whole number').min(1, 'must be at least 1').max(60, 'must be at most 60').default(7).describe('How many days before it starts a meeting is made (and its members told)'),
    holidays: z
      .array(z.iso.date({ message: 'must be a date YYYY-MM-DD' }))
      .max(400)
      .default([])
      .describe('Local dates on which no meeting is held (public holidays, shutdowns)'),
  })
  .meta({ id: 'BoardRecurrence' });
export type BoardRecurrence = z.output<typeof BoardRecurrence>;

export const BoardRequest = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(120),
    kind: z.enum(BOARD_KINDS),
    description: z.string().max(4000).default(''),
    memberIds: z.array(UserRef.describe('User id or email')).max(200).default([]).describe('People on the board (no domains)'),
    teamIds: z.array(TeamRef).max(50).default([]).describe('Teams on the board: each of their people sits on it (no domains)'),
    members: z.array(BoardMemberRequest).max(200).default([]).describe('Members with the domains they represent, and delegates'),
    scope: Scope.default(null),
    quorum: BoardQuorum.default({ minMembers: 1, requiredDomains: [] }),
    chairRule: z.enum(CHAIR_RULES).default('round_robin'),
    responseMinutes: ResponseMinutes.optional(),
    recurrence: BoardRecurrence.nullable().default(null).describe('How its meetings recur; null: meetings are scheduled one by one'),
  })
  .meta({ id: 'BoardRequest' });
export type BoardRequest = z.input<typeof BoardRequest>;

export const BoardUpdate = z
  .strictObject({
    name: BoardRequest.shape.name.optional(),
    kind: z.enum(BOARD_KINDS).optional(),
    description: z.string().max(4000).optional(),
    memberIds: z
      .array(UserRef.describe('User id or email'))
      .max(200)
      .optional()
      .describe('The people on the board; a person who stays keeps their domains'),
    teamIds: z.array(TeamRef).max(50).optional().describe('The teams on the board; a team that stays keeps its domains'),
    members: z
      .array(BoardMemberRequest)
      .max(200)
      .optional()
      .describe('The whole membership with domains (with memberIds and teamIds when given)'),
    scope: Scope.optional(),
    quorum: z.strictObject({ minMembers: BoardQuorum.shape.minMembers.optional(), requiredDomains: Domains.optional() }).optional(),
    chairRule: z.enum(CHAIR_RULES).optional(),
    responseMinutes: ResponseMinutes.optional(),
    recurrence: BoardRecurrence.nullable().optional().describe('How its meetings recur; null stops making new ones'),
    active: z.literal(true).optional().describe('true reactivates a deactivated board'),
    version: z.number().int().min(1).optional(),
  })
  .meta({ id: 'BoardUpdate' });
export type BoardUpdate = z.input<typeof BoardUpdate>;

export const BoardDeactivateRequest = z
  .strictObject({
    version: z.number().int().min(1).optional(),
    reason: z.string().trim().max(2000).optional().describe('Kept in the audit trail'),
  })
  .meta({ id: 'BoardDeactivateRequest' });
export type BoardDeactivateRequest = z.input<typeof BoardDeactivateRequest>;

export const BoardMember = z
  .object({
    userId: z.string().nullable(),
    teamId: z.string().nullable(),
    /** The person's or team's name. */
    name: z.string(),
    domains: z.array(z.string()),
    delegate: z.boolean(),
  })
  .meta({ id: 'BoardMember' });
export type BoardMember = z.infer<typeof BoardMember>;

export const Board = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(BOARD_KINDS),
    description: z.string(),
    /** The people on the board directly, in member order. */
    memberIds: z.array(z.string()),
    /** The teams on the board, in member order. */
    teamIds: z.array(z.string()),
    /** Every member in member order (the order the chair rotates in), with domains and delegates. */
    members: z.array(BoardMember),
    /** How many distinct people the board can count (its people and the people of its teams, delegates included). */
    people: z.number().int(),
    scope: z.string().nullable(),
    quorum: z.object({ minMembers: z.number().int(), requiredDomains: z.array(z.string()) }),
    chairRule: z.enum(CHAIR_RULES),
    responseMinutes: z.number().int().nullable(),
    recurrence: BoardRecurrence.nullable(),
    active: z.boolean(),
    version: z.number().int(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedBy: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Board' });
export type Board = z.infer<typeof Board>;

export const BoardListQuery = z.strictObject({
  kind: z.enum(BOARD_KINDS).optional(),
  active: z.stringbool().optional().describe('true: active boards only; false: deactivated ones only; absent: both'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(400).optional(),
});
export type BoardListQuery = z.output<typeof BoardListQuery>;

export const BoardParams = z.object({ id: Id.describe('Board id or name') });
