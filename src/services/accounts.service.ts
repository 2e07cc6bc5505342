import type { z } from 'zod';
import type { Preferences, UpdatePreferencesInput } from '../contracts/preferences';
import type { CreateTeamInput, CreateUserInput, Person, RoleGrantInput, Team, UpdateTeamInput, UpdateUserInput, User } from '../contracts/auth';
import type { Actor, RoleGrant } from '../domain/actor';
import { assertPermission, type Role } from '../domain/auth/roles';
import { diffFields } from '../domain/audit/chain';
import { timeZoneName } from '../domain/time/time-zones';
import { ConflictError, InputError, NotFoundError, type Issue } from '../domain/errors';
import type { UserWithSecret } from '../db/repositories';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import { resolveServiceRef, resolveTeamRef, resolveTeamRefs } from './references';
import type { PasswordHasher } from './password';

type GrantInput = z.output<typeof RoleGrantInput>;

export function normaliseGrants(grants: GrantInput[]): RoleGrant[] {
  const seen = new Set<string>();
  const out: RoleGrant[] = [];
  for (const g of grants) {
    const grant: RoleGrant = typeof g === 'string' ? { role: g as Role, scopeType: null, scopeId: null } : { role: g.role, scopeType: g.scopeType, scopeId: g.scopeId };
    const key = `${grant.role}|${grant.scopeType}|${grant.scopeId}`;
    if (!seen.has(key)) out.push(grant);
    seen.add(key);
  }
  return out;
}

/** Derives a unique-looking slug from a team name ("Database Admins" → "database-admins"). */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'team';
}

const toUser = ({ passwordHash: _p, ...u }: UserWithSecret): User => u;

/** The `[name, id]` a people page ended at, as `searchPeople` encoded it. */
function decodePeopleCursor(cursor: string): { name: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') return { name: value[0], id: value[1] };
  } catch {
    // reported below
  }
  throw new InputError('The cursor is not one this list handed out.', [{ path: 'cursor', message: 'is not a cursor from a previous page' }]);
}

/** Users, their roles and teams. Passwords are hashed before they reach storage and never leave it. */
export function createAccountsService(deps: ServiceDeps, passwords: PasswordHasher) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();

  /**
   * Checks the teams (id or handle) and the scopes of role grants (a team by id or handle, a service by id or
   * name), resolving each to its id in place (docs/api.md#ids-numbers-and-names).
   */
  async function checkGrantsAndTeams(grants: RoleGrant[], teamIds: string[], issues: Issue[]) {
    grants.forEach((g, i) => {
      if ((g.scopeType === null) !== (g.scopeId === null)) issues.push({ path: `roles.${i}`, message: 'scopeType and scopeId go together' });
    });
    const repos = store.repos;
    (await resolveTeamRefs(repos, teamIds, 'teamIds', issues)).forEach((id, i) => (teamIds[i] = id));
    for (const [i, g] of grants.entries()) {
      if (g.scopeType === 'team' && g.scopeId) g.scopeId = await resolveTeamRef(repos, g.scopeId, `roles.${i}.scopeId`, issues);
      if (g.scopeType === 'service' && g.scopeId) g.scopeId = await resolveServiceRef(repos, g.scopeId, `roles.${i}.scopeId`, issues);
    }
  }

  async function checkMembers(memberIds: string[], issues: Issue[]) {
    const users = await store.repos.accounts.existingUserIds(memberIds);
    memberIds.forEach((u, i) => {
      if (!users.has(u)) issues.push({ path: `memberIds.${i}`, message: `unknown user ${u}` });
    });
  }

  async function preferencesOf(actor: Actor): Promise<Preferences> {
    const prefs = await store.repos.accounts.findPreferences(actor.userId);
    if (!prefs) throw new NotFoundError('User', actor.userId);
    return prefs;
  }

  return {
    /**
     * The reference problems among the fields of a user's create or update body that parsed, when the body was
     * refused for its shape elsewhere: the route lists them in the same 400 (http/validation.ts).
     */
    async userReferenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateUserInput>>): Promise<Issue[]> {
      // A person editing their own name and password names nothing: nothing to check, and no permission needed.
      if (fields.roles === undefined && fields.teamIds === undefined && fields.email === undefined) return [];
      assertPermission(actor, 'user.write');
      const issues: Issue[] = [];
      await checkGrantsAndTeams(normaliseGrants(fields.roles ?? []), fields.teamIds ?? [], issues);
      if (fields.email && (await store.repos.accounts.findUserByEmail(fields.email))) issues.push({ path: 'email', message: 'a user with this email already exists' });
      return issues;
    },

    /** Like `userReferenceIssues`, for a team's body: members that are nobody. */
    async teamReferenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateTeamInput>>): Promise<Issue[]> {
      assertPermission(actor, 'team.write');
      const issues: Issue[] = [];
      await checkMembers(fields.memberIds ?? [], issues);
      return issues;
    },

    async createUser(actor: Actor, input: z.output<typeof CreateUserInput>): Promise<User> {
      assertPermission(actor, 'user.write');
      const grants = normaliseGrants(input.roles);
      const issues: Issue[] = [];
      await checkGrantsAndTeams(grants, input.teamIds, issues);
      if (await store.repos.accounts.findUserByEmail(input.email)) issues.push({ path: 'email', message: 'a user with this email already exists' });
      throwIfIssues(issues);
      const id = deps.newId();
      const passwordHash = await passwords.hash(input.password);
      const now = nowIso();
      await store.transaction(async (repos) => {
        await repos.accounts.insertUser({ id, email: input.email, name: input.name, passwordHash, now });
        await repos.accounts.setRoles(id, grants, deps.newId);
        await repos.accounts.setUserTeams(id, [...new Set(input.teamIds)]);
        await audit(repos, actor, now, 'user.created', 'user', id, { after: { email: input.email, name: input.name, roles: grants, teamIds: input.teamIds } });
      });
      return toUser((await store.repos.accounts.findUserById(id))!);
    },

    async updateUser(actor: Actor, id: string, input: z.output<typeof UpdateUserInput>): Promise<User> {
      const isSelf = actor.userId === id;
      const onlySelfFields = input.roles === undefined && input.teamIds === undefined && input.disabled === undefined;
      if (!(isSelf && onlySelfFields)) assertPermission(actor, 'user.write');
      const before = await store.repos.accounts.findUserById(id);
      if (!before) throw new NotFoundError('User', id);
      const grants = input.roles ? normaliseGrants(input.roles) : undefined;
      const issues: Issue[] = [];
      await checkGrantsAndTeams(grants ?? [], input.teamIds ?? [], issues);
      if (isSelf && input.disabled) issues.push({ path: 'disabled', message: 'you cannot disable your own account' });
      throwIfIssues(issues);
      const passwordHash = input.password ? await passwords.hash(input.password) : undefined;
      const now = nowIso();
      await store.transaction(async (repos) => {
        await repos.accounts.updateUser(id, { name: input.name, passwordHash, disabled: input.disabled, now });
        if (grants) await repos.accounts.setRoles(id, grants, deps.newId);
        if (input.teamIds) await repos.accounts.setUserTeams(id, [...new Set(input.teamIds)]);
        if (input.disabled || passwordHash) await repos.accounts.deleteSessionsOf(id);
        const after = { name: input.name ?? before.name, roles: grants ?? before.roles, teamIds: input.teamIds ?? before.teamIds, disabled: input.disabled ?? before.disabled };
        const changes = diffFields(before as unknown as Record<string, unknown>, after, ['name', 'roles', 'teamIds', 'disabled']);
        // NOTE (security): a password change is recorded as a fact, never with its value or hash.
        await audit(repos, actor, now, 'user.updated', 'user', id, { changes, ...(passwordHash ? { passwordChanged: true } : {}) });
      });
      return toUser((await store.repos.accounts.findUserById(id))!);
    },

    /** A user by email (exact, case-insensitive), for the CLI and provisioning scripts. */
    async findByEmail(actor: Actor, email: string): Promise<User | null> {
      assertPermission(actor, 'user.read');
      const user = await store.repos.accounts.findUserByEmail(email.trim().toLowerCase());
      return user ? toUser(user) : null;
    },

    async getUser(actor: Actor, id: string): Promise<User> {
      if (actor.userId !== id) assertPermission(actor, 'user.read');
      const user = await store.repos.accounts.findUserById(id);
      if (!user) throw new NotFoundError('User', id);
      return toUser(user);
    },

    /** The signed-in person's own settings; nobody reads another person's. */
    getPreferences: (actor: Actor): Promise<Preferences> => preferencesOf(actor),

    /**
     * Changes the signed-in person's own settings. A time zone must be an IANA zone (checked with Intl, and
     * stored as the engine spells it); null returns to the browser's zone. Quiet hours and the digest were
     * checked by their schema (contracts/preferences.ts); null quiet hours turn them off.
     */
    async updatePreferences(actor: Actor, input: z.output<typeof UpdatePreferencesInput>): Promise<Preferences> {
      const before = await preferencesOf(actor);
      let timeZone = before.timeZone;
      if (input.timeZone !== undefined) {
        timeZone = input.timeZone === null || input.timeZone.trim() === '' ? null : timeZoneName(input.timeZone);
        if (timeZone === null && input.timeZone !== null && input.timeZone.trim() !== '') {
          throw new InputError('The time zone is not one this server knows.', [
            { path: 'timeZone', message: `must be an IANA time zone such as "Europe/Amsterdam", got ${JSON.stringify(input.timeZone)}` },
          ]);
        }
      }
      const after: Preferences = {
        timeZone,
        quietHours: input.quietHours === undefined ? before.quietHours : input.quietHours && { start: input.quietHours.start, end: input.quietHours.end },
        digest: input.digest ?? before.digest,
        approvalEmails: input.approvalEmails ?? before.approvalEmails,
      };
      const changes = diffFields(before as unknown as Record<string, unknown>, after, ['timeZone', 'quietHours', 'digest', 'approvalEmails']);
      if (Object.keys(changes).length === 0) return before;
      const now = nowIso();
      await store.transaction(async (repos) => {
        await repos.accounts.setPreferences(actor.userId, after, now);
        await audit(repos, actor, now, 'user.updated', 'user', actor.userId, { changes });
      });
      return after;
    },

    async listUsers(actor: Actor, opts: { q?: string; limit: number; cursor?: string }): Promise<{ items: User[]; nextCursor: string | null }> {
      // NOTE (security): emails, roles and teams of everyone are for user.read (docs/security.md); everyone
      // else picks people through `searchPeople`, which answers ids and names only.
      assertPermission(actor, 'user.read');
      const afterEmail = opts.cursor ? Buffer.from(opts.cursor, 'base64url').toString() : undefined;
      const rows = await store.repos.accounts.listUsers({ q: opts.q, limit: opts.limit + 1, afterEmail });
      const page = rows.slice(0, opts.limit);
      return {
        items: page.map(toUser),
        nextCursor: rows.length > opts.limit ? Buffer.from(page[page.length - 1]!.email).toString('base64url') : null,
      };
    },

    /**
     * People anyone signed in may pick or name: enabled people whose name or email contains `q`, by name,
     * or, with `ids`, exactly those people (disabled ones too, so older records still name them).
     */
    async searchPeople(_actor: Actor, opts: { q?: string; ids?: string[]; limit: number; cursor?: string }): Promise<{ items: Person[]; nextCursor: string | null }> {
      if (opts.ids) {
        const names = await store.repos.accounts.userNames(opts.ids);
        return { items: opts.ids.filter((id) => names.has(id)).map((id) => ({ id, name: names.get(id)! })), nextCursor: null };
      }
      const after = opts.cursor ? decodePeopleCursor(opts.cursor) : undefined;
      const rows = await store.repos.accounts.searchPeople({ q: opts.q || undefined, limit: opts.limit + 1, after });
      const page = rows.slice(0, opts.limit);
      const last = page[page.length - 1];
      return { items: page, nextCursor: rows.length > opts.limit && last ? Buffer.from(JSON.stringify([last.name, last.id])).toString('base64url') : null };
    },

    async createTeam(actor: Actor, input: z.output<typeof CreateTeamInput>): Promise<Team> {
      assertPermission(actor, 'team.write');
      const handle = input.handle ?? slugify(input.name);
      const issues: Issue[] = [];
      if (await store.repos.accounts.handleExists(handle)) issues.push({ path: 'handle', message: `the handle "${handle}" is taken` });
      await checkMembers(input.memberIds, issues);
      if (issues.some((i) => i.path === 'handle')) throw new ConflictError('already_exists', issues.find((i) => i.path === 'handle')!.message, { field: 'handle', issues });
      throwIfIssues(issues);
      const id = deps.newId();
      const now = nowIso();
      await store.transaction(async (repos) => {
        await repos.accounts.insertTeam({ id, name: input.name, handle, description: input.description, now });
        await repos.accounts.setTeamMembers(id, input.memberIds);
        await audit(repos, actor, now, 'team.created', 'team', id, { after: { name: input.name, handle, description: input.description, memberIds: input.memberIds } });
      });
      return (await store.repos.accounts.findTeam(id))!;
    },

    async updateTeam(actor: Actor, id: string, input: z.output<typeof UpdateTeamInput>): Promise<Team> {
      assertPermission(actor, 'team.write');
      const before = await store.repos.accounts.findTeam(id);
      if (!before) throw new NotFoundError('Team', id);
      const issues: Issue[] = [];
      if (input.memberIds) await checkMembers(input.memberIds, issues);
      throwIfIssues(issues);
      const now = nowIso();
      await store.transaction(async (repos) => {
        await repos.accounts.updateTeam(before.id, { name: input.name, description: input.description, now });
        if (input.memberIds) await repos.accounts.setTeamMembers(before.id, input.memberIds);
        const after = { ...before, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
        await audit(repos, actor, now, 'team.updated', 'team', before.id, { changes: diffFields(before, after, ['name', 'description', 'memberIds']) });
      });
      return (await store.repos.accounts.findTeam(before.id))!;
    },

    async getTeam(actor: Actor, idOrHandle: string): Promise<Team> {
      assertPermission(actor, 'team.read');
      const team = await store.repos.accounts.findTeam(idOrHandle);
      if (!team) throw new NotFoundError('Team', idOrHandle);
      return team;
    },

    async listTeams(actor: Actor): Promise<Team[]> {
      assertPermission(actor, 'team.read');
      return store.repos.accounts.listTeams();
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;
