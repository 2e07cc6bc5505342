import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';
import { ci, edit, plan } from './support/fixtures';

const DAY = 86_400_000;
const UCI_LOG = readFileSync('/work/shared/data/incidents/uci-incident-event-log.partial.csv', 'utf8');
const CSV = { 'content-type': 'text/csv' };

async function service(h: Harness, name: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/services', { body: { name, tier: 2 } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function change(h: Harness, ciIds: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; number: string; title: string }> {
  const res = await h.request('POST', '/api/v1/changes', { body: plan(ciIds, extra) });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function incident(h: Harness, body: Record<string, unknown>, token?: string) {
  const res = await h.request('POST', '/api/v1/incidents', { body, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Every audit event, oldest first. */
async function auditEvents(h: Harness): Promise<{ action: string; entityType: string; entityId: string; data: Record<string, unknown> }[]> {
  const res = await h.request('GET', '/api/v1/audit/export');
  assert.equal(res.status, 200, res.text);
  return res.text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/** Every incident the list gives for the query, walking all pages. */
async function allIncidents(h: Harness, query = ''): Promise<{ number: string }[]> {
  const items: { number: string }[] = [];
  let cursor: string | null = null;
  do {
    const res = await h.request('GET', `/api/v1/incidents?limit=500${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, res.text);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return items;
}

const importCsv = (h: Harness, text: string, query = '', token?: string) => h.request('POST', `/api/v1/incidents/import${query}`, { body: text, headers: CSV, token });

describe('incidents', () => {
  eachEngine('files an incident on CIs and a service, tied to the change that caused it, and reads it back by id and number', async (h) => {
    const payments = await service(h, 'Payments');
    const db = await ci(h, 'pay-db', 'database', { serviceId: payments });
    const web = await ci(h, 'pay-web', 'web_server');
    const cause = await change(h, [db]);
    const openedAt = new Date(h.now().getTime() - 2 * 3_600_000).toISOString();

    // CIs by id or name, the service by name, the change by number.
    const created = await incident(h, { title: 'Payments time out', description: 'p99 above 5 s', priority: 2, openedAt, ciIds: [web, 'pay-db'], serviceId: 'Payments', causedByChangeId: cause.number });
    assert.match(created.number, /^INC\d{7}$/);
    assert.equal(created.state, 'new');
    assert.equal(created.priority, 2);
    assert.equal(created.openedAt, openedAt);
    assert.equal(created.resolvedAt, null);
    assert.equal(created.closedAt, null);
    assert.deepEqual([...created.ciIds].sort(), [db, web].sort());
    assert.deepEqual(created.cis, [{ id: db, name: 'pay-db' }, { id: web, name: 'pay-web' }]);
    assert.deepEqual(created.service, { id: payments, name: 'Payments' });
    assert.deepEqual(created.causedByChange, { id: cause.id, number: cause.number, title: cause.title });
    assert.equal(created.source, 'cabinet');
    assert.deepEqual(created.external, {});
    assert.equal(created.version, 1);

    assert.deepEqual((await h.request('GET', `/api/v1/incidents/${created.id}`)).body, created);
    assert.deepEqual((await h.request('GET', `/api/v1/incidents/${created.number.toLowerCase()}`)).body, created);
    assert.equal((await h.request('GET', '/api/v1/incidents/INC9999999')).status, 404);

    const caused = await h.request('GET', `/api/v1/changes/${cause.number}/incidents`);
    assert.equal(caused.status, 200, caused.text);
    assert.deepEqual(caused.body.items.map((i: { id: string }) => i.id), [created.id]);
    assert.equal((await h.request('GET', '/api/v1/changes/CHG9999999/incidents')).status, 404);

    const events = await auditEvents(h);
    assert.deepEqual(events.filter((e) => e.entityId === created.id).map((e) => e.action), ['incident.created']);
    const linked = events.find((e) => e.action === 'change.incident_linked');
    assert.equal(linked?.entityType, 'change');
    assert.equal(linked?.entityId, cause.id);
    assert.equal(linked?.data.incident, created.number);
  });

  eachEngine('refuses an incident listing every problem at once: empty title, priority 9, unknown CI, unknown change, openedAt in the future', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const bad = await h.request('POST', '/api/v1/incidents', {
      body: { title: '  ', priority: 9, ciIds: [db, 'pay-db', 'no-such-ci'], causedByChangeId: 'CHG9999999', openedAt: new Date(h.now().getTime() + DAY).toISOString() },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'invalid_input');
    const issues: { path: string; message: string }[] = bad.body.error.details.issues;
    assert.deepEqual(issues.map((i) => i.path).sort(), ['causedByChangeId', 'ciIds.2', 'openedAt', 'priority', 'title']);
    assert.match(issues.find((i) => i.path === 'ciIds.2')!.message, /unknown CI no-such-ci/);
    assert.match(issues.find((i) => i.path === 'causedByChangeId')!.message, /unknown change CHG9999999/);

    // A well-formed body whose references are wrong is refused the same way, and nothing is written.
    const refs = await h.request('POST', '/api/v1/incidents', { body: { title: 'Down', serviceId: 'Nope', ciIds: ['gone'] } });
    assert.equal(refs.status, 400, refs.text);
    assert.deepEqual(refs.body.error.details.issues.map((i: { path: string }) => i.path), ['ciIds.0', 'serviceId']);
    assert.deepEqual((await h.request('GET', '/api/v1/incidents')).body.items, []);
  });

  eachEngine('lets an auditor read incidents but not file them, a requester file them, and only a change manager import', async (h) => {
    const auditor = await h.userWithToken(['auditor']);
    const requester = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    const filed = await incident(h, { title: 'Login fails' }, requester.token);
    assert.equal(filed.createdBy, requester.id);

    const read = await h.request('GET', '/api/v1/incidents', { token: auditor.token });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.items.map((i: { id: string }) => i.id), [filed.id]);
    assert.equal((await h.request('GET', `/api/v1/incidents/${filed.number}`, { token: auditor.token })).status, 200);

    const refused = await h.request('POST', '/api/v1/incidents', { token: auditor.token, body: { title: 'Nope' } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'forbidden');
    // Refused for the permission even with a body that would also be invalid.
    assert.equal((await h.request('POST', '/api/v1/incidents', { token: auditor.token, body: { title: '' } })).status, 403);
    assert.equal((await h.request('PATCH', `/api/v1/incidents/${filed.id}`, { token: auditor.token, body: { state: 'closed', version: filed.version } })).status, 403);

    const csv = 'number,title,priority,state,opened_at,ci,caused_by\nINC0100001,Disk full,2,new,2026-01-05T10:00:00Z,,\n';
    assert.equal((await importCsv(h, csv, '', requester.token)).status, 403);
    assert.equal((await importCsv(h, csv, '', auditor.token)).status, 403);
    const imported = await importCsv(h, csv, '', manager.token);
    assert.equal(imported.status, 200, imported.text);
    assert.equal(imported.body.created, 1);
  });

  eachEngine('lists incidents newest opened first, filtered by state, CI name, causing change number and words, page by page', async (h) => {
    const db = await ci(h, 'orders-db', 'database');
    const other = await ci(h, 'search-api', 'application');
    const cause = await change(h, [db]);
    const at = (daysAgo: number) => new Date(h.now().getTime() - daysAgo * DAY).toISOString();
    const a = await incident(h, { title: 'Orders slow', openedAt: at(5), ciIds: [db], causedByChangeId: cause.id, priority: 1 });
    const b = await incident(h, { title: 'Search down', description: 'the ORDERS page too', openedAt: at(3), ciIds: [other], state: 'on_hold' });
    const c = await incident(h, { title: 'Old outage', openedAt: at(20), ciIds: [db], state: 'closed' });
    const d = await incident(h, { title: 'Certificate expired', openedAt: at(1), state: 'resolved' });

    const numbers = async (query: string) => {
      const res = await h.request('GET', `/api/v1/incidents?${query}`);
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((i: { number: string }) => i.number);
    };
    assert.deepEqual(await numbers(''), [d.number, b.number, a.number, c.number]);
    assert.deepEqual(await numbers('state=open'), [b.number, a.number]);
    assert.deepEqual(await numbers('state=resolved,closed'), [d.number, c.number]);
    assert.deepEqual(await numbers('ciId=orders-db'), [a.number, c.number]);
    assert.deepEqual(await numbers(`ciId=${other}&state=on_hold`), [b.number]);
    assert.deepEqual(await numbers(`changeId=${cause.number}`), [a.number]);
    assert.deepEqual(await numbers('q=orders'), [b.number, a.number]);
    assert.deepEqual(await numbers(`q=${c.number}`), [c.number]);
    assert.deepEqual(await numbers(`openedFrom=${encodeURIComponent(at(4))}&openedTo=${encodeURIComponent(at(2))}`), [b.number]);

    assert.deepEqual(await numbers('priority=1'), [a.number]);
    assert.deepEqual(await numbers('priority=1,3&state=open'), [b.number, a.number]);

    const bad = await h.request('GET', '/api/v1/incidents?state=open,exploded&ciId=nothing&changeId=CHG9999999&priority=0');
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path), ['query.state', 'query.ciId', 'query.changeId', 'query.priority']);

    const first = await h.request('GET', '/api/v1/incidents?limit=3');
    assert.deepEqual(first.body.items.map((i: { number: string }) => i.number), [d.number, b.number, a.number]);
    assert.ok(first.body.nextCursor);
    const second = await h.request('GET', `/api/v1/incidents?limit=3&cursor=${first.body.nextCursor}`);
    assert.deepEqual(second.body.items.map((i: { number: string }) => i.number), [c.number]);
    assert.equal(second.body.nextCursor, null);
    assert.equal((await h.request('GET', '/api/v1/incidents?cursor=bogus')).status, 400);
  });

  eachEngine('refuses an edit against a stale version with 412, from the body or If-Match, and writes nothing', async (h) => {
    const filed = await incident(h, { title: 'Queue backlog' });
    const edited = await h.request('PATCH', `/api/v1/incidents/${filed.id}`, { body: { priority: 1, version: 1 } });
    assert.equal(edited.status, 200, edited.text);
    assert.equal(edited.body.version, 2);
    assert.equal(edited.body.priority, 1);

    const stale = await h.request('PATCH', `/api/v1/incidents/${filed.id}`, { body: { title: 'Mine', version: 1 } });
    assert.equal(stale.status, 412, stale.text);
    assert.equal(stale.body.error.code, 'stale_version');
    const staleHeader = await h.request('PATCH', `/api/v1/incidents/${filed.number}`, { body: { title: 'Mine' }, headers: { 'if-match': '"1"' } });
    assert.equal(staleHeader.status, 412, staleHeader.text);
    assert.equal((await h.request('GET', `/api/v1/incidents/${filed.id}`)).body.title, 'Queue backlog');

    const fresh = await h.request('PATCH', `/api/v1/incidents/${filed.number}`, { body: { title: 'Mine' }, headers: { 'if-match': '"2"' } });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.body.title, 'Mine');
    const updates = (await auditEvents(h)).filter((e) => e.entityId === filed.id && e.action === 'incident.updated');
    assert.deepEqual(updates.map((e) => Object.keys(e.data.changes as object)), [['priority'], ['title']]);

    const invalid = await h.request('PATCH', `/api/v1/incidents/${filed.id}`, { body: { priority: 0, ciIds: ['nope'], causedByChangeId: 'CHG9999999', version: fresh.body.version } });
    assert.equal(invalid.status, 400, invalid.text);
    assert.deepEqual(invalid.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['causedByChangeId', 'ciIds.0', 'priority']);
  });

  eachEngine('stamps resolvedAt and closedAt when an incident is resolved and closed, and clears them when it is reopened', async (h) => {
    const filed = await incident(h, { title: 'Backups failing' });
    const patch = async (body: Record<string, unknown>) => {
      const res = await edit(h, `/api/v1/incidents/${filed.id}`, body);
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    const resolved = await patch({ state: 'resolved' });
    assert.ok(resolved.resolvedAt);
    assert.equal(resolved.closedAt, null);
    h.advance(3_600_000);
    const closed = await patch({ state: 'closed' });
    assert.equal(closed.resolvedAt, resolved.resolvedAt, 'closing keeps the time it was resolved');
    assert.ok(Date.parse(closed.closedAt) > Date.parse(closed.resolvedAt));
    const reopened = await patch({ state: 'in_progress' });
    assert.equal(reopened.resolvedAt, null);
    assert.equal(reopened.closedAt, null);
    const closedAtOnce = await patch({ state: 'closed' });
    assert.equal(closedAtOnce.resolvedAt, closedAtOnce.closedAt, 'closing an unresolved incident stamps both');

    const filedClosed = await incident(h, { title: 'Already over', state: 'closed' });
    assert.ok(filedClosed.resolvedAt && filedClosed.closedAt);
  });

  // Needs the `ci_incidents` factor of the shipped policy (points when history.ciIncidents30d >= 1).
  eachEngine('raises the risk of an open change when an incident is filed on one of its CIs', async (h) => {
    const db = await ci(h, 'ledger-db', 'database');
    const open = await change(h, [db]);
    const factor = async () => {
      const res = await h.request('GET', `/api/v1/changes/${open.id}/risk`);
      assert.equal(res.status, 200, res.text);
      return { factor: res.body.factors.find((f: { name: string }) => f.name === 'ci_incidents') };
    };
    const before = await factor();
    assert.ok(before.factor, 'the policy has a ci_incidents factor');
    assert.equal(before.factor.contribution, 0);

    // An incident older than 30 days does not count.
    await incident(h, { title: 'Long ago', ciIds: [db], openedAt: new Date(h.now().getTime() - 40 * DAY).toISOString() });
    assert.equal((await factor()).factor.contribution, 0);

    await incident(h, { title: 'Ledger lagging', ciIds: [db] });
    const after = await factor();
    assert.ok(after.factor.contribution > 0, JSON.stringify(after.factor));
    assert.match(after.factor.reason, /incident/i);
  });

  eachEngine('imports the UCI incident event log: 890 incidents from their last rows, linked CIs, idempotent re-import, dry run writes nothing', async (h) => {
    const ci31 = await ci(h, 'cmdb_ci 31', 'application');

    const dry = await importCsv(h, UCI_LOG, '?dryRun=true');
    assert.equal(dry.status, 200, dry.text);
    assert.deepEqual({ incidents: dry.body.incidents, created: dry.body.created, updated: dry.body.updated, errors: dry.body.errors }, { incidents: 890, created: 890, updated: 0, errors: [] });
    assert.equal((await h.request('GET', '/api/v1/incidents')).body.items.length, 0, 'a dry run writes nothing');

    const first = await importCsv(h, UCI_LOG);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual({ incidents: first.body.incidents, created: first.body.created, updated: first.body.updated, errors: first.body.errors }, { incidents: 890, created: 890, updated: 0, errors: [] });
    assert.ok(!first.body.unmatchedCis.includes('cmdb_ci 31'));
    assert.ok(first.body.unmatchedCis.includes('cmdb_ci 23'));
    assert.ok(first.body.unmatchedChanges.includes('CHG0000097'));
    assert.deepEqual(first.body, dry.body, 'the dry run reported what the import did');

    const all = await allIncidents(h);
    assert.equal(all.length, 890);
    assert.equal(new Set(all.map((i) => i.number)).size, 890);

    // INC0000045's last row (sys_mod_count 4) is Closed.
    const inc45 = (await h.request('GET', '/api/v1/incidents/INC0000045')).body;
    assert.equal(inc45.state, 'closed');
    assert.equal(inc45.title, 'Category 55 / Subcategory 170: Symptom 72');
    assert.equal(inc45.priority, 3);
    assert.equal(inc45.openedAt, '2016-02-29T01:16:00.000Z');
    assert.equal(inc45.resolvedAt, '2016-02-29T11:29:00.000Z');
    assert.equal(inc45.closedAt, '2016-03-05T12:00:00.000Z');
    assert.equal(inc45.source, 'import');
    assert.equal(inc45.external.assignmentGroup, 'Group 56');
    assert.equal(inc45.external.cmdbCi, undefined);

    const onCi31 = (await h.request('GET', `/api/v1/incidents?ciId=${encodeURIComponent('cmdb_ci 31')}`)).body.items;
    assert.equal(onCi31.length, 2);
    for (const i of onCi31) assert.deepEqual(i.cis, [{ id: ci31, name: 'cmdb_ci 31' }]);
    const unlinked = (await allIncidents(h)).find((i) => (i as { external?: Record<string, string> }).external?.cmdbCi === 'cmdb_ci 23') as { cis: unknown[] } | undefined;
    assert.ok(unlinked, 'an unmatched CI name is kept on the incident');
    assert.deepEqual(unlinked!.cis, []);

    const again = await importCsv(h, UCI_LOG);
    assert.equal(again.status, 200, again.text);
    assert.deepEqual({ incidents: again.body.incidents, created: again.body.created, updated: again.body.updated }, { incidents: 890, created: 0, updated: 890 });
    assert.equal((await allIncidents(h)).length, 890);
    assert.equal((await h.request('GET', '/api/v1/incidents/INC0000045')).body.version, 1, 'nothing changed, nothing rewritten');

    const imports = (await auditEvents(h)).filter((e) => e.action === 'incident.imported');
    assert.deepEqual(imports.map((e) => [e.data.created, e.data.updated]), [[890, 0], [0, 890]]);
  });

  eachEngine("imports Cabinet's own CSV, reports each refused row, and numbers new incidents past the imported ones", async (h) => {
    await ci(h, 'db-1', 'database');
    const cause = await change(h, []);
    const csv = [
      'number,title,priority,state,opened_at,ci,caused_by',
      `INC0000001,Disk full,2,closed,2026-01-05T10:00:00Z,db-1,${cause.number}`,
      'INC0000002,Slow login,3,in_progress,2026-01-06T10:00:00Z,db-9,CHG0999999',
      'INC0000003,Bad,9,exploded,06-01-2026 10:00,,',
      ',No number,3,new,2026-01-06T10:00:00Z,,',
    ].join('\n');
    const res = await importCsv(h, csv);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.incidents, 3);
    assert.equal(res.body.created, 2);
    assert.deepEqual(res.body.unmatchedCis, ['db-9']);
    assert.deepEqual(res.body.unmatchedChanges, ['CHG0999999']);
    assert.deepEqual(res.body.errors.map((e: { row: number; number: string | null }) => [e.row, e.number]), [[3, 'INC0000003'], [4, null]]);
    assert.match(res.body.errors[0].message, /state: unknown state "exploded"/);
    assert.match(res.body.errors[0].message, /priority/);

    const disk = (await h.request('GET', '/api/v1/incidents/INC0000001')).body;
    assert.deepEqual(disk.causedByChange?.number, cause.number);
    assert.deepEqual(disk.cis.map((c: { name: string }) => c.name), ['db-1']);
    assert.equal(disk.closedAt, disk.resolvedAt);
    assert.deepEqual((await h.request('GET', `/api/v1/changes/${cause.id}/incidents`)).body.items.map((i: { number: string }) => i.number), ['INC0000001']);

    // INC0000001 and INC0000002 are taken; the refused INC0000003 is not.
    assert.equal((await incident(h, { title: 'Next' })).number, 'INC0000003');
    assert.equal((await incident(h, { title: 'After' })).number, 'INC0000004');

    // A later export of the same incidents updates them; what Cabinet added (a CI, a description) stays.
    const extra = await ci(h, 'db-2', 'database');
    const slow = (await h.request('GET', '/api/v1/incidents/INC0000002')).body;
    assert.equal((await h.request('PATCH', `/api/v1/incidents/${slow.id}`, { body: { ciIds: [extra], description: 'Seen from the EU only', version: slow.version } })).status, 200);
    const later = await importCsv(h, ['number,title,priority,state,opened_at,ci,caused_by', 'INC0000002,Slow login,1,resolved,2026-01-06T10:00:00Z,db-1,', 'INC0000005,New one,4,new,2026-01-07T10:00:00Z,,'].join('\n'));
    assert.equal(later.status, 200, later.text);
    assert.deepEqual([later.body.incidents, later.body.created, later.body.updated, later.body.errors.length], [2, 1, 1, 0]);
    const updated = (await h.request('GET', '/api/v1/incidents/INC0000002')).body;
    assert.deepEqual([updated.state, updated.priority, updated.version, updated.description], ['resolved', 1, slow.version + 2, 'Seen from the EU only']);
    assert.ok(updated.resolvedAt);
    assert.deepEqual(updated.cis.map((c: { name: string }) => c.name), ['db-1', 'db-2']);
    assert.equal(updated.external.cmdbCi, 'db-1');
  });

  eachEngine('refuses a file that is not CSV or has no number column with 400, and a body that is not text/csv with 415', async (h) => {
    const broken = await importCsv(h, 'number,title\n"INC0000001,unterminated\n');
    assert.equal(broken.status, 400, broken.text);
    assert.equal(broken.body.error.code, 'invalid_import');
    const ragged = await importCsv(h, 'number,title,state\nINC1,a\n');
    assert.equal(ragged.status, 400, ragged.text);
    const noNumber = await importCsv(h, 'id,title,state\n1,a,new\n');
    assert.equal(noNumber.status, 400, noNumber.text);
    assert.equal(noNumber.body.error.code, 'invalid_import');
    assert.match(noNumber.body.error.message, /number/);
    const json = await h.request('POST', '/api/v1/incidents/import', { body: { number: 'INC1' } });
    assert.equal(json.status, 415, json.text);
    assert.deepEqual((await h.request('GET', '/api/v1/incidents')).body.items, []);
  });
});
