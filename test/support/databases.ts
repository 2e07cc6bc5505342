import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * The engines every storage test runs on. PostgreSQL is used when reachable at CABINET_TEST_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/postgres); each test gets a fresh database created from it.
 * Without PostgreSQL the PostgreSQL half is skipped, unless CABINET_REQUIRE_PG=1, when it fails instead.
 */
export const PG_ADMIN_URL = process.env.CABINET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REQUIRE_PG = process.env.CABINET_REQUIRE_PG === '1';

export type EngineName = 'sqlite' | 'postgres';
export interface TestDatabase {
  engine: EngineName;
  url: string;
  drop(): Promise<void>;
}

let pgAvailable: Promise<boolean> | null = null;
export function isPostgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return pgAvailable;
}

/** Engines to run on, and a reason to skip PostgreSQL (null when it runs). */
export async function engines(): Promise<{ engine: EngineName; skip: string | false }[]> {
  const available = await isPostgresAvailable();
  if (!available && REQUIRE_PG) throw new Error(`CABINET_REQUIRE_PG=1 but PostgreSQL is not reachable at ${PG_ADMIN_URL}`);
  return [
    { engine: 'sqlite', skip: false },
    { engine: 'postgres', skip: available ? false : `PostgreSQL not reachable at ${PG_ADMIN_URL}` },
  ];
}

/** Creates an empty database on the engine and returns its DATABASE_URL. */
export async function createTestDatabase(engine: EngineName): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-test-'));
    return { engine, url: `sqlite:${path.join(dir, 'cabinet.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `cabinet_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    engine,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
