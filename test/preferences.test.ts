import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { timeZoneName } from '../src/domain/time/time-zones';
import { eachEngine, type Harness } from './support/cabinet';

/** The audit events of one user, oldest first, with their data parsed. */
async function userEvents(h: Harness, userId: string) {
  const rows = await h.cabinet.store.kysely.selectFrom('audit_events').select(['action', 'data']).where('entity_id', '=', userId).orderBy('seq').execute();
  return rows.map((r) => ({ action: r.action, data: JSON.parse(r.data) as Record<string, unknown> }));
}

describe('time zone names', () => {
  const cases: [input: string, expected: string | null][] = [
    ['Europe/Amsterdam', 'Europe/Amsterdam'],
    ['europe/amsterdam', 'Europe/Amsterdam'],
    ['  America/New_York ', 'America/New_York'],
    ['UTC', 'UTC'],
    ['utc', 'UTC'],
    ['Etc/GMT+5', 'Etc/GMT+5'],
    // An alias some engines list and others do not is kept as given: it names the same rules everywhere.
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Mars/Olympus', null],
    ['+05:30', null],
    ['', null],
    ['Europe/Amsterdam; drop table users', null],
    [`Europe/${'x'.repeat(80)}`, null],
  ];
  for (const [input, expected] of cases) {
    it(`reads ${JSON.stringify(input)} as ${JSON.stringify(expected)}`, () => assert.equal(timeZoneName(input), expected));
  }
});

// Every test has its own database, so the SQLite and PostgreSQL runs of a test may overlap.
describe('preferences', { concurrency: 2 }, () => {
  eachEngine('a person has no time zone until they choose one, sets it, sees it on /me, and clears it back to the browser’s', async (h) => {
    const bob = await h.userWithToken(['requester']);
    const initial = await h.request('GET', '/api/v1/me/preferences', { token: bob.token });
    assert.equal(initial.status, 200, initial.text);
    assert.deepEqual(initial.body, { timeZone: null, quietHours: null, digest: 'off', approvalEmails: true });
    assert.equal((await h.request('GET', '/api/v1/me', { token: bob.token })).body.timeZone, null);

    const set = await h.request('PATCH', '/api/v1/me/preferences', { token: bob.token, body: { timeZone: 'europe/amsterdam' } });
    assert.equal(set.status, 200, set.text);
    assert.deepEqual(set.body, { timeZone: 'Europe/Amsterdam', quietHours: null, digest: 'off', approvalEmails: true }, 'stored as the zone is spelt');
    assert.deepEqual((await h.request('GET', '/api/v1/me/preferences', { token: bob.token })).body, { timeZone: 'Europe/Amsterdam', quietHours: null, digest: 'off', approvalEmails: true });
    assert.equal((await h.request('GET', '/api/v1/me', { token: bob.token })).body.timeZone, 'Europe/Amsterdam');

    // Nothing given changes nothing; the same zone again records nothing.
    assert.deepEqual((await h.request('PATCH', '/api/v1/me/preferences', { token: bob.token, body: {} })).body, { timeZone: 'Europe/Amsterdam', quietHours: null, digest: 'off', approvalEmails: true });
    assert.equal((await h.request('PATCH', '/api/v1/me/preferences', { token: bob.token, body: { timeZone: 'Europe/Amsterdam' } })).status, 200);

    const cleared = await h.request('PATCH', '/api/v1/me/preferences', { token: bob.token, body: { timeZone: null } });
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual(cleared.body, { timeZone: null, quietHours: null, digest: 'off', approvalEmails: true });
    assert.equal((await h.request('GET', '/api/v1/me', { token: bob.token })).body.timeZone, null);

    const changes = (await userEvents(h, bob.id)).filter((e) => e.action === 'user.updated').map((e) => e.data.changes);
    assert.deepEqual(changes, [{ timeZone: { from: null, to: 'Europe/Amsterdam' } }, { timeZone: { from: 'Europe/Amsterdam', to: null } }]);
  });

  eachEngine('refuses a zone that is not an IANA zone, and unknown fields, with every issue at once, and keeps the stored one', async (h) => {
    const carol = await h.userWithToken(['implementer']);
    assert.equal((await h.request('PATCH', '/api/v1/me/preferences', { token: carol.token, body: { timeZone: 'Asia/Tokyo' } })).status, 200);
    for (const timeZone of ['Mars/Olympus', '+05:30', 'Europe/Amsterdam; drop table users']) {
      const res = await h.request('PATCH', '/api/v1/me/preferences', { token: carol.token, body: { timeZone } });
      assert.equal(res.status, 400, `${timeZone}: ${res.text}`);
      assert.equal(res.body.error.code, 'invalid_input');
      assert.deepEqual(
        res.body.error.details.issues.map((i: { path: string }) => i.path),
        ['timeZone'],
      );
    }
    const wrongType = await h.request('PATCH', '/api/v1/me/preferences', { token: carol.token, body: { timeZone: 60, theme: 'dark' } });
    assert.equal(wrongType.status, 400, wrongType.text);
    assert.equal(wrongType.body.error.code, 'invalid_input');
    const paths = wrongType.body.error.details.issues.map((i: { path: string; message: string }) => `${i.path} ${i.message}`).join('\n');
    assert.match(paths, /timeZone/);
    assert.match(paths, /theme/);
    assert.deepEqual((await h.request('GET', '/api/v1/me/preferences', { token: carol.token })).body, { timeZone: 'Asia/Tokyo', quietHours: null, digest: 'off', approvalEmails: true });
  });

  eachEngine('each person’s zone is their own, and reading or setting one needs a signed-in person', async (h) => {
    const dave = await h.userWithToken(['approver']);
    const erin = await h.userWithToken(['auditor']);
    assert.equal((await h.request('PATCH', '/api/v1/me/preferences', { token: dave.token, body: { timeZone: 'America/New_York' } })).status, 200);
    assert.deepEqual((await h.request('GET', '/api/v1/me/preferences', { token: erin.token })).body, { timeZone: null, quietHours: null, digest: 'off', approvalEmails: true });
    assert.equal((await h.request('GET', '/api/v1/me', { token: erin.token })).body.timeZone, null);
    // An admin's own preferences are the admin's: there is no way to set someone else's.
    assert.deepEqual((await h.request('GET', '/api/v1/me/preferences')).body, { timeZone: null, quietHours: null, digest: 'off', approvalEmails: true });

    const anonymousRead = await h.request('GET', '/api/v1/me/preferences', { token: null });
    assert.equal(anonymousRead.status, 401);
    const anonymousWrite = await h.request('PATCH', '/api/v1/me/preferences', { token: null, body: { timeZone: 'UTC' } });
    assert.equal(anonymousWrite.status, 401);
    assert.equal(anonymousWrite.body.error.code, 'unauthenticated');
    assert.deepEqual((await h.request('GET', '/api/v1/me/preferences', { token: dave.token })).body, { timeZone: 'America/New_York', quietHours: null, digest: 'off', approvalEmails: true });
  });
});
