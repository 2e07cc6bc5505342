import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { retrospectivesDue, type RetrospectiveSource } from '../src/domain/cab/agenda';
import { readBundleFiles } from '../src/policy/loader';
import { cab, highRisk } from './support/cab';
import { eachEngine, type Harness } from './support/cabinet';
import { cabinet } from './support/cli';
import { approvalsOf, ci, decide, fileAndAuthorize, plan } from './support/fixtures';

/** The full CAB reviews the ECAB's approvals after the fact when the policy says so (docs/cab.md#retrospective-review). */

const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;
const HOUR = 3_600_000;

/** The default policy with the ECAB rule's approvals reviewed by the CAB boards. */
async function withRetrospective(h: Harness): Promise<void> {
  const files = await readBundleFiles(DEFAULT_DIR);
  const before = 'approvers: { boards: ecab, otherwise: { team: ecab } }';
  assert.ok(files['approvals.yaml']!.includes(before));
  files['approvals.yaml'] = files['approvals.yaml']!.replace(
    before,
    'approvers: { boards: ecab, otherwise: { team: ecab }, retrospective: { boards: cab } }',
  );
  const res = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
  assert.equal(res.status, 201, res.text);
}

/** An ECAB of one taking the changes titled with `stamp`, and an emergency change it approves by its vote. */
async function approvedEmergency(h: Harness, stamp: string) {
  const member = await h.userWithToken(['cab_member']);
  const ecab = await h.request('POST', '/api/v1/boards', {
    body: {
      name: `ECAB ${stamp}`,
      kind: 'ecab',
      memberIds: [member.id],
      scope: `change.title.contains("${stamp}")`,
      quorum: { minMembers: 1 },
    },
  });
  assert.equal(ecab.status, 201, ecab.text);
  const requester = await h.userWithToken(['requester']);
  const { id } = await fileAndAuthorize(
    h,
    requester.token,
    plan([await ci(h, `db-${stamp}`, 'application')], { type: 'emergency', title: `Hotfix ${stamp}` }),
  );
  const approval = (await approvalsOf(h, id)).find((a) => a.rule === 'ecab')!;
  assert.equal(approval.approver.label, `ECAB ${stamp}`);
  return {
    id,
    approvalId: approval.id,
    ecab: ecab.body as { id: string; name: string },
    approve: async () => {
      const done = await decide(h, member.token, approval.id, { decision: 'approve', comment: 'Go: the outage costs more' });
      assert.equal(done.body.state, 'approved', done.text);
    },
  };
}

async function meeting(h: Harness, boardId: string, token: string, inMs: number): Promise<string> {
  const res = await h.request('POST', `/api/v1/boards/${boardId}/meetings`, {
    token,
    body: { start: new Date(h.now().getTime() + inMs).toISOString(), durationMinutes: 60 },
  });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

type Item = {
  changeId: string;
  urgent: boolean;
  approvalId: string | null;
  retrospective?: { boardId: string; boardName: string; approvalId: string; approvedAt: string };
  decision: { decision: string } | null;
};
async function itemsOf(h: Harness, meetingId: string): Promise<Item[]> {
  const res = await h.request('GET', `/api/v1/meetings/${meetingId}/agenda`);
  assert.equal(res.status, 200, res.text);
  return res.body.items;
}

describe('the ECAB’s retrospective review by the full CAB', () => {
  eachEngine(
    'an approved emergency comes up at the CAB’s next meeting as a retrospective item; ratify or flag it with a rationale, the approval stands',
    async (h) => {
      const stamp = `R${Date.now()}`;
      await withRetrospective(h);
      const { board, chair, sec, third, manager } = await cab(h, stamp);
      const first = await meeting(h, board.id, manager.token, 2 * HOUR);
      const second = await meeting(h, board.id, manager.token, 24 * HOUR);
      const emergency = await approvedEmergency(h, stamp);
      assert.equal(
        (await itemsOf(h, first)).some((i) => i.changeId === emergency.id),
        false,
        'not approved yet: nothing to review',
      );
      await emergency.approve();

      const item = (await itemsOf(h, first)).find((i) => i.changeId === emergency.id);
      assert.ok(item, 'on the next meeting of the CAB');
      assert.deepEqual(item.retrospective && [item.retrospective.boardId, item.retrospective.boardName, item.retrospective.approvalId], [
        emergency.ecab.id,
        emergency.ecab.name,
        emergency.approvalId,
      ]);
      assert.equal(item.urgent, false);
      assert.equal(item.approvalId, null, 'it awaits no decision of the CAB');
    const cli = await cabinet(['cab', 'agenda', '--board', board.name, '--meeting', first], { DATABASE_URL: h.url });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`retrospective \\(approved by ${emergency.ecab.name}\\)`));
      assert.equal(
        (await itemsOf(h, second)).some((i) => i.changeId === emergency.id),
        false,
        'only on the next meeting',
      );

      // A regular item alongside: it is decided, not ratified.
      const regular = await highRisk(h, stamp, chair.token);
      assert.equal((await h.request('POST', `/api/v1/meetings/${first}/start`, { token: manager.token })).status, 200);
      const present = await h.request('PUT', `/api/v1/meetings/${first}/attendance`, {
        token: manager.token,
        body: {
          attendees: [
            { userId: sec.id, present: true },
            { userId: third.id, present: true },
          ],
        },
      });
      assert.equal(present.status, 200, present.text);
      const decideItem = (changeId: string, body: Record<string, unknown>) =>
        h.request('POST', `/api/v1/meetings/${first}/items/${changeId}/decision`, { token: manager.token, body });

      const notRetro = await decideItem(regular.id, { decision: 'ratify', rationale: 'ok' });
      assert.equal(notRetro.status, 409, notRetro.text);
      assert.equal(notRetro.body.error.code, 'not_a_retrospective');
      const approveIt = await decideItem(emergency.id, { decision: 'approve', rationale: 'ok' });
      assert.equal(approveIt.status, 409, approveIt.text);
      assert.equal(approveIt.body.error.code, 'retrospective_item');
      const noRationale = await decideItem(emergency.id, { decision: 'flag', rationale: ' ' });
      assert.equal(noRationale.status, 400, noRationale.text);

      const flagged = await decideItem(emergency.id, { decision: 'flag', rationale: 'The backout was never tested; review the runbook.' });
      assert.equal(flagged.status, 201, flagged.text);
      assert.equal(flagged.body.decision, 'flag');
      assert.equal(flagged.body.quorum.met, true);
      assert.equal(
        (await approvalsOf(h, emergency.id)).find((a) => a.id === emergency.approvalId)!.state,
        'approved',
        'a review leaves the approval as it is',
      );
      const after = (await itemsOf(h, first)).find((i) => i.changeId === emergency.id)!;
      assert.equal(after.decision?.decision, 'flag');
      assert.ok(after.retrospective, 'still shown as a retrospective item, with its decision');
      const twice = await decideItem(emergency.id, { decision: 'ratify', rationale: 'again' });
      assert.equal(twice.status, 409, 'reviewed once');
      assert.equal(
        (await itemsOf(h, second)).some((i) => i.changeId === emergency.id),
        false,
      );

      const audit = (await h.request('GET', `/api/v1/changes/${emergency.id}/audit`)).body.items as {
        action: string;
        data: Record<string, unknown>;
      }[];
      const recorded = audit.find((e) => e.action === 'board.decided')!;
      assert.equal(recorded.data.decision, 'flag');
      assert.deepEqual((recorded.data.retrospective as { approvalId: string }).approvalId, emergency.approvalId);

      const ended = await h.request('POST', `/api/v1/meetings/${first}/end`, { token: manager.token });
      assert.equal(ended.status, 201, ended.text);
      assert.match(ended.body.markdown, /Flagged \(retrospective review\)/);
      const kept = (await itemsOf(h, first)).find((i) => i.changeId === emergency.id);
      assert.ok(kept?.retrospective, 'the ended meeting’s agenda keeps the reviewed item');
      // Reviews are not the board's decisions on changes: its figures leave them out.
      const metrics = await h.request('GET', `/api/v1/boards/${board.id}/metrics`);
      assert.equal(metrics.status, 200, metrics.text);
      assert.equal(metrics.body.decisions.total, 0);
    },
  );

  eachEngine('a retrospective item not reviewed at its meeting comes up at the next one; ratifying it there closes it', async (h) => {
    const stamp = `C${Date.now()}`;
    await withRetrospective(h);
    const { board, sec, third, manager } = await cab(h, stamp);
    const emergency = await approvedEmergency(h, stamp);
    await emergency.approve();
    const first = await meeting(h, board.id, manager.token, HOUR);
    const second = await meeting(h, board.id, manager.token, 24 * HOUR);
    assert.ok((await itemsOf(h, first)).some((i) => i.changeId === emergency.id && i.retrospective));
    assert.equal((await h.request('POST', `/api/v1/meetings/${first}/start`, { token: manager.token })).status, 200);
    assert.equal((await h.request('POST', `/api/v1/meetings/${first}/end`, { token: manager.token })).status, 201);
    assert.equal(
      (await itemsOf(h, first)).some((i) => i.changeId === emergency.id),
      false,
      'not reviewed there: gone from the ended meeting’s agenda',
    );
    assert.ok(
      (await itemsOf(h, second)).some((i) => i.changeId === emergency.id && i.retrospective),
      'carried to the next meeting',
    );

    assert.equal((await h.request('POST', `/api/v1/meetings/${second}/start`, { token: manager.token })).status, 200);
    await h.request('PUT', `/api/v1/meetings/${second}/attendance`, {
      token: manager.token,
      body: {
        attendees: [
          { userId: sec.id, present: true },
          { userId: third.id, present: true },
        ],
      },
    });
    const ratified = await h.request('POST', `/api/v1/meetings/${second}/items/${emergency.id}/decision`, {
      token: manager.token,
      body: { decision: 'ratify', rationale: 'The emergency was justified.' },
    });
    assert.equal(ratified.status, 201, ratified.text);
    const third2 = await meeting(h, board.id, manager.token, 48 * HOUR);
    assert.equal(
      (await itemsOf(h, third2)).some((i) => i.changeId === emergency.id),
      false,
      'reviewed: on no later agenda',
    );
  });

  eachEngine('without retrospective in the policy (the default bundle), the CAB reviews nothing after the fact', async (h) => {
    const stamp = `N${Date.now()}`;
    const { board, manager } = await cab(h, stamp);
    const next = await meeting(h, board.id, manager.token, HOUR);
    const emergency = await approvedEmergency(h, stamp);
    await emergency.approve();
    assert.deepEqual(
      (await itemsOf(h, next)).filter((i) => i.changeId === emergency.id),
      [],
    );
  });

  eachEngine(
    'a policy whose retrospective names no board kind is refused at the rule’s approvers, saying what a retrospective takes',
    async (h) => {
      const files = await readBundleFiles(DEFAULT_DIR);
      files['approvals.yaml'] = files['approvals.yaml']!.replace(
        'approvers: { boards: ecab, otherwise: { team: ecab } }',
        'approvers: { boards: ecab, retrospective: { boards: everyone } }',
      );
      const res = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.error.code, 'invalid_policy');
      assert.deepEqual(
        res.body.error.details.issues.map((i: { file: string; path: string; message: string }) => [
          i.file,
          i.path.endsWith('.approvers'),
          /retrospective \(board: a name, or boards: cab, ecab, technical\)/.test(i.message),
        ]),
        [['approvals.yaml', true, true]],
      );
    },
  );
});

describe('retrospectivesDue', () => {
  const source = (changeId: string, approvedAt: string, reviewedAt: string | null = null): RetrospectiveSource => ({
    changeId,
    approvalId: `a-${changeId}-${approvedAt}`,
    boardId: 'ecab',
    boardName: 'ECAB',
    approvedAt,
    reviewedAt,
  });
  const open = [
    { id: 'tue', start: '2026-12-08T10:00:00.000Z' },
    { id: 'thu', start: '2026-12-10T10:00:00.000Z' },
  ];
  const cases: [string, RetrospectiveSource[], string, string[]][] = [
    ['approved before the first open meeting: due there', [source('c1', '2026-12-07T03:00:00.000Z')], 'tue', ['c1']],
    ['not at the meeting after', [source('c1', '2026-12-07T03:00:00.000Z')], 'thu', []],
    ['approved after the first meeting started: due at the next', [source('c2', '2026-12-08T10:30:00.000Z')], 'thu', ['c2']],
    ['reviewed since it was approved: due nowhere', [source('c3', '2026-12-07T03:00:00.000Z', '2026-12-07T09:00:00.000Z')], 'tue', []],
    ['approved again after a review: due again', [source('c4', '2026-12-07T12:00:00.000Z', '2026-12-07T09:00:00.000Z')], 'tue', ['c4']],
    [
      'two approvals of a change: the latest one, once',
      [source('c5', '2026-12-07T03:00:00.000Z'), source('c5', '2026-12-07T05:00:00.000Z')],
      'tue',
      ['c5'],
    ],
  ];
  for (const [name, sources, meetingId, expected] of cases) {
    it(name, () => {
      const due = retrospectivesDue(
        open.find((m) => m.id === meetingId)!,
        open,
        sources,
      );
      assert.deepEqual(
        due.map((d) => d.changeId),
        expected,
      );
      if (name.startsWith('two')) assert.equal(due[0]!.approvedAt, '2026-12-07T05:00:00.000Z');
    });
  }
});
