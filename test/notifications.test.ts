import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readBundleFiles } from '../src/policy/loader';
import { changeWords, instantWords, listWords, rangeToken, rangeWords, renderTimes, timeToken } from '../src/domain/notification/texts';
import { eachEngine, type Harness } from './support/cabinet';
import { at } from './support/communication';

interface Notice {
  id: string;
  kind: string;
  title: string;
  body: string;
  changeId: string | null;
  approvalId: string | null;
  changeNumber: string | null;
  link: string | null;
  needsAction: boolean;
  readAt: string | null;
  resolvedAt: string | null;
  resolution: string | null;
}

const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;
const PLAN = { type: 'normal', title: 'Upgrade payments DB', description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true };
async function person(h: Harness, name: string, roles: string[], teams: string[] = []): Promise<{ id: string; token: string; name: string }> {
  const u = await h.userWithToken(roles, { email: `${name.toLowerCase().replace(/\W+/g, '.')}-${Math.random().toString(36).slice(2, 8)}@example.com` });
  const renamed = await h.request('PATCH', `/api/v1/users/${u.id}`, { body: { name } });
  assert.equal(renamed.status, 200, renamed.text);
  for (const handle of teams) {
    const team = await h.request('GET', `/api/v1/teams/${handle}`);
    assert.equal(team.status, 200, team.text);
    const res = await h.request('PATCH', `/api/v1/teams/${team.body.id}`, { body: { memberIds: [...team.body.memberIds, u.id] } });
    assert.equal(res.status, 200, res.text);
  }
  return { id: u.id, token: u.token, name };
}

async function ci(h: Harness, name: string, type = 'database'): Promise<string> {
  const res = await h.request('POST', '/api/v1/cis', { body: { name, type, environment: 'production', criticality: 'low' } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function file(h: Harness, token: string, body: Record<string, unknown>): Promise<{ id: string; number: string; title: string }> {
  const res = await h.request('POST', '/api/v1/changes', { token, body: { ...PLAN, plannedStart: at(h, 0), plannedEnd: at(h, 2), ...body } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function move(h: Harness, id: string, to: string, token?: string, comment?: string): Promise<void> {
  const res = await h.request('POST', `/api/v1/changes/${id}/transitions`, { token, body: { to, ...(comment ? { comment } : {}) } });
  assert.equal(res.status, 200, res.text);
}

async function approvalsOf(h: Harness, changeId: string): Promise<{ id: string; rule: string; state: string }[]> {
  const res = await h.request('GET', `/api/v1/changes/${changeId}/approvals`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

async function decide(h: Harness, approvalId: string, token: string, decision: 'approve' | 'reject' = 'approve', comment = ''): Promise<void> {
  const res = await h.request('POST', `/api/v1/approvals/${approvalId}/decision`, { token, body: { decision, comment } });
  assert.equal(res.status, 200, res.text);
}

async function inbox(h: Harness, token: string, query = ''): Promise<{ items: Notice[]; unread: number }> {
  const res = await h.request('GET', `/api/v1/me/notifications${query}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body;
}
const ofKind = async (h: Harness, token: string, kind: string) => (await inbox(h, token)).items.filter((n) => n.kind === kind);

describe('notice texts (pure)', () => {
  it('writes an instant with its weekday and zone, in the reader’s zone or UTC', () => {
    assert.equal(instantWords('2026-12-12T22:00:00Z'), 'Sat 12 Dec 2026, 22:00 UTC');
    assert.equal(instantWords('2026-12-12T22:00:00Z', 'Europe/Amsterdam'), 'Sat 12 Dec 2026, 23:00 CET');
    assert.equal(instantWords('2026-12-12T22:00:00Z', 'Not/AZone'), 'Sat 12 Dec 2026, 22:00 UTC', 'an unknown zone reads as UTC, said so');
  });

  it('writes a range on one day once, and both days when it crosses midnight in the reader’s zone', () => {
    assert.equal(rangeWords('2026-12-12T22:00:00Z', '2026-12-12T23:30:00Z'), 'Sat 12 Dec 2026, 22:00–23:30 UTC');
    assert.equal(rangeWords('2026-12-12T22:00:00Z', '2026-12-12T23:30:00Z', 'Europe/Amsterdam'), 'Sat 12 Dec 2026, 23:00 CET to Sun 13 Dec 2026, 00:30 CET');
  });

  it('renders the time tokens of a text for a reader and leaves the rest alone', () => {
    const text = `Due ${timeToken('2026-12-12T22:00:00Z')}; planned for ${rangeToken('2026-12-13T08:00:00Z', '2026-12-13T09:00:00Z')}.`;
    assert.equal(renderTimes(text, null), 'Due Sat 12 Dec 2026, 22:00 UTC; planned for Sun 13 Dec 2026, 08:00–09:00 UTC.');
    assert.equal(renderTimes(text, 'America/New_York'), 'Due Sat 12 Dec 2026, 17:00 GMT-5; planned for Sun 13 Dec 2026, 03:00–04:00 GMT-5.');
    assert.equal(renderTimes('No time {here}.', 'UTC'), 'No time {here}.');
  });

  it('names changes and lists things as people write them', () => {
    assert.equal(changeWords({ number: 'CHG0000123', title: 'Upgrade payments DB' }), 'CHG0000123 "Upgrade payments DB"');
    assert.deepEqual([[], ['a'], ['a', 'b'], ['a', 'b', 'c']].map(listWords), ['', 'a', 'a and b', 'a, b and c']);
  });
});

describe('notifications that stay true', () => {
  eachEngine('a decided approval resolves every approver’s request, says who decided, and stops counting it as unread', async (h) => {
    const requester = await person(h, 'Rita Requester', ['requester']);
    const ada = await person(h, 'Ada Lovelace', ['approver'], ['dba']);
    const bob = await person(h, 'Bob Babbage', ['approver'], ['dba']);
    const change = await file(h, requester.token, { ciIds: [await ci(h, 'pay-db-prod')] });
    await move(h, change.id, 'assess');
    await move(h, change.id, 'authorize');
    await h.tick();
    const [asked] = await ofKind(h, bob.token, 'approval_requested');
    assert.ok(asked, 'Bob is asked');
    assert.equal(asked.title.startsWith(`${change.number} "Upgrade payments DB" needs your approval by `), true, asked.title);
    assert.match(asked.body, /^Specialist review: A database is affected\. Requested by Rita Requester\./);
    assert.match(asked.body, /CI: pay-db-prod\./);
    assert.deepEqual([asked.link, asked.changeNumber, asked.needsAction, asked.resolvedAt], [`/changes/${change.number}`, change.number, true, null]);
    assert.equal((await inbox(h, bob.token)).unread, 1);

    const dba = (await approvalsOf(h, change.id)).find((a) => a.rule === 'dba')!;
    await decide(h, dba.id, ada.token);
    // Resolved in the decision's own transaction: no worker tick is needed.
    for (const who of [ada, bob]) {
      const [mine] = (await ofKind(h, who.token, 'approval_requested')).filter((n) => n.approvalId === dba.id);
      assert.ok(mine?.resolvedAt, `${who.name}'s request is resolved`);
      assert.equal(mine.resolution, 'Decided by Ada Lovelace (approved).');
      assert.equal(mine.needsAction, false);
      assert.equal(mine.readAt, null, 'resolving is not reading');
    }
    const bobs = await inbox(h, bob.token);
    assert.equal(bobs.unread, 0, 'a resolved notice is not counted as unread');
    assert.deepEqual((await inbox(h, bob.token, '?unread=true')).items, []);
  });

  eachEngine('a vote that leaves the approval waiting resolves only the voter’s request', async (h) => {
    const files = await readBundleFiles(DEFAULT_DIR);
    files['approvals.yaml'] = files['approvals.yaml']!.replace('approvers: { team: dba }\n          quorum: any', 'approvers: { team: dba }\n          quorum: all');
    const applied = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
    assert.equal(applied.status, 201, applied.text);
    const requester = await person(h, 'Rita Requester', ['requester']);
    const ada = await person(h, 'Ada Lovelace', ['approver'], ['dba']);
    const bob = await person(h, 'Bob Babbage', ['approver'], ['dba']);
    const change = await file(h, requester.token, { ciIds: [await ci(h, 'crm-db')] });
    await move(h, change.id, 'assess');
    await move(h, change.id, 'authorize');
    await h.tick();
    const dba = (await approvalsOf(h, change.id)).find((a) => a.rule === 'dba')!;
    await decide(h, dba.id, ada.token);
    const [adas] = await ofKind(h, ada.token, 'approval_requested');
    const [bobs] = await ofKind(h, bob.token, 'approval_requested');
    assert.equal(adas!.resolution, 'Ada Lovelace voted to approve; the approval waits for more votes.');
    assert.deepEqual([bobs!.needsAction, bobs!.resolvedAt], [true, null], 'Bob is still asked');
    await decide(h, dba.id, bob.token);
    const [bobsNow] = await ofKind(h, bob.token, 'approval_requested');
    assert.equal(bobsNow!.resolution, 'Decided by Bob Babbage (approved).');
    assert.equal((await ofKind(h, ada.token, 'approval_requested'))[0]!.resolution, 'Ada Lovelace voted to approve; the approval waits for more votes.', 'a resolved notice keeps its first resolution');
  });

  eachEngine('a request decided before the worker runs is delivered to nobody; one withdrawn or requested again for new content resolves', async (h) => {
    const requester = await person(h, 'Rita Requester', ['requester']);
    const ada = await person(h, 'Ada Lovelace', ['approver'], ['dba']);
    const bob = await person(h, 'Bob Babbage', ['approver'], ['dba']);
    const db = await ci(h, 'ledger-db');
    const quick = await file(h, requester.token, { ciIds: [db], title: 'Quick one' });
    await move(h, quick.id, 'assess');
    await move(h, quick.id, 'authorize');
    const dba = (await approvalsOf(h, quick.id)).find((a) => a.rule === 'dba')!;
    await decide(h, dba.id, ada.token);
    await h.tick();
    assert.deepEqual((await ofKind(h, bob.token, 'approval_requested')).filter((n) => n.approvalId === dba.id), [], 'decided before delivery: nobody is asked');

    const slow = await file(h, requester.token, { ciIds: [db], title: 'Slow one', plannedStart: at(h, 5), plannedEnd: at(h, 6) });
    await move(h, slow.id, 'assess');
    await move(h, slow.id, 'authorize');
    await h.tick();
    const open = (await approvalsOf(h, slow.id)).find((a) => a.rule === 'dba')!;
    assert.equal((await ofKind(h, bob.token, 'approval_requested')).filter((n) => n.approvalId === open.id && n.needsAction).length, 1);
    // New content reopens authorization: the old request resolves, a new one asks again.
    const version = (await h.request('GET', `/api/v1/changes/${slow.id}`)).body.version;
    const edited = await h.request('PATCH', `/api/v1/changes/${slow.id}`, { body: { plannedStart: at(h, 7), plannedEnd: at(h, 8), version } });
    assert.equal(edited.status, 200, edited.text);
    const [reopened] = (await ofKind(h, bob.token, 'approval_requested')).filter((n) => n.approvalId === open.id);
    assert.ok(reopened?.resolvedAt);
    assert.match(reopened.resolution!, /^Withdrawn: .+ they were requested again for the new content\.$/);
    await h.tick();
    const again = (await approvalsOf(h, slow.id)).find((a) => a.rule === 'dba' && a.state === 'pending')!;
    assert.notEqual(again.id, open.id);
    assert.equal((await ofKind(h, bob.token, 'approval_requested')).filter((n) => n.approvalId === again.id && n.needsAction).length, 1);

    await move(h, slow.id, 'cancelled', undefined, 'Not needed any more');
    const [withdrawn] = (await ofKind(h, bob.token, 'approval_requested')).filter((n) => n.approvalId === again.id);
    assert.ok(withdrawn?.resolvedAt);
    assert.equal(withdrawn.resolution, 'Withdrawn: The change was closed.');
    assert.equal((await inbox(h, bob.token)).unread, 0);
  });

  eachEngine('the requester and the owner hear of every move of their change in sentences, never of their own, once each', async (h) => {
    const rita = await person(h, 'Rita Requester', ['requester']);
    const otto = await person(h, 'Otto Owner', ['requester']);
    const ada = await person(h, 'Ada Lovelace', ['approver'], ['dba']);
    const carl = await person(h, 'Carl Manager', ['change_manager'], ['change-managers']);
    const change = await file(h, rita.token, { ciIds: [await ci(h, 'orders-db')], ownerId: otto.id });
    await move(h, change.id, 'assess', rita.token);
    await move(h, change.id, 'authorize', carl.token, 'Looks fine to me.');
    const ref = `${change.number} "Upgrade payments DB"`;
    await h.tick();
    const toOtto = async () => (await ofKind(h, otto.token, 'change_transitioned')).map((n) => [n.title, n.body]).reverse();
    const toRita = async () => (await ofKind(h, rita.token, 'change_transitioned')).map((n) => [n.title, n.body]).reverse();
    assert.deepEqual(await toOtto(), [
      [`${ref} was moved from Draft to Assess by Rita Requester.`, ''],
      [`${ref} was sent for authorization by Carl Manager.`, 'It waits for approval from Database Administrators. Carl Manager wrote: "Looks fine to me."'],
    ]);
    assert.deepEqual(await toRita(), [[`${ref} was sent for authorization by Carl Manager.`, 'It waits for approval from Database Administrators. Carl Manager wrote: "Looks fine to me."']], 'Rita is not told of her own move');

    const approvals = await approvalsOf(h, change.id);
    await decide(h, approvals.find((a) => a.rule === 'dba')!.id, ada.token);
    await h.tick();
    await decide(h, (await approvalsOf(h, change.id)).find((a) => a.rule === 'change_manager')!.id, carl.token);
    await h.tick();
    const decided = (await ofKind(h, rita.token, 'approval_decided')).map((n) => n.title).reverse();
    assert.deepEqual(decided, [`${ref} passed Specialist review: approved by Ada Lovelace.`, `${ref} was approved by Carl Manager and is ready to schedule.`]);

    await move(h, change.id, 'scheduled', carl.token);
    await h.tick();
    await h.tick();
    const last = (await toRita()).at(-1)!;
    assert.equal(last[0], `${ref} was moved to Scheduled by Carl Manager, planned for ${rangeWords(at(h, 0), at(h, 2))}.`);
    assert.equal((await toOtto()).length, 3, 'one notice per move, whatever the ticks');
    assert.equal((await ofKind(h, carl.token, 'change_transitioned')).length, 0, 'the change manager moved it and is not its requester or owner');
  });

  eachEngine('the routed change manager hears of a submission; every change manager hears when none is routed', async (h) => {
    const rita = await person(h, 'Rita Requester', ['requester']);
    const dora = await person(h, 'Dora Other', ['change_manager']);
    const db = await ci(h, 'billing-db');
    // Nobody is in the change-managers team yet: routing chooses nobody.
    const unrouted = await file(h, rita.token, { ciIds: [db], title: 'Nobody routed' });
    assert.equal((await h.request('GET', `/api/v1/changes/${unrouted.id}`)).body.changeManagerId, null);
    const carl = await person(h, 'Carl Manager', ['change_manager'], ['change-managers']);
    const routed = await file(h, rita.token, { ciIds: [db] });
    assert.equal((await h.request('GET', `/api/v1/changes/${routed.id}`)).body.changeManagerId, carl.id, 'routing chose Carl');
    await move(h, routed.id, 'assess', rita.token);
    await h.tick();
    const [told] = await ofKind(h, carl.token, 'change_submitted');
    assert.ok(told, 'Carl is told');
    assert.equal(told.title, `${routed.number} "Upgrade payments DB" was submitted by Rita Requester and waits in Assess for you.`);
    assert.ok(told.body.includes(`Planned for ${rangeWords(at(h, 0), at(h, 2))}. CI: billing-db.`), told.body);
    assert.equal(told.link, `/changes/${routed.number}`);
    assert.deepEqual(await ofKind(h, dora.token, 'change_submitted'), [], 'only the routed one');
    assert.deepEqual(await ofKind(h, rita.token, 'change_submitted'), [], 'not the submitter');

    // Returned and submitted again: told again; the move back is not a submission.
    await move(h, routed.id, 'draft', carl.token);
    await move(h, routed.id, 'assess', rita.token);
    await h.tick();
    assert.equal((await ofKind(h, carl.token, 'change_submitted')).length, 2);

    await move(h, unrouted.id, 'assess', rita.token);
    await h.tick();
    for (const manager of [dora, carl]) {
      const toThem = (await ofKind(h, manager.token, 'change_submitted')).filter((n) => n.changeId === unrouted.id);
      assert.equal(toThem.length, 1, manager.name);
      assert.equal(toThem[0]!.title, `${unrouted.number} "Nobody routed" was submitted by Rita Requester and waits in Assess for a change manager.`);
    }
  });

  eachEngine('times are written in the reader’s own zone, with the zone shown, and in UTC for those who chose none', async (h) => {
    const rita = await person(h, 'Rita Requester', ['requester']);
    const ada = await person(h, 'Ada Lovelace', ['approver'], ['dba']);
    const bob = await person(h, 'Bob Babbage', ['approver'], ['dba']);
    const zone = await h.request('PATCH', '/api/v1/me/preferences', { token: ada.token, body: { timeZone: 'Europe/Amsterdam' } });
    assert.equal(zone.status, 200, zone.text);
    const change = await file(h, rita.token, { ciIds: [await ci(h, 'hr-db')], plannedStart: at(h, 5), plannedEnd: at(h, 6) });
    await move(h, change.id, 'assess');
    await move(h, change.id, 'authorize');
    await h.tick();
    const [adas] = await ofKind(h, ada.token, 'approval_requested');
    const [bobs] = await ofKind(h, bob.token, 'approval_requested');
    assert.ok(adas && bobs);
    assert.ok(adas.body.includes(`Planned for ${rangeWords(at(h, 5), at(h, 6), 'Europe/Amsterdam')}.`), adas.body);
    assert.ok(bobs.body.includes(`Planned for ${rangeWords(at(h, 5), at(h, 6))}.`), bobs.body);
    assert.match(adas.title, / needs your approval by \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d CES?T\.$/);
    assert.match(bobs.title, / needs your approval by \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC\.$/);
    assert.ok(!/\d{4}-\d\d-\d\dT/.test(adas.title + adas.body), 'no raw instants');
  });

  eachEngine('the owner hears of a conflict another person’s change or a CMDB write gives theirs, naming the other change, the CIs and the time', async (h) => {
    const alice = await person(h, 'Alice Able', ['requester']);
    const bob = await person(h, 'Bob Babbage', ['requester']);
    const db = await ci(h, 'pay-db-prod');
    const mine = await file(h, alice.token, { ciIds: [db], title: 'Patch the database' });
    const theirs = await file(h, bob.token, { ciIds: [db], title: 'Replace disks', plannedStart: at(h, 1), plannedEnd: at(h, 3) });
    await h.tick();
    const toAlice = await ofKind(h, alice.token, 'schedule_conflict');
    assert.deepEqual(
      toAlice.map((n) => [n.title, n.body, n.link]),
      [
        [
          `Your change ${mine.number} "Patch the database" now conflicts with ${theirs.number} "Replace disks".`,
          `Bob Babbage planned ${theirs.number} "Replace disks" so: both work on pay-db-prod on ${rangeWords(at(h, 1), at(h, 2))}.`,
          `/changes/${mine.number}`,
        ],
      ],
    );
    assert.deepEqual(await ofKind(h, bob.token, 'schedule_conflict'), [], 'nobody is told of what they did');

    // A CMDB write brings two changes together: both owners hear, the writer (the admin) owns neither.
    const app = await ci(h, 'ledger-app', 'application');
    const ledger = await ci(h, 'ledger-db');
    const onApp = await file(h, alice.token, { ciIds: [app], title: 'Deploy ledger', plannedStart: at(h, 10), plannedEnd: at(h, 12) });
    const onDb = await file(h, bob.token, { ciIds: [ledger], title: 'Tune ledger DB', plannedStart: at(h, 11), plannedEnd: at(h, 13) });
    await h.tick();
    const rel = await h.request('POST', `/api/v1/cis/${app}/relations`, { body: { toCiId: ledger, type: 'depends_on' } });
    assert.equal(rel.status, 201, rel.text);
    await h.tick();
    await h.tick();
    const cmdbAlice = (await ofKind(h, alice.token, 'schedule_conflict')).filter((n) => n.changeId === onApp.id);
    const cmdbBob = (await ofKind(h, bob.token, 'schedule_conflict')).filter((n) => n.changeId === onDb.id);
    assert.equal(cmdbAlice.length, 1, JSON.stringify(cmdbAlice));
    assert.equal(cmdbBob.length, 1, JSON.stringify(cmdbBob));
    assert.equal(cmdbAlice[0]!.title, `Your change ${onApp.number} "Deploy ledger" now conflicts with ${onDb.number} "Tune ledger DB".`);
    assert.match(cmdbAlice[0]!.body, /^A CMDB change by .+ makes them meet: they work on related CIs \((ledger-app|ledger-db)\) on /);
    assert.ok(cmdbAlice[0]!.body.endsWith(`${rangeWords(at(h, 11), at(h, 12))}.`), cmdbAlice[0]!.body);
    assert.equal(cmdbBob[0]!.title, `Your change ${onDb.number} "Tune ledger DB" now conflicts with ${onApp.number} "Deploy ledger".`);
  });
});
