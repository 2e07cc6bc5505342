import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openStore, type Store } from '../src/db/database';
import type { DB } from '../src/db/schema';
import { createTestDatabase, isPostgresAvailable, PG_ADMIN_URL, type TestDatabase } from './support/databases';

const available = await isPostgresAvailable();
const skip = available ? false : `PostgreSQL not reachable at ${PG_ADMIN_URL}`;
if (!available && process.env.CABINET_REQUIRE_PG === '1') throw new Error(`CABINET_REQUIRE_PG=1 but PostgreSQL is not reachable at ${PG_ADMIN_URL}`);

/** The statements this store's one connection holds prepared (PostgreSQL's view of its own session). */
async function prepared(store: Store): Promise<{ name: string; statement: string }[]> {
  const { rows } = await sql<{ name: string; statement: string }>`select name, statement from pg_prepared_statements order by name`.execute(store.kysely);
  return rows;
}

describe('PostgreSQL: queries run as prepared statements', { skip }, () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase('postgres');
  });
  after(async () => db?.drop());

  it('prepares a query once per connection: planned for each execution outside transactions, reused inside by PostgreSQL’s rule', async () => {
    const store = openStore(db.url, { poolSize: 1 });
    try {
      await store.migrate();
      const a = await store.repos.accounts.findUserById('nobody');
      const b = await store.repos.accounts.findUserById('nobody-else');
      assert.equal(a, null);
      assert.equal(b, null);
      const statements = (await prepared(store)).filter((s) => s.statement.includes('"users"'));
      assert.equal(statements.length, 1, 'the same SQL with other values reuses one prepared statement');
      const mode = async (db: Kysely<DB>) => (await sql<{ plan_cache_mode: string }>`show plan_cache_mode`.execute(db)).rows[0]!.plan_cache_mode;
      assert.equal(await mode(store.kysely), 'force_custom_plan', 'reads outside a transaction are planned for their values');
      const plans = () => sql<{ generic_plans: number | string; custom_plans: number | string }>`select generic_plans, custom_plans from pg_prepared_statements where statement like ${'%"users"%'}`.execute(store.kysely);
      for (let i = 0; i < 10; i++) await store.repos.accounts.findUserById(`outside-${i}`);
      assert.equal(Number((await plans()).rows[0]!.generic_plans), 0, 'never a plan made once, outside a transaction');
      // Inside transactions (the writes), PostgreSQL's rule: planned for their values five times, then (the plan
      // costing no more) one plan reused; the setting ends with the transaction.
      await store.transaction(async (repos) => {
        for (let i = 0; i < 10; i++) await repos.accounts.findUserById(`inside-${i}`);
      });
      const after = (await plans()).rows[0]!;
      assert.ok(Number(after.generic_plans) >= 5, `a plan reused inside transactions: ${JSON.stringify(after)}`);
      assert.equal(await mode(store.kysely), 'force_custom_plan', 'and only there');
    } finally {
      await store.close();
    }
  });

  it('prepares nothing when told not to (a pooler in transaction mode)', async () => {
    const store = openStore(db.url, { poolSize: 1, preparedStatements: false });
    try {
      await store.repos.accounts.findUserById('nobody');
      assert.deepEqual(await prepared(store), []);
    } finally {
      await store.close();
    }
  });

  it('recovers when another process changes a table under a prepared select *: one query fails, the next ones work', async () => {
    const store = openStore(db.url, { poolSize: 1 });
    const other = new pg.Client({ connectionString: db.url });
    await other.connect();
    try {
      await sql`create table prepared_probe (id text primary key)`.execute(store.kysely);
      await sql`insert into prepared_probe (id) values ('a')`.execute(store.kysely);
      const read = () => sql<Record<string, unknown>>`select * from prepared_probe where id = ${'a'}`.execute(store.kysely);
      assert.deepEqual((await read()).rows, [{ id: 'a' }]);
      // Another process's migration adds a column.
      await other.query(`alter table prepared_probe add column note text not null default 'new'`);
      let failures = 0;
      let rows: Record<string, unknown>[] = [];
      for (let i = 0; i < 3; i++) {
        try {
          rows = (await read()).rows;
        } catch (err) {
          failures++;
          assert.equal((err as { code?: string }).code, '0A000');
        }
      }
      assert.equal(failures, 1, `PostgreSQL refuses the stale statement once, then it is prepared again (failed ${failures} times)`);
      assert.deepEqual(rows, [{ id: 'a', note: 'new' }]);
    } finally {
      await other.end();
      await store.close();
    }
  });
});
