import type { Ci, Service } from '../../api/types';
import type { CalendarChange, ScheduledWindow } from './schedule-api';

/** How the timeline groups its rows. */
export type TimelineGrouping = 'service' | 'ci';

/** How far a window reaches over a row: all of it, or only some of the CIs in it. */
export type WindowExtent = 'all' | 'some';

type Scope = ScheduledWindow['scope'];

/** What a scope is matched against: a service, or a CI with its service, environment and tags. */
interface ScopeTarget {
  serviceIds: readonly string[];
  ciIds: readonly string[];
  environments: readonly string[];
  tags: readonly string[];
}

// NOTE: the same rule as src/domain/schedule/scope.ts (scopeApplies), which the server uses for the
// serviceId / ciId filters; the web app may import only contracts from the server, so it is repeated here.
function scopeApplies(scope: Scope, target: ScopeTarget): boolean {
  if (scope.global) return true;
  const meets = (mine: readonly string[] | undefined, theirs: readonly string[]) => (mine ?? []).some((v) => theirs.includes(v));
  return meets(scope.serviceIds, target.serviceIds) || meets(scope.ciIds, target.ciIds) || meets(scope.environments, target.environments) || meets(scope.tags, target.tags);
}

/** Whether a window applies to a CI: global, or it names the CI, its service, its environment or a tag of it. */
export function windowAppliesToCi(scope: Scope, ci: Pick<Ci, 'id' | 'serviceId' | 'environment' | 'tags'>): boolean {
  return scopeApplies(scope, { serviceIds: ci.serviceId ? [ci.serviceId] : [], ciIds: [ci.id], environments: [ci.environment], tags: ci.tags });
}

/**
 * How a window covers a service's row: `all` when it is global, names the service or shares a tag with it
 * (the server's rule for the service filter); `some` when it reaches only some of the service's CIs that
 * the row shows (by CI, environment or tag); otherwise null.
 */
export function windowExtentForService(scope: Scope, service: Pick<Service, 'id' | 'tags'>, cis: readonly Pick<Ci, 'id' | 'serviceId' | 'environment' | 'tags'>[]): WindowExtent | null {
  if (scopeApplies(scope, { serviceIds: [service.id], ciIds: [], environments: [], tags: service.tags })) return 'all';
  return cis.some((ci) => windowAppliesToCi(scope, ci)) ? 'some' : null;
}

/** One row of the timeline: a service or a CI, with its changes and the windows over it. */
export interface TimelineRow {
  /** The service or CI id; `none` for changes without one. */
  key: string;
  label: string;
  /** A CI row's service. */
  detail?: string;
  /** Where the row's name links to. */
  href?: string;
  changes: CalendarChange[];
  windows: { window: ScheduledWindow; extent: WindowExtent }[];
}

export const NO_ROW_KEY = 'none';

interface RowsInput {
  changes: readonly CalendarChange[];
  windows: readonly ScheduledWindow[];
  groupBy: TimelineGrouping;
  services: ReadonlyMap<string, Pick<Service, 'id' | 'name' | 'tags'>>;
  /** The CIs the changes touch (and the filtered CI), by id; unknown ones count as having no service. */
  cis: ReadonlyMap<string, Ci>;
  /** A row shown even when nothing is planned on it: the service or CI the schedule is filtered by. */
  pinned?: string | null;
}

/**
 * The timeline's rows: one per service (or CI) that a change in range touches, by name, then a row for
 * changes with none. A change on CIs of two services is on both rows. Windows go on the rows they apply
 * to; global ones on every row.
 */
export function timelineRows({ changes, windows, groupBy, services, cis, pinned }: RowsInput): TimelineRow[] {
  const byKey = new Map<string, CalendarChange[]>();
  const add = (key: string, c: CalendarChange) => {
    const list = byKey.get(key) ?? [];
    if (!list.includes(c)) list.push(c);
    byKey.set(key, list);
  };
  if (pinned) byKey.set(pinned, []);
  for (const c of changes) {
    const keys = groupBy === 'ci' ? c.ciIds : [...new Set(c.ciIds.map((id) => cis.get(id)?.serviceId).filter((s): s is string => !!s))];
    if (keys.length === 0) add(NO_ROW_KEY, c);
    for (const key of keys) add(key, c);
  }
  const knownCis = [...cis.values()];
  const rows = [...byKey].map(([key, rowChanges]): TimelineRow & { sortKey: string } => {
    if (key === NO_ROW_KEY) {
      return {
        key,
        label: groupBy === 'ci' ? 'No CI' : 'No service',
        changes: rowChanges,
        windows: windows.filter((w) => w.scope.global).map((window) => ({ window, extent: 'all' as const })),
        sortKey: '\uffff',
      };
    }
    if (groupBy === 'ci') {
      const ci = cis.get(key);
      const service = ci?.serviceId ? services.get(ci.serviceId) : undefined;
      return {
        key,
        label: ci?.name ?? key,
        detail: service?.name,
        href: `/cmdb/cis/${encodeURIComponent(key)}`,
        changes: rowChanges,
        windows: windows.flatMap((window) => ((ci ? windowAppliesToCi(window.scope, ci) : window.scope.global) ? [{ window, extent: 'all' as const }] : [])),
        sortKey: `${service?.name ?? '\uffff'}\u0000${ci?.name ?? key}`.toLowerCase(),
      };
    }
    const service = services.get(key) ?? { id: key, name: key, tags: [] };
    const rowCis = knownCis.filter((ci) => ci.serviceId === key);
    return {
      key,
      label: service.name,
      href: `/cmdb/services/${encodeURIComponent(key)}`,
      changes: rowChanges,
      windows: windows.flatMap((window) => {
        const extent = windowExtentForService(window.scope, service, rowCis);
        return extent ? [{ window, extent }] : [];
      }),
      sortKey: service.name.toLowerCase(),
    };
  });
  return rows.sort((a, b) => a.sortKey.localeCompare(b.sortKey)).map(({ sortKey: _sortKey, ...row }) => row);
}
