import {
  BoardDeactivateRequest,
  BoardRequest,
  BoardUpdate,
  ECAB_RESPONSE_MINUTES,
  type BoardRecurrence,
  type Board,
  type BoardKind,
  type BoardListQuery,
  type BoardMember,
} from '../contracts/boards';
import type { Team } from '../contracts/auth';
import { parsedFields } from '../contracts/common';
import type { Actor } from '../domain/actor';
import { diffFields } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import type { BoardMemberRecord, BoardRecord, Repositories } from '../db/repositories';
import { CelCompileError, compileExpression, evaluateStoredCondition } from '../policy/cel';
import { windowRuleIssues } from '../domain/schedule/windows';
import { asObject, audit, decodeNameCursor, encodeNameCursor, issuesOfZod, throwIfIssues, type ServiceDeps } from './context';

/** The fields an update may change, as audited. */
const BOARD_FIELDS = [
  'name',
  'kind',
  'description',
  'members',
  'scope',
  'quorumMinMembers',
  'quorumRequiredDomains',
  'chairRule',
  'responseMinutes',
  'recurrence',
  'active',
] as const;

/** A member as a request gives it: where it was given (for the issues' paths), and what it names. */
interface GivenMember {
  path: string;
  kind: 'user' | 'team';
  ref: string;
  domains: string[];
  delegate: boolean;
  /** An update's `memberIds` or `teamIds` entry: a member who stays keeps its domains and delegate mark. */
  keeps?: boolean;
}

/** What a body says about a board's membership and quorum, read from the fields that parsed. */
interface MembershipFields {
  memberIds?: string[];
  teamIds?: string[];
  members?: { userId?: string; teamId?: string; domains?: string[]; delegate?: boolean }[];
}


/** The problem of a board's scope in words, or null when it compiles as a condition on a change. */
export function scopeProblem(source: string): string | null {
  try {
    compileExpression(source, 'bool', 'change');
    return null;
  } catch (err) {
    if (!(err instanceof CelCompileError)) throw err;
    return `CEL: ${err.message}${err.column ? ` (at character ${err.column} of the expression)` : ''}`;
  }
}

/**
 * Whether a board's scope takes a change, over the change's policy context (docs/cab.md#routing-changes-to-a-board).
 * No scope takes every change. A scope that no longer compiles or fails on this change takes it too: a broken
 * scope must send more changes to the board, never fewer.
 */
export function boardTakes(scope: string | null, context: Record<string, unknown>): boolean {
  if (scope === null || scope.trim() === '') return true;
  return evaluateStoredCondition(scope, context, true);
}

/** An empty or blank scope means every change routed to the board. */
const scopeOf = (scope: string | null | undefined): string | null => (scope && scope.trim() !== '' ? scope.trim() : null);

/** An ECAB always has a response time: one hour unless it says otherwise. */
const responseOf = (kind: BoardKind, minutes: number | null): number | null =>
  minutes === null && kind === 'ecab' ? ECAB_RESPONSE_MINUTES : minutes;

/**
 * Change advisory boards (docs/cab.md#boards): the CABs of a federated change office, the ECAB and the
 * technical boards; who sits on them with which domains, the quorum, the chair rule, the response time and the
 * scope in CEL that decides which changes need each. Every write lists every problem of its body in one 400.
 */
export function createBoardService(deps: ServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();

  async function load(repos: Repositories, idOrName: string): Promise<BoardRecord> {
    const found = await repos.boards.find(idOrName);
    if (!found) throw new NotFoundError('Board', idOrName);
    return found;
  }

  /** Every person a membership names: its people and the people of its teams, distinct. */
  function personIds(members: readonly BoardMemberRecord[], teams: Map<string, Team>): Set<string> {
    const ids = new Set<string>();
    for (const m of members) {
      if (m.kind === 'user') ids.add(m.id);
      else for (const userId of teams.get(m.id)?.memberIds ?? []) ids.add(userId);
    }
    return ids;
  }

  /** The people among `ids` whose accounts are not disabled (one read). */
  async function enabledAmong(repos: Repositories, ids: Iterable<string>): Promise<Set<string>> {
    return repos.accounts.enabledUserIds([...new Set(ids)]);
  }

  /** The people a board can count: its people and the people of its teams, distinct, disabled accounts left out. */
  async function peopleOf(repos: Repositories, members: readonly BoardMemberRecord[], teams: Map<string, Team>): Promise<number> {
    return (await enabledAmong(repos, personIds(members, teams))).size;
  }

  async function teamsById(repos: Repositories): Promise<Map<string, Team>> {
    return new Map((await repos.accounts.listTeams()).map((t) => [t.id, t]));
  }

  /** Boards as the API shows them: with their members' names and the people they can count. */
  async function present(repos: Repositories, records: BoardRecord[]): Promise<Board[]> {
    const teams = await teamsById(repos);
    const names = await repos.accounts.userNames([
      ...new Set(records.flatMap((r) => r.members.filter((m) => m.kind === 'user').map((m) => m.id))),
    ]);
    const everyone = records.map((r) => personIds(r.members, teams));
    const enabled = await enabledAmong(
      repos,
      everyone.flatMap((ids) => [...ids]),
    );
    return records.map((r, i): Board => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      description: r.description,
      memberIds: r.members.filter((m) => m.kind === 'user').map((m) => m.id),
      teamIds: r.members.filter((m) => m.kind === 'team').map((m) => m.id),
      members: r.members.map((m): BoardMember => ({
        userId: m.kind === 'user' ? m.id : null,
        teamId: m.kind === 'team' ? m.id : null,
        name: (m.kind === 'user' ? names.get(m.id) : teams.get(m.id)?.name) ?? m.id,
        domains: m.domains,
        delegate: m.delegate,
      })),
      people: [...everyone[i]!].filter((id) => enabled.has(id)).length,
      scope: r.scope,
      quorum: { minMembers: r.quorumMinMembers, requiredDomains: r.quorumRequiredDomains },
      chairRule: r.chairRule,
      responseMinutes: r.responseMinutes,
      recurrence: r.recurrence,
      active: r.active,
      version: r.version,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      updatedBy: r.updatedBy,
      updatedAt: r.updatedAt,
    }));
  }

  /** The members a body gives, in member order: `memberIds`, then `teamIds`, then `members`. */
  function givenMembers(fields: MembershipFields): GivenMember[] {
    return [
      ...(fields.memberIds ?? []).map((ref, i): GivenMember => ({
        path: `memberIds.${i}`,
        kind: 'user',
        ref,
        domains: [],
        delegate: false,
      })),
      ...(fields.teamIds ?? []).map((ref, i): GivenMember => ({ path: `teamIds.${i}`, kind: 'team', ref, domains: [], delegate: false })),
      ...(fields.members ?? []).flatMap((m, i): GivenMember[] => {
        const base = { domains: [...new Set(m.domains ?? [])], delegate: m.delegate ?? false };
        if (m.userId !== undefined && m.teamId === undefined)
          return [{ path: `members.${i}.userId`, kind: 'user', ref: m.userId, ...base }];
        if (m.teamId !== undefined && m.userId === undefined)
          return [{ path: `members.${i}.teamId`, kind: 'team', ref: m.teamId, ...base }];
        return [];
      }),
    ];
  }

  /**
   * Resolves the members a body names (people by id or email, teams by id or handle), adding an issue for each
   * unknown one and each one named twice. `unknownPeople` says how many people the unknown ones could add
   * (null when an unknown team makes that unknowable).
   */
  async function resolveMembers(
    repos: Repositories,
    given: GivenMember[],
    issues: Issue[],
    previous: readonly BoardMemberRecord[] = [],
  ): Promise<{ members: BoardMemberRecord[]; unknownPeople: number | null }> {
    const userRefs = [...new Set(given.filter((g) => g.kind === 'user').map((g) => g.ref))];
    const byId = await repos.accounts.existingUserIds(userRefs);
    const users = new Map<string, string>(userRefs.filter((r) => byId.has(r)).map((r) => [r, r]));
    for (const ref of userRefs.filter((r) => !byId.has(r) && r.includes('@'))) {
      const user = await repos.accounts.findUserByEmail(ref.toLowerCase());
      if (user) users.set(ref, user.id);
    }
    const teams = new Map<string, string>();
    for (const ref of new Set(given.filter((g) => g.kind === 'team').map((g) => g.ref))) {
      const team = await repos.accounts.findTeam(ref);
      if (team) teams.set(ref, team.id);
    }
    const members: BoardMemberRecord[] = [];
    const seen = new Map<string, string>();
    let unknownPeople: number | null = 0;
    for (const g of given) {
      const id = g.kind === 'user' ? users.get(g.ref) : teams.get(g.ref);
      if (!id) {
        issues.push({ path: g.path, message: g.kind === 'user' ? `unknown user ${g.ref}` : `unknown team ${g.ref}` });
        unknownPeople = g.kind === 'user' && unknownPeople !== null ? unknownPeople + 1 : null;
        continue;
      }
      const key = `${g.kind}:${id}`;
      const first = seen.get(key);
      if (first !== undefined) {
        issues.push({
          path: g.path,
          message: `${g.kind === 'user' ? 'this person' : 'this team'} is already on the board (${first}); name each member once`,
        });
        continue;
      }
      seen.set(key, g.path);
      const old = g.keeps ? previous.find((m) => m.kind === g.kind && m.id === id) : undefined;
      members.push({ kind: g.kind, id, domains: old?.domains ?? g.domains, delegate: old?.delegate ?? g.delegate });
    }
    return { members, unknownPeople };
  }

  /**
   * The quorum's problems for a membership: more voters needed than the board can count, or a required domain no
   * member represents. `unknownPeople` (from `resolveMembers`) keeps an unknown member from also reading as a
   * quorum too high.
   */
  async function quorumIssues(
    repos: Repositories,
    members: BoardMemberRecord[],
    unknownPeople: number | null,
    quorum: { minMembers?: number; requiredDomains?: string[] },
    issues: Issue[],
  ): Promise<void> {
    if (quorum.minMembers !== undefined && unknownPeople !== null) {
      const people = await peopleOf(repos, members, await teamsById(repos));
      if (quorum.minMembers > people + unknownPeople) {
        issues.push({
          path: 'quorum.minMembers',
          message: `is more than the ${people} ${people === 1 ? 'person' : 'people'} the board can count (its people and the people of its teams)`,
        });
      }
    }
    const represented = new Set(members.flatMap((m) => m.domains));
    (quorum.requiredDomains ?? []).forEach((domain, i) => {
      if (!represented.has(domain)) {
        issues.push({
          path: `quorum.requiredDomains.${i}`,
          message: `no member represents "${domain}": give a member that domain (members: [{ userId, domains: ["${domain}"] }])`,
        });
      }
    });
  }

  /** A name another board already has (without regard to case). */
  async function nameIssues(repos: Repositories, name: unknown, ownId: string | null, issues: Issue[]): Promise<void> {
    if (typeof name !== 'string' || name.trim() === '') return;
    const other = await repos.boards.idByName(name.trim());
    if (other !== null && other !== ownId) issues.push({ path: 'name', message: `a board named "${name.trim()}" already exists` });
  }

  function scopeIssues(scope: unknown, issues: Issue[]): void {
    if (typeof scope !== 'string' || scope.trim() === '') return;
    const problem = scopeProblem(scope);
    if (problem) issues.push({ path: 'scope', message: problem });
  }

  /** The problems of a recurrence that parsed: its rule as a window rule (a real start, zone and RRULE). */
  function recurrenceIssues(recurrence: unknown, issues: Issue[]): void {
    const r = asObject(recurrence) as Partial<BoardRecurrence>;
    if (recurrence === null || recurrence === undefined || typeof r.start !== 'string' || typeof r.timeZone !== 'string' || typeof r.rrule !== 'string') return;
    for (const issue of windowRuleIssues({ start: r.start, timeZone: r.timeZone, rrule: r.rrule, durationMinutes: typeof r.durationMinutes === 'number' ? r.durationMinutes : 60 })) {
      issues.push({ path: `recurrence.${issue.path}`, message: issue.message });
    }
  }

  /** Every problem of a new board's body beyond its shape: names, members, quorum and scope. */
  async function createIssues(repos: Repositories, fields: Record<string, unknown>, issues: Issue[]): Promise<BoardMemberRecord[]> {
    await nameIssues(repos, fields.name, null, issues);
    const { members, unknownPeople } = await resolveMembers(repos, givenMembers(fields as MembershipFields), issues);
    const quorum = asObject(fields.quorum) as { minMembers?: number; requiredDomains?: string[] };
    await quorumIssues(repos, members, unknownPeople, quorum, issues);
    scopeIssues(fields.scope, issues);
    recurrenceIssues(fields.recurrence, issues);
    return members;
  }

  /**
   * The membership after an update: `members` replaces it whole (with `memberIds` and `teamIds`, when given);
   * otherwise `memberIds` replaces the people and `teamIds` the teams, each one who stays keeping its domains
   * and delegate flag. Undefined when the update leaves it alone.
   */
  function membershipAfter(before: BoardRecord, fields: MembershipFields): GivenMember[] | undefined {
    if (fields.members !== undefined) return givenMembers(fields);
    if (fields.memberIds === undefined && fields.teamIds === undefined) return undefined;
    const kept = (kind: 'user' | 'team', refs: string[] | undefined, path: string): GivenMember[] =>
      refs === undefined
        ? before.members
            .filter((m) => m.kind === kind)
            .map((m, i) => ({ path: `${path}.${i}`, kind, ref: m.id, domains: m.domains, delegate: m.delegate }))
        : refs.map((ref, i) => ({ path: `${path}.${i}`, kind, ref, domains: [], delegate: false, keeps: true }));
    return [...kept('user', fields.memberIds, 'memberIds'), ...kept('team', fields.teamIds, 'teamIds')];
  }

  /** Every problem of an update's body beyond its shape; the members after it when it changes them. */
  async function updateIssues(
    repos: Repositories,
    before: BoardRecord,
    fields: Record<string, unknown>,
    issues: Issue[],
  ): Promise<BoardMemberRecord[] | undefined> {
    await nameIssues(repos, fields.name, before.id, issues);
    const given = membershipAfter(before, fields as MembershipFields);
    const resolved = given ? await resolveMembers(repos, given, issues, before.members) : undefined;
    const quorum = asObject(fields.quorum) as { minMembers?: number; requiredDomains?: string[] };
    // NOTE: the quorum is checked against the membership only when either changes, so that a board whose team
    // has since lost people can still have its description edited.
    if (resolved || fields.quorum !== undefined) {
      await quorumIssues(
        repos,
        resolved?.members ?? before.members,
        resolved?.unknownPeople ?? 0,
        {
          minMembers: quorum.minMembers ?? before.quorumMinMembers,
          requiredDomains: quorum.requiredDomains ?? before.quorumRequiredDomains,
        },
        issues,
      );
    }
    scopeIssues(fields.scope, issues);
    recurrenceIssues(fields.recurrence, issues);
    return resolved?.members;
  }

  return {
    /** Boards by name; filter by kind and by whether they are active. */
    async list(actor: Actor, query: BoardListQuery): Promise<{ items: Board[]; nextCursor: string | null }> {
      assertPermission(actor, 'board.read');
      const rows = await store.repos.boards.list({
        kind: query.kind,
        active: query.active,
        after: query.cursor ? decodeNameCursor(query.cursor) : undefined,
        limit: query.limit + 1,
      });
      const items = rows.slice(0, query.limit);
      const last = items[items.length - 1];
      return { items: await present(store.repos, items), nextCursor: rows.length > query.limit && last ? encodeNameCursor(last) : null };
    },

    /** One board by id or name. */
    async get(actor: Actor, idOrName: string): Promise<Board> {
      assertPermission(actor, 'board.read');
      return (await present(store.repos, [await load(store.repos, idOrName)]))[0]!;
    },

    /**
     * The problems of the references among the fields that parsed, when the body was refused for its shape
     * elsewhere: the route lists them in the same 400 (http/validation.ts). `idOrName`: the board an update is for.
     */
    async referenceIssues(actor: Actor, fields: Record<string, unknown>, idOrName?: string): Promise<Issue[]> {
      assertPermission(actor, 'board.manage');
      const issues: Issue[] = [];
      if (idOrName === undefined) await createIssues(store.repos, fields, issues);
      else {
        const before = await store.repos.boards.find(idOrName);
        if (before) await updateIssues(store.repos, before, fields, issues);
      }
      return issues;
    },

    /** Sets up a board; one 400 lists every problem of the body (its shape, members, quorum, scope and name). */
    async create(actor: Actor, body: unknown): Promise<Board> {
      assertPermission(actor, 'board.manage');
      const parsed = BoardRequest.safeParse(body);
      return store.transaction(async (repos) => {
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const members = await createIssues(repos, parsed.success ? parsed.data : parsedFields(BoardRequest, body), issues);
        throwIfIssues(issues, 'The board has invalid values.');
        const input = parsed.data!;
        const at = nowIso();
        const board: BoardRecord = {
          id: deps.newId(),
          name: input.name,
          kind: input.kind,
          description: input.description,
          scope: scopeOf(input.scope),
          quorumMinMembers: input.quorum.minMembers,
          quorumRequiredDomains: [...new Set(input.quorum.requiredDomains)],
          chairRule: input.chairRule,
          responseMinutes: responseOf(input.kind, input.responseMinutes ?? null),
          recurrence: input.recurrence,
          active: true,
          version: 1,
          createdBy: actor.userId,
          createdAt: at,
          updatedBy: actor.userId,
          updatedAt: at,
          members,
        };
        await repos.boards.insert(board);
        await audit(repos, actor, at, 'board.created', 'board', board.id, { name: board.name, after: board });
        return (await present(repos, [board]))[0]!;
      });
    },

    /**
     * Edits a board (id or name); like `create`, one 400 lists every problem. A stale `version` (body, or
     * `ifMatch` from the If-Match header) gets 412 and writes nothing; an edit that changes nothing writes nothing.
     */
    async update(actor: Actor, idOrName: string, body: unknown, ifMatch?: number): Promise<Board> {
      assertPermission(actor, 'board.manage');
      const parsed = BoardUpdate.safeParse(body);
      return store.transaction(async (repos) => {
        const before = await load(repos, idOrName);
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const members = await updateIssues(repos, before, parsed.success ? parsed.data : parsedFields(BoardUpdate, body), issues);
        throwIfIssues(issues, 'The board has invalid values.');
        const input = parsed.data!;
        const version = input.version ?? ifMatch;
        if (version !== undefined && version !== before.version) throw new StaleVersionError('Board', before.name, version, before.version);
        const kind = input.kind ?? before.kind;
        const at = nowIso();
        const after: BoardRecord = {
          ...before,
          name: input.name ?? before.name,
          kind,
          description: input.description ?? before.description,
          scope: input.scope !== undefined ? scopeOf(input.scope) : before.scope,
          quorumMinMembers: input.quorum?.minMembers ?? before.quorumMinMembers,
          quorumRequiredDomains: input.quorum?.requiredDomains ? [...new Set(input.quorum.requiredDomains)] : before.quorumRequiredDomains,
          chairRule: input.chairRule ?? before.chairRule,
          responseMinutes: responseOf(kind, input.responseMinutes !== undefined ? input.responseMinutes : before.responseMinutes),
          recurrence: input.recurrence !== undefined ? input.recurrence : before.recurrence,
          active: input.active ?? before.active,
          members: members ?? before.members,
          version: before.version + 1,
          updatedBy: actor.userId,
          updatedAt: at,
        };
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, BOARD_FIELDS);
        if (Object.keys(changes).length === 0) return (await present(repos, [before]))[0]!;
        if (!(await repos.boards.update(after, before.version)))
          throw new StaleVersionError('Board', before.name, before.version, before.version + 1);
        await audit(repos, actor, at, 'board.updated', 'board', after.id, { name: after.name, changes });
        return (await present(repos, [after]))[0]!;
      });
    },

    /**
     * Deactivates a board (id or name): it keeps its history but takes no new work. 409 `board_inactive` when it
     * is already; a stale `version` (body or If-Match) 412.
     */
    async deactivate(actor: Actor, idOrName: string, body: unknown, ifMatch?: number): Promise<Board> {
      assertPermission(actor, 'board.manage');
      const parsed = BoardDeactivateRequest.safeParse(body ?? {});
      if (!parsed.success) throwIfIssues(issuesOfZod(parsed.error), 'The request has invalid values.');
      const input = parsed.data!;
      return store.transaction(async (repos) => {
        const before = await load(repos, idOrName);
        const version = input.version ?? ifMatch;
        if (version !== undefined && version !== before.version) throw new StaleVersionError('Board', before.name, version, before.version);
        if (!before.active) throw new ConflictError('board_inactive', `Board ${before.name} is already deactivated.`, { id: before.id });
        const at = nowIso();
        const after: BoardRecord = { ...before, active: false, version: before.version + 1, updatedBy: actor.userId, updatedAt: at };
        if (!(await repos.boards.update(after, before.version)))
          throw new StaleVersionError('Board', before.name, before.version, before.version + 1);
        await audit(repos, actor, at, 'board.deactivated', 'board', after.id, {
          name: after.name,
          ...(input.reason ? { reason: input.reason } : {}),
        });
        return (await present(repos, [after]))[0]!;
      });
    },
  };
}
export type BoardService = ReturnType<typeof createBoardService>;
