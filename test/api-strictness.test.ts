import assert from 'node:assert/strict';
import { describe, eachEngine, type Harness, type Reply } from './support/cabinet';

/** The issues of a 400 `invalid_input`, sorted by path. */
function issuesOf(res: Reply): { path: string; message: string }[] {
  assert.equal(res.status, 400, res.text);
  assert.equal(res.body.error.code, 'invalid_input', res.text);
  return [...res.body.error.details.issues].sort((a, b) => a.path.localeCompare(b.path));
}

/** The issue paths of a 400, sorted. */
const pathsOf = (res: Reply) => issuesOf(res).map((i) => i.path);

async function aCi(h: Harness, name = 'pay-db'): Promise<{ id: string; name: string }> {
  const service = await h.request('POST', '/api/v1/services', { body: { name: `Payments ${name}`, tier: 2 } });
  assert.equal(service.status, 201, service.text);
  const ci = await h.request('POST', '/api/v1/cis', {
    body: { name, type: 'database', environment: 'production', serviceId: service.body.id },
  });
  assert.equal(ci.status, 201, ci.text);
  return ci.body;
}

describe('one 400 lists every problem, shape and references together', () => {
  eachEngine('filing a change with a too long title, an unknown field, an unknown CI and an unknown owner lists all four', async (h) => {
    const res = await h.request('POST', '/api/v1/changes', {
      body: { type: 'normal', title: 'x'.repeat(201), foo: 'bar', ciIds: ['no-such-ci'], ownerId: 'nobody' },
    });
    assert.deepEqual(issuesOf(res), [
      { path: 'ciIds.0', message: 'unknown CI no-such-ci' },
      { path: 'foo', message: 'unknown field "foo"' },
      { path: 'ownerId', message: 'unknown user nobody' },
      { path: 'title', message: 'Too big: expected string to have <=200 characters' },
    ]);
    assert.match(res.body.error.message, /4 invalid values/);
    assert.equal((await h.request('GET', '/api/v1/changes')).body.items.length, 0, 'nothing was filed');
  });

  eachEngine(
    'editing a change with a bad priority reports its unknown team and implementer and the planned times out of order too',
    async (h) => {
      const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Rotate the certificates' } });
      const res = await h.request('PATCH', `/api/v1/changes/${change.body.number}`, {
        body: {
          version: 1,
          priority: 9,
          assignmentTeamId: 'no-team',
          implementerId: 'nobody',
          plannedStart: '2030-01-02T00:00:00Z',
          plannedEnd: '2030-01-01T00:00:00Z',
        },
      });
      assert.deepEqual(pathsOf(res), ['assignmentTeamId', 'implementerId', 'plannedEnd', 'priority']);
    },
  );

  eachEngine('a template, a CI, a window, an incident and a user each list their shape and reference problems at once', async (h) => {
    const template = await h.request('POST', '/api/v1/templates', {
      body: { name: '', type: 'normal', ciIds: ['ghost'], assignmentTeamId: 'no-team' },
    });
    assert.deepEqual(pathsOf(template), ['assignmentTeamId', 'ciIds.0', 'name']);
    const ci = await h.request('POST', '/api/v1/cis', {
      body: { name: 'web-1', type: 'server', environment: 'moon', serviceId: 'no-service' },
    });
    assert.deepEqual(pathsOf(ci), ['environment', 'serviceId']);
    const window = await h.request('POST', '/api/v1/windows', {
      body: {
        name: 'Saturday nights',
        kind: 'sometimes',
        start: '2030-01-05T22:00',
        timeZone: 'UTC',
        durationMinutes: 120,
        scope: { serviceIds: ['no-service'] },
      },
    });
    assert.deepEqual(pathsOf(window), ['kind', 'scope.serviceIds.0']);
    const incident = await h.request('POST', '/api/v1/incidents', {
      body: { title: '', priority: 7, ciIds: ['ghost'], causedByChangeId: 'CHG9999999' },
    });
    assert.deepEqual(pathsOf(incident), ['causedByChangeId', 'ciIds.0', 'priority', 'title']);
    const user = await h.request('POST', '/api/v1/users', {
      body: { email: 'not-an-email', name: 'Ada', password: 'long-enough-password', teamIds: ['no-team'] },
    });
    assert.deepEqual(pathsOf(user), ['email', 'teamIds.0']);
  });

  eachEngine('a change filed from a template lists the problems of the result, references included', async (h) => {
    const template = await h.request('POST', '/api/v1/templates', {
      body: { name: 'Certificate rotation', type: 'standard', fields: { title: 'Rotate the certificates' } },
    });
    assert.equal(template.status, 201, template.text);
    const res = await h.request('POST', `/api/v1/templates/${template.body.id}/changes`, {
      body: { plannedStart: 'tomorrow', ciIds: ['ghost'], colour: 'red' },
    });
    assert.deepEqual(pathsOf(res), ['ciIds.0', 'colour', 'plannedStart']);
  });

  eachEngine('a query with an unknown parameter and an unknown state lists both', async (h) => {
    const res = await h.request('GET', '/api/v1/changes?state=nosuch,draft&bogus=1&limit=0');
    assert.deepEqual(issuesOf(res), [
      { path: 'query.bogus', message: 'unknown parameter "bogus"' },
      { path: 'query.limit', message: 'Too small: expected number to be >=1' },
      { path: 'query.state', message: issuesOf(res).find((i) => i.path === 'query.state')!.message },
    ]);
    assert.match(issuesOf(res).find((i) => i.path === 'query.state')!.message, /^unknown state nosuch \(one of .*draft/);
  });
});

describe('unknown query parameters, enum values and body fields are refused everywhere', () => {
  eachEngine('refuses unknown filters and filter values with their paths', async (h) => {
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/changes?state=nosuch')), ['query.state']);
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/changes?type=nosuch')), ['query.type']);
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/cis?environment=moon&colour=red')), ['query.colour', 'query.environment']);
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/incidents?state=nosuch')), ['query.state']);
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/templates?active=maybe')), ['query.active']);
    // A route without parameters takes none.
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/teams?limit=5')), ['query.limit']);
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/me?verbose=1')), ['query.verbose']);
    assert.equal((await h.request('GET', '/api/v1/changes?state=draft,assess')).status, 200);
  });

  eachEngine('refuses unknown body fields, nested ones included, each at its own path', async (h) => {
    const res = await h.request('POST', '/api/v1/changes', {
      body: { type: 'normal', title: 'Rotate', links: [{ title: 'Runbook', url: 'https://example.com', rel: 'x' }], foo: 1, bar: 2 },
    });
    assert.deepEqual(issuesOf(res), [
      { path: 'bar', message: 'unknown field "bar"' },
      { path: 'foo', message: 'unknown field "foo"' },
      { path: 'links.0.rel', message: 'unknown field "rel"' },
    ]);
    const ci = await aCi(h);
    const patched = await h.request('PATCH', `/api/v1/cis/${ci.id}`, { body: { version: 1, owner: 'me' } });
    assert.deepEqual(pathsOf(patched), ['owner']);
    const decision = await h.request('POST', '/api/v1/me/delegations', {
      body: { delegateId: 'x', startsAt: '2030-01-01T00:00:00Z', endsAt: '2030-01-02T00:00:00Z', why: 'holiday' },
    });
    assert.ok(pathsOf(decision).includes('why'));
  });
});

describe('records with a key are accepted by id or key wherever they are named', () => {
  eachEngine('a change names its CIs by name and its team by handle, and is stored and found by their ids', async (h) => {
    const ci = await aCi(h, 'pay-db');
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Database', handle: 'storage-dba' } });
    assert.equal(team.status, 201, team.text);
    const template = await h.request('POST', '/api/v1/templates', {
      body: { name: 'DB patch', type: 'normal', ciIds: ['PAY-DB'], assignmentTeamId: 'storage-dba' },
    });
    assert.equal(template.status, 201, template.text);
    assert.deepEqual(template.body.ciIds, [ci.id]);
    assert.equal(template.body.assignmentTeamId, team.body.id);

    const change = await h.request('POST', '/api/v1/changes', {
      body: {
        type: 'normal',
        title: 'Patch the database',
        ciIds: ['pay-db', ci.id],
        assignmentTeamId: 'storage-dba',
        templateId: 'DB patch',
      },
    });
    assert.equal(change.status, 201, change.text);
    assert.deepEqual(change.body.ciIds, [ci.id]);
    assert.equal(change.body.assignmentTeamId, team.body.id);
    assert.equal(change.body.templateId, template.body.id);

    for (const query of [
      'ciId=pay-db',
      `ciId=${ci.id}`,
      'assignmentTeamId=storage-dba',
      `serviceId=${encodeURIComponent('Payments pay-db')}`,
      'templateId=DB%20patch',
    ]) {
      const found = await h.request('GET', `/api/v1/changes?${query}`);
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(
        found.body.items.map((c: { id: string }) => c.id),
        [change.body.id],
        query,
      );
    }
    assert.deepEqual(pathsOf(await h.request('GET', '/api/v1/changes?ciId=ghost&assignmentTeamId=nobody&serviceId=none&templateId=none')), [
      'query.assignmentTeamId',
      'query.ciId',
      'query.serviceId',
      'query.templateId',
    ]);
  });

  eachEngine('a CI names its service by name and is stored with the service id', async (h) => {
    const service = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 2 } });
    const ci = await h.request('POST', '/api/v1/cis', {
      body: { name: 'pay-api', type: 'service', environment: 'production', serviceId: 'payments' },
    });
    assert.equal(ci.status, 201, ci.text);
    assert.equal(ci.body.serviceId, service.body.id);
    const listed = await h.request('GET', '/api/v1/cis?serviceId=Payments');
    assert.deepEqual(
      listed.body.items.map((c: { id: string }) => c.id),
      [ci.body.id],
    );
  });

  eachEngine('a window scope and a user name services, CIs and teams by key', async (h) => {
    const ci = await aCi(h, 'pay-db');
    const window = await h.request('POST', '/api/v1/windows', {
      body: {
        name: 'Payments Saturday',
        kind: 'maintenance',
        start: '2030-01-05T22:00',
        timeZone: 'UTC',
        durationMinutes: 120,
        scope: { serviceIds: ['Payments pay-db'], ciIds: ['pay-db'] },
      },
    });
    assert.equal(window.status, 201, window.text);
    assert.deepEqual(window.body.scope.ciIds, [ci.id]);
    assert.match(window.body.scope.serviceIds[0], /^[0-9a-f-]{36}$/);
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Database', handle: 'storage-dba' } });
    const user = await h.request('POST', '/api/v1/users', {
      body: { email: 'grace@example.com', name: 'Grace', password: 'long-enough-password', teamIds: ['storage-dba'] },
    });
    assert.equal(user.status, 201, user.text);
    assert.deepEqual(user.body.teamIds, [team.body.id]);
  });
});
