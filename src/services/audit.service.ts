import type { AuditEventPage, AuditExportQuery, AuditHistory, AuditName, AuditSearchQuery, AuditVerdict } from '../contracts/audit';
import type { Actor } from '../domain/actor';
import { ChainVerifier, type ChainedEvent } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import { NotFoundError } from '../domain/errors';
import type { ServiceDeps } from './context';

const PAGE = 1000;
/** At most this many ids of one page of events are named (a bulk import can carry thousands). */
const MAX_NAMED = 2000;

/** A field whose value is an id (`changeManagerId`) or a list of ids (`ciIds`); a request id names no record. */
const isIdField = (key: string) => /(Id|Ids)$/.test(key) && key !== 'requestId';

/**
 * The ids an event mentions: its record, its actor, and every `…Id` / `…Ids` field of its data at any depth,
 * including both sides of a `{ from, to }` diff of such a field.
 */
export function idsMentioned(event: ChainedEvent): string[] {
  const ids = new Set<string>([event.entityId, event.actorId]);
  const take = (value: unknown) => {
    if (typeof value === 'string') ids.add(value);
    else if (Array.isArray(value)) for (const v of value) if (typeof v === 'string') ids.add(v);
  };
  const walk = (value: unknown, idField: boolean) => {
    if (idField) take(value);
    if (Array.isArray(value)) {
      for (const v of value) if (v && typeof v === 'object') walk(v, false);
      return;
    }
    if (!value || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      // A diff keeps the field's name one level up: `changes.ciIds = { from: [...], to: [...] }`.
      if (idField && (key === 'from' || key === 'to')) take(v);
      else walk(v, isIdField(key));
    }
  };
  walk(event.data, false);
  return [...ids];
}

/** Search, verification and export of the hash-chained audit trail, and the names that make it readable. */
export function createAuditService(deps: ServiceDeps) {
  const { store } = deps;

  async function* events(range?: { first: number; last: number }): AsyncGenerator<ChainedEvent> {
    let after = range ? range.first - 1 : 0;
    for (;;) {
      const page = await store.repos.audit.page(after, PAGE, range?.last);
      for (const e of page) yield e;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.seq;
    }
  }

  /** What the ids of these events stand for today, by id. */
  async function namesOf(list: readonly ChainedEvent[]): Promise<Record<string, AuditName>> {
    const ids = new Set<string>();
    for (const e of list) {
      for (const id of idsMentioned(e)) {
        if (ids.size >= MAX_NAMED) break;
        ids.add(id);
      }
    }
    return Object.fromEntries(await store.repos.audit.namesOf([...ids]));
  }

  async function* lines(range: { first: number; last: number }): AsyncGenerator<string> {
    for await (const e of events(range)) yield JSON.stringify(e) + '\n';
  }

  return {
    /**
     * Recomputes every hash in order and checks the chain ends where the head says, so a deleted tail is
     * caught as well as an edited or removed event.
     */
    async verify(actor: Actor): Promise<AuditVerdict> {
      assertPermission(actor, 'audit.read');
      const verifier = new ChainVerifier();
      for await (const e of events()) if (!verifier.push(e)) break;
      const verdict = verifier.result();
      const head = await store.repos.audit.head();
      if (verdict.ok && (verdict.lastSeq !== head.seq || verdict.lastHash !== head.hash)) {
        return { ok: false, checked: verdict.checked, brokenSeq: verdict.lastSeq + 1, reason: `the chain ends at event ${verdict.lastSeq} but ${head.seq} events were written (events were removed)`, headSeq: head.seq };
      }
      return { ...verdict, headSeq: head.seq };
    },

    /**
     * Events by record, person, action and time, newest in the chain first, a page at a time, with names for
     * the ids they carry. A `record` is resolved to every record that has that number, name or id; the text
     * itself also counts as an id, so an event about a record that no longer exists is still found.
     */
    async search(actor: Actor, query: AuditSearchQuery): Promise<AuditEventPage> {
      assertPermission(actor, 'audit.read');
      const { audit } = store.repos;
      const records = query.record ? await audit.findRecords(query.record) : [];
      const entityIds = query.record ? [...new Set([...records.map((r) => r.id), query.record])] : undefined;
      const actorIds = query.actor ? [...new Set([...(await audit.findPeople(query.actor)).map((p) => p.id), query.actor])] : undefined;
      const found = await audit.search({
        entityIds,
        actorIds,
        actions: query.action,
        from: query.from,
        to: query.to,
        beforeSeq: query.cursor ? Number(query.cursor) : undefined,
        limit: query.limit + 1,
      });
      const items = found.slice(0, query.limit);
      return {
        items,
        nextCursor: found.length > query.limit ? String(items[items.length - 1]!.seq) : null,
        names: await namesOf(items),
        records,
      };
    },

    /** The events of one change (id or number), oldest first, with names for the people and records they name. */
    async changeHistory(actor: Actor, idOrNumber: string): Promise<AuditHistory> {
      assertPermission(actor, 'change.read');
      const change = await store.repos.changes.findById(idOrNumber);
      if (!change) throw new NotFoundError('Change', idOrNumber);
      const items = await store.repos.audit.forEntity('change', change.id);
      return { items, nextCursor: null, names: await namesOf(items) };
    },

    /**
     * The chain as JSON lines (one event per line, oldest first): all of it, or the contiguous stretch from
     * the first event recorded at or after `from` to the last recorded before `to`. The range is fixed before
     * the first line, so events appended while the file streams are left out. `first` and `last` are null
     * when the range holds no event (and there are no lines).
     */
    async exportRange(actor: Actor, query: AuditExportQuery = {}): Promise<{ first: number | null; last: number | null; lines: AsyncGenerator<string> }> {
      assertPermission(actor, 'audit.read');
      const range = await store.repos.audit.seqRange(query.from, query.to);
      if (!range) return { first: null, last: null, lines: (async function* () {})() };
      return { first: range.first, last: range.last, lines: lines(range) };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
