import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';
import { ci, plan } from './support/fixtures';

const RANGE = 'from=2026-12-01T00:00:00Z&to=2027-01-01T00:00:00Z';

async function service(h: Harness, name: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/services', { body: { name, tier: 2 } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function change(h: Harness, ciIds: string[], extra: Record<string, unknown>): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', { body: plan(ciIds, extra) });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

const numbers = (body: { changes: { number: string }[] }) => body.changes.map((c) => c.number);

describe('calendar', () => {
  eachEngine('lists the changes planned in the range and the freeze occurrences, and leaves out changes outside it', async (h) => {
    const payments = await service(h, 'Payments');
    const db = await ci(h, 'pay-db', 'database', { serviceId: payments });
    const inside = await change(h, [db], { title: 'Patch pay-db', plannedStart: '2026-12-10T22:00:00Z', plannedEnd: '2026-12-10T23:00:00Z' });
    // Starts before the range and ends inside it: it overlaps, so it is listed.
    const straddling = await change(h, [db], { title: 'Long migration', plannedStart: '2026-11-30T20:00:00Z', plannedEnd: '2026-12-01T02:00:00Z' });
    await change(h, [db], { title: 'Next year', plannedStart: '2027-02-01T22:00:00Z', plannedEnd: '2027-02-01T23:00:00Z' });
    // Ends exactly where the range starts: touching is not overlapping.
    await change(h, [db], { title: 'Just before', plannedStart: '2026-11-30T22:00:00Z', plannedEnd: '2026-12-01T00:00:00Z' });
    const freeze = await h.request('POST', '/api/v1/windows', {
      body: { name: 'Year-end freeze', kind: 'freeze', start: '2026-12-20T00:00', timeZone: 'Europe/London', durationMinutes: 14 * 1440, rrule: 'FREQ=YEARLY', scope: { global: true } },
    });
    assert.equal(freeze.status, 201, freeze.text);

    const viewer = await h.userWithToken(['requester']);
    const res = await h.request('GET', `/api/v1/calendar?${RANGE}`, { token: viewer.token });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(numbers(res.body), [straddling.number, inside.number]);
    const chip = res.body.changes[1];
    assert.deepEqual(
      { id: chip.id, title: chip.title, type: chip.type, state: chip.state, plannedStart: chip.plannedStart, plannedEnd: chip.plannedEnd, ciIds: chip.ciIds },
      { id: inside.id, title: 'Patch pay-db', type: 'normal', state: 'draft', plannedStart: '2026-12-10T22:00:00.000Z', plannedEnd: '2026-12-10T23:00:00.000Z', ciIds: [db] },
    );
    assert.ok(chip.riskLevel === null || ['low', 'moderate', 'high', 'very_high'].includes(chip.riskLevel));
    assert.deepEqual(res.body.windows, [
      { windowId: freeze.body.id, name: 'Year-end freeze', kind: 'freeze', scope: { global: true }, urgent: false, start: '2026-12-20T00:00:00.000Z', end: '2027-01-03T00:00:00.000Z' },
    ]);
    assert.equal(res.body.truncated, false);
  });

  eachEngine('narrows changes by service, CI, team, type and state, and windows by service', async (h) => {
    const payments = await service(h, 'Payments');
    const search = await service(h, 'Search');
    const payDb = await ci(h, 'pay-db', 'database', { serviceId: payments });
    const searchApi = await ci(h, 'search-api', 'application', { serviceId: search });
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Database team' } });
    assert.equal(team.status, 201, team.text);
    const when = { plannedStart: '2026-12-05T22:00:00Z', plannedEnd: '2026-12-05T23:00:00Z' };
    const pay = await change(h, [payDb], { ...when, title: 'Payments', assignmentTeamId: team.body.id });
    const find = await change(h, [searchApi], { ...when, title: 'Search', type: 'emergency' });
    const window = await h.request('POST', '/api/v1/windows', {
      body: { name: 'Payments night', kind: 'maintenance', start: '2026-12-05T22:00', timeZone: 'UTC', durationMinutes: 240, rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { serviceIds: [payments] } },
    });
    assert.equal(window.status, 201, window.text);

    const get = async (filter: string) => {
      const res = await h.request('GET', `/api/v1/calendar?${RANGE}&${filter}`);
      assert.equal(res.status, 200, res.text);
      return res.body as { changes: { number: string }[]; windows: { name: string; start: string }[] };
    };
    const byPayments = await get('serviceId=Payments');
    assert.deepEqual(numbers(byPayments), [pay.number]);
    assert.deepEqual(byPayments.windows.map((w) => w.start), ['2026-12-05T22:00:00.000Z', '2026-12-12T22:00:00.000Z', '2026-12-19T22:00:00.000Z', '2026-12-26T22:00:00.000Z']);
    const bySearch = await get(`serviceId=${search}`);
    assert.deepEqual(numbers(bySearch), [find.number]);
    assert.deepEqual(bySearch.windows, []);
    assert.deepEqual(numbers(await get('ciId=search-api')), [find.number]);
    assert.deepEqual(numbers(await get(`teamId=${team.body.id}`)), [pay.number]);
    assert.deepEqual(numbers(await get('type=emergency')), [find.number]);
    assert.deepEqual(numbers(await get('state=draft')), [pay.number, find.number].sort());
    assert.deepEqual(numbers(await get('state=scheduled,implement')), []);
  });

  eachEngine('answers 400 listing the problems with a bad range or unknown filters', async (h) => {
    const tooLong = await h.request('GET', '/api/v1/calendar?from=2026-01-01T00:00:00Z&to=2027-03-01T00:00:00Z');
    assert.equal(tooLong.status, 400, tooLong.text);
    assert.equal(tooLong.body.error.code, 'invalid_input');
    assert.match(JSON.stringify(tooLong.body.error.details), /query\.to/);

    const backwards = await h.request('GET', '/api/v1/calendar?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z');
    assert.equal(backwards.status, 400);
    assert.match(JSON.stringify(backwards.body.error.details), /must be after from/);

    const malformed = await h.request('GET', '/api/v1/calendar?from=yesterday&type=sideways');
    assert.equal(malformed.status, 400);
    const paths = JSON.stringify(malformed.body.error.details);
    for (const p of ['from', 'to', 'type']) assert.match(paths, new RegExp(p));

    const unknown = await h.request('GET', `/api/v1/calendar?${RANGE}&teamId=ghosts&state=scheduled,nosuch,gone`);
    assert.equal(unknown.status, 400);
    assert.deepEqual(
      unknown.body.error.details.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message.split(' (')[0]}`),
      ['query.teamId: unknown team ghosts', 'query.state: unknown state nosuch', 'query.state: unknown state gone'],
      'every problem at once, and a known state is no problem',
    );
  });
});
