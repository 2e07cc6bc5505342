import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001-core';
import * as m0002 from './0002-risk';
import * as m0003 from './0003-approvals';

/** Every migration, in order. Landed migrations are frozen: add a new file instead of editing one. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-core': m0001,
  '0002-risk': m0002,
  '0003-approvals': m0003,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
