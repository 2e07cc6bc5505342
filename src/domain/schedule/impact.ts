/** Which way a change's impact travels over CI relations (`from` depends on / runs on / connects to `to`). */
export const IMPACT_DIRECTIONS = ['dependents', 'dependencies', 'both'] as const;
export type ImpactDirection = (typeof IMPACT_DIRECTIONS)[number];

export interface ImpactSettings {
  direction: ImpactDirection;
  depth: number;
  relationTypes: string[];
  summariseAbove: number;
}

export interface Edge {
  fromCiId: string;
  toCiId: string;
  type: string;
}

/** Reads the relations that touch a set of CIs, in the direction asked (one round trip per step). */
export type EdgeReader = (ciIds: string[], direction: 'incoming' | 'outgoing', types: string[]) => Promise<Edge[]>;

export interface ImpactedCi {
  ciId: string;
  /** Relationship steps from the nearest affected CI (1 or more). */
  depth: number;
  /** The CI one step nearer the change, through which this one is reached. */
  viaCiId: string;
}

/** The opposite direction: the CIs whose impact reaches a given CI. */
export function reverseDirection(direction: ImpactDirection): ImpactDirection {
  return direction === 'dependents' ? 'dependencies' : direction === 'dependencies' ? 'dependents' : 'both';
}

/**
 * The CIs within `depth` steps of the affected CIs over the relation types, breadth first, each with its
 * distance and the CI it was reached through. Affected CIs are not listed; excluded CIs are neither listed
 * nor walked through (a person said the change does not reach them).
 */
export async function impactOf(
  affected: readonly string[],
  settings: Pick<ImpactSettings, 'direction' | 'depth' | 'relationTypes'>,
  readEdges: EdgeReader,
  excluded: ReadonlySet<string> = new Set(),
): Promise<ImpactedCi[]> {
  const seen = new Set(affected);
  const found: ImpactedCi[] = [];
  let frontier = [...seen];
  for (let depth = 1; depth <= settings.depth && frontier.length > 0; depth++) {
    const next: string[] = [];
    const step = (from: string, to: string) => {
      if (seen.has(to)) return;
      seen.add(to);
      if (excluded.has(to)) return;
      found.push({ ciId: to, depth, viaCiId: from });
      next.push(to);
    };
    // NOTE: "dependents" of X are the CIs with a relation pointing at X, so they are read from incoming edges.
    if (settings.direction !== 'dependencies') for (const e of await readEdges(frontier, 'incoming', settings.relationTypes)) step(e.toCiId, e.fromCiId);
    if (settings.direction !== 'dependents') for (const e of await readEdges(frontier, 'outgoing', settings.relationTypes)) step(e.fromCiId, e.toCiId);
    frontier = next;
  }
  return found;
}
