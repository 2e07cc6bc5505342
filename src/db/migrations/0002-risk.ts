import type { Kysely } from 'kysely';
import { helpersFor } from '../dialect';

/** Risk on each change (score, level, the factors that made it, the policy version) and its override. */
export async function up(db: Kysely<any>): Promise<void> {
  const { timestampType: ts, jsonType: json } = helpersFor(db);
  // NOTE: SQLite adds one column per ALTER TABLE statement, so each column is its own statement.
  const columns: [string, string, boolean][] = [
    ['backout_tested', 'boolean', true],
    ['risk_score', 'integer', false],
    ['risk_level', 'text', false],
    ['risk_factors', json, false],
    ['risk_policy_version', 'integer', false],
    ['risk_override_level', 'text', false],
    ['risk_override_reason', 'text', false],
    ['risk_override_by', 'text', false],
    ['risk_override_at', ts, false],
  ];
  for (const [name, type, isFlag] of columns) {
    await db.schema
      .alterTable('changes')
      .addColumn(name, type as 'text', (c) => (isFlag ? c.notNull().defaultTo(false) : c))
      .execute();
  }
  await db.schema.createIndex('changes_risk_level_idx').on('changes').column('risk_level').execute();
  // Team and CI history look up recently finished changes.
  await db.schema.createIndex('changes_team_end_idx').on('changes').columns(['assignment_team_id', 'actual_end']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('changes_team_end_idx').execute();
  await db.schema.dropIndex('changes_risk_level_idx').execute();
  for (const name of ['risk_override_at', 'risk_override_by', 'risk_override_reason', 'risk_override_level', 'risk_policy_version', 'risk_factors', 'risk_level', 'risk_score', 'backout_tested']) {
    await db.schema.alterTable('changes').dropColumn(name).execute();
  }
}
