import { sql, type Kysely } from 'kysely';

/**
 * Lead time for changes read as figures per day instead of row by row (issue 14's DORA budget: a year of 100,000
 * deployments in under 300 ms). A pull request counts once, at its first successful deployment to a service and
 * environment; which row that is is now decided when deployments are written, not on every read:
 *
 * - `first_key`: the pull request at a service and environment (`lower(repository)#number#service#environment`).
 * - `first_deployment`: 1 on the row of the first finished successful deployment (finish, then deployment id)
 *   among the rows of its `first_key`; 0 on the others. Kept by the deployment repository under a lock per key.
 * - `deployment_mark`: 1 on one counted row (the lowest pull request number) of each deployment that has any,
 *   so the deployments behind the figure are counted by a sum.
 *
 * Existing rows are filled in here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('deployment_pull_requests').addColumn('first_key', 'text').execute();
  await db.schema.alterTable('deployment_pull_requests').addColumn('first_deployment', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('deployment_pull_requests').addColumn('deployment_mark', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`update deployment_pull_requests set first_key = lower(repository) || '#' || cast(number as text) || '#' || coalesce(service_id, '') || '#' || environment`.execute(db);
  await sql`
    update deployment_pull_requests set first_deployment = 1
    where (deployment_id, number) in (
      select deployment_id, number from (
        select deployment_id, number, row_number() over (partition by first_key order by finished_at, deployment_id) as rn
        from deployment_pull_requests where lead_seconds is not null and finished_at is not null
      ) ranked where rn = 1
    )`.execute(db);
  await sql`
    update deployment_pull_requests set deployment_mark = 1
    where (deployment_id, number) in (
      select deployment_id, min(number) from deployment_pull_requests where first_deployment = 1 group by deployment_id
    )`.execute(db);
  await db.schema.createIndex('deployment_prs_first_key_idx').on('deployment_pull_requests').columns(['first_key', 'finished_at', 'deployment_id']).execute();
  // The lead-time read: a service's counted rows over a period, every column it needs in the index.
  await db.schema
    .createIndex('deployment_prs_counted_idx')
    .on('deployment_pull_requests')
    .columns(['service_id', 'production', 'first_deployment', 'finished_at', 'finished_day', 'lead_seconds', 'deployment_mark', 'environment', 'deployment_id'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('deployment_prs_counted_idx').execute();
  await db.schema.dropIndex('deployment_prs_first_key_idx').execute();
  await db.schema.alterTable('deployment_pull_requests').dropColumn('deployment_mark').execute();
  await db.schema.alterTable('deployment_pull_requests').dropColumn('first_deployment').execute();
  await db.schema.alterTable('deployment_pull_requests').dropColumn('first_key').execute();
}
