import type { Insertable, Kysely } from 'kysely';
import { canonicalJson, hashEvent, type ChainedEvent } from '../../domain/audit/chain';
import type { DB, AuditEventsTable } from '../schema';
import type { DialectHelpers } from '../dialect';

export interface NewAuditEvent {
  at: string;
  actorId: string;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
}

/** Audit rows per INSERT: ten parameters each, well under SQLite's bound-parameter limit. */
const INSERT_ROWS = 500;

/** The hash-chained audit trail. */
export function createAuditRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toEvent = (r: AuditEventsTable): ChainedEvent => ({
    seq: r.seq,
    at: h.readInstant(r.at)!,
    actorId: r.actor_id,
    actorName: r.actor_name,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    data: JSON.parse(r.data) as Record<string, unknown>,
    prevHash: r.prev_hash,
    hash: r.hash,
  });

  /**
   * Appends the events to the chain in one step, in order, inside `trx` (a transaction). NOTE: bumping the
   * single head row by the number of events first locks it, so concurrent writers on PostgreSQL append one
   * after the other and the chain never forks; SQLite's write transaction gives the same guarantee. The lock
   * is held from here to the commit, so this runs as the last thing before the commit (see `flush`).
   */
  async function appendAll(trx: Kysely<DB>, events: readonly NewAuditEvent[]): Promise<ChainedEvent[]> {
    if (events.length === 0) return [];
    const head = await trx
      .updateTable('audit_head')
      .set((eb) => ({ seq: eb('seq', '+', events.length) }))
      .where('id', '=', 1)
      .returning(['seq', 'hash'])
      .executeTakeFirstOrThrow();
    let seq = Number(head.seq) - events.length;
    let prevHash = head.hash;
    const chained: ChainedEvent[] = [];
    const rows: Insertable<AuditEventsTable>[] = [];
    for (const e of events) {
      // The data goes through JSON once so what is hashed is exactly what is stored and read back.
      const stored = canonicalJson(e.data);
      const data = JSON.parse(stored) as Record<string, unknown>;
      const content = { seq: ++seq, at: e.at, actorId: e.actorId, actorName: e.actorName, action: e.action, entityType: e.entityType, entityId: e.entityId, data };
      const hash = hashEvent(prevHash, content);
      rows.push({ seq, at: e.at, actor_id: e.actorId, actor_name: e.actorName, action: e.action, entity_type: e.entityType, entity_id: e.entityId, data: stored, prev_hash: prevHash, hash });
      chained.push({ ...content, prevHash, hash });
      prevHash = hash;
    }
    for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx.insertInto('audit_events').values(rows.slice(i, i + INSERT_ROWS)).execute();
    await trx.updateTable('audit_head').set({ hash: prevHash }).where('id', '=', 1).execute();
    return chained;
  }

  /** The events this transaction recorded and has not appended yet (only repositories bound to a transaction buffer). */
  const pending: NewAuditEvent[] = [];

  return {
    /**
     * Records one event. Bound to a transaction (the repositories `store.transaction` hands out), the event
     * waits in the transaction's buffer and `flush` appends every buffered event just before the commit, so
     * the chain's lock is held for the append only; a rollback drops them. Outside a transaction the event is
     * appended at once, in a short transaction of its own.
     */
    async append(e: NewAuditEvent): Promise<void> {
      if (db.isTransaction) pending.push(e);
      else await db.transaction().execute((trx) => appendAll(trx, [e]));
    },
    /**
     * Appends the buffered events, contiguous and in the order they were recorded, and empties the buffer;
     * returns them chained (seq, prevHash, hash). `store.transaction` calls it after its work and before the
     * commit; nothing else needs to.
     */
    async flush(): Promise<ChainedEvent[]> {
      return appendAll(db, pending.splice(0));
    },
    async forEntity(entityType: string, entityId: string): Promise<ChainedEvent[]> {
      const rows = await db.selectFrom('audit_events').selectAll().where('entity_type', '=', entityType).where('entity_id', '=', entityId).orderBy('seq').execute();
      return rows.map(toEvent);
    },
    /** A page of the chain in order, for streaming exports and verification. */
    async page(afterSeq: number, limit: number): Promise<ChainedEvent[]> {
      const rows = await db.selectFrom('audit_events').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
      return rows.map(toEvent);
    },
    async head(): Promise<{ seq: number; hash: string }> {
      const row = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
      return { seq: Number(row.seq), hash: row.hash };
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
