import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { ApiToken, CreateTokenInput } from '../contracts/auth';
import type { Actor } from '../domain/actor';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { AuthenticationError, ForbiddenError, InputError, NotFoundError } from '../domain/errors';
import type { SessionRow, TokenRow, UserWithSecret } from '../db/repositories';
import { audit, type ServiceDeps } from './context';
import { StampedCache } from '../domain/stamped-cache';
import type { PasswordHasher } from './password';

/** API tokens look like `cab_<43 url-safe chars>`; the first 12 characters are kept as a visible prefix. */
export const TOKEN_PREFIX = 'cab_';

/** NOTE (security): tokens and session ids are stored only as sha256 hashes; they are long and random. */
export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');
export const newSecret = (): string => TOKEN_PREFIX + randomBytes(32).toString('base64url');

/**
 * What lists show of a token so people can tell them apart. NOTE (security): 12 characters of a generated
 * token leave 35 random ones; a secret someone chose (CABINET_BOOTSTRAP_TOKEN, from 20 characters) shows
 * only its first 4, so the prefix does not shorten it much.
 */
export function visiblePrefix(token: string): string {
  // 32 random bytes are 43 base64url characters.
  const generated = token.startsWith(TOKEN_PREFIX) && token.length === TOKEN_PREFIX.length + 43;
  return token.slice(0, generated ? 12 : 4);
}

export interface AuthServiceOptions {
  sessionHours: number;
  passwords: PasswordHasher;
}

export function createAuthService(deps: ServiceDeps, opts: AuthServiceOptions) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();

  function actorFor(user: UserWithSecret, requestId: string, via: Actor['via']): Actor {
    return { userId: user.id, email: user.email, name: user.name, roles: [...user.roles], teamIds: [...user.teamIds], requestId, via };
  }

  /**
   * What the database said about a token or a session (and its person), remembered while nothing that could
   * change the answer was written by any process (db/invalidation.ts): most requests are authenticated without
   * a query. NOTE (security): revocation, a disabled person, new roles or teams and a logout all write the
   * tables watched, so they take effect on the next request here and in every other process; expiry is
   * checked against the clock at each use, as before. Unknown secrets are never remembered.
   */
  const tokens = new StampedCache<{ token: TokenRow; user: UserWithSecret; lastUsedAt: string | null }>(store.freshness);
  const sessions = new StampedCache<{ session: SessionRow; user: UserWithSecret | null }>(store.freshness);

  const toPublicToken = ({ tokenHash: _hash, ...t }: TokenRow): ApiToken => t;

  return {
    /** Checks a password and opens a web session. The same error for unknown email and wrong password. */
    async login(email: string, password: string, requestId: string): Promise<{ sessionId: string; csrfToken: string; expiresAt: string; actor: Actor }> {
      const user = await store.repos.accounts.findUserByEmail(email);
      const ok = await opts.passwords.verify(password, user?.passwordHash ?? opts.passwords.dummy);
      if (!user || !ok || !user.passwordHash || user.disabled) throw new AuthenticationError('The email or password is wrong.', 'invalid_credentials');
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const now = deps.now();
      const expiresAt = new Date(now.getTime() + opts.sessionHours * 3600_000).toISOString();
      const actor = actorFor(user, requestId, 'session');
      await store.transaction(async (repos) => {
        await repos.accounts.deleteExpiredSessions(now.toISOString());
        await repos.accounts.insertSession({ id: hashSecret(sessionId), userId: user.id, csrfToken, createdAt: now.toISOString(), expiresAt });
        await audit(repos, actor, now.toISOString(), 'user.signed_in', 'user', user.id, {});
      });
      return { sessionId, csrfToken, expiresAt, actor };
    },

    async logout(sessionId: string): Promise<void> {
      await store.transaction((repos) => repos.accounts.deleteSession(hashSecret(sessionId)));
    },

    /** The actor behind a session cookie, and the CSRF token that must accompany its writes. */
    async authenticateSession(sessionId: string, requestId: string): Promise<{ actor: Actor; csrfToken: string } | null> {
      const id = hashSecret(sessionId);
      const stamp = await store.freshness.settle();
      let found = sessions.get(stamp, id);
      if (!found) {
        const session = await store.repos.accounts.findSession(id);
        if (!session) return null;
        found = deepFreeze({ session, user: await store.repos.accounts.findUserById(session.userId) });
        sessions.set(stamp, id, found);
      }
      const { session, user } = found;
      if (session.expiresAt <= nowIso() || !user || user.disabled) return null;
      return { actor: actorFor(user, requestId, 'session'), csrfToken: session.csrfToken };
    },

    /**
     * The actor behind a bearer token. Any value is looked up by its hash: generated tokens start with
     * `cab_`, but the bootstrap token is whatever the operator chose in CABINET_BOOTSTRAP_TOKEN.
     */
    async authenticateToken(token: string, requestId: string): Promise<Actor | null> {
      const stamp = await store.freshness.settle();
      // NOTE (speed): remembered by the token as sent, so a token in use is not hashed again on every request
      // (about 6 µs each time). NOTE (security): only tokens found are remembered, in this process's memory,
      // which holds each of them anyway while its request is answered; the database keeps only their hashes.
      let found = tokens.get(stamp, token);
      if (!found) {
        const read = await store.repos.accounts.findTokenWithUser(hashSecret(token));
        if (!read) return null;
        found = { ...deepFreeze(read), lastUsedAt: read.token.lastUsedAt };
        tokens.set(stamp, token, found);
      }
      const now = nowIso();
      const { token: row, user } = found;
      if (row.revokedAt || (row.expiresAt && row.expiresAt <= now) || user.disabled) return null;
      // Last use is bookkeeping, not evidence: no audit event, and at most once a minute.
      if (!found.lastUsedAt || Date.parse(now) - Date.parse(found.lastUsedAt) > 60_000) {
        await store.repos.accounts.touchToken(row.id, now);
        found.lastUsedAt = now;
      }
      return actorFor(user, requestId, 'token');
    },

    /** Creates a token for the actor (or, for admins, for another user). The secret is returned once. */
    async createToken(actor: Actor, input: z.output<typeof CreateTokenInput>, fixedSecret?: string): Promise<ApiToken & { token: string }> {
      if (input.expiresAt && input.expiresAt <= nowIso()) {
        throw new InputError('The token would already be expired.', [{ path: 'expiresAt', message: 'must be in the future' }]);
      }
      const userId = input.userId ?? actor.userId;
      if (userId !== actor.userId) assertPermission(actor, 'token.manage_all');
      const user = await store.repos.accounts.findUserById(userId);
      if (!user) throw new NotFoundError('User', userId);
      const token = fixedSecret ?? newSecret();
      const row: TokenRow = {
        id: deps.newId(),
        userId,
        name: input.name,
        prefix: visiblePrefix(token),
        tokenHash: hashSecret(token),
        createdAt: nowIso(),
        expiresAt: input.expiresAt ?? null,
        lastUsedAt: null,
        revokedAt: null,
      };
      await store.transaction(async (repos) => {
        await repos.accounts.insertToken(row);
        await audit(repos, actor, row.createdAt, 'token.created', 'token', row.id, { userId, name: row.name, prefix: row.prefix, expiresAt: row.expiresAt });
      });
      return { ...toPublicToken(row), token };
    },

    async listTokens(actor: Actor, all: boolean): Promise<ApiToken[]> {
      if (all) assertPermission(actor, 'token.manage_all');
      return (await store.repos.accounts.listTokens(all ? null : actor.userId)).map(toPublicToken);
    },

    async revokeToken(actor: Actor, id: string): Promise<void> {
      const row = await store.repos.accounts.findToken(id);
      if (!row || (row.userId !== actor.userId && !hasPermission(actor, 'token.manage_all'))) throw new NotFoundError('Token', id);
      if (row.revokedAt) return;
      await store.transaction(async (repos) => {
        await repos.accounts.revokeToken(id, nowIso());
        await audit(repos, actor, nowIso(), 'token.revoked', 'token', id, { userId: row.userId, prefix: row.prefix });
      });
    },

    assertSelfOrPermission(actor: Actor, userId: string): void {
      if (actor.userId !== userId && !hasPermission(actor, 'user.read')) throw new ForbiddenError('You may only see your own account.');
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;

/** Freezes a record read for many requests and everything in it, so no request can change what the next one reads. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
