import assert from 'node:assert/strict';
import { describe, eachEngine, type Harness } from './support/cabinet';
import { ci, edit } from './support/fixtures';
import { parseCsv } from './support/csv';

const HOUR = 3_600_000;

/** `hours` before the harness clock, as an instant. */
const ago = (h: Harness, hours: number) => new Date(h.now().getTime() - hours * HOUR).toISOString();

async function post(
  h: Harness,
  path: string,
  body: Record<string, unknown>,
): Promise<{ id: string; number?: string; name?: string; version: number }> {
  const res = await h.request('POST', path, { body });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

/** Every page of a list, `limit` at a time, following nextCursor; each row as `key` says. */
async function allPages(
  h: Harness,
  path: string,
  query: string,
  limit: number,
  key: (row: Record<string, unknown>) => unknown,
): Promise<unknown[]> {
  const out: unknown[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < 50; i++) {
    const res = await h.request('GET', `${path}?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.items.length <= limit);
    out.push(...res.body.items.map(key));
    cursor = res.body.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('the list never ended');
}

/** The same order on every page size, so that paging neither loses nor repeats a row across ties and nulls. */
async function assertPaged(
  h: Harness,
  path: string,
  query: string,
  key: (row: Record<string, unknown>) => unknown,
  expected: unknown[],
): Promise<void> {
  for (const limit of [1, 2, 3, 100])
    assert.deepEqual(await allPages(h, path, query, limit, key), expected, `${path}?${query}, ${limit} a page`);
}


/** A bad sort is a 400 at `query.sort` listing every allowed value; a cursor of another sort is a 400 at `query.cursor`. */
async function assertRefusesBadSortAndCursor(h: Harness, path: string, allowed: RegExp, sort: string): Promise<void> {
  const bad = await h.request('GET', `${path}?sort=colour`);
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.body.error.code, 'invalid_input');
  const issue = bad.body.error.details.issues.find((i: { path: string }) => i.path === 'query.sort');
  assert.match(issue?.message ?? '', allowed);
  const page = await h.request('GET', `${path}?sort=${sort}&limit=1`);
  assert.equal(page.status, 200, page.text);
  assert.ok(page.body.nextCursor, 'more than one row to page through');
  const mixed = await h.request('GET', `${path}?sort=-${sort}&limit=1&cursor=${page.body.nextCursor}`);
  assert.equal(mixed.status, 400, 'a cursor of another sort names no position in this one');
  assert.equal(mixed.body.error.details.issues[0].path, 'query.cursor');
  assert.equal((await h.request('GET', `${path}?sort=${sort}&cursor=bm90LWpzb24`)).status, 400);
}

const numberOf = (row: Record<string, unknown>) => row.number;
const nameOf = (row: Record<string, unknown>) => row.name;

describe('incident list sort and export', () => {
  eachEngine('sorts incidents by a column both ways and pages through ties and unresolved ones', async (h) => {
    const i1 = await post(h, '/api/v1/incidents', { title: 'b disk full', priority: 2, openedAt: ago(h, 10) });
    const i2 = await post(h, '/api/v1/incidents', { title: 'a login slow', priority: 1, openedAt: ago(h, 5) });
    const i3 = await post(h, '/api/v1/incidents', { title: 'c cert expired', priority: 2, openedAt: ago(h, 8) });
    const i4 = await post(h, '/api/v1/incidents', { title: 'a queue stuck', priority: 3, openedAt: ago(h, 1) });
    // Two resolved, i3 before i1, two never resolved: nulls across page boundaries.
    for (const i of [i3, i1]) {
      const res = await h.request('PATCH', `/api/v1/incidents/${i.id}`, { body: { state: 'resolved', version: i.version } });
      assert.equal(res.status, 200, res.text);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }

    // Priority 1 first; the two of priority 2 by number, highest first.
    await assertPaged(h, '/api/v1/incidents', 'sort=priority', numberOf, [i2.number, i3.number, i1.number, i4.number]);
    await assertPaged(h, '/api/v1/incidents', 'sort=-priority', numberOf, [i4.number, i3.number, i1.number, i2.number]);
    await assertPaged(h, '/api/v1/incidents', 'sort=title', numberOf, [i2.number, i4.number, i1.number, i3.number]);
    await assertPaged(h, '/api/v1/incidents', 'sort=openedAt', numberOf, [i1.number, i3.number, i2.number, i4.number]);
    await assertPaged(h, '/api/v1/incidents', 'sort=-number', numberOf, [i4.number, i3.number, i2.number, i1.number]);
    // Not resolved comes last both ways, those two by number, highest first.
    await assertPaged(h, '/api/v1/incidents', 'sort=resolvedAt', numberOf, [i3.number, i1.number, i4.number, i2.number]);
    await assertPaged(h, '/api/v1/incidents', 'sort=-resolvedAt', numberOf, [i1.number, i3.number, i4.number, i2.number]);
    // Filters and sort together; without a sort, newest opened first as before.
    await assertPaged(h, '/api/v1/incidents', 'sort=title&state=open', numberOf, [i2.number, i4.number]);
    await assertPaged(h, '/api/v1/incidents', '', numberOf, [i4.number, i2.number, i3.number, i1.number]);

    await assertRefusesBadSortAndCursor(
      h,
      '/api/v1/incidents',
      /must be one of number, -number, title, -title, priority, -priority, state, -state, openedAt, -openedAt, resolvedAt, -resolvedAt/,
      'title',
    );
  });

  eachEngine('exports every matching incident as CSV in the list order, quoted and safe from formulas', async (h) => {
    const db = await ci(h, 'orders-db', 'database');
    const tricky = await post(h, '/api/v1/incidents', {
      title: '=cmd|"/c calc", and "more"\nlines',
      priority: 1,
      ciIds: [db],
      openedAt: ago(h, 3),
    });
    const plain = await post(h, '/api/v1/incidents', { title: 'Plain, with a comma', priority: 2, openedAt: ago(h, 2) });
    await post(h, '/api/v1/incidents', { title: 'low one', priority: 4, openedAt: ago(h, 1) });

    const res = await h.request('GET', '/api/v1/incidents/export.csv?priority=1,2&sort=-priority');
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="cabinet-incidents-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(res.text);
    assert.deepEqual(rows[0]!.slice(0, 4), ['Number', 'Title', 'Priority', 'State']);
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r[1], r[2]]),
      [
        [plain.number, 'Plain, with a comma', '2'],
        [tricky.number, `'=cmd|"/c calc", and "more"\nlines`, '1'],
      ],
      'the filters and sort of the list; a formula is defused with a quote',
    );
    assert.equal(rows[2]![rows[0]!.indexOf('CIs')], 'orders-db', 'CIs by name');

    const bad = await h.request('GET', '/api/v1/incidents/export.csv?priority=9&sort=colour');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['query.sort']);
    const badFilter = await h.request('GET', '/api/v1/incidents/export.csv?priority=9');
    assert.equal(badFilter.status, 400);
    assert.equal(badFilter.body.error.details.issues[0].path, 'query.priority');
    assert.equal((await h.request('GET', '/api/v1/incidents/export.csv?limit=1')).status, 400, 'the export takes no paging');
    const outsider = await h.userWithToken([]);
    assert.equal((await h.request('GET', '/api/v1/incidents/export.csv', { token: outsider.token })).status, 403);
  });
});

describe('CI list sort and export', () => {
  eachEngine('sorts CIs by criticality rank, service name and more, paging through ties and CIs without a service', async (h) => {
    const billing = await post(h, '/api/v1/services', { name: 'Billing', tier: 2 });
    const auth = await post(h, '/api/v1/services', { name: 'Auth', tier: 1 });
    await ci(h, 'web-1', 'server', { criticality: 'critical', serviceId: billing.id, environment: 'staging' });
    await ci(h, 'db-1', 'database', { criticality: 'low', serviceId: auth.id });
    await ci(h, 'cache-1', 'cache', { criticality: 'high' });
    await ci(h, 'app-1', 'server', { criticality: 'medium', serviceId: billing.id });
    await ci(h, 'app-2', 'server', { criticality: 'high', serviceId: auth.id });

    // Ranked low … critical, not by name; the two of high criticality in a fixed order, the same on every page.
    const ascending = (await allPages(h, '/api/v1/cis', 'sort=criticality', 100, (r) => r.criticality)) as string[];
    assert.deepEqual(ascending, ['low', 'medium', 'high', 'high', 'critical']);
    const byRank = await allPages(h, '/api/v1/cis', 'sort=criticality', 100, nameOf);
    await assertPaged(h, '/api/v1/cis', 'sort=criticality', nameOf, byRank);
    assert.deepEqual((await allPages(h, '/api/v1/cis', 'sort=-criticality', 2, (r) => r.criticality)) as string[], [
      'critical',
      'high',
      'high',
      'medium',
      'low',
    ]);
    // By service name: Auth's, then Billing's; the CI without a service last both ways.
    const byService = await allPages(h, '/api/v1/cis', 'sort=service', 100, nameOf);
    assert.deepEqual(new Set(byService.slice(0, 2)), new Set(['db-1', 'app-2']));
    assert.deepEqual(new Set(byService.slice(2, 4)), new Set(['web-1', 'app-1']));
    assert.equal(byService[4], 'cache-1');
    await assertPaged(h, '/api/v1/cis', 'sort=service', nameOf, byService);
    const byServiceDescending = await allPages(h, '/api/v1/cis', 'sort=-service', 100, nameOf);
    assert.equal(byServiceDescending[4], 'cache-1', 'no service is last descending too');
    await assertPaged(h, '/api/v1/cis', 'sort=-service', nameOf, byServiceDescending);
    await assertPaged(h, '/api/v1/cis', 'sort=-name', nameOf, ['web-1', 'db-1', 'cache-1', 'app-2', 'app-1']);
    await assertPaged(h, '/api/v1/cis', '', nameOf, ['app-1', 'app-2', 'cache-1', 'db-1', 'web-1']);
    // Filters and sort together: staging before production descending, the production pair in a fixed order.
    const servers = await allPages(h, '/api/v1/cis', 'sort=-environment&type=server', 100, nameOf);
    assert.deepEqual([servers[0], new Set(servers.slice(1))], ['web-1', new Set(['app-1', 'app-2'])]);
    await assertPaged(h, '/api/v1/cis', 'sort=-environment&type=server', nameOf, servers);

    await assertRefusesBadSortAndCursor(
      h,
      '/api/v1/cis',
      /must be one of name, -name, type, -type, environment, -environment, criticality, -criticality, service, -service/,
      'criticality',
    );
  });

  eachEngine('exports every matching CI as CSV with its service by name', async (h) => {
    const billing = await post(h, '/api/v1/services', { name: 'Billing, EU', tier: 2 });
    await ci(h, '@boot-loader', 'server', { serviceId: billing.id, tags: ['pci', 'eu'] });
    await ci(h, 'orders-db', 'database');
    await ci(h, 'stage-1', 'server', { environment: 'staging' });

    const res = await h.request('GET', '/api/v1/cis/export.csv?environment=production&sort=-name');
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="cabinet-cis-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(res.text);
    assert.deepEqual(rows[0], ['Name', 'Type', 'Environment', 'Criticality', 'Service', 'Tags', 'Created', 'Updated']);
    assert.deepEqual(
      rows.slice(1).map((r) => r.slice(0, 6)),
      [
        ['orders-db', 'database', 'production', 'low', '', ''],
        ["'@boot-loader", 'server', 'production', 'low', 'Billing, EU', 'pci; eu'],
      ],
    );
    assert.match(res.text, /"Billing, EU"/, 'a comma is quoted');

    const bad = await h.request('GET', '/api/v1/cis/export.csv?sort=colour&serviceId=nope');
    assert.equal(bad.status, 400);
    const unknownService = await h.request('GET', '/api/v1/cis/export.csv?serviceId=nope');
    assert.equal(unknownService.status, 400);
    assert.equal(unknownService.body.error.details.issues[0].path, 'query.serviceId');
    const outsider = await h.userWithToken([]);
    assert.equal((await h.request('GET', '/api/v1/cis/export.csv', { token: outsider.token })).status, 403);
  });
});

describe('template list sort and export', () => {
  eachEngine('sorts templates by type and status both ways, paging through ties', async (h) => {
    const t1 = await post(h, '/api/v1/templates', { name: 'Rotate certificates', type: 'standard' });
    await post(h, '/api/v1/templates', { name: 'Apply patches', type: 'normal' });
    await post(h, '/api/v1/templates', { name: 'Restart pods', type: 'standard' });
    await post(h, '/api/v1/templates', { name: 'Emergency failover', type: 'emergency' });
    const retired = await h.request('PATCH', `/api/v1/templates/${t1.id}`, { body: { active: false, version: t1.version } });
    assert.equal(retired.status, 200, retired.text);

    const byType = await allPages(h, '/api/v1/templates', 'active=all&sort=type', 100, (r) => r.type);
    assert.deepEqual(byType, ['emergency', 'normal', 'standard', 'standard']);
    await assertPaged(
      h,
      '/api/v1/templates',
      'active=all&sort=type',
      nameOf,
      await allPages(h, '/api/v1/templates', 'active=all&sort=type', 100, nameOf),
    );
    await assertPaged(
      h,
      '/api/v1/templates',
      'active=all&sort=-type',
      nameOf,
      await allPages(h, '/api/v1/templates', 'active=all&sort=-type', 100, nameOf),
    );
    assert.deepEqual((await allPages(h, '/api/v1/templates', 'active=all&sort=-type', 1, (r) => r.type)).slice(0, 2), [
      'standard',
      'standard',
    ]);
    // Retired first ascending, last descending.
    assert.equal((await allPages(h, '/api/v1/templates', 'active=all&sort=active', 1, nameOf))[0], 'Rotate certificates');
    assert.equal((await allPages(h, '/api/v1/templates', 'active=all&sort=-active', 2, nameOf))[3], 'Rotate certificates');
    await assertPaged(h, '/api/v1/templates', 'sort=-name', nameOf, ['Restart pods', 'Emergency failover', 'Apply patches']);
    await assertPaged(h, '/api/v1/templates', '', nameOf, ['Apply patches', 'Emergency failover', 'Restart pods']);

    await assertRefusesBadSortAndCursor(
      h,
      '/api/v1/templates',
      /must be one of name, -name, type, -type, active, -active, state, -state, category, -category, createdAt, -createdAt, updatedAt, -updatedAt, used, -used, changes90d, -changes90d, score, -score/,
      'name',
    );
  });

  eachEngine('sorts templates by how often they were used and by their changes finished in the last 90 days, paging through ties', async (h) => {
    const DAY = 24 * HOUR;
    const fields = { title: 'Routine', implementationPlan: 'p', testPlan: 't', backoutPlan: 'b', description: 'd' };
    // Each on its own CI: changes made from two of them never meet.
    const template = async (name: string) => post(h, '/api/v1/templates', { name, type: 'standard', fields, ciIds: [await ci(h, `${name.toLowerCase().replace(/ /g, '-')}-host`, 'server')] });
    const a = await template('A often');
    const b = await template('B finished');
    const c = await template('C never');
    const d = await template('D once lately');
    /** A change made from the template, walked to closed `daysAgo` days ago when given. */
    const madeFrom = async (templateId: string, daysAgo?: number) => {
      const start = h.now().getTime() - (daysAgo ?? -5) * DAY;
      const made = await h.request('POST', `/api/v1/templates/${templateId}/changes`, { body: { plannedStart: new Date(start).toISOString(), plannedEnd: new Date(start + HOUR).toISOString() } });
      assert.equal(made.status, 201, made.text);
      if (daysAgo === undefined) return;
      const path = `/api/v1/changes/${made.body.id}`;
      for (const step of [
        () => h.request('POST', `${path}/transitions`, { body: { to: 'scheduled' } }),
        () => edit(h, path, { actualStart: new Date(start).toISOString() }),
        () => h.request('POST', `${path}/transitions`, { body: { to: 'implement' } }),
        () => edit(h, path, { actualEnd: new Date(start + HOUR).toISOString(), closeCode: 'successful' }),
        () => h.request('POST', `${path}/transitions`, { body: { to: 'closed' } }),
      ]) {
        const res = await step();
        assert.equal(res.status, 200, res.text);
      }
    };
    for (let i = 0; i < 4; i++) await madeFrom(a.id);
    await madeFrom(b.id, 10);
    await madeFrom(b.id, 20);
    await madeFrom(d.id, 10);
    // Finished before the 90 days: used, but not counted in the last 90 days.
    await madeFrom(d.id, 100);

    const byId = (...ts: { id: string; name?: string }[]) => [...ts].sort((x, y) => (x.id < y.id ? -1 : 1)).map((t) => t.name);
    const nameOf = (r: Record<string, unknown>) => r.name;
    await assertPaged(h, '/api/v1/templates', 'sort=used', nameOf, [c.name, ...byId(b, d), a.name]);
    await assertPaged(h, '/api/v1/templates', 'sort=-used', nameOf, [a.name, ...byId(b, d), c.name]);
    await assertPaged(h, '/api/v1/templates', 'sort=changes90d', nameOf, [...byId(a, c), d.name, b.name]);
    await assertPaged(h, '/api/v1/templates', 'sort=-changes90d', nameOf, [b.name, d.name, ...byId(a, c)]);
    const listed = await h.request('GET', '/api/v1/templates?sort=-used');
    assert.deepEqual(
      listed.body.items.map((t: { history: { used: number; changes90d: number } }) => [t.history.used, t.history.changes90d]),
      [[4, 0], [2, byId(b, d)[0] === b.name ? 2 : 1], [2, byId(b, d)[0] === b.name ? 1 : 2], [0, 0]],
      'the order is the one the columns show',
    );
    const exported = await h.request('GET', '/api/v1/templates/export.csv?sort=-changes90d');
    assert.equal(exported.status, 200, exported.text);
    assert.deepEqual(parseCsv(exported.text).slice(1, 3).map((row) => row[0]), [b.name, d.name], 'the export sorts alike');
  });

  eachEngine('exports every matching template as CSV', async (h) => {
    await post(h, '/api/v1/templates', { name: '+Apatch, monthly', type: 'standard', description: 'say "hi"' });
    await post(h, '/api/v1/templates', { name: 'Failover', type: 'emergency' });
    const res = await h.request('GET', '/api/v1/templates/export.csv?sort=-name');
    assert.equal(res.status, 200, res.text);
    assert.match(String(res.headers['content-disposition']), /^attachment; filename="cabinet-templates-\d{4}-\d{2}-\d{2}\.csv"$/);
    const rows = parseCsv(res.text);
    assert.deepEqual(rows[0]!.slice(0, 4), ['Name', 'Description', 'Type', 'Active']);
    assert.deepEqual(
      rows.slice(1).map((r) => r.slice(0, 4)),
      [
        ['Failover', '', 'emergency', 'true'],
        ["'+Apatch, monthly", 'say "hi"', 'standard', 'true'],
      ],
      'by name descending; a formula is defused, a comma and quotes quoted',
    );
    assert.equal((await h.request('GET', '/api/v1/templates/export.csv?sort=colour')).status, 400);
  });
});
