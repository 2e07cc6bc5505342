import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Services } from '../services';
import { registerAuthentication } from './auth';
import { registerChangeScope } from './change-scope';
import { errorHandler } from './error-handler';
import { openApiOptions } from './openapi';
import { registerSecurityHeaders } from './security-headers';
import { registerServing } from './static';
import { accountsRoutes } from './routes/accounts.routes';
import { approvalRoutes } from './routes/approvals.routes';
import { auditRoutes } from './routes/audit.routes';
import { authRoutes } from './routes/auth.routes';
import { changeRoutes } from './routes/changes.routes';
import { cmdbRoutes } from './routes/cmdb.routes';
import { governanceRoutes } from './routes/governance.routes';
import { notificationRoutes } from './routes/notifications.routes';
import { deliveryRoutes } from './routes/deliveries.routes';
import { policyRoutes } from './routes/policy.routes';
import { slaRoutes } from './routes/sla.routes';
import { windowsRoutes } from './routes/windows.routes';
import { calendarRoutes } from './routes/calendar.routes';
import { scheduleRoutes } from './routes/schedule.routes';
import { calendarFeedsRoutes } from './routes/calendar-feeds.routes';
import { templatesRoutes } from './routes/templates.routes';
import { catalogueLearningRoutes } from './routes/catalogue-learning.routes';
import { incidentsRoutes } from './routes/incidents.routes';
import { problemsRoutes } from './routes/problems.routes';
import { homeRoutes } from './routes/home.routes';
import { searchRoutes } from './routes/search.routes';
import { savedViewsRoutes } from './routes/saved-views.routes';
import { communicationRoutes } from './routes/communication.routes';
import { mailRoutes } from './routes/mail.routes';
import { webhooksRoutes } from './routes/webhooks.routes';
import { reviewsRoutes } from './routes/reviews.routes';
import { gateRoutes } from './routes/gate.routes';
import { deploymentsRoutes } from './routes/deployments.routes';
import { unauthorizedChangesRoutes } from './routes/unauthorized-changes.routes';
import { doraRoutes } from './routes/dora.routes';
import { integrationsRoutes } from './routes/integrations.routes';
import { boardsRoutes } from './routes/boards.routes';
import { meetingsRoutes } from './routes/meetings.routes';
import { boardMetricsRoutes } from './routes/board-metrics.routes';
import type { App } from './types';
import { registerValidation } from './validation';

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
  registerValidation(app);
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: 50 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('text/calendar', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) => done(null, body));

  await registerSecurityHeaders(app, {
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
  await app.register(swagger, openApiOptions({ version: opts.version, publicUrl: opts.publicUrl }));
  await app.register(swaggerUi, {
    routePrefix: '/api/docs',
    staticCSP: true,
    // Swagger UI sets a few inline styles; allowed on its own pages only.
    transformStaticCSP: (header) => header.replace("style-src 'self' https:", "style-src 'self' https: 'unsafe-inline'"),
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });

  registerAuthentication(app, opts.services.auth);
  registerChangeScope(app, opts.services.subscriptions);
  // Before the routes: compression attaches itself to each route as it is declared.
  await registerServing(app, { webDir: opts.webDir });

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
  deliveryRoutes(app, deps);
  windowsRoutes(app, deps);
  calendarRoutes(app, deps);
  scheduleRoutes(app, deps);
  calendarFeedsRoutes(app, deps, { publicUrl: opts.publicUrl ?? null });
  templatesRoutes(app, deps);
  catalogueLearningRoutes(app, deps);
  incidentsRoutes(app, deps);
  problemsRoutes(app, deps);
  homeRoutes(app, deps);
  searchRoutes(app, deps);
  savedViewsRoutes(app, deps);
  communicationRoutes(app, deps);
  mailRoutes(app, deps);
  webhooksRoutes(app, deps);
  reviewsRoutes(app, deps);
  gateRoutes(app, deps);
  deploymentsRoutes(app, deps);
  unauthorizedChangesRoutes(app, deps);
  doraRoutes(app, deps);
  integrationsRoutes(app, deps);
  boardsRoutes(app, deps);
  meetingsRoutes(app, deps, { publicUrl: opts.publicUrl ?? null });
  boardMetricsRoutes(app, deps);

  return app;
}
