import type { Kysely } from 'kysely';
import { hashEvent, type ChainedEvent } from '../../domain/audit/chain';
import { canonicalJson } from '../../domain/audit/chain';
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

  return {
    /**
     * Appends one event to the chain. Must run inside the caller's transaction. NOTE: bumping the single
     * head row first locks it, so concurrent writers on PostgreSQL append one after the other and the chain
     * never forks; SQLite's write transaction gives the same guarantee.
     */
    async append(e: NewAuditEvent): Promise<ChainedEvent> {
      const head = await db.updateTable('audit_head').set((eb) => ({ seq: eb('seq', '+', 1) })).where('id', '=', 1).returning(['seq', 'hash']).executeTakeFirstOrThrow();
      // The data goes through JSON once so what is hashed is exactly what is stored and read back.
      const data = JSON.parse(canonicalJson(e.data)) as Record<string, unknown>;
      const content = { seq: Number(head.seq), at: e.at, actorId: e.actorId, actorName: e.actorName, action: e.action, entityType: e.entityType, entityId: e.entityId, data };
      const hash = hashEvent(head.hash, content);
      await db
        .insertInto('audit_events')
        .values({ seq: content.seq, at: e.at, actor_id: e.actorId, actor_name: e.actorName, action: e.action, entity_type: e.entityType, entity_id: e.entityId, data: canonicalJson(data), prev_hash: head.hash, hash })
        .execute();
      await db.updateTable('audit_head').set({ hash }).where('id', '=', 1).execute();
      return { ...content, prevHash: head.hash, hash };
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
