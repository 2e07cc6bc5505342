import { sql, type Insertable, type Kysely } from 'kysely';
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

/** Ids per `in (…)` list when naming records, well under both engines' bound-parameter limits. */
const ID_BATCH = 500;

/** What an id stands for today (see AuditName in contracts/audit.ts). */
export interface RecordName {
  type: 'change' | 'incident' | 'ci' | 'service' | 'team' | 'user' | 'template' | 'window' | 'token' | 'calendar_feed' | 'problem' | 'known_error' | 'deployment' | 'gate_check' | 'unauthorized_change' | 'board';
  label: string;
  title: string | null;
}

/** Which events a search of the trail wants; every filter given must hold. */
export interface AuditFilter {
  /** Events about one of these records (any entity type). */
  entityIds?: string[];
  actorIds?: string[];
  actions?: readonly string[];
  /** `at` at or after this instant. */
  from?: string;
  /** `at` before this instant. */
  to?: string;
  /** Only events older in the chain than this sequence number (the cursor). */
  beforeSeq?: number;
  limit: number;
}

/** `CHG12` or `chg0000012` → `CHG0000012`; anything else unchanged but upper-cased. */
function changeNumberOf(text: string): string {
  const m = /^CHG0*([0-9]{1,7})$/i.exec(text);
  return m ? `CHG${m[1]!.padStart(7, '0')}` : text.toUpperCase();
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
    if (h.writesInCte && rows.length <= INSERT_ROWS) {
      // One round trip for the events and the head's new hash (PostgreSQL runs an INSERT inside WITH).
      await trx
        .with('appended', (q) => q.insertInto('audit_events').values(rows))
        .updateTable('audit_head')
        .set({ hash: prevHash })
        .where('id', '=', 1)
        .execute();
    } else {
      for (let i = 0; i < rows.length; i += INSERT_ROWS) await trx.insertInto('audit_events').values(rows.slice(i, i + INSERT_ROWS)).execute();
      await trx.updateTable('audit_head').set({ hash: prevHash }).where('id', '=', 1).execute();
    }
    return chained;
  }

  /** People by id, email or name (without regard to case), disabled ones included. */
  async function findPeople(text: string): Promise<{ id: string; name: string }[]> {
    const lower = text.toLowerCase();
    return db
      .selectFrom('users')
      .select(['id', 'name'])
      .where((eb) => eb.or([eb('id', '=', text), eb(sql`lower(email)`, '=', lower), eb(sql`lower(name)`, '=', lower)]))
      .execute();
  }

  /** The events this transaction recorded and has not appended yet (only repositories bound to a transaction buffer). */
  const pending: NewAuditEvent[] = [];

  /**
   * The delivery records the trail names (issue 14) among `ids`: a deployment and a gate check by what went where
   * (they have no name of their own), an unauthorized change by its number (also found by `number`).
   */
  async function pipelineRecords(ids: readonly string[], number?: string): Promise<(RecordName & { id: string })[]> {
    const list = ids.length > 0 ? [...ids] : [''];
    const [d, g, u] = await Promise.all([
      db.selectFrom('deployments').select(['id', 'repository', 'sha', 'environment']).where('id', 'in', list).execute(),
      db.selectFrom('gate_checks').select(['id', 'repository', 'run_id', 'attempt', 'environment']).where('id', 'in', list).execute(),
      db
        .selectFrom('unauthorized_changes')
        .select(['id', 'number', 'repository', 'environment'])
        .where((eb) => (number ? eb.or([eb('id', 'in', list), eb('number', '=', number)]) : eb('id', 'in', list)))
        .execute(),
    ]);
    return [
      ...d.map((r) => ({ id: r.id, type: 'deployment' as const, label: `${r.repository} ${r.sha.slice(0, 7)} to ${r.environment}`, title: null })),
      ...g.map((r) => ({ id: r.id, type: 'gate_check' as const, label: `${r.repository} run ${r.run_id} attempt ${Number(r.attempt)} to ${r.environment}`, title: null })),
      ...u.map((r) => ({ id: r.id, type: 'unauthorized_change' as const, label: r.number, title: `${r.repository} to ${r.environment}` })),
    ];
  }

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
     * Appends `before` and then the buffered events, contiguous and in the order they were recorded, and empties the buffer;
     * returns them chained (seq, prevHash, hash). `store.transaction` calls it after its work and before the
     * commit; nothing else needs to.
     */
    async flush(before: readonly NewAuditEvent[] = []): Promise<ChainedEvent[]> {
      return appendAll(db, [...before, ...pending.splice(0)]);
    },
    /** Takes the buffered events out, unappended (group commit appends several transactions' events in one step). */
    takePending(): NewAuditEvent[] {
      return pending.splice(0);
    },
    async forEntity(entityType: string, entityId: string): Promise<ChainedEvent[]> {
      const rows = await db.selectFrom('audit_events').selectAll().where('entity_type', '=', entityType).where('entity_id', '=', entityId).orderBy('seq').execute();
      return rows.map(toEvent);
    },
    /** A page of the chain in order, for streaming exports and verification; up to `untilSeq` when given. */
    async page(afterSeq: number, limit: number, untilSeq?: number): Promise<ChainedEvent[]> {
      let q = db.selectFrom('audit_events').selectAll().where('seq', '>', afterSeq);
      if (untilSeq !== undefined) q = q.where('seq', '<=', untilSeq);
      const rows = await q.orderBy('seq').limit(limit).execute();
      return rows.map(toEvent);
    },
    /**
     * Events matching the filter, newest in the chain first (highest `seq`). NOTE: migration 0016 indexes
     * `entity_id`, `actor_id` and `action` each with `seq`, and `at`, so each filter walks an index backwards.
     */
    async search(f: AuditFilter): Promise<ChainedEvent[]> {
      let q = db.selectFrom('audit_events').selectAll();
      if (f.entityIds) q = f.entityIds.length ? q.where('entity_id', 'in', f.entityIds) : q.where(sql<boolean>`1 = 0`);
      if (f.actorIds) q = f.actorIds.length ? q.where('actor_id', 'in', f.actorIds) : q.where(sql<boolean>`1 = 0`);
      if (f.actions?.length) q = q.where('action', 'in', [...f.actions]);
      if (f.from) q = q.where('at', '>=', f.from);
      if (f.to) q = q.where('at', '<', f.to);
      if (f.beforeSeq !== undefined) q = q.where('seq', '<', f.beforeSeq);
      const rows = await q.orderBy('seq', 'desc').limit(f.limit).execute();
      return rows.map(toEvent);
    },
    /**
     * The stretch of the chain from the first event recorded at or after `from` to the last recorded before
     * `to`, as sequence numbers; null when no event falls in the range. NOTE: `seq` is commit order and `at`
     * is when the work recorded the event, so the stretch can hold a few events just outside the range: an
     * export must be a contiguous piece of the chain to be verifiable.
     */
    async seqRange(from?: string, to?: string): Promise<{ first: number; last: number } | null> {
      let first = db.selectFrom('audit_events').select((eb) => eb.fn.min('seq').as('seq'));
      if (from) first = first.where('at', '>=', from);
      let last = db.selectFrom('audit_events').select((eb) => eb.fn.max('seq').as('seq'));
      if (to) last = last.where('at', '<', to);
      const [a, b] = await Promise.all([first.executeTakeFirst(), last.executeTakeFirst()]);
      if (a?.seq == null || b?.seq == null || Number(a.seq) > Number(b.seq)) return null;
      return { first: Number(a.seq), last: Number(b.seq) };
    },
    /**
     * The records a person may mean by `text`: a change or incident by number or id, a CI, service, template
     * or window by name or id, a team by handle, name or id, a person by email, name or id, a token or a
     * calendar feed by id. Names match without regard to case.
     */
    async findRecords(text: string): Promise<(RecordName & { id: string })[]> {
      const lower = text.toLowerCase();
      const byIdOrName = (table: 'cis' | 'services' | 'change_templates' | 'windows' | 'boards', type: RecordName['type']) =>
        db
          .selectFrom(table)
          .select(['id', 'name'])
          .where((eb) => eb.or([eb('id', '=', text), eb(sql`lower(name)`, '=', lower)]))
          .execute()
          .then((rows) => rows.map((r) => ({ id: r.id, type, label: r.name, title: null })));
      const found = await Promise.all([
        db
          .selectFrom('changes')
          .select(['id', 'number', 'title'])
          .where((eb) => eb.or([eb('id', '=', text), eb('number', '=', changeNumberOf(text))]))
          .execute()
          .then((rows) => rows.map((r) => ({ id: r.id, type: 'change' as const, label: r.number, title: r.title }))),
        db
          .selectFrom('incidents')
          .select(['id', 'number', 'title'])
          .where((eb) => eb.or([eb('id', '=', text), eb('number', '=', text.toUpperCase())]))
          .execute()
          .then((rows) => rows.map((r) => ({ id: r.id, type: 'incident' as const, label: r.number, title: r.title }))),
        ...(['problems', 'known_errors'] as const).map((table) =>
          db
            .selectFrom(table)
            .select(['id', 'number', 'title'])
            .where((eb) => eb.or([eb('id', '=', text), eb('number', '=', text.toUpperCase())]))
            .execute()
            .then((rows) => rows.map((r) => ({ id: r.id, type: table === 'problems' ? ('problem' as const) : ('known_error' as const), label: r.number, title: r.title })))),
        byIdOrName('cis', 'ci'),
        byIdOrName('services', 'service'),
        byIdOrName('change_templates', 'template'),
        byIdOrName('windows', 'window'),
        byIdOrName('boards', 'board'),
        db
          .selectFrom('teams')
          .select(['id', 'name'])
          .where((eb) => eb.or([eb('id', '=', text), eb('handle', '=', lower), eb(sql`lower(name)`, '=', lower)]))
          .execute()
          .then((rows) => rows.map((r) => ({ id: r.id, type: 'team' as const, label: r.name, title: null }))),
        findPeople(text).then((rows) => rows.map((r) => ({ id: r.id, type: 'user' as const, label: r.name, title: null }))),
        db
          .selectFrom('api_tokens')
          .select(['id', 'name'])
          .where('id', '=', text)
          .execute()
          .then((rows) => rows.map((r) => ({ id: r.id, type: 'token' as const, label: r.name, title: null }))),
        db
          .selectFrom('calendar_feeds')
          .select(['id', 'name'])
          .where('id', '=', text)
          .execute()
          .then((rows) => rows.map((r) => ({ id: r.id, type: 'calendar_feed' as const, label: r.name, title: null }))),
        pipelineRecords([text], text.toUpperCase()),
      ]);
      return found.flat();
    },
    /** People by id, email or name (without regard to case), disabled ones included. */
    findPeople,
    /** What each of these ids names today; ids of no record (deleted windows, `system`) are left out. */
    async namesOf(ids: readonly string[]): Promise<Map<string, RecordName>> {
      const names = new Map<string, RecordName>();
      const unique = [...new Set(ids)];
      for (let i = 0; i < unique.length; i += ID_BATCH) {
        const batch = unique.slice(i, i + ID_BATCH);
        const named = (table: 'users' | 'teams' | 'cis' | 'services' | 'change_templates' | 'windows' | 'api_tokens' | 'calendar_feeds' | 'boards', type: RecordName['type']) =>
          db
            .selectFrom(table)
            .select(['id', 'name'])
            .where('id', 'in', batch)
            .execute()
            .then((rows) => rows.map((r) => [r.id, { type, label: r.name, title: null }] as const));
        const numbered = (table: 'changes' | 'incidents' | 'problems' | 'known_errors', type: RecordName['type']) =>
          db
            .selectFrom(table)
            .select(['id', 'number', 'title'])
            .where('id', 'in', batch)
            .execute()
            .then((rows) => rows.map((r) => [r.id, { type, label: r.number, title: r.title }] as const));
        const found = await Promise.all([
          numbered('changes', 'change'),
          numbered('incidents', 'incident'),
          numbered('problems', 'problem'),
          numbered('known_errors', 'known_error'),
          named('cis', 'ci'),
          named('services', 'service'),
          named('teams', 'team'),
          named('users', 'user'),
          named('change_templates', 'template'),
          named('windows', 'window'),
          named('api_tokens', 'token'),
          named('calendar_feeds', 'calendar_feed'),
          named('boards', 'board'),
          pipelineRecords(batch).then((rows) => rows.map(({ id, ...name }) => [id, name] as const)),
        ]);
        for (const [id, name] of found.flat()) names.set(id, name);
      }
      return names;
    },
    async head(): Promise<{ seq: number; hash: string }> {
      const row = await db.selectFrom('audit_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirstOrThrow();
      return { seq: Number(row.seq), hash: row.hash };
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
