import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { eachEngine, type Harness } from './support/cabinet';

const CSV_HEADER = 'name,type,environment,service,criticality,tags';
const paths = (res: { body: { error: { details: { issues: { path: string }[] } } } }) =>
  res.body.error.details.issues.map((i) => i.path).sort();
const names = (res: { body: { items: { name: string }[] } }) => res.body.items.map((i) => i.name);

function importCsv(h: Harness, csv: string, query = '') {
  return h.request('POST', `/api/v1/cis/import${query}`, { body: csv, headers: { 'content-type': 'text/csv' } });
}

async function count(h: Harness, table: 'cis' | 'ci_relations' | 'audit_events' | 'services'): Promise<number> {
  const row = await h.cabinet.store.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Audit events (optionally of one action), oldest first, with their data parsed. */
async function events(h: Harness, action?: string) {
  let q = h.cabinet.store.kysely.selectFrom('audit_events').select(['seq', 'action', 'entity_id', 'data']).orderBy('seq');
  if (action) q = q.where('action', '=', action);
  return (await q.execute()).map((r) => ({ seq: Number(r.seq), action: r.action, entityId: r.entity_id, data: JSON.parse(r.data) }));
}

async function service(h: Harness, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/api/v1/services', { body: { name, tier: 2, ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

async function ci(h: Harness, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/api/v1/cis', { body: { name, type: 'server', environment: 'production', ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}

// Every test has its own database, so the SQLite and PostgreSQL runs of a test may overlap.
describe('cmdb', { concurrency: 2 }, () => {
  eachEngine('creates a service, reads it by id and by name, and updates it only at the version the caller read', async (h) => {
    const created = await h.request('POST', '/api/v1/services', {
      body: { name: 'Payments', tier: 1, tags: ['pci', 'pci', 'revenue'], provider: 'aws' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.version, 1);
    assert.deepEqual(created.body.tags, ['pci', 'revenue']);
    assert.equal(created.body.description, '');
    assert.equal(created.body.ownerTeamId, null);
    for (const key of [created.body.id, 'Payments']) {
      const got = await h.request('GET', `/api/v1/services/${key}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, created.body);
    }
    const missing = await h.request('GET', '/api/v1/services/Nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    const duplicate = await h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 3 } });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.code, 'already_exists');
    const bad = await h.request('POST', '/api/v1/services', { body: { name: ' ', tier: 9, provider: 'moon', tags: ['Not OK'] } });
    assert.equal(bad.status, 400);
    assert.deepEqual(paths(bad), ['name', 'provider', 'tags.0', 'tier']);
    const unknownTeam = await h.request('POST', '/api/v1/services', { body: { name: 'Ledger', tier: 1, ownerTeamId: 'ghost-team' } });
    assert.equal(unknownTeam.status, 400);
    assert.deepEqual(paths(unknownTeam), ['ownerTeamId']);

    const patched = await h.request('PATCH', `/api/v1/services/${created.body.id}`, { body: { description: 'Card payments', version: 1 } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.version, 2);
    const stale = await h.request('PATCH', `/api/v1/services/Payments`, { body: { description: 'Lost update', version: 1 } });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.error.code, 'stale_version');
    assert.equal(stale.body.error.details.currentVersion, 2);
    const staleHeader = await h.request('PATCH', `/api/v1/services/${created.body.id}`, {
      body: { description: 'Lost update' },
      headers: { 'if-match': '"1"' },
    });
    assert.equal(staleHeader.status, 412);
    const viaHeader = await h.request('PATCH', `/api/v1/services/${created.body.id}`, {
      body: { tier: 2 },
      headers: { 'if-match': '"2"' },
    });
    assert.equal(viaHeader.status, 200, viaHeader.text);
    assert.equal(viaHeader.body.version, 3);
    const badHeader = await h.request('PATCH', `/api/v1/services/${created.body.id}`, {
      body: { tier: 3 },
      headers: { 'if-match': 'latest' },
    });
    assert.equal(badHeader.status, 400);
    assert.deepEqual(paths(badHeader), ['header.if-match']);

    const now = await h.request('GET', `/api/v1/services/${created.body.id}`);
    assert.equal(now.body.description, 'Card payments');
    assert.equal(now.body.tier, 2);
    assert.equal(now.body.version, 3);
    // An update leaves the fields it does not name as they were.
    assert.deepEqual(now.body.tags, ['pci', 'revenue']);
    assert.equal(now.body.provider, 'aws');
    const history = (await events(h)).filter((e) => e.entityId === created.body.id);
    assert.deepEqual(
      history.map((e) => e.action),
      ['service.created', 'service.updated', 'service.updated'],
    );
    assert.deepEqual(history[1]!.data.changes, { description: { from: '', to: 'Card payments' } });
  });

  eachEngine('creates a CI, reads it by id and by name, and updates it only at the version the caller read', async (h) => {
    const svc = await service(h, 'Payments');
    const created = await h.request('POST', '/api/v1/cis', {
      body: {
        name: 'pay-db-01',
        type: 'database',
        environment: 'production',
        serviceId: svc,
        tags: ['pci'],
        attributes: { engine: 'postgres', cores: 8 },
      },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.criticality, 'medium');
    assert.equal(created.body.serviceId, svc);
    assert.deepEqual(created.body.attributes, { engine: 'postgres', cores: 8 });
    for (const key of [created.body.id, 'pay-db-01']) {
      const got = await h.request('GET', `/api/v1/cis/${key}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, created.body);
    }
    assert.equal((await h.request('GET', '/api/v1/cis/pay-db-99')).status, 404);
    const duplicate = await h.request('POST', '/api/v1/cis', { body: { name: 'pay-db-01', type: 'database', environment: 'staging' } });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.code, 'already_exists');
    const bad = await h.request('POST', '/api/v1/cis', {
      body: { name: 'x', type: 'Big Server', environment: 'moon', criticality: 'extreme', tags: ['UPPER'] },
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(paths(bad), ['criticality', 'environment', 'tags.0', 'type']);
    const unknownRefs = await h.request('POST', '/api/v1/cis', {
      body: { name: 'pay-db-02', type: 'database', environment: 'production', serviceId: 'ghost-service', ownerTeamId: 'ghost-team' },
    });
    assert.equal(unknownRefs.status, 400);
    assert.deepEqual(paths(unknownRefs), ['ownerTeamId', 'serviceId']);

    const patched = await h.request('PATCH', `/api/v1/cis/${created.body.id}`, { body: { criticality: 'critical', version: 1 } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.version, 2);
    assert.equal(patched.body.criticality, 'critical');
    const stale = await h.request('PATCH', '/api/v1/cis/pay-db-01', { body: { criticality: 'low', version: 1 } });
    assert.equal(stale.status, 412);
    assert.equal(stale.body.error.code, 'stale_version');
    const staleHeader = await h.request('PATCH', `/api/v1/cis/${created.body.id}`, {
      body: { criticality: 'low' },
      headers: { 'if-match': 'W/"1"' },
    });
    assert.equal(staleHeader.status, 412);
    const viaHeader = await h.request('PATCH', `/api/v1/cis/${created.body.id}`, {
      body: { environment: 'staging' },
      headers: { 'if-match': '2' },
    });
    assert.equal(viaHeader.status, 200, viaHeader.text);
    assert.equal(viaHeader.body.version, 3);
    const unknownService = await h.request('PATCH', `/api/v1/cis/${created.body.id}`, { body: { serviceId: 'ghost-service', version: 3 } });
    assert.equal(unknownService.status, 400);
    assert.deepEqual(paths(unknownService), ['serviceId']);

    const now = await h.request('GET', `/api/v1/cis/${created.body.id}`);
    assert.equal(now.body.criticality, 'critical');
    assert.equal(now.body.environment, 'staging');
    assert.equal(now.body.serviceId, svc);
    assert.equal(now.body.version, 3);
    // An update leaves the fields it does not name as they were.
    assert.deepEqual(now.body.tags, ['pci']);
    assert.deepEqual(now.body.attributes, { engine: 'postgres', cores: 8 });
    const requester = await h.userWithToken(['requester']);
    assert.equal((await h.request('GET', `/api/v1/cis/${created.body.id}`, { token: requester.token })).status, 200);
    const byRequester = await h.request('PATCH', `/api/v1/cis/${created.body.id}`, {
      token: requester.token,
      body: { criticality: 'low', version: now.body.version },
    });
    assert.equal(byRequester.status, 403);
  });

  eachEngine('lists services by name search and exact tag, a page at a time', async (h) => {
    await service(h, 'Payments', { tags: ['pci', 'revenue'] });
    await service(h, 'Payroll', { tags: ['hr'] });
    await service(h, 'Search', { tags: ['pci-dss'] });
    await service(h, 'Email', { tags: [] });
    assert.deepEqual(names(await h.request('GET', '/api/v1/services?q=PAY')), ['Payments', 'Payroll']);
    assert.deepEqual(names(await h.request('GET', '/api/v1/services?tag=pci')), ['Payments']);
    assert.deepEqual(names(await h.request('GET', '/api/v1/services?tag=pci-dss')), ['Search']);
    assert.deepEqual(names(await h.request('GET', '/api/v1/services?q=%25')), []);
    const first = await h.request('GET', '/api/v1/services?limit=3');
    assert.deepEqual(names(first), ['Email', 'Payments', 'Payroll']);
    assert.equal(typeof first.body.nextCursor, 'string');
    const second = await h.request('GET', `/api/v1/services?limit=3&cursor=${first.body.nextCursor}`);
    assert.deepEqual(names(second), ['Search']);
    assert.equal(second.body.nextCursor, null);
  });

  eachEngine('lists CIs filtered by search, tag, service, environment and type, and pages through them with a cursor', async (h) => {
    const shop = await service(h, 'Shop');
    const billing = await service(h, 'Billing');
    await ci(h, 'web-01', { serviceId: shop, tags: ['frontend', 'pci'] });
    await ci(h, 'web-02', { serviceId: shop, environment: 'staging', tags: ['frontend'] });
    await ci(h, 'db-01', { serviceId: billing, type: 'database', tags: ['pci'] });
    await ci(h, 'cache-01', { type: 'cache', tags: ['pci-cache'] });
    await ci(h, 'web_proxy', { type: 'proxy' });

    const list = (query: string) => h.request('GET', `/api/v1/cis?${query}`).then(names);
    assert.deepEqual(await list('q=WEB'), ['web-01', 'web-02', 'web_proxy']);
    // LIKE wildcards in the search are taken literally.
    assert.deepEqual(await list('q=web_'), ['web_proxy']);
    assert.deepEqual(await list('tag=pci'), ['db-01', 'web-01']);
    assert.deepEqual(await list('tag=pc'), []);
    assert.deepEqual(await list(`serviceId=${shop}`), ['web-01', 'web-02']);
    assert.deepEqual(await list('environment=production'), ['cache-01', 'db-01', 'web-01', 'web_proxy']);
    assert.deepEqual(await list('type=database'), ['db-01']);
    assert.deepEqual(await list(`tag=pci&environment=production&serviceId=${shop}`), ['web-01']);
    const badEnvironment = await h.request('GET', '/api/v1/cis?environment=moon');
    assert.equal(badEnvironment.status, 400);
    assert.deepEqual(paths(badEnvironment), ['query.environment']);

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { status: number; body: { items: { name: string }[]; nextCursor: string | null } } = await h.request(
        'GET',
        `/api/v1/cis?environment=production&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((i) => i.name));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    assert.deepEqual(seen, ['cache-01', 'db-01', 'web-01', 'web_proxy']);
    assert.equal(pages, 2);
  });

  eachEngine(
    'relates CIs once per type, refuses self, unknown and duplicate relations, shows both directions and removes a relation',
    async (h) => {
      const app = await ci(h, 'app-01');
      const db = await ci(h, 'db-01', { type: 'database' });
      const lb = await ci(h, 'lb-01', { type: 'loadbalancer' });

      const dependsOn = await h.request('POST', `/api/v1/cis/${app}/relations`, { body: { toCiId: db, type: 'depends_on' } });
      assert.equal(dependsOn.status, 201, dependsOn.text);
      assert.equal(dependsOn.body.fromCiId, app);
      assert.equal(dependsOn.body.toCiId, db);
      const duplicate = await h.request('POST', `/api/v1/cis/${app}/relations`, { body: { toCiId: db, type: 'depends_on' } });
      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.error.code, 'already_exists');
      const connects = await h.request('POST', `/api/v1/cis/app-01/relations`, { body: { toCiId: db, type: 'connects_to' } });
      assert.equal(connects.status, 201);
      const incoming = await h.request('POST', `/api/v1/cis/${lb}/relations`, { body: { toCiId: app, type: 'connects_to' } });
      assert.equal(incoming.status, 201);

      const self = await h.request('POST', `/api/v1/cis/${app}/relations`, { body: { toCiId: app, type: 'runs_on' } });
      assert.equal(self.status, 400);
      assert.deepEqual(paths(self), ['toCiId']);
      const unknown = await h.request('POST', `/api/v1/cis/${app}/relations`, { body: { toCiId: 'ghost-ci', type: 'runs_on' } });
      assert.equal(unknown.status, 400);
      assert.deepEqual(paths(unknown), ['toCiId']);
      const badType = await h.request('POST', `/api/v1/cis/${app}/relations`, { body: { toCiId: db, type: 'owns' } });
      assert.equal(badType.status, 400);
      assert.deepEqual(paths(badType), ['type']);
      const unknownSource = await h.request('POST', '/api/v1/cis/ghost-ci/relations', { body: { toCiId: db, type: 'runs_on' } });
      assert.equal(unknownSource.status, 404);
      assert.equal(await count(h, 'ci_relations'), 3);

      const relations = await h.request('GET', `/api/v1/cis/${app}/relations`);
      assert.equal(relations.status, 200);
      assert.deepEqual(
        relations.body.outgoing.map((r: { type: string; otherCiName: string; toCiId: string }) => [r.type, r.otherCiName, r.toCiId]).sort(),
        [
          ['connects_to', 'db-01', db],
          ['depends_on', 'db-01', db],
        ],
      );
      assert.deepEqual(
        relations.body.incoming.map((r: { type: string; otherCiName: string; fromCiId: string }) => [r.type, r.otherCiName, r.fromCiId]),
        [['connects_to', 'lb-01', lb]],
      );
      const fromDb = await h.request('GET', '/api/v1/cis/db-01/relations');
      assert.deepEqual(fromDb.body.outgoing, []);
      assert.deepEqual(
        fromDb.body.incoming.map((r: { otherCiName: string }) => r.otherCiName),
        ['app-01', 'app-01'],
      );

      const viaUnrelated = await h.request('DELETE', `/api/v1/cis/${lb}/relations/${dependsOn.body.id}`);
      assert.equal(viaUnrelated.status, 404);
      const removed = await h.request('DELETE', `/api/v1/cis/${db}/relations/${dependsOn.body.id}`);
      assert.equal(removed.status, 204);
      const again = await h.request('DELETE', `/api/v1/cis/${app}/relations/${dependsOn.body.id}`);
      assert.equal(again.status, 404);
      const after = await h.request('GET', `/api/v1/cis/${app}/relations`);
      assert.deepEqual(
        after.body.outgoing.map((r: { type: string }) => r.type),
        ['connects_to'],
      );

      const trail = (await events(h)).filter((e) => e.action.startsWith('ci.relation'));
      assert.deepEqual(
        trail.map((e) => e.action),
        ['ci.relation_added', 'ci.relation_added', 'ci.relation_added', 'ci.relation_removed'],
      );
      assert.equal(trail[0]!.data.after.toCiName, 'db-01');
      assert.equal(trail[3]!.data.before.id, dependsOn.body.id);
    },
  );

  eachEngine('imports a CSV of CIs, stores the good rows and reports each bad row with every one of its problems', async (h) => {
    const payments = await service(h, 'Payments');
    const csv = [
      CSV_HEADER,
      'web-01,server,production,Payments,high,frontend;pci',
      'web-02,server,moon,Ghost,extreme,frontend',
      'db-01,database,production,payments,critical,pci',
      ',server,production,,,',
      'cache-01,cache,staging,,low,',
      'web-01,server,staging,,low,',
    ].join('\n');
    const eventsBefore = await count(h, 'audit_events');
    const res = await importCsv(h, csv);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, 3);
    assert.equal(res.body.updated, 0);
    assert.equal(res.body.unchanged, 0);
    assert.equal(res.body.dryRun, false);
    assert.deepEqual(
      res.body.errors.map((e: { row: number }) => e.row),
      [2, 4, 6],
    );
    const [bad, nameless, repeated] = res.body.errors.map((e: { message: string }) => e.message);
    assert.match(bad, /environment/);
    assert.match(bad, /unknown service "Ghost"/);
    assert.match(bad, /criticality/);
    assert.match(nameless, /name/);
    assert.match(repeated, /already appears in row 1/);

    const stored = await h.request('GET', '/api/v1/cis');
    assert.deepEqual(names(stored), ['cache-01', 'db-01', 'web-01']);
    const web = await h.request('GET', '/api/v1/cis/web-01');
    assert.equal(web.body.serviceId, payments);
    assert.equal(web.body.environment, 'production');
    assert.equal(web.body.criticality, 'high');
    assert.deepEqual(web.body.tags, ['frontend', 'pci']);
    assert.equal((await h.request('GET', '/api/v1/cis/db-01')).body.serviceId, payments, 'service names match whatever their case');
    const cache = await h.request('GET', '/api/v1/cis/cache-01');
    assert.equal(cache.body.serviceId, null);
    assert.deepEqual(cache.body.tags, []);

    const created = (await events(h, 'ci.created')).filter((e) => e.seq > eventsBefore);
    assert.equal(await count(h, 'audit_events'), eventsBefore + 3);
    assert.deepEqual(
      created.map((e) => [e.data.after.name, e.data.source, e.data.row]),
      [
        ['web-01', 'import', 1],
        ['db-01', 'import', 3],
        ['cache-01', 'import', 5],
      ],
    );
  });

  eachEngine('re-importing the same CSV changes nothing, and a changed row is updated in place', async (h) => {
    await service(h, 'Payments');
    // Quoted header cells and a byte order mark, as spreadsheets write them, are read like a plain header.
    const csv = [
      '\uFEFF"name","type","environment","service","criticality","tags"',
      'web-01,server,production,Payments,high,frontend;pci',
      'web-02,server,staging,,,',
      '"db-01",database,production,Payments,critical,"pci"',
    ].join('\r\n');
    const first = await importCsv(h, csv);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual([first.body.created, first.body.updated, first.body.unchanged, first.body.errors], [3, 0, 0, []]);
    const eventsAfterFirst = await count(h, 'audit_events');

    const again = await importCsv(h, csv);
    assert.equal(again.status, 200);
    assert.deepEqual([again.body.created, again.body.updated, again.body.unchanged, again.body.errors], [0, 0, 3, []]);
    assert.equal(await count(h, 'audit_events'), eventsAfterFirst);
    assert.equal((await h.request('GET', '/api/v1/cis/web-01')).body.version, 1);

    const changed = csv.replace('web-01,server,production,Payments,high,frontend;pci', 'web-01,server,production,Payments,low,frontend');
    const third = await importCsv(h, changed);
    assert.deepEqual([third.body.created, third.body.updated, third.body.unchanged, third.body.errors], [0, 1, 2, []]);
    const web = await h.request('GET', '/api/v1/cis/web-01');
    assert.equal(web.body.version, 2);
    assert.equal(web.body.criticality, 'low');
    assert.deepEqual(web.body.tags, ['frontend']);
    assert.equal(await count(h, 'cis'), 3);
    const updates = await events(h, 'ci.updated');
    assert.equal(updates.length, 1);
    assert.equal(updates[0]!.entityId, web.body.id);
    assert.equal(updates[0]!.data.source, 'import');
    assert.deepEqual(updates[0]!.data.changes, {
      criticality: { from: 'high', to: 'low' },
      tags: { from: ['frontend', 'pci'], to: ['frontend'] },
    });
  });

  eachEngine('imports a JSON array with relations and a from,type,to CSV of relations, reporting unknown CIs by row', async (h) => {
    await service(h, 'Payments');
    const json = [
      {
        name: 'app-01',
        type: 'server',
        environment: 'production',
        service: 'Payments',
        tags: ['pci'],
        attributes: { cpu: 4 },
        relations: [{ to: 'db-01', type: 'depends_on' }],
      },
      { name: 'db-01', type: 'database', environment: 'production', criticality: 'critical' },
      { name: 'lb-01', type: 'loadbalancer', environment: 'production', relations: [{ to: 'app-01', type: 'connects_to' }] },
      {
        name: 'orphan-01',
        type: 'server',
        environment: 'production',
        relations: [
          { to: 'app-01', type: 'connects_to' },
          { to: 'ghost-99', type: 'depends_on' },
        ],
      },
      { name: 'bad-01', type: 'server', environment: 'production', relations: [{ to: 'db-01', type: 'owns' }] },
      'not a row',
    ];
    const res = await h.request('POST', '/api/v1/cis/import', { body: json });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.created, 3);
    assert.equal(res.body.relationsCreated, 2);
    assert.deepEqual(
      res.body.errors.map((e: { row: number }) => e.row),
      [4, 5, 6],
    );
    assert.match(res.body.errors[0].message, /unknown CI "ghost-99"/);
    assert.match(res.body.errors[1].message, /relations\.0\.type/);
    assert.match(res.body.errors[2].message, /name/);
    // A row whose relation cannot be made is refused whole: its CI is not created either.
    assert.equal((await h.request('GET', '/api/v1/cis/orphan-01')).status, 404);
    const app = await h.request('GET', '/api/v1/cis/app-01');
    assert.deepEqual(app.body.attributes, { cpu: 4 });
    assert.deepEqual(app.body.tags, ['pci']);
    const relations = await h.request('GET', '/api/v1/cis/app-01/relations');
    assert.deepEqual(
      relations.body.outgoing.map((r: { type: string; otherCiName: string }) => [r.type, r.otherCiName]),
      [['depends_on', 'db-01']],
    );
    assert.deepEqual(
      relations.body.incoming.map((r: { type: string; otherCiName: string }) => [r.type, r.otherCiName]),
      [['connects_to', 'lb-01']],
    );
    assert.equal((await h.request('GET', '/api/v1/cis/bad-01')).status, 404);

    const relationsCsv = [
      'from,type,to',
      'app-01,runs_on,db-01',
      'lb-01,depends_on,nowhere',
      'lb-01,owns,db-01',
      'app-01,depends_on,db-01',
      'db-01,runs_on,db-01',
    ].join('\n');
    const rel = await importCsv(h, relationsCsv);
    assert.equal(rel.status, 200, rel.text);
    assert.equal(rel.body.created, 0);
    assert.equal(rel.body.relationsCreated, 1);
    assert.deepEqual(
      rel.body.errors.map((e: { row: number }) => e.row),
      [2, 3, 5],
    );
    assert.match(rel.body.errors[0].message, /unknown CI "nowhere"/);
    assert.match(rel.body.errors[1].message, /type/);
    assert.match(rel.body.errors[2].message, /itself/);
    assert.equal(await count(h, 'ci_relations'), 3);
    const runsOn = await h.request('GET', '/api/v1/cis/db-01/relations');
    assert.deepEqual(runsOn.body.incoming.map((r: { type: string }) => r.type).sort(), ['depends_on', 'runs_on']);

    const added = await events(h, 'ci.relation_added');
    assert.equal(added.length, 3);
    assert.ok(added.every((e) => e.data.source === 'import'));

    // Names are matched regardless of case: APP-01 is the app-01 already stored, not a new CI.
    const recased = await importCsv(h, [CSV_HEADER, 'APP-01,server,staging,,,'].join('\n'));
    assert.equal(recased.status, 200, recased.text);
    assert.deepEqual([recased.body.created, recased.body.updated], [0, 1]);
    assert.equal((await h.request('GET', '/api/v1/cis/App-01')).body.environment, 'staging');
    const duplicate = await h.request('POST', '/api/v1/cis', { body: { name: 'DB-01', type: 'database', environment: 'production' } });
    assert.equal(duplicate.status, 409);
    assert.equal(duplicate.body.error.code, 'already_exists');
  });

  eachEngine('stores nothing from an atomic import with one bad row, and nothing from a dry run, while reporting the counts', async (h) => {
    const csv = [CSV_HEADER, 'web-01,server,production,,high,', 'web-02,server,moon,,high,', 'web-03,server,staging,,low,'].join('\n');
    const eventsBefore = await count(h, 'audit_events');
    const atomic = await importCsv(h, csv, '?atomic=true');
    assert.equal(atomic.status, 200, atomic.text);
    assert.deepEqual([atomic.body.created, atomic.body.updated, atomic.body.relationsCreated], [0, 0, 0]);
    assert.deepEqual(
      atomic.body.errors.map((e: { row: number }) => e.row),
      [2],
    );
    // A relation that only fails while applying also aborts an atomic import.
    const atomicJson = await h.request('POST', '/api/v1/cis/import?atomic=true', {
      body: [{ name: 'web-01', type: 'server', environment: 'production', relations: [{ to: 'ghost-ci', type: 'depends_on' }] }],
    });
    assert.equal(atomicJson.status, 200);
    assert.equal(atomicJson.body.created, 0);
    assert.deepEqual(
      atomicJson.body.errors.map((e: { row: number }) => e.row),
      [1],
    );
    assert.equal(await count(h, 'cis'), 0);
    assert.equal(await count(h, 'audit_events'), eventsBefore);

    const good = [CSV_HEADER, 'web-01,server,production,,high,', 'web-03,server,staging,,low,'].join('\n');
    const dry = await importCsv(h, good, '?dryRun=true');
    assert.equal(dry.status, 200);
    assert.equal(dry.body.dryRun, true);
    assert.deepEqual([dry.body.created, dry.body.updated, dry.body.errors], [2, 0, []]);
    assert.equal(await count(h, 'cis'), 0);
    assert.equal(await count(h, 'audit_events'), eventsBefore);
    assert.deepEqual(names(await h.request('GET', '/api/v1/cis')), []);

    const real = await importCsv(h, good);
    assert.equal(real.body.created, 2);
    const eventsAfterImport = await count(h, 'audit_events');
    const dryUpdate = await importCsv(h, good.replace('web-01,server,production,,high,', 'web-01,server,production,,low,'), '?dryRun=true');
    assert.deepEqual([dryUpdate.body.created, dryUpdate.body.updated, dryUpdate.body.unchanged], [0, 1, 1]);
    assert.equal((await h.request('GET', '/api/v1/cis/web-01')).body.criticality, 'high');
    assert.equal(await count(h, 'audit_events'), eventsAfterImport);
  });

  eachEngine(
    'refuses a malformed CSV, a JSON document that is not an array and an unsupported content type as a whole, storing nothing',
    async (h) => {
      const eventsBefore = await count(h, 'audit_events');
      const unclosed = await importCsv(h, `${CSV_HEADER}\n"web-01,server,production,,,\n`);
      assert.equal(unclosed.status, 400);
      assert.equal(unclosed.body.error.code, 'invalid_import');
      assert.match(unclosed.body.error.details.issues[0].message, /quote/i);
      const ragged = await importCsv(h, `${CSV_HEADER}\nweb-01,server,production,,,,extra\n`);
      assert.equal(ragged.status, 400);
      assert.equal(ragged.body.error.code, 'invalid_import');
      assert.match(ragged.body.error.details.issues[0].message, /line 2/);
      const headless = await importCsv(h, 'web-01,server,production\nweb-02,server,production\n');
      assert.equal(headless.status, 400);
      assert.equal(headless.body.error.code, 'invalid_import');
      assert.deepEqual(paths(headless), ['header']);
      const empty = await importCsv(h, '');
      assert.equal(empty.status, 400);
      assert.equal(empty.body.error.code, 'invalid_import');

      const object = await h.request('POST', '/api/v1/cis/import', { body: { name: 'web-01', type: 'server', environment: 'production' } });
      assert.equal(object.status, 400);
      assert.equal(object.body.error.code, 'invalid_import');
      assert.match(object.body.error.message, /array/);
      const brokenJson = await h.request('POST', '/api/v1/cis/import', {
        body: '[{"name": "web-01",',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(brokenJson.status, 400);
      assert.match(brokenJson.body.error.message, /JSON/);

      const plain = await h.request('POST', '/api/v1/cis/import', {
        body: `${CSV_HEADER}\nweb-01,server,production,,,\n`,
        headers: { 'content-type': 'text/plain' },
      });
      assert.equal(plain.body.error.code, 'unsupported_media_type');
      assert.match(plain.body.error.message, /text\/csv or application\/json/);
      const xml = await h.request('POST', '/api/v1/cis/import', { body: '<cis/>', headers: { 'content-type': 'application/xml' } });
      assert.equal(xml.body.error.code, 'unsupported_media_type');
      for (const res of [plain, xml]) assert.equal(res.status, 415);

      assert.equal(await count(h, 'cis'), 0);
      assert.equal(await count(h, 'audit_events'), eventsBefore);
    },
  );

  eachEngine('imports 2,000 CIs from one CSV with an audit event each and an intact chain', async (h) => {
    await service(h, 'Fleet');
    const rows = Array.from(
      { length: 2000 },
      (_, i) =>
        `node-${String(i).padStart(4, '0')},server,${i % 2 ? 'production' : 'staging'},${i % 3 ? 'Fleet' : ''},${['low', 'medium', 'high', 'critical'][i % 4]},fleet;rack-${i % 10}`,
    );
    const res = await importCsv(h, [CSV_HEADER, ...rows].join('\n'));
    assert.equal(res.status, 200, res.text.slice(0, 500));
    assert.equal(res.body.created, 2000);
    assert.deepEqual(res.body.errors, []);
    assert.equal(await count(h, 'cis'), 2000);
    assert.equal((await events(h, 'ci.created')).length, 2000);
    const rack = await h.request('GET', '/api/v1/cis?tag=rack-7&environment=production&limit=500');
    assert.equal(rack.body.items.length, 200);
    const last = await h.request('GET', '/api/v1/cis/node-1999');
    assert.equal(last.body.criticality, 'critical');
    assert.deepEqual(last.body.tags, ['fleet', 'rack-9']);
    const verify = await h.request('GET', '/api/v1/audit/verify');
    assert.equal(verify.body.ok, true);
    assert.equal(verify.body.checked, await count(h, 'audit_events'));
  });
});
