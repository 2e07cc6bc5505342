import { isMap, LineCounter, parseDocument } from 'yaml';
import type { BundleIssue, PolicyBundle } from './loader';

/** A place where a bundle names a team: the handle and the path to it in the merged bundle. */
export interface TeamReference {
  handle: string;
  /** e.g. `['teams', 2, 'handle']`; the first segment is the top-level section. */
  path: (string | number)[];
}

/**
 * Every team handle the bundle relies on. Today that is the `teams` section; sections that name teams
 * (routing, approvals) add their references here so one check covers them all.
 */
export function teamReferences(bundle: Pick<PolicyBundle, 'teams' | 'approvals' | 'routing'>): TeamReference[] {
  const refs: TeamReference[] = bundle.teams.map((t, i) => ({ handle: t.handle, path: ['teams', i, 'handle'] }));
  bundle.approvals.stages.forEach((stage, i) =>
    stage.rules.forEach((rule, j) => {
      const at = ['approvals', 'stages', i, 'rules', j];
      if (rule.approvers.kind === 'team') refs.push({ handle: rule.approvers.ref, path: [...at, 'approvers', 'team'] });
      if (rule.approvers.kind === 'board' && rule.approvers.otherwise?.kind === 'team') refs.push({ handle: rule.approvers.otherwise.ref, path: [...at, 'approvers', 'otherwise', 'team'] });
      if (rule.escalateTo?.kind === 'team') refs.push({ handle: rule.escalateTo.ref, path: [...at, 'escalateTo', 'team'] });
    }),
  );
  bundle.routing.rules.forEach((rule, i) => {
    const at = ['routing', 'rules', i, 'assign'];
    if (rule.team?.kind === 'team') refs.push({ handle: rule.team.ref, path: [...at, 'team'] });
    if (rule.changeManager?.kind === 'leastBusy') refs.push({ handle: rule.changeManager.ref, path: [...at, 'changeManager', 'leastBusy'] });
  });
  return refs;
}

/**
 * One issue for each reference to a handle that is not an existing team, at the file, line and column
 * where the bundle names it. Pure: the caller reads the existing handles from storage.
 */
export function unknownTeamIssues(
  files: Record<string, string>,
  references: TeamReference[],
  existingHandles: ReadonlySet<string>,
): BundleIssue[] {
  const unknown = references.filter((r) => !existingHandles.has(r.handle));
  if (unknown.length === 0) return [];
  const locate = createLocator(files);
  return unknown.map((r) => ({
    ...locate(r.path),
    path: r.path.join('.'),
    message: `unknown team handle "${r.handle}"; create the team first`,
  }));
}

type Location = Pick<BundleIssue, 'file' | 'line' | 'column'>;

/**
 * Finds a path of the merged bundle in the file that defines its top-level section. Files are parsed only
 * when a location is needed, that is only for a bundle that is about to be refused.
 */
function createLocator(files: Record<string, string>): (keyPath: (string | number)[]) => Location {
  const parsed = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, text]) => {
      const lines = new LineCounter();
      return { file, doc: parseDocument(text, { lineCounter: lines }), lines };
    });
  return (keyPath) => {
    const owner = parsed.find((p) => isMap(p.doc.contents) && p.doc.contents.has(keyPath[0]));
    if (!owner) return { file: parsed[0]?.file ?? '?', line: 1, column: 1 };
    for (let depth = keyPath.length; depth > 0; depth--) {
      const node = owner.doc.getIn(keyPath.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) {
        const pos = owner.lines.linePos(node.range[0]);
        return { file: owner.file, line: pos.line, column: pos.col };
      }
    }
    return { file: owner.file, line: 1, column: 1 };
  };
}
