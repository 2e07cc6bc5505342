import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, eachEngine, onEngine, type Harness } from './support/cabinet';
import { catalogueEntry } from './support/fixtures';

const require = createRequire(import.meta.url);
const REDOCLY = path.join(path.dirname(require.resolve('@redocly/cli/package.json')), 'bin', 'cli.js');
const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document, read as JSON
type Spec = any;
interface Operation {
  method: string;
  path: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- an operation object, read as JSON
  op: any;
}

async function specOf(h: Harness): Promise<Spec> {
  const res = await h.request('GET', '/api/v1/openapi.json', { token: null });
  assert.equal(res.status, 200, res.text);
  return res.body;
}

function operationsOf(spec: Spec): Operation[] {
  return Object.entries(spec.paths as Record<string, Record<string, unknown>>).flatMap(([p, item]) =>
    METHODS.filter((m) => item[m]).map((method) => ({ method, path: p, op: item[method] })),
  );
}

/** Every value under `node` for which `match` holds, with its JSON pointer. */
function findAll(node: unknown, match: (value: Record<string, unknown>) => boolean, at = '#'): string[] {
  if (Array.isArray(node)) return node.flatMap((n, i) => findAll(n, match, `${at}/${i}`));
  if (node === null || typeof node !== 'object') return [];
  const here = match(node as Record<string, unknown>) ? [at] : [];
  return [...here, ...Object.entries(node).flatMap(([k, v]) => findAll(v, match, `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`))];
}

/** A validator of the spec's response schemas: `#/components/schemas/X` refs resolve against the spec's components. */
function responseValidator(spec: Spec) {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  const rewrite = (node: unknown): unknown =>
    JSON.parse(JSON.stringify(node), (key, value) =>
      key === '$ref' && typeof value === 'string' ? value.replace('#/components/schemas/', 'components#/$defs/') : value,
    );
  ajv.addSchema({ $id: 'components', $defs: rewrite(spec.components.schemas) as object });
  return (method: string, p: string, status: number, body: unknown) => {
    const schema = spec.paths[p]?.[method]?.responses?.[String(status)]?.content?.['application/json']?.schema;
    assert.ok(schema, `${method} ${p} documents no JSON schema for ${status}`);
    const validate = ajv.compile(rewrite(schema) as object);
    assert.ok(validate(body), `${method.toUpperCase()} ${p} ${status} does not match its schema: ${ajv.errorsText(validate.errors)}`);
  };
}

describe('the OpenAPI document', () => {
  eachEngineOnce('passes @redocly/cli lint with the recommended rules: no errors, no warnings', async (h) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cabinet-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(await specOf(h), null, 2));
      // NOTE: no telemetry or update check (there is no network in CI); cwd in the temporary folder so that no
      // redocly.yaml of the checkout changes the rules.
      const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' };
      const { stdout } = await promisify(execFile)(process.execPath, [REDOCLY, 'lint', file, '--extends=recommended', '--format=json'], {
        cwd: dir,
        env,
        maxBuffer: 64 * 1024 * 1024,
      }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
      const report = JSON.parse(stdout) as {
        totals: { errors: number; warnings: number };
        problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
      };
      const listed = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`).join('\n');
      assert.equal(report.totals.errors, 0, listed);
      assert.equal(report.totals.warnings, 0, listed);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  eachEngineOnce('names every operation with a unique camelCase operationId and documents its answers, errors included', async (h) => {
    const spec = await specOf(h);
    assert.ok(spec.openapi.startsWith('3.1'), spec.openapi);
    assert.ok(spec.servers?.length > 0, 'servers');
    const operations = operationsOf(spec);
    assert.ok(operations.length > 90, `${operations.length} operations`);
    const ids = operations.map((o) => o.op.operationId);
    for (const { method, path: p, op } of operations) {
      const where = `${method.toUpperCase()} ${p}`;
      assert.match(op.operationId ?? '', /^[a-z][a-zA-Z0-9]*$/, `${where}: operationId ${op.operationId}`);
      const statuses = Object.keys(op.responses);
      const success = statuses.filter((s) => s.startsWith('2'));
      assert.ok(success.length > 0, `${where} documents no success`);
      for (const s of success) {
        if (s === '204') assert.equal(op.responses[s].content, undefined, `${where} 204 has a body`);
        else
          assert.ok(
            Object.values(op.responses[s].content ?? {}).some((c) => (c as { schema?: unknown }).schema),
            `${where} ${s} has no schema`,
          );
      }
      assert.ok(
        statuses.some((s) => s.startsWith('4')),
        `${where} documents no error`,
      );
      for (const s of statuses.filter((x) => /^[45]/.test(x))) {
        assert.deepEqual(
          op.responses[s].content?.['application/json']?.schema,
          { $ref: '#/components/schemas/Error' },
          `${where} ${s} is not the shared Error`,
        );
      }
      if (p.includes('{')) assert.ok(statuses.includes('404'), `${where} names a record but documents no 404`);
      if (op.security === undefined) assert.ok(statuses.includes('401'), `${where} needs credentials but documents no 401`);
    }
    assert.equal(new Set(ids).size, ids.length, `duplicate operationIds: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`);
    for (const [id, method, p] of [
      ['listChanges', 'get', '/api/v1/changes'],
      ['getChange', 'get', '/api/v1/changes/{id}'],
      ['createChange', 'post', '/api/v1/changes'],
      ['updateChange', 'patch', '/api/v1/changes/{id}'],
      ['getMe', 'get', '/api/v1/me'],
    ]) {
      assert.equal(spec.paths[p!][method!].operationId, id);
    }
  });

  eachEngineOnce('shares its schemas as components and writes nullable values the JSON Schema way', async (h) => {
    const spec = await specOf(h);
    const components = Object.keys(spec.components.schemas);
    for (const name of [
      'Change',
      'ChangeDetail',
      'CreateChangeInput',
      'UpdateChangeInput',
      'Me',
      'Ci',
      'Service',
      'Incident',
      'Template',
      'Window',
      'Approval',
      'Error',
    ]) {
      assert.ok(components.includes(name), `component ${name}`);
    }
    assert.deepEqual(spec.paths['/api/v1/changes/{id}'].get.responses['200'].content['application/json'].schema, {
      $ref: '#/components/schemas/ChangeDetail',
    });
    assert.deepEqual(spec.paths['/api/v1/changes'].post.requestBody.content['application/json'].schema, {
      $ref: '#/components/schemas/CreateChangeInput',
    });
    // OpenAPI 3.1 has no `nullable`: a nullable value is a type list or anyOf with null, and an enum that may be
    // null lists null.
    assert.deepEqual(
      findAll(spec, (s) => 'nullable' in s && typeof s.nullable === 'boolean'),
      [],
    );
    const closeCode = spec.components.schemas.Change.properties.closeCode;
    const allowsNull = (s: { type?: unknown; enum?: unknown[]; anyOf?: { type?: unknown }[] }) =>
      s.anyOf?.some((b) => b.type === 'null') ||
      (Array.isArray(s.type) ? s.type.includes('null') : s.type === 'null') ||
      s.enum?.includes(null);
    assert.ok(allowsNull(closeCode), JSON.stringify(closeCode));
    for (const pointer of findAll(spec, (s) => Array.isArray(s.enum) && Array.isArray(s.type) && s.type.includes('null'))) {
      const node = pointer
        .split('/')
        .slice(1)
        .reduce((n: Spec, k) => n[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
      assert.ok(node.enum.includes(null), `${pointer}: a nullable enum without null`);
    }
  });

  eachEngine('real answers of GET /changes, /changes/{id}, /me and /cis match their schemas (ajv, strict)', async (h) => {
    const spec = await specOf(h);
    const check = responseValidator(spec);
    const ci = await h.request('POST', '/api/v1/cis', {
      body: { name: 'pay-db', type: 'database', environment: 'production', tags: ['pci'] },
    });
    assert.equal(ci.status, 201, ci.text);
    // A closed change has a close code; an open one has none (null), both must pass.
    const open = await h.request('POST', '/api/v1/changes', {
      body: {
        type: 'normal',
        title: 'Upgrade the payments database',
        ciIds: [ci.body.id],
        plannedStart: '2030-01-01T22:00:00Z',
        plannedEnd: '2030-01-01T23:00:00Z',
        links: [{ title: 'Runbook', url: 'https://example.com/runbook' }],
      },
    });
    assert.equal(open.status, 201, open.text);
    const other = await h.request('POST', '/api/v1/changes', { body: { type: 'standard', title: 'Rotate certificates', templateId: await catalogueEntry(h) } });
    assert.equal(other.status, 201, other.text);
    assert.equal(other.body.checks.length, 6, 'a standard change from an entry carries its checks');
    const cancelled = await h.request('POST', `/api/v1/changes/${other.body.id}/transitions`, { body: { to: 'cancelled', comment: 'Not needed any more' } });
    assert.equal(cancelled.status, 200, cancelled.text);

    const list = await h.request('GET', '/api/v1/changes');
    assert.equal(list.status, 200, list.text);
    assert.equal(list.body.items.length, 2);
    check('get', '/api/v1/changes', 200, list.body);
    const one = await h.request('GET', `/api/v1/changes/${open.body.number}`);
    check('get', '/api/v1/changes/{id}', 200, one.body);
    check('get', '/api/v1/changes/{id}', 200, (await h.request('GET', `/api/v1/changes/${other.body.id}`)).body);
    check('get', '/api/v1/me', 200, (await h.request('GET', '/api/v1/me')).body);
    const scoped = await h.userWithToken(['requester']);
    check('get', '/api/v1/me', 200, (await h.request('GET', '/api/v1/me', { token: scoped.token })).body);
    check('get', '/api/v1/cis', 200, (await h.request('GET', '/api/v1/cis')).body);
    check('post', '/api/v1/changes', 201, open.body);
    check('post', '/api/v1/changes', 400, (await h.request('POST', '/api/v1/changes', { body: { type: 'nosuch' } })).body);
    // Asked for as standard without an entry: filed as normal, its conversion in the answer.
    const converted = await h.request('POST', '/api/v1/changes', { body: { type: 'standard', title: 'Restart the workers' } });
    assert.equal(converted.body.conversion?.reason, 'no_entry', converted.text);
    check('post', '/api/v1/changes', 201, converted.body);
    check('get', '/api/v1/changes/{id}', 200, (await h.request('GET', `/api/v1/changes/${converted.body.id}`)).body);
    check('get', '/api/v1/changes/{id}', 404, (await h.request('GET', '/api/v1/changes/CHG9999999')).body);
  });
});

/** Checks of the document itself, which the database does not change: one engine is enough. */
function eachEngineOnce(name: string, body: (h: Harness) => Promise<void>): void {
  onEngine('sqlite', name, (h) => body(h));
}
