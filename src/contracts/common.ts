import { z } from 'zod';

/** An instant: ISO 8601 with an offset, normalised to UTC (`2026-11-22T18:00:00.000Z`). */
export const Instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T22:00:00Z' })
  .transform((v) => new Date(v).toISOString());

export const Id = z.string().min(1).max(64);
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*$/, 'must be lowercase letters, digits, "-" or "_"');
export const Tag = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z0-9][a-z0-9:._-]*$/, 'tags are lowercase letters, digits and ":._-"');

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Every list answers `{ items, nextCursor }`. */
export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
