import { z } from 'zod';
import { ApiToken, CreatedToken, CreateTokenInput, LoginInput, Me } from '../../contracts/auth';
import { ErrorBody } from '../../contracts/common';
import { Preferences, UpdatePreferencesInput } from '../../contracts/preferences';
import { hasPermission, PERMISSION_NAMES } from '../../domain/auth/roles';
import type { Actor } from '../../domain/actor';
import { actorOf, SESSION_COOKIE } from '../auth';
import type { App, RouteDeps } from '../types';

export interface AuthRouteOptions {
  secureCookies: boolean;
  sessionHours: number;
  loginRateLimit: number;
}

function meOf(
  actor: Actor,
  user: { createdAt: string; disabled: boolean },
  prefs: Preferences,
  csrfToken: string | null,
): z.infer<typeof Me> {
  return {
    id: actor.userId,
    email: actor.email,
    name: actor.name,
    roles: actor.roles,
    teamIds: actor.teamIds,
    disabled: user.disabled,
    createdAt: user.createdAt,
    permissions: PERMISSION_NAMES.filter((p) => hasPermission(actor, p)),
    csrfToken,
    timeZone: prefs.timeZone,
  };
}

export function authRoutes(app: App, { services }: RouteDeps, opts: AuthRouteOptions): void {
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true, rateLimit: { max: opts.loginRateLimit, timeWindow: '1 minute' } },
      schema: {
        tags: ['auth'],
        operationId: 'login',
        summary: 'Sign in with email and password (sets the session cookie)',
        body: LoginInput,
        response: { 200: Me, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const { sessionId, csrfToken, expiresAt, actor } = await services.auth.login(request.body.email, request.body.password, request.id);
      void reply.setCookie(SESSION_COOKIE, sessionId, {
        httpOnly: true,
        sameSite: 'lax',
        secure: opts.secureCookies,
        path: '/',
        expires: new Date(expiresAt),
      });
      const [user, prefs] = await Promise.all([services.accounts.getUser(actor, actor.userId), services.accounts.getPreferences(actor)]);
      return meOf(actor, user, prefs, csrfToken);
    },
  );

  // NOTE (security): public so that a stale cookie can still be cleared, but a live session's logout needs
  // its CSRF token like any other cookie write: another site must not be able to sign people out.
  app.post(
    '/api/v1/auth/logout',
    {
      config: { public: true, csrf: true },
      schema: {
        tags: ['auth'],
        operationId: 'logout',
        summary: 'Sign out (ends the session; with a session cookie, send X-CSRF-Token)',
        response: { 204: z.null(), 403: ErrorBody },
      },
    },
    async (request, reply) => {
      const sessionId = request.cookies[SESSION_COOKIE];
      if (sessionId) await services.auth.logout(sessionId);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/me',
    {
      schema: {
        tags: ['auth'],
        operationId: 'getMe',
        summary: 'The signed-in user, their permissions and CSRF token',
        response: { 200: Me },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const [user, prefs] = await Promise.all([services.accounts.getUser(actor, actor.userId), services.accounts.getPreferences(actor)]);
      return meOf(actor, user, prefs, request.csrfToken);
    },
  );
  app.get(
    '/api/v1/me/preferences',
    {
      schema: {
        tags: ['auth'],
        operationId: 'getMyPreferences',
        summary: 'Your own settings: the time zone the web app shows times in',
        response: { 200: Preferences },
      },
    },
    async (request) => services.accounts.getPreferences(actorOf(request)),
  );
  app.patch(
    '/api/v1/me/preferences',
    {
      schema: {
        tags: ['auth'],
        operationId: 'updateMyPreferences',
        summary: 'Change your own settings (timeZone: an IANA zone, or null for the browser’s; quietHours: {start, end} as HH:MM, or null; digest: off, daily or weekly); 400 lists every problem',
        body: UpdatePreferencesInput,
        response: { 200: Preferences },
      },
    },
    async (request) => services.accounts.updatePreferences(actorOf(request), request.body),
  );

  app.get(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'listTokens',
        summary: 'API tokens (your own; all=true for admins)',
        querystring: z.strictObject({ all: z.stringbool().default(false).describe('Everyone’s tokens (admins)') }),
        response: { 200: z.object({ items: z.array(ApiToken), nextCursor: z.null() }) },
      },
    },
    async (request) => ({ items: await services.auth.listTokens(actorOf(request), request.query.all), nextCursor: null }),
  );
  app.post(
    '/api/v1/tokens',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'createToken',
        summary: 'Create an API token; the secret is in this response only',
        body: CreateTokenInput,
        response: { 201: CreatedToken },
      },
    },
    async (request, reply) => reply.status(201).send(await services.auth.createToken(actorOf(request), request.body)),
  );
  app.delete(
    '/api/v1/tokens/:id',
    {
      schema: {
        tags: ['tokens'],
        operationId: 'revokeToken',
        summary: 'Revoke an API token',
        params: z.object({ id: z.string().min(1).describe('Token id') }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await services.auth.revokeToken(actorOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
}
