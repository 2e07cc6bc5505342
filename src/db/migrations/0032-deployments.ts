import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/**
 * Deployments on record, unauthorized changes and their blameless reviews (issue 14 points 7 to 9,
 * docs/deployments.md, docs/dora.md).
 *
 * - `deployments`: one per deployment; `(source, external_id)` unique, so a deployment reported as started and
 *   then as finished stays one row (both engines let several rows leave `external_id` null). `production` (0/1)
 *   is what policy said of its environment when it was recorded; `finished_day` the UTC day it finished (days
 *   since 1970-01-01), so DORA groups by day with the same SQL on both engines. `coverage` is what the
 *   unauthorized check found: covered, unauthorized, not_production (null until it ran). DORA reads
 *   `(service_id, production, finished_at, …)`, which covers what it reads, and `(production, finished_at)`: a
 *   year of one service is one index range.
 * - `deployment_cis`: the CIs it targeted (`(ci_id, deployment_id)` for the CI filter).
 * - `deployment_pull_requests`: what it shipped; `lead_seconds` from the first commit to the deployment
 *   finishing, with the deployment's service, environment and finish copied beside it so lead time over a year
 *   is one index range too.
 * - `deployment_incidents`: incidents linked to a deployment explicitly.
 * - `unauthorized_changes`: one per CI (or service, or repository when it names neither) per quiet period;
 *   `scope_key` is `ci:ID`, `service:ID` or `repository:NAME`. The review's answers are columns; nothing here
 *   names a person but the reviewer (no counts per person are ever computed).
 * - `unauthorized_change_deployments`: the deployments that raised or joined each.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts } = helpersFor(db);
  await db.schema
    .createTable('deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text')
    .addColumn('shape', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('production', 'integer', (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('sha', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('pipeline_id', 'text')
    .addColumn('pipeline_run_id', 'text')
    .addColumn('pipeline_attempt', 'integer')
    .addColumn('pipeline_url', 'text')
    .addColumn('actor', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('started_at', ts, (c) => c.notNull())
    .addColumn('finished_at', ts)
    .addColumn('finished_day', 'integer')
    .addColumn('change_id', 'text', (c) => c.references('changes.id').onDelete('set null'))
    .addColumn('change_link', 'text')
    .addColumn('coverage', 'text')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('deployments_external_idx').on('deployments').columns(['source', 'external_id']).unique().execute();
  // NOTE (speed): covering every column DORA reads of a deployment, so a year of one service is read from the
  // index alone (an index-only scan on PostgreSQL), not 100,000 row lookups.
  await db.schema
    .createIndex('deployments_service_prod_idx')
    .on('deployments')
    .columns(['service_id', 'production', 'finished_at', 'status', 'change_id', 'finished_day', 'id'])
    .execute();
  await db.schema.createIndex('deployments_prod_idx').on('deployments').columns(['production', 'finished_at']).execute();
  await db.schema.createIndex('deployments_change_idx').on('deployments').column('change_id').execute();
  await db.schema.createIndex('deployments_started_idx').on('deployments').columns(['started_at', 'id']).execute();
  await db.schema.createIndex('deployments_run_idx').on('deployments').columns(['repository', 'pipeline_run_id']).execute();

  await db.schema
    .createTable('deployment_cis')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('ci_id', 'text', (c) => c.notNull().references('cis.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('deployment_cis_pk', ['deployment_id', 'ci_id'])
    .execute();
  await db.schema.createIndex('deployment_cis_ci_idx').on('deployment_cis').columns(['ci_id', 'deployment_id']).execute();

  await db.schema
    .createTable('deployment_pull_requests')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('url', 'text')
    .addColumn('title', 'text')
    .addColumn('author', 'text')
    .addColumn('first_commit_at', ts)
    .addColumn('merged_at', ts)
    .addColumn('lead_seconds', 'integer')
    .addColumn('service_id', 'text')
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('production', 'integer', (c) => c.notNull())
    .addColumn('finished_at', ts)
    .addColumn('finished_day', 'integer')
    .addPrimaryKeyConstraint('deployment_pull_requests_pk', ['deployment_id', 'number'])
    .execute();
  await db.schema
    .createIndex('deployment_prs_service_idx')
    .on('deployment_pull_requests')
    .columns(['service_id', 'production', 'finished_at', 'lead_seconds', 'finished_day', 'repository', 'number', 'deployment_id'])
    .execute();
  await db.schema.createIndex('deployment_prs_prod_idx').on('deployment_pull_requests').columns(['production', 'finished_at']).execute();

  await db.schema
    .createTable('deployment_incidents')
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', ts, (c) => c.notNull())
    .addPrimaryKeyConstraint('deployment_incidents_pk', ['deployment_id', 'incident_id'])
    .execute();
  await db.schema.createIndex('deployment_incidents_incident_idx').on('deployment_incidents').column('incident_id').execute();
  // DORA's inferred links read a service's incidents by when they opened.
  await db.schema.createIndex('incidents_service_opened_idx').on('incidents').columns(['service_id', 'opened_at']).execute();

  await db.schema
    .createTable('unauthorized_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('scope_key', 'text', (c) => c.notNull())
    .addColumn('service_id', 'text', (c) => c.references('services.id').onDelete('set null'))
    .addColumn('ci_id', 'text', (c) => c.references('cis.id').onDelete('set null'))
    .addColumn('repository', 'text', (c) => c.notNull())
    .addColumn('environment', 'text', (c) => c.notNull())
    .addColumn('first_seen_at', ts, (c) => c.notNull())
    .addColumn('last_seen_at', ts, (c) => c.notNull())
    .addColumn('quiet_until', ts, (c) => c.notNull())
    .addColumn('deployment_count', 'integer', (c) => c.notNull())
    .addColumn('cause', 'text')
    .addColumn('cause_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('fix_kind', 'text')
    .addColumn('fix_text', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('fix_link_kind', 'text')
    .addColumn('fix_link_id', 'text')
    .addColumn('outcome', 'text')
    .addColumn('authorised_change_id', 'text', (c) => c.references('changes.id').onDelete('set null'))
    .addColumn('notes', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', ts)
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('unauthorized_changes_scope_idx').on('unauthorized_changes').columns(['scope_key', 'quiet_until']).execute();
  await db.schema.createIndex('unauthorized_changes_state_idx').on('unauthorized_changes').columns(['state', 'created_at']).execute();
  await db.schema.createIndex('unauthorized_changes_service_idx').on('unauthorized_changes').columns(['service_id', 'created_at']).execute();

  await db.schema
    .createTable('unauthorized_change_deployments')
    .addColumn('unauthorized_id', 'text', (c) => c.notNull().references('unauthorized_changes.id').onDelete('cascade'))
    .addColumn('deployment_id', 'text', (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('unauthorized_change_deployments_pk', ['unauthorized_id', 'deployment_id'])
    .execute();
  await db.schema.createIndex('unauthorized_deployments_idx').on('unauthorized_change_deployments').columns(['deployment_id', 'unauthorized_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('unauthorized_change_deployments').execute();
  await db.schema.dropTable('unauthorized_changes').execute();
  await db.schema.dropIndex('incidents_service_opened_idx').execute();
  await db.schema.dropTable('deployment_incidents').execute();
  await db.schema.dropTable('deployment_pull_requests').execute();
  await db.schema.dropTable('deployment_cis').execute();
  await db.schema.dropTable('deployments').execute();
}
