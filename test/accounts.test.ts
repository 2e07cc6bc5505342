import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';

const paths = (res: { body: { error: { details: { issues: { path: string }[] } } } }) =>
  res.body.error.details.issues.map((i) => i.path).sort();
const sortStrings = (values: string[]) => [...values].sort();

async function signIn(h: Harness, email: string, password: string): Promise<{ status: number; cookie: string | null }> {
  const res = await h.request('POST', '/api/v1/auth/login', { token: null, body: { email, password } });
  const setCookie = [res.headers['set-cookie']].flat().find((c): c is string => typeof c === 'string' && c.startsWith('cabinet_session='));
  return { status: res.status, cookie: setCookie ? setCookie.split(';')[0]! : null };
}

/** The audit events of one entity, oldest first, with their data parsed. */
async function auditActions(h: Harness, entityId: string) {
  const rows = await h.cabinet.store.kysely
    .selectFrom('audit_events')
    .select(['action', 'data'])
    .where('entity_id', '=', entityId)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ action: r.action, data: JSON.parse(r.data) }));
}

// Every test has its own database, so the SQLite and PostgreSQL runs of a test may overlap.
describe('accounts', { concurrency: 2 }, () => {
  eachEngine(
    'creates a team with a handle derived from its name, finds it by handle, and refuses a taken handle with 409 already_exists',
    async (h) => {
      // The first start created the policy bundle's teams; this test looks at the ones it adds.
      const policyTeams = new Set((await h.request('GET', '/api/v1/teams')).body.items.map((t: { handle: string }) => t.handle));
      const created = await h.request('POST', '/api/v1/teams', { body: { name: 'Database Admins', description: 'Keeps the databases' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.handle, 'database-admins');
      assert.equal(created.body.name, 'Database Admins');
      assert.deepEqual(created.body.memberIds, []);
      const accented = await h.request('POST', '/api/v1/teams', { body: { name: '  Équipe Réseau & Sécurité ' } });
      assert.equal(accented.status, 201, accented.text);
      assert.equal(accented.body.handle, 'equipe-reseau-securite');
      assert.equal(accented.body.name, 'Équipe Réseau & Sécurité');

      const byHandle = await h.request('GET', '/api/v1/teams/database-admins');
      assert.equal(byHandle.status, 200);
      assert.equal(byHandle.body.id, created.body.id);
      assert.equal(byHandle.body.description, 'Keeps the databases');

      const sameSlug = await h.request('POST', '/api/v1/teams', { body: { name: 'database admins!' } });
      assert.equal(sameSlug.status, 409);
      assert.equal(sameSlug.body.error.code, 'already_exists');
      assert.equal(sameSlug.body.error.details.field, 'handle');
      const explicit = await h.request('POST', '/api/v1/teams', { body: { name: 'DBA', handle: 'database-admins' } });
      assert.equal(explicit.status, 409);
      assert.equal(explicit.body.error.code, 'already_exists');
      const badHandle = await h.request('POST', '/api/v1/teams', { body: { name: '', handle: 'Not A Slug' } });
      assert.equal(badHandle.status, 400);
      assert.deepEqual(paths(badHandle), ['handle', 'name']);

      const list = await h.request('GET', '/api/v1/teams');
      assert.deepEqual(
        list.body.items.map((t: { handle: string }) => t.handle).filter((handle: string) => !policyTeams.has(handle)),
        ['database-admins', 'equipe-reseau-securite'],
      );
      assert.deepEqual(
        (await auditActions(h, created.body.id)).map((e) => e.action),
        ['team.created'],
      );
    },
  );

  eachEngine(
    'creates a user with a normalised email and roles, and refuses a second user with the same email with 400 on path email',
    async (h) => {
      const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Platform' } });
      const created = await h.request('POST', '/api/v1/users', {
        body: {
          email: '  Grace.Hopper@Example.COM ',
          name: 'Grace Hopper',
          password: 'compiler-1952',
          roles: ['requester', 'approver', 'requester'],
          teamIds: [team.body.id],
        },
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(typeof created.body.id, 'string');
      assert.equal(created.body.email, 'grace.hopper@example.com');
      assert.equal(created.body.disabled, false);
      assert.deepEqual(created.body.roles, [
        { role: 'approver', scopeType: null, scopeId: null },
        { role: 'requester', scopeType: null, scopeId: null },
      ]);
      assert.deepEqual(created.body.teamIds, [team.body.id]);
      const fetched = await h.request('GET', `/api/v1/users/${created.body.id}`);
      assert.deepEqual(fetched.body, created.body);
      assert.deepEqual((await h.request('GET', `/api/v1/teams/${team.body.id}`)).body.memberIds, [created.body.id]);
      assert.equal((await signIn(h, 'grace.hopper@example.com', 'compiler-1952')).status, 200);

      const duplicate = await h.request('POST', '/api/v1/users', {
        body: { email: 'GRACE.HOPPER@example.com', name: 'Impostor', password: 'impostor-password' },
      });
      assert.equal(duplicate.status, 400);
      assert.equal(duplicate.body.error.code, 'invalid_input');
      assert.deepEqual(paths(duplicate), ['email']);
      const users = await h.request('GET', '/api/v1/users');
      assert.deepEqual(
        users.body.items.map((u: { email: string }) => u.email),
        ['admin@example.com', 'grace.hopper@example.com'],
      );
    },
  );

  eachEngine('lists every problem of a bad user at once, with its path, and stores nothing', async (h) => {
    const shape = await h.request('POST', '/api/v1/users', {
      body: { email: 'not-an-email', name: '', password: 'short', roles: ['wizard'], teamIds: [''] },
    });
    assert.equal(shape.status, 400);
    assert.equal(shape.body.error.code, 'invalid_input');
    assert.deepEqual(paths(shape), ['email', 'name', 'password', 'roles.0', 'teamIds.0']);
    const password = shape.body.error.details.issues.find((i: { path: string }) => i.path === 'password');
    assert.match(password.message, /10 characters/);

    const references = await h.request('POST', '/api/v1/users', {
      body: {
        email: 'admin@example.com',
        name: 'Second admin',
        password: 'long-enough-password',
        roles: [
          { role: 'approver', scopeType: 'team', scopeId: 'ghost-team' },
          { role: 'requester', scopeType: 'team' },
          { role: 'change_manager', scopeType: 'service', scopeId: 'ghost-service' },
        ],
        teamIds: ['ghost-team-2'],
      },
    });
    assert.equal(references.status, 400);
    assert.equal(references.body.error.code, 'invalid_input');
    assert.deepEqual(paths(references), ['email', 'roles.0.scopeId', 'roles.1', 'roles.2.scopeId', 'teamIds.0']);
    const teamIssue = references.body.error.details.issues.find((i: { path: string }) => i.path === 'teamIds.0');
    assert.match(teamIssue.message, /ghost-team-2/);

    const users = await h.request('GET', '/api/v1/users');
    assert.equal(users.body.items.length, 1);
  });

  eachEngine('replaces team members with PATCH, reflects membership on the users and refuses an unknown member', async (h) => {
    const ana = await h.userWithToken(['requester']);
    const ben = await h.userWithToken(['implementer']);
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Network Edge', memberIds: [ana.id] } });
    assert.equal(team.status, 201, team.text);
    assert.deepEqual(team.body.memberIds, [ana.id]);

    const both = await h.request('PATCH', `/api/v1/teams/${team.body.id}`, { body: { memberIds: [ana.id, ben.id, ben.id] } });
    assert.equal(both.status, 200, both.text);
    assert.deepEqual(sortStrings(both.body.memberIds), sortStrings([ana.id, ben.id]));
    assert.deepEqual((await h.request('GET', `/api/v1/users/${ben.id}`)).body.teamIds, [team.body.id]);

    const onlyBen = await h.request('PATCH', `/api/v1/teams/network-edge`, {
      body: { memberIds: [ben.id], description: 'Routers and firewalls' },
    });
    assert.equal(onlyBen.status, 200, onlyBen.text);
    assert.deepEqual(onlyBen.body.memberIds, [ben.id]);
    assert.equal(onlyBen.body.description, 'Routers and firewalls');
    assert.deepEqual((await h.request('GET', `/api/v1/users/${ana.id}`)).body.teamIds, []);

    const unknown = await h.request('PATCH', `/api/v1/teams/${team.body.id}`, { body: { memberIds: [ana.id, 'ghost-user'] } });
    assert.equal(unknown.status, 400);
    assert.deepEqual(paths(unknown), ['memberIds.1']);
    assert.deepEqual((await h.request('GET', `/api/v1/teams/${team.body.id}`)).body.memberIds, [ben.id]);
    const byRequester = await h.request('PATCH', `/api/v1/teams/${team.body.id}`, { token: ana.token, body: { memberIds: [ana.id] } });
    assert.equal(byRequester.status, 403);
    assert.equal((await h.request('PATCH', '/api/v1/teams/ghost', { body: { name: 'x' } })).status, 404);

    const events = await auditActions(h, team.body.id);
    assert.deepEqual(
      events.map((e) => e.action),
      ['team.created', 'team.updated', 'team.updated'],
    );
    assert.deepEqual(events[2]!.data.changes.description, { from: '', to: 'Routers and firewalls' });
    assert.deepEqual(events[2]!.data.changes.memberIds.to, [ben.id]);
  });

  eachEngine('grants roles scoped to a team or a service and refuses a scope that does not exist', async (h) => {
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Payments Team' } });
    const service = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 1 } });
    const created = await h.request('POST', '/api/v1/users', {
      body: {
        email: 'scoped@example.com',
        name: 'Scoped',
        password: 'scoped-password-1',
        roles: [{ role: 'approver', scopeType: 'team', scopeId: team.body.id }, 'requester'],
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.roles, [
      { role: 'approver', scopeType: 'team', scopeId: team.body.id },
      { role: 'requester', scopeType: null, scopeId: null },
    ]);

    const patched = await h.request('PATCH', `/api/v1/users/${created.body.id}`, {
      body: { roles: [{ role: 'change_manager', scopeType: 'service', scopeId: service.body.id }] },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.roles, [{ role: 'change_manager', scopeType: 'service', scopeId: service.body.id }]);
    assert.deepEqual((await h.request('GET', `/api/v1/users/${created.body.id}`)).body.roles, patched.body.roles);

    const unknown = await h.request('PATCH', `/api/v1/users/${created.body.id}`, {
      body: { roles: [{ role: 'approver', scopeType: 'service', scopeId: 'ghost-service' }] },
    });
    assert.equal(unknown.status, 400);
    assert.deepEqual(paths(unknown), ['roles.0.scopeId']);
    const halfScoped = await h.request('PATCH', `/api/v1/users/${created.body.id}`, {
      body: { roles: [{ role: 'approver', scopeId: team.body.id }] },
    });
    assert.equal(halfScoped.status, 400);
    assert.deepEqual(paths(halfScoped), ['roles.0']);
    assert.deepEqual((await h.request('GET', `/api/v1/users/${created.body.id}`)).body.roles, patched.body.roles);

    const events = await auditActions(h, created.body.id);
    assert.deepEqual(
      events.map((e) => e.action),
      ['user.created', 'user.updated'],
    );
    assert.deepEqual(events[1]!.data.changes.roles.to, [{ role: 'change_manager', scopeType: 'service', scopeId: service.body.id }]);
  });

  eachEngine('lets a user change their own name and password but not their roles or anyone else', async (h) => {
    const user = await h.userWithToken(['requester']);
    const other = await h.userWithToken(['requester']);
    const session = await signIn(h, user.email, 'user-password-1');
    assert.equal(session.status, 200);

    const renamed = await h.request('PATCH', `/api/v1/users/${user.id}`, { token: user.token, body: { name: 'Ada Lovelace' } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, 'Ada Lovelace');

    const promoted = await h.request('PATCH', `/api/v1/users/${user.id}`, { token: user.token, body: { roles: ['admin'] } });
    assert.equal(promoted.status, 403);
    assert.equal(promoted.body.error.code, 'forbidden');
    const moved = await h.request('PATCH', `/api/v1/users/${user.id}`, { token: user.token, body: { name: 'Sneaky', teamIds: [] } });
    assert.equal(moved.status, 403);
    const renamesOther = await h.request('PATCH', `/api/v1/users/${other.id}`, {
      token: user.token,
      body: { name: 'Renamed by someone else' },
    });
    assert.equal(renamesOther.status, 403);
    const seesOther = await h.request('GET', `/api/v1/users/${other.id}`, { token: user.token });
    assert.equal(seesOther.status, 403);
    const now = await h.request('GET', `/api/v1/users/${user.id}`, { token: user.token });
    assert.equal(now.body.name, 'Ada Lovelace');
    assert.deepEqual(now.body.roles, [{ role: 'requester', scopeType: null, scopeId: null }]);
    assert.equal((await h.request('GET', `/api/v1/users/${other.id}`)).body.name, `User ${other.email}`);

    const shortPassword = await h.request('PATCH', `/api/v1/users/${user.id}`, { token: user.token, body: { password: 'short' } });
    assert.equal(shortPassword.status, 400);
    assert.deepEqual(paths(shortPassword), ['password']);
    const newPassword = await h.request('PATCH', `/api/v1/users/${user.id}`, {
      token: user.token,
      body: { password: 'analytical-engine-1843' },
    });
    assert.equal(newPassword.status, 200);
    // A password change signs the user out of their web sessions; API tokens stay valid.
    assert.equal((await h.request('GET', '/api/v1/me', { token: null, headers: { cookie: session.cookie! } })).status, 401);
    assert.equal((await h.request('GET', '/api/v1/me', { token: user.token })).status, 200);
    assert.equal((await signIn(h, user.email, 'user-password-1')).status, 401);
    assert.equal((await signIn(h, user.email, 'analytical-engine-1843')).status, 200);
  });

  eachEngine('lists users only to admins, change managers and auditors, as docs/security.md says', async (h) => {
    const allowed = ['change_manager', 'auditor'];
    const refused = ['requester', 'implementer', 'approver', 'cab_member', 'release_manager'];
    for (const role of allowed) {
      const user = await h.userWithToken([role]);
      const res = await h.request('GET', '/api/v1/users', { token: user.token });
      assert.equal(res.status, 200, `${role}: ${res.text}`);
      assert.ok(res.body.items.some((u: { email: string }) => u.email === 'admin@example.com'), role);
    }
    for (const role of refused) {
      const user = await h.userWithToken([role]);
      const res = await h.request('GET', '/api/v1/users', { token: user.token });
      assert.equal(res.status, 403, `${role}: ${res.text}`);
      assert.equal(res.body.error.code, 'forbidden');
      assert.doesNotMatch(res.text, /admin@example\.com/);
    }
    assert.equal((await h.request('GET', '/api/v1/users')).status, 200);
  });

  eachEngine('lets every signed-in person search people by name or email, answering only id and name of enabled users', async (h) => {
    const people = [
      ['ada.lovelace@example.com', 'Ada Lovelace'],
      ['alan.turing@example.com', 'Alan Turing'],
      ['grace.hopper@example.com', 'Grace Hopper'],
      ['edsger@example.com', 'Edsger Dijkstra'],
      ['gone@example.com', 'Adam Gone'],
    ];
    const ids: Record<string, string> = {};
    for (const [email, name] of people) {
      const res = await h.request('POST', '/api/v1/users', { body: { email, name, password: 'user-password-1', roles: ['requester'] } });
      assert.equal(res.status, 201, res.text);
      ids[name!] = res.body.id;
    }
    assert.equal((await h.request('PATCH', `/api/v1/users/${ids['Adam Gone']}`, { body: { disabled: true } })).status, 200);
    const requester = await h.userWithToken(['requester'], { email: 'rita@example.com' });
    const auditor = await h.userWithToken(['auditor'], { email: 'audrey@example.com' });
    const names = (res: { body: { items: { name: string }[] } }) => res.body.items.map((p) => p.name);

    for (const token of [requester.token, auditor.token]) {
      const ada = await h.request('GET', '/api/v1/people?q=ada', { token });
      assert.equal(ada.status, 200, ada.text);
      assert.deepEqual(names(ada), ['Ada Lovelace'], 'matches within names, case-insensitively, and leaves disabled people out');
      for (const item of ada.body.items) assert.deepEqual(Object.keys(item).sort(), ['id', 'name']);
      assert.doesNotMatch(ada.text, /@|roles|teamIds|password/);
    }
    assert.deepEqual(names(await h.request('GET', '/api/v1/people?q=GRACE.HOP', { token: requester.token })), ['Grace Hopper'], 'matches an email');
    assert.deepEqual(names(await h.request('GET', '/api/v1/people?q=edsger@', { token: requester.token })), ['Edsger Dijkstra']);
    assert.deepEqual(names(await h.request('GET', '/api/v1/people?q=nobody-here', { token: requester.token })), []);

    // Pages follow one another by name without repeats or gaps.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; text: string; body: { items: { name: string }[]; nextCursor: string | null } } = await h.request(
        'GET',
        `/api/v1/people?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: requester.token },
      );
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.items.length <= 2);
      seen.push(...names(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    const everyone = ['Ada Lovelace', 'Administrator', 'Alan Turing', 'Edsger Dijkstra', 'Grace Hopper', 'User audrey@example.com', 'User rita@example.com'];
    assert.deepEqual(seen, everyone);

    // Looking people up by id names them even once disabled, so old records still show who they were.
    const byIds = await h.request('GET', `/api/v1/people?ids=${ids['Grace Hopper']},${ids['Adam Gone']},unknown-id`, { token: requester.token });
    assert.equal(byIds.status, 200, byIds.text);
    assert.deepEqual(names(byIds).sort(), ['Adam Gone', 'Grace Hopper']);

    for (const query of ['limit=0', 'limit=101', `q=${'x'.repeat(201)}`, 'cursor=bm90LWpzb24']) {
      const bad = await h.request('GET', `/api/v1/people?${query}`, { token: requester.token });
      assert.equal(bad.status, 400, `${query}: ${bad.text}`);
      assert.equal(bad.body.error.code, 'invalid_input');
    }
    assert.equal((await h.request('GET', '/api/v1/people', { token: null })).status, 401);
  });

  eachEngine('disabling a user ends their sessions and token access until re-enabled, and no one can disable themselves', async (h) => {
    const user = await h.userWithToken(['change_manager']);
    const session = await signIn(h, user.email, 'user-password-1');
    assert.equal(session.status, 200);

    const disabled = await h.request('PATCH', `/api/v1/users/${user.id}`, { body: { disabled: true } });
    assert.equal(disabled.status, 200, disabled.text);
    assert.equal(disabled.body.disabled, true);
    const byToken = await h.request('GET', '/api/v1/cis', { token: user.token });
    assert.equal(byToken.status, 401);
    assert.equal(byToken.body.error.code, 'invalid_token');
    assert.equal((await h.request('GET', '/api/v1/me', { token: null, headers: { cookie: session.cookie! } })).status, 401);
    const login = await h.request('POST', '/api/v1/auth/login', { token: null, body: { email: user.email, password: 'user-password-1' } });
    assert.equal(login.status, 401);
    assert.equal(login.body.error.code, 'invalid_credentials');

    const enabled = await h.request('PATCH', `/api/v1/users/${user.id}`, { body: { disabled: false } });
    assert.equal(enabled.status, 200);
    assert.equal((await h.request('GET', '/api/v1/cis', { token: user.token })).status, 200);
    // The session ended for good; only a new sign-in opens another.
    assert.equal((await h.request('GET', '/api/v1/me', { token: null, headers: { cookie: session.cookie! } })).status, 401);

    const me = await h.request('GET', '/api/v1/me');
    const self = await h.request('PATCH', `/api/v1/users/${me.body.id}`, { body: { disabled: true } });
    assert.equal(self.status, 400);
    assert.deepEqual(paths(self), ['disabled']);
    assert.equal((await h.request('GET', '/api/v1/me')).status, 200);

    const events = await auditActions(h, user.id);
    assert.deepEqual(
      events.map((e) => e.action),
      ['user.created', 'user.signed_in', 'user.updated', 'user.updated'],
    );
    assert.deepEqual(events[2]!.data.changes, { disabled: { from: false, to: true } });
  });
});
