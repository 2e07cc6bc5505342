import assert from 'node:assert/strict';
import { describe, eachEngine, type Harness } from './support/cabinet';
import { byHand, remembering } from './support/other-process';

// A transaction's reads of the users, roles and teams are answered from what other transactions read while no
// process wrote those tables (db/database.ts, db/repositories/memo.ts `shared`), and a risk context's history is
// asked as one statement (db/repositories/risk-history.ts). Every test here checks that an answer is never
// older than the request that reads it, and never holds what a transaction wrote but did not commit.

async function team(h: Harness, handle: string, memberIds: string[]): Promise<string> {
  const found = await h.request('GET', `/api/v1/teams/${handle}`);
  const id = found.status === 200 ? found.body.id : (await h.request('POST', '/api/v1/teams', { body: { name: handle, handle } })).body.id;
  assert.equal((await h.request('PATCH', `/api/v1/teams/${id}`, { body: { memberIds } })).status, 200);
  return id;
}

const file = (h: Harness, title: string) => h.request('POST', '/api/v1/changes', { body: { type: 'normal', title } });

describe('reads shared across transactions', () => {
  eachEngine('a filing routes to the change managers as another process just left them', async (h) => {
    const [first, second] = [await h.userWithToken(['change_manager']), await h.userWithToken(['change_manager'])];
    const [a, b] = [first, second].sort((x, y) => (x.id < y.id ? -1 : 1));
    await team(h, 'change-managers', [a!.id, b!.id]);
    await remembering(h);
    const before = await file(h, 'Routed while both can take it');
    assert.equal(before.status, 201, before.text);
    assert.equal(before.body.changeManagerId, a!.id, 'the first of two equally busy managers');
    // The teams and the eligible managers are remembered now; another process disables the one routing picked.
    await byHand(h, `update users set disabled = ${h.engine === 'sqlite' ? 1 : 'true'} where id = '${a!.id}'`);
    const after = await file(h, 'Routed after one was disabled elsewhere');
    assert.equal(after.status, 201, after.text);
    assert.equal(after.body.changeManagerId, b!.id, 'a disabled manager is never routed to, whoever disabled them');
  });

  eachEngine('a transaction that writes a team reads its own write, and a rolled back one leaves nothing behind', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const cm = await team(h, 'change-managers', [manager.id]);
    await remembering(h);
    assert.equal((await file(h, 'Remembers the team')).body.changeManagerId, manager.id);
    const { store } = h.cabinet;
    // Inside one transaction: the members read, the team emptied, the members read again; then it rolls back.
    await assert.rejects(
      store.transaction(async (repos) => {
        assert.deepEqual(await repos.accounts.eligibleUserIds('team', cm), [manager.id]);
        await repos.accounts.setTeamMembers(cm, []);
        assert.deepEqual(await repos.accounts.eligibleUserIds('team', cm), [], 'the transaction reads its own write');
        throw new Error('rolled back on purpose');
      }),
      /rolled back on purpose/,
    );
    // What the rolled back transaction read after its write was never remembered for others.
    assert.equal((await file(h, 'After the rollback')).body.changeManagerId, manager.id);
    const outside = await store.transaction((repos) => repos.accounts.eligibleUserIds('team', cm));
    assert.deepEqual(outside, [manager.id]);
  });

  eachEngine('one read serves the transactions that follow until a process writes the teams', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const cm = await team(h, 'change-managers', [manager.id]);
    await remembering(h);
    const { store } = h.cabinet;
    const teams = () => store.transaction((repos) => repos.accounts.listTeams());
    const first = await teams();
    await store.freshness.settle();
    const second = await teams();
    // The very records (frozen, shared) of the first read: the second transaction did not ask the database.
    assert.ok(first.length > 0);
    assert.ok(Object.is(second.find((t) => t.id === cm), first.find((t) => t.id === cm)), 'answered from the first read');
    await byHand(h, `update teams set name = 'Change managers (renamed elsewhere)' where id = '${cm}'`);
    await store.freshness.settle();
    const third = await teams();
    assert.equal(third.find((t) => t.id === cm)?.name, 'Change managers (renamed elsewhere)', 'a write by another process is seen by the next request');
  });
});
