import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { ChangeListQuery } from '../src/contracts/change';
import { systemActor } from '../src/domain/actor';
import { createTestDatabase } from './support/databases';

describe('the demo organisation', () => {
  it('loads two days before the year-end freeze: the change planned inside it is scheduled on an approved freeze exception', async () => {
    const db = await createTestDatabase('sqlite');
    const year = new Date().getUTCFullYear();
    const cabinet = await startCabinet(loadConfig({ DATABASE_URL: db.url, CABINET_DEMO: '1', CABINET_WEB_DIR: '/nonexistent' }), { now: () => new Date(`${year}-12-18T10:00:00Z`) });
    try {
      const actor = systemActor();
      const { items } = await cabinet.services.changes.list(actor, ChangeListQuery.parse({ limit: 100 }));
      const rotate = items.find((c) => c.title === 'Rotate the payments database credentials')!;
      assert.equal(rotate.state, 'scheduled');
      const exceptions = await cabinet.services.schedule.freezeExceptions(actor, rotate.id);
      assert.deepEqual(exceptions.map((e) => [e.state, e.windows.map((w) => w.name)]), [['approved', ['Year-end freeze']]]);
      const conflicts = await cabinet.services.schedule.conflicts(actor, rotate.id);
      assert.ok(conflicts.items.some((c) => c.kind === 'freeze' && c.excepted && !c.blocking));
    } finally {
      await cabinet.close();
      await db.drop();
    }
  });
});
