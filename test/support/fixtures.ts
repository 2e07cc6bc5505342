import assert from 'node:assert/strict';
import type { Harness, Reply } from './cabinet';

/** Shared builders for tests that file changes and walk them through approvals, through the real API. */

const HOUR = 3_600_000;
export const LATER = { plannedStart: new Date(Date.now() + 10 * 86_400_000).toISOString(), plannedEnd: new Date(Date.now() + 10 * 86_400_000 + HOUR).toISOString() };

/** A normal change with every field its lifecycle asks for, on the CIs. */
export const plan = (ciIds: string[], extra: Record<string, unknown> = {}) => ({
  type: 'normal', title: 'Upgrade', description: 'd', justification: 'j', ciIds, implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true, ...LATER, ...extra,
});

/**
 * A catalogue entry for a harness's standard changes: active, with no eligibility limits, made once per harness
 * and name. A standard change is pre-authorised only when filed from an entry (docs/catalogue.md): file one with
 * `{ type: 'standard', templateId: await catalogueEntry(h) }`. Two failures among an entry's recent uses
 * suspend it: give changes that fail an entry each (`name`).
 */
const entries = new WeakMap<Harness, Map<string, Promise<string>>>();
export function catalogueEntry(h: Harness, name = 'Routine standard change'): Promise<string> {
  const mine = entries.get(h) ?? new Map<string, Promise<string>>();
  entries.set(h, mine);
  let id = mine.get(name);
  if (!id) {
    id = (async () => {
      const res = await h.request('POST', '/api/v1/templates', { body: { name, type: 'standard', category: 'Tests', fields: { title: 'Routine' } } });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.state, 'active', res.text);
      return res.body.id as string;
    })();
    mine.set(name, id);
  }
  return id;
}

export async function teamId(h: Harness, handle: string): Promise<string> {
  const res = await h.request('GET', `/api/v1/teams/${handle}`);
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

/** Makes the users the (only) members of the team. */
export async function addMembers(h: Harness, handle: string, memberIds: string[]): Promise<void> {
  const res = await h.request('PATCH', `/api/v1/teams/${await teamId(h, handle)}`, { body: { memberIds } });
  assert.equal(res.status, 200, res.text);
}

/**
 * PATCHes a versioned resource (a change, service, CI, template, window, incident) the way a client
 * must: reads it first, as the same caller, and sends the version it read.
 */
export async function edit(h: Harness, path: string, body: Record<string, unknown>, token?: string): Promise<Reply> {
  const read = await h.request('GET', path, { token });
  assert.equal(read.status, 200, read.text);
  return h.request('PATCH', path, { token, body: { ...body, version: read.body.version } });
}

export async function ci(h: Harness, name: string, type: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/api/v1/cis', { body: { name, type, environment: 'production', criticality: 'low', ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

/** Files the change (assigned to a fresh team) and moves it to authorize, where its approvals are asked. */
export async function fileAndAuthorize(h: Harness, token: string, body: Record<string, unknown>, beforeAuthorize?: (id: string) => Promise<void>): Promise<{ id: string }> {
  const team = await h.request('POST', '/api/v1/teams', { body: { name: `Platform ${Math.random()}` } });
  const created = await h.request('POST', '/api/v1/changes', { token, body: { assignmentTeamId: team.body.id, ...body } });
  assert.equal(created.status, 201, created.text);
  if (beforeAuthorize) await beforeAuthorize(created.body.id);
  for (const to of body.type === 'emergency' ? ['authorize'] : ['assess', 'authorize']) {
    const moved = await h.request('POST', `/api/v1/changes/${created.body.id}/transitions`, { body: { to } });
    assert.equal(moved.status, 200, moved.text);
  }
  return { id: created.body.id };
}

export interface ApprovalView {
  id: string;
  rule: string;
  stage: string;
  state: string;
  dueAt: string | null;
  approver: { label: string };
  quorum: { kind: string; value: number | null };
  canDecide: boolean;
  decidesFor: { userId: string; name: string } | null;
  votes: { userId: string; decision: string; onBehalfOfId: string | null; onBehalfOfName: string | null }[];
}

export const approvalsOf = async (h: Harness, changeId: string, token?: string): Promise<ApprovalView[]> => {
  const res = await h.request('GET', `/api/v1/changes/${changeId}/approvals`, { token });
  assert.equal(res.status, 200, res.text);
  return res.body.items;
};

export const decide = (h: Harness, token: string, id: string, body: Record<string, unknown>) => h.request('POST', `/api/v1/approvals/${id}/decision`, { token, body });

export const move = (h: Harness, id: string, to: string, token?: string, comment?: string) =>
  h.request('POST', `/api/v1/changes/${id}/transitions`, { token, body: { to, ...(comment ? { comment } : {}) } });
