import assert from 'node:assert/strict';
import pg from 'pg';
import { describe, onEngine } from './support/cabinet';

// A filing and a write to the windows at the same time (PostgreSQL, READ COMMITTED): the filing takes the
// schedule's lock with its number, before it reads any window (change.service.ts `create`, change.repository.ts
// `nextSeq`), so a freeze committed by a writer that held the lock is in its conflicts.

/** The schedule's advisory lock key (db/dialect/postgres.ts). */
const SCHEDULE_LOCK_KEY = '4858414338';

describe('the schedule lock and a filing', () => {
  onEngine('postgres', 'a freeze written while a filing waits for the lock is in the filing’s conflicts', async (h) => {
    const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'orders-db', type: 'database', environment: 'production' } });
    assert.equal(ci.status, 201, ci.text);
    const plannedStart = '2027-03-10T22:00:00.000Z';
    const plannedEnd = '2027-03-10T23:00:00.000Z';
    const body = { type: 'normal', title: 'Reindex the orders database', ciIds: [ci.body.id], plannedStart, plannedEnd, impact: 'medium', urgency: 'medium' };
    // A first filing, so what a filing reads is remembered where it may be.
    const first = await h.request('POST', '/api/v1/changes', { body });
    assert.equal(first.status, 201, first.text);
    assert.deepEqual((await h.request('GET', `/api/v1/changes/${first.body.id}/conflicts`)).body.items, []);

    // A writer of the windows by hand, as cabinet's window writes do: the lock exclusive, then the freeze.
    const writer = new pg.Client({ connectionString: h.url });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query('select pg_advisory_xact_lock($1)', [SCHEDULE_LOCK_KEY]);
      await writer.query(
        `insert into windows (id, name, kind, description, start_local, time_zone, duration_minutes, rrule, scope, urgent, version, created_by, created_at, updated_at, source_uid)
         values ('win_by_hand', 'Quarter-end freeze', 'freeze', '', '2027-03-10T00:00', 'UTC', 1440, null, '{"global":true}', false, 1, $1, now(), now(), null)`,
        ['by-hand'],
      );
      const filing = h.request('POST', '/api/v1/changes', { body: { ...body, title: 'Rebuild the orders indexes' } });
      // The filing waits for the lock; it must not have read the windows before it.
      await new Promise((r) => setTimeout(r, 500));
      await writer.query('commit');
      const filed = await filing;
      assert.equal(filed.status, 201, filed.text);
      const conflicts = (await h.request('GET', `/api/v1/changes/${filed.body.id}/conflicts`)).body.items as { kind: string }[];
      assert.ok(
        conflicts.some((c) => c.kind === 'freeze'),
        `the freeze committed before the filing got the lock is one of its conflicts: ${JSON.stringify(conflicts.map((c) => c.kind))}`,
      );
    } finally {
      await writer.end();
    }
  });

  onEngine('postgres', 'an edit that moves a change into a freeze written while it waits for the lock has the freeze among its conflicts', async (h) => {
    const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'billing-db', type: 'database', environment: 'production' } });
    const filed = await h.request('POST', '/api/v1/changes', {
      body: { type: 'normal', title: 'Vacuum the billing database', ciIds: [ci.body.id], plannedStart: '2027-04-01T22:00:00.000Z', plannedEnd: '2027-04-01T23:00:00.000Z', impact: 'medium', urgency: 'medium' },
    });
    assert.equal(filed.status, 201, filed.text);
    const writer = new pg.Client({ connectionString: h.url });
    await writer.connect();
    try {
      await writer.query('begin');
      await writer.query('select pg_advisory_xact_lock($1)', [SCHEDULE_LOCK_KEY]);
      await writer.query(
        `insert into windows (id, name, kind, description, start_local, time_zone, duration_minutes, rrule, scope, urgent, version, created_by, created_at, updated_at, source_uid)
         values ('win_by_hand_2', 'Audit freeze', 'freeze', '', '2027-04-08T00:00', 'UTC', 1440, null, '{"global":true}', false, 1, 'by-hand', now(), now(), null)`,
      );
      const moving = h.request('PATCH', `/api/v1/changes/${filed.body.id}`, {
        body: { plannedStart: '2027-04-08T22:00:00.000Z', plannedEnd: '2027-04-08T23:00:00.000Z', version: filed.body.version },
      });
      await new Promise((r) => setTimeout(r, 500));
      await writer.query('commit');
      const moved = await moving;
      assert.equal(moved.status, 200, moved.text);
      const conflicts = (await h.request('GET', `/api/v1/changes/${filed.body.id}/conflicts`)).body.items as { kind: string }[];
      assert.ok(conflicts.some((c) => c.kind === 'freeze'), `the freeze is one of its conflicts: ${JSON.stringify(conflicts.map((c) => c.kind))}`);
    } finally {
      await writer.end();
    }
  });
});
