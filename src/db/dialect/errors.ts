import { AppError, ConflictError, InputError } from '../../domain/errors';

/**
 * Translates driver errors into domain errors in one place, so a unique or foreign-key violation on either
 * engine reaches the caller as a clear 409/400 instead of a 500.
 */
export function translateDbError(err: unknown): unknown {
  if (err instanceof AppError || !(err instanceof Error)) return err;
  const e = err as Error & { code?: string; detail?: string; constraint?: string };
  const code = e.code ?? '';
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505') {
    const field = uniqueField(e);
    return new ConflictError('already_exists', field ? `A record with this ${field} already exists.` : 'A record with these values already exists.', field ? { field } : {});
  }
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503') {
    return new InputError('A referenced record does not exist.', [{ path: '', message: 'refers to a record that does not exist' }], 'invalid_reference');
  }
  return err;
}

function uniqueField(e: Error & { detail?: string; constraint?: string }): string | null {
  // SQLite: "UNIQUE constraint failed: teams.handle"; PostgreSQL detail: "Key (handle)=(ops) already exists."
  const sqlite = /UNIQUE constraint failed: \w+\.(\w+)/.exec(e.message);
  if (sqlite?.[1]) return camel(sqlite[1]);
  // Expression indexes (lower(name)) are named <table>_<column>_idx on both engines.
  const index = /(?:index '|constraint ")\w+?_(name|handle|email)_idx/.exec(e.message);
  if (index?.[1]) return index[1];
  const pg = /Key \((?:lower\()?(\w+)\)?\)=/.exec(e.detail ?? '');
  if (pg?.[1]) return camel(pg[1]);
  return null;
}

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
