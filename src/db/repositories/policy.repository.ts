import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';

export interface PolicyVersionRecord {
  number: number;
  name: string;
  hash: string;
  files: Record<string, string>;
  appliedAt: string;
  appliedBy: string;
  active: boolean;
}

/** Immutable, numbered policy versions; exactly one is active. */
export function createPolicyRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: DB['policy_versions']): PolicyVersionRecord => ({
    number: r.number,
    name: r.name,
    hash: r.hash,
    files: h.readJson<Record<string, string>>(r.files),
    appliedAt: h.readInstant(r.applied_at)!,
    appliedBy: r.applied_by,
    active: h.readBool(r.active),
  });
  return {
    async active(): Promise<PolicyVersionRecord | null> {
      const row = await db.selectFrom('policy_versions').selectAll().where('active', '=', h.writeBool(true)).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async activeNumber(): Promise<number | null> {
      const row = await db.selectFrom('policy_versions').select('number').where('active', '=', h.writeBool(true)).executeTakeFirst();
      return row ? row.number : null;
    },
    async find(num: number): Promise<PolicyVersionRecord | null> {
      const row = await db.selectFrom('policy_versions').selectAll().where('number', '=', num).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async list(): Promise<Omit<PolicyVersionRecord, 'files'>[]> {
      const rows = await db.selectFrom('policy_versions').select(['number', 'name', 'hash', 'applied_at', 'applied_by', 'active']).orderBy('number', 'desc').execute();
      return rows.map((r) => ({ number: r.number, name: r.name, hash: r.hash, appliedAt: h.readInstant(r.applied_at)!, appliedBy: r.applied_by, active: h.readBool(r.active) }));
    },
    /** Stores a new version and makes it the active one. Run inside a transaction. */
    async insertActive(v: Omit<PolicyVersionRecord, 'number' | 'active'>): Promise<number> {
      const last = await db.selectFrom('policy_versions').select((eb) => eb.fn.max('number').as('n')).executeTakeFirst();
      const num = Number(last?.n ?? 0) + 1;
      await db.updateTable('policy_versions').set({ active: h.writeBool(false) }).where('active', '=', h.writeBool(true)).execute();
      await db.insertInto('policy_versions').values({ number: num, name: v.name, hash: v.hash, files: h.writeJson(v.files), applied_at: v.appliedAt, applied_by: v.appliedBy, active: h.writeBool(true) }).execute();
      return num;
    },
  };
}
export type PolicyRepository = ReturnType<typeof createPolicyRepository>;
