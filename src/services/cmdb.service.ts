import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { Tag } from '../contracts/common';
import {
  CreateCiInput,
  CreateRelationInput,
  CreateServiceInput,
  RELATION_TYPES,
  UpdateCiInput,
  UpdateServiceInput,
  type Ci,
  type CiExportQuery,
  type CiListQuery,
  type CiSortColumn,
  type ImportResult,
  type Relation,
  type Service,
} from '../contracts/cmdb';
import type { Actor } from '../domain/actor';
import { diffFields } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, InputError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import type { Repositories } from '../db/repositories';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import { encodeKeysetCursor, keysetPositionOf } from './keyset-cursor';
import { resolveServiceRef, resolveTeamRef } from './references';
import type { PolicyService } from './policy.service';
import type { RiskService } from './risk.service';
import type { ScheduleService } from './schedule.service';

const SERVICE_FIELDS = ['name', 'description', 'tier', 'ownerTeamId', 'tags', 'provider', 'requiresMaintenanceWindow'] as const;
const CI_FIELDS = ['name', 'type', 'environment', 'serviceId', 'ownerTeamId', 'criticality', 'tags', 'attributes'] as const;
/** CIs read at a time by the CSV export. */
const EXPORT_PAGE = 500;

/** One CI row of an import, before names are resolved to ids. */
const ImportCiRow = z.object({
  name: z.string().trim().min(1, 'name is required').max(200),
  type: CreateCiInput.shape.type,
  environment: CreateCiInput.shape.environment,
  service: z.string().trim().max(200).optional(),
  ownerTeam: z.string().trim().max(200).optional(),
  criticality: CreateCiInput.shape.criticality,
  tags: z
    .union([z.array(z.string()), z.string()])
    .optional()
    .transform((v) => (typeof v === 'string' ? v.split(/[;,]/).map((t) => t.trim()).filter(Boolean) : (v ?? [])))
    .pipe(z.array(Tag).max(50)),
  attributes: CreateCiInput.shape.attributes,
  relations: z.array(z.object({ to: z.string().trim().min(1), type: z.enum(RELATION_TYPES) })).default([]),
});
const ImportRelationRow = z.object({ from: z.string().trim().min(1), type: z.enum(RELATION_TYPES), to: z.string().trim().min(1) });

export interface ImportOptions {
  /** Apply nothing if any row has an error. */
  atomic?: boolean;
  /** Validate and report without writing. */
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface CmdbServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  schedule: ScheduleService;
}

/** Services, configuration items and their relationships, including bulk import. */
export function createCmdbService(deps: CmdbServiceDeps) {
  const { store, policy, risk, schedule } = deps;
  const nowIso = () => deps.now().toISOString();

  /**
   * Checks the service (id or name) and owner team (id or handle) a body names, and resolves them to ids in
   * `refs` (docs/api.md#ids-numbers-and-names).
   */
  async function checkRefs(repos: Repositories, refs: { serviceId?: string | null; ownerTeamId?: string | null }, issues: Issue[]) {
    if (refs.serviceId) refs.serviceId = await resolveServiceRef(repos, refs.serviceId, 'serviceId', issues);
    if (refs.ownerTeamId) refs.ownerTeamId = await resolveTeamRef(repos, refs.ownerTeamId, 'ownerTeamId', issues);
  }

  function checkVersion(entity: string, current: { id: string; version: number }, expected: number | undefined) {
    if (expected !== undefined && expected !== current.version) throw new StaleVersionError(entity, current.id, expected, current.version);
  }

  /** The CI list's filter with its service resolved to an id; 400 when it names none. */
  async function ciFilterOf(query: CiExportQuery) {
    const issues: Issue[] = [];
    const serviceId = query.serviceId ? await resolveServiceRef(store.repos, query.serviceId, 'query.serviceId', issues) : undefined;
    throwIfIssues(issues, 'The filter names records that do not exist.');
    return { q: query.q, type: query.type, environment: query.environment, tag: query.tag, serviceId };
  }

  /** A page of CIs in `sort`'s order (by name when absent), paged by (sort value, id). */
  async function ciPage(filter: Awaited<ReturnType<typeof ciFilterOf>>, query: { sort?: string; limit: number; cursor?: string }): Promise<{ items: Ci[]; nextCursor: string | null }> {
    const sort = query.sort ?? 'name';
    const rows = await store.repos.cmdb.listCis({ ...filter, sort: keysetPositionOf<CiSortColumn>(sort, query.cursor, 'string'), limit: query.limit + 1 });
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ sortValue: _sortValue, ...ci }) => ci),
      nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(sort, { value: last.sortValue, tie: last.id }) : null,
    };
  }

  return {
    /**
     * The reference problems among the fields of a service's or CI's create or update body that parsed, when
     * the body was refused for its shape elsewhere: the route lists them in the same 400 (http/validation.ts).
     */
    async referenceIssues(actor: Actor, fields: { serviceId?: string | null; ownerTeamId?: string | null }): Promise<Issue[]> {
      assertPermission(actor, 'cmdb.write');
      const issues: Issue[] = [];
      await checkRefs(store.repos, fields, issues);
      return issues;
    },

    async createService(actor: Actor, input: z.output<typeof CreateServiceInput>): Promise<Service> {
      assertPermission(actor, 'cmdb.write');
      const now = nowIso();
      const service: Service = { id: deps.newId(), ...input, tags: [...new Set(input.tags)], version: 1, createdAt: now, updatedAt: now };
      return store.transaction(async (repos) => {
        const issues: Issue[] = [];
        await checkRefs(repos, service, issues);
        throwIfIssues(issues);
        await repos.cmdb.insertService(service);
        await audit(repos, actor, now, 'service.created', 'service', service.id, { after: service });
        return service;
      });
    },

    async updateService(actor: Actor, id: string, input: z.output<typeof UpdateServiceInput>): Promise<Service> {
      assertPermission(actor, 'cmdb.write');
      const active = await policy.activeOrNull();
      return store.transaction(async (repos) => {
        const before = await repos.cmdb.findService(id);
        if (!before) throw new NotFoundError('Service', id);
        checkVersion('Service', before, input.version);
        const issues: Issue[] = [];
        await checkRefs(repos, input, issues);
        throwIfIssues(issues);
        const { version: _v, ...patch } = input;
        const after: Service = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), version: before.version + 1, updatedAt: nowIso() };
        const changes = diffFields(before, after, SERVICE_FIELDS);
        if (Object.keys(changes).length === 0) return before;
        if (!(await repos.cmdb.updateService(after, before.version))) throw new StaleVersionError('Service', id, before.version, before.version + 1);
        await audit(repos, actor, after.updatedAt, 'service.updated', 'service', before.id, { changes });
        // The tier, tags and owner feed the risk of changes to the service's CIs.
        const cis = await repos.cmdb.listCis({ serviceId: before.id, limit: 100_000 });
        await risk.reassessTouching(repos, actor, cis.map((c) => c.id), active);
        // Whether it requires a maintenance window, and its tags (window scopes), decide conflicts.
        await schedule.cisChanged(repos, actor, cis.map((c) => c.id), active);
        return after;
      });
    },

    async getService(actor: Actor, id: string): Promise<Service> {
      assertPermission(actor, 'cmdb.read');
      const s = await store.repos.cmdb.findService(id);
      if (!s) throw new NotFoundError('Service', id);
      return s;
    },

    async listServices(actor: Actor, opts: { q?: string; tag?: string; limit: number; cursor?: string }) {
      assertPermission(actor, 'cmdb.read');
      return page(await store.repos.cmdb.listServices({ ...opts, limit: opts.limit + 1, afterName: decodeCursor(opts.cursor) }), opts.limit);
    },

    async createCi(actor: Actor, input: z.output<typeof CreateCiInput>): Promise<Ci> {
      assertPermission(actor, 'cmdb.write');
      const now = nowIso();
      const ci: Ci = { id: deps.newId(), ...input, tags: [...new Set(input.tags)], version: 1, createdAt: now, updatedAt: now };
      return store.transaction(async (repos) => {
        const issues: Issue[] = [];
        await checkRefs(repos, ci, issues);
        throwIfIssues(issues);
        await repos.cmdb.insertCi(ci);
        await audit(repos, actor, now, 'ci.created', 'ci', ci.id, { after: ci });
        return ci;
      });
    },

    async updateCi(actor: Actor, id: string, input: z.output<typeof UpdateCiInput>): Promise<Ci> {
      assertPermission(actor, 'cmdb.write');
      const active = await policy.activeOrNull();
      return store.transaction(async (repos) => {
        const before = await repos.cmdb.findCi(id);
        if (!before) throw new NotFoundError('CI', id);
        checkVersion('CI', before, input.version);
        const issues: Issue[] = [];
        await checkRefs(repos, input, issues);
        throwIfIssues(issues);
        const { version: _v, ...patch } = input;
        const after: Ci = { ...before, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), version: before.version + 1, updatedAt: nowIso() };
        const changes = diffFields(before, after, CI_FIELDS);
        if (Object.keys(changes).length === 0) return before;
        if (!(await repos.cmdb.updateCi(after, before.version))) throw new StaleVersionError('CI', id, before.version, before.version + 1);
        await audit(repos, actor, after.updatedAt, 'ci.updated', 'ci', before.id, { changes });
        await risk.reassessTouching(repos, actor, [before.id], active);
        await schedule.cisChanged(repos, actor, [before.id], active);
        return after;
      });
    },

    async getCi(actor: Actor, id: string): Promise<Ci> {
      assertPermission(actor, 'cmdb.read');
      const ci = await store.repos.cmdb.findCi(id);
      if (!ci) throw new NotFoundError('CI', id);
      return ci;
    },

    /**
     * A page of CIs, by name or as `sort` says; the cursor holds the sort, the last row's sort value and its id.
     * 400 for an unknown service, and for a cursor this list did not give out (or gave out for another sort).
     */
    async listCis(actor: Actor, query: CiListQuery): Promise<{ items: Ci[]; nextCursor: string | null }> {
      assertPermission(actor, 'cmdb.read');
      return ciPage(await ciFilterOf(query), query);
    },

    /**
     * Every CI the list's filters match, in its order, a page at a time (for the CSV export, which streams
     * them). The filters are checked before the first page is read: a bad one is the same 400.
     */
    async listAllCis(actor: Actor, query: CiExportQuery): Promise<AsyncGenerator<(Ci & { serviceName: string | null })[]>> {
      assertPermission(actor, 'cmdb.read');
      const filter = await ciFilterOf(query);
      const repos = store.repos;
      return (async function* pages() {
        let cursor: string | undefined;
        do {
          const next = await ciPage(filter, { ...query, limit: EXPORT_PAGE, cursor });
          const serviceIds = [...new Set(next.items.map((ci) => ci.serviceId).filter((id): id is string => id !== null))];
          const names = new Map((await repos.cmdb.findServicesByIds(serviceIds)).map((sv) => [sv.id, sv.name]));
          if (next.items.length > 0) yield next.items.map((ci) => ({ ...ci, serviceName: ci.serviceId ? (names.get(ci.serviceId) ?? null) : null }));
          cursor = next.nextCursor ?? undefined;
        } while (cursor);
      })();
    },

    async relations(actor: Actor, ciId: string) {
      assertPermission(actor, 'cmdb.read');
      const ci = await store.repos.cmdb.findCi(ciId);
      if (!ci) throw new NotFoundError('CI', ciId);
      return store.repos.cmdb.relationsOf(ci.id);
    },

    async addRelation(actor: Actor, fromCiId: string, input: z.output<typeof CreateRelationInput>): Promise<Relation> {
      assertPermission(actor, 'cmdb.write');
      const active = await policy.activeOrNull();
      return store.transaction(async (repos) => {
        const from = await repos.cmdb.findCi(fromCiId);
        if (!from) throw new NotFoundError('CI', fromCiId);
        const to = await repos.cmdb.findCi(input.toCiId);
        const issues: Issue[] = [];
        if (!to) issues.push({ path: 'toCiId', message: `unknown CI ${input.toCiId}` });
        else if (to.id === from.id) issues.push({ path: 'toCiId', message: 'a CI cannot relate to itself' });
        throwIfIssues(issues);
        if (await repos.cmdb.findRelation(from.id, to!.id, input.type)) {
          throw new ConflictError('already_exists', `${from.name} already ${input.type.replace('_', ' ')} ${to!.name}.`);
        }
        const relation: Relation = { id: deps.newId(), fromCiId: from.id, toCiId: to!.id, type: input.type, createdAt: nowIso() };
        await repos.cmdb.insertRelation(relation);
        await audit(repos, actor, relation.createdAt, 'ci.relation_added', 'ci', from.id, { after: { ...relation, toCiName: to!.name } });
        // The impact graph grew: conflicts of changes near either end are recomputed at once.
        await schedule.cisChanged(repos, actor, [from.id, to!.id], active, { addedEdges: [{ fromCiId: relation.fromCiId, toCiId: relation.toCiId, type: relation.type }] });
        return relation;
      });
    },

    async removeRelation(actor: Actor, ciId: string, relationId: string): Promise<void> {
      assertPermission(actor, 'cmdb.write');
      const active = await policy.activeOrNull();
      await store.transaction(async (repos) => {
        const rel = await repos.cmdb.findRelationById(relationId);
        if (!rel || (rel.fromCiId !== ciId && rel.toCiId !== ciId)) throw new NotFoundError('Relation', relationId);
        await repos.cmdb.deleteRelation(rel.id);
        await audit(repos, actor, nowIso(), 'ci.relation_removed', 'ci', rel.fromCiId, { before: rel });
        await schedule.cisChanged(repos, actor, [rel.fromCiId, rel.toCiId], active);
      });
    },

    /**
     * Imports CIs (and relations) from CSV or a JSON array. Every row is validated; rows with errors are
     * reported with their row number and skipped, the good rows are applied in one transaction, and the
     * result says exactly what was created, updated, left unchanged and refused. With `atomic`, one bad row
     * means nothing is written.
     */
    async importCis(actor: Actor, payload: { format: 'csv' | 'json'; body: string | unknown }, opts: ImportOptions = {}): Promise<ImportResult & { unchanged: number; dryRun: boolean }> {
      assertPermission(actor, 'cmdb.write');
      const rows = readImportRows(payload);
      const errors: { row: number; message: string }[] = [];
      const ciRows: { row: number; data: z.output<typeof ImportCiRow> }[] = [];
      const relRows: { row: number; from: string; type: Relation['type']; to: string }[] = [];
      const services = await store.repos.cmdb.allServiceNames();
      const teams = new Map((await store.repos.accounts.listTeams()).flatMap((t) => [[t.handle.toLowerCase(), t.id], [t.name.toLowerCase(), t.id]]));
      rows.forEach((raw, i) => {
        const row = i + 1;
        const isRelation = raw && typeof raw === 'object' && 'from' in raw && 'to' in raw && !('name' in raw);
        const parsed = isRelation ? ImportRelationRow.safeParse(raw) : ImportCiRow.safeParse(raw);
        const problems = parsed.success ? [] : parsed.error.issues.map((iss) => `${iss.path.join('.') || 'row'}: ${iss.message}`);
        // Names are resolved here too, so a row lists every problem it has at once.
        const service = typeof raw.service === 'string' ? raw.service.trim() : '';
        if (!isRelation && service && !services.has(service.toLowerCase())) problems.push(`service: unknown service "${service}"`);
        const ownerTeam = typeof raw.ownerTeam === 'string' ? raw.ownerTeam.trim() : '';
        if (!isRelation && ownerTeam && !teams.has(ownerTeam.toLowerCase())) problems.push(`ownerTeam: unknown team "${ownerTeam}"`);
        if (problems.length > 0 || !parsed.success) {
          errors.push({ row, message: problems.join('; ') });
        } else if (isRelation) {
          relRows.push({ row, ...(parsed.data as z.output<typeof ImportRelationRow>) });
        } else {
          const data = parsed.data as z.output<typeof ImportCiRow>;
          ciRows.push({ row, data });
          for (const r of data.relations) relRows.push({ row, from: data.name, type: r.type, to: r.to });
        }
      });
      const seenNames = new Map<string, number>();
      for (const r of ciRows) {
        const key = r.data.name.toLowerCase();
        if (seenNames.has(key)) errors.push({ row: r.row, message: `name: "${r.data.name}" already appears in row ${seenNames.get(key)}` });
        else seenNames.set(key, r.row);
      }

      // A relation must name CIs that exist or that this file creates; a row whose relation cannot be made is
      // refused whole (its CI too). Refusing a row can strand relations of other rows, hence the loop.
      const referenced = [...new Set(relRows.flatMap((r) => [r.from, r.to]).map((n) => n.toLowerCase()))];
      const inDb = new Set((await store.repos.cmdb.findCisByNames(referenced)).map((c) => c.name.toLowerCase()));
      for (;;) {
        const refused = new Set(errors.map((e) => e.row));
        const available = new Set([...inDb, ...ciRows.filter((r) => !refused.has(r.row)).map((r) => r.data.name.toLowerCase())]);
        const stranded = relRows.filter((r) => !refused.has(r.row) && (!available.has(r.from.toLowerCase()) || !available.has(r.to.toLowerCase())));
        if (stranded.length === 0) break;
        for (const r of stranded) {
          const missing = [r.from, r.to].filter((n) => !available.has(n.toLowerCase()));
          errors.push({ row: r.row, message: missing.map((n) => `relation: unknown CI "${n}"`).join('; ') });
        }
      }

      const active = await policy.activeOrNull();
      const updatedIds: string[] = [];
      let created = 0;
      let updated = 0;
      let unchanged = 0;
      let relationsCreated = 0;
      const relationCis: string[] = [];
      const addedEdges: { fromCiId: string; toCiId: string; type: string }[] = [];
      const apply = async (repos: Repositories) => {
        const existing = new Map((await repos.cmdb.findCisByNames(ciRows.map((r) => r.data.name))).map((c) => [c.name.toLowerCase(), c]));
        const badRows = new Set(errors.map((e) => e.row));
        const now = nowIso();
        let done = 0;
        for (const { row, data } of ciRows) {
          done++;
          if (done % 500 === 0) opts.onProgress?.(done, rows.length);
          if (badRows.has(row)) continue;
          const serviceId = data.service ? (services.get(data.service.toLowerCase()) ?? null) : null;
          const ownerTeamId = data.ownerTeam ? (teams.get(data.ownerTeam.toLowerCase()) ?? null) : null;
          const before = existing.get(data.name.toLowerCase());
          const fields = { name: data.name, type: data.type, environment: data.environment, serviceId, ownerTeamId: ownerTeamId ?? before?.ownerTeamId ?? null, criticality: data.criticality, tags: [...new Set(data.tags)], attributes: { ...(before?.attributes ?? {}), ...data.attributes } };
          if (!before) {
            const ci: Ci = { id: deps.newId(), ...fields, version: 1, createdAt: now, updatedAt: now };
            if (!opts.dryRun) {
              await repos.cmdb.insertCi(ci);
              await audit(repos, actor, now, 'ci.created', 'ci', ci.id, { after: ci, source: 'import', row });
            }
            existing.set(ci.name.toLowerCase(), ci);
            created++;
          } else {
            const after: Ci = { ...before, ...fields, version: before.version + 1, updatedAt: now };
            const changes = diffFields(before, after, CI_FIELDS);
            if (Object.keys(changes).length === 0) {
              unchanged++;
              continue;
            }
            if (!opts.dryRun) {
              await repos.cmdb.updateCi(after, before.version);
              await audit(repos, actor, now, 'ci.updated', 'ci', before.id, { changes, source: 'import', row });
              updatedIds.push(before.id);
            }
            existing.set(after.name.toLowerCase(), after);
            updated++;
          }
        }
        const missing = relRows.flatMap((r) => [r.from, r.to]).filter((n) => !existing.has(n.toLowerCase()));
        for (const c of await repos.cmdb.findCisByNames([...new Set(missing)])) existing.set(c.name.toLowerCase(), c);
        for (const r of relRows) {
          if (badRows.has(r.row)) continue;
          const from = existing.get(r.from.toLowerCase());
          const to = existing.get(r.to.toLowerCase());
          const problems = [!from ? `relation: unknown CI "${r.from}"` : '', !to ? `relation: unknown CI "${r.to}"` : ''].filter(Boolean);
          if (from && to && from.id === to.id) problems.push('relation: a CI cannot relate to itself');
          if (problems.length) {
            errors.push({ row: r.row, message: problems.join('; ') });
            continue;
          }
          if (await repos.cmdb.findRelation(from!.id, to!.id, r.type)) continue;
          const relation: Relation = { id: deps.newId(), fromCiId: from!.id, toCiId: to!.id, type: r.type, createdAt: now };
          if (!opts.dryRun) {
            await repos.cmdb.insertRelation(relation);
            await audit(repos, actor, now, 'ci.relation_added', 'ci', from!.id, { after: { ...relation, toCiName: to!.name }, source: 'import', row: r.row });
            relationCis.push(from!.id, to!.id);
            addedEdges.push({ fromCiId: relation.fromCiId, toCiId: relation.toCiId, type: relation.type });
          }
          relationsCreated++;
        }
        opts.onProgress?.(rows.length, rows.length);
        if (opts.atomic && errors.length > 0) throw new AtomicImportAborted();
        await risk.reassessTouching(repos, actor, updatedIds, active);
        await schedule.cisChanged(repos, actor, [...new Set([...updatedIds, ...relationCis])], active, { addedEdges });
      };
      try {
        await store.transaction(apply);
      } catch (err) {
        if (!(err instanceof AtomicImportAborted)) throw err;
        created = updated = unchanged = relationsCreated = 0;
      }
      errors.sort((a, b) => a.row - b.row);
      return { created, updated, unchanged, relationsCreated, errors, dryRun: Boolean(opts.dryRun) };
    },
  };
}
export type CmdbService = ReturnType<typeof createCmdbService>;

class AtomicImportAborted extends Error {}

/** Turns a CSV text or a JSON value into plain row objects; a malformed document is a 400 as a whole. */
function readImportRows(payload: { format: 'csv' | 'json'; body: string | unknown }): Record<string, unknown>[] {
  if (payload.format === 'json') {
    let value = payload.body;
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch (err) {
        throw new InputError('The file is not valid JSON.', [{ path: '', message: (err as Error).message }], 'invalid_import');
      }
    }
    if (value && typeof value === 'object' && !Array.isArray(value) && Array.isArray((value as { items?: unknown }).items)) value = (value as { items: unknown[] }).items;
    if (!Array.isArray(value)) throw new InputError('A JSON import must be an array of rows.', [{ path: '', message: 'expected an array' }], 'invalid_import');
    return value.map((v) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : { name: undefined }));
  }
  const text = String(payload.body ?? '');
  let records: Record<string, string>[];
  // The header as the parser read it (unquoted, BOM removed), so `"name","type",…` is recognised too.
  let cols: string[] = [];
  try {
    records = parseCsv(text, { columns: (header: string[]) => (cols = header.map((h) => CSV_ALIASES[h.trim().toLowerCase()] ?? h.trim())), skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
  } catch (err) {
    throw new InputError('The CSV could not be read.', [{ path: '', message: (err as Error).message }], 'invalid_import');
  }
  const isRelations = cols.includes('from') && cols.includes('to');
  if (!isRelations && !cols.includes('name')) {
    throw new InputError('The CSV header must name the columns.', [{ path: 'header', message: 'expected name,type,environment,service,criticality,tags (or from,type,to for relations)' }], 'invalid_import');
  }
  return records.map((r) => {
    const out: Record<string, unknown> = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== ''));
    if (typeof out.attributes === 'string') {
      try {
        out.attributes = JSON.parse(out.attributes as string);
      } catch {
        out.attributes = 'not JSON';
      }
    }
    return out;
  });
}

const CSV_ALIASES: Record<string, string> = { owner_team: 'ownerTeam', ownerteam: 'ownerTeam', service_name: 'service' };

function decodeCursor(cursor: string | undefined): string | undefined {
  return cursor ? Buffer.from(cursor, 'base64url').toString() : undefined;
}

function page<T extends { name: string }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? Buffer.from(items[items.length - 1]!.name).toString('base64url') : null };
}
