import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

export function policyRoutes(app: App, { services }: RouteDeps): void {
  app.get('/api/v1/policy', { schema: { tags: ['policy'], summary: 'The active policy version and its change models' } }, async (request) => services.policy.describe(actorOf(request)));
  app.get('/api/v1/policy/versions', { schema: { tags: ['policy'], summary: 'Every applied policy version, newest first' } }, async (request) => ({
    items: await services.policy.versions(actorOf(request)),
    nextCursor: null,
  }));
}
