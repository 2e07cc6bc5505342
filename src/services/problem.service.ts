import {
  CreateKnownErrorInput,
  CreateProblemInput,
  KNOWN_ERROR_STATES,
  OPEN_PROBLEM_STATES,
  PROBLEM_STATES,
  PROBLEM_TRANSITIONS,
  SUGGESTION_DAYS,
  SUGGESTION_INCIDENTS,
  UpdateKnownErrorInput,
  UpdateProblemInput,
  type KnownError,
  type KnownErrorListQuery,
  type KnownErrorsOnCis,
  type Problem,
  type ProblemExportQuery,
  type ProblemListQuery,
  type ProblemSortColumn,
  type ProblemState,
  type ProblemSuggestions,
  type ShareWorkaroundResult,
} from '../contracts/problems';
import type { Actor } from '../domain/actor';
import { diffFields } from '../domain/audit/chain';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import type { ChangeRecord, KnownErrorRecord, ProblemRecord, Repositories } from '../db/repositories';
import { asObject, audit, decodeInstantCursor, encodeInstantCursor, issuesOfZod, throwIfIssues, type ServiceDeps } from './context';
import { encodeKeysetCursor, everyPage, keysetPositionOf } from './keyset-cursor';
import type { NotifyInput, OutboxService } from './outbox.service';

export interface ProblemServiceDeps extends ServiceDeps {
  outbox: OutboxService;
}

/** The fields of a problem an update may change, as audited. */
const PROBLEM_FIELDS = [
  'title', 'description', 'priority', 'state', 'ciIds', 'serviceId', 'ownerId', 'teamId', 'rootCause', 'incidentIds', 'causedByChangeIds', 'fixChangeIds',
  'resolvedAt', 'resolvedByChangeId', 'closedAt',
] as const;
const KNOWN_ERROR_FIELDS = ['title', 'cause', 'workaround', 'state', 'ciIds', 'problemId', 'publishedAt', 'retiredAt'] as const;
/** The close codes of a fix change that resolve its problems. */
const RESOLVING_CLOSE_CODES = ['successful', 'successful_with_issues'];
/** The most links of one kind a body may name (the contract's limit). */
const MAX_REFS = 200;
/** Rows read at a time by the CSV export. */
const EXPORT_PAGE = 500;

const byNumber = <T extends { number: string }>(a: T, b: T) => a.number.localeCompare(b.number);

/** What stays resolved, closed or neither when a problem enters `state`. */
function stampsFor(state: ProblemState, before: { resolvedAt: string | null; closedAt: string | null; resolvedByChangeId: string | null }, at: string) {
  if (state === 'resolved') return { resolvedAt: before.resolvedAt ?? at, closedAt: null, resolvedByChangeId: before.resolvedByChangeId };
  if (state === 'closed') return { resolvedAt: before.resolvedAt, closedAt: before.closedAt ?? at, resolvedByChangeId: before.resolvedByChangeId };
  return { resolvedAt: null, closedAt: null, resolvedByChangeId: null };
}

/** The refs of a body, each resolved to an id. */
interface Refs {
  ciIds?: string[];
  serviceId?: string | null;
  ownerId?: string | null;
  teamId?: string | null;
  incidentIds?: string[];
  causedByChangeIds?: string[];
  fixChangeIds?: string[];
  problem?: ProblemRecord | null;
}

/**
 * Problems (the cause behind incidents) and known errors (a known cause with its workaround), issue 13 point 8.
 * A problem links incidents, the changes that caused it and the changes that fix it; the first fix change to
 * close successfully resolves it (`changeClosed`, called by the change service). Published known errors on a
 * change's CIs are shown when it is filed and are a pre-approval check of standard changes
 * (`repos.problems.knownErrorsOnCis`). Who may do what: docs/security.md; the states: docs/learning.md.
 */
export function createProblemService(deps: ProblemServiceDeps) {
  const { store, outbox } = deps;
  const nowIso = () => deps.now().toISOString();

  async function loadProblem(repos: Repositories, idOrNumber: string): Promise<ProblemRecord> {
    const found = await repos.problems.findProblem(idOrNumber);
    if (!found) throw new NotFoundError('Problem', idOrNumber);
    return found;
  }
  async function loadKnownError(repos: Repositories, idOrNumber: string): Promise<KnownErrorRecord> {
    const found = await repos.problems.findKnownError(idOrNumber);
    if (!found) throw new NotFoundError('Known error', idOrNumber);
    return found;
  }

  /** A change manager edits any problem; its owner and the members of its team edit their own. */
  const mayEditProblem = (actor: Actor, p: Pick<ProblemRecord, 'ownerId' | 'teamId'>): boolean =>
    hasPermission(actor, 'problem.manage') || (hasPermission(actor, 'problem.create') && (p.ownerId === actor.userId || (p.teamId !== null && actor.teamIds.includes(p.teamId))));

  function assertMayEditProblem(actor: Actor, p: ProblemRecord): void {
    if (!mayEditProblem(actor, p)) {
      throw new ForbiddenError(`Only a change manager, the owner of ${p.number} or a member of its team may change it.`, 'forbidden', { permission: 'problem.manage' });
    }
  }

  /** A change manager writes any known error; the owner and team of its problem write theirs. */
  function assertMayWriteKnownError(actor: Actor, problem: ProblemRecord | null, what: string): void {
    if (hasPermission(actor, 'problem.manage')) return;
    if (problem && mayEditProblem(actor, problem)) return;
    throw new ForbiddenError(
      problem
        ? `Only a change manager, the owner of ${problem.number} or a member of its team may ${what}.`
        : `Only a change manager may ${what} that belongs to no problem; link it to a problem you own.`,
      'forbidden',
      { permission: 'problem.manage' },
    );
  }

  /** Problems as the API shows them, with names of what they are linked to. */
  async function presentProblems(repos: Repositories, records: ProblemRecord[]): Promise<Problem[]> {
    const ids = records.map((r) => r.id);
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(records.flatMap((r) => r.ciIds))])).map((c) => [c.id, c.name]));
    const services = new Map((await repos.cmdb.findServicesByIds([...new Set(records.flatMap((r) => (r.serviceId ? [r.serviceId] : [])))])).map((s) => [s.id, s.name]));
    const people = await repos.accounts.userNames([...new Set(records.flatMap((r) => (r.ownerId ? [r.ownerId] : [])))]);
    const teams = new Map<string, string>();
    for (const teamId of new Set(records.flatMap((r) => (r.teamId ? [r.teamId] : [])))) {
      const team = await repos.accounts.findTeam(teamId);
      if (team) teams.set(team.id, team.name);
    }
    const incidents = await repos.problems.linkedIncidents(ids);
    const changes = await repos.problems.linkedChanges(ids);
    const knownErrors = await repos.problems.knownErrorsOfProblems(ids);
    const resolvers = new Map((await repos.changes.findManyByIds([...new Set(records.flatMap((r) => (r.resolvedByChangeId ? [r.resolvedByChangeId] : [])))])).map((c) => [c.id, c]));
    return records.map((r) => {
      const resolver = r.resolvedByChangeId ? resolvers.get(r.resolvedByChangeId) : undefined;
      const linked = (role: 'caused' | 'fix') =>
        changes.filter((c) => c.problemId === r.id && c.role === role).map(({ id, number, title, state, closeCode }) => ({ id, number, title, state, closeCode }));
      return {
        id: r.id,
        number: r.number,
        title: r.title,
        description: r.description,
        priority: r.priority,
        state: r.state,
        nextStates: [...PROBLEM_TRANSITIONS[r.state]],
        ciIds: r.ciIds,
        cis: r.ciIds.flatMap((id) => (cis.has(id) ? [{ id, name: cis.get(id)! }] : [])).sort((a, b) => a.name.localeCompare(b.name)),
        service: r.serviceId && services.has(r.serviceId) ? { id: r.serviceId, name: services.get(r.serviceId)! } : null,
        owner: r.ownerId ? { id: r.ownerId, name: people.get(r.ownerId) ?? r.ownerId } : null,
        team: r.teamId && teams.has(r.teamId) ? { id: r.teamId, name: teams.get(r.teamId)! } : null,
        rootCause: r.rootCause,
        incidents: incidents.filter((i) => i.problemId === r.id).map(({ id, number, title, state, priority }) => ({ id, number, title, state, priority })),
        causedByChanges: linked('caused'),
        fixChanges: linked('fix'),
        knownErrors: knownErrors.filter((k) => k.problemId === r.id).map(({ id, number, title, state }) => ({ id, number, title, state })),
        resolvedAt: r.resolvedAt,
        resolvedByChange: resolver ? { id: resolver.id, number: resolver.number, title: resolver.title } : null,
        closedAt: r.closedAt,
        version: r.version,
        createdBy: r.createdBy,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      };
    });
  }

  async function presentKnownErrors(repos: Repositories, records: KnownErrorRecord[]): Promise<KnownError[]> {
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(records.flatMap((r) => r.ciIds))])).map((c) => [c.id, c.name]));
    const problems = new Map<string, ProblemRecord>();
    for (const id of new Set(records.flatMap((r) => (r.problemId ? [r.problemId] : [])))) {
      const p = await repos.problems.findProblem(id);
      if (p) problems.set(p.id, p);
    }
    return records.map((r) => {
      const p = r.problemId ? problems.get(r.problemId) : undefined;
      return {
        ...r,
        cis: r.ciIds.flatMap((id) => (cis.has(id) ? [{ id, name: cis.get(id)! }] : [])).sort((a, b) => a.name.localeCompare(b.name)),
        problem: p ? { id: p.id, number: p.number, title: p.title, state: p.state } : null,
        problemId: undefined,
      };
    }).map(({ problemId: _p, ...k }) => k);
  }

  /** Resolves a list of CI ids or names; each unknown one is an issue at its index. */
  async function resolveCis(repos: Repositories, raw: unknown[], path: string, issues: Issue[]): Promise<string[]> {
    const given = raw.map((v) => (typeof v === 'string' ? v : null));
    const wanted = [...new Set(given.filter((v): v is string => v !== null && v.length > 0))];
    const byId = new Map((await repos.cmdb.findCisByIds(wanted)).map((c) => [c.id, c.id]));
    const byName = new Map((await repos.cmdb.findCisByNames(wanted.filter((v) => !byId.has(v)))).map((c) => [c.name.toLowerCase(), c.id]));
    const ids: string[] = [];
    given.forEach((v, i) => {
      if (v === null || v.length === 0) return;
      const id = byId.get(v) ?? byName.get(v.toLowerCase());
      if (id) ids.push(id);
      else issues.push({ path: `${path}.${i}`, message: `unknown CI ${v}` });
    });
    return [...new Set(ids)].sort();
  }

  async function resolveChanges(repos: Repositories, raw: unknown[], path: string, issues: Issue[]): Promise<ChangeRecord[]> {
    const found: ChangeRecord[] = [];
    for (const [i, v] of raw.entries()) {
      if (typeof v !== 'string' || v.length === 0) continue;
      const change = await repos.changes.findById(v);
      if (change) found.push(change);
      else issues.push({ path: `${path}.${i}`, message: `unknown change ${v}` });
    }
    return found;
  }

  /**
   * Resolves the references of a problem or known error body, read loosely from the raw body so that they are
   * checked even when its shape is wrong elsewhere. Each unknown one is added to `issues`.
   */
  async function resolveRefs(repos: Repositories, raw: Record<string, unknown>, issues: Issue[]): Promise<Refs> {
    const out: Refs = {};
    const list = (key: string): unknown[] | null => (Array.isArray(raw[key]) && (raw[key] as unknown[]).length <= MAX_REFS ? (raw[key] as unknown[]) : null);
    const cis = list('ciIds');
    if (cis) out.ciIds = await resolveCis(repos, cis, 'ciIds', issues);
    if (raw.serviceId === null) out.serviceId = null;
    else if (typeof raw.serviceId === 'string' && raw.serviceId.length > 0) {
      const service = await repos.cmdb.findService(raw.serviceId);
      if (service) out.serviceId = service.id;
      else issues.push({ path: 'serviceId', message: `unknown service ${raw.serviceId}` });
    }
    if (raw.ownerId === null) out.ownerId = null;
    else if (typeof raw.ownerId === 'string' && raw.ownerId.length > 0) {
      if ((await repos.accounts.existingUserIds([raw.ownerId])).has(raw.ownerId)) out.ownerId = raw.ownerId;
      else issues.push({ path: 'ownerId', message: `unknown person ${raw.ownerId}` });
    }
    if (raw.teamId === null) out.teamId = null;
    else if (typeof raw.teamId === 'string' && raw.teamId.length > 0) {
      const team = await repos.accounts.findTeam(raw.teamId);
      if (team) out.teamId = team.id;
      else issues.push({ path: 'teamId', message: `unknown team ${raw.teamId}` });
    }
    const incidents = list('incidentIds');
    if (incidents) {
      const ids: string[] = [];
      for (const [i, v] of incidents.entries()) {
        if (typeof v !== 'string' || v.length === 0) continue;
        const incident = await repos.incidents.findById(v);
        if (incident) ids.push(incident.id);
        else issues.push({ path: `incidentIds.${i}`, message: `unknown incident ${v}` });
      }
      out.incidentIds = [...new Set(ids)].sort();
    }
    const caused = list('causedByChangeIds');
    if (caused) out.causedByChangeIds = [...new Set((await resolveChanges(repos, caused, 'causedByChangeIds', issues)).map((c) => c.id))].sort();
    const fixes = list('fixChangeIds');
    if (fixes) out.fixChangeIds = [...new Set((await resolveChanges(repos, fixes, 'fixChangeIds', issues)).map((c) => c.id))].sort();
    if (raw.problemId === null) out.problem = null;
    else if (typeof raw.problemId === 'string' && raw.problemId.length > 0) {
      const problem = await repos.problems.findProblem(raw.problemId);
      if (problem) out.problem = problem;
      else issues.push({ path: 'problemId', message: `unknown problem ${raw.problemId}` });
    }
    return out;
  }

  /** The list filter with every name and number resolved; 400 naming each unknown one. */
  async function problemFilterOf(repos: Repositories, query: Omit<ProblemListQuery, 'limit' | 'cursor'>) {
    const issues: Issue[] = [];
    let states: string[] | undefined;
    if (query.state) {
      const wanted = query.state.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
      for (const s of wanted.filter((s) => s !== 'open' && !(PROBLEM_STATES as readonly string[]).includes(s))) {
        issues.push({ path: 'query.state', message: `unknown state ${s} (one of open, ${PROBLEM_STATES.join(', ')})` });
      }
      states = [...new Set(wanted.flatMap((s) => (s === 'open' ? [...OPEN_PROBLEM_STATES] : [s])))];
    }
    let priorities: number[] | undefined;
    if (query.priority) {
      const wanted = query.priority.split(',').map((p) => p.trim()).filter(Boolean);
      for (const p of wanted) if (!/^[1-4]$/.test(p)) issues.push({ path: 'query.priority', message: `unknown priority ${p} (1 critical … 4 low)` });
      priorities = [...new Set(wanted.filter((p) => /^[1-4]$/.test(p)).map(Number))];
    }
    const lookup = async <T extends { id: string }>(value: string | undefined, path: string, what: string, find: (v: string) => Promise<T | null>): Promise<string | undefined> => {
      if (!value) return undefined;
      const found = await find(value);
      if (!found) issues.push({ path, message: `unknown ${what} ${value}` });
      return found?.id;
    };
    const ciId = await lookup(query.ciId, 'query.ciId', 'CI', (v) => repos.cmdb.findCi(v));
    const serviceId = await lookup(query.serviceId, 'query.serviceId', 'service', (v) => repos.cmdb.findService(v));
    const teamId = await lookup(query.teamId, 'query.teamId', 'team', (v) => repos.accounts.findTeam(v));
    const incidentId = await lookup(query.incidentId, 'query.incidentId', 'incident', (v) => repos.incidents.findById(v));
    const changeId = await lookup(query.changeId, 'query.changeId', 'change', (v) => repos.changes.findById(v));
    throwIfIssues(issues, 'The filter has invalid values.');
    return { states, priorities, ciId, serviceId, teamId, ownerId: query.ownerId, incidentId, changeId, q: query.q?.trim() || undefined };
  }

  async function problemPage(repos: Repositories, filter: Awaited<ReturnType<typeof problemFilterOf>>, query: { limit: number; cursor?: string; sort?: string }) {
    const { sort, limit } = query;
    const cursor = sort ? undefined : decodeInstantCursor(query.cursor);
    const position = sort ? { sort: keysetPositionOf<ProblemSortColumn>(sort, query.cursor, 'string') } : { after: cursor ? { createdAt: cursor.at, id: cursor.id } : undefined };
    const rows = await repos.problems.listProblems({ ...filter, ...position, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const nextCursor = rows.length > limit && last ? (sort ? encodeKeysetCursor(sort, { value: last.sortValue, tie: last.number }) : encodeInstantCursor(last.createdAt, last.id)) : null;
    return { items: await presentProblems(repos, items.map(({ sortValue: _sortValue, ...r }) => r)), nextCursor };
  }

  /** Audits, on each change, that it was linked to or unlinked from a problem as its cause or its fix. */
  async function auditChangeLinks(repos: Repositories, actor: Actor, at: string, before: ProblemRecord | null, after: ProblemRecord): Promise<void> {
    const moves: { id: string; role: 'caused' | 'fix'; linked: boolean }[] = [];
    const diff = (role: 'caused' | 'fix', was: string[], now: string[]) => {
      for (const id of now) if (!was.includes(id)) moves.push({ id, role, linked: true });
      for (const id of was) if (!now.includes(id)) moves.push({ id, role, linked: false });
    };
    diff('caused', before?.causedByChangeIds ?? [], after.causedByChangeIds);
    diff('fix', before?.fixChangeIds ?? [], after.fixChangeIds);
    for (const m of moves) {
      const change = await repos.changes.findById(m.id);
      if (!change) continue;
      await audit(repos, actor, at, m.linked ? 'change.problem_linked' : 'change.problem_unlinked', 'change', change.id, {
        number: change.number,
        problem: after.number,
        problemId: after.id,
        role: m.role,
      });
    }
  }

  /**
   * Tells the people of a problem something: in-app, and by email as their preferences say (notice-mail.service.ts
   * reads `link`, the page the email opens).
   */
  async function tell(repos: Repositories, userIds: string[], kind: 'workaround_shared' | 'problem_resolved', title: string, body: string, link: string): Promise<void> {
    if (userIds.length === 0) return;
    const notice: NotifyInput & { link: string } = { recipients: userIds.map((ref) => ({ kind: 'user' as const, ref })), kind, title, body, link };
    await outbox.notify(repos, notice);
  }

  return {
    /** Newest first, or as `sort` says; filter by state (`open`: before resolved), priority, CI, service, team, owner, incident, change, words. */
    async list(actor: Actor, query: ProblemListQuery): Promise<{ items: Problem[]; nextCursor: string | null }> {
      assertPermission(actor, 'problem.read');
      return problemPage(store.repos, await problemFilterOf(store.repos, query), query);
    },

    /** Every problem the list's filters match, a page at a time (the CSV export). */
    async listAll(actor: Actor, query: ProblemExportQuery): Promise<AsyncGenerator<Problem[]>> {
      assertPermission(actor, 'problem.read');
      const repos = store.repos;
      const filter = await problemFilterOf(repos, query);
      return everyPage((cursor) => problemPage(repos, filter, { limit: EXPORT_PAGE, cursor, sort: query.sort }));
    },

    async get(actor: Actor, idOrNumber: string): Promise<Problem> {
      assertPermission(actor, 'problem.read');
      return (await presentProblems(store.repos, [await loadProblem(store.repos, idOrNumber)]))[0]!;
    },

    /** The reference problems among the fields that parsed, when a body was refused for its shape (http/validation.ts). */
    async referenceIssues(actor: Actor, fields: Record<string, unknown>): Promise<Issue[]> {
      assertPermission(actor, 'problem.read');
      const issues: Issue[] = [];
      await resolveRefs(store.repos, fields, issues);
      return issues;
    },

    /** Opens a problem; one 400 lists every problem of the body, its shape and its references together. */
    async create(actor: Actor, body: unknown): Promise<Problem> {
      assertPermission(actor, 'problem.create');
      const parsed = CreateProblemInput.safeParse(body);
      return store.transaction(async (repos) => {
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const refs = await resolveRefs(repos, asObject(body), issues);
        throwIfIssues(issues, 'The problem has invalid values.');
        const input = parsed.data!;
        const at = nowIso();
        const problem: ProblemRecord = {
          id: deps.newId(),
          number: await repos.problems.nextProblemNumber(),
          title: input.title,
          description: input.description,
          priority: input.priority,
          state: 'new',
          serviceId: refs.serviceId ?? null,
          ownerId: refs.ownerId !== undefined ? refs.ownerId : (await repos.accounts.existingUserIds([actor.userId])).has(actor.userId) ? actor.userId : null,
          teamId: refs.teamId ?? null,
          rootCause: input.rootCause,
          resolvedAt: null,
          resolvedByChangeId: null,
          closedAt: null,
          ciIds: refs.ciIds ?? [],
          incidentIds: refs.incidentIds ?? [],
          causedByChangeIds: refs.causedByChangeIds ?? [],
          fixChangeIds: refs.fixChangeIds ?? [],
          version: 1,
          createdBy: actor.userId,
          createdAt: at,
          updatedAt: at,
        };
        await repos.problems.insertProblem(problem);
        await audit(repos, actor, at, 'problem.created', 'problem', problem.id, { number: problem.number, after: problem });
        await auditChangeLinks(repos, actor, at, null, problem);
        return (await presentProblems(repos, [problem]))[0]!;
      });
    },

    /**
     * Edits a problem: its fields, links and state (only the moves PROBLEM_TRANSITIONS allows, 409
     * invalid_transition otherwise). A stale `version` (body, or If-Match) gets 412 and writes nothing.
     */
    async update(actor: Actor, idOrNumber: string, body: unknown, ifMatch?: number): Promise<Problem> {
      assertPermission(actor, 'problem.read');
      const parsed = UpdateProblemInput.safeParse(body);
      return store.transaction(async (repos) => {
        const before = await loadProblem(repos, idOrNumber);
        assertMayEditProblem(actor, before);
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const refs = await resolveRefs(repos, asObject(body), issues);
        throwIfIssues(issues, 'The problem has invalid values.');
        const input = parsed.data!;
        const version = input.version ?? ifMatch;
        if (version !== undefined && version !== before.version) throw new StaleVersionError('Problem', before.number, version, before.version);
        const state = input.state ?? before.state;
        if (state !== before.state && !PROBLEM_TRANSITIONS[before.state].includes(state)) {
          const allowed = PROBLEM_TRANSITIONS[before.state];
          throw new ConflictError(
            'invalid_transition',
            `${before.number} cannot move from ${before.state} to ${state}${allowed.length ? `; it may move to ${allowed.join(', ')}` : '; a closed problem stays closed'}.`,
            { from: before.state, to: state, allowed },
          );
        }
        const at = nowIso();
        const after: ProblemRecord = {
          ...before,
          title: input.title ?? before.title,
          description: input.description ?? before.description,
          priority: input.priority ?? before.priority,
          state,
          ...(state === before.state ? {} : stampsFor(state, before, at)),
          ciIds: refs.ciIds ?? before.ciIds,
          serviceId: refs.serviceId !== undefined ? refs.serviceId : before.serviceId,
          ownerId: refs.ownerId !== undefined ? refs.ownerId : before.ownerId,
          teamId: refs.teamId !== undefined ? refs.teamId : before.teamId,
          rootCause: input.rootCause ?? before.rootCause,
          incidentIds: refs.incidentIds ?? before.incidentIds,
          causedByChangeIds: refs.causedByChangeIds ?? before.causedByChangeIds,
          fixChangeIds: refs.fixChangeIds ?? before.fixChangeIds,
          version: before.version + 1,
          updatedAt: at,
        };
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, PROBLEM_FIELDS);
        if (Object.keys(changes).length === 0) return (await presentProblems(repos, [before]))[0]!;
        if (!(await repos.problems.updateProblem(after, before.version))) throw new StaleVersionError('Problem', before.number, before.version, before.version + 1);
        await audit(repos, actor, at, 'problem.updated', 'problem', after.id, { number: after.number, changes });
        await auditChangeLinks(repos, actor, at, before, after);
        return (await presentProblems(repos, [after]))[0]!;
      });
    },

    /**
     * CIs with SUGGESTION_INCIDENTS or more incidents in the last SUGGESTION_DAYS days that no problem is linked
     * to: each is a problem worth opening. Most incidents first, then by CI name.
     */
    async suggestions(actor: Actor): Promise<ProblemSuggestions> {
      assertPermission(actor, 'problem.read');
      const repos = store.repos;
      const since = new Date(deps.now().getTime() - SUGGESTION_DAYS * 86_400_000).toISOString();
      const byCi = new Map<string, ProblemSuggestions['items'][number]['incidents']>();
      for (const r of await repos.problems.unexplainedIncidentsSince(since)) {
        const list = byCi.get(r.ciId) ?? [];
        list.push({ id: r.id, number: r.number, title: r.title, priority: r.priority, openedAt: r.openedAt });
        byCi.set(r.ciId, list);
      }
      const hot = [...byCi].filter(([, list]) => list.length >= SUGGESTION_INCIDENTS);
      const names = new Map((await repos.cmdb.findCisByIds(hot.map(([id]) => id))).map((c) => [c.id, c.name]));
      const items = hot
        .map(([id, incidents]) => ({ ci: { id, name: names.get(id) ?? id }, incidents }))
        .sort((a, b) => b.incidents.length - a.incidents.length || a.ci.name.localeCompare(b.ci.name));
      return { threshold: SUGGESTION_INCIDENTS, days: SUGGESTION_DAYS, items };
    },

    /**
     * In the change service's transaction, after a change reached a final state: if it closed successful or
     * successful_with_issues, every open problem it is a fix of becomes resolved (audited), and its owner is told.
     */
    async changeClosed(repos: Repositories, actor: Actor, change: Pick<ChangeRecord, 'id' | 'number' | 'title' | 'closeCode'>): Promise<void> {
      if (!change.closeCode || !RESOLVING_CLOSE_CODES.includes(change.closeCode)) return;
      for (const found of await repos.problems.openProblemsFixedBy(change.id)) {
        // NOTE (concurrency): someone may edit the problem, or another fix may resolve it, between the read and the
        // write (another server process); the close of the change must not fail for it, so the problem is read
        // again and resolved if it is still open.
        let before: ProblemRecord | null = found;
        let after: ProblemRecord | null = null;
        const at = nowIso();
        for (let attempt = 0; before && attempt < 3; attempt++) {
          const next: ProblemRecord = { ...before, state: 'resolved', resolvedAt: at, resolvedByChangeId: change.id, closedAt: null, version: before.version + 1, updatedAt: at };
          if (await repos.problems.updateProblem(next, before.version)) {
            after = next;
            break;
          }
          before = await repos.problems.findProblem(found.id);
          if (before && (before.state === 'resolved' || before.state === 'closed')) before = null;
        }
        if (!before || !after) continue;
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, PROBLEM_FIELDS);
        await audit(repos, actor, at, 'problem.resolved', 'problem', after.id, { number: after.number, changeId: change.id, change: change.number, closeCode: change.closeCode, changes });
        if (after.ownerId) {
          await tell(repos, [after.ownerId], 'problem_resolved', `${after.number} resolved by ${change.number}`, `${after.number} (${after.title}) was resolved: its fix change ${change.number} (${change.title}) closed ${change.closeCode.replaceAll('_', ' ')}. Close the problem once the fix has held.`, `/problems/${after.number}`);
        }
      }
    },

    // -- known errors ---------------------------------------------------------------------------------------

    async listKnownErrors(actor: Actor, query: KnownErrorListQuery): Promise<{ items: KnownError[]; nextCursor: string | null }> {
      assertPermission(actor, 'problem.read');
      const repos = store.repos;
      const issues: Issue[] = [];
      let states: string[] | undefined;
      if (query.state) {
        states = [...new Set(query.state.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))];
        for (const s of states) if (!(KNOWN_ERROR_STATES as readonly string[]).includes(s)) issues.push({ path: 'query.state', message: `unknown state ${s} (one of ${KNOWN_ERROR_STATES.join(', ')})` });
      }
      let ciId: string | undefined;
      if (query.ciId) {
        const ci = await repos.cmdb.findCi(query.ciId);
        if (ci) ciId = ci.id;
        else issues.push({ path: 'query.ciId', message: `unknown CI ${query.ciId}` });
      }
      let problemId: string | undefined;
      if (query.problemId) {
        const problem = await repos.problems.findProblem(query.problemId);
        if (problem) problemId = problem.id;
        else issues.push({ path: 'query.problemId', message: `unknown problem ${query.problemId}` });
      }
      throwIfIssues(issues, 'The filter has invalid values.');
      const cursor = decodeInstantCursor(query.cursor);
      const rows = await repos.problems.listKnownErrors({
        states,
        ciId,
        problemId,
        q: query.q?.trim() || undefined,
        after: cursor ? { createdAt: cursor.at, id: cursor.id } : undefined,
        limit: query.limit + 1,
      });
      const items = rows.slice(0, query.limit);
      const last = items[items.length - 1];
      return { items: await presentKnownErrors(repos, items), nextCursor: rows.length > query.limit && last ? encodeInstantCursor(last.createdAt, last.id) : null };
    },

    async getKnownError(actor: Actor, idOrNumber: string): Promise<KnownError> {
      assertPermission(actor, 'problem.read');
      return (await presentKnownErrors(store.repos, [await loadKnownError(store.repos, idOrNumber)]))[0]!;
    },

    /** Records a known error; published at once when asked, else a draft. One 400 lists every problem. */
    async createKnownError(actor: Actor, body: unknown): Promise<KnownError> {
      assertPermission(actor, 'problem.create');
      const parsed = CreateKnownErrorInput.safeParse(body);
      return store.transaction(async (repos) => {
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const refs = await resolveRefs(repos, { ciIds: asObject(body).ciIds, problemId: asObject(body).problemId }, issues);
        throwIfIssues(issues, 'The known error has invalid values.');
        assertMayWriteKnownError(actor, refs.problem ?? null, 'record a known error');
        const input = parsed.data!;
        const at = nowIso();
        const knownError: KnownErrorRecord = {
          id: deps.newId(),
          number: await repos.problems.nextKnownErrorNumber(),
          title: input.title,
          cause: input.cause,
          workaround: input.workaround,
          problemId: refs.problem?.id ?? null,
          state: input.state,
          publishedAt: input.state === 'published' ? at : null,
          retiredAt: null,
          ciIds: refs.ciIds ?? [],
          version: 1,
          createdBy: actor.userId,
          createdAt: at,
          updatedAt: at,
        };
        await repos.problems.insertKnownError(knownError);
        await audit(repos, actor, at, 'known_error.created', 'known_error', knownError.id, { number: knownError.number, after: knownError });
        return (await presentKnownErrors(repos, [knownError]))[0]!;
      });
    },

    /** Edits a known error; publishing stamps publishedAt, retiring retiredAt. 412 for a stale version. */
    async updateKnownError(actor: Actor, idOrNumber: string, body: unknown, ifMatch?: number): Promise<KnownError> {
      assertPermission(actor, 'problem.read');
      const parsed = UpdateKnownErrorInput.safeParse(body);
      return store.transaction(async (repos) => {
        const before = await loadKnownError(repos, idOrNumber);
        assertMayWriteKnownError(actor, before.problemId ? await repos.problems.findProblem(before.problemId) : null, `change ${before.number}`);
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const raw = asObject(body);
        const refs = await resolveRefs(repos, { ciIds: raw.ciIds, problemId: raw.problemId }, issues);
        throwIfIssues(issues, 'The known error has invalid values.');
        if (refs.problem !== undefined && refs.problem?.id !== before.problemId) assertMayWriteKnownError(actor, refs.problem, `move ${before.number} to that problem`);
        const input = parsed.data!;
        const version = input.version ?? ifMatch;
        if (version !== undefined && version !== before.version) throw new StaleVersionError('Known error', before.number, version, before.version);
        const at = nowIso();
        const state = input.state ?? before.state;
        const after: KnownErrorRecord = {
          ...before,
          title: input.title ?? before.title,
          cause: input.cause ?? before.cause,
          workaround: input.workaround ?? before.workaround,
          state,
          publishedAt: state === 'published' && before.state !== 'published' ? at : before.publishedAt,
          retiredAt: state === 'retired' ? (before.retiredAt ?? at) : null,
          ciIds: refs.ciIds ?? before.ciIds,
          problemId: refs.problem !== undefined ? (refs.problem?.id ?? null) : before.problemId,
          version: before.version + 1,
          updatedAt: at,
        };
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, KNOWN_ERROR_FIELDS);
        if (Object.keys(changes).length === 0) return (await presentKnownErrors(repos, [before]))[0]!;
        if (!(await repos.problems.updateKnownError(after, before.version))) throw new StaleVersionError('Known error', before.number, before.version, before.version + 1);
        await audit(repos, actor, at, 'known_error.updated', 'known_error', after.id, { number: after.number, changes });
        return (await presentKnownErrors(repos, [after]))[0]!;
      });
    },

    /**
     * "Share the workaround": tells the people Cabinet knows on the incidents linked to the known error's problem
     * (who filed them) and the problem's owner, in-app and by email as their preferences say. Only a published
     * known error is shared (409 not_published). Audited with who was told; answers who was told and why.
     */
    async shareWorkaround(actor: Actor, idOrNumber: string): Promise<ShareWorkaroundResult> {
      assertPermission(actor, 'problem.read');
      return store.transaction(async (repos) => {
        const knownError = await loadKnownError(repos, idOrNumber);
        const problem = knownError.problemId ? await repos.problems.findProblem(knownError.problemId) : null;
        assertMayWriteKnownError(actor, problem, `share the workaround of ${knownError.number}`);
        if (knownError.state !== 'published') {
          throw new ConflictError('not_published', `${knownError.number} is ${knownError.state}; publish it before sharing its workaround.`, { state: knownError.state });
        }
        const reasons = new Map<string, Set<string>>();
        const add = (userId: string, reason: string) => reasons.set(userId, (reasons.get(userId) ?? new Set()).add(reason));
        if (problem) {
          for (const incidentId of problem.incidentIds) {
            const incident = await repos.incidents.findById(incidentId);
            if (incident) add(incident.createdBy, `filed ${incident.number}`);
          }
          if (problem.ownerId) add(problem.ownerId, `owns ${problem.number}`);
        }
        const known = await repos.accounts.existingUserIds([...reasons.keys()]);
        const names = await repos.accounts.userNames([...known]);
        const told = [...known]
          .map((id) => ({ id, name: names.get(id) ?? id, reasons: [...reasons.get(id)!].sort() }))
          .sort((a, b) => a.name.localeCompare(b.name));
        const at = nowIso();
        const about = problem ? ` (problem ${problem.number}: ${problem.title})` : '';
        await tell(
          repos,
          told.map((t) => t.id),
          'workaround_shared',
          `Workaround for ${knownError.number}: ${knownError.title}`,
          `${actor.name} shared the workaround of known error ${knownError.number}${about}.\n\n${knownError.workaround || '(no workaround written yet)'}`,
          `/known-errors/${knownError.number}`,
        );
        await audit(repos, actor, at, 'known_error.shared', 'known_error', knownError.id, { number: knownError.number, problemId: problem?.id ?? null, toldIds: told.map((t) => t.id) });
        return { told };
      });
    },

    /** The published known errors on these CIs (ids or names; unknown ones are a 400), for the new-change form. */
    async onCis(actor: Actor, ciRefs: string[]): Promise<KnownErrorsOnCis> {
      assertPermission(actor, 'change.read');
      const issues: Issue[] = [];
      const ciIds = await resolveCis(store.repos, ciRefs, 'query.ciIds', issues);
      throwIfIssues(issues, 'The CIs are not all known.');
      return presentOnCis(store.repos, ciIds);
    },

    /** The published known errors on a change's CIs (its page and the checks of a standard change). */
    async ofChange(actor: Actor, changeIdOrNumber: string): Promise<KnownErrorsOnCis> {
      assertPermission(actor, 'change.read');
      const change = await store.repos.changes.findById(changeIdOrNumber);
      if (!change) throw new NotFoundError('Change', changeIdOrNumber);
      return presentOnCis(store.repos, change.ciIds);
    },
  };

  async function presentOnCis(repos: Repositories, ciIds: string[]): Promise<KnownErrorsOnCis> {
    const found = await repos.problems.knownErrorsOnCis(ciIds);
    const names = new Map((await repos.cmdb.findCisByIds([...new Set(found.flatMap((k) => k.ciIds))])).map((c) => [c.id, c.name]));
    return { items: found.map((k) => ({ ...k, cis: k.ciIds.map((id) => ({ id, name: names.get(id) ?? id })) })).sort(byNumber) };
  }
}
export type ProblemService = ReturnType<typeof createProblemService>;
