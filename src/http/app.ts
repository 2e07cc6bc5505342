import { existsSync } from 'node:fs';
import path from 'node:path';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../services';
import { registerAuthentication } from './auth';
import { errorHandler } from './error-handler';
import { accountsRoutes } from './routes/accounts.routes';
import { approvalRoutes } from './routes/approvals.routes';
import { auditRoutes } from './routes/audit.routes';
import { authRoutes } from './routes/auth.routes';
import { changeRoutes } from './routes/changes.routes';
import { cmdbRoutes } from './routes/cmdb.routes';
import { governanceRoutes } from './routes/governance.routes';
import { notificationRoutes } from './routes/notifications.routes';
import { policyRoutes } from './routes/policy.routes';
import { slaRoutes } from './routes/sla.routes';
import { windowsRoutes } from './routes/windows.routes';
import { calendarRoutes } from './routes/calendar.routes';
import { scheduleRoutes } from './routes/schedule.routes';
import { calendarFeedsRoutes } from './routes/calendar-feeds.routes';
import { templatesRoutes } from './routes/templates.routes';
import { incidentsRoutes } from './routes/incidents.routes';
import type { App } from './types';

export interface AppOptions {
  services: Services;
  /** A pino logger, or none (tests). */
  logger: FastifyBaseLogger | null;
  webDir: string;
  secureCookies: boolean;
  sessionHours: number;
  loginRateLimit: number;
  /** Origin for links Cabinet hands out (calendar feed URLs); null or absent to use each request's host. */
  publicUrl?: string | null;
  version: string;
}

/** Builds the HTTP application (API, OpenAPI docs, web app) without listening. */
export async function buildApp(opts: AppOptions): Promise<App> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: 50 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('text/calendar', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'upgrade-insecure-requests': null,
      },
    },
  });
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Cabinet API', version: opts.version, description: 'Change and release management. Authenticate with `Authorization: Bearer TOKEN` or the session cookie.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Swagger UI sets a few inline styles; allowed on its own pages only.
    transformStaticCSP: (header) => header.replace("style-src 'self' https:", "style-src 'self' https: 'unsafe-inline'"),
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });

  registerAuthentication(app, opts.services.auth);

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  const deps = { services: opts.services };
  authRoutes(app, deps, opts);
  accountsRoutes(app, deps);
  cmdbRoutes(app, deps);
  changeRoutes(app, deps);
  approvalRoutes(app, deps);
  governanceRoutes(app, deps);
  auditRoutes(app, deps);
  policyRoutes(app, deps);
  slaRoutes(app, deps);
  notificationRoutes(app, deps);
  windowsRoutes(app, deps);
  calendarRoutes(app, deps);
  scheduleRoutes(app, deps);
  calendarFeedsRoutes(app, deps, { publicUrl: opts.publicUrl ?? null });
  templatesRoutes(app, deps);
  incidentsRoutes(app, deps);

  const indexHtml = path.join(opts.webDir, 'index.html');
  const hasWeb = existsSync(indexHtml);
  if (hasWeb) await app.register(fastifyStatic, { root: opts.webDir, prefix: '/', wildcard: false, index: ['index.html'] });
  app.setNotFoundHandler((request, reply) => {
    const isApi = request.url.startsWith('/api/') || request.url === '/api';
    if (!isApi && request.method === 'GET' && hasWeb) return reply.sendFile('index.html');
    if (!isApi && request.method === 'GET') {
      return reply.type('text/html').send('<!doctype html><title>Cabinet</title><p>The web app is not built. Run <code>npm run build</code> (npm start does this for you). The API is at <a href="/api/docs">/api/docs</a>.</p>');
    }
    return reply.status(404).send({ error: { code: 'not_found', message: `No route ${request.method} ${request.url.split('?')[0]}.`, details: {} } });
  });
  return app;
}
