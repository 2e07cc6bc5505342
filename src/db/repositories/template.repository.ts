import { sql, type Expression, type Kysely } from 'kysely';
import type { Change, ChangeCheck, ChangeConversion } from '../../contracts/change';
import {
  NO_ELIGIBILITY,
  type TemplateContent,
  type TemplateEligibility,
  type TemplateFields,
  type TemplateHistory,
  type TemplateSortColumn,
  type TemplateState,
  type TemplateVersionState,
} from '../../contracts/templates';
import type { DialectHelpers } from '../dialect';
import type { ChangeTemplatesTable, DB } from '../schema';
import { FAILED_CLOSE_CODES } from './change.repository';
import { keysetValueOf, orderByKeyset, type KeysetSort, type KeysetValue } from './keyset';

/** A template as a list reads it: with the value it was sorted by, for the next cursor. */
export type ListedTemplate = TemplateRecord & { sortValue: KeysetValue };

/**
 * What each sortable field of the template list orders by. NOTE: `active` as 0 or 1 on both engines (SQLite
 * stores an integer, PostgreSQL a boolean), so a cursor holds the same value and compares alike. The counts of
 * changes made from a template (`used`, ever; `changes90d`, finished since `since`, as `historyOf` counts them)
 * are read per template through changes_template_end_idx and cast to an integer, so PostgreSQL's bigint count is a
 * number in the cursor as SQLite's is.
 */
function sortValueOf(column: TemplateSortColumn, since: string | undefined, weights?: ScoreWeights): Expression<unknown> {
  switch (column) {
    case 'state':
      return sql.ref('change_templates.state');
    case 'category':
      return sql.ref('change_templates.category');
    case 'score': {
      if (!weights) throw new Error('sorting templates by score needs the policy weights');
      const w = (n: number) => sql`cast(${Math.round(n)} as integer)`;
      const closed = (codes: string[], weight: number) =>
        sql`${w(weight)} * (select count(*) from changes where changes.template_id = change_templates.id and changes.close_code in (${sql.join(codes)}))`;
      const caused = (priority: number, weight: number) =>
        sql`${w(weight)} * (select count(*) from incidents inner join changes on changes.id = incidents.caused_by_change_id where changes.template_id = change_templates.id and incidents.priority = ${priority})`;
      return sql`cast((${closed(['successful'], weights.successful)} + ${closed(['successful_with_issues'], weights.successfulWithIssues)} + ${closed(FAILED_CLOSE_CODES, weights.failed)} + ${caused(1, weights.incidentP1)} + ${caused(2, weights.incidentP2)} + ${caused(3, weights.incidentP3)} + ${caused(4, weights.incidentP4)}) as integer)`;
    }
    case 'name':
      return sql.ref('change_templates.name');
    case 'type':
      return sql.ref('change_templates.type');
    case 'active':
      return sql`(case when change_templates.active then 1 else 0 end)`;
    case 'createdAt':
      return sql.ref('change_templates.created_at');
    case 'updatedAt':
      return sql.ref('change_templates.updated_at');
    case 'used':
      return sql`cast((select count(*) from changes where changes.template_id = change_templates.id) as integer)`;
    case 'changes90d':
      if (since === undefined) throw new Error('sorting templates by changes90d needs the start of the window');
      return sql`cast((select count(*) from changes where changes.template_id = change_templates.id and changes.close_code is not null and changes.actual_end >= ${since}) as integer)`;
  }
}

/** A template's 90-day history (TemplateHistory without the outcomes over every use). */
export type RecentHistory = Pick<TemplateHistory, 'changes90d' | 'failed90d' | 'failureRate' | 'used' | 'lastUsedAt'>;

/** The success score's weights (the policy's catalogue.score). */
export interface ScoreWeights {
  successful: number;
  successfulWithIssues: number;
  failed: number;
  incidentP1: number;
  incidentP2: number;
  incidentP3: number;
  incidentP4: number;
}

/** How the changes made from a template (or one version of it) fared, counted over every use. */
export interface OutcomeCounts {
  uses: number;
  successful: number;
  successfulWithIssues: number;
  failed: number;
  incidents: { p1: number; p2: number; p3: number; p4: number };
}

/** One content version of a template as stored. */
export interface TemplateVersionRecord {
  templateId: string;
  number: number;
  state: TemplateVersionState;
  content: TemplateContent;
  note: string;
  proposedBy: string;
  proposedAt: string;
  activatedBy: string | null;
  activatedAt: string | null;
}

/** One row of a template's suspension log. */
export interface TemplateSuspensionRecord {
  id: string;
  templateId: string;
  kind: 'suspended' | 'reinstated';
  reason: string;
  cause: string;
  automatic: boolean;
  by: string;
  at: string;
  numbers: Record<string, unknown>;
}

/** A use of a template among its last ones: how it closed and the worst incident it caused. */
export interface TemplateUse {
  changeId: string;
  number: string;
  closeCode: string | null;
  /** The priorities of the incidents it caused. */
  incidentPriorities: number[];
}

/** A change template as stored: what it fills in on a new change. */
export interface TemplateRecord {
  id: string;
  name: string;
  description: string;
  type: Change['type'];
  fields: TemplateFields;
  ciIds: string[];
  assignmentTeamId: string | null;
  /** state === 'active'. */
  active: boolean;
  state: TemplateState;
  category: string;
  ownerTeamId: string | null;
  eligibility: TemplateEligibility;
  contentVersion: number;
  pendingVersion: number | null;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Change templates, and how the changes made from them fared. */
export function createTemplateRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: ChangeTemplatesTable): TemplateRecord => ({
    id: r.id,
    name: r.name,
    description: r.description,
    type: r.type as TemplateRecord['type'],
    fields: h.readJson<TemplateFields>(r.fields),
    ciIds: h.readJson<string[]>(r.ci_ids),
    assignmentTeamId: r.assignment_team_id,
    active: r.state === 'active',
    state: r.state as TemplateState,
    category: r.category,
    ownerTeamId: r.owner_team_id,
    eligibility: r.eligibility === null || r.eligibility === undefined ? { ...NO_ELIGIBILITY } : { ...NO_ELIGIBILITY, ...h.readJson<Partial<TemplateEligibility>>(r.eligibility) },
    contentVersion: r.content_version,
    pendingVersion: r.pending_version,
    version: r.version,
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const toRow = (t: TemplateRecord): ChangeTemplatesTable => ({
    id: t.id,
    name: t.name,
    description: t.description,
    type: t.type,
    fields: h.writeJson(t.fields),
    ci_ids: h.writeJson(t.ciIds),
    assignment_team_id: t.assignmentTeamId,
    active: h.writeBool(t.state === 'active') as boolean,
    state: t.state,
    category: t.category,
    owner_team_id: t.ownerTeamId,
    eligibility: h.writeJson(t.eligibility),
    content_version: t.contentVersion,
    pending_version: t.pendingVersion,
    version: t.version,
    created_by: t.createdBy,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  });

  const versionRow = (v: TemplateVersionRecord) => ({
    template_id: v.templateId,
    number: v.number,
    state: v.state,
    content: h.writeJson(v.content),
    note: v.note,
    proposed_by: v.proposedBy,
    proposed_at: v.proposedAt,
    activated_by: v.activatedBy,
    activated_at: v.activatedAt,
  });
  const toVersion = (r: { template_id: string; number: number; state: string; content: unknown; note: string; proposed_by: string; proposed_at: string; activated_by: string | null; activated_at: string | null }): TemplateVersionRecord => {
    const content = h.readJson<TemplateContent>(r.content);
    return {
      templateId: r.template_id,
      number: r.number,
      state: r.state as TemplateVersionState,
      content: { ...content, category: content.category ?? '', ownerTeamId: content.ownerTeamId ?? null, eligibility: { ...NO_ELIGIBILITY, ...(content.eligibility ?? {}) } },
      note: r.note,
      proposedBy: r.proposed_by,
      proposedAt: h.readInstant(r.proposed_at)!,
      activatedBy: r.activated_by,
      activatedAt: h.readInstant(r.activated_at),
    };
  };

  return {
    async insert(t: TemplateRecord): Promise<void> {
      await db.insertInto('change_templates').values(toRow(t)).execute();
    },
    /** Writes the template if it is still at `expectedVersion`; false when someone wrote meanwhile. */
    async update(t: TemplateRecord, expectedVersion: number): Promise<boolean> {
      const { id, created_at: _at, created_by: _by, ...rest } = toRow(t);
      const res = await db.updateTable('change_templates').set(rest).where('id', '=', id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** `lock` (inside a transaction) holds the row until commit, so writers of one template take turns. */
    async findById(id: string, opts: { lock?: boolean } = {}): Promise<TemplateRecord | null> {
      let q = db.selectFrom('change_templates').selectAll().where('id', '=', id);
      if (opts.lock && h.name === 'postgres') q = q.forUpdate();
      const row = await q.executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    async findByName(name: string): Promise<TemplateRecord | null> {
      const row = await db.selectFrom('change_templates').selectAll().where('name', '=', name).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /**
     * Templates narrowed by the filter in `f.sort`'s order (by name when absent), paged by (sort value, id),
     * `limit` at most; `since` starts the window `changes90d` counts in (needed to sort by it).
     */
    async list(f: {
      active?: boolean;
      states?: TemplateState[];
      category?: string;
      type?: string;
      q?: string;
      sort?: KeysetSort<TemplateSortColumn>;
      since?: string;
      weights?: ScoreWeights;
      limit: number;
    }): Promise<ListedTemplate[]> {
      const sort = f.sort ?? { column: 'name', descending: false };
      const value = sortValueOf(sort.column, f.since, f.weights);
      let q = db.selectFrom('change_templates').selectAll().select(sql<unknown>`${value}`.as('sort_value')).limit(f.limit);
      q = orderByKeyset(q, value, sql.ref('change_templates.id'), sort, false);
      if (f.active !== undefined) q = q.where('active', '=', h.writeBool(f.active) as boolean);
      if (f.states) q = q.where('state', 'in', f.states);
      if (f.category !== undefined) q = q.where('category', '=', f.category);
      if (f.type) q = q.where('type', '=', f.type);
      if (f.q) {
        const words = f.q.trim().split(/\s+/).filter(Boolean);
        for (const w of words) q = q.where((eb) => eb.or([h.containsInsensitive('name', w), h.containsInsensitive('description', w)]));
      }
      return (await q.execute()).map(({ sort_value, ...r }) => ({ ...toRecord(r), sortValue: keysetValueOf(sort_value) }));
    },
    /**
     * How the changes made from each template fared: finished (closed with a code) with an actual end at or
     * after `since`, how many of those failed, how many were ever made, and when the last was made.
     */
    async historyOf(templateIds: string[], since: string, excludeChangeId?: string): Promise<Map<string, RecentHistory>> {
      const found = new Map<string, RecentHistory>();
      if (templateIds.length === 0) return found;
      let q = db
        .selectFrom('changes')
        .select((eb) => [
          'template_id',
          eb.fn.countAll<number>().as('used'),
          eb.fn.max('created_at').as('last_used_at'),
          eb.fn.sum<number>(eb.case().when(eb.and([eb('close_code', 'is not', null), eb('actual_end', '>=', since)])).then(1).else(0).end()).as('finished'),
          eb.fn.sum<number>(eb.case().when(eb.and([eb('close_code', 'in', FAILED_CLOSE_CODES), eb('actual_end', '>=', since)])).then(1).else(0).end()).as('failed'),
        ])
        .where('template_id', 'in', templateIds)
        .groupBy('template_id');
      if (excludeChangeId) q = q.where('id', '!=', excludeChangeId);
      for (const r of await q.execute()) {
        const changes90d = Number(r.finished ?? 0);
        const failed90d = Number(r.failed ?? 0);
        found.set(r.template_id!, {
          changes90d,
          failed90d,
          failureRate: changes90d > 0 ? failed90d / changes90d : null,
          used: Number(r.used),
          lastUsedAt: h.readInstant(r.last_used_at as string | null),
        });
      }
      return found;
    },

    /**
     * How the changes made from each template fared over every use (by template id), or, with `byVersion`, from
     * each content version of one template (by version number, as a string).
     */
    async outcomesOf(templateIds: string[], opts: { byVersion?: boolean } = {}): Promise<Map<string, OutcomeCounts>> {
      const found = new Map<string, OutcomeCounts>();
      if (templateIds.length === 0) return found;
      const key = opts.byVersion ? 'changes.template_version' : 'changes.template_id';
      const rows = await db
        .selectFrom('changes')
        .select((eb) => [
          sql<string>`cast(${sql.ref(key)} as text)`.as('k'),
          eb.fn.countAll<number>().as('uses'),
          eb.fn.sum<number>(eb.case().when('close_code', '=', 'successful').then(1).else(0).end()).as('successful'),
          eb.fn.sum<number>(eb.case().when('close_code', '=', 'successful_with_issues').then(1).else(0).end()).as('with_issues'),
          eb.fn.sum<number>(eb.case().when('close_code', 'in', FAILED_CLOSE_CODES).then(1).else(0).end()).as('failed'),
        ])
        .where('template_id', 'in', templateIds)
        .groupBy(sql.ref(key))
        .execute();
      for (const r of rows) {
        found.set(String(r.k), {
          uses: Number(r.uses),
          successful: Number(r.successful ?? 0),
          successfulWithIssues: Number(r.with_issues ?? 0),
          failed: Number(r.failed ?? 0),
          incidents: { p1: 0, p2: 0, p3: 0, p4: 0 },
        });
      }
      const incidents = await db
        .selectFrom('incidents')
        .innerJoin('changes', 'changes.id', 'incidents.caused_by_change_id')
        .select((eb) => [sql<string>`cast(${sql.ref(key)} as text)`.as('k'), 'incidents.priority', eb.fn.countAll<number>().as('n')])
        .where('changes.template_id', 'in', templateIds)
        .groupBy([sql.ref(key), 'incidents.priority'])
        .execute();
      for (const r of incidents) {
        const entry = found.get(String(r.k));
        const p = `p${r.priority}` as keyof OutcomeCounts['incidents'];
        if (entry && p in entry.incidents) entry.incidents[p] += Number(r.n);
      }
      return found;
    },

    /** The last `limit` changes made from the template (newest first), filed after `since` when given, with how each closed and the incidents it caused. */
    async lastUses(templateId: string, limit: number, since: string | null): Promise<TemplateUse[]> {
      let q = db.selectFrom('changes').select(['id', 'number', 'close_code']).where('template_id', '=', templateId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit);
      if (since) q = q.where('created_at', '>', since);
      const uses = await q.execute();
      if (uses.length === 0) return [];
      const caused = await db
        .selectFrom('incidents')
        .select(['caused_by_change_id', 'priority'])
        .where(
          'caused_by_change_id',
          'in',
          uses.map((u) => u.id),
        )
        .execute();
      return uses.map((u) => ({
        changeId: u.id,
        number: u.number,
        closeCode: u.close_code,
        incidentPriorities: caused.filter((c) => c.caused_by_change_id === u.id).map((c) => c.priority),
      }));
    },

    /**
     * Moves the template from one of `from` to `to` (and its row version on), only if it is still in one of
     * them: false when another writer moved it first (one suspension of two racing ones wins).
     */
    async setState(id: string, from: TemplateState[], to: TemplateState, at: string): Promise<boolean> {
      const res = await db
        .updateTable('change_templates')
        .set({ state: to, active: h.writeBool(to === 'active') as boolean, updated_at: at, version: sql<number>`version + 1` })
        .where('id', '=', id)
        .where('state', 'in', from)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async insertVersion(v: TemplateVersionRecord): Promise<void> {
      await db.insertInto('template_versions').values(versionRow(v)).execute();
    },
    async updateVersion(v: TemplateVersionRecord): Promise<void> {
      const { template_id: _t, number: _n, ...rest } = versionRow(v);
      await db.updateTable('template_versions').set(rest).where('template_id', '=', v.templateId).where('number', '=', v.number).execute();
    },
    async findVersion(templateId: string, number: number): Promise<TemplateVersionRecord | null> {
      const row = await db.selectFrom('template_versions').selectAll().where('template_id', '=', templateId).where('number', '=', number).executeTakeFirst();
      return row ? toVersion(row) : null;
    },
    /** The versions of a template, newest first. */
    async versionsOf(templateId: string): Promise<TemplateVersionRecord[]> {
      const rows = await db.selectFrom('template_versions').selectAll().where('template_id', '=', templateId).orderBy('number', 'desc').execute();
      return rows.map(toVersion);
    },
    /** The highest version number a template has (0 when none). */
    async lastVersionNumber(templateId: string): Promise<number> {
      const row = await db.selectFrom('template_versions').select((eb) => eb.fn.max('number').as('n')).where('template_id', '=', templateId).executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    /** The pending versions of these templates (those that have one). */
    async pendingVersionsOf(templates: { id: string; pendingVersion: number | null }[]): Promise<Map<string, TemplateVersionRecord>> {
      const found = new Map<string, TemplateVersionRecord>();
      const pending = templates.filter((t) => t.pendingVersion !== null);
      if (pending.length === 0) return found;
      const rows = await db
        .selectFrom('template_versions')
        .selectAll()
        .where('template_id', 'in', pending.map((t) => t.id))
        .where('state', '=', 'proposed')
        .execute();
      for (const r of rows.map(toVersion)) if (pending.some((t) => t.id === r.templateId && t.pendingVersion === r.number)) found.set(r.templateId, r);
      return found;
    },

    async insertSuspension(s: TemplateSuspensionRecord): Promise<void> {
      await db
        .insertInto('template_suspensions')
        .values({
          id: s.id,
          template_id: s.templateId,
          kind: s.kind,
          reason: s.reason,
          cause: s.cause,
          automatic: h.writeBool(s.automatic) as boolean,
          by_id: s.by,
          at: s.at,
          numbers: h.writeJson(s.numbers),
        })
        .execute();
    },
    /** The suspension log of a template, newest first. */
    async suspensionsOf(templateId: string): Promise<TemplateSuspensionRecord[]> {
      const rows = await db.selectFrom('template_suspensions').selectAll().where('template_id', '=', templateId).orderBy('at', 'desc').orderBy('id', 'desc').execute();
      return rows.map((r) => ({
        id: r.id,
        templateId: r.template_id,
        kind: r.kind as TemplateSuspensionRecord['kind'],
        reason: r.reason,
        cause: r.cause,
        automatic: h.readBool(r.automatic),
        by: r.by_id,
        at: h.readInstant(r.at)!,
        numbers: h.readJson<Record<string, unknown>>(r.numbers),
      }));
    },

    /** Pins the content version a change was made from. */
    async pinChangeVersion(changeId: string, version: number): Promise<void> {
      await db.updateTable('changes').set({ template_version: version }).where('id', '=', changeId).execute();
    },
    /** Stores a change's latest checks (and, once, its conversion: a later write of checks keeps it when `conversion` is undefined). */
    async saveChecks(changeId: string, checks: ChangeCheck[], conversion: ChangeConversion | null | undefined, at: string): Promise<void> {
      const set = { checks: h.writeJson(checks), updated_at: at, ...(conversion !== undefined ? { conversion: conversion === null ? null : h.writeJson(conversion) } : {}) };
      await db
        .insertInto('change_checks')
        .values({ change_id: changeId, checks: h.writeJson(checks), conversion: conversion ? h.writeJson(conversion) : null, updated_at: at })
        .onConflict((oc) => oc.column('change_id').doUpdateSet(set))
        .execute();
    },
    /** What a change shows of the catalogue: its pinned version, latest checks and conversion. */
    async catalogueFieldsOf(changeId: string): Promise<{ templateVersion: number | null; checks: ChangeCheck[]; conversion: ChangeConversion | null }> {
      const row = await db
        .selectFrom('changes')
        .leftJoin('change_checks', 'change_checks.change_id', 'changes.id')
        .select(['changes.template_version', 'change_checks.checks', 'change_checks.conversion'])
        .where('changes.id', '=', changeId)
        .executeTakeFirst();
      return {
        templateVersion: row?.template_version ?? null,
        checks: row?.checks ? h.readJson<ChangeCheck[]>(row.checks) : [],
        conversion: row?.conversion ? h.readJson<ChangeConversion>(row.conversion) : null,
      };
    },

    /** Open incidents (not resolved or closed) on any of these CIs, with the CIs they are on. */
    async openIncidentsOnCis(ciIds: readonly string[]): Promise<{ id: string; number: string; title: string; priority: number; ciIds: string[] }[]> {
      if (ciIds.length === 0) return [];
      const rows = await db
        .selectFrom('incident_cis')
        .innerJoin('incidents', 'incidents.id', 'incident_cis.incident_id')
        .select(['incidents.id', 'incidents.number', 'incidents.title', 'incidents.priority', 'incident_cis.ci_id'])
        .where('incident_cis.ci_id', 'in', [...new Set(ciIds)])
        .where('incidents.state', 'not in', ['resolved', 'closed'])
        .orderBy('incidents.priority')
        .orderBy('incidents.number')
        .execute();
      const found = new Map<string, { id: string; number: string; title: string; priority: number; ciIds: string[] }>();
      for (const r of rows) {
        const entry = found.get(r.id) ?? { id: r.id, number: r.number, title: r.title, priority: r.priority, ciIds: [] };
        entry.ciIds.push(r.ci_id);
        found.set(r.id, entry);
      }
      return [...found.values()];
    },
  };
}
export type TemplateRepository = ReturnType<typeof createTemplateRepository>;
