import assert from 'node:assert/strict';
import path from 'node:path';
import { readBundleFiles } from '../../src/policy/loader';
import type { Harness } from './cabinet';

const DEFAULT_DIR = path.resolve(import.meta.dirname, '../../policies/default');

/** Applies the shipped bundle with deployments.yaml changed (deployment, DORA and unauthorized change tests). */
export async function applyDeploymentsPolicy(h: Harness, edit: (yaml: string) => string): Promise<void> {
  const files = await readBundleFiles(DEFAULT_DIR);
  files['deployments.yaml'] = edit(files['deployments.yaml']!);
  const applied = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
  assert.equal(applied.status, 201, applied.text);
}

/** A service (tier 2), optionally owned by a team; its id. */
export async function newService(h: Harness, name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await h.request('POST', '/api/v1/services', { body: { name, tier: 2, ...extra } });
  assert.equal(res.status, 201, res.text);
  return res.body.id;
}
