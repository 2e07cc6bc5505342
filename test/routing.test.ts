import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { readBundleFiles } from '../src/policy/loader';
import { eachEngine, type Harness } from './support/cabinet';

const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;

async function team(h: Harness, handle: string, memberIds: string[] = []): Promise<string> {
  const found = await h.request('GET', `/api/v1/teams/${handle}`);
  const id = found.status === 200 ? found.body.id : (await h.request('POST', '/api/v1/teams', { body: { name: handle, handle } })).body.id;
  if (memberIds.length) assert.equal((await h.request('PATCH', `/api/v1/teams/${id}`, { body: { memberIds } })).status, 200);
  return id;
}

async function ci(h: Harness, name: string, type: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/api/v1/cis', { body: { name, type, environment: 'production', ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

const file = (h: Harness, body: Record<string, unknown>, token?: string) => h.request('POST', '/api/v1/changes', { token, body: { type: 'normal', title: 'Routed change', ...body } });

describe('routing', () => {
  eachEngine('gives a database change to the DBAs and the change manager with the fewest open changes', async (h) => {
    const [busy, free] = [await h.userWithToken(['change_manager']), await h.userWithToken(['change_manager'])];
    await team(h, 'change-managers', [busy.id, free.id]);
    const dba = await team(h, 'dba');
    const db = await ci(h, 'orders-db', 'database');
    // Two changes the busy manager already runs, set by hand.
    for (const n of [1, 2]) assert.equal((await file(h, { title: `Busy ${n}`, changeManagerId: busy.id })).status, 201);

    const routed = await file(h, { ciIds: [db] });
    assert.equal(routed.status, 201, routed.text);
    assert.equal(routed.body.assignmentTeamId, dba);
    assert.equal(routed.body.changeManagerId, free.id);
    assert.deepEqual(routed.body.routing, {
      policyVersion: 1,
      team: { rule: 'databases', reason: 'Database changes are carried out by the DBAs', value: dba },
      changeManager: { rule: 'change_manager', reason: 'The change manager with the fewest open changes takes it', value: free.id },
      manual: { team: false, changeManager: false },
    });
    const history = (await h.request('GET', `/api/v1/changes/${routed.body.id}/audit`)).body.items;
    const event = history.find((e: { action: string }) => e.action === 'change.routed');
    assert.deepEqual(event.data.rules, { team: 'databases', changeManager: 'change_manager' });
    assert.deepEqual(event.data.changes.assignmentTeamId, { from: null, to: dba });
  });

  eachEngine('falls back to the service owner team, and never makes the requester their own change manager', async (h) => {
    const manager = await h.userWithToken(['change_manager', 'requester']);
    await team(h, 'change-managers', [manager.id]);
    const owners = await team(h, 'payments-team');
    const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 2, ownerTeamId: owners } });
    const api = await ci(h, 'pay-api', 'application', { serviceId: svc.body.id });
    const own = await file(h, { ciIds: [api] }, manager.token);
    assert.equal(own.body.assignmentTeamId, owners);
    assert.equal(own.body.routing.team.rule, 'service_owner');
    assert.equal(own.body.changeManagerId, null, 'the only change manager filed it');
    // No owned service and no matching rule: nobody is assigned.
    const bare = await file(h, { ciIds: [await ci(h, 'misc', 'server')] });
    assert.equal(bare.body.assignmentTeamId, null);
  });

  eachEngine('re-routes when the CIs move while the team is routing’s choice, and keeps a team set by hand', async (h) => {
    const dba = await team(h, 'dba');
    const network = await team(h, 'network');
    const platform = await team(h, 'platform');
    const db = await ci(h, 'orders-db', 'database');
    const fw = await ci(h, 'edge-fw', 'firewall');
    const created = await file(h, { ciIds: [db] });
    assert.equal(created.body.assignmentTeamId, dba);
    const moved = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { ciIds: [fw], version: created.body.version } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.body.assignmentTeamId, network);
    assert.equal(moved.body.version, 2, 'routing is part of the edit, not a write of its own');

    const byHand = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { assignmentTeamId: platform, version: moved.body.version } });
    assert.equal(byHand.body.assignmentTeamId, platform);
    assert.equal(byHand.body.routing.manual.team, true);
    const again = await h.request('PATCH', `/api/v1/changes/${created.body.id}`, { body: { ciIds: [db], version: byHand.body.version } });
    assert.equal(again.body.assignmentTeamId, platform, 'a team set by hand stays');
    // A team given at filing is the requester's choice from the start.
    const chosen = await file(h, { ciIds: [db], assignmentTeamId: platform });
    assert.equal(chosen.body.assignmentTeamId, platform);
  });

  eachEngine('refuses a bundle whose routing names an unknown team, at its line', async (h) => {
    const files = await readBundleFiles(DEFAULT_DIR);
    files['routing.yaml'] = files['routing.yaml']!.replace('assign: { team: dba }', 'assign: { team: storage-team }');
    const res = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
    assert.equal(res.status, 422, res.text);
    const [issue] = res.body.error.details.issues;
    assert.equal(issue.file, 'routing.yaml');
    assert.equal(issue.path, 'routing.rules.0.assign.team');
    assert.match(issue.message, /unknown team handle "storage-team"/);
  });

  eachEngine('routes by a rule that names a user, and a broken rule routes nothing instead of failing the filing', async (h) => {
    const lead = await h.userWithToken(['change_manager'], { email: `lead-${Date.now()}@example.com` });
    const files = await readBundleFiles(DEFAULT_DIR);
    files['routing.yaml'] = `apiVersion: cabinet/v1
routing:
  rules:
    - name: broken
      when: cis[5].type == "database"
      assign: { team: dba }
      reason: Fails at run time on a change with fewer CIs
    - name: lead
      when: change.impact == "high"
      assign: { changeManager: { user: ${lead.email} } }
      reason: High impact goes to the lead
`;
    assert.equal((await h.request('POST', '/api/v1/policy/versions', { body: { files } })).status, 201);
    const high = await file(h, { impact: 'high', ciIds: [await ci(h, 'x-db', 'database')] });
    assert.equal(high.status, 201, high.text);
    assert.equal(high.body.changeManagerId, lead.id);
    assert.equal(high.body.assignmentTeamId, null);
  });
});
