import assert from 'node:assert/strict';
import type { Harness } from './cabinet';
import { catalogueEntry } from './fixtures';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * `hours` after 10:00 UTC twenty days from now: a fixed time of day, so a two-hour plan never crosses midnight
 * (the words of a window that does differ, and tests match them), whenever the suite runs.
 */
export const at = (h: Harness, hours: number): string => {
  const day = new Date(h.now().getTime() + 20 * DAY);
  day.setUTCHours(10, 0, 0, 0);
  return new Date(day.getTime() + hours * HOUR).toISOString();
};

/** A person with the roles and a name, their email unique to the test. */
export async function person(h: Harness, name: string, roles: string[]): Promise<{ id: string; token: string; email: string; name: string }> {
  const u = await h.userWithToken(roles, { email: `${name.toLowerCase().replace(/\W+/g, '.')}-${Math.random().toString(36).slice(2, 8)}@example.com` });
  const renamed = await h.request('PATCH', `/api/v1/users/${u.id}`, { body: { name } });
  assert.equal(renamed.status, 200, renamed.text);
  return { ...u, name };
}

/**
 * Payments runs pay-api-1, which runs on pay-db-1 (service Databases); reports-db stands apart. A change to
 * pay-db-1 reaches Payments' subscribers who include what it depends on.
 */
export async function graph(h: Harness): Promise<{ payments: string; databases: string; api: string; db: string; other: string }> {
  const service = async (name: string) => {
    const res = await h.request('POST', '/api/v1/services', { body: { name, tier: 1 } });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const payments = await service('Payments');
  const databases = await service('Databases');
  const ci = async (name: string, type: string, serviceId: string | null) => {
    const res = await h.request('POST', '/api/v1/cis', { body: { name, type, environment: 'production', criticality: 'low', serviceId } });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const db = await ci('pay-db-1', 'database', databases);
  const api = await ci('pay-api-1', 'application', payments);
  const other = await ci('reports-db', 'database', null);
  const rel = await h.request('POST', `/api/v1/cis/${api}/relations`, { body: { toCiId: db, type: 'runs_on' } });
  assert.equal(rel.status, 201, rel.text);
  return { payments, databases, api, db, other };
}

/**
 * A standard change on the CIs, filed by `token` from the harness's catalogue entry (the requester may
 * schedule and implement it); it must pass its pre-approval checks and stay standard.
 */
export async function standard(h: Harness, token: string, ciIds: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; number: string }> {
  const res = await h.request('POST', '/api/v1/changes', {
    token,
    body: {
      type: 'standard', title: 'Patch the payments database', description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', ciIds,
      plannedStart: at(h, 0), plannedEnd: at(h, 2), templateId: await catalogueEntry(h), ...extra,
    },
  });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.body.type, 'standard', JSON.stringify(res.body.conversion));
  return res.body;
}

/** Follows a target (in-app, without what it depends on, unless the body says otherwise); the subscription's id. */
export async function follow(h: Harness, token: string, body: Record<string, unknown>): Promise<string> {
  const res = await h.request('POST', '/api/v1/subscriptions', { token, body: { channels: ['in_app'], includeDependencies: false, ...body } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}
