import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quorumOutcome, requiredApprovals, type Quorum } from '../src/domain/approval/quorum';
import { compileBundle, PolicyInvalidError, readBundleFiles } from '../src/policy/loader';
import { eachEngine } from './support/cabinet';
import { addMembers, approvalsOf, catalogueEntry, ci, decide, edit, fileAndAuthorize, plan } from './support/fixtures';

const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;
const HOUR = 3_600_000;

describe('quorum (pure)', () => {
  const approve = { decision: 'approve' as const };
  const reject = { decision: 'reject' as const };
  const cases: [string, Quorum, number, { decision: 'approve' | 'reject' }[], string][] = [
    ['any: one approval is enough', { kind: 'any', value: null }, 5, [approve], 'approved'],
    ['any: no vote yet', { kind: 'any', value: null }, 5, [], 'pending'],
    ['all: two of three is not enough', { kind: 'all', value: null }, 3, [approve, approve], 'pending'],
    ['all: three of three', { kind: 'all', value: null }, 3, [approve, approve, approve], 'approved'],
    ['n: 2 of 4 with one vote', { kind: 'n', value: 2 }, 4, [approve], 'pending'],
    ['n: 2 of 4 with two votes', { kind: 'n', value: 2 }, 4, [approve, approve], 'approved'],
    ['n: 3 of a team of 2 needs both', { kind: 'n', value: 3 }, 2, [approve, approve], 'approved'],
    ['percent: 50% of 2 is one', { kind: 'percent', value: 50 }, 2, [approve], 'approved'],
    ['percent: 50% of 3 is two', { kind: 'percent', value: 50 }, 3, [approve], 'pending'],
    ['any single reject rejects, whatever the approvals', { kind: 'any', value: null }, 3, [approve, reject], 'rejected'],
    ['all: a reject rejects', { kind: 'all', value: null }, 2, [reject], 'rejected'],
  ];
  for (const [name, quorum, eligible, votes, expected] of cases) {
    it(name, () => assert.equal(quorumOutcome(quorum, eligible, votes), expected));
  }

  it('never needs fewer than one approval, even from an empty team', () => {
    assert.equal(requiredApprovals({ kind: 'all', value: null }, 0), 1);
    assert.equal(requiredApprovals({ kind: 'percent', value: 10 }, 3), 1);
  });
});

describe('approvals in the policy bundle', () => {
  // The shipped schedule.yaml names the freeze_exception stage, which these one-stage sections do not have.
  const withApprovals = async (approvals: string) => ({
    ...(await readBundleFiles(DEFAULT_DIR)),
    'approvals.yaml': `apiVersion: cabinet/v1\n${approvals}`,
    'schedule.yaml': 'apiVersion: cabinet/v1\nschedule:\n  freezeExceptions: null\n',
  });
  const RULE = (when: string, team: string) => `approvals:
  stages:
    - name: only
      label: Only
      rules:
        - name: r
          when: '${when}'
          approvers: { team: ${team} }
          reason: Because
`;

  it('refuses a bad CEL "when" with its file and line', async () => {
    const files = await withApprovals(RULE('cis.exists(c, c.type ==)', 'dba'));
    assert.throws(() => compileBundle(files), (err: unknown) => {
      assert.ok(err instanceof PolicyInvalidError);
      const [issue] = (err.details as { issues: { file: string; line: number; path: string }[] }).issues;
      assert.equal(issue!.file, 'approvals.yaml');
      assert.equal(issue!.line, 8);
      assert.equal(issue!.path, 'approvals.stages.0.rules.0.when');
      return true;
    });
  });

  eachEngine('refuses at apply time a rule naming an unknown team handle, at its file and line', async (h) => {
    const files = await withApprovals(RULE('true', 'ghost-approvers'));
    const res = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error.code, 'invalid_policy');
    assert.deepEqual(res.body.error.details.issues.map((i: { file: string; line: number; path: string }) => [i.file, i.line, i.path]), [
      ['approvals.yaml', 9, 'approvals.stages.0.rules.0.approvers.team'],
    ]);
  });
});

const live = (items: Awaited<ReturnType<typeof approvalsOf>>) => items.filter((a) => a.state !== 'withdrawn');
const summary = (items: Awaited<ReturnType<typeof approvalsOf>>) => live(items).map((a) => [a.stage, a.rule, a.approver.label, a.state]);

describe('approvals', () => {
  eachEngine('asks the DBA then a change manager, gates scheduling, and enforces approvers and segregation of duties', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const dba = await h.userWithToken(['approver']);
    const manager = await h.userWithToken(['change_manager']);
    const outsider = await h.userWithToken(['approver']);
    await addMembers(h, 'dba', [dba.id, requester.id]);
    await addMembers(h, 'change-managers', [manager.id]);
    const db = await ci(h, 'orders-db', 'database');
    const change = await fileAndAuthorize(h, requester.token, plan([db]));

    const first = await approvalsOf(h, change.id);
    assert.deepEqual(summary(first), [
      ['specialists', 'dba', 'dba', 'pending'],
      ['authority', 'change_manager', 'change-managers', 'waiting'],
    ]);
    const [dbaApproval, cmApproval] = first;

    const gated = await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { body: { to: 'scheduled' } });
    assert.equal(gated.status, 422, gated.text);
    assert.equal(gated.body.error.code, 'approvals_pending');
    assert.deepEqual(gated.body.error.details.approvals.map((a: { rule: string; state: string }) => [a.rule, a.state]), [['dba', 'pending'], ['change_manager', 'waiting']]);

    const mine = await h.request('GET', '/api/v1/me/approvals', { token: dba.token });
    assert.deepEqual(mine.body.items.map((a: { id: string; changeNumber: string }) => a.id), [dbaApproval!.id]);
    assert.match(mine.body.items[0].changeNumber, /^CHG\d+$/);
    assert.equal((await h.request('GET', '/api/v1/me/approvals', { token: requester.token })).body.items.length, 0);
    assert.equal((await approvalsOf(h, change.id, dba.token))[0]!.canDecide, true);

    const bySelf = await decide(h, requester.token, dbaApproval!.id, { decision: 'approve' });
    assert.equal(bySelf.status, 403);
    assert.equal(bySelf.body.error.code, 'segregation_of_duties');
    const byOutsider = await decide(h, outsider.token, dbaApproval!.id, { decision: 'approve' });
    assert.equal(byOutsider.status, 403);
    assert.equal(byOutsider.body.error.code, 'not_an_approver');
    const tooEarly = await decide(h, manager.token, cmApproval!.id, { decision: 'approve' });
    assert.equal(tooEarly.status, 409);
    assert.equal(tooEarly.body.error.code, 'approval_closed');

    const approved = await decide(h, dba.token, dbaApproval!.id, { decision: 'approve', comment: 'Replica tested' });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.body.state, 'approved');
    assert.equal(approved.body.votes[0].userId, dba.id);
    const again = await decide(h, dba.token, dbaApproval!.id, { decision: 'approve' });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'approval_closed');
    assert.deepEqual(summary(await approvalsOf(h, change.id)).map((a) => a[3]), ['approved', 'pending']);

    const stillGated = await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { body: { to: 'scheduled' } });
    assert.deepEqual(stillGated.body.error.details.approvals.map((a: { rule: string }) => a.rule), ['change_manager']);
    assert.equal((await decide(h, manager.token, cmApproval!.id, { decision: 'approve' })).status, 200);
    const scheduled = await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { body: { to: 'scheduled' } });
    assert.equal(scheduled.status, 200, scheduled.text);

    const history = (await h.request('GET', `/api/v1/changes/${change.id}/audit`)).body.items;
    const decided = history.filter((e: { action: string }) => e.action === 'approval.decided');
    assert.deepEqual(decided.map((e: { data: { rule: string; decision: string; state: string } }) => [e.data.rule, e.data.decision, e.data.state]), [['dba', 'approve', 'approved'], ['change_manager', 'approve', 'approved']]);
    assert.ok(history.some((e: { action: string }) => e.action === 'change.approvals_requested'));
  });

  eachEngine('needs a comment to reject, and a rejection keeps the change from being scheduled', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const dba = await h.userWithToken(['approver']);
    await addMembers(h, 'dba', [dba.id]);
    const change = await fileAndAuthorize(h, requester.token, plan([await ci(h, 'orders-db', 'database')]));
    const [dbaApproval] = await approvalsOf(h, change.id);
    const bare = await decide(h, dba.token, dbaApproval!.id, { decision: 'reject' });
    assert.equal(bare.status, 422);
    assert.equal(bare.body.error.code, 'reason_required');
    assert.deepEqual(bare.body.error.details.issues.map((i: { path: string }) => i.path), ['comment']);
    const rejected = await decide(h, dba.token, dbaApproval!.id, { decision: 'reject', comment: 'No backup before the upgrade' });
    assert.equal(rejected.status, 200, rejected.text);
    assert.equal(rejected.body.state, 'rejected');
    const gated = await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { body: { to: 'scheduled' } });
    assert.equal(gated.status, 422);
    assert.deepEqual(gated.body.error.details.approvals.map((a: { rule: string; state: string }) => [a.rule, a.state]), [['dba', 'rejected'], ['change_manager', 'waiting']]);
  });

  eachEngine('asks security for a PCI change and the CAB, by half of its members, for a high-risk one', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const [cab1, cab2] = [await h.userWithToken(['cab_member']), await h.userWithToken(['cab_member'])];
    const sec = await h.userWithToken(['approver']);
    const compliance = await h.userWithToken(['approver']);
    await addMembers(h, 'cab', [cab1.id, cab2.id]);
    await addMembers(h, 'security', [sec.id]);
    await addMembers(h, 'compliance', [compliance.id]);
    const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 1, tags: ['pci'] } });
    const api = await ci(h, 'pay-api', 'application', { serviceId: svc.body.id, criticality: 'critical' });
    const change = await fileAndAuthorize(h, requester.token, plan([api]), async (id) => {
      const { version } = (await h.request('GET', `/api/v1/changes/${id}`)).body;
      const overridden = await h.request('POST', `/api/v1/changes/${id}/risk/override`, { body: { level: 'high', justification: 'Peak season: treat as high risk', version } });
      assert.equal(overridden.status, 200, overridden.text);
    });
    const items = await approvalsOf(h, change.id);
    // PCI is regulated too: a compliance review sits between the specialists and the change authority.
    assert.deepEqual(summary(items), [['specialists', 'security', 'security', 'pending'], ['compliance', 'compliance', 'compliance', 'waiting'], ['authority', 'cab', 'cab', 'waiting']]);
    const cab = items.find((a) => a.rule === 'cab')!;
    assert.deepEqual(cab.quorum, { kind: 'percent', value: 50 });

    assert.equal((await decide(h, sec.token, items[0]!.id, { decision: 'approve' })).status, 200);
    assert.equal((await decide(h, compliance.token, items[1]!.id, { decision: 'approve' })).status, 200);
    const one = await decide(h, cab1.token, cab.id, { decision: 'approve', comment: 'Fine by me' });
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.state, 'approved');
    assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { body: { to: 'scheduled' } })).status, 200);
  });

  eachEngine('asks the ECAB within the hour for an emergency, and nobody for a standard change', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const server = await ci(h, 'web-1', 'server');
    const before = Date.now();
    const emergency = await fileAndAuthorize(h, requester.token, plan([server], { type: 'emergency', implementerId: requester.id }));
    const items = await approvalsOf(h, emergency.id);
    assert.deepEqual(summary(items), [['authority', 'ecab', 'ecab', 'pending']]);
    const due = Date.parse(items[0]!.dueAt!);
    assert.ok(due >= before + HOUR - 1000 && due <= Date.now() + HOUR + 1000, items[0]!.dueAt!);
    assert.equal((await edit(h, `/api/v1/changes/${emergency.id}`, { actualStart: new Date().toISOString() })).status, 200);
    const gated = await h.request('POST', `/api/v1/changes/${emergency.id}/transitions`, { body: { to: 'implement' } });
    assert.equal(gated.status, 422, gated.text);
    assert.equal(gated.body.error.code, 'approvals_pending');

    // On another server: on the same one at the same time it would meet the emergency (a ci_overlap to acknowledge first).
    const standard = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...plan([await ci(h, 'web-2', 'server')]), type: 'standard', templateId: await catalogueEntry(h) } });
    assert.equal(standard.body.type, 'standard', standard.text);
    const scheduled = await h.request('POST', `/api/v1/changes/${standard.body.id}/transitions`, { body: { to: 'scheduled' } });
    assert.equal(scheduled.status, 200, scheduled.text);
    assert.deepEqual(await approvalsOf(h, standard.body.id), []);
  });

  eachEngine('cancels the open approvals and asks again when a change re-enters authorize', async (h) => {
    // A bundle whose normal model lets a change manager send an authorization back to draft.
    const files = await readBundleFiles(DEFAULT_DIR);
    files['change-models.yaml'] = files['change-models.yaml']!.replace(/- from: assess\n(\s+)to: draft/, '- from: [assess, authorize]\n$1to: draft');
    assert.equal((await h.request('POST', '/api/v1/policy/versions', { body: { files } })).status, 201);
    const requester = await h.userWithToken(['requester']);
    const change = await fileAndAuthorize(h, requester.token, plan([await ci(h, 'orders-db', 'database')]));
    const old = live(await approvalsOf(h, change.id)).map((a) => a.id);
    for (const to of ['draft', 'assess', 'authorize']) {
      const moved = await h.request('POST', `/api/v1/changes/${change.id}/transitions`, { body: { to } });
      assert.equal(moved.status, 200, moved.text);
    }
    const items = await approvalsOf(h, change.id);
    assert.deepEqual(items.filter((a) => old.includes(a.id)).map((a) => a.state), ['withdrawn', 'withdrawn']);
    assert.deepEqual(summary(items), [
      ['specialists', 'dba', 'dba', 'pending'],
      ['authority', 'change_manager', 'change-managers', 'waiting'],
    ]);
    assert.ok(live(items).every((a) => !old.includes(a.id)));
  });
});
