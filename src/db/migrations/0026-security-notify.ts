import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/** The tables behind authentication and authorization (db/invalidation.ts, SECURITY_TABLES). */
const TABLES = ['users', 'user_roles', 'teams', 'team_members', 'sessions', 'api_tokens', 'policy_versions'];

/**
 * Revocation everywhere at once, whoever writes (issue 10): on PostgreSQL every statement that writes a
 * security table sends `NOTIFY cabinet_security` from a trigger, in its transaction, so that a change made by
 * hand in psql, by a script or by an older Cabinet reaches every running server's memory of tokens, sessions
 * and the policy (db/invalidation.ts) exactly when it commits. SQLite needs nothing: every process sees
 * `PRAGMA data_version` move.
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (helpersFor(db).name !== 'postgres') return;
  await sql`create or replace function cabinet_security_notify() returns trigger language plpgsql as $$
begin
  perform pg_notify('cabinet_security', '');
  return null;
end
$$`.execute(db);
  for (const table of TABLES) {
    await sql`create trigger ${sql.raw(`${table}_security_notify`)} after insert or update or delete or truncate on ${sql.table(table)} for each statement execute function cabinet_security_notify()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (helpersFor(db).name !== 'postgres') return;
  for (const table of TABLES) await sql`drop trigger if exists ${sql.raw(`${table}_security_notify`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function if exists cabinet_security_notify()`.execute(db);
}
