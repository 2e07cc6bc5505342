import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { Concern, RaiseConcernInput } from '../../contracts/communication';
import { ConcernLinkInfo, ConfirmationInfo, MailStatus, UnsubscribeInfo } from '../../contracts/mail';
import { InputError } from '../../domain/errors';
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

const CONFIRM_ANSWER = {
  description: 'What the link confirms (JSON), or a page saying so (HTML)',
  content: { 'application/json': { schema: ConfirmationInfo }, 'text/html': { schema: z.string() } },
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

/** The page of a digest's unsubscribe link. */
function digestPage(info: UnsubscribeInfo, done: boolean): string {
  const say = done || info.digest === 'off' ? 'Your digest is off: no more digests come by email or in Cabinet. You can turn it on again in your preferences.' : `Stop your ${info.digest} digest?`;
  const form = info.digest !== 'off' && !done ? '<form method="post"><button type="submit">Stop the digest</button></form>' : '';
  return htmlPage('Unsubscribe', 'Unsubscribe', `<p>${escapeHtml(say)}</p>${form}`);
}

/** A small page with no script (the app's content security policy holds), its values escaped by the caller. */
function htmlPage(title: string, heading: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · Cabinet</title></head>
<body><main><h1>${escapeHtml(heading)}</h1>${body}</main></body></html>`;
}

const targetWords = (t: { kind: string; name: string }) => `${t.kind === 'ci' ? 'CI' : t.kind} ${t.name}`;

/** The page of an external address's confirmation link: what it confirms and a button that posts it. */
function confirmationPage(info: ConfirmationInfo): string {
  const what = `${info.subscription.address} gets email about the changes planned on ${targetWords(info.subscription.target)}`;
  return info.confirmed
    ? htmlPage('Confirmed', 'Confirmed', `<p>${escapeHtml(`Confirmed: ${what}. Every email has a link to stop it.`)}</p>`)
    : htmlPage('Confirm', 'Confirm email from Cabinet', `<p>${escapeHtml(`Confirm that ${what}?`)}</p><form method="post"><button type="submit">Confirm</button></form>`);
}

/** The page of a "raise a concern" link: a text box and a button that posts it, or what was raised. */
function concernPage(info: ConcernLinkInfo, raised: Concern | null): string {
  const change = `${info.change.number} "${info.change.title}"`;
  if (raised) return htmlPage('Concern raised', 'Concern raised', `<p>${escapeHtml(`Your concern about ${change} was raised. Its owner answers it in Cabinet, and you are told.`)}</p>`);
  return htmlPage(
    'Raise a concern',
    'Raise a concern',
    `<p>${escapeHtml(`About ${change}, as ${info.person.name}.`)}</p>` +
      '<form method="post"><p><label for="text">What worries you about it?</label></p><p><textarea id="text" name="text" rows="6" cols="60" maxlength="4000" required></textarea></p><p><button type="submit">Raise the concern</button></p></form>',
  );
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
      const page = info.digest ? digestPage(info, false) : unsubscribePage(info, false);
      return wantsHtml(request) ? reply.type('text/html; charset=utf-8').send(page) : reply.send(info);
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
        const page = info.digest ? digestPage(info, true) : unsubscribePage(info, true);
        return wantsHtml(request) ? reply.type('text/html; charset=utf-8').send(page) : reply.send(info);
      },
    );

    // An external address's double opt-in (external-address.service.ts): public, the signed link is the credential.
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/subscription-confirmations/:token',
      {
        config: { public: true, rateLimit: UNSUBSCRIBE_RATE },
        schema: {
          tags: ['communication'],
          operationId: 'confirmSubscription',
          summary: 'Confirms the external address’s subscription of the link (double opt-in); the same answer when repeated; 404 for a link forged or older than 7 days',
          security: [],
          params: UnsubscribeParams,
          response: { 200: CONFIRM_ANSWER, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        const info = await services.externalAddresses.confirm(request.params.token, request.id);
        reply.header('cache-control', 'no-store');
        return wantsHtml(request) ? reply.type('text/html; charset=utf-8').send(confirmationPage(info)) : reply.send(info);
      },
    );

    // NOTE (security): public and without CSRF, as the link acts as its person: what the token signs (the
    // change, the person, an expiry) and the person's own permissions of this moment decide (concern-link.service.ts).
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/concern-links/:token',
      {
        config: { public: true, rateLimit: UNSUBSCRIBE_RATE },
        schema: {
          tags: ['communication'],
          operationId: 'raiseConcernByLink',
          summary: 'Raises a concern about the change of the link as its person (the link of a notice email, valid 30 days); JSON {text} or the page’s form',
          security: [],
          params: UnsubscribeParams,
          body: z.union([RaiseConcernInput, z.string().max(20_000)]),
          response: { 201: { description: 'The concern (JSON), or a page saying it was raised (HTML)', content: { 'application/json': { schema: Concern }, 'text/html': { schema: z.string() } } }, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
      },
      async (request, reply) => {
        // The page's form posts `text=…`; a program posts JSON.
        const body = typeof request.body === 'string' ? { text: new URLSearchParams(request.body).get('text') ?? '' } : request.body;
        const parsed = RaiseConcernInput.safeParse(body);
        if (!parsed.success) throw new InputError('The concern has invalid values.', parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'text', message: i.message })));
        const concern = await services.concernLinks.raise(request.params.token, parsed.data.text, request.id);
        reply.header('cache-control', 'no-store');
        if (!wantsHtml(request)) return reply.status(201).send(concern);
        const info = await services.concernLinks.describe(request.params.token, request.id);
        return reply.status(201).type('text/html; charset=utf-8').send(concernPage(info, concern));
      },
    );
  });

  app.get(
    '/api/v1/subscription-confirmations/:token',
    {
      config: { public: true, rateLimit: UNSUBSCRIBE_RATE },
      schema: {
        tags: ['communication'],
        operationId: 'describeSubscriptionConfirmation',
        summary: 'What the confirmation link an external address was sent would confirm; changes nothing (a browser gets a page with a Confirm button that posts it)',
        security: [],
        params: UnsubscribeParams,
        response: { 200: CONFIRM_ANSWER, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const info = await services.externalAddresses.describe(request.params.token);
      reply.header('cache-control', 'no-store');
      return wantsHtml(request) ? reply.type('text/html; charset=utf-8').send(confirmationPage(info)) : reply.send(info);
    },
  );

  app.get(
    '/api/v1/concern-links/:token',
    {
      config: { public: true, rateLimit: UNSUBSCRIBE_RATE },
      schema: {
        tags: ['communication'],
        operationId: 'describeConcernLink',
        summary: 'The change and person of a "raise a concern" link; changes nothing (a browser gets a page with a form that posts the concern)',
        security: [],
        params: UnsubscribeParams,
        response: { 200: { description: 'The change and person (JSON), or the page (HTML)', content: { 'application/json': { schema: ConcernLinkInfo }, 'text/html': { schema: z.string() } } }, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const info = await services.concernLinks.describe(request.params.token, request.id);
      reply.header('cache-control', 'no-store');
      return wantsHtml(request) ? reply.type('text/html; charset=utf-8').send(concernPage(info, null)) : reply.send(info);
    },
  );
}
