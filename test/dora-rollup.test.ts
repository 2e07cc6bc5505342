import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { systemActor } from '../src/domain/actor';
import { quantile, quantileOf } from '../src/domain/dora/metrics';
import { createServices } from '../src/services';
import { defaultIds } from '../src/services/context';
import type { DoraScope } from '../src/db/repositories';
import { eachEngine, onEngine, type Harness } from './support/cabinet';
import { newService } from './support/deployments';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday, long enough ago that every fixture is in the past. */
const MONDAY = Date.parse('2025-03-03T00:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const actor = systemActor('dora-rollup-test');

let run = 0;
/** Records a deployment (a new one, or again under `externalId`); its id. */
async function deploy(h: Harness, serviceId: string | null, finishedMs: number, extra: Record<string, unknown> = {}): Promise<string> {
  const d = await h.cabinet.services.deployments.record(actor, {
    source: 'generic',
    externalId: `rollup-${++run}`,
    target: serviceId ? { serviceId, environment: 'production' } : { environment: 'production' },
    repository: 'acme/payments',
    sha: 'abcdef1234567',
    startedAt: at(finishedMs - 10 * 60_000),
    finishedAt: at(finishedMs),
    result: 'success',
    ...extra,
  });
  return d.id;
}
const pr = (number: number, firstCommitMs: number) => ({ number, firstCommitAt: at(firstCommitMs) });

const msOf = (v: unknown) => (v === null ? null : v instanceof Date ? v.getTime() : Date.parse(String(v)));

/** Both rollups as stored, in a stable order (a day's lead times sorted: their order is not part of the figure). */
async function rollups(h: Harness) {
  const db = h.cabinet.store.kysely;
  const days = (await db.selectFrom('deployment_days').selectAll().execute())
    .map((r) => ({
      key: `${r.service_id}#${r.environment}#${Number(r.production)}#${Number(r.day)}`,
      total: Number(r.total),
      successes: Number(r.successes),
      leads: r.lead_seconds === '' ? [] : r.lead_seconds.split(',').map(Number).sort((a, b) => a - b),
      leadDeployments: Number(r.lead_deployments),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const next = (await db.selectFrom('deployment_next_successes').selectAll().execute())
    .map((r) => ({ id: r.deployment_id, next: msOf(r.next_success_at) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  return { days, next };
}

/** The rollups kept on write equal the rollups recomputed from the base tables. */
async function assertRollupsExact(h: Harness, step: string): Promise<void> {
  const kept = await rollups(h);
  await h.cabinet.store.repos.deployments.rebuildDoraRollups();
  assert.deepEqual(kept, await rollups(h), `after ${step}`);
}

/** `doraDays` (whole days from the rollup, edges from the rows) against the same figures read from the rows alone. */
async function assertDaysFromRows(h: Harness, scope: DoraScope): Promise<void> {
  const repo = h.cabinet.store.repos.deployments;
  const rolled = await repo.doraDays(scope, { leads: true });
  const leadsOf = (days: { day: number; seconds: ArrayLike<number>; deployments: number }[]) =>
    days.map((d) => ({ day: d.day, seconds: Array.from(d.seconds).sort((a, b) => a - b), deployments: d.deployments }));
  assert.deepEqual(rolled.days, await repo.dailyCountsOfRows(scope), `days of ${JSON.stringify(scope)}`);
  assert.deepEqual(leadsOf(rolled.leads), leadsOf(await repo.leadTimeDaysOfRows(scope)), `lead times of ${JSON.stringify(scope)}`);
}

const dora = async (h: Harness, query: string) => {
  const res = await h.request('GET', `/api/v1/metrics/dora?${query}`);
  assert.equal(res.status, 200, res.text);
  return res.body;
};

describe('DORA, quantiles by selection', () => {
  it('takes the quantile of numbers in any order as the sorted numbers give it', () => {
    let seed = 14;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const inputs: number[][] = [[7], [3, 1], [5, 5, 5, 5], Array.from({ length: 1000 }, (_, i) => i), Array.from({ length: 1000 }, (_, i) => 1000 - i)];
    for (const n of [2, 3, 10, 101, 4000]) {
      inputs.push(Array.from({ length: n }, () => Math.floor(random() * 1_000_000)));
      inputs.push(Array.from({ length: n }, () => Math.floor(random() * 4)));
    }
    for (const values of inputs) {
      const sorted = [...values].sort((a, b) => a - b);
      for (const q of [0, 0.25, 0.5, 0.75, 0.99, 1]) assert.equal(quantileOf(Float64Array.from(values), q), quantile(sorted, q), `q ${q} of ${values.length} values`);
    }
    assert.equal(quantileOf(new Float64Array(0), 0.5), null);
  });
});

describe('DORA rollups', () => {
  eachEngine('figures read from the daily rollup equal figures read from the deployments, for periods with partial first and last days', async (h) => {
    const payments = await newService(h, 'Payments');
    const ledger = await newService(h, 'Ledger');
    // Five days of deployments at different hours: some failed, two services, a staging one, one of no service,
    // pull requests shipped once or twice.
    for (let d = 0; d < 5; d++) {
      for (const hour of [0, 7.5, 13, 23.75]) {
        const finished = MONDAY + d * DAY + hour * HOUR;
        const failed = (d + hour) % 3 === 0;
        await deploy(h, payments, finished, { result: failed ? 'failure' : 'success', pullRequests: [pr(1 + 100 * d + hour * 4, finished - 5 * HOUR), pr(7, MONDAY - DAY)] });
      }
      await deploy(h, ledger, MONDAY + d * DAY + 12 * HOUR, { pullRequests: [pr(900 + d, MONDAY + d * DAY)] });
      await deploy(h, payments, MONDAY + d * DAY + 9 * HOUR, { target: { serviceId: payments, environment: 'staging' }, pullRequests: [pr(500 + d, MONDAY)] });
    }
    await deploy(h, null, MONDAY + 2 * DAY + 16 * HOUR, { pullRequests: [pr(3, MONDAY)] });
    await assertRollupsExact(h, 'the fixtures');

    const periods: [number, number][] = [
      [MONDAY, MONDAY + 5 * DAY], // whole days only
      [MONDAY + 7 * HOUR, MONDAY + 4 * DAY + 13 * HOUR], // partial first and last days
      [MONDAY + 7.5 * HOUR, MONDAY + 3 * DAY], // an edge starting on a deployment's finish
      [MONDAY + DAY, MONDAY + 3 * DAY + 23.75 * HOUR], // an edge ending on one (excluded)
      [MONDAY + 2 * DAY + HOUR, MONDAY + 2 * DAY + 20 * HOUR], // inside one day
      [MONDAY + 23 * HOUR, MONDAY + 25 * HOUR], // across one midnight, no whole day
      [MONDAY - 3 * DAY, MONDAY + 9 * DAY + 5 * HOUR], // beyond the data
    ];
    for (const [from, to] of periods) {
      for (const scope of [
        { serviceIds: [payments], environment: null },
        { serviceIds: [payments, ledger], environment: null },
        { serviceIds: [payments], environment: 'staging' },
        { serviceIds: null, environment: null },
        { serviceIds: null, environment: 'production' },
        { serviceIds: [], environment: null },
      ]) {
        await assertDaysFromRows(h, { ...scope, from: at(from), to: at(to) });
      }
    }

    // The whole days do come from the rollup: a day changed there shows, an edge day does not.
    const db = h.cabinet.store.kysely;
    await db.updateTable('deployment_days').set({ total: 1000 }).execute();
    const scope = { serviceIds: [payments], environment: null, from: at(MONDAY + 7 * HOUR), to: at(MONDAY + 2 * DAY + 13 * HOUR) };
    const days = (await h.cabinet.store.repos.deployments.doraDays(scope, { leads: false })).days;
    assert.deepEqual(
      days.map((d) => d.total),
      [3, 1000, 2],
    );
    await h.cabinet.store.repos.deployments.rebuildDoraRollups();

    const period = `from=${at(MONDAY + 7 * HOUR)}&to=${at(MONDAY + 4 * DAY + 13 * HOUR)}`;
    const m = await dora(h, `serviceId=Payments&${period}`);
    assert.equal(m.changeFailureRate.denominator, 3 + 3 * 4 + 2, 'three on the first day from 07:00, four a day, two on the last day before 13:00');

    // An incident linked to nothing is inferred on the last production deployment before it (07:30): counted in
    // production, not in staging.
    const opened = MONDAY + 2 * DAY + 10 * HOUR;
    await createServices({ store: h.cabinet.store, now: () => new Date(opened), newId: defaultIds }, { sessionHours: 1 }).incidents.create(actor, { title: 'Payments slow', serviceId: payments, openedAt: at(opened) });
    const inferred = async (environment: string) => (await dora(h, `serviceId=Payments&${period}${environment}`)).changeFailureRate.inferredRecords;
    assert.equal((await inferred('')).count, 1);
    assert.equal((await inferred('&environment=production')).count, 1);
    assert.equal((await inferred('&environment=staging')).count, 0);
  });

  eachEngine('deployments reported out of order, changing result or moving keep the rollups exact, and a failure restored at the next success', async (h) => {
    const payments = await newService(h, 'Payments');
    const ledger = await newService(h, 'Ledger');
    const q = `serviceId=Payments&from=${at(MONDAY)}&to=${at(MONDAY + 7 * DAY)}`;
    await deploy(h, payments, MONDAY + 3 * DAY, { pullRequests: [pr(1, MONDAY + DAY)] });
    const failure = await deploy(h, payments, MONDAY + DAY + 10 * HOUR, { result: 'failure' });
    await assertRollupsExact(h, 'a failure reported after a later success');
    assert.equal((await dora(h, q)).failedDeploymentRecoveryTime.value, (2 * DAY - 10 * HOUR) / 1000);

    // A success between them, reported late, restores the failure sooner.
    const late = `rollup-${++run}`;
    await deploy(h, payments, MONDAY + DAY + 12 * HOUR, { externalId: late, status: 'in_progress', result: undefined, finishedAt: undefined });
    await assertRollupsExact(h, 'a deployment in progress');
    assert.equal((await dora(h, q)).failedDeploymentRecoveryTime.value, (2 * DAY - 10 * HOUR) / 1000);
    await deploy(h, payments, MONDAY + DAY + 12 * HOUR, { externalId: late, pullRequests: [pr(1, MONDAY + DAY)] });
    await assertRollupsExact(h, 'a success reported late, shipping a pull request first');
    let m = await dora(h, q);
    assert.equal(m.failedDeploymentRecoveryTime.value, 2 * 3600);
    assert.deepEqual([m.leadTimeForChanges.denominator, m.leadTimeForChanges.value], [1, 12 * 3600]);

    // That success turns out to have failed: the failure waits for day 3 again, the pull request counts there.
    await deploy(h, payments, MONDAY + DAY + 12 * HOUR, { externalId: late, result: 'failure', pullRequests: [pr(1, MONDAY + DAY)] });
    await assertRollupsExact(h, 'a success turned failure');
    m = await dora(h, q);
    assert.deepEqual([m.changeFailureRate.numerator, m.changeFailureRate.denominator], [2, 3]);
    assert.deepEqual([m.leadTimeForChanges.denominator, m.leadTimeForChanges.value], [1, 2 * DAY / 1000]);
    assert.equal(m.failedDeploymentRecoveryTime.records.ids[0], failure);

    // A deployment moved to another service and day leaves its old day and joins the new one.
    const moved = `rollup-${++run}`;
    await deploy(h, payments, MONDAY + 4 * DAY + HOUR, { externalId: moved });
    await deploy(h, ledger, MONDAY + 5 * DAY + HOUR, { externalId: moved, target: { serviceId: ledger, environment: 'production' } });
    await assertRollupsExact(h, 'a deployment moved to another service');
    m = await dora(h, q);
    assert.equal(m.deploymentFrequency.deployments, 1);
    assert.equal((await dora(h, `serviceId=Ledger&from=${at(MONDAY)}&to=${at(MONDAY + 7 * DAY)}`)).deploymentFrequency.deployments, 1);

    // Deployments of no service restore each other by repository.
    await deploy(h, null, MONDAY + 2 * DAY, { result: 'failure' });
    await deploy(h, null, MONDAY + 2 * DAY + HOUR, { repository: 'acme/other' });
    await deploy(h, null, MONDAY + 2 * DAY + 2 * HOUR);
    await assertRollupsExact(h, 'deployments of no service');
  });

  onEngine('postgres', 'deployments of one service recorded at once on one day keep the day’s counts exact', async (h) => {
    const payments = await newService(h, 'Payments');
    // Each ships a pull request of its own, so no lock of a shared pull request (migration 0035) orders them.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        deploy(h, payments, MONDAY + 10 * HOUR + i * 60_000, { result: i % 4 === 0 ? 'failure' : 'success', pullRequests: [pr(i + 1, MONDAY)] }),
      ),
    );
    await assertRollupsExact(h, 'twelve deployments at once');
    const m = await dora(h, `serviceId=Payments&from=${at(MONDAY)}&to=${at(MONDAY + 7 * DAY)}`);
    assert.deepEqual([m.deploymentFrequency.deployments, m.changeFailureRate.denominator, m.changeFailureRate.numerator], [9, 12, 3]);
    assert.equal(m.leadTimeForChanges.denominator, 9);
    assert.equal(m.failedDeploymentRecoveryTime.numerator, 3);
  });
});
