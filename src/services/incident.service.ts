import { parse as parseCsv } from 'csv-parse/sync';
import {
  CreateIncidentInput,
  INCIDENT_STATES,
  UpdateIncidentInput,
  type ImportIncidentsResult,
  type Incident,
  type IncidentExportQuery,
  type IncidentListQuery,
  type IncidentSortColumn,
  type IncidentState,
} from '../contracts/incidents';
import type { Actor } from '../domain/actor';
import { diffFields } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, InputError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import type { ChangeRecord, IncidentRecord, Repositories } from '../db/repositories';
import { asObject, audit, decodeInstantCursor, encodeInstantCursor, issuesOfZod, throwIfIssues, type ServiceDeps } from './context';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';
import type { CatalogueService } from './catalogue.service';
import type { ReviewService } from './review.service';
import { encodeKeysetCursor, everyPage, keysetPositionOf } from './keyset-cursor';

export interface IncidentServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  /** The catalogue entry of a change named as an incident's cause may be suspended (catalogue.service.ts). */
  catalogue?: Pick<CatalogueService, 'changeCausedIncident'>;
  /** A change named as an incident's cause after it finished may now need its post-implementation review (review.service.ts). */
  reviews?: Pick<ReviewService, 'reconsider'>;
}

/** The fields an update may change, as audited. */
const INCIDENT_FIELDS = ['title', 'description', 'priority', 'state', 'ciIds', 'serviceId', 'causedByChangeId', 'openedAt', 'resolvedAt', 'closedAt', 'external'] as const;
const OPEN_STATES: IncidentState[] = ['new', 'in_progress', 'on_hold'];
/** NOTE: a client clock a little ahead of ours must not make "now" count as the future. */
const CLOCK_LEEWAY_MS = 60_000;
/** The most CIs an incident may name (CreateIncidentInput's limit). */
const MAX_CIS = 200;
/** Incidents read at a time by the CSV export. */
const EXPORT_PAGE = 500;

const afterOf = (cursor: { at: string; id: string } | undefined) => (cursor ? { openedAt: cursor.at, id: cursor.id } : undefined);

/** The list query without the change, for the incidents of one change. */
export type ChangeIncidentsQuery = Omit<IncidentListQuery, 'changeId'>;

/** The options of an import. */
export interface ImportIncidentsOptions {
  /** Read, match and report, but write nothing. */
  dryRun?: boolean;
}

/** What stays resolved, closed or neither when an incident enters `state`. */
export function stampsFor(state: IncidentState, before: { resolvedAt: string | null; closedAt: string | null }, at: string): { resolvedAt: string | null; closedAt: string | null } {
  if (state === 'resolved') return { resolvedAt: before.resolvedAt ?? at, closedAt: null };
  if (state === 'closed') return { resolvedAt: before.resolvedAt ?? at, closedAt: before.closedAt ?? at };
  return { resolvedAt: null, closedAt: null };
}



/**
 * Incidents: what broke, on which CIs, since when, and the change that caused it when someone knows. They
 * feed the risk of changes (`history.ciIncidents30d`), so every write reassesses the open changes on the
 * incident's CIs, before and after, in the same transaction. A ServiceNow incident event log can be imported.
 */
export function createIncidentService(deps: IncidentServiceDeps) {
  const { store, policy, risk } = deps;
  const nowIso = () => deps.now().toISOString();

  async function load(repos: Repositories, idOrNumber: string): Promise<IncidentRecord> {
    const found = await repos.incidents.findById(idOrNumber);
    if (!found) throw new NotFoundError('Incident', idOrNumber);
    return found;
  }

  /** Incidents as the API shows them: with the names of their CIs, service and causing change. */
  async function present(repos: Repositories, records: IncidentRecord[]): Promise<Incident[]> {
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(records.flatMap((r) => r.ciIds))])).map((c) => [c.id, c]));
    const services = new Map((await repos.cmdb.findServicesByIds([...new Set(records.map((r) => r.serviceId).filter((id): id is string => id !== null))])).map((s) => [s.id, s]));
    const changes = new Map((await repos.changes.findManyByIds([...new Set(records.map((r) => r.causedByChangeId).filter((id): id is string => id !== null))])).map((c) => [c.id, c]));
    return records.map((r) => {
      const service = r.serviceId ? services.get(r.serviceId) : undefined;
      const change = r.causedByChangeId ? changes.get(r.causedByChangeId) : undefined;
      return {
        ...r,
        cis: r.ciIds.flatMap((id) => (cis.has(id) ? [{ id, name: cis.get(id)!.name }] : [])).sort((a, b) => a.name.localeCompare(b.name)),
        service: service ? { id: service.id, name: service.name } : null,
        causedByChange: change ? { id: change.id, number: change.number, title: change.title } : null,
      };
    });
  }

  /**
   * Resolves the references of a create or update body, read loosely from the raw body so that they are
   * checked even when its shape is wrong elsewhere: CIs (id or name), service (id or name), causing change
   * (id or number), and an openedAt that must not lie in the future. Each problem is added to `issues`.
   */
  async function resolveRefs(repos: Repositories, raw: Record<string, unknown>, issues: Issue[]): Promise<{ ciIds?: string[]; serviceId?: string | null; change?: ChangeRecord | null }> {
    const out: { ciIds?: string[]; serviceId?: string | null; change?: ChangeRecord | null } = {};
    // NOTE: a list longer than the contract allows is only reported by the shape check, never looked up.
    if (Array.isArray(raw.ciIds) && raw.ciIds.length <= MAX_CIS) {
      const given = raw.ciIds.map((v) => (typeof v === 'string' ? v : null));
      const wanted = [...new Set(given.filter((v): v is string => v !== null && v.length > 0))];
      const byId = new Map((await repos.cmdb.findCisByIds(wanted)).map((c) => [c.id, c.id]));
      const byName = new Map((await repos.cmdb.findCisByNames(wanted.filter((v) => !byId.has(v)))).map((c) => [c.name.toLowerCase(), c.id]));
      const ids: string[] = [];
      given.forEach((v, i) => {
        if (v === null || v.length === 0) return;
        const id = byId.get(v) ?? byName.get(v.toLowerCase());
        if (id) ids.push(id);
        else issues.push({ path: `ciIds.${i}`, message: `unknown CI ${v}` });
      });
      out.ciIds = [...new Set(ids)].sort();
    }
    if (raw.serviceId === null) out.serviceId = null;
    else if (typeof raw.serviceId === 'string' && raw.serviceId.length > 0) {
      const service = await repos.cmdb.findService(raw.serviceId);
      if (service) out.serviceId = service.id;
      else issues.push({ path: 'serviceId', message: `unknown service ${raw.serviceId}` });
    }
    if (raw.causedByChangeId === null) out.change = null;
    else if (typeof raw.causedByChangeId === 'string' && raw.causedByChangeId.length > 0) {
      const change = await repos.changes.findById(raw.causedByChangeId);
      if (change) out.change = change;
      else issues.push({ path: 'causedByChangeId', message: `unknown change ${raw.causedByChangeId}` });
    }
    if (typeof raw.openedAt === 'string' && Date.parse(raw.openedAt) > deps.now().getTime() + CLOCK_LEEWAY_MS) {
      issues.push({ path: 'openedAt', message: 'must not be in the future' });
    }
    return out;
  }

  /** Audits the move of an incident's causing change on the changes themselves. */
  /** Stores a new incident with its creation and its link to the change that caused it in the audit trail. */
  async function recordNew(repos: Repositories, actor: Actor, incident: IncidentRecord, change: ChangeRecord | null): Promise<void> {
    await repos.incidents.insert(incident);
    await audit(repos, actor, incident.createdAt, 'incident.created', 'incident', incident.id, { number: incident.number, after: incident });
    await auditChangeLink(repos, actor, incident.createdAt, incident, null, change);
  }

  async function auditChangeLink(repos: Repositories, actor: Actor, at: string, incident: IncidentRecord, from: string | null, to: ChangeRecord | null): Promise<void> {
    if (from === (to?.id ?? null)) return;
    if (from) {
      const previous = await repos.changes.findById(from);
      if (previous) await audit(repos, actor, at, 'change.incident_unlinked', 'change', previous.id, { number: previous.number, incident: incident.number, incidentId: incident.id });
    }
    if (to) await audit(repos, actor, at, 'change.incident_linked', 'change', to.id, { number: to.number, incident: incident.number, incidentId: incident.id });
    if (to) await deps.catalogue?.changeCausedIncident(repos, actor, to.id);
  }

  /** The filter of a list query with every name and number resolved to an id; 400 naming each unknown one. */
  async function filterOf(repos: Repositories, query: Omit<ChangeIncidentsQuery, 'limit' | 'cursor'> & { changeId?: string }) {
    const issues: Issue[] = [];
    let states: string[] | undefined;
    if (query.state) {
      const wanted = query.state.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      const unknown = wanted.filter((s) => s !== 'open' && !(INCIDENT_STATES as readonly string[]).includes(s));
      for (const s of unknown) issues.push({ path: 'query.state', message: `unknown state ${s} (one of open, ${INCIDENT_STATES.join(', ')})` });
      states = [...new Set(wanted.flatMap((s) => (s === 'open' ? OPEN_STATES : [s])))];
    }
    let ciId: string | undefined;
    if (query.ciId) {
      const ci = await repos.cmdb.findCi(query.ciId);
      if (ci) ciId = ci.id;
      else issues.push({ path: 'query.ciId', message: `unknown CI ${query.ciId}` });
    }
    let serviceId: string | undefined;
    if (query.serviceId) {
      const service = await repos.cmdb.findService(query.serviceId);
      if (service) serviceId = service.id;
      else issues.push({ path: 'query.serviceId', message: `unknown service ${query.serviceId}` });
    }
    let causedByChangeId: string | undefined;
    if (query.changeId) {
      const change = await repos.changes.findById(query.changeId);
      if (change) causedByChangeId = change.id;
      else issues.push({ path: 'query.changeId', message: `unknown change ${query.changeId}` });
    }
    let priorities: number[] | undefined;
    if (query.priority) {
      const wanted = query.priority.split(',').map((p) => p.trim()).filter(Boolean);
      for (const p of wanted) if (!/^[1-4]$/.test(p)) issues.push({ path: 'query.priority', message: `unknown priority ${p} (1 critical … 4 low)` });
      priorities = [...new Set(wanted.filter((p) => /^[1-4]$/.test(p)).map(Number))];
    }
    if (query.openedFrom && query.openedTo && query.openedTo <= query.openedFrom) issues.push({ path: 'query.openedTo', message: 'must be after openedFrom' });
    throwIfIssues(issues, 'The filter has invalid values.');
    return { states, priorities, ciId, serviceId, causedByChangeId, openedFrom: query.openedFrom, openedTo: query.openedTo, q: query.q?.trim() || undefined };
  }

  /**
   * A page of incidents: newest opened first, the cursor an (openedAt, id) keyset as it has always been; or in
   * `sort`'s order, the cursor holding the sort, the last row's sort value and its number (ties are broken by
   * number). 400 for a cursor this list did not give out, or gave out for another sort.
   */
  async function page(
    repos: Repositories,
    filter: Awaited<ReturnType<typeof filterOf>>,
    query: { limit: number; cursor?: string; sort?: string },
  ): Promise<{ items: Incident[]; nextCursor: string | null }> {
    const { sort, limit } = query;
    const position = sort ? { sort: keysetPositionOf<IncidentSortColumn>(sort, query.cursor, 'string') } : { after: afterOf(decodeInstantCursor(query.cursor)) };
    const rows = await repos.incidents.list({ ...filter, ...position, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > limit && last ? (sort ? encodeKeysetCursor(sort, { value: last.sortValue, tie: last.number }) : encodeInstantCursor(last.openedAt, last.id)) : null;
    return { items: await present(repos, items.map(({ sortValue: _sortValue, ...r }) => r)), nextCursor };
  }

  /** After a write, in its transaction: open changes on the CIs (before and after) get their risk recomputed. */
  const cisTouched = (repos: Repositories, actor: Actor, active: ActivePolicy | null, ciIds: string[]) => risk.reassessTouching(repos, actor, [...new Set(ciIds)], active);

  /**
   * After an incident named a change as its cause (committed): a change already in review or finished may now need
   * its post-implementation review (reviews.yaml's `caused_incident`), opened in a transaction of its own.
   */
  async function causeNamed(actor: Actor, changeId: string | null): Promise<void> {
    if (changeId) await deps.reviews?.reconsider(actor, changeId);
  }

  return {
    /** Newest opened first; filter by state (`open` for new, in_progress and on_hold), CI, service, causing change, dates, words. */
    async list(actor: Actor, query: IncidentListQuery): Promise<{ items: Incident[]; nextCursor: string | null }> {
      assertPermission(actor, 'incident.read');
      return page(store.repos, await filterOf(store.repos, query), query);
    },

    /**
     * Every incident the list's filters match, in its order, a page at a time (for the CSV export, which
     * streams them). The filters are checked before the first page is read: a bad one is the same 400.
     */
    async listAll(actor: Actor, query: IncidentExportQuery): Promise<AsyncGenerator<Incident[]>> {
      assertPermission(actor, 'incident.read');
      const repos = store.repos;
      const filter = await filterOf(repos, query);
      return everyPage((cursor) => page(repos, filter, { limit: EXPORT_PAGE, cursor, sort: query.sort }));
    },

    /** The incidents a change caused (change id or number), newest opened first. */
    async causedBy(actor: Actor, changeIdOrNumber: string, query: ChangeIncidentsQuery): Promise<{ items: Incident[]; nextCursor: string | null }> {
      assertPermission(actor, 'incident.read');
      const change = await store.repos.changes.findById(changeIdOrNumber);
      if (!change) throw new NotFoundError('Change', changeIdOrNumber);
      return page(store.repos, { ...(await filterOf(store.repos, query)), causedByChangeId: change.id }, query);
    },

    /** One incident by id or number. */
    async get(actor: Actor, idOrNumber: string): Promise<Incident> {
      assertPermission(actor, 'incident.read');
      return (await present(store.repos, [await load(store.repos, idOrNumber)]))[0]!;
    },

    /**
     * The reference problems among the fields of a create or update body that parsed, when the body was refused
     * for its shape elsewhere: the route lists them in the same 400 (http/validation.ts).
     */
    async referenceIssues(actor: Actor, fields: Record<string, unknown>): Promise<Issue[]> {
      assertPermission(actor, 'incident.write');
      const issues: Issue[] = [];
      await resolveRefs(store.repos, fields, issues);
      return issues;
    },

    /**
     * Files an incident. The body is validated here rather than by the route, so that one 400 lists every
     * problem: its shape (CreateIncidentInput) and its references (unknown CIs, service or change, an
     * openedAt in the future) together.
     */
    async create(actor: Actor, body: unknown): Promise<Incident> {
      assertPermission(actor, 'incident.write');
      const parsed = CreateIncidentInput.safeParse(body);
      const active = await policy.activeOrNull();
      const created = await store.transaction(async (repos) => {
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const refs = await resolveRefs(repos, asObject(body), issues);
        throwIfIssues(issues, 'The incident has invalid values.');
        const input = parsed.data!;
        const at = nowIso();
        const incident: IncidentRecord = {
          id: deps.newId(),
          number: await repos.incidents.nextNumber(),
          title: input.title,
          description: input.description,
          priority: input.priority,
          state: input.state,
          openedAt: input.openedAt ?? at,
          ...stampsFor(input.state, { resolvedAt: null, closedAt: null }, at),
          ciIds: refs.ciIds ?? [],
          serviceId: refs.serviceId ?? null,
          causedByChangeId: refs.change?.id ?? null,
          source: 'cabinet',
          external: {},
          version: 1,
          createdBy: actor.userId,
          createdAt: at,
          updatedAt: at,
        };
        await recordNew(repos, actor, incident, refs.change ?? null);
        await cisTouched(repos, actor, active, incident.ciIds);
        return (await present(repos, [incident]))[0]!;
      });
      await causeNamed(actor, created.causedByChange?.id ?? null);
      return created;
    },

    /**
     * Opens a new incident from someone's report that a change affected them ("this affected me"), linked to the
     * change, in the caller's transaction. The caller decides who may report (it needs no `incident.write`): the
     * incident starts `new`, without CIs, for the service desk to triage, and is marked as a report.
     */
    async openReported(repos: Repositories, actor: Actor, report: { change: ChangeRecord; title: string; description: string; serviceId: string | null }): Promise<Incident> {
      const at = nowIso();
      const incident: IncidentRecord = {
        id: deps.newId(),
        number: await repos.incidents.nextNumber(),
        title: report.title,
        description: report.description,
        priority: 3,
        state: 'new',
        openedAt: at,
        resolvedAt: null,
        closedAt: null,
        ciIds: [],
        serviceId: report.serviceId,
        causedByChangeId: report.change.id,
        source: 'cabinet',
        external: { reported_as: 'this affected me' },
        version: 1,
        createdBy: actor.userId,
        createdAt: at,
        updatedAt: at,
      };
      await recordNew(repos, actor, incident, report.change);
      return (await present(repos, [incident]))[0]!;
    },

    /**
     * Edits an incident; like `create`, one 400 lists every problem. Entering `resolved` or `closed` stamps
     * resolvedAt / closedAt (when not set); going back to an open state clears them. A stale `version` (body,
     * or `ifMatch` from the If-Match header) gets 412 and writes nothing.
     */
    async update(actor: Actor, idOrNumber: string, body: unknown, ifMatch?: number): Promise<Incident> {
      assertPermission(actor, 'incident.write');
      const parsed = UpdateIncidentInput.safeParse(body);
      const active = await policy.activeOrNull();
      const updated = await store.transaction(async (repos) => {
        const before = await load(repos, idOrNumber);
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const refs = await resolveRefs(repos, asObject(body), issues);
        throwIfIssues(issues, 'The incident has invalid values.');
        const input = parsed.data!;
        const version = input.version ?? ifMatch;
        if (version !== undefined && version !== before.version) throw new StaleVersionError('Incident', before.number, version, before.version);
        const at = nowIso();
        const state = input.state ?? before.state;
        const after: IncidentRecord = {
          ...before,
          title: input.title ?? before.title,
          description: input.description ?? before.description,
          priority: input.priority ?? before.priority,
          state,
          ...(state === before.state ? {} : stampsFor(state, before, at)),
          ciIds: refs.ciIds ?? before.ciIds,
          serviceId: refs.serviceId !== undefined ? refs.serviceId : before.serviceId,
          causedByChangeId: refs.change !== undefined ? (refs.change?.id ?? null) : before.causedByChangeId,
          version: before.version + 1,
          updatedAt: at,
        };
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, INCIDENT_FIELDS);
        if (Object.keys(changes).length === 0) return { incident: (await present(repos, [before]))[0]!, reviewMoved: false };
        if (!(await repos.incidents.update(after, before.version))) throw new StaleVersionError('Incident', before.number, before.version, before.version + 1);
        await audit(repos, actor, at, 'incident.updated', 'incident', after.id, { number: after.number, changes });
        if (refs.change !== undefined) await auditChangeLink(repos, actor, at, after, before.causedByChangeId, refs.change);
        // A raised priority of an incident already tied to a change may meet the catalogue's suspension rule.
        else if (after.causedByChangeId && after.priority !== before.priority) await deps.catalogue?.changeCausedIncident(repos, actor, after.causedByChangeId);
        await cisTouched(repos, actor, active, [...before.ciIds, ...after.ciIds]);
        return { incident: (await present(repos, [after]))[0]!, reviewMoved: 'causedByChangeId' in changes || 'priority' in changes || 'ciIds' in changes };
      });
      // Only what the review rules read of the incident: its cause, its priority (outcome.incidentsCaused,
      // worstIncidentPriority) and its CIs (history.ciIncidents30d); a new title or state changes no review.
      if (updated.reviewMoved) await causeNamed(actor, updated.incident.causedByChange?.id ?? null);
      return updated.incident;
    },

    /**
     * Imports a ServiceNow incident event log (or Cabinet's own CSV: number,title,priority,state,opened_at,ci,
     * caused_by). The last row of each number is the incident's current state. Incidents already here (same
     * number) are updated, never duplicated; CIs and changes are matched by name and number, and what does
     * not match is reported and kept in `external`. Each refused incident is reported with its row. One
     * `incident.imported` audit event; `dryRun` writes nothing. A text that is not CSV, or has no `number`
     * column, is refused whole (400 `invalid_import`).
     */
    async importCsv(actor: Actor, text: string, opts: ImportIncidentsOptions = {}): Promise<ImportIncidentsResult> {
      assertPermission(actor, 'incident.import');
      const file = readIncidentCsv(text);
      const nowMs = deps.now().getTime();
      const drafts: Draft[] = [];
      const errors: ImportIncidentsResult['errors'] = [...file.errors];
      for (const row of file.rows) {
        const problems: string[] = [];
        const draft = readDraft(row, file.format, nowMs, problems);
        if (problems.length > 0 || !draft) errors.push({ row: row.row, number: row.number, message: problems.join('; ') });
        else drafts.push(draft);
      }
      errors.sort((a, b) => a.row - b.row);
      const active = opts.dryRun ? null : await policy.activeOrNull();

      /** Matches names and numbers, then works out every write; writes them unless this is a dry run. */
      const run = async (repos: Repositories, write: boolean): Promise<ImportIncidentsResult> => {
        const ciNames = new Set(drafts.flatMap((d) => d.ciNames));
        const cis = new Map<string, string>();
        // Names match exactly here: the lookup ignores case, the event log's names do not.
        const names = [...ciNames];
        for (let i = 0; i < names.length; i += 500) {
          for (const c of await repos.cmdb.findCisByNames(names.slice(i, i + 500))) if (ciNames.has(c.name)) cis.set(c.name, c.id);
        }
        const changeNumbers = [...new Set(drafts.flatMap((d) => [d.causedBy, d.rfc]).filter((n): n is string => n !== null))];
        const changes = new Map<string, ChangeRecord>();
        for (const n of changeNumbers) {
          const change = await repos.changes.findById(n);
          if (change && change.number === n) changes.set(n, change);
        }
        const existing = new Map((await repos.incidents.findByNumbers(drafts.map((d) => d.number))).map((i) => [i.number, i]));
        const unmatchedCis = new Set<string>();
        const unmatchedChanges = new Set<string>();
        const at = nowIso();
        const inserts: IncidentRecord[] = [];
        const updates: IncidentRecord[] = [];
        const links: { incident: IncidentRecord; from: string | null; to: ChangeRecord }[] = [];
        const touched: string[] = [];
        let updated = 0;
        for (const d of drafts) {
          const ciIds = d.ciNames.flatMap((n) => {
            const id = cis.get(n);
            if (!id) unmatchedCis.add(n);
            return id ? [id] : [];
          });
          for (const n of [d.causedBy, d.rfc]) if (n !== null && !changes.has(n)) unmatchedChanges.add(n);
          const cause = d.causedBy !== null ? (changes.get(d.causedBy) ?? null) : null;
          const before = existing.get(d.number);
          if (!before) {
            const incident: IncidentRecord = {
              id: deps.newId(), number: d.number, title: d.title, description: d.description, priority: d.priority, state: d.state,
              openedAt: d.openedAt, resolvedAt: d.resolvedAt, closedAt: d.closedAt, ciIds: [...new Set(ciIds)].sort(), serviceId: null,
              causedByChangeId: cause?.id ?? null, source: 'import', external: d.external, version: 1, createdBy: actor.userId, createdAt: at, updatedAt: at,
            };
            inserts.push(incident);
            touched.push(...incident.ciIds);
            if (cause) links.push({ incident, from: null, to: cause });
            continue;
          }
          updated++;
          // What the file does not say (`?`, or a name that matches nothing here) leaves what Cabinet has.
          const after: IncidentRecord = {
            ...before,
            title: d.title,
            description: d.description || before.description,
            priority: d.priority,
            state: d.state,
            openedAt: d.openedAt,
            resolvedAt: d.resolvedAt,
            closedAt: d.closedAt,
            ciIds: [...new Set([...before.ciIds, ...ciIds])].sort(),
            causedByChangeId: cause?.id ?? before.causedByChangeId,
            external: { ...before.external, ...d.external },
            version: before.version + 1,
            updatedAt: at,
          };
          if (Object.keys(diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, INCIDENT_FIELDS)).length === 0) continue;
          updates.push(after);
          touched.push(...before.ciIds, ...after.ciIds);
          if (cause && cause.id !== before.causedByChangeId) links.push({ incident: after, from: before.causedByChangeId, to: cause });
        }
        const result: ImportIncidentsResult = {
          incidents: file.incidents,
          created: inserts.length,
          updated,
          errors,
          unmatchedCis: [...unmatchedCis].sort(),
          unmatchedChanges: [...unmatchedChanges].sort(),
        };
        if (!write) return result;
        await repos.incidents.insertMany(inserts);
        if ((await repos.incidents.updateMany(updates)) !== updates.length) {
          throw new ConflictError('import_conflict', 'Some incidents were edited while the import ran; nothing was imported. Import the file again.');
        }
        // The import is its own entity: it is about many incidents, and no single incident's history.
        await audit(repos, actor, at, 'incident.imported', 'incident_import', deps.newId(), {
          incidents: result.incidents,
          created: result.created,
          updated: result.updated,
          written: inserts.length + updates.length,
          refused: errors.length,
          unmatchedCis: result.unmatchedCis.length,
          unmatchedChanges: result.unmatchedChanges.length,
          format: file.format,
        });
        for (const l of links) await auditChangeLink(repos, actor, at, l.incident, l.from, l.to);
        await cisTouched(repos, actor, active, touched);
        return result;
      };
      if (opts.dryRun) return run(store.repos, false);
      return store.transaction((repos) => run(repos, true));
    },
  };
}
export type IncidentService = ReturnType<typeof createIncidentService>;

// ---------------------------------------------------------------------------------------------------------
// Reading the CSV

type ImportFormat = 'servicenow' | 'cabinet';

/** The row of a file that counts for one incident number (the last one), with its 1-based row number. */
interface CountedRow {
  row: number;
  number: string | null;
  values: Record<string, string>;
}

/** One incident as a row of the file says it is, before CIs and changes are matched. */
interface Draft {
  number: string;
  title: string;
  description: string;
  priority: number;
  state: IncidentState;
  openedAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
  ciNames: string[];
  causedBy: string | null;
  rfc: string | null;
  external: Record<string, string>;
}

const SERVICENOW_COLUMNS = ['number', 'incident_state', 'opened_at'];
const CABINET_COLUMNS = ['number', 'title', 'state', 'opened_at'];

/** ServiceNow's incident states (the event log's labels and the newer ones) and Cabinet's own. */
const STATE_OF: Record<string, IncidentState> = {
  new: 'new',
  active: 'in_progress',
  'in progress': 'in_progress',
  in_progress: 'in_progress',
  'awaiting user info': 'on_hold',
  'awaiting problem': 'on_hold',
  'awaiting vendor': 'on_hold',
  'awaiting evidence': 'on_hold',
  'on hold': 'on_hold',
  on_hold: 'on_hold',
  resolved: 'resolved',
  closed: 'closed',
};

const NUMBER = /^[A-Z0-9][A-Z0-9_-]{0,39}$/;
const MAX_TITLE = 200;

/** `?` and empty cells are ServiceNow's missing values. */
const valueOf = (v: string | undefined): string | null => {
  const t = (v ?? '').trim();
  return t === '' || t === '?' ? null : t;
};

/**
 * Parses the CSV and picks the row that counts for each incident number: the highest `sys_mod_count`, then
 * the last in file order. A text that is not CSV, or lacks the columns of either format, is a 400 as a whole.
 */
function readIncidentCsv(text: string): { format: ImportFormat; rows: CountedRow[]; incidents: number; errors: ImportIncidentsResult['errors'] } {
  let records: Record<string, string>[];
  let columns: string[] = [];
  try {
    records = parseCsv(text, {
      columns: (header: string[]) => (columns = header.map((c) => c.trim().toLowerCase())),
      skip_empty_lines: true,
      bom: true,
      relax_column_count: false,
    }) as Record<string, string>[];
  } catch (err) {
    throw new InputError('The file is not a CSV this import can read.', [{ path: 'body', message: (err as Error).message }], 'invalid_import');
  }
  if (!columns.includes('number')) {
    throw new InputError('The CSV has no `number` column.', [{ path: 'header', message: `expected a ServiceNow incident log (${SERVICENOW_COLUMNS.join(',')},…) or ${CABINET_COLUMNS.join(',')},priority,ci,caused_by` }], 'invalid_import');
  }
  const format: ImportFormat = columns.includes('incident_state') ? 'servicenow' : 'cabinet';
  const required = format === 'servicenow' ? SERVICENOW_COLUMNS : CABINET_COLUMNS;
  const missing = required.filter((c) => !columns.includes(c));
  if (missing.length > 0) throw new InputError('The CSV lacks columns this import needs.', missing.map((c) => ({ path: 'header', message: `missing column ${c}` })), 'invalid_import');

  const errors: ImportIncidentsResult['errors'] = [];
  const counted = new Map<string, { row: number; mod: number; values: Record<string, string> }>();
  records.forEach((values, i) => {
    const row = i + 1;
    const raw = valueOf(values.number);
    if (raw === null) {
      errors.push({ row, number: null, message: 'number: missing' });
      return;
    }
    const number = raw.toUpperCase();
    const mod = Number.parseInt(values.sys_mod_count ?? '', 10);
    const modCount = Number.isFinite(mod) ? mod : -1;
    const best = counted.get(number);
    if (!best || modCount >= best.mod) counted.set(number, { row, mod: modCount, values });
  });
  const rows = [...counted].map(([number, c]) => ({ row: c.row, number, values: c.values })).sort((a, b) => a.row - b.row);
  return { format, rows, incidents: counted.size, errors };
}

/**
 * `DD-MM-YYYY HH:MM[:SS]` in UTC (the event log), or ISO 8601 with a time zone (Cabinet's CSV). Null for a
 * missing value; a problem added for one that cannot be read.
 */
function readInstant(v: string | undefined, column: string, problems: string[]): string | null {
  const value = valueOf(v);
  if (value === null) return null;
  const m = /^(\d{1,2})-(\d{1,2})-(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(value);
  if (m) {
    const [day, month, year, hour, minute, second] = m.slice(1).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number];
    const d = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
    if (d.getUTCDate() === day && d.getUTCMonth() === month - 1 && hour < 24 && minute < 60 && second < 60) return d.toISOString();
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value) && !Number.isNaN(Date.parse(value))) {
    return new Date(value).toISOString();
  }
  problems.push(`${column}: "${value}" is not a date (DD-MM-YYYY HH:MM in UTC, or ISO 8601 with a time zone)`);
  return null;
}

/** Reads the incident a counted row describes; adds every problem it has to `problems`. */
function readDraft(row: CountedRow, format: ImportFormat, nowMs: number, problems: string[]): Draft | null {
  const v = row.values;
  const number = row.number!;
  if (!NUMBER.test(number)) problems.push(`number: "${number}" is not an incident number (letters, digits, "-" or "_", at most 40)`);

  const stateLabel = valueOf(format === 'servicenow' ? v.incident_state : v.state);
  const state = stateLabel === null ? undefined : STATE_OF[stateLabel.toLowerCase()];
  if (!state) problems.push(`${format === 'servicenow' ? 'incident_state' : 'state'}: ${stateLabel === null ? 'missing' : `unknown state "${stateLabel}"`}`);

  const priorityLabel = valueOf(v.priority);
  const priority = priorityLabel === null ? 3 : Number(/^\s*(\d+)/.exec(priorityLabel)?.[1] ?? NaN);
  if (!(priority >= 1 && priority <= 4)) problems.push(`priority: "${priorityLabel}" is not 1 (critical) to 4 (low)`);

  const openedAt = readInstant(v.opened_at, 'opened_at', problems);
  if (openedAt === null && valueOf(v.opened_at) === null) problems.push('opened_at: missing');
  if (openedAt !== null && Date.parse(openedAt) > nowMs + CLOCK_LEEWAY_MS) problems.push('opened_at: must not be in the future');
  const resolvedIn = readInstant(v.resolved_at, 'resolved_at', problems);
  const closedIn = readInstant(v.closed_at, 'closed_at', problems);
  const updatedIn = format === 'servicenow' ? readInstant(v.sys_updated_at, 'sys_updated_at', problems) : null;

  let title: string;
  let description = '';
  if (format === 'servicenow') {
    const head = [valueOf(v.category), valueOf(v.subcategory)].filter((p): p is string => p !== null).join(' / ');
    const symptom = valueOf(v.u_symptom);
    title = symptom ? (head ? `${head}: ${symptom}` : symptom) : head || `Incident ${number}`;
  } else {
    title = valueOf(v.title) ?? '';
    description = valueOf(v.description) ?? '';
    if (!title) problems.push('title: missing');
  }
  if (problems.length > 0 || !state || openedAt === null) return null;

  // The file's times where it has them; otherwise the row's last update, so a resolved incident has a time.
  const stampAt = updatedIn ?? openedAt;
  const stamps =
    state === 'resolved' ? { resolvedAt: resolvedIn ?? stampAt, closedAt: null }
      : state === 'closed' ? { resolvedAt: resolvedIn ?? closedIn ?? stampAt, closedAt: closedIn ?? stampAt }
        : { resolvedAt: null, closedAt: null };

  const external: Record<string, string> = {};
  const keep = (key: string, value: string | null) => {
    if (value !== null) external[key] = value;
  };
  const ciCell = valueOf(format === 'servicenow' ? v.cmdb_ci : v.ci);
  const ciNames = ciCell === null ? [] : [...new Set(ciCell.split(';').map((n) => n.trim()).filter(Boolean))];
  const causedBy = valueOf(v.caused_by)?.toUpperCase() ?? null;
  const rfc = valueOf(v.rfc)?.toUpperCase() ?? null;
  keep('cmdbCi', ciCell);
  keep('causedBy', causedBy);
  keep('rfc', rfc);
  keep('problem', valueOf(v.problem_id));
  keep('assignmentGroup', valueOf(v.assignment_group));
  return { number, title: title.slice(0, MAX_TITLE), description, priority, state, openedAt, ...stamps, ciNames, causedBy, rfc, external };
}
