import assert from 'node:assert/strict';
import { describe, eachEngine, type Harness } from './support/cabinet';
import { addMembers, approvalsOf, ci, fileAndAuthorize, move, plan } from './support/fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Planned times `days` from the harness clock, one hour long. */
const inDays = (h: Harness, days: number) => ({
  plannedStart: new Date(h.now().getTime() + days * DAY).toISOString(),
  plannedEnd: new Date(h.now().getTime() + days * DAY + HOUR).toISOString(),
});

async function home(h: Harness, token: string) {
  const res = await h.request('GET', '/api/v1/home', { token });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

const numbersOf = (items: { change: { number: string } }[]) => items.map((i) => i.change.number);

/** A small organisation: a requester, a DBA, a network approver, an implementer, a change manager, an auditor. */
async function organisation(h: Harness) {
  const requester = await h.userWithToken(['requester']);
  const dba = await h.userWithToken(['approver']);
  const networker = await h.userWithToken(['approver']);
  const implementer = await h.userWithToken(['implementer']);
  const manager = await h.userWithToken(['change_manager']);
  const auditor = await h.userWithToken(['auditor']);
  await addMembers(h, 'dba', [dba.id]);
  await addMembers(h, 'network', [networker.id]);
  await addMembers(h, 'change-managers', [manager.id]);
  const db = await ci(h, 'orders-db', 'database');
  const fw = await ci(h, 'orders-fw', 'network');
  return { requester, dba, networker, implementer, manager, auditor, db, fw };
}

describe('home', () => {
  eachEngine('each person sees their own approvals, and never someone else’s', async (h) => {
    const o = await organisation(h);
    const onDb = await fileAndAuthorize(h, o.requester.token, plan([o.db], { title: 'Resize the orders database', implementerId: o.implementer.id, ...inDays(h, 2) }));
    const onFw = await fileAndAuthorize(h, o.requester.token, plan([o.fw], { title: 'Open port 5432 on the orders firewall', ...inDays(h, 30) }));
    const dbNumber = (await h.request('GET', `/api/v1/changes/${onDb.id}`)).body.number;
    const fwNumber = (await h.request('GET', `/api/v1/changes/${onFw.id}`)).body.number;

    const dbHome = await home(h, o.dba.token);
    assert.deepEqual(numbersOf(dbHome.approvals.items), [dbNumber]);
    assert.equal(dbHome.approvals.count, 1);
    const [approval] = dbHome.approvals.items;
    assert.equal(approval.approverLabel, (await approvalsOf(h, onDb.id)).find((a) => a.rule === 'dba')!.approver.label);
    assert.ok(approval.dueAt, 'the approval has a due time from the SLA');
    assert.equal(approval.overdue, false);
    assert.equal(dbHome.triage, null, 'an approver has no triage queue');

    const netHome = await home(h, o.networker.token);
    assert.deepEqual(numbersOf(netHome.approvals.items), [fwNumber]);

    // The requester filed both: their approvals are not theirs to decide, and never appear on their home.
    const requesterHome = await home(h, o.requester.token);
    assert.equal(requesterHome.approvals.count, 0);
    assert.deepEqual(requesterHome.approvals.items, []);

    // The implementer sees the database change planned in two days; not the firewall one a month away.
    const implHome = await home(h, o.implementer.token);
    assert.deepEqual(numbersOf(implHome.implementing.items), [dbNumber]);
    assert.equal(implHome.implementing.count, 1);
    assert.deepEqual(implHome.approvals.items, []);
  });

  eachEngine('a requester’s changes say what they need: missing fields, returned, conflicts, a comment to answer', async (h) => {
    const o = await organisation(h);
    const draft = await h.request('POST', '/api/v1/changes', { token: o.requester.token, body: { type: 'normal', title: 'Tune autovacuum', ciIds: [o.db] } });
    assert.equal(draft.status, 201, draft.text);
    const returned = await h.request('POST', '/api/v1/changes', { token: o.requester.token, body: plan([o.fw], { title: 'Tidy firewall rules', ...inDays(h, 40) }) });
    assert.equal((await move(h, returned.body.id, 'assess', o.requester.token)).status, 200);
    const back = await h.request('POST', `/api/v1/changes/${returned.body.id}/transitions`, { token: o.manager.token, body: { to: 'draft', comment: 'Name the rules you remove.' } });
    assert.equal(back.status, 200, back.text);
    // Two changes on the same CI at the same time: a conflict nobody acknowledged, on both.
    const first = await h.request('POST', '/api/v1/changes', { token: o.requester.token, body: plan([o.db], { title: 'Reindex orders', ...inDays(h, 20) }) });
    const second = await h.request('POST', '/api/v1/changes', { token: o.requester.token, body: plan([o.db], { title: 'Vacuum orders', ...inDays(h, 20) }) });
    assert.equal(second.status, 201, second.text);
    const comment = await h.request('POST', `/api/v1/changes/${first.body.id}/comments`, { token: o.manager.token, body: { body: 'Why now and not in January?' } });
    assert.equal(comment.status, 201, comment.text);

    const mine = await home(h, o.requester.token);
    const byNumber = new Map<string, { reasons: { kind: string; text: string; fields: string[]; at: string | null }[]; nextMove: string | null }>(mine.myChanges.items.map((i: { change: { number: string } }) => [i.change.number, i]));
    const reasonsOf = (n: string) => (byNumber.get(n)?.reasons ?? []).map((r) => r.kind).sort();

    const missing = byNumber.get(draft.body.number)!.reasons.find((r) => r.kind === 'missing_fields')!;
    assert.ok(missing.fields.includes('backoutPlan') && missing.fields.includes('plannedStart'), missing.text);
    assert.match(missing.text, /^Submit for assessment needs .*backout plan/);
    assert.equal(byNumber.get(draft.body.number)!.nextMove, 'Submit for assessment');

    const wasReturned = byNumber.get(returned.body.number)!.reasons.find((r) => r.kind === 'returned')!;
    assert.match(wasReturned.text, /returned it to Draft: “Name the rules you remove.”$/);
    assert.ok(wasReturned.at, 'a return says when');

    assert.ok(reasonsOf(first.body.number).includes('conflicts'), JSON.stringify(byNumber.get(first.body.number)));
    assert.ok(reasonsOf(first.body.number).includes('comment'));
    assert.ok(reasonsOf(second.body.number).includes('conflicts'));
    assert.ok(!reasonsOf(second.body.number).includes('comment'));
    assert.equal(mine.myChanges.count, 4);

    // Another requester's home knows nothing of these changes.
    const stranger = await h.userWithToken(['requester']);
    const theirs = await home(h, stranger.token);
    assert.equal(theirs.myChanges.count, 0);
    assert.equal(theirs.conflicts, null);

    // The change manager sees the conflicted changes in the process's queue.
    const managerHome = await home(h, o.manager.token);
    assert.deepEqual(new Set(numbersOf(managerHome.conflicts.items)), new Set([first.body.number, second.body.number]));
  });

  eachEngine('change managers get triage, SLA clocks about to breach and freezes starting soon; others do not', async (h) => {
    const o = await organisation(h);
    const submitted = await h.request('POST', '/api/v1/changes', { token: o.requester.token, body: plan([o.fw], { title: 'Replace the edge firewall', ...inDays(h, 25) }) });
    assert.equal((await move(h, submitted.body.id, 'assess', o.requester.token)).status, 200);
    const authorized = await fileAndAuthorize(h, o.requester.token, plan([o.db], { title: 'Partition the orders table', ...inDays(h, 25) }));
    const freeze = await h.request('POST', '/api/v1/windows', {
      body: { name: 'Black Friday freeze', kind: 'freeze', start: new Date(h.now().getTime() + 3 * DAY).toISOString().slice(0, 16), timeZone: 'UTC', durationMinutes: 2 * 24 * 60, rrule: null, scope: { global: true }, urgent: false },
    });
    assert.equal(freeze.status, 201, freeze.text);

    const before = await home(h, o.manager.token);
    assert.equal(before.sees.changeManagement, true);
    assert.deepEqual(before.triage.states, ['assess']);
    assert.deepEqual(numbersOf(before.triage.items), [submitted.body.number]);
    assert.equal(before.freezes.count, 1);
    assert.equal(before.freezes.items[0].name, 'Black Friday freeze');
    assert.equal(before.freezes.items[0].inForce, false);
    assert.equal(before.freezes.items[0].scope, 'everywhere');

    // The DBA's approval comes due: an hour before, its clock is about to breach; after, it is overdue.
    const dueAt = (await approvalsOf(h, authorized.id)).find((a) => a.rule === 'dba')!.dueAt!;
    h.advance(Date.parse(dueAt) - h.now().getTime() - HOUR);
    const soon = await home(h, o.manager.token);
    const clock = soon.slaAtRisk.items.find((k: { change: { id: string }; metric: string }) => k.change.id === authorized.id && k.metric === 'approval_response');
    assert.ok(clock, JSON.stringify(soon.slaAtRisk));
    assert.equal(clock.overdue, false);
    assert.equal(clock.dueAt, new Date(dueAt).toISOString());
    h.advance(2 * HOUR);
    const late = await home(h, o.dba.token);
    assert.equal(late.approvals.items[0].overdue, true);

    // Nobody else gets the process's sections.
    for (const who of [o.requester, o.dba, o.implementer]) {
      const theirs = await home(h, who.token);
      assert.equal(theirs.triage, null);
      assert.equal(theirs.slaAtRisk, null);
      assert.equal(theirs.freezes, null);
      assert.equal(theirs.conflicts, null);
      assert.equal(theirs.sees.changeManagement, false);
    }
    // The auditor oversees: breaches and break-glass reviews, no queues and nothing to decide.
    const auditorHome = await home(h, o.auditor.token);
    assert.equal(auditorHome.sees.approvals, false);
    assert.equal(auditorHome.triage, null);
    assert.equal(typeof auditorHome.oversight.slaBreaches, 'number');
    assert.equal(typeof auditorHome.oversight.breakGlassToReview, 'number');
  });

  eachEngine('home answers everyone signed in, checks its query and refuses strangers', async (h) => {
    const nobody = await h.userWithToken([]);
    const empty = await home(h, nobody.token);
    assert.equal(empty.approvals.count, 0);
    assert.equal(empty.myChanges.count, 0);
    assert.equal(empty.oversight, null);
    const unknown = await h.request('GET', '/api/v1/home?colour=blue');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'invalid_input');
    assert.ok(unknown.body.error.details.issues.some((i: { path: string }) => i.path === 'query.colour'), unknown.text);
    assert.equal((await h.request('GET', '/api/v1/home?limit=0')).status, 400);
    assert.equal((await h.request('GET', '/api/v1/home', { token: null })).status, 401);
  });
});

describe('global search', () => {
  eachEngine('finds changes, CIs, services, incidents, templates and people, each as far as the caller may read', async (h) => {
    const requester = await h.userWithToken(['requester'], { email: 'quill.requester@example.com' });
    const auditor = await h.userWithToken(['auditor']);
    const nobody = await h.userWithToken([]);
    const service = await h.request('POST', '/api/v1/services', { body: { name: 'Quill Billing', tier: 2 } });
    assert.equal(service.status, 201, service.text);
    const quillDb = await ci(h, 'quill-db-prod', 'database', { serviceId: service.body.id });
    const change = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { type: 'normal', title: 'Upgrade quill database', ciIds: [quillDb] } });
    assert.equal(change.status, 201, change.text);
    const incident = await h.request('POST', '/api/v1/incidents', { token: requester.token, body: { title: 'Quill invoices late', ciIds: [quillDb] } });
    assert.equal(incident.status, 201, incident.text);
    const template = await h.request('POST', '/api/v1/templates', { body: { name: 'Quill monthly patch', type: 'standard' } });
    assert.equal(template.status, 201, template.text);

    const search = async (token: string, q: string) => {
      const res = await h.request('GET', `/api/v1/search?q=${encodeURIComponent(q)}`, { token });
      assert.equal(res.status, 200, res.text);
      return new Map<string, { items: { kind: string; title: string; detail: string; path: string | null }[]; more: boolean }>(res.body.groups.map((g: { kind: string }) => [g.kind, g]));
    };

    const found = await search(requester.token, 'quill');
    assert.deepEqual([...found.keys()], ['change', 'ci', 'service', 'incident', 'template', 'person']);
    assert.deepEqual(found.get('change')!.items.map((i) => [i.title, i.path]), [[`${change.body.number} Upgrade quill database`, `/changes/${change.body.number}`]]);
    assert.deepEqual(found.get('ci')!.items.map((i) => [i.title, i.path]), [['quill-db-prod', `/cmdb/cis/${quillDb}`]]);
    assert.match(found.get('ci')!.items[0]!.detail, /Quill Billing/);
    assert.deepEqual(found.get('service')!.items.map((i) => i.title), ['Quill Billing']);
    assert.deepEqual(found.get('incident')!.items.map((i) => i.path), [`/incidents/${incident.body.number}`]);
    assert.deepEqual(found.get('template')!.items.map((i) => i.title), ['Quill monthly patch']);
    // People are found by email too, but only those who may read users see the email.
    const person = found.get('person')!.items[0]!;
    assert.equal(person.title, `User quill.requester@example.com`);
    assert.equal(person.detail, 'Person');
    assert.equal(person.path, null);
    const asAuditor = await search(auditor.token, 'quill.requester');
    assert.equal(asAuditor.get('person')!.items[0]!.detail, 'quill.requester@example.com');

    // Someone without roles reads no records: only people come back.
    const theirs = await search(nobody.token, 'quill');
    assert.deepEqual([...theirs.keys()], ['person']);

    // The number of a change finds it; each kind gives at most `limit` hits and says there are more.
    const byNumber = await search(requester.token, change.body.number);
    assert.deepEqual(byNumber.get('change')!.items.map((i) => i.path), [`/changes/${change.body.number}`]);
    const withoutZeros = await search(requester.token, String(Number(change.body.number.slice(3))));
    assert.equal(withoutZeros.get('change')!.items[0]!.path, `/changes/${change.body.number}`);
    for (const n of [1, 2, 3]) await ci(h, `quill-cache-${n}`, 'server');
    const limited = await h.request('GET', '/api/v1/search?q=quill&limit=2', { token: requester.token });
    const cis = limited.body.groups.find((g: { kind: string }) => g.kind === 'ci');
    assert.equal(cis.items.length, 2);
    assert.equal(cis.more, true);

    const blank = await h.request('GET', '/api/v1/search?q=%20', { token: requester.token });
    assert.equal(blank.status, 400);
    assert.equal(blank.body.error.code, 'invalid_input');
    assert.equal((await h.request('GET', '/api/v1/search?q=x&kind=ci')).status, 400);
  });
});
