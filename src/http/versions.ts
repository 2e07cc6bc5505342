import type { FastifyReply, FastifyRequest } from 'fastify';
import { InputError, VersionRequiredError } from '../domain/errors';

/**
 * Optimistic concurrency over HTTP, one place for every versioned resource (changes, services, CIs,
 * templates, windows, incidents): GET sends `ETag: "<version>"`, writes send it back in `If-Match`
 * (or as body `version`), and the service answers 412 when it is no longer current.
 */

const IF_MATCH = /^(?:W\/)?"([1-9]\d*)"$|^([1-9]\d*)$/;

const HOW = 'Send the version you read: body `version`, or If-Match with the ETag from GET (e.g. If-Match: "3").';

/**
 * The version named by an If-Match header: `"3"` (the ETag as sent), `3`, or a weak `W/"3"` → 3;
 * `*` → `'*'`; no header → undefined. Anything else (a list, a non-number, 0) is a 400.
 */
export function parseIfMatch(header: string | string[] | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(', ') : header).trim();
  if (value === '*') return '*';
  const match = IF_MATCH.exec(value);
  if (!match) {
    throw new InputError(`If-Match must hold the one ETag you read (e.g. "3"), not ${JSON.stringify(value)}.`, [
      { path: 'header.if-match', message: 'must be one ETag: "N", W/"N" or N, with N the version you read' },
    ]);
  }
  return Number(match[1] ?? match[2]);
}

function versionFromHeader(request: FastifyRequest): number | undefined {
  const parsed = parseIfMatch(request.headers['if-match']);
  if (parsed === '*') {
    // NOTE: `*` means "whatever version is there", which is exactly the lost update this guards against.
    throw new VersionRequiredError(`If-Match: * would overwrite whatever version is current, including changes you have not seen. ${HOW}`, { ifMatch: '*' });
  }
  return parsed;
}

function requireOne(bodyVersion: unknown, headerVersion: number | undefined): void {
  if (bodyVersion === undefined && headerVersion === undefined) throw new VersionRequiredError(`This write needs the version it is made against. ${HOW}`);
  if (typeof bodyVersion === 'number' && headerVersion !== undefined && bodyVersion !== headerVersion) {
    throw new InputError(`Body version ${bodyVersion} and If-Match "${headerVersion}" disagree; send one of them.`, [
      { path: 'version', message: `disagrees with If-Match "${headerVersion}"` },
    ]);
  }
}

/**
 * The version a write of a versioned resource is made against: body `version`, else If-Match.
 * 428 `version_required` when neither is given (or If-Match is `*`), 400 when malformed or when both
 * are given and disagree. Runs before the service, so a refused write writes nothing.
 */
export function expectedVersion(request: FastifyRequest, bodyVersion: number | undefined): number {
  const headerVersion = versionFromHeader(request);
  requireOne(bodyVersion, headerVersion);
  return (bodyVersion ?? headerVersion)!;
}

/**
 * For routes whose service validates the body itself: checks that a version was sent (as
 * {@link expectedVersion} does) and returns the If-Match one, for the service to use when the body has none.
 * A body `version` that is not a number is left for the service's validation to report.
 */
export function requireVersionSent(request: FastifyRequest, body: unknown): number | undefined {
  const headerVersion = versionFromHeader(request);
  const bodyVersion = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as { version?: unknown }).version : undefined;
  requireOne(bodyVersion, headerVersion);
  return headerVersion;
}

/** If-Match on writes where it is optional (transitions, deletes): a version, or undefined for none or `*`. */
export function optionalIfMatch(request: FastifyRequest): number | undefined {
  const parsed = parseIfMatch(request.headers['if-match']);
  return parsed === '*' ? undefined : parsed;
}

/**
 * Sends `ETag: "<version>"` and returns the resource. NOTE: the tag names the stored version, which is
 * what If-Match compares; nothing here answers 304, so no cache relies on it being byte-exact.
 */
export function withETag<T extends { version: number }>(reply: FastifyReply, resource: T): T {
  void reply.header('etag', `"${resource.version}"`);
  return resource;
}
