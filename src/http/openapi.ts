import type { FastifyDynamicSwaggerOptions, SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { createJsonSchemaTransform, createJsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { ErrorBody } from '../contracts/common';

/**
 * The OpenAPI document served at /api/v1/openapi.json: OpenAPI 3.1 (JSON Schema 2020-12, so a nullable value
 * is `anyOf: [..., { type: 'null' }]` and a nullable enum accepts null), the contracts' zod schemas that
 * carry `.meta({ id })` as shared components, and every answer a route can give, errors included.
 */

/** What each error status means, as the document says it (docs/api.md#errors has the codes). */
const STATUS_DESCRIPTIONS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  204: 'Done; no content',
  400: 'The request is malformed or has invalid values (`invalid_input`: `details.issues` lists every problem, each with its path)',
  401: 'No credentials, or bad ones (`unauthenticated`, `invalid_token`, `invalid_credentials`)',
  403: 'Not allowed (`forbidden` with `details.permission`, or a rule of the process; `csrf_failed` for a cookie-authenticated write without X-CSRF-Token)',
  404: 'No such record (`not_found`)',
  409: 'Conflicts with the current state of the record',
  412: 'The record changed since you read it (`stale_version`, `details.currentVersion`)',
  415: 'The body is not in a format this endpoint reads (`unsupported_media_type`)',
  422: 'The policy refuses the request (`details` says why)',
  428: 'A write of a versioned record that does not say which version it was made against (`version_required`)',
  429: 'Too many attempts (`rate_limited`)',
};

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 415 | 422 | 428 | 429;

/** The error answers of a route, for its `response` schema: `{ 200: Change, ...errorResponses(409, 422) }`. */
export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as Record<S, typeof ErrorBody>;
}

const zodTransform = createJsonSchemaTransform({ skipList: [] });
const zodTransformObject = createJsonSchemaTransformObject({});

/**
 * Adds the error answers that follow from the route itself: 401 and 403 wherever credentials are needed
 * (403 also for a missing permission or CSRF token), 400 wherever the request has parameters or a body, 404
 * wherever the path names a record.
 */
const transform: SwaggerTransform = (document) => {
  const schema = document.schema as FastifySchema & { hide?: boolean; response?: Record<string, unknown>; security?: unknown };
  if (!schema || schema.hide) return zodTransform(document);
  const config = document.route.config as { public?: boolean; csrf?: boolean } | undefined;
  const response: Record<string, unknown> = { ...(schema.response ?? {}) };
  const add = (status: ErrorStatus) => {
    response[status] ??= ErrorBody;
  };
  if (!config?.public) [401, 403].forEach((s) => add(s as ErrorStatus));
  if (schema.body || schema.querystring || schema.params) add(400);
  if (schema.params) add(404);
  // A public route needs no credentials; one that checks CSRF (logout) takes the session cookie if there is one.
  const security = schema.security ?? (config?.public ? (config.csrf ? [{}, { session: [] }] : []) : undefined);
  return zodTransform({ ...document, schema: { ...schema, response, ...(security ? { security } : {}) } });
};

type Json = Record<string, unknown>;

/** Every `$ref` target under `node`. */
function refsIn(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => refsIn(n, found));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') found.add(value);
      else refsIn(value, found);
    }
  }
}

/**
 * Keeps the components some operation uses. NOTE: each registered schema is generated twice, as read
 * (`…Input`) and as written; only one of the two is ever referenced.
 */
function pruneSchemas(doc: Json): void {
  const components = doc.components as { schemas?: Record<string, unknown> } | undefined;
  const schemas = components?.schemas;
  if (!schemas) return;
  const prefix = '#/components/schemas/';
  const used = new Set<string>();
  const pending = new Set<string>();
  refsIn(doc.paths, pending);
  while (pending.size > 0) {
    const [ref] = pending;
    pending.delete(ref!);
    if (!ref!.startsWith(prefix)) continue;
    const name = ref!.slice(prefix.length);
    if (used.has(name)) continue;
    used.add(name);
    const found = new Set<string>();
    refsIn(schemas[name], found);
    found.forEach((r) => pending.add(r));
  }
  components.schemas = Object.fromEntries(
    Object.entries(schemas)
      .filter(([name]) => used.has(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Says what each answer is, where Fastify would write "Default Response". */
function describeResponses(doc: Json): void {
  for (const item of Object.values(
    (doc.paths ?? {}) as Record<string, Record<string, { responses?: Record<string, { description?: string }> }>>,
  )) {
    for (const operation of Object.values(item)) {
      for (const [status, answer] of Object.entries(operation.responses ?? {})) {
        if (!answer.description || answer.description === 'Default Response') answer.description = STATUS_DESCRIPTIONS[status] ?? 'Answer';
      }
    }
  }
}

const transformObject: SwaggerTransformObject = (document) => {
  const doc = zodTransformObject(document) as Json;
  pruneSchemas(doc);
  describeResponses(doc);
  return doc;
};

/** The options of @fastify/swagger. */
export function openApiOptions(opts: { version: string; publicUrl?: string | null }): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Cabinet API',
        version: opts.version,
        description:
          'Change and release management. Authenticate with `Authorization: Bearer TOKEN` or the session cookie (then send X-CSRF-Token on writes). ' +
          'Conventions (ids and keys, versions, errors): docs/api.md.',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      servers: [{ url: opts.publicUrl ?? '/', description: 'This Cabinet' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`cab_…`)' },
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'cabinet_session',
            description: 'The session cookie set by POST /api/v1/auth/login',
          },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform,
    transformObject,
  };
}
