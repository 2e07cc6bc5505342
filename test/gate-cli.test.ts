import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eachEngine } from './support/cabinet';
import { cabinet, cabinetProcess, show } from './support/cli';
import { catalogueEntry, ci, move } from './support/fixtures';

const MIN = 60_000;
let runs = 0;

/** `cabinet gate check` arguments for a deployment of the CI to production, from a fresh run. */
const args = (ciName: string, extra: string[] = []) => [
  'gate', 'check',
  '--ci', ciName,
  '--environment', 'production',
  '--source', 'jenkins',
  '--repository', 'acme/payments',
  '--ref', 'main',
  '--sha', '3f2c1e9a7b6d5c4e',
  '--pipeline', 'deploy-payments',
  '--run', `${++runs}-${Date.now()}`,
  '--actor', 'jenkins-bot',
  ...extra,
];

describe('cabinet gate check', () => {
  it('inside the test process reads --url and --token from the command’s environment, never the process’s', async () => {
    process.env.CABINET_URL = 'http://127.0.0.1:9';
    try {
      const r = await cabinet(args('cli-any', ['--token', 'cab_x']));
      assert.equal(r.code, 1, show(r));
      assert.match(r.stderr, /required option '--url <url>' not specified/);
    } finally {
      delete process.env.CABINET_URL;
    }
  });
  eachEngine('asks a running server, waits with long-polling, and exits 0 allow, 2 deny, 3 timeout, 1 usage', async (h) => {
    const base = await h.cabinet.app.listen({ port: 0, host: '127.0.0.1' });
    const p = await h.userWithToken(['pipeline']);
    const env = { CABINET_URL: base, CABINET_TOKEN: p.token };
    const at = (m: number) => new Date(h.now().getTime() + m * MIN).toISOString();
    // Allowed: an authorised standard change covers the CI now.
    await ci(h, 'cli-web-1', 'application');
    const filed = await h.request('POST', '/api/v1/changes', {
      body: { type: 'standard', templateId: await catalogueEntry(h), title: 'Deploy', description: 'd', ciIds: ['cli-web-1'], plannedStart: at(-5), plannedEnd: at(60), implementationPlan: 'p' },
    });
    assert.equal((await move(h, filed.body.id, 'scheduled')).status, 200);
    // A real process once (`--url` and `--token` from its environment, as CI tools run it); in the test's process after.
    const allowed = await cabinetProcess(args('cli-web-1'), env);
    assert.equal(allowed.code, 0, show(allowed));
    assert.match(allowed.stdout, new RegExp(`^allow ${filed.body.number} \\(implement\\)`, 'm'));
    // Denied: a suspended catalogue entry, with the reason and its record.
    const entry = await catalogueEntry(h, 'Suspended deploy');
    await h.request('POST', `/api/v1/templates/${entry}/suspend`, { body: { reason: 'Two failures' } });
    const denied = await cabinet(args('cli-web-1', ['--template', entry, '--json']), env);
    assert.equal(denied.code, 2, show(denied));
    const out = JSON.parse(denied.stdout);
    assert.equal(out.outcome, 'deny');
    assert.equal(out.check.reasons[0].code, 'template_suspended');
    // Still pending when the wait ends: exit 3, saying so.
    await ci(h, 'cli-web-2', 'application');
    const timedOut = await cabinet(args('cli-web-2', ['--wait', '1']), env);
    assert.equal(timedOut.code, 3, show(timedOut));
    assert.match(timedOut.stdout, /^pending CHG\d+ \(assess\)/m);
    assert.match(timedOut.stdout, /change_not_authorized: CHG\d+/);
    assert.match(timedOut.stdout, /Still pending after 1 s/);
    // Waiting long enough: the answer changes while the command long-polls (a freeze that ends).
    await ci(h, 'cli-web-3', 'application');
    const change3 = await h.request('POST', '/api/v1/changes', {
      body: { type: 'standard', templateId: await catalogueEntry(h), title: 'Deploy 3', description: 'd', ciIds: ['cli-web-3'], plannedStart: at(-5), plannedEnd: at(60), implementationPlan: 'p' },
    });
    assert.equal((await move(h, change3.body.id, 'scheduled')).status, 200);
    const start = new Date(h.now().getTime() - 10 * MIN).toISOString().slice(0, 16);
    const freeze = await h.request('POST', '/api/v1/windows', { body: { name: 'Short freeze', kind: 'freeze', start, timeZone: 'UTC', durationMinutes: 120, scope: { ciIds: [(await h.request('GET', '/api/v1/cis/cli-web-3')).body.id] } } });
    assert.equal(freeze.status, 201, freeze.text);
    const asked = args('cli-web-3', ['--wait', '60']);
    const waiting = cabinet(asked, env);
    // Once the command has asked (and is long-polling), the freeze is lifted.
    const run = asked[asked.indexOf('--run') + 1]!;
    for (let seen = false; !seen; await new Promise((r) => setTimeout(r, 200))) {
      const list = await h.request('GET', '/api/v1/gate/checks?source=jenkins&decision=pending');
      seen = list.body.items.some((c: { pipeline: { runId: string } }) => c.pipeline.runId === run);
    }
    assert.equal((await h.request('DELETE', `/api/v1/windows/${freeze.body.id}`)).status, 204);
    const released = await waiting;
    assert.equal(released.code, 0, show(released));
    assert.match(released.stdout, /^pending .*\n {2}freeze: The freeze "Short freeze"/m);
    assert.match(released.stdout, new RegExp(`^allow ${change3.body.number} \\(implement\\)`, 'm'));
    // Usage and other errors: exit 1.
    const usage = await cabinet(['gate', 'check', '--ci', 'cli-web-1'], env);
    assert.equal(usage.code, 1, show(usage));
    const unknown = await cabinet(args('no-such-ci'), env);
    assert.equal(unknown.code, 1, show(unknown));
    assert.match(unknown.stderr, /unknown CI no-such-ci/);
  });
});
