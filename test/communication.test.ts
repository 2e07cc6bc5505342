import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concernCounts, concernsBlocking } from '../src/domain/change/concerns';
import { readBundleFiles } from '../src/policy/loader';
import { eachEngine, type Harness } from './support/cabinet';
import { at, follow, graph, person, standard } from './support/communication';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;
async function move(h: Harness, id: string, to: string, token?: string) {
  return h.request('POST', `/api/v1/changes/${id}/transitions`, { token, body: { to } });
}

/** Edits a change at the version it has now. */
async function edit(h: Harness, id: string, token: string, body: Record<string, unknown>) {
  const current = await h.request('GET', `/api/v1/changes/${id}`, { token });
  return h.request('PATCH', `/api/v1/changes/${id}`, { token, body: { ...body, version: current.body.version } });
}

async function noticesOf(h: Harness, token: string, kind: string): Promise<{ title: string; body: string; link: string | null }[]> {
  const res = await h.request('GET', '/api/v1/me/notifications', { token });
  assert.equal(res.status, 200, res.text);
  return res.body.items.filter((n: { kind: string }) => n.kind === kind);
}

async function withConcernsBlocking(h: Harness): Promise<void> {
  const files = await readBundleFiles(DEFAULT_DIR);
  files['schedule.yaml'] = `${files['schedule.yaml']!.trimEnd()}\n  concernsBlockImplement: true\n`;
  const applied = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
  assert.equal(applied.status, 201, applied.text);
}

describe('concern rules (pure)', () => {
  it('blocks only the move to implement, only when the policy says so, and only for open concerns', () => {
    const open = { id: 'a', answeredAt: null };
    const answered = { id: 'b', answeredAt: '2026-12-01T00:00:00.000Z' };
    const cases: [boolean, string, string[]][] = [
      [true, 'implement', ['a']],
      [true, 'scheduled', []],
      [false, 'implement', []],
    ];
    for (const [on, to, blocking] of cases) assert.deepEqual(concernsBlocking(on, to, [open, answered]).map((c) => c.id), blocking, `${on} ${to}`);
    assert.deepEqual(concernCounts([open, answered, open]), { open: 2, answered: 1 });
  });
});

describe('subscriptions', () => {
  eachEngine('creates, lists and deletes one’s own subscription; another person’s answers 404; an admin deletes anyone’s', async (h) => {
    const g = await graph(h);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const created = await h.request('POST', '/api/v1/subscriptions', { token: sam.token, body: { target: { kind: 'service', id: 'Payments' }, includeDependencies: true, channels: ['in_app', 'email'] } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(
      { target: created.body.target, subscriber: created.body.subscriber, events: created.body.events, channels: created.body.channels, deps: created.body.includeDependencies },
      { target: { kind: 'service', id: g.payments, name: 'Payments' }, subscriber: { kind: 'user', id: sam.id, name: 'Sam Stakeholder' }, events: null, channels: ['in_app', 'email'], deps: true },
    );
    const mine = await h.request('GET', '/api/v1/me/subscriptions', { token: sam.token });
    assert.deepEqual(mine.body.items.map((s: { id: string }) => s.id), [created.body.id]);
    assert.deepEqual((await h.request('GET', '/api/v1/me/subscriptions', { token: rita.token })).body.items, []);
    // Its events, channels and reach change in place; someone else's is as good as missing.
    const narrowed = await h.request('PATCH', `/api/v1/subscriptions/${created.body.id}`, { token: sam.token, body: { events: ['cancelled'], channels: ['email'], includeDependencies: false } });
    assert.equal(narrowed.status, 200, narrowed.text);
    assert.deepEqual([narrowed.body.events, narrowed.body.channels, narrowed.body.includeDependencies], [['cancelled'], ['email'], false]);
    const widened = await h.request('PATCH', `/api/v1/subscriptions/${created.body.id}`, { token: sam.token, body: { events: null } });
    assert.deepEqual([widened.body.events, widened.body.channels], [null, ['email']]);
    const badPatch = await h.request('PATCH', `/api/v1/subscriptions/${created.body.id}`, { token: sam.token, body: { events: ['never'], channels: [] } });
    assert.equal(badPatch.status, 400);
    assert.deepEqual(badPatch.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['channels', 'events.0']);
    assert.equal((await h.request('PATCH', `/api/v1/subscriptions/${created.body.id}`, { token: rita.token, body: { events: null } })).status, 404);
    assert.equal((await h.request('DELETE', `/api/v1/subscriptions/${created.body.id}`, { token: rita.token })).status, 404);
    assert.equal((await h.request('DELETE', `/api/v1/subscriptions/${created.body.id}`, { token: sam.token })).status, 204);
    assert.deepEqual((await h.request('GET', '/api/v1/me/subscriptions', { token: sam.token })).body.items, []);
    const again = await follow(h, sam.token, { target: { kind: 'ci', id: 'pay-db-1' } });
    assert.equal((await h.request('DELETE', `/api/v1/subscriptions/${again}`)).status, 204, 'the admin removes anyone’s');
  });

  eachEngine('lists every bad field of a subscription in one 400, unknown targets included', async (h) => {
    await graph(h);
    const bad = await h.request('POST', '/api/v1/subscriptions', { body: { target: { kind: 'service', id: 'Nope' }, includeDependencies: 'yes', events: ['exploded'], channels: ['pigeon'], colour: 'red' } });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'invalid_input');
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['channels.0', 'colour', 'events.0', 'includeDependencies', 'target.id']);
    const kind = await h.request('POST', '/api/v1/subscriptions', { body: { target: { kind: 'planet', id: 'x' }, channels: [] } });
    assert.equal(kind.status, 400);
    assert.deepEqual(kind.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['channels', 'target.kind']);
    const unknownCi = await h.request('POST', '/api/v1/subscriptions', { body: { target: { kind: 'ci', id: 'nowhere-1' }, channels: ['in_app'] } });
    assert.equal(unknownCi.status, 400);
    assert.deepEqual(unknownCi.body.error.details.issues, [{ path: 'target.id', message: 'unknown CI nowhere-1' }]);
  });
});

describe('the audience of a change', () => {
  eachEngine('a member subscribes their team, whose members are told with the team named; others may not subscribe it', async (h) => {
    const g = await graph(h);
    const mia = await person(h, 'Mia Member', ['requester']);
    const tom = await person(h, 'Tom Teammate', ['stakeholder']);
    const out = await person(h, 'Otto Outsider', ['requester']);
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Finance', handle: 'finance', memberIds: [mia.id, tom.id] } });
    assert.equal(team.status, 201, team.text);
    const refused = await h.request('POST', '/api/v1/subscriptions', { token: out.token, body: { target: { kind: 'ci', id: 'pay-db-1' }, channels: ['in_app'], teamId: 'finance' } });
    assert.equal(refused.status, 400, refused.text);
    assert.deepEqual(refused.body.error.details.issues, [{ path: 'teamId', message: 'you may subscribe only a team you are a member of' }]);
    const created = await h.request('POST', '/api/v1/subscriptions', { token: mia.token, body: { target: { kind: 'ci', id: 'pay-db-1' }, channels: ['in_app'], teamId: 'finance' } });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.subscriber, { kind: 'team', id: team.body.id, name: 'Finance' });
    assert.deepEqual((await h.request('GET', '/api/v1/me/subscriptions', { token: tom.token })).body.items.map((s: { id: string }) => s.id), [created.body.id]);
    const change = await standard(h, out.token, [g.db]);
    const audience = await h.request('GET', `/api/v1/changes/${change.id}/audience`);
    assert.deepEqual(
      audience.body.people.map((p: { name: string; reasons: string[] }) => [p.name, p.reasons]),
      [['Mia Member', ['team Finance follows pay-db-1']], ['Tom Teammate', ['team Finance follows pay-db-1']]],
    );
  });

  eachEngine('reaches the followers of a service that depends on the changed CI only when they include dependencies, and says why', async (h) => {
    const g = await graph(h);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const nia = await person(h, 'Nia Nodeps', ['stakeholder']);
    const cleo = await person(h, 'Cleo Direct', ['requester']);
    const rita = await person(h, 'Rita Requester', ['requester']);
    await follow(h, sam.token, { target: { kind: 'service', id: g.payments }, includeDependencies: true });
    await follow(h, nia.token, { target: { kind: 'service', id: g.payments }, includeDependencies: false });
    await follow(h, cleo.token, { target: { kind: 'ci', id: 'pay-db-1' } });
    const change = await standard(h, rita.token, [g.db]);
    const audience = await h.request('GET', `/api/v1/changes/${change.id}/audience`, { token: rita.token });
    assert.equal(audience.status, 200, audience.text);
    const reasons = Object.fromEntries(audience.body.people.map((p: { name: string; reasons: string[] }) => [p.name, p.reasons]));
    assert.deepEqual(reasons, { 'Cleo Direct': ['follows pay-db-1'], 'Sam Stakeholder': ['follows Payments (depends on pay-db-1)'] });
    assert.deepEqual(audience.body.services.map((s: { name: string; affected: boolean }) => [s.name, s.affected]), [['Databases', true], ['Payments', false]]);

    // Scheduling tells them in-app, computed when delivered: Nia, who does not include dependencies, hears nothing.
    assert.equal((await move(h, change.id, 'scheduled', rita.token)).status, 200);
    await h.tick();
    const [told] = await noticesOf(h, sam.token, 'change_announced');
    assert.ok(told, 'Sam is told');
    assert.match(told.title, new RegExp(`^${change.number} "Patch the payments database" was scheduled for .+ by Rita Requester\\.$`));
    assert.equal(told.link, `/changes/${change.number}`);
    assert.equal((await noticesOf(h, cleo.token, 'change_announced')).length, 1);
    assert.equal((await noticesOf(h, nia.token, 'change_announced')).length, 0);
    assert.equal((await noticesOf(h, rita.token, 'change_announced')).length, 0, 'who scheduled it is not told of it');
  });

  eachEngine('counts the subscribers of the moment the notice is delivered, and respects each one’s events', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const early = await person(h, 'Ed Early', ['stakeholder']);
    const late = await person(h, 'Lou Late', ['stakeholder']);
    const picky = await person(h, 'Pia Picky', ['stakeholder']);
    await follow(h, early.token, { target: { kind: 'ci', id: g.db } });
    await follow(h, picky.token, { target: { kind: 'ci', id: g.db }, events: ['cancelled'] });
    const change = await standard(h, rita.token, [g.db]);
    assert.equal((await move(h, change.id, 'scheduled', rita.token)).status, 200);
    // Lou follows after the move but before the worker delivers: the audience is computed at delivery.
    await follow(h, late.token, { target: { kind: 'service', id: g.databases } });
    await h.tick();
    assert.equal((await noticesOf(h, early.token, 'change_announced')).length, 1);
    assert.equal((await noticesOf(h, late.token, 'change_announced')).length, 1);
    assert.equal((await noticesOf(h, picky.token, 'change_announced')).length, 0, 'Pia chose only cancellations');
    const moved = await edit(h, change.id, rita.token, { plannedStart: at(h, 4), plannedEnd: at(h, 6) });
    assert.equal(moved.status, 200, moved.text);
    assert.equal((await move(h, change.id, 'cancelled', rita.token)).status, 422, 'a cancellation needs a reason');
    const cancelled = await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { token: rita.token, body: { to: 'cancelled', comment: 'Not needed after all.' } });
    assert.equal(cancelled.status, 200, cancelled.text);
    await h.tick();
    assert.deepEqual(
      (await noticesOf(h, early.token, 'change_announced')).map((n) => n.title.replace(/ (to|for) .+ by /, ' … by ')).reverse(),
      [`${change.number} "Patch the payments database" was scheduled … by Rita Requester.`, `${change.number} "Patch the payments database" was rescheduled … by Rita Requester.`, `${change.number} "Patch the payments database" was cancelled by Rita Requester.`],
    );
    assert.deepEqual((await noticesOf(h, picky.token, 'change_announced')).map((n) => n.title), [`${change.number} "Patch the payments database" was cancelled by Rita Requester.`]);
  });

  eachEngine('tells the owner team of an affected service without a subscription', async (h) => {
    const g = await graph(h);
    const owner = await person(h, 'Olga Owner', ['implementer']);
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'DB Owners', handle: 'db-owners', memberIds: [owner.id] } });
    assert.equal(team.status, 201, team.text);
    const service = await h.request('GET', `/api/v1/services/${g.databases}`);
    const patched = await h.request('PATCH', `/api/v1/services/${g.databases}`, { body: { ownerTeamId: team.body.id, version: service.body.version } });
    assert.equal(patched.status, 200, patched.text);
    const change = await standard(h, (await person(h, 'Rita Requester', ['requester'])).token, [g.db]);
    const audience = await h.request('GET', `/api/v1/changes/${change.id}/audience`);
    assert.deepEqual(audience.body.people.map((p: { name: string; reasons: string[] }) => [p.name, p.reasons]), [['Olga Owner', ['in team DB Owners, owner of Databases']]]);
  });
});

describe('concerns', () => {
  eachEngine('a stakeholder raises a concern; only the owner or a change manager answers; counts show on the change', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const ivan = await person(h, 'Ivan Implementer', ['implementer']);
    await follow(h, sam.token, { target: { kind: 'service', id: g.payments }, includeDependencies: true });
    const change = await standard(h, rita.token, [g.db]);
    const raised = await h.request('POST', `/api/v1/changes/${change.id}/concerns`, { token: sam.token, body: { text: 'Month-end payments run that night.' } });
    assert.equal(raised.status, 201, raised.text);
    assert.deepEqual([raised.body.author.name, raised.body.answer], ['Sam Stakeholder', null]);
    const empty = await h.request('POST', `/api/v1/changes/${change.id}/concerns`, { token: sam.token, body: { text: '  ' } });
    assert.equal(empty.status, 400);
    await h.tick();
    const [toOwner] = await noticesOf(h, rita.token, 'concern_raised');
    assert.equal(toOwner?.title, `Sam Stakeholder raised a concern about ${change.number} "Patch the payments database".`);

    const refused = await h.request('POST', `/api/v1/concerns/${raised.body.id}/answer`, { token: ivan.token, body: { text: 'Fine.' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'not_change_owner');
    const bySam = await h.request('POST', `/api/v1/concerns/${raised.body.id}/answer`, { token: sam.token, body: { text: 'Fine.' } });
    assert.equal(bySam.status, 403);
    assert.equal((await h.request('GET', `/api/v1/changes/${change.id}`, { token: rita.token })).body.concerns.open, 1);
    // The owner's home says what waits for them.
    const concernReasons = async () => {
      const home = await h.request('GET', '/api/v1/home', { token: rita.token });
      assert.equal(home.status, 200, home.text);
      const item = home.body.myChanges.items.find((i: { change: { id: string } }) => i.change.id === change.id);
      return (item?.reasons ?? []).filter((r: { kind: string }) => r.kind === 'concerns').map((r: { text: string }) => r.text);
    };
    assert.deepEqual(await concernReasons(), ['A concern waits for your answer']);

    const answered = await h.request('POST', `/api/v1/concerns/${raised.body.id}/answer`, { token: rita.token, body: { text: 'We will move it to the day after.' } });
    assert.equal(answered.status, 200, answered.text);
    assert.deepEqual([answered.body.answer.by.name, answered.body.answer.text], ['Rita Requester', 'We will move it to the day after.']);
    assert.deepEqual(await concernReasons(), []);
    const twice = await h.request('POST', `/api/v1/concerns/${raised.body.id}/answer`, { body: { text: 'Again.' } });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'concern_answered');
    await h.tick();
    assert.equal((await noticesOf(h, sam.token, 'concern_answered')).length, 1);
    const detail = await h.request('GET', `/api/v1/changes/${change.id}`, { token: sam.token });
    assert.deepEqual(detail.body.concerns, { open: 0, answered: 1 });
    const list = await h.request('GET', `/api/v1/changes/${change.id}/concerns`, { token: sam.token });
    assert.deepEqual([list.body.open, list.body.answered, list.body.canAnswer], [0, 1, false]);
    const history = await h.request('GET', `/api/v1/changes/${change.id}/audit`);
    const actions = (history.body.items ?? history.body).map((e: { action: string }) => e.action);
    assert.ok(actions.includes('change.concern_raised') && actions.includes('change.concern_answered'), JSON.stringify(actions));
  });

  eachEngine('with concernsBlockImplement on, an open concern refuses implement (422 concerns_open listing it) until it is answered', async (h) => {
    await withConcernsBlocking(h);
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const carl = await person(h, 'Carl Manager', ['change_manager']);
    const change = await standard(h, rita.token, [g.db], { ownerId: rita.id });
    assert.equal((await move(h, change.id, 'scheduled', rita.token)).status, 200);
    assert.equal((await edit(h, change.id, rita.token, { actualStart: at(h, 0) })).status, 200);
    const concern = await h.request('POST', `/api/v1/changes/${change.id}/concerns`, { token: carl.token, body: { text: 'Is the backup fresh?' } });
    assert.equal(concern.status, 201);
    const detail = await h.request('GET', `/api/v1/changes/${change.id}`, { token: rita.token });
    const implement = detail.body.availableTransitions.find((t: { to: string }) => t.to === 'implement');
    assert.deepEqual(implement.reasons, ['A concern waits for an answer from the owner or a change manager.']);
    for (const token of [rita.token, carl.token, undefined]) {
      const refused = await move(h, change.id, 'implement', token);
      assert.equal(refused.status, 422, refused.text);
      assert.equal(refused.body.error.code, 'concerns_open');
      assert.deepEqual(refused.body.error.details.concerns.map((c: { id: string; text: string }) => [c.id, c.text]), [[concern.body.id, 'Is the backup fresh?']]);
    }
    // The service every path goes through refuses it too (the CLI and the demo call it directly).
    await assert.rejects(
      h.cabinet.services.changes.transition({ userId: 'system', email: 's@x', name: 'Cabinet', roles: [{ role: 'admin', scopeType: null, scopeId: null }], teamIds: [], requestId: 't', via: 'system' }, change.id, 'implement'),
      (err: { code?: string }) => err.code === 'concerns_open',
    );
    assert.equal((await h.request('POST', `/api/v1/concerns/${concern.body.id}/answer`, { token: rita.token, body: { text: 'Taken at 21:00.' } })).status, 200);
    const moved = await move(h, change.id, 'implement', rita.token);
    assert.equal(moved.status, 200, moved.text);
  });

  eachEngine('without the policy option an open concern does not refuse implement', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const change = await standard(h, rita.token, [g.db], { ownerId: rita.id });
    assert.equal((await move(h, change.id, 'scheduled', rita.token)).status, 200);
    assert.equal((await edit(h, change.id, rita.token, { actualStart: at(h, 0) })).status, 200);
    assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/concerns`, { body: { text: 'Hmm.' } })).status, 201);
    assert.equal((await move(h, change.id, 'implement', rita.token)).status, 200);
  });

  eachEngine('"this affected me" after implementation opens a new incident linked to the change; before it, 409 not_implemented', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    await follow(h, sam.token, { target: { kind: 'ci', id: g.db } });
    const change = await standard(h, rita.token, [g.db], { ownerId: rita.id });
    const early = await h.request('POST', `/api/v1/changes/${change.id}/affected`, { token: sam.token, body: { text: 'Payments fail.' } });
    assert.equal(early.status, 409);
    assert.equal(early.body.error.code, 'not_implemented');
    assert.equal((await move(h, change.id, 'scheduled', rita.token)).status, 200);
    assert.equal((await edit(h, change.id, rita.token, { actualStart: at(h, 0) })).status, 200);
    assert.equal((await move(h, change.id, 'implement', rita.token)).status, 200);
    const reported = await h.request('POST', `/api/v1/changes/${change.id}/affected`, { token: sam.token, body: { text: 'Card payments fail since 22:05.' } });
    assert.equal(reported.status, 201, reported.text);
    assert.deepEqual([reported.body.state, reported.body.causedByChange?.id, reported.body.service?.name], ['new', change.id, 'Databases']);
    const linked = await h.request('GET', `/api/v1/incidents?changeId=${change.id}`);
    assert.deepEqual(linked.body.items.map((i: { number: string }) => i.number), [reported.body.number]);
    await h.tick();
    assert.equal((await noticesOf(h, rita.token, 'change_affected_reported')).length, 1);
  });
});

describe('the stakeholder’s view of changes', () => {
  eachEngine('a stakeholder reads, lists and exports only the changes on what they follow (with what it depends on)', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const onDb = await standard(h, rita.token, [g.db]);
    const elsewhere = await standard(h, rita.token, [g.other]);
    assert.equal((await h.request('GET', `/api/v1/changes/${onDb.id}`, { token: sam.token })).status, 404, 'nothing followed yet');
    assert.deepEqual((await h.request('GET', '/api/v1/changes', { token: sam.token })).body.items, []);
    await follow(h, sam.token, { target: { kind: 'service', id: g.payments }, includeDependencies: true });
    assert.equal((await h.request('GET', `/api/v1/changes/${onDb.id}`, { token: sam.token })).status, 200);
    assert.equal((await h.request('GET', `/api/v1/changes/${elsewhere.number}`, { token: sam.token })).status, 404);
    assert.equal((await h.request('GET', `/api/v1/changes/${elsewhere.id}/audience`, { token: sam.token })).status, 404);
    assert.equal((await h.request('POST', `/api/v1/changes/${elsewhere.id}/concerns`, { token: sam.token, body: { text: 'x' } })).status, 404);
    const listed = await h.request('GET', '/api/v1/changes', { token: sam.token });
    assert.deepEqual(listed.body.items.map((c: { id: string }) => c.id), [onDb.id]);
    const filtered = await h.request('GET', `/api/v1/changes?ciId=${g.other}`, { token: sam.token });
    assert.deepEqual(filtered.body.items, []);
    const exported = await h.request('GET', '/api/v1/changes/export.csv', { token: sam.token });
    assert.equal(exported.status, 200, exported.text);
    assert.ok(exported.text.includes(onDb.number) && !exported.text.includes(elsewhere.number));
    // So does every other read about one change.
    for (const part of ['approvals', 'audit', 'risk', 'conflicts', 'impact', 'evidence', 'sla', 'incidents']) {
      assert.equal((await h.request('GET', `/api/v1/changes/${elsewhere.id}/${part}`, { token: sam.token })).status, 404, part);
      // Incidents are not for stakeholders at all.
      assert.equal((await h.request('GET', `/api/v1/changes/${onDb.number}/${part}`, { token: sam.token })).status, part === 'incidents' ? 403 : 200, part);
    }
    // The change form's plan check reads the change it names: the same view.
    const plan = { ciIds: [g.db], plannedStart: at(h, 30), plannedEnd: at(h, 31) };
    assert.equal((await h.request('POST', '/api/v1/conflicts/check', { token: sam.token, body: { ...plan, changeId: elsewhere.id } })).status, 404);
    assert.equal((await h.request('POST', '/api/v1/conflicts/check', { token: sam.token, body: { ...plan, changeId: onDb.number } })).status, 200);
    // Search and the calendar obey the same view.
    const found = await h.request('GET', `/api/v1/search?q=${encodeURIComponent('Patch the payments')}&limit=20`, { token: sam.token });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body.groups.find((g: { kind: string }) => g.kind === 'change').items.map((i: { id: string }) => i.id), [onDb.id]);
    const byNumber = await h.request('GET', `/api/v1/search?q=${elsewhere.number}`, { token: sam.token });
    assert.deepEqual(byNumber.body.groups.find((g: { kind: string }) => g.kind === 'change').items, []);
    const from = new Date(h.now().getTime()).toISOString();
    const to = new Date(h.now().getTime() + 40 * DAY).toISOString();
    const calendar = await h.request('GET', `/api/v1/calendar?from=${from}&to=${to}`, { token: sam.token });
    assert.equal(calendar.status, 200, calendar.text);
    assert.deepEqual(calendar.body.changes.map((c: { id: string }) => c.id), [onDb.id]);
    // Stakeholders comment, but write nothing else.
    assert.equal((await h.request('POST', `/api/v1/changes/${onDb.id}/comments`, { token: sam.token, body: { body: 'Noted.' } })).status, 201);
    assert.equal((await h.request('PATCH', `/api/v1/changes/${onDb.id}`, { token: sam.token, body: { title: 'Mine now', version: 1 } })).status, 403);
    assert.equal((await h.request('POST', '/api/v1/changes', { token: sam.token, body: { type: 'standard', title: 'x' } })).status, 403);
    // Other roles read every change.
    assert.equal((await h.request('GET', `/api/v1/changes/${elsewhere.id}`, { token: rita.token })).status, 200);
  });
});
