import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
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

/** The DATABASE_URL of a PostgreSQL database on the test server. */
function pgUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Creates a database on the engine and returns its DATABASE_URL: empty, or a copy of `template` (a database
 * `prepareTemplate` made, closed before it is copied).
 */
export async function createTestDatabase(engine: EngineName, template?: string): Promise<TestDatabase> {
  if (engine === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'cabinet-test-'));
    const file = path.join(dir, 'cabinet.db');
    if (template) copyFileSync(template, file);
    return { engine, url: `sqlite:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `cabinet_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(template ? `create database ${name} template ${template}` : `create database ${name}`);
  await admin.end();
  const url = pgUrl(name);
  return {
    engine,
    url,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * The test runner's templates: a database every test of a kind starts as a copy of, so that each test does not
 * run the migrations and the first start again (about two thirds of a short test's time). scripts/test-server.js
 * names one set per run in CABINET_TEST_TEMPLATE_KEY and removes them at its end (`dropTemplates`); a file run
 * on its own makes its own set and removes it when it ends.
 */
export const TEMPLATE_KEY = /^[a-z0-9]{1,16}$/.test(process.env.CABINET_TEST_TEMPLATE_KEY ?? '')
  ? process.env.CABINET_TEST_TEMPLATE_KEY!
  : randomBytes(5).toString('hex');
export const OWN_TEMPLATES = TEMPLATE_KEY !== process.env.CABINET_TEST_TEMPLATE_KEY;
const TEMPLATE_DIR = path.join(tmpdir(), `cabinet-templates-${TEMPLATE_KEY}`);

/**
 * The template of `kind` on the engine, made once (across every process of the run) by `build`, which
 * fills the empty database at the URL it is given and closes every connection to it. Returns what
 * `createTestDatabase` takes as its template.
 */
export async function prepareTemplate(engine: EngineName, kind: string, build: (url: string) => Promise<void>): Promise<string> {
  if (!/^[a-z0-9_]+$/.test(kind)) throw new Error(`template kind must be lowercase letters, digits or _: ${kind}`);
  if (engine === 'sqlite') {
    const file = path.join(TEMPLATE_DIR, `${kind}.db`);
    if (existsSync(file)) return file;
    mkdirSync(TEMPLATE_DIR, { recursive: true });
    // Built aside and renamed into place, so another process never copies a half-made file.
    const building = path.join(TEMPLATE_DIR, `${kind}.${process.pid}.${randomBytes(3).toString('hex')}.building`);
    await build(`sqlite:${building}`);
    for (const suffix of ['-wal', '-shm']) rmSync(building + suffix, { force: true });
    renameSync(building, file);
    return file;
  }
  const name = `cabinet_tpl_${TEMPLATE_KEY}_${kind}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    // One process builds it; the others wait on the lock and then find it.
    await admin.query('select pg_advisory_lock(hashtext($1))', [name]);
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!found.rowCount) {
      const building = `${name}_b`;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      await build(pgUrl(building));
      await admin.query(`alter database ${building} rename to ${name}`);
    }
    return name;
  } finally {
    await admin.query('select pg_advisory_unlock(hashtext($1))', [name]).catch(() => {});
    await admin.end();
  }
}

/** Removes the templates of the key: the SQLite files and the PostgreSQL databases (when reachable). */
export async function dropTemplates(key = TEMPLATE_KEY): Promise<void> {
  rmSync(path.join(tmpdir(), `cabinet-templates-${key}`), { recursive: true, force: true });
  if (!(await isPostgresAvailable())) return;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>("select datname from pg_database where datname like $1", [`cabinet_tpl_${key}_%`]);
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
  } finally {
    await admin.end();
  }
}
