import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { MailStatus, UnsubscribeInfo } from '../../contracts/mail';
import { escapeHtml } from '../../integrations/mail/notice-mail';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

/** Per client address: plenty for a person, little for someone guessing tokens. */
const UNSUBSCRIBE_RATE = { max: 60, timeWindow: '1 minute' };
// NOTE: a token that is not one this server signed gets the same 404 however close it is.
const UnsubscribeParams = z.object({ token: z.string().max(300).describe('The token of the link in the email') });

/** JSON for programs and mail clients, or a small page for a browser (which asks for text/html first). */
const ANSWER = {
  description: 'What the link turns off (JSON), or a page saying so (HTML)',
  content: { 'application/json': { schema: UnsubscribeInfo }, 'text/html': { schema: z.string() } },
};

const wantsHtml = (request: FastifyRequest): boolean => /^\s*text\/html\b/i.test(request.headers.accept ?? '');

/**
 * The small page a person sees who opens the link from an email in a browser: what it turns off and a
 * button that posts the same URL (a GET never unsubscribes). Plain HTML with no script, so the app's
 * content security policy holds.
 */
function unsubscribePage(info: UnsubscribeInfo, done: boolean): string {
  const what = info.subscription
    ? `${info.subscription.team ? `team ${info.subscription.team}’s` : 'your'} subscription to ${info.subscription.target.kind === 'ci' ? 'CI' : info.subscription.target.kind} ${info.subscription.target.name}`
    : null;
  const say = !what
    ? 'This subscription no longer exists: no more email comes from it.'
    : done || !info.email
      ? `Email from ${what} is off. Notices in Cabinet, if chosen, go on.`
      : `Stop email from ${what}?`;
  const form = what && info.email && !done ? '<form method="post"><button type="submit">Stop these emails</button></form>' : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Unsubscribe · Cabinet</title></head>
<body><main><h1>Unsubscribe</h1><p>${escapeHtml(say)}</p>${form}</main></body></html>`;
}

/** Whether email is sent, and the one-click unsubscribe link (RFC 8058) every email carries. */
export function mailRoutes(app: App, { services }: RouteDeps): void {
  const { mail } = services;

  app.get(
    '/api/v1/mail/status',
    {
      schema: {
        tags: ['communication'],
        operationId: 'getMailStatus',
        summary: 'Whether this Cabinet sends email; without an SMTP server, email subscriptions send nothing',
        response: { 200: MailStatus, 401: ErrorBody },
      },
    },
    async (request) => {
      actorOf(request);
      return { email: mail.enabled };
    },
  );

  // NOTE (security): public and without CSRF: the signed token is the credential, and a mail client posts
  // it with no session (RFC 8058). GET only describes: mail scanners and previews follow links.
  app.get(
    '/api/v1/unsubscribe/:token',
    {
      config: { public: true, rateLimit: UNSUBSCRIBE_RATE },
      schema: {
        tags: ['communication'],
        operationId: 'describeUnsubscribe',
        summary: 'What the unsubscribe link of an email would turn off; changes nothing (a browser asking for HTML gets a page with a button that posts it)',
        security: [],
        params: UnsubscribeParams,
        response: { 200: ANSWER, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const info = await mail.describeUnsubscribe(request.params.token);
      reply.header('cache-control', 'no-store');
      return wantsHtml(request) ? reply.type('text/html; charset=utf-8').send(unsubscribePage(info, false)) : reply.send(info);
    },
  );

  // The mail client's one-click POST has a form body (`List-Unsubscribe=One-Click`) that says nothing more;
  // it is taken as text and not read, in this route only.
  void app.register(async (scope) => {
    scope.addContentTypeParser(['application/x-www-form-urlencoded', 'multipart/form-data'], { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/unsubscribe/:token',
      {
        config: { public: true, rateLimit: UNSUBSCRIBE_RATE },
        schema: {
          tags: ['communication'],
          operationId: 'unsubscribe',
          summary: 'One-click unsubscribe (RFC 8058): turns email off for the subscription of the link; the same answer when repeated',
          security: [],
          params: UnsubscribeParams,
          response: { 200: ANSWER, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const info = await mail.unsubscribe(request.params.token, request.id);
        reply.header('cache-control', 'no-store');
        // A browser posting the page's form reads a page; a mail client's one-click POST reads JSON.
        return wantsHtml(request) ? reply.type('text/html; charset=utf-8').send(unsubscribePage(info, true)) : reply.send(info);
      },
    );
  });
}
