/** Where a window applies: everywhere, or to anything matching one of the lists. */
export interface ScopeLike {
  global?: boolean;
  serviceIds?: readonly string[];
  ciIds?: readonly string[];
  environments?: readonly string[];
  tags?: readonly string[];
}

/** What a scope is matched against: a service, or a CI with its service, environment and tags. */
export interface ScopeTarget {
  serviceIds: readonly string[];
  ciIds: readonly string[];
  environments: readonly string[];
  tags: readonly string[];
}

/** Whether the scope targets anything at all (a window with an empty scope would apply nowhere). */
export function isScopeEmpty(scope: ScopeLike): boolean {
  return !scope.global && [scope.serviceIds, scope.ciIds, scope.environments, scope.tags].every((list) => !list || list.length === 0);
}

/**
 * Whether a window with `scope` applies to `target`: global windows apply everywhere, others when any list
 * shares a value with the target's (a service, CI, environment or tag).
 */
export function scopeApplies(scope: ScopeLike, target: ScopeTarget): boolean {
  if (scope.global) return true;
  const meets = (mine: readonly string[] | undefined, theirs: readonly string[]) => (mine ?? []).some((v) => theirs.includes(v));
  return meets(scope.serviceIds, target.serviceIds) || meets(scope.ciIds, target.ciIds) || meets(scope.environments, target.environments) || meets(scope.tags, target.tags);
}

/**
 * The target of a piece of work on these CIs: the CIs, their services, their environments, and the tags of
 * both, so a window applies when it names any of them (what a change's risk context matches freezes with).
 */
export function targetOfCis(
  cis: readonly { id: string; serviceId: string | null; environment: string; tags: readonly string[] }[],
  services: readonly { id: string; tags: readonly string[] }[],
): ScopeTarget {
  return {
    serviceIds: [...new Set(services.map((s) => s.id))],
    ciIds: [...new Set(cis.map((c) => c.id))],
    environments: [...new Set(cis.map((c) => c.environment))],
    tags: [...new Set([...cis, ...services].flatMap((x) => x.tags))],
  };
}
