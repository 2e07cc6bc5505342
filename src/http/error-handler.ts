import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import {
  AppError,
  AuthenticationError,
  type Issue,
  ConflictError,
  ForbiddenError,
  InputError,
  NotFoundError,
  PolicyError,
  RateLimitedError,
  StaleVersionError,
  UnsupportedMediaTypeError,
  VersionRequiredError,
} from '../domain/errors';
import { PolicyInvalidError } from '../policy/loader';
import { invalidInputMessage } from './validation';

/** The one mapping from domain errors to HTTP status codes. */
const STATUS: [new (...args: never[]) => AppError, number][] = [
  [InputError, 400],
  [AuthenticationError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [StaleVersionError, 412],
  [VersionRequiredError, 428],
  [PolicyError, 422],
  // A bundle that does not compile (or names unknown teams): well-formed JSON whose policy content is refused.
  [PolicyInvalidError, 422],
  [UnsupportedMediaTypeError, 415],
  [RateLimitedError, 429],
];

export function statusOf(err: AppError): number {
  return STATUS.find(([cls]) => err instanceof cls)?.[1] ?? 400;
}

const LOCATION: Record<string, string> = { body: '', querystring: 'query', params: 'path', headers: 'header' };

interface ZodValidationEntry {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: { keys?: string[] };
}

/** The issues of a validation error Fastify raised itself (a route declared without `attachValidation`). */
function issuesOfValidation(entries: ZodValidationEntry[], prefix: string): Issue[] {
  return entries.flatMap((v): Issue[] => {
    const path = v.instancePath.split('/').filter(Boolean);
    if (v.keyword === 'unrecognized_keys') {
      const what = prefix === 'query' ? 'parameter' : 'field';
      return (v.params?.keys ?? []).map((key) => ({
        path: [prefix, ...path, key].filter(Boolean).join('.'),
        message: `unknown ${what} "${key}"`,
      }));
    }
    return [{ path: [prefix, ...path].filter(Boolean).join('.'), message: v.message ?? 'is invalid' }];
  });
}

/** Maps every error to `{ error: { code, message, details } }`; 5xx never leaks internals. */
export function errorHandler(err: FastifyError | AppError | Error, request: FastifyRequest, reply: FastifyReply): void {
  if (err instanceof AppError) {
    void reply.status(statusOf(err)).send({ error: { code: err.code, message: err.message, details: err.details } });
    return;
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const prefix = LOCATION[(err as { validationContext?: string }).validationContext ?? 'body'] ?? '';
    const issues = issuesOfValidation(err.validation as unknown as ZodValidationEntry[], prefix);
    void reply.status(400).send({ error: { code: 'invalid_input', message: invalidInputMessage(issues), details: { issues } } });
    return;
  }
  if (isResponseSerializationError(err)) {
    request.log.error({ err }, 'response did not match its schema');
    sendInternalError(request, reply);
    return;
  }
  const fe = err as FastifyError;
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code =
      status === 429
        ? 'rate_limited'
        : status === 413
          ? 'payload_too_large'
          : status === 415
            ? 'unsupported_media_type'
            : status === 404
              ? 'not_found'
              : 'bad_request';
    void reply.status(status).send({ error: { code, message: fe.message, details: {} } });
    return;
  }
  request.log.error({ err }, 'unhandled error');
  sendInternalError(request, reply);
}

/** A 500 that says nothing of the cause (logged above) but the request id to quote. */
function sendInternalError(request: FastifyRequest, reply: FastifyReply): void {
  void reply.status(500).send({ error: { code: 'internal_error', message: 'Something went wrong on our side. It has been logged.', details: { requestId: request.id } } });
}
