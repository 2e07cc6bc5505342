import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCabinetStore } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { systemActor } from '../src/domain/actor';
import { defaultIds } from '../src/services/context';
import { createOutboxService } from '../src/services/outbox.service';
import { cabinet, eachEngine, jsonFailure, show, withServices } from './support/cli';

/** Queues two items of a topic nobody handles; an outbox that allows one attempt makes them dead letters. */
async function twoDeadLetters(url: string): Promise<[string, string]> {
  const { store } = await openCabinetStore(loadConfig({ DATABASE_URL: url }));
  try {
    const outbox = createOutboxService({ store, now: () => new Date(), newId: defaultIds }, { maxAttempts: 1 });
    const queued: string[] = [];
    for (const n of [1, 2]) queued.push(await store.transaction((repos) => outbox.enqueue(repos, 'nowhere', { n })));
    assert.equal((await outbox.deliverDue('cli-test')).dead, 2);
    return queued as [string, string];
  } finally {
    await store.close();
  }
}

describe('cabinet outbox', { concurrency: 2 }, () => {
  it('describes each outbox command with its options and an example', async () => {
    const commands: [string[], RegExp[]][] = [
      [['outbox'], [/^Usage: cabinet outbox/m, /dead-letters/, /retry/, /discard/]],
      [['outbox', 'dead-letters'], [/^Usage: cabinet outbox dead-letters/m, /--limit <n>/, /--json/, /CABINET_OUTBOX_MAX_ATTEMPTS/]],
      [['outbox', 'retry'], [/^Usage: cabinet outbox retry \[options\] <id>/m, /attempts reset/, /--json/]],
      [['outbox', 'discard'], [/^Usage: cabinet outbox discard \[options\] <id>/m, /--reason <text>/, /--json/]],
    ];
    const runs = await Promise.all(commands.map(([args]) => cabinet([...args, '--help'])));
    runs.forEach((r, i) => {
      const [args, patterns] = commands[i]!;
      assert.equal(r.code, 0, show(r));
      for (const p of patterns) assert.match(r.stdout, p, `${args.join(' ')} --help`);
      assert.match(r.stdout, /\nExamples?:\n {2}\$ .*\bcabinet outbox/, `${args.join(' ')} --help has an example`);
    });
  });

  eachEngine('lists dead letters, retries one and discards another with a reason', async (url) => {
    const [first, second] = await twoDeadLetters(url);

    const table = await cabinet(['outbox', 'dead-letters'], { DATABASE_URL: url });
    assert.equal(table.code, 0, show(table));
    assert.match(table.stdout, /^ID\s+DEAD SINCE \(UTC\)\s+TOPIC\s+CHANGE\s+ATTEMPTS\s+ABOUT\s+LAST ERROR/);
    assert.ok(table.stdout.includes(first) && table.stdout.includes(second), show(table));
    assert.match(table.stdout, /No handler for outbox topic "nowhere"/);

    const listed = await cabinet(['outbox', 'dead-letters', '--json'], { DATABASE_URL: url });
    assert.equal(listed.code, 0, show(listed));
    const body = JSON.parse(listed.stdout) as { items: { id: string; topic: string; attempts: number }[]; total: number };
    assert.equal(body.total, 2);
    assert.deepEqual(body.items.map((d) => d.id).sort(), [first, second].sort());

    const retried = await cabinet(['outbox', 'retry', first, '--json'], { DATABASE_URL: url });
    assert.equal(retried.code, 0, show(retried));
    assert.deepEqual(JSON.parse(retried.stdout), { ok: true, id: first, state: 'pending' });
    const again = jsonFailure(await cabinet(['outbox', 'retry', first, '--json'], { DATABASE_URL: url }));
    assert.equal(again.code, 'not_dead_letter');

    const noReason = jsonFailure(await cabinet(['outbox', 'discard', second, '--json'], { DATABASE_URL: url }));
    assert.match(noReason.message, /--reason/);
    const blank = jsonFailure(await cabinet(['outbox', 'discard', second, '--reason', ' ', '--json'], { DATABASE_URL: url }));
    assert.equal(blank.code, 'reason_required');
    assert.deepEqual(blank.problems.map((p) => p.path), ['reason']);
    const discarded = await cabinet(['outbox', 'discard', second, '--reason', 'Sent by hand instead'], { DATABASE_URL: url });
    assert.equal(discarded.code, 0, show(discarded));
    assert.equal(discarded.stdout, `Discarded ${second}.\n`);

    const empty = await cabinet(['outbox', 'dead-letters'], { DATABASE_URL: url });
    assert.match(empty.stdout, /^No dead letters/);
    const actions = await withServices(url, async (s) => {
      const found: string[] = [];
      for await (const line of (await s.audit.exportRange(systemActor(), {})).lines) found.push((JSON.parse(line) as { action: string }).action);
      return found;
    });
    assert.deepEqual(actions.filter((a) => a.startsWith('outbox.')), ['outbox.retried', 'outbox.discarded']);
  });
});
