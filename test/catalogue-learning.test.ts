import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openCabinetStore } from '../src/cabinet';
import { groupByPlan, jaccard, normalisePlan, planTokens, reviewDueAt } from '../src/domain/catalogue/learning';
import { createWorker } from '../src/jobs/worker';
import { eachEngine, type Harness } from './support/cabinet';
import { addMembers, approvalsOf, catalogueEntry, ci, decide, edit, move } from './support/fixtures';

const DAY = 86_400_000;
let slot = 0;

async function entry(h: Harness, body: Record<string, unknown>, token?: string) {
  const res = await h.request('POST', '/api/v1/templates', { body: { type: 'standard', ...body }, token });
  assert.equal(res.status, 201, res.text);
  return res.body as { id: string; name: string; state: string };
}

async function team(h: Harness, name: string): Promise<string> {
  const res = await h.request('POST', '/api/v1/teams', { body: { name } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

const reviews = async (h: Harness, state: string, token?: string) => {
  const res = await h.request('GET', `/api/v1/catalogue/reviews?state=${state}`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body.items as { id: string; templateId: string; state: string; overdue: boolean; decision: string | null; history: Record<string, unknown>; dueAt: string; reviseLink: string | null; suspendedAt: string | null }[];
};

/**
 * Files a normal change on the CIs, has a change manager approve it and walks it to implement, then closes it
 * with the code (`ago` days ago).
 */
async function closedNormal(h: Harness, who: { requester: string; manager: string; team: string; implementer: string }, body: Record<string, unknown>, code = 'successful', ago = 10): Promise<{ id: string; number: string }> {
  // Each change at its own hour, so that none conflicts with another on the same CI.
  const start = h.now().getTime() - ago * DAY + slot++ * 2 * 3_600_000;
  const c = await h.request('POST', '/api/v1/changes', {
    token: who.requester,
    body: {
      type: 'normal', title: 'Rotate certificates', description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true,
      assignmentTeamId: who.team, implementerId: who.implementer, plannedStart: new Date(start).toISOString(), plannedEnd: new Date(start + 3_600_000).toISOString(), ...body,
    },
  });
  assert.equal(c.status, 201, c.text);
  const ok = (res: { status: number; text: string }) => assert.equal(res.status, 200, res.text);
  for (const to of ['assess', 'authorize']) ok(await move(h, c.body.id, to));
  for (const a of await approvalsOf(h, c.body.id)) ok(await decide(h, who.manager, a.id, { decision: 'approve' }));
  ok(await move(h, c.body.id, 'scheduled'));
  ok(await edit(h, `/api/v1/changes/${c.body.id}`, { actualStart: new Date(start).toISOString() }));
  ok(await move(h, c.body.id, 'implement'));
  const closed = await edit(h, `/api/v1/changes/${c.body.id}`, { actualEnd: new Date(start + 3_000_000).toISOString(), closeCode: code });
  assert.equal(closed.status, 200, closed.text);
  return { id: c.body.id, number: c.body.number };
}

describe('catalogue learning: pure rules', () => {
  it('plans that differ in numbers, case and spacing are the same work; a different plan is not', () => {
    assert.equal(normalisePlan('Upgrade  OpenSSL to 3.0.13 on WEB-07,\nrestart nginx'), 'upgrade openssl to # # # on web # restart nginx');
    const a = planTokens(normalisePlan('Upgrade OpenSSL to 3.0.13 on web-07, restart nginx'));
    const b = planTokens(normalisePlan('upgrade openssl to 3.0.14 on web-12; restart NGINX'));
    assert.equal(jaccard(a, b), 1);
    assert.ok(jaccard(a, planTokens(normalisePlan('Resize the disk of db-1 and rebuild its index'))) < 0.8);
    // One word more in six is still the same work (Jaccard 5/6); a plan that does more is not (5/9).
    const plans = ['restart nginx on web-1', 'Restart nginx on web-2', 'resize the data disk', 'restart nginx on web-3 now', 'restart nginx and php-fpm on web-4, clear the cache'];
    assert.deepEqual(
      groupByPlan(plans, (p) => p).map((g) => g.items),
      [['restart nginx on web-1', 'Restart nginx on web-2', 'restart nginx on web-3 now'], ['resize the data disk'], ['restart nginx and php-fpm on web-4, clear the cache']],
    );
  });

  it('a review is due one cadence after activation, or at the date a decision set', () => {
    assert.equal(reviewDueAt({ nextReviewAt: null, activatedAt: '2026-01-01T00:00:00.000Z', cadenceDays: 90 }), '2026-04-01T00:00:00.000Z');
    assert.equal(reviewDueAt({ nextReviewAt: '2026-02-01T00:00:00.000Z', activatedAt: '2026-01-01T00:00:00.000Z', cadenceDays: 90 }), '2026-02-01T00:00:00.000Z');
  });
});

describe('periodic catalogue review', () => {
  eachEngine('a review opens once when an entry falls due, whatever the ticks and workers, and its owner team is told', async (h) => {
    const owners = await team(h, 'Web operations');
    const member = await h.userWithToken(['implementer'], { teamIds: [owners] });
    const e = await entry(h, { name: 'Restart web tier', ownerTeamId: owners });
    const other = await entry(h, { name: 'Rotate logs', ownerTeamId: owners });
    assert.equal((await h.tick()).reviewsOpened, 0, 'nothing is due on the first day');
    assert.deepEqual(await reviews(h, 'open'), []);

    h.advance(91 * DAY);
    // NOTE: on PostgreSQL the second worker has its own pool, as a second process would (see sla.test.ts).
    const second = h.engine === 'postgres' ? await openCabinetStore({ databaseUrl: h.url, sessionHours: 12 }, { now: () => h.now() }) : { store: h.cabinet.store, services: h.cabinet.services };
    try {
      const worker = createWorker(second.services, { intervalMs: 1000 });
      const reports = await Promise.all([h.tick(), worker.tick(), h.tick(), worker.tick()]);
      assert.equal(reports.reduce((n, r) => n + r.reviewsOpened, 0), 2, 'one review per entry');
    } finally {
      if (second.store !== h.cabinet.store) await second.store.close();
    }
    const open = await reviews(h, 'open');
    assert.deepEqual(open.map((r) => r.templateId).sort(), [e.id, other.id].sort());
    assert.ok(open.every((r) => r.overdue), 'due a day ago');
    assert.deepEqual([open[0]!.history.uses, open[0]!.history.failed, open[0]!.history.score], [0, 0, 0], 'the history as it was when the review opened');
    assert.equal((await reviews(h, 'overdue')).length, 2);
    assert.equal(await h.cabinet.store.repos.catalogueLearning.countReviews(e.id), 1);
    assert.equal((await h.tick()).reviewsOpened, 0, 'an open review is not opened again');

    await h.cabinet.services.outbox.deliverDue('test');
    const inbox = (await h.request('GET', '/api/v1/me/notifications', { token: member.token })).body.items as { kind: string; title: string; link: string | null }[];
    assert.equal(inbox.filter((n) => n.kind === 'catalogue_review_due').length, 2, JSON.stringify(inbox));
    assert.match(inbox[0]!.title, /due for its periodic review/);
    assert.equal(inbox[0]!.link, '/catalogue/reviews', 'the notice leads to the review queue');
    const opened = (await h.request('GET', `/api/v1/audit?entityType=template&entityId=${e.id}`)).body.items as { action: string }[] | undefined;
    if (opened) assert.ok(opened.some((x) => x.action === 'catalogue_review.opened'));
  });

  eachEngine('the owner team or a change manager decides keep, revise or retire; others are refused', async (h) => {
    const owners = await team(h, 'Storage');
    const member = await h.userWithToken(['implementer'], { teamIds: [owners] });
    const outsider = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    const kept = await entry(h, { name: 'Expand a volume', ownerTeamId: owners });
    const revised = await entry(h, { name: 'Snapshot a volume', ownerTeamId: owners });
    const retired = await entry(h, { name: 'Move a volume', ownerTeamId: owners });
    h.advance(90 * DAY + 60_000);
    assert.equal((await h.tick()).reviewsOpened, 3);
    const byEntry = new Map((await reviews(h, 'open')).map((r) => [r.templateId, r]));

    const refused = await h.request('POST', `/api/v1/catalogue/reviews/${byEntry.get(kept.id)!.id}/decide`, { token: outsider.token, body: { decision: 'keep', reason: 'fine' } });
    assert.equal(refused.status, 403, refused.text);
    const bad = await h.request('POST', `/api/v1/catalogue/reviews/${byEntry.get(kept.id)!.id}/decide`, { token: member.token, body: { decision: 'scrap', reason: ' ' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['decision', 'reason']);

    const keep = await h.request('POST', `/api/v1/catalogue/reviews/${byEntry.get(kept.id)!.id}/decide`, { token: member.token, body: { decision: 'keep', reason: 'No failures this quarter' } });
    assert.equal(keep.status, 200, keep.text);
    assert.deepEqual([keep.body.state, keep.body.decision, keep.body.decidedBy.id, keep.body.reviseLink], ['decided', 'keep', member.id, null]);
    const again = await h.request('POST', `/api/v1/catalogue/reviews/${byEntry.get(kept.id)!.id}/decide`, { token: manager.token, body: { decision: 'retire', reason: 'changed my mind' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'review_decided');
    const settings = await h.cabinet.store.repos.catalogueLearning.reviewSettingsOf(kept.id);
    assert.equal(settings!.nextReviewAt, new Date(Date.parse(keep.body.decidedAt) + 90 * DAY).toISOString(), 'the next review is one cadence after the decision');

    const revise = await h.request('POST', `/api/v1/catalogue/reviews/${byEntry.get(revised.id)!.id}/decide`, { token: manager.token, body: { decision: 'revise', reason: 'The backout plan is out of date' } });
    assert.equal(revise.status, 200, revise.text);
    assert.equal(revise.body.reviseLink, `/templates/${revised.id}`);
    assert.equal((await h.request('GET', `/api/v1/templates/${revised.id}`)).body.state, 'active', 'a revised entry stays active');

    const retire = await h.request('POST', `/api/v1/catalogue/reviews/${byEntry.get(retired.id)!.id}/decide`, { token: member.token, body: { decision: 'retire', reason: 'Nobody moves volumes by hand any more' } });
    assert.equal(retire.status, 200, retire.text);
    assert.equal((await h.request('GET', `/api/v1/templates/${retired.id}`)).body.state, 'retired');

    assert.deepEqual(await reviews(h, 'open'), []);
    assert.equal((await reviews(h, 'decided')).length, 3);
    // Keep and revise moved the next review on: no new review the next day.
    h.advance(DAY);
    assert.equal((await h.tick()).reviewsOpened, 0);
  });

  eachEngine("an entry's own cadence moves its next review; the schedule shows every entry's next review", async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const requester = await h.userWithToken(['requester']);
    const monthly = await entry(h, { name: 'Renew a certificate' });
    const quarterly = await entry(h, { name: 'Patch a server' });
    await entry(h, { name: 'A normal template', type: 'normal' });
    const refused = await h.request('PUT', `/api/v1/templates/${monthly.id}/review-cadence`, { token: requester.token, body: { cadenceDays: 30 } });
    assert.equal(refused.status, 403);
    const bad = await h.request('PUT', `/api/v1/templates/${monthly.id}/review-cadence`, { token: manager.token, body: { cadenceDays: 0 } });
    assert.equal(bad.status, 400);
    const set = await h.request('PUT', `/api/v1/templates/${monthly.name}/review-cadence`, { token: manager.token, body: { cadenceDays: 30 } });
    assert.equal(set.status, 200, set.text);
    assert.equal(set.body.cadenceDays, 30);

    const schedule = await h.request('GET', '/api/v1/catalogue/review-schedule', { token: requester.token });
    assert.equal(schedule.status, 200, schedule.text);
    const byId = new Map(schedule.body.items.map((i: { templateId: string }) => [i.templateId, i]));
    assert.equal(byId.size, 2, 'standard entries only');
    const m = byId.get(monthly.id) as { effectiveCadenceDays: number; nextReviewAt: string; overdue: boolean };
    const q = byId.get(quarterly.id) as { effectiveCadenceDays: number; nextReviewAt: string };
    assert.deepEqual([m.effectiveCadenceDays, q.effectiveCadenceDays, m.overdue], [30, 90, false]);
    assert.ok(Math.abs(Date.parse(q.nextReviewAt) - Date.parse(m.nextReviewAt) - 60 * DAY) < 60_000, 'the monthly entry is due 60 days before the quarterly one');

    h.advance(31 * DAY);
    assert.equal((await h.tick()).reviewsOpened, 1);
    assert.deepEqual((await reviews(h, 'open')).map((r) => r.templateId), [monthly.id]);
  });

  eachEngine('an entry whose review stays open past the grace period is suspended once', async (h) => {
    const e = await entry(h, { name: 'Recycle app pool' });
    h.advance((90 + 14) * DAY + 3_600_000);
    const first = await h.tick();
    assert.deepEqual([first.reviewsOpened, first.reviewsSuspended], [1, 1]);
    assert.deepEqual([(await h.tick()).reviewsSuspended, (await h.tick()).reviewsSuspended], [0, 0], 'suspended once');
    const t = await h.request('GET', `/api/v1/templates/${e.id}`);
    assert.equal(t.body.state, 'suspended');
    const log = t.body.suspensions as { kind: string; reason: string; automatic: boolean }[] | undefined;
    if (log) {
      assert.equal(log.filter((s) => s.kind === 'suspended').length, 1);
      assert.match(log[0]!.reason, /review overdue/);
    }
    const [review] = await reviews(h, 'open');
    assert.ok(review!.suspendedAt);
    // Deciding the review does not reinstate the entry: that takes a change manager's reinstatement.
    const keep = await h.request('POST', `/api/v1/catalogue/reviews/${review!.id}/decide`, { body: { decision: 'keep', reason: 'Reviewed late' } });
    assert.equal(keep.status, 200, keep.text);
    assert.equal((await h.request('GET', `/api/v1/templates/${e.id}`)).body.state, 'suspended');
  });
});

describe('promotion candidates', () => {
  eachEngine('normal changes with near-identical plans that succeed five times are a candidate until one causes an incident', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    await addMembers(h, 'change-managers', [manager.id]);
    const requester = await h.userWithToken(['requester']);
    const who = { requester: requester.token, manager: manager.token, team: await team(h, 'Platform'), implementer: (await h.userWithToken(['implementer'])).id };
    const webs: string[] = [];
    for (let i = 1; i <= 6; i++) webs.push(await ci(h, `web-${i}`, 'server'));
    const db = await ci(h, 'db-9', 'application');

    const none = await h.request('GET', '/api/v1/catalogue/candidates', { token: manager.token });
    assert.equal(none.status, 200, none.text);
    assert.deepEqual([none.body.items, none.body.successes, none.body.lookbackDays], [[], 5, 180]);
    assert.equal((await h.request('GET', '/api/v1/catalogue/candidates', { token: requester.token })).status, 403);

    const made: { id: string; number: string }[] = [];
    for (let i = 1; i <= 4; i++) made.push(await closedNormal(h, who, { ciIds: [webs[i]!], title: `Renew TLS on web-${i}`, implementationPlan: `Renew the TLS certificate on web-${i} with certbot\nreload nginx` }));
    // Different work on the same CI type, a failure, and the same plan on another CI type do not count.
    await closedNormal(h, who, { ciIds: [webs[0]!], implementationPlan: 'Resize the root disk and grow the filesystem' });
    await closedNormal(h, who, { ciIds: [webs[5]!], implementationPlan: 'Renew the TLS certificate on web-6 with certbot, reload nginx' }, 'unsuccessful');
    await closedNormal(h, who, { ciIds: [db], implementationPlan: 'Renew the TLS certificate on db-9 with certbot, reload nginx' });
    assert.deepEqual((await h.request('GET', '/api/v1/catalogue/candidates', { token: manager.token })).body.items, [], 'four successes are not enough');

    made.push(await closedNormal(h, who, { ciIds: [webs[5]!], title: 'Renew TLS on web-5', implementationPlan: 'RENEW the TLS certificate on WEB-05 with certbot;  reload nginx' }));
    const found = await h.request('GET', '/api/v1/catalogue/candidates', { token: manager.token });
    assert.equal(found.body.items.length, 1, JSON.stringify(found.body));
    const [candidate] = found.body.items;
    assert.deepEqual([candidate.kind, candidate.ciTypes, candidate.successes, candidate.title, candidate.proposedEntry], ['plan', ['server'], 5, 'Renew TLS on web-5', null]);
    assert.deepEqual(candidate.changes.map((c: { id: string }) => c.id).sort(), made.map((c) => c.id).sort());

    // Proposing an entry from one of them: a proposed standard entry with the change's plans, linked to it.
    const refused = await h.request('POST', `/api/v1/changes/${made[0]!.number}/propose-entry`, { token: requester.token, body: {} });
    assert.equal(refused.status, 403);
    const proposed = await h.request('POST', `/api/v1/changes/${made[0]!.number}/propose-entry`, { token: manager.token, body: { name: 'Renew a TLS certificate', category: 'Certificates' } });
    assert.equal(proposed.status, 201, proposed.text);
    assert.deepEqual([proposed.body.state, proposed.body.type, proposed.body.category, proposed.body.ciIds], ['proposed', 'standard', 'Certificates', [webs[1]]]);
    assert.match(proposed.body.fields.implementationPlan, /certbot/);
    const taken = await h.request('POST', `/api/v1/changes/${made[1]!.number}/propose-entry`, { token: manager.token, body: { name: 'Renew a TLS certificate' } });
    assert.equal(taken.status, 400, 'the name is taken');
    const listed = (await h.request('GET', '/api/v1/catalogue/candidates', { token: manager.token })).body.items[0];
    assert.deepEqual(listed.proposedEntry, { id: proposed.body.id, name: 'Renew a TLS certificate', state: 'proposed' });
    const trail = await h.request('GET', `/api/v1/audit?entityType=template&entityId=${proposed.body.id}`);
    if (trail.status === 200) assert.ok(trail.body.items.some((x: { action: string; data: { changeId?: string } }) => x.action === 'template.proposed_from_change' && x.data.changeId === made[0]!.id));

    // An incident caused by one of them removes the candidate.
    const incident = await h.request('POST', '/api/v1/incidents', { body: { title: 'TLS handshake failures', priority: 3, ciIds: [webs[2]!], causedByChangeId: made[2]!.id } });
    assert.equal(incident.status, 201, incident.text);
    assert.deepEqual((await h.request('GET', '/api/v1/catalogue/candidates', { token: manager.token })).body.items, []);
  });

  eachEngine('changes made from the same normal template are a candidate; old successes fall out of the window', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    await addMembers(h, 'change-managers', [manager.id]);
    const requester = await h.userWithToken(['requester']);
    const who = { requester: requester.token, manager: manager.token, team: await team(h, 'Platform'), implementer: (await h.userWithToken(['implementer'])).id };
    const app = await ci(h, 'billing', 'application');
    const t = await entry(h, { name: 'Deploy billing', type: 'normal', ciIds: [app] });
    for (let i = 0; i < 4; i++) await closedNormal(h, who, { ciIds: [app], templateId: t.id, implementationPlan: `Deploy release ${i} (a different plan each time: ${'x'.repeat(i)})` });
    await closedNormal(h, who, { ciIds: [app], templateId: t.id, implementationPlan: 'old' }, 'successful', 200);
    assert.deepEqual((await h.request('GET', '/api/v1/catalogue/candidates', { token: manager.token })).body.items, [], 'the fifth success is older than 180 days');
    await closedNormal(h, who, { ciIds: [app], templateId: t.id, implementationPlan: 'Deploy release 5' });
    const [candidate] = (await h.request('GET', '/api/v1/catalogue/candidates', { token: manager.token })).body.items;
    assert.deepEqual([candidate.kind, candidate.template, candidate.successes], ['template', { id: t.id, name: 'Deploy billing' }, 5]);
  });
});

describe('misclassification', () => {
  eachEngine('a change manager reclassifies a change with a reason; the type stays; the counts are per team and service', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const requester = await h.userWithToken(['requester']);
    const web = await h.request('POST', '/api/v1/teams', { body: { name: 'Web' } });
    const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Shop', tier: 2 } });
    assert.equal(svc.status, 201, svc.text);
    const node = await ci(h, 'shop-1', 'server', { serviceId: svc.body.id });
    const file = async (type: string) => {
      // A standard one from the catalogue (without an entry it would be filed as normal).
      const templateId = type === 'standard' ? await catalogueEntry(h) : null;
      const res = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { type, title: `A ${type} change`, ciIds: [node], assignmentTeamId: web.body.id, templateId } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.type, type, res.text);
      return res.body as { id: string; number: string; type: string };
    };
    const emergency = await file('emergency');
    const normal = await file('normal');
    const standard = await file('standard');

    const byRequester = await h.request('POST', `/api/v1/changes/${emergency.id}/reclassify`, { token: requester.token, body: { as: 'normal', reason: 'Could have waited' } });
    assert.equal(byRequester.status, 403);
    const bad = await h.request('POST', `/api/v1/changes/${emergency.id}/reclassify`, { token: manager.token, body: { as: 'emergency', reason: '' } });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['as', 'reason'], JSON.stringify(bad.body));
    const same = await h.request('POST', `/api/v1/changes/${emergency.id}/reclassify`, { token: manager.token, body: { as: 'emergency', reason: 'x' } });
    assert.equal(same.status, 400);
    assert.deepEqual(same.body.error.details.issues.map((i: { path: string }) => i.path), ['as']);
    const missing = await h.request('POST', '/api/v1/changes/CHG9999999/reclassify', { token: manager.token, body: { as: 'normal', reason: 'x' } });
    assert.equal(missing.status, 404);

    const done = await h.request('POST', `/api/v1/changes/${emergency.number}/reclassify`, { token: manager.token, body: { as: 'normal', reason: 'Nothing was down; it could have waited for the CAB' } });
    assert.equal(done.status, 201, done.text);
    assert.deepEqual([done.body.from, done.body.to, done.body.kind, done.body.teamId, done.body.serviceIds, done.body.by.id], ['emergency', 'normal', 'not_urgent', web.body.id, [svc.body.id], manager.id]);
    assert.equal((await h.request('GET', `/api/v1/changes/${emergency.id}`)).body.type, 'emergency', 'the type is not changed');
    for (const [c, as] of [[normal, 'standard'], [standard, 'normal'], [normal, 'emergency']] as const) {
      assert.equal((await h.request('POST', `/api/v1/changes/${c.id}/reclassify`, { token: manager.token, body: { as, reason: 'seen at the weekly review' } })).status, 201);
    }
    const listed = await h.request('GET', `/api/v1/changes/${normal.id}/reclassifications`, { token: requester.token });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.items.map((r: { kind: string }) => r.kind), ['should_be_standard', 'other']);
    const audit = await h.request('GET', `/api/v1/changes/${emergency.id}/audit`);
    assert.ok(audit.body.items.some((e: { action: string; data: { reason: string } }) => e.action === 'change.reclassified' && e.data.reason.startsWith('Nothing was down')));

    const byTeam = await h.request('GET', '/api/v1/reclassifications/summary?by=team', { token: manager.token });
    assert.equal(byTeam.status, 200, byTeam.text);
    assert.deepEqual(byTeam.body.rows, [{ id: web.body.id, name: 'Web', total: 4, notUrgent: 1, shouldBeStandard: 1, notStandard: 1, other: 1 }]);
    const byService = await h.request('GET', '/api/v1/reclassifications/summary?by=service', { token: manager.token });
    assert.deepEqual(byService.body.rows.map((r: { name: string; total: number }) => [r.name, r.total]), [['Shop', 4]]);
    const later = await h.request('GET', `/api/v1/reclassifications/summary?since=${encodeURIComponent(new Date(h.now().getTime() + DAY).toISOString())}`, { token: manager.token });
    assert.deepEqual(later.body.rows, []);
    assert.equal((await h.request('GET', '/api/v1/reclassifications/summary?by=owner', { token: manager.token })).status, 400);
    assert.equal((await h.request('GET', '/api/v1/reclassifications/summary', { token: requester.token })).status, 403);
  });
});

describe('the API description', () => {
  eachEngine('documents every route of the catalogue that learns with an operation id, a tag and a summary', async (h) => {
    const spec = (await h.request('GET', '/api/v1/openapi.json', { token: null })).body;
    const ops = ['listCatalogueReviews', 'getCatalogueReview', 'decideCatalogueReview', 'getCatalogueReviewSchedule', 'setTemplateReviewCadence', 'listCatalogueCandidates', 'proposeCatalogueEntry', 'reclassifyChange', 'listChangeReclassifications', 'summarizeReclassifications'];
    const found = Object.values(spec.paths as Record<string, Record<string, { operationId?: string; tags?: string[]; summary?: string }>>).flatMap((item) => Object.values(item)).filter((op) => ops.includes(op.operationId ?? ''));
    assert.deepEqual(found.map((op) => op.operationId).sort(), [...ops].sort());
    assert.ok(found.every((op) => op.tags?.includes('catalogue') && (op.summary ?? '').length > 10));
  });
});
