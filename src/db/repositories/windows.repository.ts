import type { Kysely } from 'kysely';
import type { Ci } from '../../contracts/cmdb';
import type { DialectHelpers } from '../dialect';
import type { DB, WindowsTable } from '../schema';

/** Where a window applies: everywhere, or to any of the listed services, CIs, environments and tags. */
export interface WindowScopeRecord {
  global?: true;
  serviceIds?: string[];
  ciIds?: string[];
  environments?: Ci['environment'][];
  tags?: string[];
}

/** A maintenance window or freeze as stored: its rule (local start, zone, duration, RRULE) and scope. */
export interface WindowRecord {
  id: string;
  name: string;
  kind: 'maintenance' | 'freeze';
  description: string;
  /** Local wall-clock start, `YYYY-MM-DDTHH:mm`, in `timeZone`. */
  start: string;
  timeZone: string;
  durationMinutes: number;
  /** RRULE value without DTSTART, or null for a one-off window. */
  rrule: string | null;
  scope: WindowScopeRecord;
  urgent: boolean;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** UID of the iCalendar event it was imported from; null or absent for windows made by hand. */
  sourceUid?: string | null;
}

/** Maintenance windows and freezes. */
export function createWindowsRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toWindow = (r: WindowsTable): WindowRecord => ({
    id: r.id,
    name: r.name,
    kind: r.kind as WindowRecord['kind'],
    description: r.description,
    start: r.start_local,
    timeZone: r.time_zone,
    durationMinutes: r.duration_minutes,
    rrule: r.rrule,
    scope: h.readJson<WindowScopeRecord>(r.scope),
    urgent: h.readBool(r.urgent),
    version: r.version,
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
    sourceUid: r.source_uid ?? null,
  });
  const toRow = (w: WindowRecord): WindowsTable => ({
    id: w.id,
    name: w.name,
    kind: w.kind,
    description: w.description,
    start_local: w.start,
    time_zone: w.timeZone,
    duration_minutes: w.durationMinutes,
    rrule: w.rrule,
    scope: h.writeJson(w.scope),
    urgent: h.writeBool(w.urgent),
    version: w.version,
    created_by: w.createdBy,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
    source_uid: w.sourceUid ?? null,
  });

  return {
    async insertWindow(w: WindowRecord): Promise<void> {
      await db.insertInto('windows').values(toRow(w)).execute();
    },
    async findWindow(id: string): Promise<WindowRecord | null> {
      const row = await db.selectFrom('windows').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toWindow(row) : null;
    },
    /** Every window (of one kind), by name then id. */
    async listWindows(opts: { kind?: string } = {}): Promise<WindowRecord[]> {
      let q = db.selectFrom('windows').selectAll().orderBy('name').orderBy('id');
      if (opts.kind) q = q.where('kind', '=', opts.kind);
      return (await q.execute()).map(toWindow);
    },
    /** The windows of one kind imported from these iCalendar UIDs. */
    async findWindowsBySourceUids(kind: string, uids: string[]): Promise<WindowRecord[]> {
      const found: WindowRecord[] = [];
      // NOTE: chunked to stay under the bound-parameter limits of both engines for large calendars.
      for (let i = 0; i < uids.length; i += 500) {
        const rows = await db.selectFrom('windows').selectAll().where('kind', '=', kind).where('source_uid', 'in', uids.slice(i, i + 500)).execute();
        found.push(...rows.map(toWindow));
      }
      return found;
    },
    /** Writes the window if it is still at `expectedVersion`; false when someone wrote meanwhile. */
    async updateWindow(w: WindowRecord, expectedVersion: number): Promise<boolean> {
      const { id, created_at: _created, created_by: _by, ...rest } = toRow(w);
      const res = await db.updateTable('windows').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async deleteWindow(id: string): Promise<boolean> {
      const res = await db.deleteFrom('windows').where('id', '=', id).executeTakeFirst();
      return Number(res.numDeletedRows) === 1;
    },
  };
}
export type WindowsRepository = ReturnType<typeof createWindowsRepository>;
