import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor';
import { AuthenticationError, ForbiddenError } from '../domain/errors';
import type { AuthService } from '../services/auth.service';

export const SESSION_COOKIE = 'cabinet_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    csrfToken: string | null;
  }
  interface FastifyContextConfig {
    /** Route answers without credentials. */
    public?: boolean;
    /** A public route that still needs the CSRF token when a live session cookie comes with it (logout). */
    csrf?: boolean;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the actor of every API request: `Authorization: Bearer TOKEN` or the session cookie.
 * NOTE (security): cookie-authenticated writes must echo the session's CSRF token in X-CSRF-Token
 * (synchronizer token); bearer tokens are not sent by browsers on their own, so they need none.
 */
export function registerAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('csrfToken', null);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const header = request.headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const actor = match ? await auth.authenticateToken(match[1]!, request.id) : null;
      if (!actor) throw new AuthenticationError('The API token is invalid, expired or revoked.', 'invalid_token');
      request.actor = actor;
      return;
    }
    const sessionId = request.cookies[SESSION_COOKIE];
    if (!sessionId) return;
    const session = await auth.authenticateSession(sessionId, request.id);
    if (!session) return;
    request.actor = session.actor;
    request.csrfToken = session.csrfToken;
    const config = request.routeOptions.config;
    const needsCsrf = !config?.public || config.csrf === true;
    if (!SAFE_METHODS.has(request.method) && request.headers[CSRF_HEADER] !== session.csrfToken && needsCsrf) {
      throw new ForbiddenError('This request is missing its CSRF token (header X-CSRF-Token).', 'csrf_failed');
    }
  });
  // NOTE (security): checked in onRequest, before the body is parsed and validated, so a caller without
  // credentials learns nothing about a route's input rules (and large uploads are refused unread).
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return;
    if (!request.url.startsWith('/api/') || request.url.startsWith('/api/docs')) return;
    if (!request.actor) throw new AuthenticationError();
  });
}

/** The signed-in actor of a request whose route is not public. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new AuthenticationError();
  return request.actor;
}
