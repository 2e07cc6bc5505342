import type { AppliedPolicy, PolicyVersion, PolicyVersionDetail } from '../contracts/policy';
import type { PolicyVersionRecord } from '../db/repositories';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import type { ChangeModel } from '../domain/change/lifecycle';
import { ConflictError, NotFoundError, type Issue } from '../domain/errors';
import { compileBundle, loadBundleDir, PolicyInvalidError, type PolicyBundle } from '../policy/loader';
import { teamReferences, unknownTeamIssues } from '../policy/team-references';
import type { DeclaredTeam } from '../policy/teams.schema';
import type { AccountsService } from './accounts.service';
import { audit, type ServiceDeps } from './context';

/** The policy in force: its version number and compiled bundle. */
export interface ActivePolicy {
  number: number;
  name: string;
  hash: string;
  appliedAt: string;
  appliedBy: string;
  bundle: PolicyBundle;
}

/** Marks versions applied automatically at start, so a version applied by a person is never replaced. */
/** The final states of every model: changes in them are closed, no longer anyone's work. */
/**
 * The problems of a `state` filter (one state or several, comma-separated): each state no change model of the
 * policy has. Nothing to check without a policy.
 */
export function stateFilterIssues(active: ActivePolicy | null, states: string, path = 'query.state'): Issue[] {
  if (!active) return [];
  const known = new Set(Object.values(active.bundle.models).flatMap((m) => m.states.map((st) => st.id)));
  return states
    .split(',')
    .filter((state) => !known.has(state))
    .map((state) => ({ path, message: `unknown state ${state} (one of ${[...known].join(', ')})` }));
}

export const finalStatesOf = (active: ActivePolicy): string[] => [...new Set(Object.values(active.bundle.models).flatMap((m) => m.states.filter((s) => s.final).map((s) => s.id)))];

export const STARTUP_APPLIER = 'system:startup';
/** Marks versions applied with `cabinet policy apply` on the database itself. */
export const CLI_APPLIER = 'system:cli';

const SYSTEM_APPLIERS: Record<string, string> = {
  [STARTUP_APPLIER]: 'Cabinet (at start)',
  [CLI_APPLIER]: 'cabinet CLI',
  system: 'Cabinet',
};

/** What `applyAtStartup` did: the version in force and the teams it created for the bundle. */
export interface StartupPolicy {
  applied: boolean;
  number: number;
  createdTeams: DeclaredTeam[];
}

export function createPolicyService(deps: ServiceDeps & { accounts: AccountsService }) {
  const { store } = deps;
  let cached: ActivePolicy | null = null;
  /** The freshness stamp under which `cached` is known to be the active version (null: ask again). */
  let cachedStamp: number | null = null;

  async function load(num: number): Promise<ActivePolicy> {
    const v = await store.repos.policy.find(num);
    if (!v) throw new NotFoundError('Policy version', String(num));
    // NOTE: a stored version loads as it was accepted, even from before expressions were checked against the
    // context's fields: refusing it here would leave the server without a policy in force.
    return { number: v.number, name: v.name, hash: v.hash, appliedAt: v.appliedAt, appliedBy: v.appliedBy, bundle: compileBundle(v.files, { checkFields: false }) };
  }

  /** Adds who applied each version, by name: a person's name, or what Cabinet itself was doing. */
  async function withApplierNames<T extends Pick<PolicyVersionRecord, 'appliedBy'>>(records: T[]): Promise<(T & { appliedByName: string })[]> {
    const userIds = [...new Set(records.map((r) => r.appliedBy).filter((id) => !(id in SYSTEM_APPLIERS)))];
    const names = await store.repos.accounts.userNames(userIds);
    return records.map((r) => ({ ...r, appliedByName: SYSTEM_APPLIERS[r.appliedBy] ?? names.get(r.appliedBy) ?? r.appliedBy }));
  }

  const metadata = ({ number, name, hash, appliedAt, appliedBy, active }: PolicyVersionRecord): Omit<PolicyVersion, 'appliedByName'> => ({ number, name, hash, appliedAt, appliedBy, active });

  /** Refuses the bundle when it names a team that does not exist; `alsoKnown` counts as existing. */
  async function assertTeamsExist(bundle: PolicyBundle, alsoKnown: Iterable<string> = []): Promise<void> {
    const references = teamReferences(bundle);
    const existing = await store.repos.accounts.existingHandles([...new Set(references.map((r) => r.handle))]);
    for (const handle of alsoKnown) existing.add(handle);
    const issues = unknownTeamIssues(bundle.files, references, existing);
    if (issues.length > 0) throw new PolicyInvalidError(issues);
  }

  /**
   * Stores the bundle as the new active version, unless the active version already has exactly this
   * content. The comparison happens in the transaction, so two identical applies make one version.
   */
  async function storeVersion(actor: Actor, bundle: PolicyBundle, appliedBy: string): Promise<AppliedPolicy> {
    await assertTeamsExist(bundle);
    const previous = await service.activeOrNull();
    const at = deps.now().toISOString();
    const outcome = await store.transaction(async (repos) => {
      const current = await repos.policy.active();
      if (current && current.hash === bundle.hash) return { applied: false, version: metadata(current) };
      const num = await repos.policy.insertActive({ name: bundle.name, hash: bundle.hash, files: bundle.files, appliedAt: at, appliedBy });
      await audit(repos, actor, at, 'policy.applied', 'policy', String(num), { version: num, name: bundle.name, hash: bundle.hash, files: Object.keys(bundle.files) });
      return { applied: true, version: { number: num, name: bundle.name, hash: bundle.hash, appliedAt: at, appliedBy, active: true } };
    });
    if (outcome.applied) for (const listener of appliedListeners) await listener(actor, previous, await service.active());
    const [named] = await withApplierNames([outcome.version]);
    return { ...named!, applied: outcome.applied };
  }

  /** Creates, empty, every declared team that does not exist yet; returns the ones it created. */
  async function createMissingTeams(actor: Actor, teams: DeclaredTeam[]): Promise<DeclaredTeam[]> {
    const existing = await store.repos.accounts.existingHandles(teams.map((t) => t.handle));
    const created: DeclaredTeam[] = [];
    for (const team of teams.filter((t) => !existing.has(t.handle))) {
      try {
        await deps.accounts.createTeam(actor, { name: team.name, handle: team.handle, description: team.description, memberIds: [] });
        created.push(team);
      } catch (err) {
        // Another process starting on the same database created it first: that is what we wanted.
        if (!(err instanceof ConflictError && err.code === 'already_exists')) throw err;
      }
    }
    return created;
  }

  /** Called after a new version became active (e.g. the schedule recomputes conflicts when the impact settings moved). */
  const appliedListeners: ((actor: Actor, previous: ActivePolicy | null, next: ActivePolicy) => Promise<void>)[] = [];

  const service = {
    /** Registers work to do after a new version became active, outside its transaction. */
    onApplied(listener: (actor: Actor, previous: ActivePolicy | null, next: ActivePolicy) => Promise<void>): void {
      appliedListeners.push(listener);
    },

    /**
     * The active policy. Another process may have applied a newer version, so the active number is read again
     * whenever a policy version may have been written since it was last read (db/invalidation.ts: applying
     * a version in any process is seen by the next request), and the compiled bundle is reused while it is
     * unchanged.
     */
    async active(): Promise<ActivePolicy> {
      const stamp = store.freshness.current();
      if (cached && stamp !== null && cachedStamp === stamp) return cached;
      const num = await store.repos.policy.activeNumber();
      if (num === null) throw new NotFoundError('Policy version', 'active');
      if (!cached || cached.number !== num) cached = await load(num);
      // NOTE: remembered as current only if nothing was written since the stamp was taken.
      cachedStamp = stamp !== null && store.freshness.current() === stamp ? stamp : null;
      return cached;
    },

    /** The active policy, or null on a database no policy was applied to yet (CLI on a fresh database). */
    async activeOrNull(): Promise<ActivePolicy | null> {
      return (await store.repos.policy.activeNumber()) === null ? null : service.active();
    },

    async model(type: string): Promise<{ policy: ActivePolicy; model: ChangeModel | undefined }> {
      const policy = await service.active();
      return { policy, model: policy.bundle.models[type] };
    },

    /**
     * Validates a bundle given as file name → YAML text and makes it the active version. Refused with
     * `invalid_policy` (every problem with its file and line) when it does not compile or names a team
     * that does not exist. Applying the content of the active version again changes nothing.
     * `createDeclaredTeams` (`cabinet policy apply`) first creates the teams the bundle declares that do not
     * exist yet, as the first start does; `createdTeams` lists them.
     */
    async applyFiles(actor: Actor, files: Record<string, string>, opts: { createDeclaredTeams?: boolean } = {}): Promise<AppliedPolicy & { createdTeams?: DeclaredTeam[] }> {
      assertPermission(actor, 'policy.write');
      const bundle = compileBundle(files);
      const appliedBy = actor.via === 'cli' ? CLI_APPLIER : actor.userId;
      if (!opts.createDeclaredTeams) return storeVersion(actor, bundle, appliedBy);
      // Refuse a bundle that names undeclared, unknown teams before creating any of the declared ones.
      await assertTeamsExist(bundle, bundle.teams.map((t) => t.handle));
      const createdTeams = await createMissingTeams(actor, bundle.teams);
      return { ...(await storeVersion(actor, bundle, appliedBy)), createdTeams };
    },

    /**
     * Checks a bundle exactly as `applyFiles` would (it compiles and every team it names exists) and
     * returns it compiled, storing nothing: what a preview shows is what applying would accept.
     */
    async check(files: Record<string, string>): Promise<PolicyBundle> {
      const bundle = compileBundle(files);
      await assertTeamsExist(bundle);
      return bundle;
    },

    /**
     * At start: applies the bundle in `dir` if there is no version yet, or if it differs from an active
     * version that an earlier start applied. A version applied by a person stays in force. Before applying,
     * it creates the teams the bundle declares that do not exist yet (empty, ready for members).
     */
    async applyAtStartup(actor: Actor, dir: string): Promise<StartupPolicy> {
      const bundle = await loadBundleDir(dir);
      const current = await store.repos.policy.active();
      if (current && (current.hash === bundle.hash || current.appliedBy !== STARTUP_APPLIER)) return { applied: false, number: current.number, createdTeams: [] };
      // Refuse a bundle that names undeclared, unknown teams before creating any of the declared ones.
      await assertTeamsExist(bundle, bundle.teams.map((t) => t.handle));
      const createdTeams = await createMissingTeams(actor, bundle.teams);
      const result = await storeVersion(actor, bundle, STARTUP_APPLIER);
      return { applied: result.applied, number: result.number, createdTeams };
    },

    async describe(actor: Actor) {
      assertPermission(actor, 'policy.read');
      const p = await service.active();
      const [named] = await withApplierNames([{ appliedBy: p.appliedBy }]);
      return {
        number: p.number,
        name: p.name,
        hash: p.hash,
        appliedAt: p.appliedAt,
        appliedBy: p.appliedBy,
        appliedByName: named!.appliedByName,
        description: p.bundle.description,
        models: p.bundle.models,
        teams: p.bundle.teams,
      };
    },

    async versions(actor: Actor): Promise<PolicyVersion[]> {
      assertPermission(actor, 'policy.read');
      return withApplierNames(await store.repos.policy.list());
    },

    /** One version with the exact files it was applied from. */
    async version(actor: Actor, num: number): Promise<PolicyVersionDetail> {
      assertPermission(actor, 'policy.read');
      const v = await store.repos.policy.find(num);
      if (!v) throw new NotFoundError('Policy version', String(num));
      const [named] = await withApplierNames([metadata(v)]);
      return { ...named!, files: v.files };
    },
  };
  return service;
}
export type PolicyService = ReturnType<typeof createPolicyService>;
