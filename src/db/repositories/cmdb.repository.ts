import { sql, type Expression, type Kysely } from 'kysely';
import type { Ci, CiSortColumn, Relation, Service } from '../../contracts/cmdb';
import type { DialectHelpers } from '../dialect';
import type { CisTable, DB, ServicesTable } from '../schema';
import { keysetValueOf, orderByKeyset, type KeysetSort, type KeysetValue } from './keyset';

export type ServiceRecord = Omit<Service, never>;
export type CiRecord = Omit<Ci, never>;
/** A CI as a list reads it: with the value it was sorted by, for the next cursor. */
export type ListedCi = Ci & { sortValue: KeysetValue };

/**
 * What each sortable field of the CI list orders by. NOTE: criticality by its rank (low … critical), not its
 * name; service by the service's name, read by a correlated subquery so the keyset condition needs no join.
 */
const CI_SORT_VALUES: Record<CiSortColumn, Expression<unknown>> = {
  name: sql.ref('cis.name'),
  type: sql.ref('cis.type'),
  environment: sql.ref('cis.environment'),
  criticality: sql`case cis.criticality when 'low' then 1 when 'medium' then 2 when 'high' then 3 when 'critical' then 4 end`,
  service: sql`(select services.name from services where services.id = cis.service_id)`,
};

/** Services, configuration items and the relations between CIs. */
export function createCmdbRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toService = (r: ServicesTable): Service => ({
    id: r.id,
    name: r.name,
    description: r.description,
    tier: r.tier,
    ownerTeamId: r.owner_team_id,
    tags: h.readJson<string[]>(r.tags),
    provider: r.provider as Service['provider'],
    requiresMaintenanceWindow: h.readBool(r.requires_maintenance_window),
    version: r.version,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const toCi = (r: CisTable): Ci => ({
    id: r.id,
    name: r.name,
    type: r.type,
    environment: r.environment as Ci['environment'],
    serviceId: r.service_id,
    ownerTeamId: r.owner_team_id,
    criticality: r.criticality as Ci['criticality'],
    tags: h.readJson<string[]>(r.tags),
    attributes: h.readJson<Record<string, unknown>>(r.attributes),
    version: r.version,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const serviceRow = (s: Service): ServicesTable => ({
    id: s.id,
    name: s.name,
    description: s.description,
    tier: s.tier,
    owner_team_id: s.ownerTeamId,
    tags: h.writeJson(s.tags),
    provider: s.provider,
    requires_maintenance_window: h.writeBool(s.requiresMaintenanceWindow),
    version: s.version,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  });
  const ciRow = (c: Ci): CisTable => ({
    id: c.id,
    name: c.name,
    type: c.type,
    environment: c.environment,
    service_id: c.serviceId,
    owner_team_id: c.ownerTeamId,
    criticality: c.criticality,
    tags: h.writeJson(c.tags),
    attributes: h.writeJson(c.attributes),
    version: c.version,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  });

  return {
    async insertService(s: Service): Promise<void> {
      await db.insertInto('services').values(serviceRow(s)).execute();
    },
    /** Writes `s` if the stored version is still `expectedVersion`; returns whether it did. */
    async updateService(s: Service, expectedVersion: number): Promise<boolean> {
      const { id, created_at: _created, ...rest } = serviceRow(s);
      const res = await db.updateTable('services').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async findService(idOrName: string): Promise<Service | null> {
      const row = await db
        .selectFrom('services')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrName), eb(sql`lower(name)`, '=', idOrName.toLowerCase())]))
        .executeTakeFirst();
      return row ? toService(row) : null;
    },
    async findServicesByIds(ids: string[]): Promise<Service[]> {
      if (ids.length === 0) return [];
      return (await db.selectFrom('services').selectAll().where('id', 'in', ids).orderBy('name').execute()).map(toService);
    },
    async listServices(opts: { q?: string; tag?: string; limit: number; afterName?: string }): Promise<Service[]> {
      let q = db.selectFrom('services').selectAll().orderBy('name').limit(opts.limit);
      if (opts.afterName) q = q.where('name', '>', opts.afterName);
      if (opts.q) q = q.where(h.containsInsensitive('name', opts.q));
      if (opts.tag) q = q.where(h.jsonArrayContains('tags', opts.tag));
      return (await q.execute()).map(toService);
    },
    async allServiceNames(): Promise<Map<string, string>> {
      const rows = await db.selectFrom('services').select(['id', 'name']).execute();
      return new Map(rows.map((r) => [r.name.toLowerCase(), r.id]));
    },

    async insertCi(c: Ci): Promise<void> {
      await db.insertInto('cis').values(ciRow(c)).execute();
    },
    async updateCi(c: Ci, expectedVersion: number): Promise<boolean> {
      const { id, created_at: _created, ...rest } = ciRow(c);
      const res = await db.updateTable('cis').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async findCi(idOrName: string): Promise<Ci | null> {
      const row = await db
        .selectFrom('cis')
        .selectAll()
        .where((eb) => eb.or([eb('id', '=', idOrName), eb(sql`lower(name)`, '=', idOrName.toLowerCase())]))
        .executeTakeFirst();
      return row ? toCi(row) : null;
    },
    async findCisByIds(ids: string[]): Promise<Ci[]> {
      if (ids.length === 0) return [];
      return (await db.selectFrom('cis').selectAll().where('id', 'in', ids).orderBy('name').execute()).map(toCi);
    },
    async findCisByNames(names: string[]): Promise<Ci[]> {
      if (names.length === 0) return [];
      return (await db.selectFrom('cis').selectAll().where(sql`lower(name)`, 'in', [...new Set(names.map((n) => n.toLowerCase()))]).execute()).map(toCi);
    },
    /**
     * CIs narrowed by the filter, `limit` at most: by name, or in `opts.sort`'s order paged by (sort value, id),
     * each with the value it was sorted by.
     */
    async listCis(opts: { q?: string; serviceId?: string; type?: string; environment?: string; tag?: string; limit: number; sort?: KeysetSort<CiSortColumn> }): Promise<ListedCi[]> {
      const value = CI_SORT_VALUES[opts.sort?.column ?? 'name'];
      let q = db.selectFrom('cis').selectAll().select(sql<unknown>`${value}`.as('sort_value')).limit(opts.limit);
      q = opts.sort ? orderByKeyset(q, value, sql.ref('cis.id'), opts.sort, false) : q.orderBy('name');
      if (opts.q) q = q.where(h.containsInsensitive('name', opts.q));
      if (opts.serviceId) q = q.where('service_id', '=', opts.serviceId);
      if (opts.type) q = q.where('type', '=', opts.type);
      if (opts.environment) q = q.where('environment', '=', opts.environment);
      if (opts.tag) q = q.where(h.jsonArrayContains('tags', opts.tag));
      return (await q.execute()).map(({ sort_value, ...r }) => ({ ...toCi(r), sortValue: keysetValueOf(sort_value) }));
    },
    async countCis(): Promise<number> {
      const row = await db.selectFrom('cis').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async insertRelation(r: Relation): Promise<void> {
      await db.insertInto('ci_relations').values({ id: r.id, from_ci_id: r.fromCiId, to_ci_id: r.toCiId, type: r.type, created_at: r.createdAt }).execute();
    },
    async findRelation(fromCiId: string, toCiId: string, type: string): Promise<Relation | null> {
      const row = await db.selectFrom('ci_relations').selectAll().where('from_ci_id', '=', fromCiId).where('to_ci_id', '=', toCiId).where('type', '=', type).executeTakeFirst();
      return row ? { id: row.id, fromCiId: row.from_ci_id, toCiId: row.to_ci_id, type: row.type as Relation['type'], createdAt: h.readInstant(row.created_at)! } : null;
    },
    async findRelationById(id: string): Promise<Relation | null> {
      const row = await db.selectFrom('ci_relations').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, fromCiId: row.from_ci_id, toCiId: row.to_ci_id, type: row.type as Relation['type'], createdAt: h.readInstant(row.created_at)! } : null;
    },
    async deleteRelation(id: string): Promise<void> {
      await db.deleteFrom('ci_relations').where('id', '=', id).execute();
    },
    /** Relations touching the CI in either direction, with the name of the CI at the other end. */
    async relationsOf(ciId: string): Promise<{ outgoing: (Relation & { otherCiName: string })[]; incoming: (Relation & { otherCiName: string })[] }> {
      const out = await db
        .selectFrom('ci_relations as r')
        .innerJoin('cis as c', 'c.id', 'r.to_ci_id')
        .select(['r.id', 'r.from_ci_id', 'r.to_ci_id', 'r.type', 'r.created_at', 'c.name'])
        .where('r.from_ci_id', '=', ciId)
        .orderBy('c.name')
        .execute();
      const inc = await db
        .selectFrom('ci_relations as r')
        .innerJoin('cis as c', 'c.id', 'r.from_ci_id')
        .select(['r.id', 'r.from_ci_id', 'r.to_ci_id', 'r.type', 'r.created_at', 'c.name'])
        .where('r.to_ci_id', '=', ciId)
        .orderBy('c.name')
        .execute();
      const map = (row: (typeof out)[number]) => ({
        id: row.id,
        fromCiId: row.from_ci_id,
        toCiId: row.to_ci_id,
        type: row.type as Relation['type'],
        createdAt: h.readInstant(row.created_at)!,
        otherCiName: row.name,
      });
      return { outgoing: out.map(map), incoming: inc.map(map) };
    },
  };
}
export type CmdbRepository = ReturnType<typeof createCmdbRepository>;
