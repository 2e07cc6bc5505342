import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { systemActor } from '../src/domain/actor';
import { cabinet, eachEngine, jsonFailure, listedFailure, show, withServices } from './support/cli';

let dir: string;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cabinet-cli-records-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const rowsOf = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((l) => l.split(/ {2,}/));

describe('cabinet window list and audit export', { concurrency: 2 }, () => {
  eachEngine('lists windows and freezes with when, how long, how often and where; filters by kind and service', async (url) => {
    const serviceId = await withServices(url, async (s) => {
      const payments = await s.cmdb.createService(systemActor(), { name: 'Payments', description: '', requiresMaintenanceWindow: false, tier: 1, ownerTeamId: null, tags: [], provider: 'on_premises' });
      const base = { description: '', rrule: null, urgent: false };
      await s.windows.create(systemActor(), { ...base, name: 'Saturday night', kind: 'maintenance', start: '2026-01-03T22:00', timeZone: 'Europe/London', durationMinutes: 240, rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { global: true } });
      await s.windows.create(systemActor(), { ...base, name: 'Year-end freeze', kind: 'freeze', start: '2026-12-20T00:00', timeZone: 'UTC', durationMinutes: 14 * 24 * 60, scope: { serviceIds: [payments.id] } });
      return payments.id;
    });
    const r = await cabinet(['window', 'list'], { DATABASE_URL: url });
    assert.equal(r.code, 0, show(r));
    const rows = rowsOf(r.stdout);
    assert.deepEqual(rows[0], ['NAME', 'KIND', 'START', 'LASTS', 'REPEATS', 'APPLIES TO', 'ID']);
    assert.deepEqual(
      rows.slice(1).map((row) => row.slice(0, 6)),
      [
        ['Saturday night', 'maintenance', '2026-01-03 22:00 Europe/London', '240 min', 'FREQ=WEEKLY;BYDAY=SA', 'everywhere'],
        ['Year-end freeze', 'freeze', '2026-12-20 00:00 UTC', '20160 min', 'once', '1 service(s)'],
      ],
    );
    const freezes = await cabinet(['window', 'list', '--kind', 'freeze', '--service', 'Payments', '--json'], { DATABASE_URL: url });
    assert.equal(freezes.code, 0, show(freezes));
    const items = (JSON.parse(freezes.stdout) as { items: { name: string; scope: { serviceIds?: string[] } }[] }).items;
    assert.deepEqual(
      items.map((w) => [w.name, w.scope.serviceIds]),
      [['Year-end freeze', [serviceId]]],
    );
    const badKind = jsonFailure(await cabinet(['window', 'list', '--kind', 'holiday', '--json'], { DATABASE_URL: url }));
    assert.match(badKind.problems[0]!.message, /argument 'holiday' is invalid/);
    const unknownService = jsonFailure(await cabinet(['window', 'list', '--service', 'Nowhere', '--json'], { DATABASE_URL: url }));
    assert.ok(unknownService.problems.some((p) => /Nowhere/.test(p.message)), JSON.stringify(unknownService));
  });

  eachEngine('exports the audit trail as JSON lines to a file or stdout, which `audit verify` accepts; a range limits it', async (url, engine) => {
    await withServices(url, async (s) => {
      for (const name of ['ops', 'dba', 'net']) await s.accounts.createTeam(systemActor(), { name, handle: name, description: '', memberIds: [] });
    });
    const file = path.join(dir, `audit-${engine}.jsonl`);
    const r = await cabinet(['audit', 'export', '--output', file], { DATABASE_URL: url });
    assert.equal(r.code, 0, show(r));
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `Exported 3 audit event(s), 1 to 3 to ${file}.\n`);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => (JSON.parse(l) as { seq: number; action: string }).action),
      ['team.created', 'team.created', 'team.created'],
    );

    const verified = await cabinet(['audit', 'verify', file]);
    assert.equal(verified.code, 0, show(verified));
    assert.match(verified.stdout, /^OK: 3 audit events checked; the chain is intact/);

    const toStdout = await cabinet(['audit', 'export'], { DATABASE_URL: url });
    assert.equal(toStdout.code, 0, show(toStdout));
    assert.equal(toStdout.stdout, readFileSync(file, 'utf8'), 'stdout holds exactly the file');

    const future = await cabinet(['audit', 'export', '--from', '2999-01-01T00:00:00Z'], { DATABASE_URL: url });
    assert.equal(future.code, 0, show(future));
    assert.equal(future.stdout, '');
    assert.equal(future.stderr, 'No audit events in that range; nothing exported.\n');

    const bad = await cabinet(['audit', 'export', '--from', 'yesterday', '--to', 'soon'], { DATABASE_URL: url });
    const { problems } = listedFailure(bad);
    assert.deepEqual([...new Set(problems.map((p) => p.split(':')[0]))], ['from', 'to'], 'both bad instants, one per line');
  });
});
