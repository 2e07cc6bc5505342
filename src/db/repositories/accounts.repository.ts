import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import type { User, Team, ApiToken } from '../../contracts/auth';
import type { RoleGrant } from '../../domain/actor';
import type { Role } from '../../domain/auth/roles';
import { DIGEST_FREQUENCIES, type DigestFrequency, type QuietHours } from '../../domain/notification/quiet-hours';
import type { DialectHelpers } from '../dialect';
import type { DB, UsersTable } from '../schema';

export interface UserWithSecret extends User {
  passwordHash: string | null;
}

export interface SessionRow {
  id: string;
  userId: string;
  csrfToken: string;
  expiresAt: string;
}

export interface TokenRow extends ApiToken {
  tokenHash: string;
}

/** Users, roles, teams, memberships, web sessions and API tokens. */
/** A person's own settings as stored (contracts/preferences.ts). */
export interface StoredPreferences {
  timeZone: string | null;
  quietHours: QuietHours | null;
  digest: DigestFrequency;
  /** Approval requests, reminders and escalations are emailed too (when the server sends email). */
  approvalEmails: boolean;
}

/** The settings of a users row; quiet hours need both ends, an unknown digest reads as off. */
export function preferencesOfRow(row: Pick<UsersTable, 'time_zone' | 'quiet_start' | 'quiet_end' | 'digest' | 'approval_emails'>): StoredPreferences {
  return {
    timeZone: row.time_zone ?? null,
    quietHours: row.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null,
    digest: (DIGEST_FREQUENCIES as readonly string[]).includes(row.digest ?? '') ? (row.digest as DigestFrequency) : 'off',
    approvalEmails: Number(row.approval_emails ?? 1) !== 0,
  };
}

export function createAccountsRepository(db: Kysely<DB>, h: DialectHelpers) {
  async function rolesFor(userIds: string[]): Promise<Map<string, RoleGrant[]>> {
    const map = new Map<string, RoleGrant[]>();
    if (userIds.length === 0) return map;
    const rows = await db.selectFrom('user_roles').selectAll().where('user_id', 'in', userIds).orderBy('role').execute();
    for (const r of rows) {
      const list = map.get(r.user_id) ?? [];
      list.push({ role: r.role as Role, scopeType: r.scope_type as RoleGrant['scopeType'], scopeId: r.scope_id });
      map.set(r.user_id, list);
    }
    return map;
  }

  async function teamsFor(userIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (userIds.length === 0) return map;
    const rows = await db.selectFrom('team_members').selectAll().where('user_id', 'in', userIds).execute();
    for (const r of rows) map.set(r.user_id, [...(map.get(r.user_id) ?? []), r.team_id]);
    return map;
  }

  function toUserWithSecret(r: UsersTable, roles: RoleGrant[], teamIds: string[]): UserWithSecret {
    return {
      id: r.id,
      email: r.email,
      name: r.name,
      roles,
      teamIds,
      disabled: h.readBool(r.disabled),
      createdAt: h.readInstant(r.created_at)!,
      passwordHash: r.password_hash,
    };
  }

  async function hydrateUsers(rows: UsersTable[]): Promise<UserWithSecret[]> {
    const ids = rows.map((r) => r.id);
    const [roles, teams] = await Promise.all([rolesFor(ids), teamsFor(ids)]);
    return rows.map((r) => toUserWithSecret(r, roles.get(r.id) ?? [], teams.get(r.id) ?? []));
  }

  /**
   * `users` rows with their roles and teams in two JSON columns of the same query (`DialectHelpers.jsonRows`):
   * reading one person (every request's actor, a change's requester) is one round trip instead of three.
   */
  function withMemberships<O>(q: SelectQueryBuilder<DB, 'users' | 'api_tokens', O>) {
    return q.selectAll('users').select([
      h.jsonRows([sql.ref('user_roles.role'), sql.ref('user_roles.scope_type'), sql.ref('user_roles.scope_id')], sql`from user_roles where user_roles.user_id = users.id`).as('role_rows'),
      h.jsonRows([sql.ref('team_members.team_id')], sql`from team_members where team_members.user_id = users.id`).as('team_rows'),
    ]);
  }

  function fromMembershipRow(r: UsersTable & { role_rows: unknown; team_rows: unknown }): UserWithSecret {
    const roles = h
      .readJson<[string, string | null, string | null][]>(r.role_rows)
      .map(([role, scopeType, scopeId]): RoleGrant => ({ role: role as Role, scopeType: scopeType as RoleGrant['scopeType'], scopeId }))
      .sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : 0));
    return toUserWithSecret(r, roles, h.readJson<[string][]>(r.team_rows).map(([teamId]) => teamId));
  }

  async function membersOf(teamIds: string[]): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>();
    if (teamIds.length === 0) return map;
    const rows = await db.selectFrom('team_members').selectAll().where('team_id', 'in', teamIds).execute();
    for (const r of rows) map.set(r.team_id, [...(map.get(r.team_id) ?? []), r.user_id]);
    return map;
  }

  return {
    async countUsers(): Promise<number> {
      const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(row.n);
    },
    async insertUser(u: { id: string; email: string; name: string; passwordHash: string | null; now: string }): Promise<void> {
      await db
        .insertInto('users')
        .values({ id: u.id, email: u.email, name: u.name, password_hash: u.passwordHash, disabled: h.writeBool(false), created_at: u.now, updated_at: u.now })
        .execute();
    },
    async updateUser(id: string, patch: { name?: string; passwordHash?: string; disabled?: boolean; now: string }): Promise<void> {
      await db
        .updateTable('users')
        .set({
          ...(patch.name !== undefined ? { name: patch.name } : {}),
          ...(patch.passwordHash !== undefined ? { password_hash: patch.passwordHash } : {}),
          ...(patch.disabled !== undefined ? { disabled: h.writeBool(patch.disabled) } : {}),
          updated_at: patch.now,
        })
        .where('id', '=', id)
        .execute();
    },
    async setRoles(userId: string, grants: RoleGrant[], newId: () => string): Promise<void> {
      await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
      if (grants.length === 0) return;
      await db
        .insertInto('user_roles')
        .values(grants.map((g) => ({ id: newId(), user_id: userId, role: g.role, scope_type: g.scopeType, scope_id: g.scopeId })))
        .execute();
    },
    async setUserTeams(userId: string, teamIds: string[]): Promise<void> {
      await db.deleteFrom('team_members').where('user_id', '=', userId).execute();
      if (teamIds.length) await db.insertInto('team_members').values(teamIds.map((t) => ({ team_id: t, user_id: userId }))).execute();
    },
    /** A person's own settings (0015): null time zone means the browser's. Null when there is no such user. */
    async findPreferences(userId: string): Promise<StoredPreferences | null> {
      const row = await db.selectFrom('users').select(['time_zone', 'quiet_start', 'quiet_end', 'digest', 'approval_emails']).where('id', '=', userId).executeTakeFirst();
      return row ? preferencesOfRow(row) : null;
    },
    async setPreferences(userId: string, prefs: StoredPreferences, now: string): Promise<void> {
      await db
        .updateTable('users')
        .set({ time_zone: prefs.timeZone, quiet_start: prefs.quietHours?.start ?? null, quiet_end: prefs.quietHours?.end ?? null, digest: prefs.digest, approval_emails: prefs.approvalEmails ? 1 : 0, updated_at: now })
        .where('id', '=', userId)
        .execute();
    },
    /** The enabled users who may vote for an approver: members of the team, holders of the role, or the user. */
    async eligibleUserIds(kind: 'team' | 'role' | 'user' | 'board', ref: string): Promise<string[]> {
      let q = db.selectFrom('users').select('users.id').where('users.disabled', '=', h.writeBool(false));
      if (kind === 'team') q = q.where('users.id', 'in', db.selectFrom('team_members').select('user_id').where('team_id', '=', ref));
      else if (kind === 'board') {
        // A board's people: those on it directly and the people of its teams.
        const seats = db.selectFrom('board_members').where('board_id', '=', ref);
        q = q.where((eb) =>
          eb.or([
            eb('users.id', 'in', seats.select('member_id').where('member_kind', '=', 'user')),
            eb('users.id', 'in', db.selectFrom('team_members').select('user_id').where('team_id', 'in', seats.select('member_id').where('member_kind', '=', 'team'))),
          ]),
        );
      }
      else if (kind === 'role') q = q.where('users.id', 'in', db.selectFrom('user_roles').select('user_id').where('role', '=', ref));
      else q = q.where('users.id', '=', ref);
      return (await q.execute()).map((r) => r.id);
    },
    async findUserById(id: string): Promise<UserWithSecret | null> {
      const row = await withMemberships(db.selectFrom('users')).where('users.id', '=', id).executeTakeFirst();
      return row ? fromMembershipRow(row) : null;
    },
    async findUserByEmail(email: string): Promise<UserWithSecret | null> {
      const row = await withMemberships(db.selectFrom('users')).where('users.email', '=', email.toLowerCase()).executeTakeFirst();
      return row ? fromMembershipRow(row) : null;
    },
    async listUsers(opts: { q?: string; limit: number; afterEmail?: string }): Promise<UserWithSecret[]> {
      let q = db.selectFrom('users').selectAll().orderBy('email').limit(opts.limit);
      if (opts.afterEmail) q = q.where('email', '>', opts.afterEmail);
      if (opts.q) q = q.where((eb) => eb.or([h.containsInsensitive('email', opts.q!), h.containsInsensitive('name', opts.q!)]));
      return hydrateUsers(await q.execute());
    },
    /**
     * Enabled people whose name or email contains `q`, by name then id, after the `after` key: only ids and
     * names leave this query.
     */
    async searchPeople(opts: { q?: string; limit: number; after?: { name: string; id: string } }): Promise<{ id: string; name: string }[]> {
      let q = db.selectFrom('users').select(['id', 'name']).where('disabled', '=', h.writeBool(false)).orderBy('name').orderBy('id').limit(opts.limit);
      if (opts.q) q = q.where((eb) => eb.or([h.containsInsensitive('name', opts.q!), h.containsInsensitive('email', opts.q!)]));
      const after = opts.after;
      if (after) q = q.where((eb) => eb.or([eb('name', '>', after.name), eb.and([eb('name', '=', after.name), eb('id', '>', after.id)])]));
      return q.execute();
    },
    async existingUserIds(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },
    /** The ids, among these, of accounts that exist and are not disabled. */
    async enabledUserIds(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const found = new Set<string>();
      // NOTE: chunked to stay under the bound-parameter limits of both engines.
      for (let i = 0; i < ids.length; i += 500) {
        const rows = await db.selectFrom('users').select('id').where('id', 'in', ids.slice(i, i + 500)).where('disabled', '=', h.writeBool(false)).execute();
        for (const r of rows) found.add(r.id);
      }
      return found;
    },
    async userNames(ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('users').select(['id', 'name']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    },

    async insertTeam(t: { id: string; name: string; handle: string; description: string; now: string }): Promise<void> {
      await db.insertInto('teams').values({ id: t.id, name: t.name, handle: t.handle, description: t.description, created_at: t.now, updated_at: t.now }).execute();
    },
    async updateTeam(id: string, patch: { name?: string; description?: string; now: string }): Promise<void> {
      await db
        .updateTable('teams')
        .set({ ...(patch.name !== undefined ? { name: patch.name } : {}), ...(patch.description !== undefined ? { description: patch.description } : {}), updated_at: patch.now })
        .where('id', '=', id)
        .execute();
    },
    async setTeamMembers(teamId: string, userIds: string[]): Promise<void> {
      await db.deleteFrom('team_members').where('team_id', '=', teamId).execute();
      if (userIds.length) await db.insertInto('team_members').values([...new Set(userIds)].map((u) => ({ team_id: teamId, user_id: u }))).execute();
    },
    async findTeam(idOrHandle: string): Promise<Team | null> {
      const row = await db.selectFrom('teams').selectAll().where((eb) => eb.or([eb('id', '=', idOrHandle), eb('handle', '=', idOrHandle)])).executeTakeFirst();
      if (!row) return null;
      const members = await membersOf([row.id]);
      return { id: row.id, name: row.name, handle: row.handle, description: row.description, memberIds: members.get(row.id) ?? [], createdAt: h.readInstant(row.created_at)! };
    },
    /** Every team with its members, in one round trip (routing and risk read them on every filing). */
    async listTeams(): Promise<Team[]> {
      const rows = await db
        .selectFrom('teams')
        .selectAll()
        .select(h.jsonRows([sql.ref('team_members.user_id')], sql`from team_members where team_members.team_id = teams.id`).as('member_rows'))
        .orderBy('name')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        name: row.name,
        handle: row.handle,
        description: row.description,
        memberIds: h.readJson<[string][]>(row.member_rows).map(([userId]) => userId),
        createdAt: h.readInstant(row.created_at)!,
      }));
    },
    async handleExists(handle: string): Promise<boolean> {
      return (await db.selectFrom('teams').select('id').where('handle', '=', handle).executeTakeFirst()) !== undefined;
    },
    /** The handles among `handles` that are teams. */
    async existingHandles(handles: string[]): Promise<Set<string>> {
      if (handles.length === 0) return new Set();
      const rows = await db.selectFrom('teams').select('handle').where('handle', 'in', handles).execute();
      return new Set(rows.map((r) => r.handle));
    },
    async existingTeamIds(ids: string[]): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db.selectFrom('teams').select('id').where('id', 'in', ids).execute();
      return new Set(rows.map((r) => r.id));
    },

    async insertSession(s: SessionRow & { createdAt: string }): Promise<void> {
      await db.insertInto('sessions').values({ id: s.id, user_id: s.userId, csrf_token: s.csrfToken, created_at: s.createdAt, expires_at: s.expiresAt }).execute();
    },
    async findSession(id: string): Promise<SessionRow | null> {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, userId: row.user_id, csrfToken: row.csrf_token, expiresAt: h.readInstant(row.expires_at)! } : null;
    },
    async deleteSession(id: string): Promise<void> {
      await db.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async deleteSessionsOf(userId: string): Promise<void> {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
    async deleteExpiredSessions(now: string): Promise<void> {
      await db.deleteFrom('sessions').where('expires_at', '<', now).execute();
    },

    async insertToken(t: TokenRow): Promise<void> {
      await db
        .insertInto('api_tokens')
        .values({ id: t.id, user_id: t.userId, name: t.name, token_hash: t.tokenHash, prefix: t.prefix, created_at: t.createdAt, expires_at: t.expiresAt, last_used_at: null, revoked_at: null })
        .execute();
    },
    /** The token with this hash and the person it belongs to, in one round trip (every API request asks). */
    async findTokenWithUser(hash: string): Promise<{ token: TokenRow; user: UserWithSecret } | null> {
      const row = await withMemberships(db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id'))
        .select([
          'api_tokens.id as token_id',
          'api_tokens.name as token_name',
          'api_tokens.token_hash',
          'api_tokens.prefix as token_prefix',
          'api_tokens.created_at as token_created_at',
          'api_tokens.expires_at as token_expires_at',
          'api_tokens.last_used_at as token_last_used_at',
          'api_tokens.revoked_at as token_revoked_at',
        ])
        .where('api_tokens.token_hash', '=', hash)
        .executeTakeFirst();
      if (!row) return null;
      const token = toToken({
        id: row.token_id,
        user_id: row.id,
        name: row.token_name,
        token_hash: row.token_hash,
        prefix: row.token_prefix,
        created_at: row.token_created_at,
        expires_at: row.token_expires_at,
        last_used_at: row.token_last_used_at,
        revoked_at: row.token_revoked_at,
      });
      return { token, user: fromMembershipRow(row) };
    },
    async findToken(id: string): Promise<TokenRow | null> {
      const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toToken(row) : null;
    },
    async listTokens(userId: string | null): Promise<TokenRow[]> {
      let q = db.selectFrom('api_tokens').selectAll().orderBy('created_at', 'desc');
      if (userId) q = q.where('user_id', '=', userId);
      return (await q.execute()).map(toToken);
    },
    async revokeToken(id: string, now: string): Promise<void> {
      await db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
    },
    async touchToken(id: string, now: string): Promise<void> {
      await db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', id).execute();
    },
  };

  function toToken(row: DB['api_tokens']): TokenRow {
    return {
      id: row.id,
      userId: row.user_id,
      name: row.name,
      prefix: row.prefix,
      tokenHash: row.token_hash,
      createdAt: h.readInstant(row.created_at)!,
      expiresAt: h.readInstant(row.expires_at),
      lastUsedAt: h.readInstant(row.last_used_at),
      revokedAt: h.readInstant(row.revoked_at),
    };
  }
}
export type AccountsRepository = ReturnType<typeof createAccountsRepository>;
