import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemActor } from '../src/domain/actor';
import { quantile, weekOf, dayOf, deploymentFrequency, changeFailureRate } from '../src/domain/dora/metrics';
import { createServices } from '../src/services';
import { defaultIds } from '../src/services/context';
import { eachEngine, onEngine, type Harness } from './support/cabinet';
import { applyDeploymentsPolicy, newService } from './support/deployments';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday, long enough ago that every fixture is in the past. */
const MONDAY = Date.parse('2025-03-03T00:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const FROM = at(MONDAY);
const TO = at(MONDAY + 28 * DAY);
const actor = systemActor('dora-test');

/** Cabinet's services on the harness's database with the clock stopped at `ms` (incidents stamp their times from it). */
const servicesAt = (h: Harness, ms: number) => createServices({ store: h.cabinet.store, now: () => new Date(ms), newId: defaultIds }, { sessionHours: 1 });

let run = 0;
/** A production deployment of the service that finished at `finishedMs` (started 10 minutes before). */
async function deploy(h: Harness, serviceId: string, finishedMs: number, extra: Record<string, unknown> = {}): Promise<string> {
  const d = await h.cabinet.services.deployments.record(actor, {
    source: 'generic',
    externalId: `run-${++run}`,
    target: { serviceId, environment: 'production' },
    repository: 'acme/payments',
    sha: 'abcdef1234567',
    startedAt: at(finishedMs - 10 * 60_000),
    finishedAt: at(finishedMs),
    result: 'success',
    ...extra,
  });
  return d.id;
}

/** An incident on the service opened at `openedMs`, resolved at `resolvedMs` (if given), optionally caused by a change. */
async function incident(h: Harness, serviceId: string, openedMs: number, resolvedMs: number | null, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await servicesAt(h, openedMs).incidents.create(actor, { title: 'Payments down', serviceId, openedAt: at(openedMs), ...extra });
  if (resolvedMs !== null) await servicesAt(h, resolvedMs).incidents.update(actor, created.id, { state: 'resolved' });
  return created.id;
}

const dora = async (h: Harness, query: string) => {
  const res = await h.request('GET', `/api/v1/metrics/dora?${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
};

describe('DORA, the pure parts', () => {
  it('takes medians as DevLake does: the lower of two middle values, always one that occurred', () => {
    assert.equal(quantile([0, 1, 2, 3], 0.5), 1);
    assert.equal(quantile([3600], 0.5), 3600);
    assert.equal(quantile([1, 2, 3, 4], 0.75), 3);
    assert.equal(quantile([], 0.5), null);
  });
  it('counts deployment days per Monday-started week, and never a rate above 1', () => {
    assert.equal(weekOf(dayOf('2025-03-09T23:00:00Z')), dayOf('2025-03-03T00:00:00Z'), 'Sunday belongs to the week of the Monday before');
    const day = (iso: string, n = 1) => ({ day: dayOf(iso), total: n, successes: n });
    const f = deploymentFrequency([day('2025-03-03T10:00:00Z', 4), day('2025-03-04T10:00:00Z'), day('2025-03-05T10:00:00Z'), day('2025-03-12T10:00:00Z'), day('2025-03-25T10:00:00Z'), day('2025-03-26T10:00:00Z')], dayOf(FROM), dayOf(TO));
    assert.deepEqual([f.deploymentDays, f.weeks, f.deployments, f.medianDaysPerWeek], [6, 4, 9, 1], 'weeks with 3, 1, 0 and 2 deployment days');
    assert.equal(changeFailureRate(3, 2), 1);
    assert.equal(changeFailureRate(0, 0), null);
  });
});

describe('DORA metrics', () => {
  eachEngine('DevLake’s worked examples: five deployments, two with incidents, is 40 %; deployed 10:00, resolved 11:00, is an hour', async (h) => {
    const payments = await newService(h, 'Payments');
    const change = (await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Refunds v2' } })).body;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await deploy(h, payments, MONDAY + i * DAY + 10 * HOUR, i === 0 ? { changeNumber: change.number } : {}));
    // Deployment 1 (through its change) has three incidents: counted once. Deployment 3 has one, linked explicitly.
    for (let k = 0; k < 3; k++) await incident(h, payments, MONDAY + 10 * HOUR + (k + 1) * 60_000, MONDAY + 11 * HOUR, { causedByChangeId: change.id });
    const third = await incident(h, payments, MONDAY + 2 * DAY + 10.5 * HOUR, MONDAY + 2 * DAY + 14 * HOUR);
    const linked = await h.request('POST', `/api/v1/deployments/${ids[2]}/incidents`, { body: { incidentId: third } });
    assert.equal(linked.status, 200, linked.text);
    assert.deepEqual(linked.body.incidents.map((i: { link: string }) => i.link), ['explicit']);

    const m = await dora(h, `serviceId=Payments&from=${FROM}&to=${TO}`);
    const cfr = m.changeFailureRate;
    assert.deepEqual([cfr.numerator, cfr.denominator, cfr.value, cfr.explicit, cfr.inferred, cfr.rating], [2, 5, 0.4, 2, 0, 'low']);
    assert.deepEqual([...cfr.records.ids].sort(), [ids[0], ids[2]].sort());
    assert.deepEqual(cfr.incidents, { explicit: 4, inferred: 0 });
    // Deployment 1 restored when its last incident resolved (11:00, an hour after 10:00); deployment 3 after 4 hours.
    const rec = m.failedDeploymentRecoveryTime;
    assert.deepEqual([rec.numerator, rec.denominator, rec.value, rec.p75, rec.rating], [2, 2, 3600, 3600, 'high']);
    const freq = m.deploymentFrequency;
    assert.deepEqual([freq.deployments, freq.numerator, freq.denominator, freq.value, freq.rating], [5, 5, 4, 0, 'medium'], 'one week with five deployment days, three with none: median 0 a week, 5 a month');
    assert.equal(m.series.length, 4);
    assert.deepEqual(m.series.map((p: { deployments: number }) => p.deployments), [5, 0, 0, 0]);
    assert.equal(m.series[0].start, '2025-03-03');

    // The rest of the records, a page at a time.
    const page = await h.request('GET', cfr.records.list.replace(/^/, '') + '&limit=1');
    assert.equal(page.status, 200, page.text);
    assert.deepEqual([page.body.count, page.body.ids.length, page.body.nextOffset], [2, 1, 1]);
  });

  eachEngine('the >100 % trap: many incidents on few deployments count deployments, never incidents', async (h) => {
    const payments = await newService(h, 'Payments');
    const first = await deploy(h, payments, MONDAY + 10 * HOUR);
    await deploy(h, payments, MONDAY + DAY + 10 * HOUR);
    for (let k = 0; k < 5; k++) {
      const id = await incident(h, payments, MONDAY + 11 * HOUR + k * 60_000, MONDAY + 12 * HOUR);
      await h.cabinet.services.deployments.linkIncident(actor, first, id);
    }
    const m = await dora(h, `serviceId=${payments}&from=${FROM}&to=${TO}`);
    assert.deepEqual([m.changeFailureRate.numerator, m.changeFailureRate.denominator, m.changeFailureRate.value], [1, 2, 0.5]);
    assert.equal(m.changeFailureRate.incidents.explicit, 5, 'the incidents are all shown');
    assert.equal(m.changeFailureRate.rating, 'insufficient_data', 'two deployments are below the minimum of five');
    assert.equal(m.deploymentFrequency.rating, 'insufficient_data');
    assert.equal(m.leadTimeForChanges.rating, 'insufficient_data');
  });

  eachEngine('an incident nobody linked is attributed to the last earlier deployment of its service, shown apart as inferred; policy can turn that off', async (h) => {
    const payments = await newService(h, 'Payments');
    const early = await deploy(h, payments, MONDAY + 9 * HOUR);
    const last = await deploy(h, payments, MONDAY + 10 * HOUR);
    await deploy(h, payments, MONDAY + 3 * DAY);
    // Failed itself: restored by the next successful deployment two hours later.
    const failed = await deploy(h, payments, MONDAY + 5 * DAY, { result: 'failure' });
    const fixed = await deploy(h, payments, MONDAY + 5 * DAY + 2 * HOUR);
    await incident(h, payments, MONDAY + 10 * HOUR + 30 * 60_000, MONDAY + 11 * HOUR);

    const m = await dora(h, `serviceId=Payments&from=${FROM}&to=${TO}`);
    const cfr = m.changeFailureRate;
    assert.deepEqual([cfr.numerator, cfr.denominator, cfr.explicit, cfr.inferred], [2, 5, 1, 1]);
    assert.deepEqual(cfr.inferredRecords.ids, [last], 'the last deployment before the incident, not the one before it');
    assert.ok(!cfr.records.ids.includes(early));
    assert.deepEqual(cfr.incidents, { explicit: 0, inferred: 1 });
    assert.equal(m.deploymentFrequency.deployments, 4, 'the failed one is no deployment of the frequency');
    const rec = m.failedDeploymentRecoveryTime;
    assert.deepEqual([rec.numerator, rec.denominator, rec.value, rec.p75], [2, 2, 3600, 3600], 'an hour to the incident resolved, two to the next deployment');
    assert.ok(rec.records.ids.includes(failed) && !rec.records.ids.includes(fixed));
    const inferredOnly = await h.request('GET', cfr.inferredRecords.list);
    assert.deepEqual(inferredOnly.body.ids, [last]);

    await applyDeploymentsPolicy(h, (y) => y.replace('inferIncidents: true', 'inferIncidents: false'));
    const off = await dora(h, `serviceId=Payments&from=${FROM}&to=${TO}`);
    assert.deepEqual([off.changeFailureRate.numerator, off.changeFailureRate.inferred, off.inference], [1, 0, false]);
  });

  eachEngine('lead time runs from a pull request’s first commit to its first production deployment; staging and other services do not count', async (h) => {
    const payments = await newService(h, 'Payments');
    const other = await newService(h, 'Ledger');
    const prs = (n: number, firstCommitMs: number) => [{ number: n, firstCommitAt: at(firstCommitMs) }];
    for (let i = 0; i < 5; i++) await deploy(h, payments, MONDAY + (i + 1) * DAY, { pullRequests: prs(100 + i, MONDAY + (i + 1) * DAY - (i + 1) * HOUR) });
    // Shipped again later: counted once, at its first deployment.
    await deploy(h, payments, MONDAY + 10 * DAY, { pullRequests: prs(100, MONDAY + DAY - HOUR) });
    await deploy(h, payments, MONDAY + 11 * DAY, { target: { serviceId: payments, environment: 'staging' }, pullRequests: prs(200, MONDAY) });
    await deploy(h, other, MONDAY + 11 * DAY, { pullRequests: prs(300, MONDAY) });
    const m = await dora(h, `serviceId=Payments&from=${FROM}&to=${TO}`);
    const lead = m.leadTimeForChanges;
    assert.deepEqual([lead.denominator, lead.value, lead.p75, lead.rating], [5, 3 * 3600, 4 * 3600, 'elite']);
    const staging = await dora(h, `serviceId=Payments&environment=staging&from=${FROM}&to=${TO}`);
    assert.equal(staging.leadTimeForChanges.denominator, 1);
    assert.equal(staging.scope.environment, 'staging');
    const bad = await h.request('GET', `/api/v1/metrics/dora?serviceId=ghost&teamId=nobody&from=${TO}&to=${FROM}`);
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['query.from', 'query.serviceId', 'query.teamId']);
  });

  eachEngine('a pull request counts at its first deployment even when that deployment is recorded later, is moved, or fails; the records are its deployments', async (h) => {
    const payments = await newService(h, 'Payments');
    const pr = (n: number, firstCommitMs: number) => ({ number: n, firstCommitAt: at(firstCommitMs) });
    // Two pull requests shipped together on day 3, then PR 1 again on day 5.
    const together = await deploy(h, payments, MONDAY + 3 * DAY, { pullRequests: [pr(1, MONDAY + 2 * DAY), pr(2, MONDAY + DAY)] });
    await deploy(h, payments, MONDAY + 5 * DAY, { pullRequests: [pr(1, MONDAY + 2 * DAY)] });
    const q = `serviceId=Payments&from=${FROM}&to=${TO}`;
    let m = await dora(h, q);
    assert.deepEqual([m.leadTimeForChanges.denominator, m.leadTimeForChanges.value, m.leadTimeForChanges.records.count, m.leadTimeForChanges.records.ids], [2, DAY / 1000, 1, [together]]);

    // A deployment of PR 1 on day 2.5 reported late: it is now PR 1's first, and the records are both deployments.
    const early = await deploy(h, payments, MONDAY + 2.5 * DAY, { pullRequests: [pr(1, MONDAY + 2 * DAY)] });
    m = await dora(h, q);
    assert.deepEqual([m.leadTimeForChanges.denominator, m.leadTimeForChanges.value, m.leadTimeForChanges.p75, m.leadTimeForChanges.records.count], [2, DAY / 2000, DAY / 2000, 2]);
    assert.deepEqual(m.leadTimeForChanges.records.ids, [early, together]);
    const records = await h.request('GET', `/api/v1/metrics/dora/records?${q}&figure=leadTimeForChanges&limit=1&offset=1`);
    assert.equal(records.status, 200, records.text);
    assert.deepEqual([records.body.count, records.body.ids, records.body.nextOffset], [2, [together], null]);

    // The early one turns out to have failed: PR 1 counts at day 3 again.
    const failed = await h.cabinet.services.deployments.record(actor, {
      source: 'generic', externalId: `run-${run}`, target: { serviceId: payments, environment: 'production' }, repository: 'acme/payments', sha: 'abcdef1234567',
      startedAt: at(MONDAY + 2.5 * DAY - 10 * 60_000), finishedAt: at(MONDAY + 2.5 * DAY), result: 'failure', pullRequests: [pr(1, MONDAY + 2 * DAY)],
    });
    assert.equal(failed.id, early);
    m = await dora(h, q);
    assert.deepEqual([m.leadTimeForChanges.denominator, m.leadTimeForChanges.value, m.leadTimeForChanges.records.count, m.leadTimeForChanges.records.ids], [2, DAY / 1000, 1, [together]]);
  });

  onEngine('postgres', 'two deployments of one pull request recorded at once leave exactly one first deployment', async (h) => {
    const payments = await newService(h, 'Payments');
    const pr = { number: 77, firstCommitAt: at(MONDAY) };
    await Promise.all([1, 2, 3, 4].map((i) => deploy(h, payments, MONDAY + i * HOUR, { pullRequests: [pr] })));
    const m = await dora(h, `serviceId=Payments&from=${FROM}&to=${TO}`);
    assert.deepEqual([m.leadTimeForChanges.denominator, m.leadTimeForChanges.value, m.leadTimeForChanges.records.count], [1, 3600, 1]);
  });
});
