import type { Kysely } from 'kysely';

/**
 * A person's time zone (issue 11): the IANA zone the web app shows their times in. Null means "the browser's",
 * so everyone who has not chosen one keeps seeing their device's local time.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('time_zone', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('time_zone').execute();
}
