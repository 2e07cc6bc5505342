import assert from 'node:assert/strict';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Harness } from './cabinet';

/** Runs SQL on a connection of its own, as an operator (or another process) would by hand. */
export async function byHand(h: Harness, statement: string): Promise<void> {
  if (h.engine === 'sqlite') {
    const db = new SqliteDatabase(h.url.slice('sqlite:'.length));
    try {
      db.exec(statement);
    } finally {
      db.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: h.url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Waits until the store may remember answers (on PostgreSQL, once its listening connection is up, which it
 * opens on first use), so the requests that follow are answered from memory where they can be.
 */
export async function remembering(h: Harness): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await h.cabinet.store.freshness.settle()) === null) {
    assert.ok(Date.now() < deadline, 'the store never started remembering');
    await new Promise((r) => setTimeout(r, 20));
  }
}
