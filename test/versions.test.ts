import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIfMatch } from '../src/http/versions';
import { eachEngine, type Harness, type Reply } from './support/cabinet';

/** One versioned resource: how to create it, and one field an edit changes. */
interface Versioned {
  name: string;
  create: (h: Harness) => Promise<Reply>;
  path: (id: string) => string;
  field: string;
  edits: [unknown, unknown, unknown];
}

const RESOURCES: Versioned[] = [
  {
    name: 'change',
    create: (h) => h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Rotate certificates' } }),
    path: (id) => `/api/v1/changes/${id}`,
    field: 'title',
    edits: ['Rotate the certificates', 'Rotate the TLS certificates', 'Rotate the edge TLS certificates'],
  },
  {
    name: 'service',
    create: (h) => h.request('POST', '/api/v1/services', { body: { name: 'Payments', tier: 2 } }),
    path: (id) => `/api/v1/services/${id}`,
    field: 'tier',
    edits: [1, 3, 4],
  },
  {
    name: 'CI',
    create: (h) => h.request('POST', '/api/v1/cis', { body: { name: 'pay-db-01', type: 'database', environment: 'production', criticality: 'low' } }),
    path: (id) => `/api/v1/cis/${id}`,
    field: 'criticality',
    edits: ['high', 'critical', 'medium'],
  },
  {
    name: 'template',
    // A normal template is edited in place (an active standard entry's edits wait as proposed versions: docs/catalogue.md).
    create: (h) => h.request('POST', '/api/v1/templates', { body: { name: 'Monthly OS patching', type: 'normal', description: 'Apply the patches' } }),
    path: (id) => `/api/v1/templates/${id}`,
    field: 'description',
    edits: ['Apply the monthly patches', 'Apply the OS patches', 'Apply and reboot'],
  },
  {
    name: 'window',
    create: (h) =>
      h.request('POST', '/api/v1/windows', {
        body: { name: 'Weekend freeze', kind: 'freeze', start: '2026-10-03T20:00', timeZone: 'Europe/London', durationMinutes: 120, rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { global: true } },
      }),
    path: (id) => `/api/v1/windows/${id}`,
    field: 'durationMinutes',
    edits: [180, 240, 60],
  },
  {
    name: 'incident',
    create: (h) => h.request('POST', '/api/v1/incidents', { body: { title: 'Queue backlog' } }),
    path: (id) => `/api/v1/incidents/${id}`,
    field: 'title',
    edits: ['Queue backlog in EU', 'Queue backlog everywhere', 'Queue drained'],
  },
];

const patch = (h: Harness, path: string, body: Record<string, unknown>, ifMatch?: string) => h.request('PATCH', path, { body, ...(ifMatch === undefined ? {} : { headers: { 'if-match': ifMatch } }) });

describe('versions and lost updates', () => {
  for (const r of RESOURCES) {
    eachEngine(`a ${r.name}: GET sends its version as ETag, a PATCH without one is refused with 428 and writes nothing, If-Match is checked`, async (h) => {
      const created = await r.create(h);
      assert.equal(created.status, 201, created.text);
      const path = r.path(created.body.id);
      const [first, second, third] = r.edits;

      const read = await h.request('GET', path);
      assert.equal(read.status, 200, read.text);
      const n: number = read.body.version;
      assert.equal(read.headers.etag, `"${n}"`);
      const original = read.body[r.field];

      const unchanged = async () => {
        const now = await h.request('GET', path);
        assert.deepEqual([now.body[r.field], now.body.version, now.headers.etag], [original, n, `"${n}"`]);
      };

      const blind = await patch(h, path, { [r.field]: first });
      assert.equal(blind.status, 428, blind.text);
      assert.equal(blind.body.error.code, 'version_required');
      assert.match(blind.body.error.message, /version/);
      assert.match(blind.body.error.message, /If-Match/);
      await unchanged();

      const any = await patch(h, path, { [r.field]: first }, '*');
      assert.equal(any.status, 428, any.text);
      assert.equal(any.body.error.code, 'version_required');
      assert.match(any.body.error.message, /If-Match: \*/);
      await unchanged();

      for (const malformed of ['latest', '"0"', `"${n}", "${n + 1}"`, `W/${n}`, `"${n}`]) {
        const bad = await patch(h, path, { [r.field]: first }, malformed);
        assert.equal(bad.status, 400, `${malformed}: ${bad.text}`);
        assert.equal(bad.body.error.code, 'invalid_input');
        assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path), ['header.if-match']);
      }
      const disagree = await patch(h, path, { [r.field]: first, version: n }, `"${n + 1}"`);
      assert.equal(disagree.status, 400, disagree.text);
      await unchanged();

      const saved = await patch(h, path, { [r.field]: first }, read.headers.etag as string);
      assert.equal(saved.status, 200, saved.text);
      assert.deepEqual([saved.body[r.field], saved.body.version, saved.headers.etag], [first, n + 1, `"${n + 1}"`]);

      const stale = await patch(h, path, { [r.field]: second }, `"${n}"`);
      assert.equal(stale.status, 412, stale.text);
      assert.equal(stale.body.error.code, 'stale_version');
      const staleBody = await patch(h, path, { [r.field]: second, version: n });
      assert.equal(staleBody.status, 412, staleBody.text);
      const after = await h.request('GET', path);
      assert.deepEqual([after.body[r.field], after.body.version, after.headers.etag], [first, n + 1, `"${n + 1}"`]);

      const weak = await patch(h, path, { [r.field]: second }, `W/"${n + 1}"`);
      assert.equal(weak.status, 200, weak.text);
      assert.equal(weak.headers.etag, `"${n + 2}"`);
      const bare = await patch(h, path, { [r.field]: third }, String(n + 2));
      assert.equal(bare.status, 200, bare.text);
      const inBody = await patch(h, path, { [r.field]: first, version: n + 3 });
      assert.equal(inBody.status, 200, inBody.text);
      assert.deepEqual([inBody.body[r.field], inBody.body.version, inBody.headers.etag], [first, n + 4, `"${n + 4}"`]);
    });
  }

  eachEngine('a risk override without the change version it was made against is refused with 428 and sets nothing', async (h) => {
    const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Rotate certificates' } });
    assert.equal(change.status, 201, change.text);
    const url = `/api/v1/changes/${change.body.id}/risk/override`;
    const body = { level: 'high', justification: 'Year-end trading: treat as high' };
    const noOverride = async () => assert.equal((await h.request('GET', `/api/v1/changes/${change.body.id}/risk`)).body.override, null);

    const blind = await h.request('POST', url, { body });
    assert.equal(blind.status, 428, blind.text);
    assert.equal(blind.body.error.code, 'version_required');
    assert.equal((await h.request('POST', url, { body, headers: { 'if-match': '*' } })).status, 428);
    await noOverride();

    const { etag } = (await h.request('GET', `/api/v1/changes/${change.body.id}`)).headers;
    const edited = await h.request('PATCH', `/api/v1/changes/${change.body.id}`, { body: { title: 'Rotate the certificates' }, headers: { 'if-match': etag as string } });
    assert.equal(edited.status, 200, edited.text);
    const stale = await h.request('POST', url, { body, headers: { 'if-match': etag as string } });
    assert.equal(stale.status, 412, stale.text);
    await noOverride();

    const ok = await h.request('POST', url, { body, headers: { 'if-match': edited.headers.etag as string } });
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.level, 'high');
  });

  eachEngine('the API description lists 428 and 412 for every write that needs a version', async (h) => {
    const spec = await h.request('GET', '/api/v1/openapi.json');
    assert.equal(spec.status, 200, spec.text);
    const writes = [
      ['patch', '/api/v1/changes/{id}'],
      ['post', '/api/v1/changes/{id}/risk/override'],
      ['patch', '/api/v1/services/{id}'],
      ['patch', '/api/v1/cis/{id}'],
      ['patch', '/api/v1/templates/{id}'],
      ['patch', '/api/v1/windows/{id}'],
      ['patch', '/api/v1/incidents/{id}'],
    ];
    for (const [method, path] of writes) {
      const responses = spec.body.paths[path!]?.[method!]?.responses ?? {};
      assert.ok('428' in responses && '412' in responses, `${method} ${path}: ${Object.keys(responses).join(', ')}`);
    }
  });

  eachEngine('a transition keeps If-Match optional and answers with the new ETag', async (h) => {
    const change = await h.request('POST', '/api/v1/changes', { body: { type: 'normal', title: 'Rotate certificates' } });
    const cancelled = await h.request('POST', `/api/v1/changes/${change.body.id}/transitions`, { body: { to: 'cancelled', comment: 'Not needed any more' } });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.headers.etag, `"${cancelled.body.version}"`);
    assert.equal(cancelled.body.version, change.body.version + 1);
  });
});

describe('If-Match parsing', () => {
  const cases: [string | undefined, number | '*' | undefined][] = [
    [undefined, undefined],
    ['"3"', 3],
    ['3', 3],
    ['W/"3"', 3],
    [' "12" ', 12],
    ['*', '*'],
  ];
  for (const [header, expected] of cases) {
    it(`reads ${JSON.stringify(header)} as ${JSON.stringify(expected)}`, () => assert.equal(parseIfMatch(header), expected));
  }
  for (const header of ['', 'latest', '"0"', '0', '-1', '"3', 'W/3', '"3", "4"', '"3.5"', '"03"', 'w/"3"']) {
    it(`refuses ${JSON.stringify(header)}`, () => assert.throws(() => parseIfMatch(header), { code: 'invalid_input' }));
  }
});
