import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { cab } from './support/cab';
import { eachEngine, type Harness } from './support/cabinet';
import { approvalsOf, ci, decide, fileAndAuthorize, plan } from './support/fixtures';

/** A normal change on the CIs, titled with `stamp` (so the test's board takes it), risk high, in authorize. */
async function changeOn(h: Harness, stamp: string, requesterToken: string, ciIds: string[]) {
  const implementerId = (await h.userWithToken(['implementer'])).id;
  const { id } = await fileAndAuthorize(h, requesterToken, plan(ciIds, { title: `Upgrade ${stamp}`, implementerId }), async (changeId) => {
    const read = await h.request('GET', `/api/v1/changes/${changeId}`);
    const res = await h.request('POST', `/api/v1/changes/${changeId}/risk/override`, { body: { level: 'high', justification: 'Peak season', version: read.body.version } });
    assert.equal(res.status, 200, res.text);
  });
  const read = await h.request('GET', `/api/v1/changes/${id}`);
  return { id, number: read.body.number as string, approvalId: (await approvalsOf(h, id)).find((a) => a.rule === 'cab')!.id };
}

async function service(h: Harness, name: string, tier: number): Promise<string> {
  const res = await h.request('POST', '/api/v1/services', { body: { name, tier } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function relate(h: Harness, from: string, to: string, type = 'depends_on') {
  const res = await h.request('POST', `/api/v1/cis/${from}/relations`, { body: { toCiId: to, type } });
  assert.equal(res.status, 201, res.text);
}

describe('CAB pre-read: impact', () => {
  eachEngine('lists the services of the change’s CIs and of the CIs that depend on them, with their tiers, most critical first', async (h) => {
    const stamp = `I${Date.now()}`;
    const { board, third, manager } = await cab(h, stamp);
    const payments = await service(h, `Payments ${stamp}`, 1);
    const storefront = await service(h, `Storefront ${stamp}`, 3);
    const reporting = await service(h, `Reporting ${stamp}`, 2);
    const db = await ci(h, `pay-db-${stamp}`, 'database', { serviceId: payments });
    const api = await ci(h, `pay-api-${stamp}`, 'application', { serviceId: payments });
    const web = await ci(h, `shop-web-${stamp}`, 'application', { serviceId: storefront });
    const far = await ci(h, `shop-cdn-${stamp}`, 'application', { serviceId: reporting });
    const beside = await ci(h, `report-${stamp}`, 'application', { serviceId: reporting });
    // api depends on db, web on api (two steps), the CDN on web (three steps: past the policy's depth of 2);
    // db itself depends on the reporting CI, which is a dependency, not a dependent.
    await relate(h, api, db);
    await relate(h, web, api);
    await relate(h, far, web);
    await relate(h, db, beside);
    const requester = await h.userWithToken(['requester']);
    const change = await changeOn(h, stamp, requester.token, [db]);
    const meeting = (await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start: new Date(Date.now() + 3_600_000).toISOString(), durationMinutes: 60 } })).body;

    const preRead = await h.request('GET', `/api/v1/meetings/${meeting.id}/items/${change.number}`, { token: third.token });
    assert.equal(preRead.status, 200, preRead.text);
    const { impact } = preRead.body;
    assert.deepEqual(impact.services, [
      { id: payments, name: `Payments ${stamp}`, tier: 1, affected: true, ciCount: 1 },
      { id: storefront, name: `Storefront ${stamp}`, tier: 3, affected: false, ciCount: 1 },
    ]);
    assert.deepEqual(
      impact.impacted.map((i: { name: string; type: string; depth: number; via: string; service: string; tier: number }) => [i.name, i.type, i.depth, i.via, i.service, i.tier]),
      [
        [`pay-api-${stamp}`, 'application', 1, `pay-db-${stamp}`, `Payments ${stamp}`, 1],
        [`shop-web-${stamp}`, 'application', 2, `pay-api-${stamp}`, `Storefront ${stamp}`, 3],
      ],
    );
    assert.equal(impact.impactedCount, 2);
    assert.equal(impact.summarised, false);
    // The same impact as the change page shows.
    const page = await h.request('GET', `/api/v1/changes/${change.id}/impact`);
    assert.equal(page.status, 200, page.text);
    assert.deepEqual(page.body.impacted.map((i: { id: string }) => i.id), impact.impacted.map((i: { id: string }) => i.id));

    // Someone who may not read boards reads no pre-read.
    assert.equal((await h.request('GET', `/api/v1/meetings/${meeting.id}/items/${change.number}`, { token: requester.token })).status, 403);
  });

  eachEngine('a change on CIs that nothing depends on has its own services and no impacted CIs', async (h) => {
    const stamp = `J${Date.now()}`;
    const { board, third, manager } = await cab(h, stamp);
    const lone = await ci(h, `lone-${stamp}`, 'application');
    const requester = await h.userWithToken(['requester']);
    const change = await changeOn(h, stamp, requester.token, [lone]);
    const meeting = (await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start: new Date(Date.now() + 3_600_000).toISOString(), durationMinutes: 60 } })).body;
    const preRead = await h.request('GET', `/api/v1/meetings/${meeting.id}/items/${change.id}`, { token: third.token });
    assert.equal(preRead.status, 200, preRead.text);
    assert.deepEqual(preRead.body.impact, { services: [{ id: null, name: 'No service', tier: null, affected: true, ciCount: 0 }], impacted: [], impactedCount: 0, summarised: false });
  });
});

describe('CAB agenda after a decision', () => {
  eachEngine('an item the board decided shows its decision and no longer what the quorum of votes would need', async (h) => {
    const stamp = `D${Date.now()}`;
    const { board, chair, sec, third, manager } = await cab(h, stamp);
    const requester = await h.userWithToken(['requester']);
    const dbCi = await ci(h, `app-${stamp}`, 'application');
    const change = await changeOn(h, stamp, requester.token, [dbCi]);
    // One member (not security) votes ahead: the quorum still needs one more, from security.
    const vote = await decide(h, third.token, change.approvalId, { decision: 'approve', comment: 'fine by me' });
    assert.equal(vote.status, 200, vote.text);
    const meeting = (await h.request('POST', `/api/v1/boards/${board.id}/meetings`, { token: manager.token, body: { start: new Date(Date.now() + 3_600_000).toISOString(), durationMinutes: 60 } })).body;
    const itemOf = async () => {
      const agenda = await h.request('GET', `/api/v1/meetings/${meeting.id}/agenda`, { token: third.token });
      assert.equal(agenda.status, 200, agenda.text);
      return agenda.body.items.find((i: { changeId: string }) => i.changeId === change.id);
    };
    const before = await itemOf();
    assert.deepEqual(before.votes, { approve: 1, reject: 0, missingMembers: 1, missingDomains: ['security'] });
    assert.equal(before.decision, null);

    assert.equal((await h.request('POST', `/api/v1/meetings/${meeting.id}/start`, { token: chair.token })).status, 200);
    await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: chair.token, body: { attendees: [{ userId: chair.id, present: true }] } });
    await h.request('PUT', `/api/v1/meetings/${meeting.id}/attendance`, { token: sec.token, body: { attendees: [{ userId: sec.id, present: true }] } });
    const decided = await h.request('POST', `/api/v1/meetings/${meeting.id}/items/${change.id}/decision`, { token: chair.token, body: { decision: 'approve', rationale: 'Rehearsed; backout tested.' } });
    assert.equal(decided.status, 201, decided.text);

    const after = await itemOf();
    assert.equal(after.decision.decision, 'approve');
    assert.equal(after.decision.rationale, 'Rehearsed; backout tested.');
    assert.deepEqual(after.votes, { approve: 1, reject: 0, missingMembers: 0, missingDomains: [] }, 'the votes cast stay; the quorum needs nothing more');
    // And once the meeting ended, its agenda says the same.
    assert.equal((await h.request('POST', `/api/v1/meetings/${meeting.id}/end`, { token: chair.token })).status, 201);
    assert.deepEqual((await itemOf()).votes, { approve: 1, reject: 0, missingMembers: 0, missingDomains: [] });
  });
});
