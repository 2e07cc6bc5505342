import type { z } from 'zod';
import { MAX_RANGE_DAYS, type CreateWindowInput, type Occurrence, type ScheduledWindow, type ScheduleWindowsQuery, type UpdateWindowInput, type Window, type WindowListQuery } from '../contracts/windows';
import type { Actor } from '../domain/actor';
import { diffFields } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import { InputError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import { isScopeEmpty, scopeApplies, type ScopeTarget } from '../domain/schedule/scope';
import { isWindowOfUid, readIcsEvents, type IcsWindowDraft } from '../integrations/ical/ics-windows';
import { occurrences, windowRuleIssues, type WindowRule } from '../domain/schedule/windows';
import type { ImportedEvent, ImportWindowsQuery, ImportWindowsResult } from '../contracts/windows-import';
import type { Repositories, WindowRecord, WindowScopeRecord } from '../db/repositories';
import { audit, decodeNameCursor, encodeNameCursor, throwIfIssues, type ServiceDeps } from './context';
import { resolveCiRefs, resolveServiceRefs } from './references';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';
import type { ScheduleService } from './schedule.service';
import type { SubscriptionService } from './subscription.service';

const WINDOW_FIELDS = ['name', 'kind', 'description', 'start', 'timeZone', 'durationMinutes', 'rrule', 'scope', 'urgent'] as const;
const SCOPE_LISTS = ['serviceIds', 'ciIds', 'environments', 'tags'] as const;
const DAY_MS = 86_400_000;
/** NOTE: caps what one window yields per request, so a minutely RRULE over 400 days cannot exhaust memory. */
export const OCCURRENCE_LIMIT = 2000;

const ruleOf = (w: Pick<WindowRecord, 'start' | 'timeZone' | 'durationMinutes' | 'rrule'>): WindowRule => ({ start: w.start, timeZone: w.timeZone, durationMinutes: w.durationMinutes, rrule: w.rrule });

/** The scope as stored: lists deduplicated, empty lists left out. */
function normaliseScope(scope: WindowScopeRecord): WindowScopeRecord {
  const out: WindowScopeRecord = scope.global ? { global: true } : {};
  const unique = <T>(list: T[] | undefined): T[] | undefined => (list && list.length > 0 ? [...new Set(list)] : undefined);
  const lists: WindowScopeRecord = { serviceIds: unique(scope.serviceIds), ciIds: unique(scope.ciIds), environments: unique(scope.environments), tags: unique(scope.tags) };
  for (const key of SCOPE_LISTS) if (lists[key]) Object.assign(out, { [key]: lists[key] });
  return out;
}

/** Refuses ranges that end before they start or span more than MAX_RANGE_DAYS. */
function checkRange(from: string, to: string): { from: Date; to: Date } {
  const start = new Date(from);
  const end = new Date(to);
  if (end.getTime() <= start.getTime()) throw new InputError('The range is empty.', [{ path: 'query.to', message: 'must be after from' }]);
  if (end.getTime() - start.getTime() > MAX_RANGE_DAYS * DAY_MS) throw new InputError('The range is too long.', [{ path: 'query.to', message: `a range spans at most ${MAX_RANGE_DAYS} days` }]);
  return { from: start, to: end };
}

/**
 * Maintenance windows and freezes: create, edit, delete (all audited), and their occurrences, expanded from
 * the rule on read in the window's own time zone.
 */
export interface WindowsServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  schedule: ScheduleService;
  /** Tells those who follow what a freeze covers that it was announced, changed or lifted. */
  subscriptions?: SubscriptionService;
}

export function createWindowsService(deps: WindowsServiceDeps) {
  const { store } = deps;
  /**
   * After a write that adds, moves or removes windows, in the same transaction: freezes are an input of risk
   * (`time.inFreeze`, `time.nearFreeze`), so open planned changes are reassessed; and every change's freeze
   * and maintenance-window conflicts are recomputed (with notices, proposed slots and lockdown holds).
   * NOTE: the policy is read before the transaction opens (SQLite's one connection).
   */
  const windowsMoved = async (repos: Repositories, actor: Actor, active: ActivePolicy | null, ...touched: WindowRecord[]) => {
    if (touched.length === 0) return;
    if (touched.some((w) => w.kind === 'freeze')) await deps.risk.reassessPlanned(repos, actor, active);
    await deps.schedule.windowsChanged(repos, actor, active, touched);
  };
  const nowIso = () => deps.now().toISOString();

  /**
   * A freeze written, moved or removed is told to those who follow what it covers: created (announced),
   * edited (changed; a window that becomes or stops being a freeze is announced or lifted), deleted (lifted).
   */
  const freezeNotice = async (repos: Repositories, actor: Actor, before: WindowRecord | null, after: WindowRecord | null) => {
    const subs = deps.subscriptions;
    if (!subs) return;
    const was = before?.kind === 'freeze' ? before : null;
    const is = after?.kind === 'freeze' ? after : null;
    if (is) await subs.announceFreeze(repos, actor, await subs.freezeSnapshot(repos, is), was ? 'freeze_changed' : 'freeze_announced');
    else if (was) await subs.announceFreeze(repos, actor, await subs.freezeSnapshot(repos, was), 'freeze_lifted');
  };

  /** Every problem with the window's rule and scope, including scope ids that name nothing. */
  async function issuesOf(repos: Repositories, w: Pick<WindowRecord, 'start' | 'timeZone' | 'durationMinutes' | 'rrule' | 'scope'>): Promise<Issue[]> {
    const issues: Issue[] = [...windowRuleIssues(ruleOf(w))];
    const scope = w.scope;
    if (isScopeEmpty(scope)) issues.push({ path: 'scope', message: 'give global: true, or at least one service, CI, environment or tag' });
    if (scope.global && SCOPE_LISTS.some((k) => (scope[k] ?? []).length > 0)) issues.push({ path: 'scope.global', message: 'a global window applies everywhere; leave out the other lists' });
    await scopeReferenceIssues(repos, scope, issues);
    return issues;
  }

  /** Scope services and CIs that name nothing; those named by name are resolved to ids in `scope`. */
  async function scopeReferenceIssues(repos: Repositories, scope: WindowRecord['scope'], issues: Issue[]): Promise<void> {
    if (scope.serviceIds?.length) scope.serviceIds = await resolveServiceRefs(repos, scope.serviceIds, 'scope.serviceIds', issues);
    if (scope.ciIds?.length) scope.ciIds = await resolveCiRefs(repos, scope.ciIds, 'scope.ciIds', issues);
  }

  async function load(repos: Repositories, id: string): Promise<WindowRecord> {
    const w = await repos.windows.findWindow(id);
    if (!w) throw new NotFoundError('Window', id);
    return w;
  }

  /** What a serviceId / ciId filter (id or name) is matched against; none without a filter. */
  async function targetOf(repos: Repositories, filter: { serviceId?: string; ciId?: string }): Promise<ScopeTarget[]> {
    const targets: ScopeTarget[] = [];
    const issues: Issue[] = [];
    if (filter.serviceId) {
      const s = await repos.cmdb.findService(filter.serviceId);
      if (s) targets.push({ serviceIds: [s.id], ciIds: [], environments: [], tags: s.tags });
      else issues.push({ path: 'query.serviceId', message: `unknown service ${filter.serviceId}` });
    }
    if (filter.ciId) {
      const c = await repos.cmdb.findCi(filter.ciId);
      if (c) targets.push({ serviceIds: c.serviceId ? [c.serviceId] : [], ciIds: [c.id], environments: [c.environment], tags: c.tags });
      else issues.push({ path: 'query.ciId', message: `unknown CI ${filter.ciId}` });
    }
    throwIfIssues(issues, 'The filter names records that do not exist.');
    return targets;
  }

  /** Windows of the kind that apply to every target (all of them without targets). */
  async function matching(repos: Repositories, filter: { kind?: string; serviceId?: string; ciId?: string }): Promise<WindowRecord[]> {
    const targets = await targetOf(repos, filter);
    // NOTE: windows are few (hundreds) and scopes are JSON, so the scope filter runs here on both engines
    // instead of as dialect-specific JSON queries.
    return (await repos.windows.listWindows({ kind: filter.kind })).filter((w) => targets.every((t) => scopeApplies(w.scope, t)));
  }

  function expand(w: WindowRecord, from: Date, to: Date): { items: Occurrence[]; truncated: boolean } {
    const found = occurrences(ruleOf(w), from, to, OCCURRENCE_LIMIT + 1);
    return { items: found.slice(0, OCCURRENCE_LIMIT).map((o) => ({ start: o.start.toISOString(), end: o.end.toISOString() })), truncated: found.length > OCCURRENCE_LIMIT };
  }

  return {
    /**
     * The scope references among the fields of a create or update body that parsed, when the body was refused
     * for its shape elsewhere: the route lists them in the same 400 (http/validation.ts).
     */
    async referenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateWindowInput>>): Promise<Issue[]> {
      assertPermission(actor, 'window.write');
      const issues: Issue[] = [];
      if (fields.scope) await scopeReferenceIssues(store.repos, fields.scope, issues);
      return issues;
    },

    /** Windows by name, filtered by kind and by the service or CI they apply to. */
    async list(actor: Actor, query: WindowListQuery): Promise<{ items: Window[]; nextCursor: string | null }> {
      assertPermission(actor, 'change.read');
      let rows = await matching(store.repos, query);
      if (query.cursor) {
        const [name, id] = decodeNameCursor(query.cursor);
        rows = rows.filter((w) => w.name > name || (w.name === name && w.id > id));
      }
      const items = rows.slice(0, query.limit);
      return { items, nextCursor: rows.length > query.limit ? encodeNameCursor(items[items.length - 1]!) : null };
    },

    async get(actor: Actor, id: string): Promise<Window> {
      assertPermission(actor, 'change.read');
      return load(store.repos, id);
    },

    /** Creates a window; 400 lists every problem with its rule and scope at once. */
    async create(actor: Actor, input: z.output<typeof CreateWindowInput>): Promise<Window> {
      assertPermission(actor, 'window.write');
      const at = nowIso();
      const window: WindowRecord = { id: deps.newId(), ...input, scope: normaliseScope(input.scope), version: 1, createdBy: actor.userId, createdAt: at, updatedAt: at };
      const active = await deps.policy.activeOrNull();
      return store.transaction(async (repos) => {
        throwIfIssues(await issuesOf(repos, window), 'The window has invalid values.');
        await repos.windows.insertWindow(window);
        await audit(repos, actor, at, 'window.created', 'window', window.id, { after: window });
        await windowsMoved(repos, actor, active, window);
        await freezeNotice(repos, actor, null, window);
        return window;
      });
    },

    /** Edits fields. A stale `version` (body or If-Match) gets 412 and writes nothing. */
    async update(actor: Actor, id: string, input: z.output<typeof UpdateWindowInput>): Promise<Window> {
      assertPermission(actor, 'window.write');
      const active = await deps.policy.activeOrNull();
      return store.transaction(async (repos) => {
        const before = await load(repos, id);
        if (input.version !== undefined && input.version !== before.version) throw new StaleVersionError('Window', id, input.version, before.version);
        const { version: _v, ...patch } = input;
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<WindowRecord>;
        const after: WindowRecord = { ...before, ...defined, scope: normaliseScope(defined.scope ?? before.scope), version: before.version + 1, updatedAt: nowIso() };
        throwIfIssues(await issuesOf(repos, after), 'The window has invalid values.');
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, WINDOW_FIELDS);
        if (Object.keys(changes).length === 0) return before;
        if (!(await repos.windows.updateWindow(after, before.version))) throw new StaleVersionError('Window', id, before.version, before.version + 1);
        await audit(repos, actor, after.updatedAt, 'window.updated', 'window', id, { name: after.name, changes });
        await windowsMoved(repos, actor, active, before, after);
        await freezeNotice(repos, actor, before, after);
        return after;
      });
    },

    /** Deletes a window (412 when `version` is given and stale). */
    async remove(actor: Actor, id: string, version?: number): Promise<void> {
      assertPermission(actor, 'window.write');
      const active = await deps.policy.activeOrNull();
      await store.transaction(async (repos) => {
        const before = await load(repos, id);
        if (version !== undefined && version !== before.version) throw new StaleVersionError('Window', id, version, before.version);
        if (!(await repos.windows.deleteWindow(id))) throw new NotFoundError('Window', id);
        await audit(repos, actor, nowIso(), 'window.deleted', 'window', id, { before });
        await windowsMoved(repos, actor, active, before);
        await freezeNotice(repos, actor, before, null);
      });
    },

    /**
     * Imports the VEVENTs of an iCalendar text as windows of one kind and scope. Each event is reported
     * (created, updated, unchanged, or refused with every problem); one event may become several windows (a
     * recurring event with exceptions). A window already imported from the same event (same UID and key)
     * is updated, whatever kind it was imported as, never duplicated; windows of a re-imported recurring
     * event that it no longer needs are removed. `dryRun` writes nothing; `atomic` writes nothing when any
     * event is refused. A text that is not iCalendar is refused whole (400 `invalid_calendar`).
     */
    async importIcs(actor: Actor, text: string, query: ImportWindowsQuery): Promise<ImportWindowsResult> {
      assertPermission(actor, 'window.write');
      const scope = normaliseScope({ global: query.global ? true : undefined, serviceIds: query.serviceIds, ciIds: query.ciIds, environments: query.environments, tags: query.tags });
      // The request's zone and scope are checked once, with a rule known to be valid, before any event.
      const requestIssues = (await issuesOf(store.repos, { start: '2000-01-01T00:00', timeZone: query.timeZone, durationMinutes: 1, rrule: null, scope })).map((i) => ({ ...i, path: `query.${i.path.replace(/^scope\./, '')}` }));
      throwIfIssues(requestIssues, 'The import parameters have invalid values.');
      const { events, warnings } = readIcsEvents(text, { timeZone: query.timeZone });
      const report: ImportedEvent[] = events.map((e) => ({
        index: e.index,
        line: e.line,
        uid: e.uid,
        summary: e.summary,
        recurrenceId: e.recurrenceId,
        status: e.problems.length > 0 ? 'refused' : 'created',
        windowId: null,
        windowIds: [],
        problems: e.problems,
        notes: [...e.notes],
      }));
      const refused = report.filter((r) => r.status === 'refused').length;
      const applied = !query.dryRun && !(query.atomic && refused > 0);
      const active = applied ? await deps.policy.activeOrNull() : null;
      let removed = 0;
      await store.transaction(async (repos) => {
        const touched: WindowRecord[] = [];
        // NOTE: windows are few (hundreds), and an event's further windows are found by key prefix, which
        // neither engine indexes alike: every imported window is read once.
        const imported = (await repos.windows.listWindows()).filter((w) => w.sourceUid);
        const byKey = new Map<string, WindowRecord[]>();
        for (const w of imported) byKey.set(w.sourceUid!, [...(byKey.get(w.sourceUid!) ?? []), w]);
        const at = nowIso();
        const write = async (r: ImportedEvent, key: string, fields: Omit<IcsWindowDraft, 'key'>): Promise<ImportedEvent['status']> => {
          // Re-imported as another kind, a window changes kind. Windows of both kinds from one UID (imports
          // before this rule) stay apart: the one of the kind asked for is updated.
          const found = byKey.get(key) ?? [];
          const before = found.find((w) => w.kind === query.kind) ?? found[0];
          if (!before) {
            const window: WindowRecord = { id: deps.newId(), kind: query.kind, ...fields, scope, urgent: false, version: 1, createdBy: actor.userId, createdAt: at, updatedAt: at, sourceUid: key };
            r.windowIds.push(window.id);
            if (!applied) return 'created';
            await repos.windows.insertWindow(window);
            await audit(repos, actor, at, 'window.created', 'window', window.id, { after: window, source: 'ics', uid: r.uid });
            await freezeNotice(repos, actor, null, window);
            touched.push(window);
            return 'created';
          }
          r.windowIds.push(before.id);
          const after: WindowRecord = { ...before, ...fields, kind: query.kind, scope, version: before.version + 1, updatedAt: at };
          const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, WINDOW_FIELDS);
          if (Object.keys(changes).length === 0) return 'unchanged';
          if (!applied) return 'updated';
          if (!(await repos.windows.updateWindow(after, before.version))) throw new StaleVersionError('Window', before.id, before.version, before.version + 1);
          await audit(repos, actor, at, 'window.updated', 'window', before.id, { name: after.name, changes, source: 'ics', uid: r.uid });
          await freezeNotice(repos, actor, before, after);
          touched.push(before, after);
          return 'updated';
        };

        for (const [i, e] of events.entries()) {
          const r = report[i]!;
          if (r.status === 'refused') continue;
          const outcomes: ImportedEvent['status'][] = [];
          for (const { key, ...fields } of e.windows) outcomes.push(await write(r, key, fields));
          r.windowId = r.windowIds[0] ?? null;
          r.status = outcomes.every((o) => o === 'created') ? 'created' : outcomes.every((o) => o === 'unchanged') ? 'unchanged' : 'updated';
        }

        // A re-imported recurring event describes all its windows: those it no longer needs (an occurrence
        // now excluded or moved) are removed, whatever kind they were imported as.
        const produced = new Set(events.flatMap((e) => e.windows.map((w) => w.key)));
        const series = new Map(events.flatMap((e, i) => (e.series && e.recurrenceId === null && report[i]!.status !== 'refused' ? [[e.series, report[i]!] as const] : [])));
        for (const w of imported) {
          if (produced.has(w.sourceUid!)) continue;
          const owner = [...series].find(([uid]) => isWindowOfUid(w.sourceUid!, uid))?.[1];
          if (!owner) continue;
          removed++;
          owner.notes.push(`window ${w.id} ("${w.name}" from ${w.start} ${w.timeZone}) no longer holds any of its occurrences and is removed.`);
          if (owner.status === 'unchanged') owner.status = 'updated';
          if (!applied) continue;
          if (!(await repos.windows.deleteWindow(w.id))) throw new NotFoundError('Window', w.id);
          await audit(repos, actor, at, 'window.deleted', 'window', w.id, { before: w, source: 'ics', uid: owner.uid });
          await freezeNotice(repos, actor, w, null);
          touched.push(w);
        }
        // A VEVENT that only cancels an occurrence of its recurring event fares as that event does.
        for (const [i, e] of events.entries()) {
          const r = report[i]!;
          if (r.status !== 'refused' && e.windows.length === 0 && e.series) r.status = series.get(e.series)?.status ?? r.status;
        }
        await windowsMoved(repos, actor, active, ...touched);
      });
      const count = (status: ImportedEvent['status']) => report.filter((r) => r.status === status).length;
      return { applied, dryRun: query.dryRun, atomic: query.atomic, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), refused, removed, warnings, events: report };
    },

    /** The window's occurrences that overlap [from, to), at most OCCURRENCE_LIMIT. */
    async occurrences(actor: Actor, id: string, range: { from: string; to: string }): Promise<{ items: Occurrence[]; truncated: boolean }> {
      assertPermission(actor, 'change.read');
      const { from, to } = checkRange(range.from, range.to);
      return expand(await load(store.repos, id), from, to);
    },

    /** Every occurrence of every matching window in the range, by start. */
    async schedule(actor: Actor, query: ScheduleWindowsQuery): Promise<{ items: ScheduledWindow[]; truncated: boolean }> {
      assertPermission(actor, 'change.read');
      const { from, to } = checkRange(query.from, query.to);
      const items: ScheduledWindow[] = [];
      let truncated = false;
      for (const w of await matching(store.repos, query)) {
        const found = expand(w, from, to);
        truncated ||= found.truncated;
        for (const o of found.items) items.push({ ...o, windowId: w.id, name: w.name, kind: w.kind, scope: w.scope, urgent: w.urgent });
      }
      items.sort((a, b) => a.start.localeCompare(b.start) || a.name.localeCompare(b.name) || a.windowId.localeCompare(b.windowId));
      return { items, truncated };
    },
  };
}
export type WindowsService = ReturnType<typeof createWindowsService>;
