import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';
import { newService } from './support/deployments';
import { addMembers, catalogueEntry, ci, edit } from './support/fixtures';

const HOUR = 3_600_000;
let run = 0;

/** A finished deployment of the CIs to the environment, started at `startedMs`, as the pipeline account. */
const deploy = (h: Harness, token: string, target: Record<string, unknown>, startedMs: number) =>
  h.request('POST', '/api/v1/deployments', {
    token,
    body: {
      source: 'jenkins',
      externalId: `build-${++run}`,
      target,
      repository: 'acme/payments',
      sha: 'feedface0123456789',
      startedAt: new Date(startedMs).toISOString(),
      finishedAt: new Date(startedMs + 5 * 60_000).toISOString(),
      result: 'success',
      actor: 'mallory',
    },
  });

/** A standard change on the CI, from a catalogue entry, moved into implement with its window around now. */
async function implementing(h: Harness, ciId: string): Promise<string> {
  const now = Date.now();
  const filed = await h.request('POST', '/api/v1/changes', {
    body: { type: 'standard', templateId: await catalogueEntry(h), title: 'Deploy', description: 'd', implementationPlan: 'p', ciIds: [ciId], plannedStart: new Date(now - 2 * HOUR).toISOString(), plannedEnd: new Date(now + 2 * HOUR).toISOString() },
  });
  assert.equal(filed.status, 201, filed.text);
  assert.equal((await h.request('POST', `/api/v1/changes/${filed.body.id}/transitions`, { body: { to: 'scheduled' } })).status, 200);
  assert.equal((await edit(h, `/api/v1/changes/${filed.body.id}`, { actualStart: new Date(now - HOUR).toISOString() })).status, 200);
  assert.equal((await h.request('POST', `/api/v1/changes/${filed.body.id}/transitions`, { body: { to: 'implement' } })).status, 200);
  return filed.body.number;
}

describe('unauthorized changes', () => {
  eachEngine('a production deployment no authorised change covers raises one record per CI per quiet period, and its people are told', async (h) => {
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Payments team', handle: 'payments-team' } });
    assert.equal(team.status, 201, team.text);
    const owner = await h.userWithToken(['requester'], { teamIds: [team.body.id] });
    const manager = await h.userWithToken(['change_manager']);
    const pipeline = await h.userWithToken(['pipeline']);
    const payments = await newService(h, 'Payments', { ownerTeamId: team.body.id });
    const api = await ci(h, 'payments-api', 'application', { serviceId: payments });
    const db = await ci(h, 'payments-db', 'database', { serviceId: payments });
    const now = Date.now();

    const first = await deploy(h, pipeline.token, { ciIds: [api], environment: 'production' }, now - 3 * HOUR);
    assert.equal(first.status, 201, first.text);
    assert.equal(first.body.unauthorizedChanges.length, 1);
    const number = first.body.unauthorizedChanges[0].number;
    assert.match(number, /^UNA\d{7}$/);
    // In the quiet period, the same CI joins the open record; another CI gets its own.
    const second = await deploy(h, pipeline.token, { ciIds: [api, db], environment: 'prod' }, now - 2 * HOUR);
    assert.equal(second.status, 201, second.text);
    assert.equal(second.body.unauthorizedChanges.length, 2);
    assert.ok(second.body.unauthorizedChanges.some((u: { number: string }) => u.number === number));
    // Staging is not controlled; a deployment the implementing change covers is authorised.
    assert.deepEqual((await deploy(h, pipeline.token, { ciIds: [api], environment: 'staging' }, now - HOUR)).body.unauthorizedChanges, []);
    await implementing(h, api);
    assert.deepEqual((await deploy(h, pipeline.token, { ciIds: [api], environment: 'production' }, now - 30 * 60_000)).body.unauthorizedChanges, []);
    // After the quiet period (24 h from the first), a new record.
    const later = await deploy(h, pipeline.token, { serviceId: payments, ciIds: [db], environment: 'production' }, now + 30 * HOUR);
    assert.equal(later.body.unauthorizedChanges.length, 1);
    assert.notEqual(later.body.unauthorizedChanges[0].number, second.body.unauthorizedChanges.find((u: { number: string }) => u.number !== number).number);

    const list = await h.request('GET', '/api/v1/unauthorized-changes?state=open&serviceId=Payments', { token: owner.token });
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 3);
    const record = (await h.request('GET', `/api/v1/unauthorized-changes/${number}`)).body;
    assert.deepEqual([record.deploymentCount, record.ci.name, record.service.name, record.state, record.review], [2, 'payments-api', 'Payments', 'open', null]);
    assert.equal(record.deployments.length, 2);
    assert.ok(!JSON.stringify(record).includes('mallory'), 'no person is named on the record');

    await h.tick();
    for (const who of [owner, manager]) {
      const inbox = await h.request('GET', '/api/v1/me/notifications', { token: who.token });
      assert.equal(inbox.status, 200, inbox.text);
      assert.ok(inbox.body.items.some((n: { kind: string; title: string }) => n.kind === 'unauthorized_change' && n.title.startsWith(number)), inbox.text);
    }
  });

  eachEngine('the blameless review: the cause in the process, the fix, the outcome; its owner team or a change manager; audited', async (h) => {
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Ledger team', handle: 'ledger-team' } });
    const member = await h.userWithToken(['implementer'], { teamIds: [team.body.id] });
    const outsider = await h.userWithToken(['implementer']);
    const manager = await h.userWithToken(['change_manager']);
    await addMembers(h, 'ledger-team', [member.id]);
    const ledger = await newService(h, 'Ledger', { ownerTeamId: team.body.id });
    const raised = await deploy(h, manager.token, { serviceId: ledger, environment: 'production' }, Date.now() - HOUR);
    const number = raised.body.unauthorizedChanges[0].number;

    const review = (token: string, body: unknown) => h.request('POST', `/api/v1/unauthorized-changes/${number}/review`, { token, body });
    assert.equal((await review(outsider.token, { cause: 'tooling_gap', outcome: 'false_alarm' })).status, 403);
    const bad = await review(member.token, { cause: 'other', outcome: 'authorised_after_the_fact', fix: { kind: 'catalogue_entry', link: { kind: 'template', ref: 'No such entry' } } });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['causeText', 'changeNumber', 'fix.link.ref'].sort(), bad.text);
    const unknownLink = await review(member.token, { cause: 'no_catalogue_entry', outcome: 'process_fixed', fix: { kind: 'catalogue_entry', link: { kind: 'template', ref: 'No such entry' } } });
    assert.equal(unknownLink.status, 400, unknownLink.text);
    assert.deepEqual(unknownLink.body.error.details.issues.map((i: { path: string }) => i.path), ['fix.link.ref']);

    const entry = await catalogueEntry(h, 'Ledger schema migration');
    const done = await review(member.token, {
      cause: 'no_catalogue_entry',
      outcome: 'process_fixed',
      fix: { kind: 'catalogue_entry', text: 'A standard change for schema migrations', link: { kind: 'template', ref: entry } },
      notes: 'The pipeline had no entry to name, so it deployed without asking.',
    });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.state, 'closed');
    assert.deepEqual([done.body.review.cause, done.body.review.outcome, done.body.review.fix.link.label], ['no_catalogue_entry', 'process_fixed', 'Ledger schema migration']);
    assert.equal((await review(manager.token, { cause: 'tooling_gap', outcome: 'false_alarm' })).status, 409, 'a review stands as recorded');
    // The trail finds it by number and names it, and the deployment that raised it, in words.
    const trail = await h.request('GET', `/api/v1/audit/events?record=${number}`);
    assert.equal(trail.status, 200, trail.text);
    assert.ok(trail.body.items.some((e: { action: string }) => e.action === 'unauthorized_change.reviewed'), trail.text);
    assert.deepEqual(trail.body.records, [{ id: done.body.id, type: 'unauthorized_change', label: number, title: 'acme/payments to production' }]);
    assert.deepEqual(trail.body.names[done.body.id], { type: 'unauthorized_change', label: number, title: 'acme/payments to production' });
    const deployment = await h.request('GET', `/api/v1/audit/events?record=${raised.body.id}`);
    assert.equal(deployment.status, 200, deployment.text);
    assert.deepEqual(deployment.body.names[raised.body.id], { type: 'deployment', label: 'acme/payments feedfac to production', title: null }, deployment.text);
    assert.deepEqual((await h.request('GET', '/api/v1/unauthorized-changes?state=closed')).body.items.map((u: { number: string }) => u.number), [number]);
  });
});
