import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import examples from '@octokit/webhooks-examples/api.github.com/index.json' with { type: 'json' };
import { describe, eachEngine, type Harness } from './support/cabinet';
import { catalogueEntry, teamId } from './support/fixtures';
import { serviceWithCi, startForgeApi, type ForgeApi } from './support/forge-api';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
const APP_ID = '424242';
const SECRET = "It's a Secret to Everybody";
const RUN_SHA = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';

type Example = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- GitHub's payloads
const example = (name: string, index = 0): Example => structuredClone((examples as { name: string; examples: Example[] }[]).find((e) => e.name === name)!.examples[index]!);

let deliveries = 0;
async function send(h: Harness, event: string, payload: unknown, opts: { secret?: string; delivery?: string; signature?: string | null } = {}) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = { 'x-github-event': event, 'x-github-delivery': opts.delivery ?? `d-${++deliveries}-${Date.now()}`, 'content-type': 'application/json' };
  const signature = opts.signature === undefined ? await sign(opts.secret ?? SECRET, body) : opts.signature;
  if (signature) headers['x-hub-signature-256'] = signature;
  return h.request('POST', '/api/v1/integrations/github/webhook', { body, headers, token: null });
}

/** A deployment_protection_rule payload as GitHub sends it (its webhook schema), on the deployment example's repository. */
function protectionRule(api: string, repository: string, runId: number): Example {
  const d = example('deployment');
  return {
    action: 'requested',
    environment: 'production',
    event: 'push',
    ref: 'refs/heads/main',
    sha: RUN_SHA,
    deployment_callback_url: `${api}/repos/${repository}/actions/runs/${runId}/deployment_protection_rule`,
    deployment: { ...d.deployment, id: 9000 + runId, sha: RUN_SHA, ref: 'main', environment: 'production' },
    pull_requests: [],
    repository: { ...d.repository, full_name: repository },
    installation: { id: 77, node_id: 'MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=' },
    sender: d.sender,
  };
}

async function setUp(h: Harness, forge: ForgeApi, extra: Record<string, unknown> = {}) {
  const checkout = await serviceWithCi(h, 'checkout');
  const billing = await serviceWithCi(h, 'billing');
  const templateId = await catalogueEntry(h);
  const put = await h.request('PUT', '/api/v1/integrations/github', {
    body: {
      appId: APP_ID,
      privateKey,
      webhookSecret: SECRET,
      apiUrl: forge.url,
      repositories: [
        { repository: 'Codertocat/Hello-World', serviceId: checkout, templateId },
        { repository: 'Codertocat/Manual', serviceId: billing },
      ],
      ...extra,
    },
  });
  assert.equal(put.status, 200, put.text);
  return { checkout, billing };
}

describe('GitHub App', () => {
  eachEngine('keeps its secrets write-only and refuses bad settings, listing every problem', async (h) => {
    const change = await h.userWithToken(['change_manager']);
    const requester = await h.userWithToken(['requester']);
    assert.equal((await h.request('GET', '/api/v1/integrations/github', { token: requester.token })).status, 403);
    const bad = await h.request('PUT', '/api/v1/integrations/github', { token: change.token, body: { appId: 'abc', privateKey: 'x'.repeat(80), repositories: [{ repository: 'nope', serviceId: 'missing' }] } });
    assert.equal(bad.status, 400, bad.text);
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['appId', 'privateKey', 'repositories.0.repository'].sort());
    const saved = await h.request('PUT', '/api/v1/integrations/github', { token: change.token, body: { appId: APP_ID, privateKey, generateWebhookSecret: true } });
    assert.equal(saved.status, 200, saved.text);
    const generated = saved.body.generated.webhookSecret as string;
    assert.ok(generated.length >= 24);
    assert.equal(saved.body.secrets.webhookSecret.hint, `…${generated.slice(-4)}`);
    const read = await h.request('GET', '/api/v1/integrations/github', { token: change.token });
    assert.equal(read.status, 200);
    assert.equal(read.body.configured, true);
    assert.equal(read.body.generated, undefined);
    assert.equal(read.body.settings.apiUrl, 'https://api.github.com');
    assert.ok(!read.text.includes(generated) && !read.text.includes('PRIVATE KEY'), 'no secret is read back');
    const stale = await h.request('PUT', '/api/v1/integrations/github', { token: change.token, body: { appId: APP_ID, version: 0 } });
    assert.equal(stale.status, 412, stale.text);
    const events = JSON.stringify(await h.cabinet.store.repos.audit.page(0, 100_000));
    assert.ok(events.includes('integration.settings_updated'));
    assert.ok(!events.includes(generated) && !events.includes('PRIVATE KEY'), 'no secret in the audit trail');
  });

  eachEngine('acts as a deployment protection rule: signature, token exchange, approve, report, reject', async (h) => {
    const forge = await startForgeApi({ appId: APP_ID, publicKeyPem: publicKey, gitlabToken: 'unused', run: { head_sha: RUN_SHA, run_attempt: 1, path: '.github/workflows/deploy.yml' } });
    try {
      await setUp(h, forge);
      // Wrong or missing signatures: 401 before anything is read.
      const payload = protectionRule(forge.url, 'Codertocat/Hello-World', 101);
      assert.equal((await send(h, 'deployment_protection_rule', payload, { secret: 'wrong secret entirely' })).status, 401);
      const unsigned = await send(h, 'deployment_protection_rule', payload, { signature: null });
      assert.equal(unsigned.status, 401);
      assert.equal(unsigned.body.error.code, 'invalid_signature');
      assert.equal(forge.requests.length, 0);

      // A standard change from the repository's catalogue entry: allowed, approved through the callback.
      const first = await send(h, 'deployment_protection_rule', payload, { delivery: 'delivery-1' });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.outcome, 'approved', first.text);
      assert.equal(first.body.detail.decision, 'allow');
      const exchange = forge.requests.filter((r) => r.path === '/app/installations/77/access_tokens');
      assert.equal(exchange.length, 1, 'the App JWT was accepted once');
      const callback = forge.requests.find((r) => r.path.endsWith('/runs/101/deployment_protection_rule'))!;
      assert.equal(callback.body.state, 'approved');
      assert.equal(callback.body.environment_name, 'production');
      assert.equal(callback.headers.authorization, `token ${forge.tokensIssued.get('77')}`);
      assert.ok(callback.body.comment.length <= 1024);

      // The same delivery again: acknowledged, not acted on.
      const count = forge.requests.length;
      const replay = await send(h, 'deployment_protection_rule', payload, { delivery: 'delivery-1' });
      assert.equal(replay.body.outcome, 'duplicate');
      assert.equal(forge.requests.length, count);

      // Work that needs a normal change: pending, reported (no state), then rejected once the deadline passes.
      forge.runShas.set(202, 'b'.repeat(40));
      const manual = await send(h, 'deployment_protection_rule', protectionRule(forge.url, 'Codertocat/Manual', 202));
      assert.equal(manual.status, 200, manual.text);
      assert.equal(manual.body.detail.decision, 'pending', manual.text);
      assert.equal(manual.body.outcome, 'reported');
      const report = forge.requests.filter((r) => r.path.endsWith('/runs/202/deployment_protection_rule'));
      assert.equal(report.length, 1);
      assert.equal(report[0]!.body.state, undefined);
      assert.match(report[0]!.body.comment, /holds this deployment/);
      assert.equal(forge.requests.filter((r) => r.path.endsWith('/access_tokens')).length, 1, 'the installation token was reused');
      h.advance(31 * 24 * 3_600_000);
      await h.tick();
      await h.tick();
      const rejected = forge.requests.filter((r) => r.path.endsWith('/runs/202/deployment_protection_rule') && r.body.state === 'rejected');
      assert.equal(rejected.length, 1, 'no run waits past the deadline');

      // A repository Cabinet does not know: rejected at once, with the reason.
      const unknown = await send(h, 'deployment_protection_rule', protectionRule(forge.url, 'Codertocat/Unknown', 303));
      assert.equal(unknown.body.outcome, 'rejected');
      const refusal = forge.requests.find((r) => r.path.endsWith('/runs/303/deployment_protection_rule'))!;
      assert.equal(refusal.body.state, 'rejected');
      assert.match(refusal.body.comment, /does not know which service/);

      // A callback URL outside the configured API is refused, so the token never leaves it.
      const elsewhere = await send(h, 'deployment_protection_rule', { ...payload, deployment_callback_url: 'https://evil.example/repos/Codertocat/Hello-World/actions/runs/1/deployment_protection_rule' });
      assert.equal(elsewhere.status, 400, elsewhere.text);

      // A payload GitHub would not send: 400 listing its problems.
      const broken = await send(h, 'deployment_protection_rule', { action: 'requested', repository: { full_name: 'Codertocat/Hello-World' } });
      assert.equal(broken.status, 400);
      const problems = broken.body.error.details.issues.map((i: { path: string }) => i.path);
      for (const p of ['environment', 'deployment_callback_url', 'deployment', 'installation', 'sender']) assert.ok(problems.includes(p), `${p} in ${problems}`);

      const events = JSON.stringify(await h.cabinet.store.repos.audit.page(0, 100_000));
      assert.ok(events.includes('integration.gate_answered'));
      for (const token of forge.tokensIssued.values()) assert.ok(!events.includes(token), 'no installation token in the audit trail');
      assert.ok(!events.includes(SECRET));
    } finally {
      await forge.close();
    }
  });

  eachEngine('records deployments from deployment_status and reviews as evidence on their change', async (h) => {
    const forge = await startForgeApi({ appId: APP_ID, publicKeyPem: publicKey, gitlabToken: 'unused', run: { head_sha: RUN_SHA, run_attempt: 1, path: '.github/workflows/deploy.yml' } });
    try {
      const manager = await h.userWithToken(['change_manager'], { teamIds: [await teamId(h, 'change-managers')] });
      await setUp(h, forge, { reviewCountsAs: 'peer_approval', peerApprovalMaxRisk: 'moderate', people: [{ login: 'reviewer-octocat', email: manager.email }] });
      const gated = await send(h, 'deployment_protection_rule', protectionRule(forge.url, 'Codertocat/Hello-World', 404));
      assert.equal(gated.body.outcome, 'approved', gated.text);
      const changeNumber = gated.body.detail.changeNumber as string;

      const status = example('deployment_status');
      assert.equal(status.deployment_status.state, 'success');
      const recorded = await send(h, 'deployment_status', status);
      assert.equal(recorded.status, 200, recorded.text);
      assert.equal(recorded.body.outcome, 'deployment_recorded', recorded.text);
      const again = await send(h, 'deployment_status', status);
      assert.equal(again.body.detail.deploymentId, recorded.body.detail.deploymentId, 'upserted by the deployment id');
      const deployment = await h.request('GET', `/api/v1/deployments/${recorded.body.detail.deploymentId}`);
      assert.equal(deployment.status, 200, deployment.text);
      assert.equal(deployment.body.source, 'github');
      assert.equal(deployment.body.externalId, `deployment:${status.deployment.id}`);
      assert.equal(deployment.body.result, 'success');

      // An approving review of the pull request whose commit went through the gate: code review evidence.
      const review = example('pull_request_review');
      review.review.state = 'approved';
      review.review.user = { ...review.review.user, login: 'reviewer-octocat' };
      const reviewed = await send(h, 'pull_request_review', review);
      assert.equal(reviewed.status, 200, reviewed.text);
      assert.equal(reviewed.body.outcome, 'review_recorded', reviewed.text);
      assert.equal(reviewed.body.detail.changeNumber, changeNumber);
      const evidence = await h.request('GET', `/api/v1/changes/${changeNumber}/evidence`);
      assert.equal(evidence.status, 200, evidence.text);
      const codeReview = evidence.body.items.find((e: { kind: string }) => e.kind === 'code_review');
      assert.ok(codeReview, evidence.text);
      assert.match(codeReview.title, /approved by reviewer-octocat/);

      // Counted as the peer approval of a low-risk change, as the reviewer's account; never the author's.
      const sha = 'd'.repeat(40);
      forge.runShas.set(505, sha);
      const pending = await send(h, 'deployment_protection_rule', protectionRule(forge.url, 'Codertocat/Manual', 505));
      assert.equal(pending.body.detail.decision, 'pending', pending.text);
      const normal = pending.body.detail.changeNumber as string;
      const authorize = await h.request('POST', `/api/v1/changes/${normal}/transitions`, { body: { to: 'authorize' } });
      assert.equal(authorize.status, 200, authorize.text);
      const peer = example('pull_request_review');
      peer.review.state = 'approved';
      peer.review.commit_id = sha;
      peer.pull_request.head.sha = sha;
      peer.repository.full_name = 'Codertocat/Manual';
      const byAuthor = await send(h, 'pull_request_review', { ...peer, review: { ...peer.review, user: { ...peer.review.user, login: peer.pull_request.user.login } } });
      assert.equal(byAuthor.body.detail.peerApproval, 'author', byAuthor.text);
      peer.review.user = { ...peer.review.user, login: 'reviewer-octocat' };
      const counted = await send(h, 'pull_request_review', peer);
      assert.equal(counted.body.detail.peerApproval, 'approved', counted.text);
      const approvals = await h.request('GET', `/api/v1/changes/${normal}/approvals`);
      const decided = approvals.body.items.find((a: { state: string }) => a.state === 'approved');
      assert.ok(decided, approvals.text);
      assert.equal(decided.votes[0].userId, manager.id, 'the vote is the reviewer’s own account');

      const commented = example('pull_request_review');
      assert.equal((await send(h, 'pull_request_review', commented)).body.outcome, 'ignored', 'a comment is not an approval');
    } finally {
      await forge.close();
    }
  });
});
