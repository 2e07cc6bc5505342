import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { Kysely } from 'kysely';
import * as m0020 from '../src/db/migrations/0020-outbox-delivery';
import { eachEngine } from './support/cabinet';

// Migration 0020 gives outbox items a state: on a database as 0019 left it (the migration taken back, the rows
// an older Cabinet wrote put in place, then the migration run again), delivered items read as delivered and
// the others as pending, still claimable; the delivery log starts empty.
describe('migration 0020: outbox states and the delivery log', () => {
  eachEngine('marks delivered items delivered and leaves the others pending for the worker', async (h) => {
    const kysely = h.cabinet.store.kysely;
    await m0020.down(kysely);
    const at = new Date(h.now().getTime() - 60_000).toISOString();
    const base = { topic: 'nowhere', payload: JSON.stringify({}), created_at: at, available_at: at, claimed_by: null, claimed_until: null, last_error: null };
    // The outbox as 0019 left it, without a state.
    await (kysely as unknown as Kysely<{ outbox: Record<string, unknown> }>)
      .insertInto('outbox')
      .values([
        { ...base, id: 'old-delivered', attempts: 1, delivered_at: at },
        { ...base, id: 'old-pending', attempts: 3, delivered_at: null, last_error: 'boom' },
      ])
      .execute();
    await m0020.up(kysely);

    const repos = h.cabinet.store.repos;
    assert.equal((await repos.outbox.find('old-delivered'))!.state, 'delivered');
    const pending = (await repos.outbox.find('old-pending'))!;
    assert.equal(pending.state, 'pending');
    assert.equal(pending.attempts, 3);
    assert.deepEqual(await repos.outbox.claimable(h.now().toISOString(), 10), ['old-pending']);
    assert.deepEqual(await repos.deliveries.forItem('old-delivered'), []);
  });
});
