import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { openStore, type Store } from '../src/db/database';
import type { Repositories } from '../src/db/repositories';
import { ChainVerifier } from '../src/domain/audit/chain';
import { InputError } from '../src/domain/errors';
import { ENGINES } from './support/cabinet';
import { createTestDatabase } from './support/databases';

const AT = '2026-12-06T12:00:00.000Z';

/** A service named `name`, and an audit event saying so, in the caller's transaction. */
async function addService(repos: Repositories, name: string): Promise<string> {
  const id = randomUUID();
  await repos.cmdb.insertService({ id, name, description: '', tier: 3, ownerTeamId: null, tags: [], provider: 'on_premises', requiresMaintenanceWindow: false, version: 1, createdAt: AT, updatedAt: AT });
  await repos.audit.append({ at: AT, actorId: 'system', actorName: 'test', action: 'service.created', entityType: 'service', entityId: id, data: { name } });
  return id;
}

async function withStore(engine: (typeof ENGINES)[number]['engine'], work: (store: Store) => Promise<void>): Promise<void> {
  const db = await createTestDatabase(engine);
  const store = openStore(db.url, { checkTransactions: true });
  try {
    await store.migrate();
    await work(store);
  } finally {
    await store.close();
    await db.drop();
  }
}

/** Every service's name, and whether the audit chain is whole with one event per service. */
async function stored(store: Store): Promise<{ names: string[]; chainOk: boolean; events: number }> {
  const names = (await store.kysely.selectFrom('services').select('name').orderBy('name').execute()).map((r) => r.name);
  const rows = await store.kysely.selectFrom('audit_events').selectAll().orderBy('seq').execute();
  const verifier = new ChainVerifier();
  for (const r of rows) {
    verifier.push({ seq: Number(r.seq), at: r.at, actorId: r.actor_id, actorName: r.actor_name, action: r.action, entityType: r.entity_type, entityId: r.entity_id, data: JSON.parse(r.data) as Record<string, unknown>, prevHash: r.prev_hash, hash: r.hash });
  }
  return { names, chainOk: verifier.result().ok, events: rows.filter((r) => r.action === 'service.created').length };
}

describe('group commit', () => {
  for (const { engine, skip } of ENGINES) {
    it(`transactions arriving together each commit, see the writes before them, and keep the audit chain whole [${engine}]`, { skip }, async () => {
      await withStore(engine, async (store) => {
        const names = Array.from({ length: 40 }, (_, i) => `svc-${String(i).padStart(2, '0')}`);
        const ids = await Promise.all(names.map((name) => store.transaction((repos) => addService(repos, name), { group: true })));
        assert.equal(new Set(ids).size, 40);
        const after = await stored(store);
        assert.deepEqual(after.names, names);
        assert.equal(after.events, 40);
        assert.ok(after.chainOk, 'the audit chain verifies');
        const stats = store.groupCommitStats()!;
        assert.equal(stats.members, 40);
        assert.ok(stats.shared >= 1 && stats.transactions < 40, `some transactions were shared: ${JSON.stringify(stats)}`);
      });
    });

    it(`a member refused before writing fails alone; one that fails after writing leaves nothing, and the others commit [${engine}]`, { skip }, async () => {
      await withStore(engine, async (store) => {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 30 }, (_, i) =>
            store.transaction(async (repos) => {
              if (i % 10 === 3) {
                // Recorded an event (buffered, not yet written), then refused: the event must not land.
                await repos.audit.append({ at: AT, actorId: 'system', actorName: 'test', action: 'service.created', entityType: 'service', entityId: `refused-${i}`, data: {} });
                throw new InputError('refused by reading', [{ path: 'name', message: 'no' }]);
              }
              const id = await addService(repos, `svc-${String(i).padStart(2, '0')}`);
              // Wrote, then failed: its service and its audit event must not remain.
              if (i % 10 === 7) throw new Error('failed after writing');
              return id;
            }, { group: true }),
          ),
        );
        const failed = outcomes.map((o, i) => [i, o] as const).filter(([, o]) => o.status === 'rejected');
        assert.deepEqual(failed.map(([i]) => i), [3, 7, 13, 17, 23, 27]);
        for (const [i, o] of failed) {
          const reason = (o as PromiseRejectedResult).reason as Error;
          assert.equal(reason.message, i % 10 === 3 ? 'refused by reading' : 'failed after writing');
        }
        const after = await stored(store);
        const expected = Array.from({ length: 30 }, (_, i) => i).filter((i) => i % 10 !== 3 && i % 10 !== 7).map((i) => `svc-${String(i).padStart(2, '0')}`);
        assert.deepEqual(after.names, expected);
        assert.equal(after.events, expected.length);
        assert.ok(after.chainOk);
      });
    });

    it(`a database error in one member (a duplicate name) fails that member only [${engine}]`, { skip }, async () => {
      await withStore(engine, async (store) => {
        const names = ['alpha', 'beta', 'ALPHA', 'gamma', 'delta', 'Beta', 'epsilon'];
        const outcomes = await Promise.allSettled(names.map((name) => store.transaction((repos) => addService(repos, name), { group: true })));
        const refused = names.filter((_, i) => outcomes[i]!.status === 'rejected');
        // Whichever of each pair ran second is refused (names are unique regardless of case).
        assert.equal(refused.length, 2);
        const after = await stored(store);
        assert.equal(after.names.length, 5);
        assert.equal(new Set(after.names.map((n) => n.toLowerCase())).size, 5);
        assert.equal(after.events, 5);
        assert.ok(after.chainOk);
      });
    });

    it(`off, every transaction is its own [${engine}]`, { skip }, async () => {
      const db = await createTestDatabase(engine);
      const store = openStore(db.url, { groupCommit: false });
      try {
        await store.migrate();
        await Promise.all(['a', 'b', 'c'].map((name) => store.transaction((repos) => addService(repos, name), { group: true })));
        assert.deepEqual((await stored(store)).names, ['a', 'b', 'c']);
        assert.equal(store.groupCommitStats(), null);
      } finally {
        await store.close();
        await db.drop();
      }
    });
  }
});
