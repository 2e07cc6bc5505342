import { v7 as uuidv7 } from 'uuid';
import type { AuditAction } from '../contracts/audit';
import type { Actor } from '../domain/actor';
import type { z } from 'zod';
import { issuesOfZodError } from '../contracts/common';
import type { Issue } from '../domain/errors';
import { InputError } from '../domain/errors';
import type { Store } from '../db/database';
import type { Repositories } from '../db/repositories';

/** What every service factory receives: storage, a clock and an id source (both replaceable in tests). */
export interface ServiceDeps {
  store: Store;
  now: () => Date;
  newId: () => string;
}

/**
 * Record ids: UUIDv7, whose leading bits are the time, so rows inserted together land side by side in their
 * primary key's index instead of on one random page each (a change filed on a CI that hundreds of others
 * share writes a conflict row for each of them on both sides). NOTE: ids are not secrets; tokens and sessions
 * come from `randomBytes`.
 */
export const defaultIds = (): string => uuidv7();

/**
 * Records one audit event for `actor` in the caller's transaction. It joins the chain when the transaction
 * commits (the transaction appends its events in one step just before), and is dropped if it rolls back.
 */
export async function audit(
  repos: Repositories,
  actor: Actor,
  at: string,
  /** One of AUDIT_ACTIONS (contracts/audit.ts): a new action is listed there, so the auditor's search knows it. */
  action: AuditAction,
  entityType: string,
  entityId: string,
  data: Record<string, unknown>,
): Promise<void> {
  await repos.audit.append({ at, actorId: actor.userId, actorName: actor.name, action, entityType, entityId, data: { ...data, requestId: actor.requestId, via: actor.via } });
}

/** Throws one `InputError` listing every issue, if there is any. */
/** A request body read as an object of fields whatever it is (for checks that run beside its validation). */
export const asObject = (raw: unknown): Record<string, unknown> => (raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {});

export function throwIfIssues(issues: Issue[], message = 'The request has invalid values.'): void {
  if (issues.length > 0) throw new InputError(message, issues);
}

/** A keyset cursor over (instant, id), for lists ordered newest first; opaque to clients. */
export function encodeInstantCursor(at: string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

/** Reads a cursor made by `encodeInstantCursor`; 400 when it is not one. */
export function decodeInstantCursor(cursor: string | undefined): { at: string; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!at || !id || Number.isNaN(Date.parse(at))) {
    throw new InputError('The cursor is not one this list gave out.', [{ path: 'query.cursor', message: 'pass the nextCursor of the previous page unchanged' }]);
  }
  return { at, id };
}

/** The cursor of a list ordered by name, then id: the last item's pair. */
export function encodeNameCursor(item: { name: string; id: string }): string {
  return Buffer.from(JSON.stringify([item.name, item.id])).toString('base64url');
}

/** The pair a name cursor holds; a cursor this list did not give out is a 400. */
export function decodeNameCursor(cursor: string): [string, string] {
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(key) && key.length === 2 && key.every((k) => typeof k === 'string')) return key as [string, string];
  } catch {
    // refused below
  }
  throw new InputError('The cursor is not one this list gave out.', [{ path: 'query.cursor', message: 'pass the nextCursor of the previous page unchanged' }]);
}

/** Zod's issues as ours: a dotted path and the message; one issue per unknown field. */
export function issuesOfZod(error: z.ZodError): Issue[] {
  return issuesOfZodError(error);
}
