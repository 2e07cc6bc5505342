import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemActor } from '../src/domain/actor';
import { ROLES } from '../src/domain/auth/roles';
import { cabinet, eachEngine, jsonFailure, oneLineFailure, show, withServices } from './support/cli';

/** Creates people through the services, as an administrator would have before. */
async function seedPeople(url: string): Promise<{ ada: string; bob: string }> {
  return withServices(url, async (s) => {
    const ada = await s.accounts.createUser(systemActor(), { email: 'ada@example.com', name: 'Ada Lovelace', password: 'ada-password-1', roles: ['change_manager'], teamIds: [] });
    const bob = await s.accounts.createUser(systemActor(), { email: 'bob@example.com', name: 'Bob Dylan', password: 'bob-password-1', roles: ['requester', 'approver'], teamIds: [] });
    return { ada: ada.id, bob: bob.id };
  });
}

/** The rows of a table the CLI printed, as arrays of cells (columns are two or more spaces apart). */
const rowsOf = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/ {2,}/));

describe('cabinet team, user and token commands', { concurrency: 2 }, () => {
  eachEngine('creates a team with members named by email and lists it with their emails; a taken handle is refused', async (url) => {
    const { ada } = await seedPeople(url);
    const created = await cabinet(['team', 'create', '--name', 'Database Administrators', '--handle', 'dba', '--member', 'ada@example.com'], { DATABASE_URL: url });
    assert.equal(created.code, 0, show(created));
    assert.match(created.stdout, /^Created team dba \(Database Administrators, \S+\) with 1 member\(s\)\.\n$/);
    const noHandle = await cabinet(['team', 'create', '--name', 'Network Engineering', '--json'], { DATABASE_URL: url });
    assert.equal(noHandle.code, 0, show(noHandle));
    assert.equal((JSON.parse(noHandle.stdout) as { handle: string }).handle, 'network-engineering', 'the handle comes from the name');

    const list = await cabinet(['team', 'list'], { DATABASE_URL: url });
    assert.equal(list.code, 0, show(list));
    const rows = rowsOf(list.stdout);
    assert.deepEqual(rows[0], ['HANDLE', 'NAME', 'MEMBERS', 'ID']);
    assert.deepEqual(
      rows.slice(1).map((r) => r.slice(0, 3)),
      [
        ['dba', 'Database Administrators', 'ada@example.com'],
        ['network-engineering', 'Network Engineering', '-'],
      ],
    );
    const json = JSON.parse((await cabinet(['team', 'list', '--json'], { DATABASE_URL: url })).stdout) as { items: { handle: string; memberIds: string[]; members: string[] }[] };
    const dba = json.items.find((t) => t.handle === 'dba')!;
    assert.deepEqual([dba.memberIds, dba.members], [[ada], ['ada@example.com']]);

    const taken = await cabinet(['team', 'create', '--name', 'DBAs again', '--handle', 'dba'], { DATABASE_URL: url });
    assert.match(oneLineFailure(taken), /the handle "dba" is taken/);
    const takenJson = jsonFailure(await cabinet(['team', 'create', '--name', 'DBAs again', '--handle', 'dba', '--json'], { DATABASE_URL: url }));
    assert.equal(takenJson.code, 'already_exists');
    const unknown = jsonFailure(await cabinet(['team', 'create', '--name', 'Ghosts', '--member', 'nobody@example.com', '--handle', 'Not A Handle', '--json'], { DATABASE_URL: url }));
    assert.deepEqual(
      unknown.problems.map((p) => p.path).sort(),
      ['handle', 'member.0'],
      'every problem at once: the bad handle and the unknown member',
    );
    assert.equal(await withServices(url, async (s) => (await s.accounts.listTeams(systemActor())).length), 2);
  });

  eachEngine('lists users with roles, teams and status, filtered by --query, and as JSON', async (url) => {
    await seedPeople(url);
    await cabinet(['team', 'create', '--name', 'CAB', '--handle', 'cab', '--member', 'bob@example.com'], { DATABASE_URL: url });
    const r = await cabinet(['user', 'list'], { DATABASE_URL: url });
    assert.equal(r.code, 0, show(r));
    assert.deepEqual(rowsOf(r.stdout), [
      ['EMAIL', 'NAME', 'ROLES', 'TEAMS', 'STATUS'],
      ['ada@example.com', 'Ada Lovelace', 'change_manager', '-', 'active'],
      ['bob@example.com', 'Bob Dylan', 'approver, requester', 'cab', 'active'],
    ]);
    const bob = await cabinet(['user', 'list', '--query', 'dylan', '--json'], { DATABASE_URL: url });
    assert.equal(bob.code, 0, show(bob));
    assert.deepEqual(
      (JSON.parse(bob.stdout) as { items: { email: string }[] }).items.map((u) => u.email),
      ['bob@example.com'],
    );
    const none = await cabinet(['user', 'list', '--query', 'nobody'], { DATABASE_URL: url });
    assert.equal(none.stdout, 'No user matches "nobody".\n');
  });

  eachEngine('lists API tokens without their secrets and revokes one by id or prefix, after which it no longer signs in', async (url) => {
    await seedPeople(url);
    const created = await Promise.all([
      cabinet(['token', 'create', '--user', 'ada@example.com', '--name', 'deploys'], { DATABASE_URL: url }),
      cabinet(['token', 'create', '--user', 'bob@example.com', '--name', 'laptop'], { DATABASE_URL: url }),
    ]);
    for (const c of created) assert.equal(c.code, 0, show(c));
    const [adaSecret, bobSecret] = created.map((c) => c.stdout.trim());

    const list = await cabinet(['token', 'list'], { DATABASE_URL: url });
    assert.equal(list.code, 0, show(list));
    assert.ok(!list.stdout.includes(adaSecret!) && !list.stdout.includes(bobSecret!), 'no secret is printed');
    const rows = rowsOf(list.stdout);
    assert.deepEqual(rows[0], ['ID', 'PREFIX', 'NAME', 'USER', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED']);
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => [r[1], r[2], r[3], r[4]])
        .sort((a, b) => a[1]!.localeCompare(b[1]!)),
      [
        [`${adaSecret!.slice(0, 12)}…`, 'deploys', 'ada@example.com', 'active'],
        [`${bobSecret!.slice(0, 12)}…`, 'laptop', 'bob@example.com', 'active'],
      ],
    );
    const adaId = rows.find((r) => r[2] === 'deploys')![0]!;

    const byUser = JSON.parse((await cabinet(['token', 'list', '--user', 'bob@example.com', '--json'], { DATABASE_URL: url })).stdout) as { items: { name: string; userEmail: string; status: string }[] };
    assert.deepEqual(byUser.items, [{ ...byUser.items[0]!, name: 'laptop', userEmail: 'bob@example.com', status: 'active' }]);

    const revoked = await cabinet(['token', 'revoke', adaId], { DATABASE_URL: url });
    assert.equal(revoked.code, 0, show(revoked));
    assert.equal(revoked.stdout, `Revoked token ${adaSecret!.slice(0, 12)}… (deploys) of ada@example.com.\n`);
    const byPrefix = await cabinet(['token', 'revoke', `${bobSecret!.slice(0, 12)}…`, '--json'], { DATABASE_URL: url });
    assert.equal(byPrefix.code, 0, show(byPrefix));
    assert.deepEqual(JSON.parse(byPrefix.stdout), { ok: true, id: JSON.parse(byPrefix.stdout).id, prefix: bobSecret!.slice(0, 12), name: 'laptop', user: 'bob@example.com', alreadyRevoked: false });

    await withServices(url, async (s) => {
      assert.equal(await s.auth.authenticateToken(adaSecret!, 'test'), null, 'a revoked token no longer signs in');
      assert.equal(await s.auth.authenticateToken(bobSecret!, 'test'), null);
    });
    const after = rowsOf((await cabinet(['token', 'list'], { DATABASE_URL: url })).stdout);
    assert.deepEqual(
      after.slice(1).map((r) => r[4]),
      ['revoked', 'revoked'],
    );
    const again = await cabinet(['token', 'revoke', adaId], { DATABASE_URL: url });
    assert.equal(again.stdout, `Token ${adaSecret!.slice(0, 12)}… (deploys) of ada@example.com was already revoked.\n`);

    assert.match(oneLineFailure(await cabinet(['token', 'revoke', 'no-such-token'], { DATABASE_URL: url })), /No API token no-such-token/);
    const json = jsonFailure(await cabinet(['token', 'revoke', 'no-such-token', '--json'], { DATABASE_URL: url }));
    assert.match(json.problems[0]!.message, /No API token no-such-token/);
    const unknownUser = jsonFailure(await cabinet(['token', 'list', '--user', 'nobody@example.com', '--json'], { DATABASE_URL: url }));
    assert.equal(unknownUser.problems[0]!.message, 'No user with email nobody@example.com.');
  });
});

describe('cabinet user create --help', () => {
  it('names every role a person can be given, the pipeline and stakeholder roles too', async () => {
    const r = await cabinet(['user', 'create', '--help']);
    assert.equal(r.code, 0, show(r));
    const listed = r.stdout.replace(/\s+/g, ' ');
    for (const role of ROLES) assert.match(listed, new RegExp(`[:,] ${role}[, ]`), `${role} is missing\n${show(r)}`);
  });
});
