import type { Kysely } from 'kysely';
import type { DigestFrequency, QuietHours } from '../../domain/notification/quiet-hours';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';

/** A person who chose a digest, with what writing and sending it needs. */
export interface DigestReader {
  userId: string;
  email: string;
  name: string;
  timeZone: string | null;
  quietHours: QuietHours | null;
  digest: Exclude<DigestFrequency, 'off'>;
}

/** Digests (migration 0024): who wants one, the changes one may list, and the claim of each person's period. */
export function createDigestRepository(db: Kysely<DB>, h: DialectHelpers) {
  return {
    /** The enabled people with a daily or weekly digest. */
    async readers(): Promise<DigestReader[]> {
      const rows = await db
        .selectFrom('users')
        .select(['id', 'email', 'name', 'time_zone', 'quiet_start', 'quiet_end', 'digest', 'disabled'])
        .where('digest', 'in', ['daily', 'weekly'])
        .orderBy('id')
        .execute();
      return rows
        .filter((r) => !h.readBool(r.disabled))
        .map((r) => ({
          userId: r.id,
          email: r.email,
          name: r.name,
          timeZone: r.time_zone,
          quietHours: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
          digest: r.digest as DigestReader['digest'],
        }));
    },
    /** Changes with a planned start in [from, to) whose state is not one of `leftOut`, by planned start. */
    async plannedStarting(from: string, to: string, leftOut: readonly string[]): Promise<string[]> {
      let q = db.selectFrom('changes').select('id').where('planned_start', '>=', from).where('planned_start', '<', to);
      if (leftOut.length > 0) q = q.where('state', 'not in', [...leftOut]);
      return (await q.orderBy('planned_start').orderBy('seq').execute()).map((r) => r.id);
    },
    /**
     * Claims a person's digest of a period. NOTE: the primary key (user_id, period) is the lock: of two
     * workers claiming the same digest exactly one inserts the row (true); the other, and any later tick, gets
     * false. Called in the transaction that queues the digest's outbox item, so a claim always has its item.
     */
    async claim(row: { userId: string; period: string; changeCount: number; outboxId: string | null; at: string }): Promise<boolean> {
      const inserted = await db
        .insertInto('digests')
        .values({ user_id: row.userId, period: row.period, change_count: row.changeCount, outbox_id: row.outboxId, created_at: row.at })
        .onConflict((oc) => oc.columns(['user_id', 'period']).doNothing())
        .returning('user_id')
        .execute();
      return inserted.length === 1;
    },
    /** Whether the person's digest of the period was claimed (sent, being sent, or found to list nothing). */
    async claimed(userId: string, period: string): Promise<boolean> {
      return (await db.selectFrom('digests').select('user_id').where('user_id', '=', userId).where('period', '=', period).executeTakeFirst()) !== undefined;
    },
  };
}
export type DigestRepository = ReturnType<typeof createDigestRepository>;
