import { sql, type Expression, type Kysely } from 'kysely';
import type { Change } from '../../contracts/change';
import type { TemplateFields, TemplateHistory, TemplateSortColumn } from '../../contracts/templates';
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
function sortValueOf(column: TemplateSortColumn, since: string | undefined): Expression<unknown> {
  switch (column) {
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

/** A change template as stored: what it fills in on a new change. */
export interface TemplateRecord {
  id: string;
  name: string;
  description: string;
  type: Change['type'];
  fields: TemplateFields;
  ciIds: string[];
  assignmentTeamId: string | null;
  active: boolean;
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
    active: h.readBool(r.active),
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
    active: h.writeBool(t.active) as boolean,
    version: t.version,
    created_by: t.createdBy,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  });

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
    async findById(id: string): Promise<TemplateRecord | null> {
      const row = await db.selectFrom('change_templates').selectAll().where('id', '=', id).executeTakeFirst();
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
    async list(f: { active?: boolean; type?: string; q?: string; sort?: KeysetSort<TemplateSortColumn>; since?: string; limit: number }): Promise<ListedTemplate[]> {
      const sort = f.sort ?? { column: 'name', descending: false };
      const value = sortValueOf(sort.column, f.since);
      let q = db.selectFrom('change_templates').selectAll().select(sql<unknown>`${value}`.as('sort_value')).limit(f.limit);
      q = orderByKeyset(q, value, sql.ref('change_templates.id'), sort, false);
      if (f.active !== undefined) q = q.where('active', '=', h.writeBool(f.active) as boolean);
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
    async historyOf(templateIds: string[], since: string, excludeChangeId?: string): Promise<Map<string, TemplateHistory>> {
      const found = new Map<string, TemplateHistory>();
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
  };
}
export type TemplateRepository = ReturnType<typeof createTemplateRepository>;
