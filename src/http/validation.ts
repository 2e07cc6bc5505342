import type { FastifyRequest, RouteOptions } from 'fastify';
import { z } from 'zod';
import { issuesOfZodError, parsedFields } from '../contracts/common';
import { InputError, type Issue } from '../domain/errors';
import type { App } from './types';

/**
 * Request validation that reports every problem of a request in one 400.
 *
 * Fastify validates params, body, query string and headers in that order and stops at the first part that
 * fails. Every route is therefore registered with `attachValidation`, and one preHandler finishes the job:
 * it validates the parts Fastify did not reach, and when the route names a reference check
 * (`config.checkReferences`), it runs it on the fields that did parse, so an unknown CI is reported together
 * with a title that is too long. Then it throws one `InputError` with every issue.
 */

type Part = 'params' | 'body' | 'querystring' | 'headers';

/** Fastify's order, the request property each part is read from, and where its issues point. */
const PARTS: { part: Part; property: 'params' | 'body' | 'query' | 'headers'; prefix: string }[] = [
  { part: 'params', property: 'params', prefix: 'path' },
  { part: 'body', property: 'body', prefix: '' },
  { part: 'querystring', property: 'query', prefix: 'query' },
  { part: 'headers', property: 'headers', prefix: 'header' },
];

/** The fields that parsed, as the route's schema outputs them (absent fields are left out). */
export type ParsedFields<S extends z.ZodType> = Partial<z.output<S>>;

/** A route's reference check: the problems of the references among the fields that parsed. */
export type ReferenceCheck = (request: FastifyRequest, fields: Record<string, unknown>) => Promise<Issue[]>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Runs when a request to the route is refused for its shape, on the fields that parsed (of the body, or of
     * the query string of a route without a body), so that the one 400 also lists the references that do not
     * exist. The service runs the same checks on a valid request.
     */
    checkReferences?: ReferenceCheck;
  }
}

/**
 * Declares a route's reference check, typed by its body (or query string) schema: `config: { checkReferences:
 * referenceCheck(CreateChangeInput, (request, fields) => services.changes.referenceIssues(actorOf(request), fields, 'create')) }`.
 */
export function referenceCheck<S extends z.ZodType>(
  _body: S,
  check: (request: FastifyRequest, fields: ParsedFields<S>) => Promise<Issue[]>,
): ReferenceCheck {
  return (request, fields) => check(request, fields as ParsedFields<S>);
}

/** What a 400 says first: how many problems, and each with its path. */
export function invalidInputMessage(issues: Issue[]): string {
  const summary = issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; ');
  return `The request has ${issues.length} invalid value${issues.length === 1 ? '' : 's'}: ${summary}`;
}

/** The query string of a route that takes no parameters. */
const NO_QUERY = z.strictObject({});

function isZodSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

/** Validates every part of a refused request and throws one `InputError` listing all of their issues. */
async function reportEveryProblem(request: FastifyRequest): Promise<void> {
  const refused = request.validationError as (Error & { validationContext?: string }) | undefined;
  if (!refused) return;
  const schema = (request.routeOptions.schema ?? {}) as Partial<Record<Part, unknown>>;
  // Parts before the refused one passed and already hold their parsed values; the refused one and those after
  // it still hold what was sent.
  const first = Math.max(
    0,
    PARTS.findIndex((p) => p.part === refused.validationContext),
  );
  // The part whose fields the reference check reads: the body, or the query string of a route without one.
  const input: Part = isZodSchema(schema.body) ? 'body' : 'querystring';
  const issues: Issue[] = [];
  let fields: Record<string, unknown> | null = null;
  for (const [index, { part, property, prefix }] of PARTS.entries()) {
    const partSchema = schema[part];
    if (!isZodSchema(partSchema)) continue;
    if (index < first) {
      if (part === input) fields = request[property] as Record<string, unknown>;
      continue;
    }
    const raw = request[property] ?? null;
    const result = partSchema.safeParse(raw);
    if (result.success) {
      // NOTE: the handler never runs for a refused request; this only gives the reference check parsed values.
      if (part === input) fields = result.data as Record<string, unknown>;
      continue;
    }
    issues.push(...issuesOfZodError(result.error, prefix));
    if (part === input) fields = parsedFields(partSchema, raw);
  }
  if (issues.length === 0) {
    // Not a schema refusal (a validator that threw): let the error handler answer it as it is.
    throw refused;
  }
  const check = request.routeOptions.config.checkReferences;
  if (check && fields && typeof fields === 'object') issues.push(...(await check(request, fields)));
  throw new InputError(invalidInputMessage(issues), issues);
}

/**
 * Every route validates its whole request before answering 400 (see above). Call before declaring routes:
 * the onRoute hook only sees routes declared after it.
 */
export function registerValidation(app: App): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    route.attachValidation = true;
    // An API route that takes no query parameters refuses any, like every other unknown parameter. (Not the
    // calendar feeds outside /api: calendar apps add parameters of their own to a subscription URL.)
    const schema = route.schema as (RouteOptions['schema'] & { hide?: boolean }) | undefined;
    if (schema && !schema.hide && !schema.querystring && route.url.startsWith('/api/')) route.schema = { ...schema, querystring: NO_QUERY };
  });
  app.addHook('preHandler', reportEveryProblem);
}
