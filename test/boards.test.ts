import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';

/** A team with these people, by its handle. */
async function team(h: Harness, name: string, memberIds: string[]): Promise<{ id: string; handle: string }> {
  const res = await h.request('POST', '/api/v1/teams', { body: { name, memberIds } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Three people (a security specialist among them) and a team of two more, one of whom is also on the board. */
async function people(h: Harness) {
  const chair = await h.userWithToken(['cab_member']);
  const security = await h.userWithToken(['approver']);
  const dba = await h.userWithToken(['cab_member']);
  const ops1 = await h.userWithToken(['cab_member']);
  const network = await team(h, `Network ${h.engine} ${Date.now()}`, [ops1.id, dba.id]);
  return { chair, security, dba, ops1, network };
}

const issuePaths = (body: { error: { details: { issues: { path: string }[] } } }) => body.error.details.issues.map((i) => i.path).sort();

describe('change advisory boards', () => {
  eachEngine('sets up a CAB with people, a team, a required domain and a scope, and reads it back by id and by name', async (h) => {
    const { chair, security, dba, network } = await people(h);
    const created = await h.request('POST', '/api/v1/boards', {
      body: {
        name: 'Payments CAB',
        kind: 'cab',
        memberIds: [chair.id, dba.id],
        teamIds: [network.handle],
        members: [{ userId: security.email, domains: ['Security'] }],
        scope: 'change.type != "standard" && cis.exists(c, c.criticality == "critical")',
        quorum: { minMembers: 3, requiredDomains: ['security'] },
        chairRule: 'least_recent',
      },
    });
    assert.equal(created.status, 201, created.text);
    const board = created.body;
    assert.equal(board.name, 'Payments CAB');
    assert.equal(board.kind, 'cab');
    assert.deepEqual(board.memberIds, [chair.id, dba.id, security.id]);
    assert.deepEqual(board.teamIds, [network.id]);
    assert.deepEqual(
      board.members.map((m: { userId: string | null; teamId: string | null; domains: string[]; delegate: boolean }) => [
        m.userId ?? m.teamId,
        m.domains,
        m.delegate,
      ]),
      [
        [chair.id, [], false],
        [dba.id, [], false],
        [network.id, [], false],
        [security.id, ['security'], false],
      ],
    );
    // The chair, the DBA, the security specialist and the team's other member: the DBA counts once.
    assert.equal(board.people, 4);
    assert.deepEqual(board.quorum, { minMembers: 3, requiredDomains: ['security'] });
    assert.equal(board.chairRule, 'least_recent');
    assert.equal(board.responseMinutes, null);
    assert.equal(board.active, true);
    assert.equal(board.version, 1);

    const byName = await h.request('GET', '/api/v1/boards/payments%20cab', { token: chair.token });
    assert.equal(byName.status, 200, byName.text);
    assert.equal(byName.body.id, board.id);
    assert.equal(byName.headers.etag, '"1"');
    const list = await h.request('GET', '/api/v1/boards?kind=cab', { token: security.token });
    assert.equal(list.status, 200, list.text);
    assert.deepEqual(
      list.body.items.map((b: { id: string }) => b.id),
      [board.id],
    );
    assert.deepEqual((await h.request('GET', '/api/v1/boards?kind=ecab')).body.items, []);

    // An ECAB gets a one-hour response time unless it says otherwise.
    const ecab = await h.request('POST', '/api/v1/boards', {
      body: { name: 'ECAB', kind: 'ecab', memberIds: [chair.id, security.id], scope: null, quorum: { minMembers: 2 } },
    });
    assert.equal(ecab.status, 201, ecab.text);
    assert.equal(ecab.body.responseMinutes, 60);
    assert.equal(ecab.body.scope, null);
  });

  eachEngine(
    'lists every problem of a bad board at once: unknown member, bad CEL, quorum too high, unrepresented domain, a name taken in another case',
    async (h) => {
      const { chair, dba } = await people(h);
      assert.equal(
        (
          await h.request('POST', '/api/v1/boards', {
            body: { name: 'Core CAB', kind: 'cab', memberIds: [chair.id], quorum: { minMembers: 1 } },
          })
        ).status,
        201,
      );
      const before = (await h.request('GET', '/api/v1/boards')).body.items.length;

      const bad = await h.request('POST', '/api/v1/boards', {
        body: {
          name: 'CORE cab',
          kind: 'cab',
          memberIds: [chair.id, 'no-such-user', dba.id, chair.id],
          teamIds: ['no-such-team'],
          scope: 'change.typo == "normal"',
          quorum: { minMembers: 5, requiredDomains: ['security'] },
        },
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.error.code, 'invalid_input');
      assert.deepEqual(issuePaths(bad.body), ['memberIds.1', 'memberIds.3', 'name', 'quorum.requiredDomains.0', 'scope', 'teamIds.0']);
      const message = (path: string) => bad.body.error.details.issues.find((i: { path: string }) => i.path === path).message as string;
      assert.match(message('memberIds.1'), /unknown user no-such-user/);
      assert.match(message('teamIds.0'), /unknown team no-such-team/);
      assert.match(message('memberIds.3'), /already on the board/);
      assert.match(message('scope'), /^CEL: /);
      assert.match(message('quorum.requiredDomains.0'), /security/);
      assert.match(message('name'), /already exists/);

      // Without unknown members, a quorum more than the people the board counts is named too; a shape problem
      // (an unknown kind) comes in the same answer.
      const tooHigh = await h.request('POST', '/api/v1/boards', {
        body: { name: 'Tiny CAB', kind: 'board', memberIds: [chair.id, dba.id, 'ghost'], scope: '1 + 1', quorum: { minMembers: 4 } },
      });
      assert.equal(tooHigh.status, 400, tooHigh.text);
      assert.deepEqual(issuePaths(tooHigh.body), ['kind', 'memberIds.2', 'quorum.minMembers', 'scope']);
      const exact = await h.request('POST', '/api/v1/boards', {
        body: { name: 'Tiny CAB', kind: 'technical', memberIds: [chair.id, dba.id], quorum: { minMembers: 3 } },
      });
      assert.equal(exact.status, 400, exact.text);
      assert.deepEqual(issuePaths(exact.body), ['quorum.minMembers']);
      assert.match(exact.body.error.details.issues[0].message, /2 people/);

      assert.equal((await h.request('GET', '/api/v1/boards')).body.items.length, before, 'nothing was stored');
    },
  );

  eachEngine('refuses a requester: no setting up boards, no reading them', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    const create = await h.request('POST', '/api/v1/boards', {
      token: requester.token,
      body: { name: 'Mine', kind: 'cab', memberIds: [requester.id], quorum: { minMembers: 1 } },
    });
    assert.equal(create.status, 403, create.text);
    assert.equal(create.body.error.details.permission, 'board.manage');
    const list = await h.request('GET', '/api/v1/boards', { token: requester.token });
    assert.equal(list.status, 403, list.text);
    assert.equal(list.body.error.details.permission, 'board.read');
    // A change manager sets boards up.
    const ok = await h.request('POST', '/api/v1/boards', {
      token: manager.token,
      body: { name: 'Managed', kind: 'cab', memberIds: [manager.id], quorum: { minMembers: 1 } },
    });
    assert.equal(ok.status, 201, ok.text);
    assert.equal((await h.request('GET', `/api/v1/boards/${ok.body.id}`, { token: requester.token })).status, 403);
  });

  eachEngine(
    'edits a board against its version: a stale one gets 412 and changes nothing, people who stay keep their domains',
    async (h) => {
      const { chair, security, dba } = await people(h);
      const created = await h.request('POST', '/api/v1/boards', {
        body: {
          name: 'Infra CAB',
          kind: 'cab',
          memberIds: [chair.id],
          members: [{ userId: security.id, domains: ['security'] }],
          quorum: { minMembers: 2, requiredDomains: ['security'] },
        },
      });
      assert.equal(created.status, 201, created.text);
      const id = created.body.id;

      const edited = await h.request('PATCH', `/api/v1/boards/${id}`, {
        body: { version: 1, memberIds: [security.email, dba.id], quorum: { minMembers: 2 }, chairRule: 'least_recent' },
      });
      assert.equal(edited.status, 200, edited.text);
      assert.equal(edited.body.version, 2);
      assert.deepEqual(edited.body.memberIds, [security.id, dba.id]);
      assert.deepEqual(edited.body.members[0].domains, ['security'], 'the security specialist keeps the domain');
      assert.equal(edited.body.chairRule, 'least_recent');

      const stale = await h.request('PATCH', `/api/v1/boards/${id}`, { body: { version: 1, description: 'late' } });
      assert.equal(stale.status, 412, stale.text);
      assert.equal(stale.body.error.code, 'stale_version');
      const staleHeader = await h.request('PATCH', `/api/v1/boards/${id}`, {
        body: { description: 'late' },
        headers: { 'if-match': '"1"' },
      });
      assert.equal(staleHeader.status, 412, staleHeader.text);
      const none = await h.request('PATCH', `/api/v1/boards/${id}`, { body: { description: 'late' } });
      assert.equal(none.status, 428, none.text);
      assert.equal((await h.request('GET', `/api/v1/boards/${id}`)).body.description, '');

      // Dropping the only security member while security is required is refused, with the edit's other problem.
      const dropped = await h.request('PATCH', `/api/v1/boards/${id}`, { body: { version: 2, memberIds: [dba.id], scope: 'change.' } });
      assert.equal(dropped.status, 400, dropped.text);
      assert.deepEqual(issuePaths(dropped.body), ['quorum.minMembers', 'quorum.requiredDomains.0', 'scope']);
      assert.equal((await h.request('GET', `/api/v1/boards/${id}`)).body.version, 2);
    },
  );

  eachEngine('deactivates a board once, and the audit trail names it by its name', async (h) => {
    const { chair } = await people(h);
    const created = await h.request('POST', '/api/v1/boards', {
      body: { name: 'Retail CAB', kind: 'cab', memberIds: [chair.id], quorum: { minMembers: 1 } },
    });
    assert.equal(created.status, 201, created.text);
    const id = created.body.id;
    const renamed = await h.request('PATCH', `/api/v1/boards/${id}`, { body: { version: 1, name: 'Retail and Stores CAB' } });
    assert.equal(renamed.status, 200, renamed.text);

    const stale = await h.request('POST', `/api/v1/boards/${id}/deactivate`, { body: { version: 1 } });
    assert.equal(stale.status, 412, stale.text);
    const off = await h.request('POST', `/api/v1/boards/${id}/deactivate`, {
      body: { version: 2, reason: 'merged into the Commerce CAB' },
    });
    assert.equal(off.status, 200, off.text);
    assert.equal(off.body.active, false);
    assert.equal(off.body.version, 3);
    const again = await h.request('POST', `/api/v1/boards/${id}/deactivate`);
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, 'board_inactive');
    assert.deepEqual(
      (await h.request('GET', '/api/v1/boards?active=true')).body.items.map((b: { id: string }) => b.id).filter((b: string) => b === id),
      [],
    );
    assert.deepEqual(
      (await h.request('GET', '/api/v1/boards?active=false')).body.items.map((b: { id: string }) => b.id),
      [id],
    );

    const trail = await h.request('GET', `/api/v1/audit/events?record=${encodeURIComponent('retail and stores cab')}`);
    assert.equal(trail.status, 200, trail.text);
    assert.deepEqual(
      trail.body.items.map((e: { action: string }) => e.action),
      ['board.deactivated', 'board.updated', 'board.created'],
    );
    assert.deepEqual(trail.body.names[id], { type: 'board', label: 'Retail and Stores CAB', title: null });
    assert.deepEqual(trail.body.records, [{ id, type: 'board', label: 'Retail and Stores CAB', title: null }]);
    assert.equal(trail.body.items[0].data.reason, 'merged into the Commerce CAB');
    assert.deepEqual(trail.body.items[1].data.changes.name, { from: 'Retail CAB', to: 'Retail and Stores CAB' });
  });

  eachEngine('counts a team by its people and takes domains and delegates from members; a disabled account does not count', async (h) => {
    const { chair, security, dba, ops1, network } = await people(h);
    const body = {
      name: 'Database board',
      kind: 'technical',
      members: [
        { teamId: network.id, domains: ['network'] },
        { userId: chair.id, domains: ['database'], delegate: true },
      ],
      quorum: { minMembers: 3, requiredDomains: ['network', 'database'] },
    };
    const created = await h.request('POST', '/api/v1/boards', { body });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.people, 3);
    assert.deepEqual(created.body.teamIds, [network.id]);
    assert.deepEqual(
      created.body.members.map((m: { name: string; delegate: boolean }) => m.delegate),
      [false, true],
    );
    assert.match(created.body.members[0].name, /^Network/);

    // Each member names a person or a team, not both; a member who is also in memberIds is named twice.
    const both = await h.request('POST', '/api/v1/boards', {
      body: {
        name: 'Odd',
        kind: 'cab',
        memberIds: [security.id],
        members: [{ userId: dba.id, teamId: network.id }, { userId: security.id }],
        quorum: { minMembers: 1 },
      },
    });
    assert.equal(both.status, 400, both.text);
    assert.deepEqual(issuePaths(both.body), ['members.0']);
    const twice = await h.request('POST', '/api/v1/boards', {
      body: {
        name: 'Odd',
        kind: 'cab',
        memberIds: [security.id],
        members: [{ userId: security.id, domains: ['security'] }],
        quorum: { minMembers: 1 },
      },
    });
    assert.equal(twice.status, 400, twice.text);
    assert.deepEqual(issuePaths(twice.body), ['members.0.userId']);

    // Once one of the team's people is disabled, the board counts two and a quorum of three is refused.
    assert.equal((await h.request('PATCH', `/api/v1/users/${ops1.id}`, { body: { disabled: true } })).status, 200);
    const board = await h.request('GET', `/api/v1/boards/${created.body.id}`);
    assert.equal(board.body.people, 2);
    const again = await h.request('POST', '/api/v1/boards', { body: { ...body, name: 'Database board 2' } });
    assert.equal(again.status, 400, again.text);
    assert.deepEqual(issuePaths(again.body), ['quorum.minMembers']);

    // A deactivated board comes back with PATCH active: true.
    assert.equal((await h.request('POST', `/api/v1/boards/${created.body.id}/deactivate`, { body: {} })).status, 200);
    const back = await h.request('PATCH', `/api/v1/boards/${created.body.id}`, { body: { active: true }, headers: { 'if-match': '"2"' } });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.active, true);
    assert.equal(back.body.version, 3);
  });
});
