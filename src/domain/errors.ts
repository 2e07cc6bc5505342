/**
 * Domain errors carry a stable snake_case `code`, a human message and structured details.
 * They know nothing about HTTP: `http/error-handler.ts` maps each class to a status code.
 */
export class AppError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** One problem found while validating input: where it is and what is wrong. */
export interface Issue {
  path: string;
  message: string;
}

/** Bad input shape or values; lists every problem at once. */
export class InputError extends AppError {
  constructor(message: string, issues: Issue[], code = 'invalid_input') {
    super(code, message, { issues });
  }
}

export class AuthenticationError extends AppError {
  constructor(message = 'Sign in or send an API token.', code = 'unauthenticated') {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, code = 'forbidden', details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(entity: string, id: string) {
    super('not_found', `${entity} ${id} was not found.`, { entity, id });
  }
}

/** A state conflict: duplicate key, invalid transition, resource in use. */
export class ConflictError extends AppError {
  constructor(code: string, message: string, details: Record<string, unknown> = {}) {
    super(code, message, details);
  }
}

/** The caller wrote against a version that is no longer current. */
export class StaleVersionError extends AppError {
  constructor(entity: string, id: string, expected: number, actual: number) {
    super('stale_version', `${entity} ${id} has changed since you read it (your version ${expected}, current ${actual}). Reload and try again.`, {
      entity,
      id,
      expectedVersion: expected,
      currentVersion: actual,
    });
  }
}

/**
 * A write that must say which version it was made against did not say: without it, it would silently
 * overwrite whatever someone else saved since the caller read the record (a lost update).
 */
export class VersionRequiredError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('version_required', message, details);
  }
}

/** The policy refused an otherwise well-formed request (missing fields, pending approvals...). */
export class PolicyError extends AppError {}

/** The request body comes in a format this endpoint does not read. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('unsupported_media_type', message, details);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string) {
    super('rate_limited', message);
  }
}
