import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentFingerprint, materialChanges, type ApprovableContent } from '../src/domain/approval/content';
import { compileBundle, PolicyInvalidError, readBundleFiles } from '../src/policy/loader';
import type { Harness } from './support/cabinet';
import { eachEngine } from './support/cabinet';
import { addMembers, approvalsOf, ci, decide, edit, fileAndAuthorize, move, plan } from './support/fixtures';

/**
 * Approvals that cannot be gamed (issue 10): an approval is for a content, and nobody who is, or becomes, a
 * party to a change counts towards its approvals. Each scenario is one of the outside trial's attempts to get
 * around the rules through the public API.
 */

const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;

interface Vote {
  userId: string;
  decision: string;
  superseded: boolean;
  voided: boolean;
  why: string | null;
  contentHash: string | null;
}
interface ApprovalRow {
  id: string;
  rule: string;
  state: string;
  contentHash: string | null;
  withdrawnReason: string | null;
  votes: Vote[];
}

const approvals = async (h: Harness, id: string) => (await approvalsOf(h, id)) as unknown as ApprovalRow[];
const live = (items: ApprovalRow[]) => items.filter((a) => a.state !== 'withdrawn');
const ruleStates = (items: ApprovalRow[]) => live(items).map((a) => [a.rule, a.state]);
const change = async (h: Harness, id: string) => (await h.request('GET', `/api/v1/changes/${id}`)).body;

/** A DBA, two change managers and a requester; a change on a database, in authorize. */
async function world(h: Harness) {
  const requester = await h.userWithToken(['requester']);
  const dba = await h.userWithToken(['approver']);
  const cm1 = await h.userWithToken(['change_manager']);
  const cm2 = await h.userWithToken(['change_manager']);
  await addMembers(h, 'dba', [dba.id]);
  await addMembers(h, 'change-managers', [cm1.id, cm2.id]);
  const db = await ci(h, `orders-db-${Math.random()}`, 'database');
  const app = await ci(h, `orders-app-${Math.random()}`, 'application');
  const filed = await fileAndAuthorize(h, requester.token, plan([app]));
  return { requester, dba, cm1, cm2, db, app, changeId: filed.id };
}

/** Applies the shipped bundle with another `approvals.content` (which fields are material, where they lock). */
async function applyContentPolicy(h: Harness, content: string) {
  const files = await readBundleFiles(DEFAULT_DIR);
  files['approvals.yaml'] = files['approvals.yaml']!.replace(/ {2}content:\n(?: {4}.*\n)+/, content);
  const res = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
  assert.equal(res.status, 201, res.text);
}

const PEOPLE_NOT_MATERIAL = '  content:\n    fields: [type, ciIds, plannedStart, plannedEnd, implementationPlan, testPlan, backoutPlan, riskLevel]\n    lockedIn: [implement, review]\n';

describe('content fingerprints (pure)', () => {
  const base: ApprovableContent = {
    type: 'normal', title: 't', description: 'd', justification: 'j', ciIds: ['b', 'a'], plannedStart: '2026-12-10T22:00:00.000Z', plannedEnd: '2026-12-10T23:00:00.000Z',
    implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true, ownerId: 'u1', implementerId: null, assignmentTeamId: null,
    impact: 'low', urgency: 'low', priority: 4, risk: { level: 'low' },
  };
  const fields = ['ciIds', 'plannedStart', 'implementationPlan', 'riskLevel'] as const;

  it('is the same for the same material content, whatever else differs, CIs as a set, instants however written', () => {
    const same = { ...base, title: 'other', ciIds: ['a', 'b', 'a'], plannedStart: '2026-12-10T23:00:00+01:00' };
    assert.equal(contentFingerprint(same, fields), contentFingerprint(base, fields));
    assert.deepEqual(materialChanges(base, same, fields), []);
  });

  it('moves with each material field, the risk level in force included', () => {
    for (const [field, other] of [
      ['ciIds', { ciIds: ['a'] }],
      ['plannedStart', { plannedStart: '2026-12-11T22:00:00.000Z' }],
      ['implementationPlan', { implementationPlan: 'q' }],
      ['riskLevel', { risk: { level: 'high' } }],
    ] as const) {
      const changed = { ...base, ...other };
      assert.notEqual(contentFingerprint(changed, fields), contentFingerprint(base, fields), field);
      assert.deepEqual(materialChanges(base, changed, fields), [field]);
    }
  });

  it('refuses a bundle naming an unknown material field, or a locked state no model has', async () => {
    const files = await readBundleFiles(DEFAULT_DIR);
    const withContent = (content: string) => ({ ...files, 'approvals.yaml': files['approvals.yaml']!.replace(/ {2}content:\n(?: {4}.*\n)+/, content) });
    for (const [content, path, message] of [
      ['  content:\n    fields: [ciIds, colour]\n', 'approvals.content.fields.1', /ciIds/],
      ['  content:\n    fields: [ciIds]\n    lockedIn: [implement, limbo]\n', 'approvals.content.lockedIn.1', /no model has a state "limbo"/],
    ] as const) {
      assert.throws(() => compileBundle(withContent(content)), (err: unknown) => {
        assert.ok(err instanceof PolicyInvalidError);
        const issues = (err.details as { issues: { path: string; message: string }[] }).issues;
        assert.deepEqual(issues.map((i) => i.path), [path]);
        assert.match(issues[0]!.message, message);
        return true;
      });
    }
  });
});

describe('segregation of duties at every moment', () => {
  eachEngine('an implementer who hands the change off, approves and takes it back: the vote is voided and scheduling refused', async (h) => {
    const w = await world(h);
    // cm1 implements the change and is also one of the change managers who may authorise it.
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm1.id })).status, 200);
    let items = await approvals(h, w.changeId);
    const cmApproval = live(items).find((a) => a.rule === 'change_manager')!;
    const self = await decide(h, w.cm1.token, cmApproval.id, { decision: 'approve' });
    assert.equal(self.status, 403);
    assert.equal(self.body.error.code, 'segregation_of_duties');

    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm2.id }, w.cm1.token)).status, 200);
    items = await approvals(h, w.changeId);
    const reopened = live(items).find((a) => a.rule === 'change_manager')!;
    assert.equal((await decide(h, w.cm1.token, reopened.id, { decision: 'approve' })).status, 200);
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm1.id }, w.cm1.token)).status, 200);

    items = await approvals(h, w.changeId);
    const vote = items.flatMap((a) => a.votes).find((v) => v.userId === w.cm1.id)!;
    assert.equal(vote.voided, true, 'the vote of the person who became implementer is voided');
    assert.match(vote.why!, /implementer/);
    assert.deepEqual(ruleStates(items), [['change_manager', 'pending']]);
    const scheduled = await move(h, w.changeId, 'scheduled');
    assert.equal(scheduled.status, 422, scheduled.text);
    assert.equal(scheduled.body.error.code, 'approvals_pending');
  });

  eachEngine('an owner who hands the change off, approves and takes it back: the vote does not count', async (h) => {
    const w = await world(h);
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { ownerId: w.cm2.id })).status, 200);
    const cmApproval = live(await approvals(h, w.changeId)).find((a) => a.rule === 'change_manager')!;
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { ownerId: w.cm1.id }, w.cm2.token)).status, 200);
    const again = live(await approvals(h, w.changeId)).find((a) => a.rule === 'change_manager')!;
    assert.notEqual(again.id, cmApproval.id, 'the owner is material: a new request');
    assert.equal((await decide(h, w.cm2.token, again.id, { decision: 'approve' })).status, 200);
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { ownerId: w.cm2.id }, w.cm1.token)).status, 200);
    const items = await approvals(h, w.changeId);
    const vote = items.flatMap((a) => a.votes).find((v) => v.userId === w.cm2.id)!;
    assert.equal(vote.voided, true);
    assert.match(vote.why!, /owner/);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 422);
  });

  eachEngine('a vote and an edit that makes the voter a party, at the same moment: the vote never counts for a party', async (h) => {
    await applyContentPolicy(h, PEOPLE_NOT_MATERIAL);
    for (let round = 0; round < 3; round++) {
      const w = await world(h);
      const cmApproval = live(await approvals(h, w.changeId)).find((a) => a.rule === 'change_manager')!;
      const read = await change(h, w.changeId);
      await Promise.all([
        decide(h, w.cm1.token, cmApproval.id, { decision: 'approve' }),
        h.request('PATCH', `/api/v1/changes/${w.changeId}`, { body: { implementerId: w.cm1.id, version: read.version } }),
      ]);
      const after = await change(h, w.changeId);
      assert.equal(after.implementerId, w.cm1.id);
      const [approval] = live(await approvals(h, w.changeId));
      assert.equal(approval!.state, 'pending', `round ${round}: the implementer's vote must not count`);
      assert.ok(approval!.votes.every((v) => v.voided), JSON.stringify(approval!.votes));
      assert.equal((await move(h, w.changeId, 'scheduled')).status, 422);
    }
  });

  eachEngine('with people not material: an approver who makes themself owner loses the vote, the quorum and the schedule', async (h) => {
    await applyContentPolicy(h, PEOPLE_NOT_MATERIAL);
    const w = await world(h);
    const cmApproval = live(await approvals(h, w.changeId)).find((a) => a.rule === 'change_manager')!;
    assert.equal((await decide(h, w.cm1.token, cmApproval.id, { decision: 'approve', comment: 'fine' })).status, 200);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 200);

    // The approver now owns the change: no reopening of content (people are not material here), but the
    // vote is voided, the approval is pending again and the change is back in authorize.
    const owned = await edit(h, `/api/v1/changes/${w.changeId}`, { ownerId: w.cm1.id }, w.cm1.token);
    assert.equal(owned.status, 200, owned.text);
    assert.equal(owned.body.state, 'authorize');
    const items = await approvals(h, w.changeId);
    assert.equal(items.filter((a) => a.state === 'withdrawn').length, 0, 'nothing withdrawn: the content did not change');
    const [approval] = live(items);
    assert.equal(approval!.id, cmApproval.id);
    assert.equal(approval!.state, 'pending');
    assert.deepEqual(
      approval!.votes.map((v) => [v.voided, v.superseded]),
      [[true, false]],
    );
    assert.match(approval!.votes[0]!.why!, /owner/);
    const audit = (await h.request('GET', `/api/v1/changes/${w.changeId}/audit`)).body.items.map((e: { action: string }) => e.action);
    assert.ok(audit.includes('approval.vote_voided'));
    assert.ok(audit.includes('approval.reopened'));
    // The other change manager may approve; it is scheduled again on their vote.
    assert.equal((await decide(h, w.cm2.token, approval!.id, { decision: 'approve' })).status, 200);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 200);
    // The voter is told.
    await h.tick();
    const inbox = (await h.request('GET', '/api/v1/me/notifications', { token: w.cm1.token })).body.items as { kind: string }[];
    assert.ok(inbox.some((n) => n.kind === 'approval_vote_voided'), JSON.stringify(inbox.map((n) => n.kind)));
  });

  eachEngine('a delegate cannot vote for a party, and a delegated vote is voided when either of them becomes one', async (h) => {
    await applyContentPolicy(h, PEOPLE_NOT_MATERIAL);
    const w = await world(h);
    const delegate = await h.userWithToken(['approver']);
    const now = Date.now();
    const given = await h.request('POST', '/api/v1/me/delegations', {
      token: w.cm1.token,
      body: { delegateId: delegate.id, startsAt: new Date(now - 1000).toISOString(), endsAt: new Date(now + 86_400_000).toISOString(), reason: 'Away' },
    });
    assert.equal(given.status, 201, given.text);
    const cmApproval = live(await approvals(h, w.changeId)).find((a) => a.rule === 'change_manager')!;

    // cm1 (away) is made implementer: their delegate may not vote for them.
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm1.id })).status, 200);
    const forParty = await decide(h, delegate.token, cmApproval.id, { decision: 'approve', onBehalfOf: w.cm1.id });
    assert.equal(forParty.status, 403);
    assert.equal(forParty.body.error.code, 'segregation_of_duties');

    // cm1 is no longer implementer: the delegate votes for them, then cm1 becomes implementer again.
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm2.id })).status, 200);
    assert.equal((await decide(h, delegate.token, cmApproval.id, { decision: 'approve', onBehalfOf: w.cm1.id })).status, 200);
    assert.equal(live(await approvals(h, w.changeId))[0]!.state, 'approved');
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm1.id })).status, 200);
    let [approval] = live(await approvals(h, w.changeId));
    assert.equal(approval!.state, 'pending');
    assert.equal(approval!.votes[0]!.voided, true);
    assert.match(approval!.votes[0]!.why!, /voted for|cast for/);

    // The delegate, now the owner, votes again through cm2's approval? No: the delegate is a party themself.
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm2.id, ownerId: delegate.id })).status, 200);
    const asParty = await decide(h, delegate.token, cmApproval.id, { decision: 'approve', onBehalfOf: w.cm1.id });
    assert.equal(asParty.status, 403);
    assert.equal(asParty.body.error.code, 'segregation_of_duties');
    [approval] = live(await approvals(h, w.changeId));
    assert.equal(approval!.state, 'pending');
  });

  eachEngine('a party to a change cannot review its break-glass', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const [cm1, cm2] = [await h.userWithToken(['change_manager']), await h.userWithToken(['change_manager'])];
    const db = await ci(h, `db-${Math.random()}`, 'database');
    const filed = await h.request('POST', '/api/v1/changes', {
      token: requester.token,
      body: { type: 'emergency', title: 'Hotfix', description: 'd', justification: 'j', ciIds: [db], implementationPlan: 'p', backoutPlan: 'b', ownerId: cm2.id },
    });
    assert.equal(filed.status, 201, filed.text);
    assert.equal((await move(h, filed.body.id, 'authorize')).status, 200);
    const broken = await h.request('POST', `/api/v1/changes/${filed.body.id}/break-glass`, { token: cm1.token, body: { reason: 'Outage on the orders database', durationMinutes: 60 } });
    assert.equal(broken.status, 201, broken.text);
    const review = await h.request('POST', `/api/v1/changes/${filed.body.id}/break-glass/${broken.body.id}/review`, { token: cm2.token, body: { notes: 'The outage was real and the fix right.' } });
    assert.equal(review.status, 403, review.text);
    assert.equal(review.body.error.code, 'segregation_of_duties');
  });
});

describe('an approval is for a content', () => {
  eachEngine('a material edit after approval reopens authorization: new rules requested, old votes superseded, the sealed record stale', async (h) => {
    const w = await world(h);
    const first = live(await approvals(h, w.changeId));
    assert.deepEqual(first.map((a) => a.rule), ['change_manager']);
    assert.ok(first[0]!.contentHash);
    const approved = await decide(h, w.cm1.token, first[0]!.id, { decision: 'approve' });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.votes[0].contentHash, first[0]!.contentHash, 'the vote records the content it was cast on');
    const sealed = (await h.request('GET', `/api/v1/changes/${w.changeId}/evidence`)).body.items.find((e: { kind: string }) => e.kind === 'approval_record');
    assert.equal(JSON.parse(sealed.body).contentHash, first[0]!.contentHash, 'the sealed record names the fingerprint it approved');

    // The requester rewrites the plan and adds a database.
    const edited = await edit(h, `/api/v1/changes/${w.changeId}`, { implementationPlan: 'Something else entirely', ciIds: [w.app, w.db] }, w.requester.token);
    assert.equal(edited.status, 200, edited.text);
    const items = await approvals(h, w.changeId);
    const withdrawn = items.filter((a) => a.state === 'withdrawn');
    assert.deepEqual(withdrawn.map((a) => a.rule), ['change_manager']);
    assert.match(withdrawn[0]!.withdrawnReason!, /affected CIs, implementation plan/);
    assert.deepEqual(
      withdrawn[0]!.votes.map((v) => [v.userId, v.superseded, v.voided]),
      [[w.cm1.id, true, false]],
    );
    assert.deepEqual(ruleStates(items), [
      ['dba', 'pending'],
      ['change_manager', 'waiting'],
    ]);
    assert.notEqual(live(items)[0]!.contentHash, first[0]!.contentHash);
    const scheduled = await move(h, w.changeId, 'scheduled');
    assert.equal(scheduled.status, 422);
    assert.equal(scheduled.body.error.code, 'approvals_pending');
    const actions = (await h.request('GET', `/api/v1/changes/${w.changeId}/audit`)).body.items.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('change.authorization_reopened'));
    await h.tick();
    const inbox = (await h.request('GET', '/api/v1/me/notifications', { token: w.cm1.token })).body.items as { kind: string }[];
    assert.ok(inbox.some((n) => n.kind === 'approval_reopened'));
  });

  eachEngine('a scheduled change edited materially goes back to authorize; non-material edits and comments reopen nothing', async (h) => {
    const w = await world(h);
    const [cm] = live(await approvals(h, w.changeId));
    assert.equal((await decide(h, w.cm1.token, cm!.id, { decision: 'approve' })).status, 200);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 200);

    const retitled = await edit(h, `/api/v1/changes/${w.changeId}`, { title: 'A better title', description: 'More words', links: [{ title: 'Runbook', url: 'https://example.com/rb' }] }, w.requester.token);
    assert.equal(retitled.status, 200, retitled.text);
    assert.equal(retitled.body.state, 'scheduled');
    assert.equal((await h.request('POST', `/api/v1/changes/${w.changeId}/comments`, { token: w.requester.token, body: { body: 'FYI' } })).status, 201);
    assert.deepEqual(ruleStates(await approvals(h, w.changeId)), [['change_manager', 'approved']]);

    const moved = await edit(h, `/api/v1/changes/${w.changeId}`, { plannedEnd: new Date(Date.parse((await change(h, w.changeId)).plannedEnd) + 1_800_000).toISOString() }, w.requester.token);
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.state, 'authorize');
    assert.deepEqual(ruleStates(await approvals(h, w.changeId)), [['change_manager', 'pending']]);
  });

  eachEngine('a risk level moved by the CMDB after approval reopens authorization for the new risk at once', async (h) => {
    const w = await world(h);
    const [cm] = live(await approvals(h, w.changeId));
    assert.equal((await decide(h, w.cm1.token, cm!.id, { decision: 'approve' })).status, 200);
    const before = await change(h, w.changeId);
    const raised = await edit(h, `/api/v1/cis/${w.app}`, { criticality: 'critical', tags: ['pci', 'sox'] });
    assert.equal(raised.status, 200, raised.text);
    const after = await change(h, w.changeId);
    assert.notEqual(after.risk.level, before.risk.level, `the CMDB edit moves the risk (${before.risk.level} → ${after.risk.level})`);
    assert.equal((await approvals(h, w.changeId)).find((a) => a.id === cm!.id)!.state, 'withdrawn', 'reopened by the CMDB edit itself');
    const refused = await move(h, w.changeId, 'scheduled');
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'approvals_pending');
    const items = await approvals(h, w.changeId);
    assert.equal(items.find((a) => a.id === cm!.id)!.state, 'withdrawn');
    assert.ok(live(items).length > 0);
    assert.ok(live(items).every((a) => a.state === 'pending' || a.state === 'waiting'));
    assert.ok(items.find((a) => a.id === cm!.id)!.votes.every((v) => v.superseded));
  });

  eachEngine('an emergency under way is not pulled back to authorize when the CMDB moves its risk', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const ecab = await h.userWithToken(['approver']);
    const implementer = await h.userWithToken(['implementer']);
    await addMembers(h, 'ecab', [ecab.id]);
    const app = await ci(h, `hotfix-app-${Math.random()}`, 'application');
    const filed = await h.request('POST', '/api/v1/changes', {
      token: requester.token,
      body: { type: 'emergency', title: 'Hotfix', description: 'd', justification: 'j', ciIds: [app], implementationPlan: 'p', backoutPlan: 'b', implementerId: implementer.id },
    });
    assert.equal(filed.status, 201, filed.text);
    assert.equal((await move(h, filed.body.id, 'authorize')).status, 200);
    for (const a of live(await approvals(h, filed.body.id))) assert.equal((await decide(h, ecab.token, a.id, { decision: 'approve' })).status, 200);
    assert.equal((await edit(h, `/api/v1/changes/${filed.body.id}`, { actualStart: new Date().toISOString() }, implementer.token)).status, 200);
    assert.equal((await move(h, filed.body.id, 'implement', implementer.token)).status, 200);
    const before = await change(h, filed.body.id);
    assert.equal((await edit(h, `/api/v1/cis/${app}`, { criticality: 'critical', tags: ['pci', 'sox'] })).status, 200);
    const after = await change(h, filed.body.id);
    assert.notEqual(after.risk.level, before.risk.level);
    assert.equal(after.state, 'implement');
    assert.ok(live(await approvals(h, filed.body.id)).every((a) => a.state === 'approved'));
  });

  eachEngine('a hand-set risk level is content: it reopens a scheduled change, raises the version, and is refused once work started', async (h) => {
    const w = await world(h);
    const [cm] = live(await approvals(h, w.changeId));
    assert.equal((await decide(h, w.cm1.token, cm!.id, { decision: 'approve' })).status, 200);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 200);
    const read = await change(h, w.changeId);
    const override = (level: string, version: number) =>
      h.request('POST', `/api/v1/changes/${w.changeId}/risk/override`, { token: w.cm2.token, body: { level, justification: 'Rewrites every row of the table', version } });
    const raised = await override('very_high', read.version);
    assert.equal(raised.status, 200, raised.text);
    const after = await change(h, w.changeId);
    assert.equal(after.state, 'authorize');
    assert.ok(after.version > read.version);
    assert.equal((await override('high', read.version)).status, 412, 'the old version is stale now');
    assert.deepEqual(ruleStates(await approvals(h, w.changeId)), [['cab', 'pending']]);
    assert.equal((await approvals(h, w.changeId)).find((a) => a.id === cm!.id)!.state, 'withdrawn');

    // Back to where it was, then into implementation: the level can no longer be set by hand.
    const back = await h.request('DELETE', `/api/v1/changes/${w.changeId}/risk/override`, { token: w.cm2.token });
    assert.equal(back.status, 200, back.text);
    const [again] = live(await approvals(h, w.changeId));
    assert.equal(again!.rule, 'change_manager');
    assert.equal((await decide(h, w.cm1.token, again!.id, { decision: 'approve' })).status, 200);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 200);
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: w.cm1.id, actualStart: new Date().toISOString() })).status, 200);
    // The implementer changed: material, so authorization reopened once more; approve with the other manager.
    const [third] = live(await approvals(h, w.changeId));
    assert.equal((await decide(h, w.cm2.token, third!.id, { decision: 'approve' })).status, 200);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 200);
    assert.equal((await move(h, w.changeId, 'implement')).status, 200);
    const locked = await override('very_high', (await change(h, w.changeId)).version);
    assert.equal(locked.status, 422, locked.text);
    assert.equal(locked.body.error.code, 'locked_for_approval');
    assert.deepEqual(locked.body.error.details.fields, ['riskLevel']);
  });

  eachEngine('in a locked state a material edit is refused with 422 locked_for_approval listing the fields; implementation fields still save', async (h) => {
    const w = await world(h);
    const implementer = await h.userWithToken(['implementer']);
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { implementerId: implementer.id })).status, 200);
    const [cm] = live(await approvals(h, w.changeId));
    assert.equal((await decide(h, w.cm1.token, cm!.id, { decision: 'approve' })).status, 200);
    assert.equal((await move(h, w.changeId, 'scheduled')).status, 200);
    assert.equal((await edit(h, `/api/v1/changes/${w.changeId}`, { actualStart: new Date().toISOString() }, implementer.token)).status, 200);
    assert.equal((await move(h, w.changeId, 'implement', implementer.token)).status, 200);

    const before = await change(h, w.changeId);
    const locked = await edit(h, `/api/v1/changes/${w.changeId}`, { backoutPlan: 'No way back', implementerId: w.cm2.id, title: 'fine' });
    assert.equal(locked.status, 422, locked.text);
    assert.equal(locked.body.error.code, 'locked_for_approval');
    assert.deepEqual(locked.body.error.details.fields, ['backoutPlan', 'implementerId']);
    const after = await change(h, w.changeId);
    assert.equal(after.version, before.version, 'nothing written');
    assert.equal(after.title, before.title);
    const notes = await edit(h, `/api/v1/changes/${w.changeId}`, { actualEnd: new Date(Date.now() + 60_000).toISOString(), closeCode: 'successful' }, implementer.token);
    assert.equal(notes.status, 200, notes.text);
  });
});

describe('who may edit a change', () => {
  eachEngine('another requester may not; the implementer only the implementation fields; owner, team, change manager and admins may', async (h) => {
    const w = await world(h);
    const stranger = await h.userWithToken(['requester']);
    const implementer = await h.userWithToken(['implementer']);
    const teammate = await h.userWithToken(['requester']);
    const path = `/api/v1/changes/${w.changeId}`;
    const current = await change(h, w.changeId);
    await h.request('PATCH', `/api/v1/teams/${current.assignmentTeamId}`, { body: { memberIds: [teammate.id] } });

    const byStranger = await edit(h, path, { title: 'Mine now' }, stranger.token);
    assert.equal(byStranger.status, 403, byStranger.text);
    assert.equal(byStranger.body.error.code, 'forbidden');
    assert.equal((await change(h, w.changeId)).title, current.title);

    assert.equal((await edit(h, path, { implementerId: implementer.id }, w.requester.token)).status, 200);
    const byImplementer = await edit(h, path, { title: 'Retitled', backoutPlan: 'x', actualStart: new Date().toISOString() }, implementer.token);
    assert.equal(byImplementer.status, 403);
    assert.equal(byImplementer.body.error.code, 'forbidden');
    assert.deepEqual(byImplementer.body.error.details.fields, ['title', 'backoutPlan']);
    assert.equal((await edit(h, path, { actualStart: new Date().toISOString() }, implementer.token)).status, 200);

    assert.equal((await edit(h, path, { description: 'by the team' }, teammate.token)).status, 200);
    assert.equal((await edit(h, path, { description: 'by a change manager' }, w.cm2.token)).status, 200);
    assert.equal((await edit(h, path, { description: 'by the admin' })).status, 200);
  });
});

describe('racing transitions', () => {
  eachEngine('20 identical moves at once: one wins, every other gets 409 invalid_transition, with or without a version', async (h) => {
    for (const withVersion of [false, true]) {
      const filed = await h.request('POST', '/api/v1/changes', { body: plan([await ci(h, `race-${Math.random()}`, 'application')]) });
      assert.equal(filed.status, 201, filed.text);
      const body = withVersion ? { to: 'assess', version: filed.body.version } : { to: 'assess' };
      const replies = await Promise.all(Array.from({ length: 20 }, () => h.request('POST', `/api/v1/changes/${filed.body.id}/transitions`, { body })));
      const codes = replies.map((r) => (r.status === 200 ? 200 : `${r.status} ${r.body.error.code}`));
      assert.equal(codes.filter((c) => c === 200).length, 1, JSON.stringify(codes));
      assert.deepEqual([...new Set(codes.filter((c) => c !== 200))], ['409 invalid_transition']);
      const history = (await h.request('GET', `/api/v1/changes/${filed.body.id}/audit`)).body.items.filter((e: { action: string }) => e.action === 'change.transitioned');
      assert.equal(history.length, 1);
    }
  });
});
