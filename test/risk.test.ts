import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileBundle, PolicyInvalidError } from '../src/policy/loader';
import { buildChangeContext, localTime } from '../src/policy/context';
import { evaluateRisk } from '../src/policy/risk';
import { levelOf, scoreOf } from '../src/domain/risk/score';
import { eachEngine, type Harness } from './support/cabinet';
import { catalogueEntry, edit } from './support/fixtures';

const MODELS = `apiVersion: cabinet/v1
name: t
models:
  standard: &m
    label: S
    initial: draft
    states:
      - { id: draft, label: Draft }
      - { id: done, label: Done, final: true }
    transitions:
      - { from: draft, to: done, by: { roles: [change_manager] } }
  normal: *m
  emergency: *m
`;

function bundleWith(risk: string) {
  return compileBundle({ 'a.yaml': MODELS, 'risk.yaml': `apiVersion: cabinet/v1\n${risk}` });
}

const baseInput = {
  change: {
    type: 'normal', state: 'draft', title: 't', impact: 'medium', urgency: 'medium', priority: 3, plannedStart: null, plannedEnd: null,
    implementationPlan: '', testPlan: '', backoutPlan: '', backoutTested: false, assignmentTeamHandle: null,
  },
  cis: [],
  services: [],
  requester: { email: 'a@example.com', name: 'A', roles: ['requester'], teamHandles: [] },
  history: { teamChanges90d: 0, teamFailed90d: 0, ciChanges90d: 0, ciFailed90d: 0 },
  businessHours: { timeZone: 'Europe/London', days: [1, 2, 3, 4, 5], start: 8, end: 18 },
  now: new Date('2026-11-22T12:00:00Z'),
};

describe('risk scoring (pure)', () => {
  it('maps scores to levels at the band thresholds', () => {
    const bands = { moderate: 25, high: 50, very_high: 75 };
    for (const [score, level] of [[0, 'low'], [24, 'low'], [25, 'moderate'], [49, 'moderate'], [50, 'high'], [74, 'high'], [75, 'very_high'], [100, 'very_high']] as const) {
      assert.equal(levelOf(score, bands), level, String(score));
    }
  });

  it('keeps the score within 0 and 100 whatever the factors add up to', () => {
    const bands = { moderate: 25, high: 50, very_high: 75 };
    assert.equal(scoreOf([{ name: 'a', label: 'A', contribution: 80 }, { name: 'b', label: 'B', contribution: 70 }].map((f) => ({ ...f, reason: '' })), bands).score, 100);
    assert.equal(scoreOf([{ name: 'a', label: 'A', contribution: -30, reason: '' }], bands).score, 0);
  });

  it('takes the first case that holds, evaluates computed points, and explains every factor', () => {
    const bundle = bundleWith(`risk:
  factors:
    - name: size
      label: Size
      cases:
        - when: change.ciCount >= 3
          points: change.ciCount * 4
          reason: Many CIs
        - when: change.ciCount >= 1
          points: 5
          reason: Some CIs
    - name: plan
      label: Backout
      cases:
        - when: "!change.hasBackoutPlan"
          points: 30
          reason: No backout plan
`);
    const ci = { name: 'x', type: 'server', environment: 'production', criticality: 'low', tags: [], serviceName: null };
    const three = evaluateRisk(bundle.risk, buildChangeContext({ ...baseInput, cis: [ci, ci, ci] }));
    assert.deepEqual(three.factors, [
      { name: 'size', label: 'Size', contribution: 12, reason: 'Many CIs' },
      { name: 'plan', label: 'Backout', contribution: 30, reason: 'No backout plan' },
    ]);
    assert.equal(three.score, 42);
    assert.equal(three.level, 'moderate');
    const none = evaluateRisk(bundle.risk, buildChangeContext({ ...baseInput, change: { ...baseInput.change, backoutPlan: 'restore' } }));
    assert.deepEqual(none.factors.map((f) => [f.contribution, f.reason]), [[0, 'Does not apply'], [0, 'Does not apply']]);
    assert.equal(none.level, 'low');
  });

  it('shows a factor that fails at run time instead of failing the change', () => {
    const bundle = bundleWith(`risk:
  factors:
    - name: broken
      label: Broken
      cases:
        - when: change.tags[99] == "x"
          points: 10
          reason: never
`);
    const result = evaluateRisk(bundle.risk, buildChangeContext(baseInput));
    assert.equal(result.factors[0]!.contribution, 0);
    assert.match(result.factors[0]!.reason, /^Could not be evaluated: .*index out of bounds/);
    const notBool = evaluateRisk(
      bundleWith('risk:\n  factors:\n    - name: n\n      label: N\n      cases:\n        - when: dyn(change.ciCount)\n          points: 5\n          reason: r\n').risk,
      buildChangeContext(baseInput),
    );
    assert.match(notBool.factors[0]!.reason, /must give true or false/);
  });

  it('refuses CEL errors, unknown variables, wrong result types and bad time zones with file and line', () => {
    const risk = `risk:
  businessHours:
    timeZone: Mars/Olympus
  factors:
    - name: a
      label: A
      cases:
        - when: change.ciCount >
          points: 1
          reason: r
        - when: nobody.knows
          points: 1
          reason: r
        - when: size(cis)
          points: '"ten"'
          reason: r
`;
    try {
      bundleWith(risk);
      assert.fail('should have thrown');
    } catch (err) {
      assert.ok(err instanceof PolicyInvalidError);
      const issues = (err.details.issues as { file: string; line: number; path: string; message: string }[]).map((i) => [i.file, i.line, i.path, i.message.slice(0, 40)]);
      const byPath = new Map(issues.map((i) => [i[2], i]));
      assert.deepEqual(byPath.get('risk.businessHours.timeZone')?.slice(0, 2), ['risk.yaml', 4]);
      assert.deepEqual(byPath.get('risk.factors.0.cases.0.when')?.slice(0, 2), ['risk.yaml', 9]);
      assert.deepEqual(byPath.get('risk.factors.0.cases.1.when')?.slice(0, 2), ['risk.yaml', 12]);
      assert.match(String(byPath.get('risk.factors.0.cases.1.when')?.[3]), /Unknown variable: nobody/);
      assert.deepEqual(byPath.get('risk.factors.0.cases.2.when')?.slice(0, 2), ['risk.yaml', 15]);
      assert.match(String(byPath.get('risk.factors.0.cases.2.when')?.[3]), /true or false/);
      assert.deepEqual(byPath.get('risk.factors.0.cases.2.points')?.slice(0, 2), ['risk.yaml', 16]);
      assert.equal(issues.length, 5);
    }
  });

  it('reads the planned start in the business time zone, across the daylight-saving change', () => {
    // London is UTC+1 in summer and UTC+0 in winter.
    assert.deepEqual(localTime('2026-07-01T07:30:00Z', 'Europe/London'), { weekday: 3, hour: 8 });
    assert.deepEqual(localTime('2026-12-02T07:30:00Z', 'Europe/London'), { weekday: 3, hour: 7 });
    const summer = buildChangeContext({ ...baseInput, change: { ...baseInput.change, plannedStart: '2026-07-01T07:30:00Z', plannedEnd: '2026-07-01T08:30:00Z' } });
    const winter = buildChangeContext({ ...baseInput, change: { ...baseInput.change, plannedStart: '2026-12-02T07:30:00Z', plannedEnd: '2026-12-02T08:30:00Z' } });
    assert.equal((summer.time as { businessHours: boolean }).businessHours, true);
    assert.equal((winter.time as { businessHours: boolean }).businessHours, false);
    const saturday = buildChangeContext({ ...baseInput, change: { ...baseInput.change, plannedStart: '2026-11-28T12:00:00Z', plannedEnd: '2026-11-28T13:00:00Z' } });
    assert.deepEqual([(saturday.time as { weekend: boolean }).weekend, (saturday.time as { businessHours: boolean }).businessHours], [true, false]);
  });
});

async function pciDatabase(h: Harness) {
  const svc = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 1, tags: ['pci'] } });
  const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'pay-db', type: 'database', environment: 'production', serviceId: svc.body.id, criticality: 'critical', tags: ['pci'] } });
  assert.equal(ci.status, 201, ci.text);
  return { serviceId: svc.body.id as string, ciId: ci.body.id as string };
}

// A Saturday night far ahead: outside business hours and more than a day away, whenever the tests run.
const LATER = { plannedStart: '2030-01-05T22:00:00Z', plannedEnd: '2030-01-05T22:30:00Z' };

describe('risk of changes', { concurrency: 2 }, () => {
  eachEngine('assesses a change when it is filed and explains the score factor by factor', async (h) => {
    const { ciId } = await pciDatabase(h);
    const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Upgrade', ciIds: [ciId], backoutPlan: 'restore', ...LATER } });
    assert.equal(change.status, 201, change.text);
    // critical CI 20 + tier 1 service 15 + untested backout 6 + regulated 10 = 51
    assert.deepEqual(change.body.risk, { score: 51, level: 'high', computedLevel: 'high', overridden: false, policyVersion: 1 });
    const risk = await h.request('GET', `/api/v1/changes/${change.body.number}/risk`);
    assert.equal(risk.status, 200);
    assert.equal(risk.body.policyVersion, 1);
    const applied = risk.body.factors.filter((f: { contribution: number }) => f.contribution !== 0);
    assert.deepEqual(
      applied.map((f: { name: string; contribution: number }) => [f.name, f.contribution]),
      [['ci_criticality', 20], ['service_tier', 15], ['rollback', 6], ['regulated', 10]],
    );
    assert.equal(applied[0].reason, 'A critical CI is affected');
    assert.equal(risk.body.factors.length, 12); // every factor of the shipped policy, applied or not
  });

  eachEngine('recomputes the risk when the change or its CIs change, and records each move in the history', async (h) => {
    const { ciId, serviceId } = await pciDatabase(h);
    const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Upgrade', ciIds: [ciId], backoutPlan: 'restore', ...LATER } });
    const tested = await h.request('PATCH', `/api/v1/changes/${change.body.id}`, { body: { backoutTested: true, version: 1 } });
    assert.equal(tested.status, 200, tested.text);
    assert.equal(tested.body.risk.score, 40); // 51 - 6 + (-5)
    assert.equal(tested.body.risk.level, 'moderate');
    const ci = await h.request('PATCH', `/api/v1/cis/${ciId}`, { body: { criticality: 'low', version: 1 } });
    assert.equal(ci.status, 200, ci.text);
    assert.equal((await h.request('GET', `/api/v1/changes/${change.body.id}`)).body.risk.score, 20); // the CI criticality factor is gone
    const svc = await h.request('PATCH', `/api/v1/services/${serviceId}`, { body: { tier: 3, version: 1 } });
    assert.equal(svc.status, 200, svc.text);
    assert.equal((await h.request('GET', `/api/v1/changes/${change.body.id}`)).body.risk.score, 5);
    const history = await h.request('GET', `/api/v1/changes/${change.body.id}/audit`);
    const moves = history.body.items.filter((e: { action: string }) => e.action === 'change.risk_assessed').map((e: { data: { changes: { riskScore: { to: number } } } }) => e.data.changes.riskScore.to);
    assert.deepEqual(moves, [51, 40, 20, 5]);
  });

  eachEngine('lets a change manager override the level with a justification, audited, and clear it again', async (h) => {
    const { ciId } = await pciDatabase(h);
    const requester = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    const change = await h.request('POST', '/api/v1/changes', { token: requester.token, body: { type: 'normal', title: 'Upgrade', ciIds: [ciId], backoutPlan: 'restore', ...LATER } });
    const url = `/api/v1/changes/${change.body.id}/risk/override`;
    const { version } = change.body;
    const byRequester = await h.request('POST', url, { token: requester.token, body: { level: 'low', justification: 'I think it is fine really', version } });
    assert.equal(byRequester.status, 403);
    const noReason = await h.request('POST', url, { token: manager.token, body: { level: 'sideways', justification: 'meh', version } });
    assert.equal(noReason.status, 400);
    assert.deepEqual(noReason.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['justification', 'level']);
    const ok = await h.request('POST', url, { token: manager.token, body: { level: 'moderate', justification: 'Replica takes over in seconds; rehearsed twice.', version } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.level, 'moderate');
    assert.equal(ok.body.computedLevel, 'high');
    assert.equal(ok.body.override.justification, 'Replica takes over in seconds; rehearsed twice.');
    assert.equal(ok.body.override.by, manager.id);
    const seen = await h.request('GET', `/api/v1/changes/${change.body.id}`);
    assert.deepEqual([seen.body.risk.level, seen.body.risk.overridden], ['moderate', true]);
    // A later reassessment keeps the override in force.
    assert.equal((await h.request('PATCH', `/api/v1/changes/${change.body.id}`, { token: requester.token, body: { title: 'Upgrade now', version: seen.body.version } })).status, 200);
    assert.equal((await h.request('GET', `/api/v1/changes/${change.body.id}`)).body.risk.level, 'moderate');
    const cleared = await h.request('DELETE', url, { token: manager.token });
    assert.deepEqual([cleared.body.level, cleared.body.override], ['high', null]);
    const actions = (await h.request('GET', `/api/v1/changes/${change.body.id}/audit`)).body.items.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('change.risk_overridden') && actions.includes('change.risk_override_cleared'));
    const overridden = (await h.request('GET', `/api/v1/changes/${change.body.id}/audit`)).body.items.find((e: { action: string }) => e.action === 'change.risk_overridden');
    assert.equal(overridden.data.justification, 'Replica takes over in seconds; rehearsed twice.');
    assert.deepEqual(overridden.data.changes.riskLevel, { from: 'high', to: 'moderate' });
  });

  eachEngine('counts the failures of the assignment team and the CIs in the last 90 days', async (h) => {
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Platform' } });
    const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'web-1', type: 'server', environment: 'production', criticality: 'low' } });
    const now = Date.now();
    for (const [i, code] of (['successful', 'unsuccessful', 'rolled_back', 'successful', 'successful'] as const).entries()) {
      const c = await h.request('POST', '/api/v1/changes', {
        body: {
          type: 'standard', title: `patch ${i}`, description: 'd', ciIds: [ci.body.id], assignmentTeamId: team.body.id, implementationPlan: 'p', backoutPlan: 'b',
          plannedStart: new Date(now - 10 * 86_400_000).toISOString(), plannedEnd: new Date(now - 10 * 86_400_000 + 3_600_000).toISOString(),
          // An entry each: two failures of one entry would suspend it, and its next changes would be normal.
          templateId: await catalogueEntry(h, `Patch ${i}`),
        },
      });
      assert.equal(c.body.type, 'standard', c.text);
      await h.request('POST', `/api/v1/changes/${c.body.id}/transitions`, { body: { to: 'scheduled' } });
      assert.equal((await edit(h, `/api/v1/changes/${c.body.id}`, { actualStart: new Date(now - 10 * 86_400_000).toISOString() })).status, 200);
      await h.request('POST', `/api/v1/changes/${c.body.id}/transitions`, { body: { to: 'implement' } });
      assert.equal((await edit(h, `/api/v1/changes/${c.body.id}`, { actualEnd: new Date(now - 10 * 86_400_000 + 3_000_000).toISOString(), closeCode: code })).status, 200);
      const closed = await h.request('POST', `/api/v1/changes/${c.body.id}/transitions`, { body: { to: 'closed' } });
      assert.equal(closed.status, 200, closed.text);
    }
    const next = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'next', ciIds: [ci.body.id], assignmentTeamId: team.body.id, backoutPlan: 'b', ...LATER } });
    const risk = await h.request('GET', `/api/v1/changes/${next.body.id}/risk`);
    const factor = (name: string) => risk.body.factors.find((f: { name: string }) => f.name === name);
    assert.equal(factor('team_history').contribution, 10); // 2 of 5 failed: 40%
    assert.equal(factor('ci_history').contribution, 10); // two failed changes on web-1
  });

  eachEngine('a failed change reassesses the open changes on its CIs through the worker, as the person who closed it', async (h) => {
    const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'web-9', type: 'server', environment: 'production', criticality: 'low' } });
    const waiting = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'waiting', ciIds: [ci.body.id], backoutPlan: 'b', ...LATER } });
    assert.equal(waiting.status, 201, waiting.text);
    const ciHistory = async () => (await h.request('GET', `/api/v1/changes/${waiting.body.id}/risk`)).body.factors.find((f: { name: string }) => f.name === 'ci_history').contribution;
    assert.equal(await ciHistory(), 0);
    const now = Date.now();
    const failed = await h.request('POST', '/api/v1/changes', {
      body: {
        type: 'standard', title: 'patch', description: 'd', ciIds: [ci.body.id], implementationPlan: 'p', backoutPlan: 'b',
        plannedStart: new Date(now - 86_400_000).toISOString(), plannedEnd: new Date(now - 86_400_000 + 3_600_000).toISOString(), templateId: await catalogueEntry(h),
      },
    });
    assert.equal(failed.body.type, 'standard', failed.text);
    await h.request('POST', `/api/v1/changes/${failed.body.id}/transitions`, { body: { to: 'scheduled' } });
    assert.equal((await edit(h, `/api/v1/changes/${failed.body.id}`, { actualStart: new Date(now - 86_400_000).toISOString() })).status, 200);
    await h.request('POST', `/api/v1/changes/${failed.body.id}/transitions`, { body: { to: 'implement' } });
    assert.equal((await edit(h, `/api/v1/changes/${failed.body.id}`, { actualEnd: new Date(now - 86_000_000).toISOString(), closeCode: 'unsuccessful' })).status, 200);
    assert.equal((await h.request('POST', `/api/v1/changes/${failed.body.id}/transitions`, { body: { to: 'closed' } })).status, 200);
    assert.equal(await ciHistory(), 0, 'the other changes are reassessed by the worker, not by the writer');
    await h.tick();
    assert.ok((await ciHistory()) > 0, 'reassessed after a worker tick');
    const events = (await h.request('GET', `/api/v1/changes/${waiting.body.id}/audit`)).body.items.filter((e: { action: string }) => e.action === 'change.risk_assessed');
    assert.equal(events.at(-1).actorName, 'Administrator', 'on behalf of the person who closed it');
    assert.equal(await h.cabinet.store.repos.outbox.pendingCount(), 0);
  });

  eachEngine('the worker reassesses a change when an incident on its CIs leaves the 30-day window', async (h) => {
    const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'mail-1', type: 'server', environment: 'production', criticality: 'low' } });
    const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Patch mail', ciIds: [ci.body.id], backoutPlan: 'b', ...LATER } });
    const incident = await h.request('POST', '/api/v1/incidents', {
      body: { title: 'Mail queue stuck', ciIds: [ci.body.id], openedAt: new Date(h.now().getTime() - 29.5 * 86_400_000).toISOString() },
    });
    assert.equal(incident.status, 201, incident.text);
    const incidents = async () => (await h.request('GET', `/api/v1/changes/${change.body.id}/risk`)).body.factors.find((f: { name: string }) => f.name === 'ci_incidents').contribution;
    assert.equal(await incidents(), 5);
    assert.equal((await h.tick()).reassessed, 0, 'nothing has aged yet');
    h.advance(30 * 60_000);
    assert.equal((await h.tick()).reassessed, 0, 'the sweep runs at most once an hour');
    h.advance(23 * 3_600_000);
    const swept = await h.tick();
    assert.equal(swept.reassessed, 1);
    assert.equal(await incidents(), 0, 'the incident is now older than 30 days');
    const history = (await h.request('GET', `/api/v1/changes/${change.body.id}/audit`)).body.items.filter((e: { action: string }) => e.action === 'change.risk_assessed');
    assert.equal(history.at(-1).actorName, 'Cabinet', 'the worker, not a person');
  });

  eachEngine('scores a change planned inside or near a freeze that covers it, and reassesses when the freeze moves or goes', async (h) => {
    const ci = await h.request('POST', '/api/v1/cis', { body: { name: 'pay-api', type: 'application', environment: 'production', criticality: 'low', tags: ['pci'] } });
    const start = new Date(Date.UTC(2030, 5, 12, 22)); // a Wednesday night, far from now
    const change = await h.request('POST', '/api/v1/changes', {
      body: { type: 'normal', title: 'Rotate keys', ciIds: [ci.body.id], backoutPlan: 'b', plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 3_600_000).toISOString() },
    });
    const timing = async () => (await h.request('GET', `/api/v1/changes/${change.body.id}/risk`)).body.factors.find((f: { name: string }) => f.name === 'timing');
    assert.equal((await timing()).reason, 'Does not apply');

    // A freeze on another tag does not bear on the change.
    const other = await h.request('POST', '/api/v1/windows', { body: { name: 'HR freeze', kind: 'freeze', start: '2030-06-12T00:00', timeZone: 'UTC', durationMinutes: 2 * 1440, scope: { tags: ['hr'] } } });
    assert.equal(other.status, 201, other.text);
    assert.equal((await timing()).reason, 'Does not apply');

    const freeze = await h.request('POST', '/api/v1/windows', { body: { name: 'PCI audit', kind: 'freeze', start: '2030-06-12T20:00', timeZone: 'UTC', durationMinutes: 240, scope: { tags: ['pci'] } } });
    assert.equal(freeze.status, 201, freeze.text);
    assert.deepEqual(await timing(), { name: 'timing', label: 'Timing', contribution: 15, reason: 'Planned inside a freeze' });

    // Moved to end where the change starts: touching is not overlapping, so it is near, not inside.
    const moved = await h.request('PATCH', `/api/v1/windows/${freeze.body.id}`, { body: { start: '2030-06-12T18:00', version: 1 } });
    assert.equal(moved.status, 200, moved.text);
    assert.equal((await timing()).contribution, 10);
    assert.equal((await h.request('DELETE', `/api/v1/windows/${freeze.body.id}`)).status, 204);
    assert.equal((await timing()).reason, 'Does not apply');
    const history = (await h.request('GET', `/api/v1/changes/${change.body.id}/audit`)).body.items.filter((e: { action: string }) => e.action === 'change.risk_assessed');
    assert.ok(history.length >= 4, 'each freeze write that moved the score left a reassessment in the history');
  });
});

describe('freezes in the change context (pure)', () => {
  const base = {
    change: { type: 'normal', state: 'draft', title: 't', impact: 'low', urgency: 'low', priority: 4, plannedStart: '2030-01-10T10:00:00.000Z', plannedEnd: '2030-01-10T12:00:00.000Z', implementationPlan: '', testPlan: '', backoutPlan: '', backoutTested: false, assignmentTeamHandle: null },
    cis: [],
    services: [],
    requester: { email: 'a@example.com', name: 'A', roles: [], teamHandles: [] },
    history: { teamChanges90d: 0, teamFailed90d: 0, ciChanges90d: 0, ciFailed90d: 0 },
    businessHours: { timeZone: 'UTC', days: [1, 2, 3, 4, 5], start: 8, end: 18 },
    now: new Date('2030-01-01T00:00:00Z'),
  };
  const time = (freezes: { start: string; end: string }[]) => buildChangeContext({ ...base, freezes }).time as { inFreeze: boolean; nearFreeze: boolean; hoursToFreeze: bigint };
  it('is inside a freeze that overlaps the plan, and not one that only touches it', () => {
    assert.deepEqual(time([{ start: '2030-01-10T11:00:00Z', end: '2030-01-11T00:00:00Z' }]), { ...time([{ start: '2030-01-10T11:00:00Z', end: '2030-01-11T00:00:00Z' }]), inFreeze: true, nearFreeze: false, hoursToFreeze: 0n });
    const touching = time([{ start: '2030-01-10T12:00:00Z', end: '2030-01-11T00:00:00Z' }]);
    assert.equal(touching.inFreeze, false);
    assert.equal(touching.nearFreeze, true);
    assert.equal(touching.hoursToFreeze, 1n);
  });
  it('counts whole hours to the nearest freeze, near within two days, and caps at two weeks', () => {
    const t = time([{ start: '2030-01-13T00:00:00Z', end: '2030-01-14T00:00:00Z' }, { start: '2030-01-09T00:00:00Z', end: '2030-01-09T22:30:00Z' }]);
    assert.equal(t.hoursToFreeze, 12n); // 22:30 the day before → 10:00: 11.5 h, rounded up
    assert.equal(t.nearFreeze, true);
    assert.equal(time([{ start: '2030-01-20T00:00:00Z', end: '2030-01-21T00:00:00Z' }]).nearFreeze, false);
    assert.equal(time([]).hoursToFreeze, 336n);
  });
});
