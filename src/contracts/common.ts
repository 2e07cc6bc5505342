import { z } from 'zod';
import type { Issue } from '../domain/errors';

/** An instant: ISO 8601 with an offset, normalised to UTC (`2026-11-22T18:00:00.000Z`). */
export const Instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T22:00:00Z' })
  .transform((v) => new Date(v).toISOString());

export const Id = z.string().min(1).max(64);
/** References to records by id or key (docs/api.md#ids-numbers-and-names): what is stored is always the id. */
export const CiRef = Id.describe('CI id or name');
export const ServiceRef = Id.describe('Service id or name');
export const TeamRef = Id.describe('Team id or handle');
export const TemplateRef = Id.describe('Template id or name');
export const ChangeRef = Id.describe('Change id or number (CHG0000001)');
export const UserRef = Id.describe('User id');

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

/** Every error answer: a stable snake_case code, a message for people, and structured details. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable snake_case id of the error, e.g. invalid_input, not_found, stale_version'),
      message: z.string().describe('For people'),
      details: z.record(z.string(), z.unknown()).describe('Structured details; `issues: [{ path, message }]` for invalid_input'),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** Every list answers `{ items, nextCursor }`. */
export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});

/**
 * The fields of an object input that parse on their own against the schema's shape: what can still be checked
 * (references, say) when the input as a whole was refused. Fields the input leaves out are left out.
 */
export function parsedFields(schema: z.ZodType, raw: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!(schema instanceof z.ZodObject) || raw === null || typeof raw !== 'object' || Array.isArray(raw)) return fields;
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const [key, value] of Object.entries(raw)) {
    const field = shape[key];
    if (!field) continue;
    const parsed = field.safeParse(value);
    if (parsed.success && parsed.data !== undefined) fields[key] = parsed.data;
  }
  return fields;
}

/**
 * Zod's issues as ours, each with a dotted path (`ciIds.2`; with a prefix, `query.state`, `path.id`). An
 * unknown field is one issue per field, at its own path, so that a caller sees exactly what to remove.
 */
export function issuesOfZodError(error: z.ZodError, prefix = ''): Issue[] {
  const join = (path: readonly PropertyKey[]) => [prefix, ...path.map(String)].filter((p) => p !== '').join('.');
  return error.issues.flatMap((issue): Issue[] => {
    if (issue.code === 'unrecognized_keys') {
      const what = prefix === 'query' ? 'parameter' : 'field';
      return issue.keys.map((key) => ({ path: join([...issue.path, key]), message: `unknown ${what} "${key}"` }));
    }
    return [{ path: join(issue.path), message: issue.message }];
  });
}
