import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';
import { addMembers, approvalsOf, ci, decide, edit, fileAndAuthorize, move, plan } from './support/fixtures';

/** Someone in every approving team, who decides every approval as it opens. */
async function approveAll(h: Harness, changeId: string): Promise<void> {
  const approver = await h.userWithToken(['approver', 'cab_member']);
  for (const handle of ['security', 'dba', 'network', 'compliance', 'change-managers', 'cab', 'ecab']) await addMembers(h, handle, [approver.id]);
  for (let round = 0; round < 5; round++) {
    const pending = (await approvalsOf(h, changeId)).filter((a) => a.state === 'pending');
    if (pending.length === 0) return;
    for (const a of pending) assert.equal((await decide(h, approver.token, a.id, { decision: 'approve' })).status, 200);
  }
}

const evidenceOf = async (h: Harness, id: string) => (await h.request('GET', `/api/v1/changes/${id}/evidence`)).body;

describe('regulated systems: compliance review and evidence before implementation', () => {
  eachEngine('refuses implementation until the change holds test evidence and the sealed approval record', async (h) => {
    const requester = await h.userWithToken(['requester', 'implementer']);
    const pay = await ci(h, 'pay-api', 'application', { tags: ['pci'] });
    const change = await fileAndAuthorize(h, requester.token, plan([pay], { implementerId: requester.id }));
    const stages = [...new Set((await approvalsOf(h, change.id)).map((a) => a.stage))];
    assert.deepEqual(stages, ['specialists', 'compliance', 'authority']);
    assert.deepEqual((await evidenceOf(h, change.id)).gates.map((g: { name: string; missing: string[] }) => [g.name, g.missing]), [['regulated_evidence', ['test_evidence', 'approval_record']]]);

    await approveAll(h, change.id);
    assert.equal((await move(h, change.id, 'scheduled')).status, 200);
    assert.equal((await edit(h, `/api/v1/changes/${change.id}`, { actualStart: new Date().toISOString() })).status, 200);
    const refused = await move(h, change.id, 'implement', requester.token);
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'gate_unsatisfied');
    assert.deepEqual(refused.body.error.details.gates.map((g: { name: string; missing: string[] }) => [g.name, g.missing]), [['regulated_evidence', ['test_evidence']]]);

    const held = await evidenceOf(h, change.id);
    const record = held.items.find((e: { kind: string }) => e.kind === 'approval_record');
    assert.equal(record.createdByName, 'Cabinet');
    assert.match(record.sha256, /^[0-9a-f]{64}$/);
    const seal = JSON.parse(record.body) as { contentHash: string; approvals: { rule: string; votes: { decision: string; contentHash: string }[] }[] };
    assert.match(seal.contentHash, /^[0-9a-f]{64}$/, 'the record names the content it approved');
    assert.ok(seal.approvals.every((a) => a.votes.every((v) => v.contentHash === seal.contentHash)));
    const sealed = seal.approvals;
    assert.deepEqual(sealed.map((a) => a.rule).sort(), ['change_manager', 'compliance', 'security'].filter((r) => sealed.some((a) => a.rule === r)).sort());
    assert.ok(sealed.every((a) => a.votes.length === 1 && a.votes[0]!.decision === 'approve'));

    const bad = await h.request('POST', `/api/v1/changes/${change.id}/evidence`, { token: requester.token, body: { kind: 'approval_record', title: ' ', url: 'ftp://x' } });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['kind', 'title', 'url']);
    const added = await h.request('POST', `/api/v1/changes/${change.id}/evidence`, {
      token: requester.token,
      body: { kind: 'test_evidence', title: 'Staging run 4512', body: 'All 212 smoke tests passed on staging.', url: 'https://ci.example.com/runs/4512' },
    });
    assert.equal(added.status, 201, added.text);
    assert.match(added.body.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual((await evidenceOf(h, change.id)).gates[0].missing, []);
    const moved = await move(h, change.id, 'implement', requester.token);
    assert.equal(moved.status, 200, moved.text);
    const actions = (await h.request('GET', `/api/v1/changes/${change.id}/audit`)).body.items.map((e: { action: string }) => e.action);
    assert.equal(actions.filter((a: string) => a === 'change.evidence_added').length, 2);
  });

  eachEngine('asks no compliance review and sets no gate on an unregulated change', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const change = await fileAndAuthorize(h, requester.token, plan([await ci(h, 'wiki', 'application')]));
    assert.ok((await approvalsOf(h, change.id)).every((a) => a.stage !== 'compliance'));
    assert.deepEqual((await evidenceOf(h, change.id)).gates, []);
  });
});

describe('break-glass', () => {
  async function emergency(h: Harness) {
    const requester = await h.userWithToken(['requester', 'implementer']);
    const ecab = await h.userWithToken(['approver']);
    await addMembers(h, 'ecab', [ecab.id]);
    const pay = await ci(h, 'pay-db', 'database', { tags: ['pci'] });
    const change = await fileAndAuthorize(h, requester.token, plan([pay], { type: 'emergency', implementerId: requester.id }));
    assert.equal((await edit(h, `/api/v1/changes/${change.id}`, { actualStart: new Date().toISOString() })).status, 200);
    return { requester, ecab, change };
  }

  eachEngine('lets an emergency past its approvals and gates, tells the skipped approvers, and holds closure for review', async (h) => {
    const { requester, ecab, change } = await emergency(h);
    const [manager, reviewer] = [await h.userWithToken(['change_manager']), await h.userWithToken(['change_manager'])];
    assert.equal((await move(h, change.id, 'implement', requester.token)).body.error.code, 'approvals_pending');

    const bg = (token: string, body: Record<string, unknown>) => h.request('POST', `/api/v1/changes/${change.id}/break-glass`, { token, body });
    const notAllowed = await bg(requester.token, { reason: 'Payments are down for everyone' });
    assert.equal(notAllowed.status, 403);
    assert.equal(notAllowed.body.error.code, 'break_glass_not_permitted');
    const tooLong = await bg(manager.token, { reason: 'Payments are down for everyone', durationMinutes: 600 });
    assert.equal(tooLong.status, 400);
    assert.deepEqual(tooLong.body.error.details.issues.map((i: { path: string }) => i.path), ['durationMinutes']);
    const noReason = await bg(manager.token, { reason: 'now' });
    assert.equal(noReason.status, 400);

    const broken = await bg(manager.token, { reason: 'Payments are down for everyone', durationMinutes: 30 });
    assert.equal(broken.status, 201, broken.text);
    assert.equal(broken.body.active, true);
    // A PCI database: the specialists and the compliance review come before the ECAB, and all are skipped.
    assert.deepEqual(broken.body.skipped.approvals.map((a: { rule: string }) => a.rule).sort(), ['compliance', 'dba', 'ecab', 'security']);
    assert.deepEqual(broken.body.skipped.gates, [{ name: 'regulated_evidence', missing: ['test_evidence', 'approval_record'] }]);
    assert.equal((await bg(manager.token, { reason: 'Payments are down for everyone' })).body.error.code, 'break_glass_active');
    const flagged = await h.request('GET', `/api/v1/changes/${change.id}`);
    assert.equal(flagged.body.reviewRequired, true);

    const implemented = await move(h, change.id, 'implement', requester.token);
    assert.equal(implemented.status, 200, implemented.text);
    const history = (await h.request('GET', `/api/v1/changes/${change.id}/audit`)).body.items;
    const used = history.find((e: { action: string }) => e.action === 'change.break_glass_used');
    assert.deepEqual(used.data.skipped.gates, ['regulated_evidence']);
    assert.ok(used.data.skipped.approvals.includes('ecab by ecab (waiting)'), JSON.stringify(used.data.skipped));

    // The skipped ECAB member is told, once the worker delivers the outbox.
    await h.cabinet.services.outbox.deliverDue('test');
    const inbox = (await h.request('GET', '/api/v1/me/notifications', { token: ecab.token })).body.items as { kind: string; title: string }[];
    assert.ok(inbox.some((n) => n.kind === 'break_glass' && n.title.includes('bypassed')), JSON.stringify(inbox));

    assert.equal((await edit(h, `/api/v1/changes/${change.id}`, { actualEnd: new Date(Date.now() + 60_000).toISOString(), closeCode: 'successful', closeNotes: 'Fixed' })).status, 200);
    assert.equal((await move(h, change.id, 'review')).status, 200);
    const held = await move(h, change.id, 'closed');
    assert.equal(held.status, 422);
    assert.equal(held.body.error.code, 'review_required');
    const review = (token: string) => h.request('POST', `/api/v1/changes/${change.id}/break-glass/${broken.body.id}/review`, { token, body: { notes: 'Outage was real; the fix was the right call.' } });
    assert.equal((await review(manager.token)).body.error.code, 'segregation_of_duties');
    const reviewed = await review(reviewer.token);
    assert.equal(reviewed.status, 200, reviewed.text);
    assert.equal(reviewed.body.review.by, reviewer.id);
    assert.equal((await review(reviewer.token)).status, 409);
    assert.equal((await h.request('GET', `/api/v1/changes/${change.id}`)).body.reviewRequired, false);
    // An emergency that broke glass also needs its post-implementation review (reviews.yaml) before it closes.
    const pir = await move(h, change.id, 'closed');
    assert.equal(pir.status, 422, pir.text);
    assert.equal(pir.body.error.code, 'review_required');
    const opened = await h.request('GET', `/api/v1/changes/${change.id}/review`);
    assert.equal(opened.status, 200, opened.text);
    const findings = await h.request('PATCH', `/api/v1/changes/${change.id}/review`, { body: { wentBadly: 'The outage waited on the ECAB.', factors: ['No standby approver'], version: opened.body.version } });
    assert.equal(findings.status, 200, findings.text);
    assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/review/complete`, { body: {} })).status, 200);
    assert.equal((await move(h, change.id, 'closed')).status, 200);
  });

  eachEngine('is refused on change types the policy does not name', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const normal = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Not an emergency' } });
    const res = await h.request('POST', `/api/v1/changes/${normal.body.id}/break-glass`, { token: manager.token, body: { reason: 'I would rather not wait' } });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'break_glass_not_applicable');
    assert.equal((await h.request('GET', `/api/v1/changes/${normal.body.id}/break-glass`)).body.items.length, 0);
  });
});

describe('delegation', () => {
  eachEngine('lets a delegate decide for someone away, records it on the vote, and stops when revoked', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const [dave, erin, other] = [await h.userWithToken(['approver']), await h.userWithToken(['approver']), await h.userWithToken(['approver'])];
    await addMembers(h, 'dba', [dave.id, other.id]);
    const change = await fileAndAuthorize(h, requester.token, plan([await ci(h, 'orders-db', 'database')]));
    const dbaApproval = (await approvalsOf(h, change.id)).find((a) => a.rule === 'dba')!;
    assert.equal((await approvalsOf(h, change.id, erin.token)).find((a) => a.rule === 'dba')!.canDecide, false);

    const delegate = (body: Record<string, unknown>, token = dave.token) => h.request('POST', '/api/v1/me/delegations', { token, body });
    const now = Date.now();
    const bad = await delegate({ delegateId: dave.id, startsAt: new Date(now).toISOString(), endsAt: new Date(now - 1000).toISOString() });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path), ['endsAt']);
    const self = await delegate({ delegateId: dave.id, startsAt: new Date(now - 1000).toISOString(), endsAt: new Date(now + 86_400_000).toISOString() });
    assert.equal(self.status, 400);
    assert.deepEqual(self.body.error.details.issues.map((i: { path: string }) => i.path), ['delegateId']);
    const given = await delegate({ delegateId: erin.id, startsAt: new Date(now - 1000).toISOString(), endsAt: new Date(now + 86_400_000).toISOString(), reason: 'On leave' });
    assert.equal(given.status, 201, given.text);
    assert.equal(given.body.active, true);
    assert.deepEqual((await h.request('GET', '/api/v1/me/delegations', { token: erin.token })).body.received.map((d: { userId: string }) => d.userId), [dave.id]);

    const inbox = (await h.request('GET', '/api/v1/me/approvals', { token: erin.token })).body.items as { id: string; decidesFor: { userId: string } | null }[];
    assert.deepEqual(inbox.map((a) => [a.id, a.decidesFor?.userId]), [[dbaApproval.id, dave.id]]);
    const decided = await decide(h, erin.token, dbaApproval.id, { decision: 'approve', comment: 'For Dave, who is on leave' });
    assert.equal(decided.status, 200, decided.text);
    assert.deepEqual(decided.body.votes.map((v: { userId: string; onBehalfOfId: string }) => [v.userId, v.onBehalfOfId]), [[erin.id, dave.id]]);
    const history = (await h.request('GET', `/api/v1/changes/${change.id}/audit`)).body.items;
    assert.equal(history.find((e: { action: string }) => e.action === 'approval.decided').data.onBehalfOf.userId, dave.id);

    // A second change: Dave's vote was cast for him on the first, so he cannot vote there; revoking ends Erin's right.
    const second = await fileAndAuthorize(h, requester.token, plan([await ci(h, 'billing-db', 'database')]));
    const secondDba = (await approvalsOf(h, second.id)).find((a) => a.rule === 'dba')!;
    assert.equal((await h.request('DELETE', `/api/v1/me/delegations/${given.body.id}`, { token: erin.token })).status, 404, 'only the delegator revokes');
    assert.equal((await h.request('DELETE', `/api/v1/me/delegations/${given.body.id}`, { token: dave.token })).status, 204);
    const refused = await decide(h, erin.token, secondDba.id, { decision: 'approve' });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'not_an_approver');
    assert.equal((await decide(h, other.token, secondDba.id, { decision: 'approve' })).status, 200);
  });
});
