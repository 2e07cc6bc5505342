import { createAccountsService } from './accounts.service';
import { createApprovalService } from './approval.service';
import { createAuditService } from './audit.service';
import { createAuthService } from './auth.service';
import { createBootstrapService } from './bootstrap.service';
import { createChangeService } from './change.service';
import { createCmdbService } from './cmdb.service';
import type { ServiceDeps } from './context';
import { createDemoService } from './demo.service';
import { createPolicyService } from './policy.service';
import { createRiskService } from './risk.service';
import { createRoutingService } from './routing.service';

export interface ServicesOptions {
  sessionHours: number;
}

/** Wires every service to one store, clock and id source. */
export function createServices(deps: ServiceDeps, opts: ServicesOptions) {
  const accounts = createAccountsService(deps);
  const policy = createPolicyService({ ...deps, accounts });
  const auth = createAuthService(deps, { sessionHours: opts.sessionHours });
  const risk = createRiskService({ ...deps, policy });
  const cmdb = createCmdbService({ ...deps, policy, risk });
  const approvals = createApprovalService({ ...deps, policy, risk });
  const routing = createRoutingService({ ...deps, risk });
  const changes = createChangeService({ ...deps, policy, risk, approvals, routing });
  const auditTrail = createAuditService(deps);
  const bootstrap = createBootstrapService({ ...deps, accounts, auth });
  const demo = createDemoService({ ...deps, accounts, cmdb, changes, approvals });
  return { policy, auth, accounts, cmdb, changes, approvals, risk, audit: auditTrail, bootstrap, demo };
}
export type Services = ReturnType<typeof createServices>;
export type { ServiceDeps } from './context';
