import assert from 'node:assert/strict';
import type { Harness } from './cabinet';
import { approvalsOf, ci, fileAndAuthorize, plan } from './fixtures';

/** Builders for the CAB tests (docs/cab.md), through the real API. */

/**
 * A CAB of three members (one representing security, needed for its quorum of two) whose scope takes the
 * changes titled with `stamp`; and a change manager. The chair also files changes: a member who is a party to
 * a change must not decide it.
 */
export async function cab(h: Harness, stamp: string, extra: Record<string, unknown> = {}) {
  const chair = await h.userWithToken(['cab_member', 'requester']);
  const sec = await h.userWithToken(['cab_member']);
  const third = await h.userWithToken(['cab_member']);
  const manager = await h.userWithToken(['change_manager']);
  const res = await h.request('POST', '/api/v1/boards', {
    body: {
      name: `CAB ${stamp}`,
      kind: 'cab',
      memberIds: [chair.id, third.id],
      members: [{ userId: sec.id, domains: ['security'] }],
      scope: `change.title.contains("${stamp}")`,
      quorum: { minMembers: 2, requiredDomains: ['security'] },
      ...extra,
    },
  });
  assert.equal(res.status, 201, res.text);
  return { board: res.body as { id: string; name: string }, chair, sec, third, manager };
}

/**
 * A normal change titled with `stamp` (so a board whose scope names it takes it), its risk overridden to
 * high, moved to authorize; with its CAB approval's id.
 */
export async function highRisk(h: Harness, stamp: string, requesterToken: string): Promise<{ id: string; number: string; approvalId: string }> {
  const ciId = await ci(h, `app-${stamp}-${Math.random()}`, 'application');
  const implementerId = (await h.userWithToken(['implementer'])).id;
  const { id } = await fileAndAuthorize(h, requesterToken, plan([ciId], { title: `Upgrade ${stamp}`, implementerId }), async (changeId) => {
    const read = await h.request('GET', `/api/v1/changes/${changeId}`);
    const res = await h.request('POST', `/api/v1/changes/${changeId}/risk/override`, { body: { level: 'high', justification: 'Peak season: treat as high risk', version: read.body.version } });
    assert.equal(res.status, 200, res.text);
  });
  const read = await h.request('GET', `/api/v1/changes/${id}`);
  const approval = (await approvalsOf(h, id)).find((a) => a.rule === 'cab')!;
  return { id, number: read.body.number, approvalId: approval.id };
}
