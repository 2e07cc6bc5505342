import assert from 'node:assert/strict';
import { describe } from 'node:test';
import * as m0019 from '../src/db/migrations/0019-derived-pair-conflicts';
import { eachEngine } from './support/cabinet';
import { ci, plan } from './support/fixtures';

// Migration 0019 stops storing pair conflicts: an acknowledgement given to a stored pair row must survive as
// the acknowledgement of the derived pair, and the pair rows must go. Run on a database as 0018 left it: the
// migration is taken back (down) and the rows an older Cabinet wrote are put in place, then it runs again.
describe('migration 0019: pair conflicts derived when read', () => {
  eachEngine('carries over the acknowledgements of stored pair rows and deletes the pair rows, keeping window rows', async (h) => {
    const db = await ci(h, 'ledger-db', 'database');
    const start = new Date(h.now().getTime() + 10 * 86_400_000);
    const iso = (hours: number) => new Date(start.getTime() + hours * 3_600_000).toISOString();
    const file = async (from: number, to: number) => {
      const res = await h.request('POST', '/api/v1/changes', { body: plan([db], { plannedStart: iso(from), plannedEnd: iso(to) }) });
      assert.equal(res.status, 201, res.text);
      return res.body as { id: string };
    };
    const a = await file(0, 2);
    const b = await file(1, 3);
    const [conflict] = (await h.request('GET', `/api/v1/changes/${a.id}/conflicts`)).body.items as { id: string }[];
    const kysely = h.cabinet.store.kysely;
    await m0019.down(kysely);
    const row = (changeId: string, otherId: string, ack: boolean) => ({
      id: `row-${changeId}`,
      change_id: changeId,
      key: `ci_overlap:${otherId}`,
      kind: 'ci_overlap',
      other_change_id: otherId,
      window_id: null,
      service_id: null,
      starts_at: iso(1),
      ends_at: iso(2),
      detail: JSON.stringify({ ciIds: [db] }),
      acknowledged_by: ack ? 'someone' : null,
      acknowledged_at: ack ? iso(-100) : null,
      acknowledged_reason: ack ? 'Accepted before the upgrade' : null,
      created_at: iso(-200),
    });
    const freeze = { ...row(a.id, b.id, false), id: 'row-freeze', key: `freeze:w1:${iso(0)}`, kind: 'freeze', other_change_id: null, detail: JSON.stringify({ windowName: 'Year end' }) };
    await kysely.insertInto('change_conflicts').values([row(a.id, b.id, true), row(b.id, a.id, false), freeze]).execute();
    await m0019.up(kysely);

    const left = await kysely.selectFrom('change_conflicts').select('id').where('other_change_id', 'is not', null).execute();
    assert.deepEqual(left, [], 'no pair row is left');
    const windows = await kysely.selectFrom('change_conflicts').select('id').where('kind', '=', 'freeze').execute();
    assert.deepEqual(windows, [{ id: 'row-freeze' }], 'window rows stay');
    const [after] = (await h.request('GET', `/api/v1/changes/${a.id}/conflicts`)).body.items as { id: string; acknowledgement: { reason: string; at: string } | null }[];
    assert.equal(after!.id, conflict!.id);
    assert.equal(after!.acknowledgement?.reason, 'Accepted before the upgrade');
    assert.equal(after!.acknowledgement?.at, iso(-100));
    const [onB] = (await h.request('GET', `/api/v1/changes/${b.id}/conflicts`)).body.items as { acknowledgement: unknown }[];
    assert.equal(onB!.acknowledgement, null);
  });
});
