import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';

/** How an email reaches a person: their address, name and the zone they read times in (null: UTC). */
export interface MailContact {
  userId: string;
  email: string;
  name: string;
  timeZone: string | null;
}

/** What email needs of storage: the server's own keys (unsubscribe links) and people's addresses. */
export function createMailRepository(db: Kysely<DB>, _h: DialectHelpers) {
  return {
    async findSecret(name: string): Promise<string | null> {
      const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
      return row?.value ?? null;
    },
    /** Stores the key unless one of that name exists already (a concurrent first use); the caller reads it back. */
    async insertSecretIfMissing(name: string, value: string, at: string): Promise<void> {
      await db
        .insertInto('server_secrets')
        .values({ name, value, created_at: at })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    },
    async contactsOf(userIds: readonly string[]): Promise<MailContact[]> {
      if (userIds.length === 0) return [];
      const rows = await db.selectFrom('users').select(['id', 'email', 'name', 'time_zone']).where('id', 'in', [...userIds]).orderBy('id').execute();
      return rows.map((r) => ({ userId: r.id, email: r.email, name: r.name, timeZone: r.time_zone }));
    },
  };
}
