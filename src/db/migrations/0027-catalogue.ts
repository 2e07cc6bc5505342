import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * The standard change catalogue (issue 13, points 1 to 4; docs/catalogue.md).
 *
 * - `change_templates.state`: draft, proposed, active, suspended or retired (`active` stays, true exactly when
 *   the state is active; existing templates become active or retired by it). `category`, `owner_team_id` and
 *   `eligibility` (JSON, null: none) describe a catalogue entry. `content_version` is the number of the version in
 *   force; `pending_version` the proposed edit waiting for activation (null: none).
 * - `template_versions`: every content version of an entry (`content`, JSON: what a change made from it copies
 *   and its eligibility), proposed, active, superseded or withdrawn, who proposed and who activated it. Each
 *   existing template gets its version 1, active.
 * - `changes.template_version`: the content version a change was made from (pinned when filed; existing
 *   changes from a template are pinned to 1).
 * - `change_checks`: a change's latest pre-approval checks (JSON) and, when it was asked for as a standard change
 *   and filed as a normal one, why (`conversion`, JSON).
 * - `template_suspensions`: the suspension log of an entry: suspended or reinstated, by whom, why, automatic or
 *   not, and the numbers behind it (JSON).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const h = helpersFor(db);
  const { timestampType: ts, jsonType: json } = h;
  await db.schema.alterTable('change_templates').addColumn('state', 'text', (c) => c.notNull().defaultTo('active')).execute();
  await db.schema.alterTable('change_templates').addColumn('category', 'text', (c) => c.notNull().defaultTo('')).execute();
  await db.schema.alterTable('change_templates').addColumn('owner_team_id', 'text', (c) => c.references('teams.id').onDelete('set null')).execute();
  await db.schema.alterTable('change_templates').addColumn('eligibility', json).execute();
  await db.schema.alterTable('change_templates').addColumn('content_version', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('change_templates').addColumn('pending_version', 'integer').execute();
  await sql`update change_templates set state = case when active then 'active' else 'retired' end`.execute(db);
  await db.schema.createIndex('change_templates_state_idx').on('change_templates').columns(['state', 'name']).execute();

  await db.schema
    .createTable('template_versions')
    .addColumn('template_id', 'text', (c) => c.notNull().references('change_templates.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('content', json, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('proposed_by', 'text', (c) => c.notNull())
    .addColumn('proposed_at', ts, (c) => c.notNull())
    .addColumn('activated_by', 'text')
    .addColumn('activated_at', ts)
    .addPrimaryKeyConstraint('template_versions_pk', ['template_id', 'number'])
    .execute();
  const templates = await db.selectFrom('change_templates').selectAll().execute();
  for (const t of templates) {
    const content = {
      name: t.name,
      description: t.description,
      type: t.type,
      fields: h.readJson(t.fields),
      ciIds: h.readJson(t.ci_ids),
      assignmentTeamId: t.assignment_team_id,
      category: '',
      ownerTeamId: null,
      eligibility: null,
    };
    await db
      .insertInto('template_versions')
      .values({
        template_id: t.id,
        number: 1,
        state: 'active',
        content: h.writeJson(content),
        note: '',
        proposed_by: t.created_by,
        proposed_at: t.created_at,
        activated_by: t.created_by,
        activated_at: t.created_at,
      })
      .execute();
  }

  await db.schema.alterTable('changes').addColumn('template_version', 'integer').execute();
  await sql`update changes set template_version = 1 where template_id is not null`.execute(db);

  await db.schema
    .createTable('change_checks')
    .addColumn('change_id', 'text', (c) => c.primaryKey().references('changes.id').onDelete('cascade'))
    .addColumn('checks', json, (c) => c.notNull())
    .addColumn('conversion', json)
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('template_suspensions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('template_id', 'text', (c) => c.notNull().references('change_templates.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('cause', 'text', (c) => c.notNull())
    .addColumn('automatic', 'boolean', (c) => c.notNull())
    .addColumn('by_id', 'text', (c) => c.notNull())
    .addColumn('at', ts, (c) => c.notNull())
    .addColumn('numbers', json, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('template_suspensions_template_idx').on('template_suspensions').columns(['template_id', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('template_suspensions').execute();
  await db.schema.dropTable('change_checks').execute();
  await db.schema.alterTable('changes').dropColumn('template_version').execute();
  await db.schema.dropTable('template_versions').execute();
  await db.schema.dropIndex('change_templates_state_idx').execute();
  for (const column of ['pending_version', 'content_version', 'eligibility', 'owner_team_id', 'category', 'state']) {
    await db.schema.alterTable('change_templates').dropColumn(column).execute();
  }
}
