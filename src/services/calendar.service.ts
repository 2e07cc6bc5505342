import { CALENDAR_CHANGE_LIMIT, type Calendar, type CalendarChange, type CalendarQuery } from '../contracts/calendar';
import type { Actor } from '../domain/actor';
import type { Issue } from '../domain/errors';
import { throwIfIssues, type ServiceDeps } from './context';
import { stateFilterIssues, type PolicyService } from './policy.service';
import type { ScheduleService } from './schedule.service';
import type { WindowsService } from './windows.service';
import type { SubscriptionService } from './subscription.service';

/**
 * A calendar as the services read it: each change also carries its `version` (a calendar feed's SEQUENCE).
 * The HTTP answer is the `Calendar` contract, whose schema leaves `version` out.
 */
export type CalendarWithVersions = Omit<Calendar, 'changes'> & { changes: (CalendarChange & { version: number })[] };

/**
 * The calendar: planned changes and window occurrences over one range, for the month view and anyone
 * planning around freezes. Windows come from the windows service, so both answers agree on ranges and scope.
 */
export function createCalendarService(deps: ServiceDeps & { windows: WindowsService; policy: PolicyService; schedule: Pick<ScheduleService, 'openConflictCounts'>; subscriptions: Pick<SubscriptionService, 'readScope'> }) {
  const { store, windows, policy, schedule } = deps;

  /** Turns the id-or-name filters into ids; unknown ones are reported together. */
  async function resolveFilters(query: CalendarQuery): Promise<{ serviceId?: string; ciId?: string; teamId?: string }> {
    const issues: Issue[] = [];
    const out: { serviceId?: string; ciId?: string; teamId?: string } = {};
    if (query.serviceId) {
      const s = await store.repos.cmdb.findService(query.serviceId);
      if (s) out.serviceId = s.id;
      else issues.push({ path: 'query.serviceId', message: `unknown service ${query.serviceId}` });
    }
    if (query.ciId) {
      const c = await store.repos.cmdb.findCi(query.ciId);
      if (c) out.ciId = c.id;
      else issues.push({ path: 'query.ciId', message: `unknown CI ${query.ciId}` });
    }
    if (query.teamId) {
      const t = await store.repos.accounts.findTeam(query.teamId);
      if (t) out.teamId = t.id;
      else issues.push({ path: 'query.teamId', message: `unknown team ${query.teamId}` });
    }
    if (query.state) issues.push(...stateFilterIssues(await policy.activeOrNull(), query.state));
    throwIfIssues(issues, 'The filter names records that do not exist.');
    return out;
  }

  return {
    /**
     * Changes whose planned interval overlaps [from, to) and every window occurrence in it. Service and CI
     * filters narrow both; team, type and state narrow only the changes (windows have none of these), and so
     * does `involving` (a person's changes, for their calendar feed).
     */
    async calendar(actor: Actor, query: CalendarQuery, opts: { involving?: { userId: string; teamIds: string[] } } = {}): Promise<CalendarWithVersions> {
      // The window schedule checks the permission, the range (at most 400 days) and the service and CI filters.
      const scheduled = await windows.schedule(actor, { from: query.from, to: query.to, serviceId: query.serviceId, ciId: query.ciId });
      const ids = await resolveFilters(query);
      // A stakeholder's calendar holds only the changes on what they follow.
      const scope = await deps.subscriptions.readScope(actor);
      const ciIds = ids.ciId ? [ids.ciId] : undefined;
      const rows = await store.repos.changes.list({
        type: query.type,
        state: query.state,
        assignmentTeamId: ids.teamId ? [ids.teamId] : undefined,
        serviceId: ids.serviceId ? [ids.serviceId] : undefined,
        ciId: scope ? (ciIds ?? [...scope]).filter((id) => scope.has(id)) : ciIds,
        plannedFrom: query.from,
        plannedTo: query.to,
        involving: opts.involving,
        limit: CALENDAR_CHANGE_LIMIT + 1,
      });
      const shown = rows.slice(0, CALENDAR_CHANGE_LIMIT).filter((c) => c.plannedStart !== null && c.plannedEnd !== null);
      const active = await policy.activeOrNull();
      const conflicts = await schedule.openConflictCounts(
        shown.map((c) => c.id),
        active,
      );
      const changes: CalendarWithVersions['changes'] = shown
        .map((c) => ({
          id: c.id,
          number: c.number,
          title: c.title,
          type: c.type,
          state: c.state,
          riskLevel: c.risk?.level ?? null,
          plannedStart: c.plannedStart!,
          plannedEnd: c.plannedEnd!,
          assignmentTeamId: c.assignmentTeamId,
          ciIds: c.ciIds,
          openConflicts: conflicts.get(c.id) ?? 0,
          version: c.version,
        }))
        .sort((a, b) => a.plannedStart.localeCompare(b.plannedStart) || a.number.localeCompare(b.number));
      return { changes, windows: scheduled.items, truncated: scheduled.truncated || rows.length > CALENDAR_CHANGE_LIMIT };
    },
  };
}
export type CalendarService = ReturnType<typeof createCalendarService>;
