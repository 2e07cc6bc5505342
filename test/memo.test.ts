import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoBus, memoizeReads } from '../src/db/repositories/memo';

/** A repository over an in-memory table that counts the reads that reached it. */
function fakeRepository() {
  const rows = new Map<string, { id: string; name: string }>([['a', { id: 'a', name: 'Alpha' }]]);
  const calls = { find: 0, list: 0, count: 0 };
  const repo = {
    async find(id: string) {
      calls.find++;
      const row = rows.get(id);
      return row ? { ...row } : null;
    },
    async list() {
      calls.list++;
      return [...rows.values()].map((r) => ({ ...r }));
    },
    async count() {
      calls.count++;
      return rows.size;
    },
    async rename(id: string, name: string) {
      rows.set(id, { id, name });
    },
    async broken(): Promise<never> {
      calls.find++;
      throw new Error('read failed');
    },
  };
  return { repo, calls };
}

describe('memoized repository reads (one transaction)', () => {
  it('answers a repeated read once, per arguments', async () => {
    const { repo, calls } = fakeRepository();
    const memo = memoizeReads(repo, ['find', 'list']);
    assert.deepEqual(await memo.find('a'), { id: 'a', name: 'Alpha' });
    assert.deepEqual(await memo.find('a'), { id: 'a', name: 'Alpha' });
    assert.equal(await memo.find('b'), null);
    await Promise.all([memo.list(), memo.list()]);
    assert.deepEqual(calls, { find: 2, list: 1, count: 0 });
  });

  it('forgets everything after a write through the repository, so the transaction reads its own writes', async () => {
    const { repo, calls } = fakeRepository();
    const memo = memoizeReads(repo, ['find', 'list']);
    await memo.find('a');
    await memo.rename('a', 'Apex');
    assert.deepEqual(await memo.find('a'), { id: 'a', name: 'Apex' });
    assert.deepEqual((await memo.list()).map((r) => r.name), ['Apex']);
    assert.equal(calls.find, 2);
  });

  it('keeps the memo across the other reads it is told about, and forgets it on any unknown method', async () => {
    const { repo, calls } = fakeRepository();
    const kept = memoizeReads(repo, ['find'], ['count']);
    await kept.find('a');
    await kept.count();
    await kept.find('a');
    assert.equal(calls.find, 1);
    const strict = memoizeReads(repo, ['find']);
    await strict.find('a');
    await strict.count();
    await strict.find('a');
    assert.equal(calls.find, 3);
  });

  it('hands out new arrays of frozen records, so one caller cannot change what the next one reads', async () => {
    const { repo } = fakeRepository();
    const memo = memoizeReads(repo, ['find', 'list']);
    const first = await memo.list();
    first.push({ id: 'x', name: 'Intruder' });
    assert.throws(() => {
      first[0]!.name = 'Changed';
    }, TypeError);
    assert.deepEqual(await memo.list(), [{ id: 'a', name: 'Alpha' }]);
    const one = await memo.find('a');
    assert.ok(Object.isFrozen(one));
  });

  it('does not remember a failed read', async () => {
    const { repo, calls } = fakeRepository();
    const memo = memoizeReads(repo, ['broken']);
    await assert.rejects(memo.broken(), /read failed/);
    await assert.rejects(memo.broken(), /read failed/);
    assert.equal(calls.find, 2);
  });
  it('keeps the reads a write cannot change, as the write says from its arguments, and forgets the rest', async () => {
    const { repo, calls } = fakeRepository();
    const memo = memoizeReads(repo, ['find', 'list'], [], { keeps: { rename: (id: string) => (id === 'b' ? ['list'] : []) } });
    await memo.list();
    await memo.find('a');
    await memo.rename('b', 'Beta'); // told to keep `list` (a test of the mechanism: this write does change it)
    await memo.list();
    await memo.find('a');
    assert.deepEqual({ list: calls.list, find: calls.find }, { list: 1, find: 2 });
    await memo.rename('a', 'Apex'); // keeps nothing
    assert.deepEqual((await memo.list()).map((r) => r.name).sort(), ['Apex', 'Beta']);
    assert.equal(calls.list, 2);
  });

  it('forgets a read of another repository\'s tables when that repository writes, not when its own does', async () => {
    const bus = new MemoBus();
    const owner = fakeRepository();
    const reader = fakeRepository();
    const writer = memoizeReads(owner.repo, ['find'], [], { name: 'owner', bus });
    const memo = memoizeReads(reader.repo, ['find', 'list'], [], { bus, foreign: { list: 'owner' } });
    await memo.list();
    await memo.find('a');
    await memo.rename('a', 'Own'); // its own write: forgets `find`, keeps the foreign `list`
    await memo.list();
    await memo.find('a');
    assert.deepEqual({ list: reader.calls.list, find: reader.calls.find }, { list: 1, find: 2 });
    await writer.rename('z', 'Zed'); // the owner writes: the foreign read is asked again
    await memo.list();
    await memo.find('a');
    assert.deepEqual({ list: reader.calls.list, find: reader.calls.find }, { list: 2, find: 2 });
  });
});
