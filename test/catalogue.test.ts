import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { ChangeListQuery } from '../src/contracts/change';
import { TemplateListQuery } from '../src/contracts/templates';
import { systemActor } from '../src/domain/actor';
import { readBundleFiles } from '../src/policy/loader';
import { createTestDatabase } from './support/databases';
import { eachEngine, type Harness } from './support/cabinet';
import { ci, edit, LATER } from './support/fixtures';

const HOUR = 3_600_000;
const DAY = 86_400_000;

type Check = { name: string; result: string; reason: string; checkedAt: string; stage: string };

/** Applies the default bundle with some files' text changed (`[file, from, to]`). */
async function applyPolicy(h: Harness, edits: [string, string | RegExp, string][]): Promise<void> {
  const files = await readBundleFiles('policies/default');
  for (const [file, from, to] of edits) {
    assert.ok(typeof from === 'string' ? files[file]?.includes(from) : from.test(files[file] ?? ''), `${file} has ${from}`);
    files[file] = files[file]!.replace(from, to);
  }
  const res = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
  assert.equal(res.status, 201, res.text);
}
/** The default policy, but closing does not wait for a post-implementation review (so failures close at once). */
const NO_REVIEW_BLOCK: [string, RegExp, string] = ['reviews.yaml', /blockClose: .*/, 'blockClose: false'];

async function entry(h: Harness, body: Record<string, unknown>, token?: string) {
  const res = await h.request('POST', '/api/v1/templates', {
    token,
    body: { type: 'standard', fields: { title: 'Patch', description: 'd', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true }, ...body },
  });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

let slot = 0;
/** A planned time of its own (so changes never overlap), `daysAgo` in the past or, negative, ahead. */
function when(daysAgo: number) {
  const start = Date.now() - daysAgo * DAY + ++slot * 2 * HOUR;
  return { plannedStart: new Date(start).toISOString(), plannedEnd: new Date(start + HOUR).toISOString() };
}

async function fileFrom(h: Harness, templateId: string, body: Record<string, unknown> = {}, token?: string) {
  const res = await h.request('POST', `/api/v1/templates/${templateId}/changes`, { token, body: { ...when(-10), ...body } });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

const move = async (h: Harness, id: string, to: string) => h.request('POST', `/api/v1/changes/${id}/transitions`, { body: { to } });

/** Walks a standard change from draft into implement. */
async function intoImplement(h: Harness, id: string): Promise<void> {
  const read = (await h.request('GET', `/api/v1/changes/${id}`)).body;
  assert.equal((await move(h, id, 'scheduled')).status, 200);
  assert.equal((await edit(h, `/api/v1/changes/${id}`, { actualStart: read.plannedStart })).status, 200);
  const res = await move(h, id, 'implement');
  assert.equal(res.status, 200, res.text);
}

/** Closes a change in implement with the code. */
async function close(h: Harness, id: string, code: string) {
  const read = (await h.request('GET', `/api/v1/changes/${id}`)).body;
  assert.equal((await edit(h, `/api/v1/changes/${id}`, { actualEnd: read.plannedEnd, closeCode: code })).status, 200);
  return move(h, id, 'closed');
}

/** Files a change from the entry, in the past, and walks it to closed with the code. */
async function used(h: Harness, templateId: string, code: string): Promise<string> {
  const c = await fileFrom(h, templateId, when(20));
  assert.equal(c.type, 'standard', JSON.stringify(c.conversion));
  await intoImplement(h, c.id);
  const res = await close(h, c.id, code);
  assert.equal(res.status, 200, res.text);
  return c.id;
}

const get = async (h: Harness, path: string, token?: string) => {
  const res = await h.request('GET', path, { token });
  assert.equal(res.status, 200, res.text);
  return res.body;
};

describe('the standard change catalogue', () => {
  eachEngine('entries move through draft, proposed and active; edits of an active entry wait as versions; changes pin theirs', async (h) => {
    const web = await ci(h, 'cat-web-1', 'server');
    const manager = await h.userWithToken(['change_manager']);
    const requester = await h.userWithToken(['requester']);

    // Every problem of a bad entry at once, the CEL rule's with its path.
    const bad = await h.request('POST', '/api/v1/templates', {
      token: manager.token,
      body: { name: 'Bad', type: 'standard', eligibility: { rule: 'change.title ==', environments: ['moon'], windows: ['Nope'], services: ['ghost'] } },
    });
    assert.equal(bad.status, 400, bad.text);
    const paths = bad.body.error.details.issues.map((i: { path: string }) => i.path).sort();
    assert.deepEqual(paths, ['eligibility.environments.0', 'eligibility.rule', 'eligibility.services.0', 'eligibility.windows.0']);
    assert.match(bad.body.error.details.issues.find((i: { path: string }) => i.path === 'eligibility.rule').message, /^CEL: /);

    // A change manager's entry is active at once, with its owner team and category.
    const team = (await h.request('POST', '/api/v1/teams', { body: { name: 'Platform catalogue' } })).body;
    const t = await entry(h, { name: 'Restart a web server', category: 'Web', ownerTeamId: team.id, ciIds: [web], eligibility: { ciTypes: ['server'], maxRisk: 'high' } }, manager.token);
    assert.deepEqual([t.state, t.active, t.contentVersion, t.pendingVersion, t.category, t.ownerTeam.name, t.health], ['active', true, 1, null, 'Web', 'Platform catalogue', 'new']);
    assert.deepEqual(t.eligibility.ciTypes, ['server']);

    // A requester drafts one, edits it, proposes it; only a change manager activates it.
    const draft = await entry(h, { name: 'Rotate a log', state: 'draft' }, requester.token);
    assert.equal(draft.state, 'draft');
    const edited = await h.request('PATCH', `/api/v1/templates/${draft.id}`, { token: requester.token, body: { description: 'Rotate one log file', state: 'proposed', version: draft.version } });
    assert.equal(edited.status, 200, edited.text);
    assert.deepEqual([edited.body.state, edited.body.description], ['proposed', 'Rotate one log file']);
    const notYet = await h.request('POST', `/api/v1/templates/${draft.id}/changes`, { token: requester.token, body: {} });
    assert.equal(notYet.status, 409);
    assert.equal(notYet.body.error.code, 'template_not_active');
    const selfActivate = await h.request('POST', `/api/v1/templates/${draft.id}/activate`, { token: requester.token, body: {} });
    assert.equal(selfActivate.status, 403, 'a requester cannot activate');
    const activated = await h.request('POST', `/api/v1/templates/${draft.id}/activate`, { token: manager.token, body: {} });
    assert.equal(activated.status, 200, activated.text);
    assert.equal(activated.body.state, 'active');
    const again = await h.request('POST', `/api/v1/templates/${draft.id}/activate`, { token: manager.token, body: {} });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'nothing_to_activate');

    // A change from version 1.
    const c1 = await fileFrom(h, t.id, {}, requester.token);
    assert.deepEqual([c1.type, c1.templateVersion, c1.conversion], ['standard', 1, null]);
    assert.deepEqual(c1.checks.map((c: Check) => c.name), ['eligibility', 'schedule', 'incidents', 'known_errors', 'dependencies', 'evidence']);
    assert.ok(c1.checks.every((c: Check) => c.result === 'pass' && c.stage === 'filing'), JSON.stringify(c1.checks));

    // Editing the active entry records version 2 as proposed; the entry does not change.
    const v2 = await h.request('PATCH', `/api/v1/templates/${t.id}`, { token: manager.token, body: { fields: { title: 'Restart web (v2)' }, note: 'clearer title', version: t.version } });
    assert.equal(v2.status, 200, v2.text);
    assert.deepEqual([v2.body.state, v2.body.fields.title, v2.body.contentVersion, v2.body.pendingVersion.number, v2.body.pendingVersion.note], ['active', 'Patch', 1, 2, 'clearer title']);
    const c2 = await fileFrom(h, t.id);
    assert.equal(c2.templateVersion, 1, 'filed before the activation: version 1');
    assert.equal(c2.title, 'Patch');
    // A requester may propose an edit too; a second pending edit replaces the first (withdrawn).
    const v3 = await h.request('PATCH', `/api/v1/templates/${t.id}`, { token: requester.token, body: { fields: { title: 'Restart web (v3)' }, version: v2.body.version } });
    assert.equal(v3.status, 200, v3.text);
    assert.equal(v3.body.pendingVersion.number, 3);
    const proposedList = await get(h, '/api/v1/templates?state=proposed');
    assert.deepEqual(proposedList.items.map((x: { name: string }) => x.name), [], 'an active entry with a pending version stays active');

    const done = await h.request('POST', `/api/v1/templates/${t.id}/activate`, { token: manager.token, body: {} });
    assert.equal(done.status, 200, done.text);
    assert.deepEqual([done.body.contentVersion, done.body.pendingVersion, done.body.fields.title], [3, null, 'Restart web (v3)']);
    const versions = (await get(h, `/api/v1/templates/${t.id}/versions`)).items;
    assert.deepEqual(versions.map((v: { number: number; state: string }) => [v.number, v.state]), [[3, 'active'], [2, 'withdrawn'], [1, 'superseded']]);
    assert.equal(versions[0].proposedBy, requester.id);
    assert.equal(versions[0].activatedBy, manager.id);
    assert.equal(versions[2].history.uses, 2, 'version 1 was used twice');
    assert.equal(versions[0].history.uses, 0);

    // The changes keep their versions; a new one pins version 3.
    assert.equal((await get(h, `/api/v1/changes/${c1.id}`)).templateVersion, 1);
    const c3 = await fileFrom(h, t.id);
    assert.deepEqual([c3.templateVersion, c3.title], [3, 'Restart web (v3)']);

    // The list: by state, category, and score; the CSV has the new columns.
    assert.deepEqual((await get(h, '/api/v1/templates?state=all')).items.length, 2);
    assert.deepEqual((await get(h, '/api/v1/templates?category=Web')).items.map((x: { name: string }) => x.name), ['Restart a web server']);
    assert.equal((await get(h, '/api/v1/templates?sort=-score&state=all')).items.length, 2);
    const csv = await h.request('GET', '/api/v1/templates/export.csv?state=all');
    assert.equal(csv.status, 200);
    assert.match(csv.text.split('\n')[0]!, /State,Category,Owner team,Version,Health,Score/);

    // Audited: created, proposed, activated.
    const actions = (await get(h, `/api/v1/audit/events?record=${t.id}&limit=200`)).items.map((e: { action: string }) => e.action);
    for (const a of ['template.created', 'template.version_proposed', 'template.activated']) assert.ok(actions.includes(a), `${a} in ${actions}`);
  });

  eachEngine('pre-approval checks: a failing check converts the change to normal (or refuses it); implement re-runs them', async (h) => {
    await applyPolicy(h, [NO_REVIEW_BLOCK]);
    const db = await ci(h, 'cat-db-1', 'database');
    const app = await ci(h, 'cat-app-1', 'server');
    // app depends on db: work on db reaches app.
    const rel = await h.request('POST', `/api/v1/cis/${app}/relations`, { body: { toCiId: db, type: 'depends_on' } });
    assert.equal(rel.status, 201, rel.text);

    // Staging only: the production CI fails eligibility, and the impact is over its limit of 0.
    const strict = await entry(h, { name: 'Staging DB patch', ciIds: [db], eligibility: { environments: ['staging'], maxImpact: 0 } });
    const converted = await fileFrom(h, strict.id);
    assert.equal(converted.type, 'normal', 'filed as a normal change: its approvals apply');
    assert.equal(converted.conversion.reason, 'checks_failed');
    assert.match(converted.conversion.message, /eligibility: .*production/);
    assert.match(converted.conversion.message, /dependencies: .*1 CI/);
    const byName = Object.fromEntries(converted.checks.map((c: Check) => [c.name, c.result]));
    assert.deepEqual(byName, { eligibility: 'fail', schedule: 'pass', incidents: 'pass', known_errors: 'pass', dependencies: 'fail', evidence: 'pass' });
    assert.ok((await get(h, `/api/v1/changes/${converted.id}/audit`)).items.some((e: { action: string }) => e.action === 'change.converted'));

    // An eligible entry needing evidence: at filing a warning, at implement a refusal until it is attached.
    const ok = await entry(h, { name: 'App restart', ciIds: [app], eligibility: { environments: ['production'], ciTypes: ['server'], requiredEvidence: ['test_evidence'], rule: 'change.title != ""' } });
    const c = await fileFrom(h, ok.id);
    assert.equal(c.type, 'standard');
    assert.deepEqual(c.checks.find((x: Check) => x.name === 'evidence').result, 'warn');
    assert.match(c.checks.find((x: Check) => x.name === 'evidence').reason, /Needed before implement: test evidence\./);
    assert.equal((await move(h, c.id, 'scheduled')).status, 200);
    await edit(h, `/api/v1/changes/${c.id}`, { actualStart: c.plannedStart });
    const refused = await move(h, c.id, 'implement');
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'checks_failed');
    assert.deepEqual(refused.body.error.details.checks.map((x: Check) => x.name), ['evidence']);
    assert.equal((await get(h, `/api/v1/changes/${c.id}`)).state, 'scheduled', 'it stays where it was');
    const added = await h.request('POST', `/api/v1/changes/${c.id}/evidence`, { body: { kind: 'test_evidence', title: 'Pipeline run', url: 'https://ci.example.com/run/1' } });
    assert.equal(added.status, 201, added.text);
    const started = await move(h, c.id, 'implement');
    assert.equal(started.status, 200, started.text);
    assert.ok(started.body.checks.every((x: Check) => x.stage === 'implement' && x.result !== 'fail'));

    // An open P1 incident on its CI fails the incidents check; a P3 only warns. Run again stores the result.
    const c4 = await fileFrom(h, ok.id);
    const p3 = await h.request('POST', '/api/v1/incidents', { body: { title: 'Slow pages', priority: 3, ciIds: [app] } });
    assert.equal(p3.status, 201, p3.text);
    const rerun = await h.request('POST', `/api/v1/changes/${c4.id}/checks`);
    assert.equal(rerun.status, 200, rerun.text);
    assert.deepEqual(rerun.body.checks.find((x: Check) => x.name === 'incidents').result, 'warn');
    assert.ok(rerun.body.checks.every((x: Check) => x.stage === 'manual'));
    // A published known error on its CI warns (the entry does not say fail).
    const known = await h.request('POST', '/api/v1/known-errors', { body: { title: 'Cache warms slowly', workaround: 'Wait 5 minutes', state: 'published', ciIds: [app] } });
    assert.equal(known.status, 201, known.text);
    const withKnown = (await h.request('POST', `/api/v1/changes/${c4.id}/checks`)).body.checks.find((x: Check) => x.name === 'known_errors');
    assert.equal(withKnown.result, 'warn');
    assert.match(withKnown.reason, /Cache warms slowly/);
    await h.request('POST', '/api/v1/incidents', { body: { title: 'App down', priority: 1, ciIds: [app] } });
    const viaChanges = await h.request('POST', '/api/v1/changes', { body: { type: 'standard', title: 'Restart', templateId: ok.id, ciIds: [app], ...when(-12) } });
    assert.equal(viaChanges.status, 201, viaChanges.text);
    assert.equal(viaChanges.body.type, 'normal', 'POST /changes with a catalogue entry runs the checks too');
    assert.match(viaChanges.body.conversion.message, /incidents: Open P1\/P2 incidents on its CIs: INC\d+ \(P1\) App down/);
    const plainNormal = await h.request('POST', `/api/v1/changes/${viaChanges.body.id}/checks`);
    assert.equal(plainNormal.status, 422, 'a normal change has no pre-approval checks to run');

    // Where the policy refuses: 422 checks_failed with every failing check, and nothing is filed.
    await applyPolicy(h, [NO_REVIEW_BLOCK, ['catalogue.yaml', 'onFailedChecks: convert', 'onFailedChecks: refuse']]);
    const before = (await get(h, '/api/v1/changes?limit=500')).items.length;
    const no = await h.request('POST', `/api/v1/templates/${strict.id}/changes`, { body: when(-14) });
    assert.equal(no.status, 422, no.text);
    assert.equal(no.body.error.code, 'checks_failed');
    assert.deepEqual(no.body.error.details.checks.map((x: Check) => x.name).sort(), ['dependencies', 'eligibility']);
    assert.equal((await get(h, '/api/v1/changes?limit=500')).items.length, before);
  });

  eachEngine('success history and score; failures suspend an entry, its requests become normal changes, a change manager reinstates it', async (h) => {
    await applyPolicy(h, [NO_REVIEW_BLOCK]);
    const web = await ci(h, 'cat-web-2', 'server');
    const manager = await h.userWithToken(['change_manager']);
    const requester = await h.userWithToken(['requester']);
    const t = await entry(h, { name: 'Clear a cache', ciIds: [web] }, manager.token);

    await used(h, t.id, 'successful');
    await used(h, t.id, 'successful_with_issues');
    const failed = await used(h, t.id, 'rolled_back');
    let read = await get(h, `/api/v1/templates/${t.id}`);
    assert.deepEqual(
      [read.history.uses, read.history.successful, read.history.successfulWithIssues, read.history.failed, read.history.score, read.state, read.health],
      [3, 1, 1, 1, 3 - 2 - 5, 'active', 'watch'],
    );
    assert.deepEqual(read.suspensions, []);
    // A P3 incident it caused counts in the score (-2) but does not suspend it.
    const inc = await h.request('POST', '/api/v1/incidents', { body: { title: 'Stale data', priority: 3, ciIds: [web], causedByChangeId: failed } });
    assert.equal(inc.status, 201, inc.text);
    read = await get(h, `/api/v1/templates/${t.id}`);
    assert.deepEqual([read.history.incidents.p3, read.history.score, read.state], [1, -6, 'active']);

    // The second failure among the last 20 uses suspends it at once, logged, audited, the managers told.
    await used(h, t.id, 'unsuccessful');
    read = await get(h, `/api/v1/templates/${t.id}`);
    assert.deepEqual([read.state, read.active, read.health], ['suspended', false, 'suspended']);
    assert.equal(read.suspensions.length, 1);
    assert.deepEqual([read.suspensions[0].kind, read.suspensions[0].automatic, read.suspensions[0].cause, read.suspensions[0].numbers.failures], ['suspended', true, 'failures', 2]);
    assert.match(read.suspensions[0].reason, /Suspended automatically: 2 failures/);
    await h.tick();
    const inbox = await get(h, '/api/v1/me/notifications', manager.token);
    assert.ok(inbox.items.some((n: { kind: string; title: string }) => n.kind === 'template_suspended' && n.title.includes('Clear a cache')), JSON.stringify(inbox.items));

    // While suspended, a request is filed as a normal change with the reason.
    const asNormal = await fileFrom(h, t.id, {}, requester.token);
    assert.deepEqual([asNormal.type, asNormal.conversion.reason], ['normal', 'template_suspended']);
    assert.equal(asNormal.templateId, t.id);

    // Reinstating needs a change manager and a reason.
    const noReason = await h.request('POST', `/api/v1/templates/${t.id}/reinstate`, { token: manager.token, body: {} });
    assert.equal(noReason.status, 400);
    assert.deepEqual(noReason.body.error.details.issues.map((i: { path: string }) => i.path), ['reason']);
    const notManager = await h.request('POST', `/api/v1/templates/${t.id}/reinstate`, { token: requester.token, body: { reason: 'Fixed' } });
    assert.equal(notManager.status, 403);
    const back = await h.request('POST', `/api/v1/templates/${t.id}/reinstate`, { token: manager.token, body: { reason: 'The cache bug is fixed in 2.4.1' } });
    assert.equal(back.status, 200, back.text);
    assert.equal(back.body.state, 'active');
    assert.deepEqual(back.body.suspensions.map((s: { kind: string }) => s.kind), ['reinstated', 'suspended'], 'newest first');
    const twice = await h.request('POST', `/api/v1/templates/${t.id}/reinstate`, { token: manager.token, body: { reason: 'again' } });
    assert.equal(twice.status, 409);
    // The failures before the reinstatement no longer count: one more success leaves it active.
    await used(h, t.id, 'successful');
    assert.equal((await get(h, `/api/v1/templates/${t.id}`)).state, 'active');

    // A P1 incident caused by one of its changes suspends it at once.
    const last = await used(h, t.id, 'successful');
    const p1 = await h.request('POST', '/api/v1/incidents', { body: { title: 'Outage', priority: 1, causedByChangeId: last } });
    assert.equal(p1.status, 201, p1.text);
    read = await get(h, `/api/v1/templates/${t.id}`);
    assert.equal(read.state, 'suspended');
    assert.match(read.suspensions[0].reason, /incidents of priority 1 or 2/);

    // Where the policy refuses, a suspended entry answers 422 template_suspended.
    await applyPolicy(h, [NO_REVIEW_BLOCK, ['catalogue.yaml', 'onFailedChecks: convert', 'onFailedChecks: refuse']]);
    const refused = await h.request('POST', `/api/v1/templates/${t.id}/changes`, { body: when(-15) });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'template_suspended');

    // Manual suspension: change managers, with a reason; only an active entry.
    const other = await entry(h, { name: 'Flush DNS', ciIds: [web] }, manager.token);
    const noWhy = await h.request('POST', `/api/v1/templates/${other.id}/suspend`, { token: manager.token, body: { reason: '' } });
    assert.equal(noWhy.status, 400);
    const byHand = await h.request('POST', `/api/v1/templates/${other.id}/suspend`, { token: manager.token, body: { reason: 'Vendor advisory' } });
    assert.equal(byHand.status, 200, byHand.text);
    assert.deepEqual([byHand.body.state, byHand.body.suspensions[0].automatic, byHand.body.suspensions[0].cause], ['suspended', false, 'manual']);
    assert.equal((await h.request('POST', `/api/v1/templates/${other.id}/suspend`, { token: manager.token, body: { reason: 'again' } })).status, 409);
    assert.deepEqual((await get(h, '/api/v1/templates?state=suspended')).items.map((x: { name: string }) => x.name), ['Clear a cache', 'Flush DNS']);
  });

  eachEngine('concurrency: racing activations, an activation racing an edit, two failing closes: one outcome each', async (h) => {
    await applyPolicy(h, [NO_REVIEW_BLOCK]);
    const web = await ci(h, 'cat-web-3', 'server');
    const t = await entry(h, { name: 'Renew a certificate', ciIds: [web] });
    const proposed = await h.request('PATCH', `/api/v1/templates/${t.id}`, { body: { description: 'v2', version: t.version } });
    assert.equal(proposed.status, 200, proposed.text);

    const both = await Promise.all([1, 2].map(() => h.request('POST', `/api/v1/templates/${t.id}/activate`, { body: {} })));
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], both.map((r) => r.text).join(' | '));
    let versions = (await get(h, `/api/v1/templates/${t.id}/versions`)).items;
    assert.deepEqual(versions.map((v: { number: number; state: string }) => [v.number, v.state]), [[2, 'active'], [1, 'superseded']]);

    // An edit and an activation at once: either order leaves one active version, the one in force.
    const read = await get(h, `/api/v1/templates/${t.id}`);
    await h.request('PATCH', `/api/v1/templates/${t.id}`, { body: { description: 'v3', version: read.version } });
    const after3 = await get(h, `/api/v1/templates/${t.id}`);
    await Promise.all([
      h.request('PATCH', `/api/v1/templates/${t.id}`, { body: { description: 'v4' }, headers: { 'if-match': `"${after3.version}"` } }),
      h.request('POST', `/api/v1/templates/${t.id}/activate`, { body: {} }),
    ]);
    const final = await get(h, `/api/v1/templates/${t.id}`);
    versions = (await get(h, `/api/v1/templates/${t.id}/versions`)).items;
    const active = versions.filter((v: { state: string }) => v.state === 'active');
    assert.equal(active.length, 1, JSON.stringify(versions));
    assert.equal(active[0].number, final.contentVersion);
    assert.equal(active[0].content.description, final.description);
    assert.ok(versions.filter((v: { state: string }) => v.state === 'proposed').length <= 1);

    // One failure, then two failing closes at once: one suspension, one log row.
    await used(h, t.id, 'unsuccessful');
    const a = await fileFrom(h, t.id, when(30));
    const b = await fileFrom(h, t.id, when(30));
    await intoImplement(h, a.id);
    await intoImplement(h, b.id);
    for (const id of [a.id, b.id]) {
      const r = (await get(h, `/api/v1/changes/${id}`)).plannedEnd;
      assert.equal((await edit(h, `/api/v1/changes/${id}`, { actualEnd: r, closeCode: 'rolled_back' })).status, 200);
    }
    const closes = await Promise.all([move(h, a.id, 'closed'), move(h, b.id, 'closed')]);
    assert.deepEqual(closes.map((r) => r.status), [200, 200], closes.map((r) => r.text).join(' | '));
    const suspended = await get(h, `/api/v1/templates/${t.id}`);
    assert.equal(suspended.state, 'suspended');
    assert.equal(suspended.suspensions.length, 1, 'one log row');
  });
});

describe('a standard change needs a catalogue entry', () => {
  const count = async (h: Harness) => (await get(h, '/api/v1/changes?limit=500')).items.length;
  const actions = async (h: Harness, id: string) => (await get(h, `/api/v1/changes/${id}/audit`)).items.map((e: { action: string; data?: Record<string, unknown> }) => e);

  eachEngine('filed without an entry it becomes a normal change saying why, or is refused with 422 no_entry where the policy says so', async (h) => {
    const requester = await h.userWithToken(['requester']);
    const web = await ci(h, 'gap-web-1', 'server');
    const body = { type: 'standard', title: 'Restart the web tier', description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true, ciIds: [web], ...when(-3) };

    // The default policy converts: a normal change, in the normal model's first state, with its approvals ahead.
    const filed = await h.request('POST', '/api/v1/changes', { token: requester.token, body });
    assert.equal(filed.status, 201, filed.text);
    assert.deepEqual([filed.body.type, filed.body.state, filed.body.templateId, filed.body.checks], ['normal', 'draft', null, []]);
    assert.equal(filed.body.conversion.from, 'standard');
    assert.equal(filed.body.conversion.reason, 'no_entry');
    assert.match(filed.body.conversion.message, /pick an entry from the catalogue/);
    assert.deepEqual(filed.body.availableTransitions.map((t: { to: string }) => t.to).sort(), ['assess', 'cancelled'], 'a normal change goes through assessment and approvals');
    const read = await get(h, `/api/v1/changes/${filed.body.number}`);
    assert.deepEqual(read.conversion, filed.body.conversion, 'the conversion shows on the change when read again');
    const skip = await move(h, filed.body.id, 'scheduled');
    assert.equal(skip.status, 409, 'it cannot skip to scheduled as a standard change would');
    assert.equal(skip.body.error.code, 'invalid_transition');
    // Recorded as the other conversions are: created as standard, then converted.
    const trail = await actions(h, filed.body.id);
    const created = trail.find((e: { action: string }) => e.action === 'change.created');
    const converted = trail.find((e: { action: string }) => e.action === 'change.converted');
    assert.ok(created && converted, JSON.stringify(trail.map((e: { action: string }) => e.action)));
    assert.equal(created.data.after.type, 'standard');
    assert.deepEqual([converted.data.from, converted.data.to, converted.data.reason, converted.data.templateId], ['standard', 'normal', 'no_entry', null]);

    // Many at once (filings share a transaction): each is converted on its own.
    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...body, title: `Burst ${i}` } })));
    assert.deepEqual(burst.map((r) => [r.status, r.body.type, r.body.conversion?.reason]), Array.from({ length: 6 }, () => [201, 'normal', 'no_entry']));

    // A standard change from an active entry keeps working: pre-authorised, no conversion.
    const restart = await entry(h, { name: 'Gap web restart', ciIds: [web] });
    const fromEntry = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...body, templateId: restart.id, ...when(-4) } });
    assert.equal(fromEntry.status, 201, fromEntry.text);
    assert.deepEqual([fromEntry.body.type, fromEntry.body.conversion, fromEntry.body.templateVersion], ['standard', null, 1]);
    assert.equal((await fileFrom(h, restart.id, {}, requester.token)).type, 'standard');

    // A template of normal changes does not make a standard one: 400 on POST /changes; its own route files it as normal.
    const tls = await h.request('POST', '/api/v1/templates', { body: { name: 'Gap TLS rotation', type: 'normal', fields: { title: 'Rotate' } } });
    assert.equal(tls.status, 201, tls.text);
    const mismatch = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...body, templateId: tls.body.id } });
    assert.equal(mismatch.status, 400, mismatch.text);
    assert.deepEqual(mismatch.body.error.details.issues.map((i: { path: string }) => i.path), ['type']);
    const viaTemplate = await h.request('POST', `/api/v1/templates/${tls.body.id}/changes`, { token: requester.token, body: { type: 'standard', ...when(-5) } });
    assert.equal(viaTemplate.status, 201, viaTemplate.text);
    assert.equal(viaTemplate.body.type, 'normal', 'the template sets the type');
    // An entry still waiting for a change manager makes no change at all.
    const proposal = await entry(h, { name: 'Gap proposal' }, requester.token);
    assert.equal(proposal.state, 'proposed');
    const early = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...body, templateId: proposal.id } });
    assert.equal(early.status, 400, early.text);
    assert.match(early.body.error.details.issues[0].message, /is proposed/);

    // Where the policy refuses: 422 no_entry listing the problem, nothing filed; entries and normal changes still file.
    await applyPolicy(h, [['catalogue.yaml', 'withoutEntry: convert', 'withoutEntry: refuse']]);
    const before = await count(h);
    const refused = await h.request('POST', '/api/v1/changes', { token: requester.token, body });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'no_entry');
    assert.match(refused.body.error.message, /pick an entry from the catalogue/);
    assert.deepEqual(refused.body.error.details.issues.map((i: { path: string }) => i.path), ['templateId']);
    const together = await Promise.all([
      h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...body, title: 'Refused together' } }),
      h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...body, type: 'normal', title: 'Normal together' } }),
      h.request('POST', '/api/v1/changes', { token: requester.token, body: { ...body, templateId: restart.id, title: 'Entry together', ...when(-6) } }),
    ]);
    assert.deepEqual(together.map((r) => [r.status, r.body.type ?? r.body.error.code]), [[422, 'no_entry'], [201, 'normal'], [201, 'standard']]);
    assert.equal(await count(h), before + 2, 'only the refused one is missing');
  });

  eachEngine('an open change never becomes standard: not by an edit of its type or template, nor by a reclassification', async (h) => {
    const manager = await h.userWithToken(['change_manager']);
    const web = await ci(h, 'gap-web-2', 'server');
    const restart = await entry(h, { name: 'Gap web restart 2', ciIds: [web] });
    const normal = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Upgrade the web tier', description: 'd', justification: 'j', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', backoutTested: true, ciIds: [web], ...when(-3) } });
    assert.equal(normal.status, 201, normal.text);

    // The type and the template are not fields an edit can set: 400 naming each, and the change is as it was.
    const patched = await h.request('PATCH', `/api/v1/changes/${normal.body.id}`, { body: { type: 'standard', templateId: restart.id, version: normal.body.version } });
    assert.equal(patched.status, 400, patched.text);
    assert.deepEqual(patched.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['templateId', 'type'], patched.text);
    const after = await get(h, `/api/v1/changes/${normal.body.id}`);
    assert.deepEqual([after.type, after.templateId, after.version], ['normal', null, normal.body.version]);

    // A reclassification is a judgement kept beside the change: it stays normal and its approvals still apply.
    const judged = await h.request('POST', `/api/v1/changes/${normal.body.id}/reclassify`, { token: manager.token, body: { as: 'standard', reason: 'Routine restart: the catalogue has an entry' } });
    assert.equal(judged.status, 201, judged.text);
    const still = await get(h, `/api/v1/changes/${normal.body.id}`);
    assert.deepEqual([still.type, still.state, still.conversion], ['normal', 'draft', null]);
    assert.equal((await move(h, normal.body.id, 'scheduled')).status, 409, 'it cannot skip its approvals');
    const assess = await move(h, normal.body.id, 'assess');
    assert.equal(assess.status, 200, assess.text);
    const authorize = await move(h, normal.body.id, 'authorize');
    assert.equal(authorize.status, 200, authorize.text);
    assert.ok((await get(h, `/api/v1/changes/${normal.body.id}/approvals`)).items.length > 0, 'approvals are asked for');
  });
});

describe('the demo catalogue', () => {
  it('has entries with owners and categories, one suspended by its two rolled-back purges', async () => {
    const db = await createTestDatabase('sqlite');
    const cabinet = await startCabinet(loadConfig({ DATABASE_URL: db.url, CABINET_DEMO: '1', CABINET_WEB_DIR: '/nonexistent' }));
    try {
      const actor = systemActor();
      const { items } = await cabinet.services.templates.list(actor, TemplateListQuery.parse({ state: 'all' }));
      const byName = new Map(items.map((t) => [t.name, t]));
      assert.equal(byName.get('Purge the portal CDN cache')?.state, 'suspended');
      assert.equal(byName.get('Purge the portal CDN cache')?.history.failed, 2);
      assert.equal(byName.get('Monthly OS patching')?.state, 'active');
      assert.equal(byName.get('Restart a stuck queue consumer')?.category, 'Operations');
      const detail = await cabinet.services.templates.get(actor, byName.get('Purge the portal CDN cache')!.id);
      assert.deepEqual([detail.suspensions.length, detail.suspensions[0]?.automatic], [1, true]);
      const demoChanges = (await cabinet.services.changes.list(actor, ChangeListQuery.parse({ limit: 100 }))).items;
      const patched = demoChanges.find((c) => c.title === 'Monthly OS patching of the ETL runner');
      assert.equal(patched?.type, 'standard', 'the demo standard change passes its checks');
      assert.deepEqual(demoChanges.filter((c) => c.type === 'standard' && !c.templateId).map((c) => c.number), [], 'every demo standard change is made from an entry');
    } finally {
      await cabinet.close();
      await db.drop();
    }
  });
});

void LATER;
