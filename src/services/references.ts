import type { Issue } from '../domain/errors';
import type { Repositories } from '../db/repositories';

/**
 * References to records that have a key besides their id, resolved to ids: a CI, service or template by its
 * name, a team by its handle (a change by its number is `repos.changes.findById`). One rule for every body and
 * filter (docs/api.md#ids-numbers-and-names): what is stored is always the id. Each reference that names
 * nothing is an issue at its path, and is given back unchanged.
 */

/** CIs by id or name (case-insensitive), in the order given; unknown ones at `${path}.${i}`. */
export async function resolveCiRefs(repos: Repositories, refs: readonly string[], path: string, issues: Issue[]): Promise<string[]> {
  if (refs.length === 0) return [];
  const wanted = [...new Set(refs)];
  const byId = new Set((await repos.cmdb.findCisByIds(wanted)).map((c) => c.id));
  const byName = new Map((await repos.cmdb.findCisByNames(wanted.filter((r) => !byId.has(r)))).map((c) => [c.name.toLowerCase(), c.id]));
  return refs.map((ref, i) => {
    if (byId.has(ref)) return ref;
    const id = byName.get(ref.toLowerCase());
    if (id) return id;
    issues.push({ path: `${path}.${i}`, message: `unknown CI ${ref}` });
    return ref;
  });
}

/** A CI by id or name (case-insensitive). */
export async function resolveCiRef(repos: Repositories, ref: string, path: string, issues: Issue[]): Promise<string> {
  const ci = await repos.cmdb.findCi(ref);
  if (ci) return ci.id;
  issues.push({ path, message: `unknown CI ${ref}` });
  return ref;
}

/** Services by id or name (case-insensitive), in the order given; unknown ones at `${path}.${i}`. */
export async function resolveServiceRefs(repos: Repositories, refs: readonly string[], path: string, issues: Issue[]): Promise<string[]> {
  if (refs.length === 0) return [];
  const byId = new Set((await repos.cmdb.findServicesByIds([...new Set(refs)])).map((s) => s.id));
  const resolved: string[] = [];
  for (const [i, ref] of refs.entries()) {
    if (byId.has(ref)) resolved.push(ref);
    else resolved.push(await resolveServiceRef(repos, ref, `${path}.${i}`, issues));
  }
  return resolved;
}

/** A service by id or name (case-insensitive). */
export async function resolveServiceRef(repos: Repositories, ref: string, path: string, issues: Issue[]): Promise<string> {
  const service = await repos.cmdb.findService(ref);
  if (service) return service.id;
  issues.push({ path, message: `unknown service ${ref}` });
  return ref;
}

/** A team by id or handle. */
export async function resolveTeamRef(repos: Repositories, ref: string, path: string, issues: Issue[]): Promise<string> {
  const team = await repos.accounts.findTeam(ref);
  if (team) return team.id;
  issues.push({ path, message: `unknown team ${ref}` });
  return ref;
}

/** Teams by id or handle, in the order given; unknown ones at `${path}.${i}`. */
export async function resolveTeamRefs(repos: Repositories, refs: readonly string[], path: string, issues: Issue[]): Promise<string[]> {
  if (refs.length === 0) return [];
  const byId = await repos.accounts.existingTeamIds([...new Set(refs)]);
  const resolved: string[] = [];
  for (const [i, ref] of refs.entries()) resolved.push(byId.has(ref) ? ref : await resolveTeamRef(repos, ref, `${path}.${i}`, issues));
  return resolved;
}

/** A template by id or name. */
export async function resolveTemplateRef(repos: Repositories, ref: string, path: string, issues: Issue[]): Promise<string> {
  const template = (await repos.templates.findById(ref)) ?? (await repos.templates.findByName(ref));
  if (template) return template.id;
  issues.push({ path, message: `unknown template ${ref}` });
  return ref;
}

/**
 * A list filter's comma-separated references (`ciId=pay-db,web-1`) resolved to ids, without repeats. Each one
 * that names nothing is its own issue at `path` itself (as `type=` reports each unknown type), not at an index.
 */
export async function resolveRefList(
  repos: Repositories,
  refs: string,
  resolve: (repos: Repositories, refs: readonly string[], path: string, issues: Issue[]) => Promise<string[]>,
  path: string,
  issues: Issue[],
): Promise<string[]> {
  const found: Issue[] = [];
  const ids = await resolve(repos, [...new Set(refs.split(','))], path, found);
  issues.push(...found.map((i) => ({ ...i, path })));
  return [...new Set(ids)];
}

/** Templates by id or name, in the order given; unknown ones at `${path}.${i}`. */
export async function resolveTemplateRefs(repos: Repositories, refs: readonly string[], path: string, issues: Issue[]): Promise<string[]> {
  const resolved: string[] = [];
  for (const [i, ref] of refs.entries()) resolved.push(await resolveTemplateRef(repos, ref, `${path}.${i}`, issues));
  return resolved;
}
