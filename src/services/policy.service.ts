import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import type { ChangeModel } from '../domain/change/lifecycle';
import { NotFoundError } from '../domain/errors';
import { compileBundle, loadBundleDir, type PolicyBundle } from '../policy/loader';
import { audit, type ServiceDeps } from './context';

/** The policy in force: its version number and compiled bundle. */
export interface ActivePolicy {
  number: number;
  name: string;
  hash: string;
  appliedAt: string;
  bundle: PolicyBundle;
}

/** Marks versions applied automatically at start, so a version applied by a person is never replaced. */
export const STARTUP_APPLIER = 'system:startup';

export function createPolicyService(deps: ServiceDeps) {
  const { store } = deps;
  let cached: ActivePolicy | null = null;

  async function load(num: number): Promise<ActivePolicy> {
    const v = await store.repos.policy.find(num);
    if (!v) throw new NotFoundError('Policy version', String(num));
    return { number: v.number, name: v.name, hash: v.hash, appliedAt: v.appliedAt, bundle: compileBundle(v.files) };
  }

  const service = {
    /**
     * The active policy. Another process may have applied a newer version, so the (cheap) active number is
     * read every time and the compiled bundle is reused while it is unchanged.
     */
    async active(): Promise<ActivePolicy> {
      const num = await store.repos.policy.activeNumber();
      if (num === null) throw new NotFoundError('Policy version', 'active');
      if (!cached || cached.number !== num) cached = await load(num);
      return cached;
    },

    async model(type: string): Promise<{ policy: ActivePolicy; model: ChangeModel | undefined }> {
      const policy = await service.active();
      return { policy, model: policy.bundle.models[type] };
    },

    /** Validates and stores a bundle as a new active version; returns its number. */
    async apply(actor: Actor, bundle: PolicyBundle, appliedBy?: string): Promise<number> {
      if (actor.via !== 'system') assertPermission(actor, 'policy.write');
      const at = deps.now().toISOString();
      return store.transaction(async (repos) => {
        const num = await repos.policy.insertActive({ name: bundle.name, hash: bundle.hash, files: bundle.files, appliedAt: at, appliedBy: appliedBy ?? actor.userId });
        await audit(repos, actor, at, 'policy.applied', 'policy', String(num), { version: num, name: bundle.name, hash: bundle.hash, files: Object.keys(bundle.files) });
        return num;
      });
    },

    /**
     * At start: applies the bundle in `dir` if there is no version yet, or if it differs from an active
     * version that an earlier start applied. A version applied by a person stays in force.
     */
    async applyAtStartup(actor: Actor, dir: string): Promise<{ applied: boolean; number: number }> {
      const bundle = await loadBundleDir(dir);
      const current = await store.repos.policy.active();
      if (current && (current.hash === bundle.hash || current.appliedBy !== STARTUP_APPLIER)) return { applied: false, number: current.number };
      return { applied: true, number: await service.apply(actor, bundle, STARTUP_APPLIER) };
    },

    async describe(actor: Actor) {
      assertPermission(actor, 'policy.read');
      const p = await service.active();
      return { number: p.number, name: p.name, hash: p.hash, appliedAt: p.appliedAt, description: p.bundle.description, models: p.bundle.models };
    },

    async versions(actor: Actor) {
      assertPermission(actor, 'policy.read');
      return store.repos.policy.list();
    },
  };
  return service;
}
export type PolicyService = ReturnType<typeof createPolicyService>;
