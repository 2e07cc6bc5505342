import { sql, type Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * DORA read from a daily rollup instead of a year of rows (issue 14's budget: a year of 100,000 deployments of
 * one service in under 300 ms on each engine). Kept by the deployment repository in the transaction of every
 * deployment write, under a lock per service (or no service) and environment on PostgreSQL:
 *
 * - `deployment_days`: per service (`''` for none), environment, production flag and UTC day, the finished
 *   deployments (`total`), the successful ones, the lead times of the pull requests counted that day (their first
 *   successful deployment, migration 0035) joined by commas, and how many deployments they came with. A period
 *   reads its whole days here and its two partial edge days from the base tables, so the figures stay exact.
 * - `deployment_next_successes`: per finished deployment, the finish of the next successful deployment of the
 *   same service and environment (same repository and environment without a service): a failure's restoration
 *   when no incident says otherwise. NOTE (concurrency): a table of its own, not a column of `deployments`, so a
 *   writer refreshing the rows of others never waits on a deployment row another writer holds (`findByExternal`
 *   locks it) while that writer waits on the lock this one holds.
 *
 * Partial indexes find a period's failed deployments and those with a change without walking every deployment;
 * an index on incidents finds those that may be inferred. Existing rows are filled in here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { name, timestampType: ts } = helpersFor(db);
  await db.schema
    .createTable('deployment_days')
    .addColumn('service_id', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('production', 'integer', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('total', 'integer', (c) => c.notNull())
    .addColumn('successes', 'integer', (c) => c.notNull())
    .addColumn('lead_seconds', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('lead_deployments', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('deployment_days_pk', ['service_id', 'production', 'environment', 'day'])
    .execute();
  await db.schema
    .createTable('deployment_next_successes')
    .addColumn('deployment_id', 'text', (c) => c.primaryKey())
    .addColumn('next_success_at', ts)
    // NOTE (speed): on SQLite the rows live in the key's b-tree, so a failure's next success is one lookup, not two.
    .$call((t) => (name === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
    .execute();

  const joined = name === 'postgres' ? sql`string_agg(cast(lead_seconds as text), ',')` : sql`group_concat(lead_seconds, ',')`;
  await sql`
    insert into deployment_days (service_id, environment, production, day, total, successes, lead_seconds, lead_deployments)
    select coalesce(service_id, ''), environment, production, finished_day, count(*), sum(case when status = 'success' then 1 else 0 end), '', 0
    from deployments where status in ('success', 'failure') and finished_day is not null
    group by coalesce(service_id, ''), environment, production, finished_day`.execute(db);
  await sql`
    update deployment_days set lead_seconds = l.seconds, lead_deployments = l.marks
    from (
      select coalesce(service_id, '') as service_id, environment, production, finished_day, ${joined} as seconds, sum(deployment_mark) as marks
      from deployment_pull_requests where first_deployment = 1 and lead_seconds is not null and finished_day is not null
      group by coalesce(service_id, ''), environment, production, finished_day
    ) l
    where deployment_days.service_id = l.service_id and deployment_days.environment = l.environment
      and deployment_days.production = l.production and deployment_days.day = l.finished_day`.execute(db);
  await sql`
    insert into deployment_next_successes (deployment_id, next_success_at)
    select d.id, (
      select min(n.finished_at) from deployments n
      where n.service_id = d.service_id and n.production = d.production and n.environment = d.environment
        and n.status = 'success' and n.finished_at > d.finished_at
    ) from deployments d where d.service_id is not null and d.status in ('success', 'failure') and d.finished_at is not null`.execute(db);
  await sql`
    insert into deployment_next_successes (deployment_id, next_success_at)
    select d.id, (
      select min(n.finished_at) from deployments n
      where n.service_id is null and n.repository = d.repository and n.environment = d.environment
        and n.status = 'success' and n.finished_at > d.finished_at
    ) from deployments d where d.service_id is null and d.status in ('success', 'failure') and d.finished_at is not null`.execute(db);

  // NOTE (speed): the reads name these predicates as literals, so both engines can use the partial indexes.
  await sql`create index deployments_failed_idx on deployments (service_id, production, finished_at, environment, id) where status = 'failure'`.execute(db);
  await sql`create index deployments_changed_idx on deployments (service_id, production, finished_at, status, environment, change_id, id) where change_id is not null`.execute(db);
  // The incidents that may be inferred (no change named as their cause) of a service over a period, from the index alone.
  await db.schema.createIndex('incidents_dora_idx').on('incidents').columns(['service_id', 'caused_by_change_id', 'opened_at', 'id', 'resolved_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('incidents_dora_idx').execute();
  await db.schema.dropIndex('deployments_changed_idx').execute();
  await db.schema.dropIndex('deployments_failed_idx').execute();
  await db.schema.dropTable('deployment_next_successes').execute();
  await db.schema.dropTable('deployment_days').execute();
}
