import assert from 'node:assert/strict';
import { csvCell, csvLine } from '../src/http/csv';
import { describe, eachEngine, it, type Harness } from './support/cabinet';
import { addMembers, catalogueEntry, ci, fileAndAuthorize, move, plan } from './support/fixtures';
import { parseCsv } from './support/csv';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Planned times `days` from the harness clock, `hours` long. */
const inDays = (h: Harness, days: number, hours = 1) => ({
  plannedStart: new Date(h.now().getTime() + days * DAY).toISOString(),
  plannedEnd: new Date(h.now().getTime() + days * DAY + hours * HOUR).toISOString(),
});

async function file(h: Harness, body: Record<string, unknown>, token?: string): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', { token, body });
  assert.equal(res.status, 201, res.text);
  return { id: res.body.id, number: res.body.number };
}

/** The numbers of one page of the list (asserting it answered 200). */
async function numbers(h: Harness, query: string, token?: string): Promise<string[]> {
  const res = await h.request('GET', `/api/v1/changes?${query}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body.items.map((c: { number: string }) => c.number);
}

/** Every page of the list, `limit` at a time, following nextCursor. */
async function allPages(h: Harness, query: string, limit: number): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const res = await h.request('GET', `/api/v1/changes?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.items.length <= limit);
    out.push(...res.body.items.map((c: { number: string }) => c.number));
    cursor = res.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('the list never ended');
}


describe('change list', () => {
  eachEngine('filters by several types and states, people, team, CI, service, template and planned range', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const service = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 1 } });
    assert.equal(service.status, 201, service.text);
    const db = await ci(h, 'pay-db', 'database', { serviceId: service.body.id });
    const web = await ci(h, 'web-1', 'server');
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Databases' } });
    const template = await h.request('POST', '/api/v1/templates', {
      body: { name: 'Rotate certificates', type: 'standard', description: 'd', fields: { title: 'Rotate', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b' } },
    });
    assert.equal(template.status, 201, template.text);

    const a = await file(h, plan([db], { title: 'A', assignmentTeamId: team.body.id, ...inDays(h, 2) }), requester.token);
    const b = await file(h, plan([web], { title: 'B', type: 'emergency', ...inDays(h, 5) }));
    const c = await file(h, plan([web], { title: 'C', type: 'standard', templateId: template.body.id, ...inDays(h, 9) }));
    assert.equal((await move(h, a.id, 'assess')).status, 200);

    assert.deepEqual(await numbers(h, 'type=normal,emergency'), [b.number, a.number], 'several types');
    assert.deepEqual(await numbers(h, 'type=standard'), [c.number], 'one type still works');
    assert.deepEqual(await numbers(h, 'state=assess,draft'), [c.number, b.number, a.number]);
    assert.deepEqual(await numbers(h, 'state=assess'), [a.number]);
    assert.deepEqual(await numbers(h, 'type=normal,emergency&state=draft'), [b.number], 'filters combine');
    assert.deepEqual(await numbers(h, `requesterId=${requester.id}`), [a.number]);
    assert.deepEqual(await numbers(h, `assignmentTeamId=${team.body.id}`), [a.number]);
    assert.deepEqual(await numbers(h, 'ciId=web-1'), [c.number, b.number], 'a CI by name');
    assert.deepEqual(await numbers(h, 'serviceId=Payments'), [a.number], 'a service by name');
    assert.deepEqual(await numbers(h, 'templateId=Rotate%20certificates'), [c.number]);
    const from = encodeURIComponent(inDays(h, 4).plannedStart);
    const to = encodeURIComponent(inDays(h, 6).plannedStart);
    assert.deepEqual(await numbers(h, `plannedFrom=${from}&plannedTo=${to}`), [b.number], 'planned within the range');
  });

  eachEngine('takes several requesters, teams, CIs, services and templates comma-separated, ids and names mixed, in the list, the export and a saved view', async (h) => {
    const ada = await h.userWithToken(['requester']);
    const bob = await h.userWithToken(['requester']);
    const payments = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 1 } });
    const billing = await h.request('POST', '/api/v1/services', { body: { name: 'Billing', tier: 2 } });
    const db = await ci(h, 'pay-db', 'database', { serviceId: payments.body.id });
    const ledger = await ci(h, 'ledger-db', 'database', { serviceId: billing.body.id });
    const web = await ci(h, 'web-1', 'server');
    const dba = await h.request('POST', '/api/v1/teams', { body: { name: 'Storage', handle: 'storage' } });
    const net = await h.request('POST', '/api/v1/teams', { body: { name: 'Edge routers' } });
    assert.equal(net.status, 201, net.text);
    const template = (name: string) =>
      h.request('POST', '/api/v1/templates', { body: { name, type: 'standard', description: 'd', fields: { title: name, implementationPlan: 'p', testPlan: 't', backoutPlan: 'b' } } });
    const rotate = await template('Rotate certificates');
    const restart = await template('Restart web');
    assert.equal(restart.status, 201, restart.text);

    const a = await file(h, plan([db], { title: 'A', assignmentTeamId: dba.body.id }), ada.token);
    const b = await file(h, plan([ledger], { title: 'B', assignmentTeamId: net.body.id }), bob.token);
    const c = await file(h, plan([web], { title: 'C', type: 'standard', templateId: rotate.body.id }));
    const d = await file(h, plan([web, db], { title: 'D', type: 'standard', templateId: restart.body.id }));

    assert.deepEqual(await numbers(h, `requesterId=${ada.id},${bob.id}`), [b.number, a.number]);
    assert.deepEqual(await numbers(h, `assignmentTeamId=storage,${net.body.id}`), [b.number, a.number], 'a handle and an id');
    assert.deepEqual(await numbers(h, 'ciId=ledger-db,web-1'), [d.number, c.number, b.number]);
    assert.deepEqual(await numbers(h, `ciId=web-1,${web}`), [d.number, c.number], 'the same CI twice is one');
    assert.deepEqual(await numbers(h, `serviceId=Payments,${billing.body.id}`), [d.number, b.number, a.number]);
    assert.deepEqual(await numbers(h, `templateId=Rotate%20certificates,${restart.body.id}`), [d.number, c.number]);
    assert.deepEqual(await numbers(h, 'ciId=pay-db,web-1&templateId=Restart%20web'), [d.number], 'filters combine');

    const exported = await h.request('GET', '/api/v1/changes/export.csv?ciId=ledger-db,web-1&sort=number');
    assert.equal(exported.status, 200, exported.text);
    assert.deepEqual(parseCsv(exported.text).slice(1).map((row) => row[0]), [b.number, c.number, d.number]);

    const view = await h.request('POST', '/api/v1/me/saved-views', { token: ada.token, body: { name: 'Two teams', list: 'changes', query: `assignmentTeamId=storage,${net.body.id}&sort=number` } });
    assert.equal(view.status, 201, view.text);
    const saved = await h.request('GET', `/api/v1/saved-views/${view.body.id}`, { token: ada.token });
    assert.deepEqual(await numbers(h, saved.body.query, ada.token), [a.number, b.number], 'a saved view keeps the comma-separated values');

    const unknown = await h.request('GET', '/api/v1/changes?ciId=web-1,no-such-ci,nor-this&assignmentTeamId=storage,nobody&serviceId=Payments,Nothing&templateId=Nope,Restart%20web&requesterId=a,,b');
    assert.equal(unknown.status, 400, unknown.text);
    assert.equal(unknown.body.error.code, 'invalid_input');
    const issues = (unknown.body.error.details.issues as { path: string; message: string }[]).map((i) => `${i.path}: ${i.message}`).sort();
    assert.deepEqual(issues, [
      'query.assignmentTeamId: unknown team nobody',
      'query.ciId: unknown CI no-such-ci',
      'query.ciId: unknown CI nor-this',
      'query.requesterId: an empty user id in the list (separate values with one comma)',
      'query.serviceId: unknown service Nothing',
      'query.templateId: unknown template Nope',
    ]);
    const badExport = await h.request('GET', '/api/v1/changes/export.csv?ciId=web-1,no-such-ci,nor-this');
    assert.equal(badExport.status, 400);
    assert.deepEqual(badExport.body.error.details.issues.map((i: { message: string }) => i.message).sort(), ['unknown CI no-such-ci', 'unknown CI nor-this']);
  });

  eachEngine('refuses bad filters, sort and cursor in one 400 listing every problem', async (h) => {
    const res = await h.request('GET', '/api/v1/changes?type=normal,weekly&sort=colour&mine=everything&state=draft,dreaming&ciId=no-such-ci&limit=0');
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body.error.code, 'invalid_input');
    const details = res.body.error.details.issues as { path: string; message: string }[];
    const byPath = (path: string) => details.filter((i) => i.path === path).map((i) => i.message).join(' | ');
    assert.match(byPath('query.type'), /unknown type weekly \(one of standard, normal, emergency\)/);
    assert.match(byPath('query.sort'), /must be one of number, -number, title, -title, type, -type, state, -state, risk, -risk, plannedStart, -plannedStart, plannedEnd, -plannedEnd, updatedAt, -updatedAt, createdAt, -createdAt/);
    assert.match(byPath('query.mine'), /unknown mine filter everything \(one of requested, owned, implementing, approving, team\)/);
    assert.match(byPath('query.limit'), /./);
    assert.match(byPath('query.state'), /unknown state dreaming/);
    assert.match(byPath('query.ciId'), /unknown CI no-such-ci/i);

    const forAnotherSort = await h.request('GET', '/api/v1/changes?sort=title&limit=1');
    assert.equal(forAnotherSort.status, 200);
    await file(h, plan([], { title: 'one' }));
    await file(h, plan([], { title: 'two' }));
    const page = await h.request('GET', '/api/v1/changes?sort=title&limit=1');
    assert.ok(page.body.nextCursor);
    const mixed = await h.request('GET', `/api/v1/changes?sort=-title&limit=1&cursor=${page.body.nextCursor}`);
    assert.equal(mixed.status, 400, 'a cursor of another sort names no position in this one');
    assert.equal(mixed.body.error.details.issues[0].path, 'query.cursor');
    const garbage = await h.request('GET', '/api/v1/changes?sort=title&cursor=bm90LWpzb24');
    assert.equal(garbage.status, 400);
  });

  eachEngine('sorts by a column both ways and pages through ties and empty values without losing or repeating a change', async (h) => {
    // Two share one planned start, two share another, one has none: ties and a null on every page boundary.
    const early = inDays(h, 1);
    const late = inDays(h, 3);
    const c1 = await file(h, plan([], { title: 'b-first', ...early }));
    const c2 = await file(h, plan([], { title: 'a-second', ...late }));
    const c3 = await file(h, plan([], { title: 'c-third', ...early }));
    const c4 = await file(h, plan([], { title: 'a-fourth', plannedStart: null, plannedEnd: null }));
    const c5 = await file(h, plan([], { title: 'd-fifth', ...late }));

    // Ascending: the early pair, then the late pair, ties newest first; no planned start last.
    const ascending = [c3.number, c1.number, c5.number, c2.number, c4.number];
    assert.deepEqual(await numbers(h, 'sort=plannedStart'), ascending);
    // Descending: the late pair first; a change without a planned start is still last.
    const descending = [c5.number, c2.number, c3.number, c1.number, c4.number];
    assert.deepEqual(await numbers(h, 'sort=-plannedStart'), descending);
    for (const limit of [1, 2, 3]) {
      assert.deepEqual(await allPages(h, 'sort=plannedStart', limit), ascending, `ascending, ${limit} a page`);
      assert.deepEqual(await allPages(h, 'sort=-plannedStart', limit), descending, `descending, ${limit} a page`);
    }
    assert.deepEqual(await allPages(h, 'sort=title', 2), [c4.number, c2.number, c1.number, c3.number, c5.number]);
    assert.deepEqual(await allPages(h, 'sort=number', 2), [c1.number, c2.number, c3.number, c4.number, c5.number]);
    assert.deepEqual(await allPages(h, 'sort=-createdAt', 2), [c5.number, c4.number, c3.number, c2.number, c1.number]);
    assert.deepEqual(await allPages(h, '', 2), [c5.number, c4.number, c3.number, c2.number, c1.number], 'newest first without a sort');
    // Filters and sort together, across pages.
    const filtered = await allPages(h, `sort=-plannedStart&plannedFrom=${encodeURIComponent(early.plannedStart)}`, 1);
    assert.deepEqual(filtered, [c5.number, c2.number, c3.number, c1.number]);
  });

  eachEngine('mine= finds what I requested, own, implement, may approve, or my team has', async (h) => {
    const me = await h.userWithToken(['requester', 'approver']);
    const other = await h.userWithToken(['requester']);
    const dbCi = await ci(h, 'orders-db', 'database');
    await addMembers(h, 'dba', [me.id]);
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Mine', memberIds: [me.id] } });
    assert.equal(team.status, 201, team.text);
    const requested = await file(h, plan([], { title: 'requested' }), me.token);
    const owned = await file(h, plan([], { title: 'owned', ownerId: me.id }), other.token);
    const implementing = await file(h, plan([], { title: 'implementing', implementerId: me.id }), other.token);
    const ofTeam = await file(h, plan([], { title: 'team', assignmentTeamId: team.body.id }), other.token);
    const toApprove = await fileAndAuthorize(h, other.token, plan([dbCi], { title: 'approve me' }));
    const toApproveNumber = (await h.request('GET', `/api/v1/changes/${toApprove.id}`)).body.number;
    await file(h, plan([], { title: 'not mine' }), other.token);

    assert.deepEqual(await numbers(h, 'mine=requested', me.token), [requested.number]);
    assert.deepEqual(await numbers(h, 'mine=requested,owned', me.token), [owned.number, requested.number], 'several ways mean any of them');
    assert.deepEqual(await numbers(h, 'mine=implementing', me.token), [implementing.number]);
    assert.deepEqual(await numbers(h, 'mine=team', me.token), [ofTeam.number]);
    assert.deepEqual(await numbers(h, 'mine=approving', me.token), [toApproveNumber], 'the approval routed to the DBA team');
    assert.deepEqual(await numbers(h, 'mine=approving', other.token), [], 'a requester never approves their own change');
    assert.deepEqual(await numbers(h, 'mine=requested&type=emergency', me.token), [], 'mine combines with the filters');
  });

  eachEngine('marks open conflicts and SLA clocks at risk or breached, read for the whole page', async (h) => {
    const shared = await ci(h, 'shared-db', 'database');
    const lone = await ci(h, 'lone-db', 'database');
    const first = await file(h, plan([shared], { title: 'first', ...inDays(h, 3, 2) }));
    const second = await file(h, plan([shared], { title: 'second', ...inDays(h, 3, 2) }));
    const alone = await file(h, plan([lone], { title: 'alone', ...inDays(h, 8) }));
    const urgent = await fileAndAuthorize(h, (await h.userWithToken(['requester'])).token, plan([lone], { type: 'emergency', title: 'urgent', ...inDays(h, 20) }));

    const markers = async () => {
      const res = await h.request('GET', '/api/v1/changes?limit=10');
      assert.equal(res.status, 200, res.text);
      return new Map(res.body.items.map((c: { id: string; openConflicts: number; slaStatus: string | null }) => [c.id, { conflicts: c.openConflicts, sla: c.slaStatus }]));
    };
    let m = await markers();
    assert.deepEqual(m.get(first.id), { conflicts: 1, sla: null });
    assert.deepEqual(m.get(second.id), { conflicts: 1, sla: null });
    assert.deepEqual(m.get(alone.id), { conflicts: 0, sla: null });
    assert.deepEqual(m.get(urgent.id), { conflicts: 0, sla: null }, 'the emergency approval has an hour, reminded at 45 minutes');

    h.advance(50 * 60_000);
    m = await markers();
    assert.equal((m.get(urgent.id) as { sla: string }).sla, 'at_risk', 'past the reminder time');
    h.advance(20 * 60_000);
    m = await markers();
    assert.equal((m.get(urgent.id) as { sla: string }).sla, 'breached', 'past due, before the worker noticed');
    await h.tick();
    m = await markers();
    assert.equal((m.get(urgent.id) as { sla: string }).sla, 'breached');
  });

  eachEngine('exports every matching change as CSV, quoted and safe from formulas', async (h) => {
    const db = await ci(h, 'orders-db', 'database');
    const tricky = await file(h, plan([db], { title: '=HYPERLINK("http://evil","x"), then "quotes"\nand a line' }));
    const plain = await file(h, plan([], { title: 'Plain, with a comma', type: 'emergency' }));
    await file(h, plan([], { title: 'standard one', type: 'standard', templateId: await catalogueEntry(h) }));

    const res = await h.request('GET', '/api/v1/changes/export.csv?type=normal,emergency&sort=number');
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="cabinet-changes-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(res.text);
    assert.deepEqual(rows[0]!.slice(0, 4), ['Number', 'Title', 'Type', 'State']);
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r[1], r[2]]),
      [
        [tricky.number, `'=HYPERLINK("http://evil","x"), then "quotes"\nand a line`, 'normal'],
        [plain.number, 'Plain, with a comma', 'emergency'],
      ],
      'the filters and sort of the list; a formula is defused with a quote',
    );
    const me = (await h.request('GET', '/api/v1/me')).body;
    const column = (name: string) => rows[0]!.indexOf(name);
    assert.equal(rows[1]![column('Requester')], me.name, 'people by name');
    assert.equal(rows[1]![column('CIs')], 'orders-db', 'CIs by name');
    assert.equal(rows[1]![column('Open conflicts')], '0');

    const bad = await h.request('GET', '/api/v1/changes/export.csv?type=weekly&sort=colour');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['query.sort', 'query.type']);
    const paged = await h.request('GET', '/api/v1/changes/export.csv?limit=1');
    assert.equal(paged.status, 400, 'the export takes no paging');
    const outsider = await h.userWithToken([]);
    assert.equal((await h.request('GET', '/api/v1/changes/export.csv', { token: outsider.token })).status, 403);
  });
});

describe('CSV cells', () => {
  const cases: [string, Parameters<typeof csvCell>[0], string][] = [
    ['plain text as is', 'orders-db', 'orders-db'],
    ['a comma quoted', 'a, b', '"a, b"'],
    ['quotes doubled', 'say "hi"', '"say ""hi"""'],
    ['a line break quoted', 'one\ntwo', '"one\ntwo"'],
    ['leading space quoted', ' x', '" x"'],
    ['a formula defused', '=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['plus, minus and at defused', '+1', "'+1"],
    ['minus defused', '-cmd', "'-cmd"],
    ['at defused', '@x', "'@x"],
    ['a defused formula with a comma also quoted', '=1,2', `"'=1,2"`],
    ['a negative number is data', -3, '-3'],
    ['null is empty', null, ''],
  ];
  for (const [name, value, expected] of cases) it(name, () => assert.equal(csvCell(value), expected));
  it('ends a line with CRLF', () => assert.equal(csvLine(['a', 1, null]), 'a,1,\r\n'));
});
