import type { FastifyInstance } from 'fastify';
import type { SubscriptionService } from '../services/subscription.service';

/** The routes about one change: `/api/v1/changes/:id` and everything under it. */
const CHANGE_ROUTE = '/api/v1/changes/:id';
/** Routes that name a change in their body: the plan check reads that change's acknowledgements and conflicts. */
const BODY_CHANGE_ROUTES = new Set(['/api/v1/conflicts/check']);

/**
 * NOTE (security): a stakeholder reads only the changes on what they follow (docs/communication.md). The
 * change service, concerns, audience, search and the calendar narrow their own reads; every other read about
 * one change (approvals, evidence, conflicts, impact, risk, SLA clocks, incidents, audit, deliveries) is
 * checked here once, before its handler and before its input is validated, so a stakeholder learns nothing
 * of a change outside their view: 404, as for a missing change. Other roles pass untouched.
 */
export function registerChangeScope(app: FastifyInstance, subscriptions: Pick<SubscriptionService, 'assertMayRead'>): void {
  app.addHook('preValidation', async (request) => {
    const url = request.routeOptions.url;
    if (!request.actor || !url) return;
    const named = url === CHANGE_ROUTE || url.startsWith(`${CHANGE_ROUTE}/`) ? (request.params as { id?: unknown }).id : BODY_CHANGE_ROUTES.has(url) ? (request.body as { changeId?: unknown } | undefined)?.changeId : undefined;
    if (typeof named === 'string' && named.length > 0) await subscriptions.assertMayRead(request.actor, named);
  });
}
