import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { QuietHours } from '../../domain/notification/quiet-hours';
import type { DB } from '../schema';

/** How an email reaches a person: their address, name and the zone they read times in (null: UTC). */
export interface MailContact {
  userId: string;
  email: string;
  name: string;
  timeZone: string | null;
  /** When their email of a notice waits (0024); null: never. */
  quietHours: QuietHours | null;
  /** Whether they want approval requests, reminders and escalations by email too (0025). */
  approvalEmails: boolean;
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
      const rows = await db.selectFrom('users').select(['id', 'email', 'name', 'time_zone', 'quiet_start', 'quiet_end', 'approval_emails']).where('id', 'in', [...userIds]).orderBy('id').execute();
      return rows.map((r) => ({
        userId: r.id,
        email: r.email,
        name: r.name,
        timeZone: r.time_zone,
        quietHours: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
        approvalEmails: Number(r.approval_emails ?? 1) !== 0,
      }));
    },
  };
}
