import { CreateChangeInput } from '../contracts/change';
import { systemActor, type Actor } from '../domain/actor';
import type { Role } from '../domain/auth/roles';
import type { AccountsService } from './accounts.service';
import { isApprover, type ApprovalService } from './approval.service';
import type { ChangeService } from './change.service';
import { NO_ELIGIBILITY } from '../contracts/templates';
import type { ProblemService } from './problem.service';
import type { ReviewService } from './review.service';
import type { CmdbService } from './cmdb.service';
import type { ServiceDeps } from './context';
import type { GovernanceService } from './governance.service';
import type { OutboxService } from './outbox.service';
import type { SlaService } from './sla.service';
import type { ScheduleService } from './schedule.service';
import type { WindowsService } from './windows.service';
import type { TemplateService } from './template.service';
import type { IncidentService } from './incident.service';
import type { SubscriptionService } from './subscription.service';
import type { ConcernService } from './concern.service';

/** Every demo person signs in with this password (documented in the README; demo data only). */
export const DEMO_PASSWORD = 'demo-password-1';

const DAY = 86_400_000;

/**
 * A small, realistic organisation: teams, people in every role, services with tiers and regulatory tags,
 * CIs with dependencies, and changes in every state, made through the same services a person would use.
 * Loaded once: a second call finds the demo team and does nothing.
 */
export function createDemoService(
  deps: ServiceDeps & {
    accounts: AccountsService;
    cmdb: CmdbService;
    changes: ChangeService;
    approvals: ApprovalService;
    sla: SlaService;
    outbox: OutboxService;
    governance: Pick<GovernanceService, 'addEvidence'>;
    windows: Pick<WindowsService, 'create'>;
    templates: Pick<TemplateService, 'create'>;
    incidents: Pick<IncidentService, 'create'>;
    schedule: Pick<ScheduleService, 'conflicts' | 'requestFreezeException'>;
    subscriptions: Pick<SubscriptionService, 'subscribe'>;
    concerns: Pick<ConcernService, 'raise'>;
    /** The change service on a clock `ms` behind, to file a change in the past. */
    earlier: (ms: number) => { changes: ChangeService };
    /** Problems and known errors: the demo opens one behind the payment API incident. */
    problems?: Pick<ProblemService, 'create' | 'update' | 'createKnownError'>;
    /** Post-implementation reviews: the demo completes one, with its actions. */
    reviews?: Pick<ReviewService, 'reconsider' | 'update' | 'addAction' | 'complete'>;
  },
) {
  return {
    async load(): Promise<{ loaded: boolean }> {
      if (await deps.store.repos.accounts.findTeam('platform')) return { loaded: false };
      const sys = systemActor('demo');
      // The policy bundle's teams (dba, network, security, change-managers…) exist from the first start: reuse them.
      const team = async (name: string, handle: string, description: string) =>
        (await deps.store.repos.accounts.findTeam(handle)) ?? deps.accounts.createTeam(sys, { name, handle, description, memberIds: [] });
      const platform = await team('Platform Engineering', 'platform', 'Runs the Kubernetes clusters, load balancers and CI/CD.');
      const dba = await team('Database Administration', 'dba', 'Owns PostgreSQL and the data warehouse.');
      const network = await team('Network', 'network', 'Firewalls, switches, VPN and DNS.');
      const security = await team('Security', 'security', 'Reviews changes to regulated and exposed systems.');
      const payments = await team('Payments', 'payments-team', 'Builds the payment service.');
      const changeManagers = await team('Change Managers', 'change-managers', 'Triage, assessment and scheduling.');
      const cab = await team('Change Advisory Board', 'cab', 'Authorizes normal changes of high and very high risk.');
      const compliance = await team('Compliance', 'compliance', 'Reviews changes to regulated systems (SOX, HIPAA, GDPR, PCI).');

      const person = async (email: string, name: string, roles: Role[], teamIds: string[]) =>
        deps.accounts.createUser(sys, { email, name, password: DEMO_PASSWORD, roles, teamIds });
      const alice = await person('alice@example.com', 'Alice Martin (change manager)', ['change_manager', 'cab_member'], [changeManagers.id, cab.id]);
      const bob = await person('bob@example.com', 'Bob Okafor (requester)', ['requester'], [payments.id]);
      const carol = await person('carol@example.com', 'Carol Nguyen (implementer)', ['implementer', 'requester'], [platform.id]);
      const dave = await person('dave@example.com', 'Dave Kowalski (DBA)', ['approver', 'implementer'], [dba.id]);
      await person('erin@example.com', 'Erin Silva (auditor)', ['auditor'], []);
      await person('grace@example.com', 'Grace Hopper (compliance)', ['approver'], [compliance.id]);
      const frank = await person('frank@example.com', 'Frank Li (network)', ['approver', 'implementer'], [network.id, security.id, compliance.id]);
      // Reads the changes on what she follows, raises concerns, and writes nothing else.
      const sam = await person('sam@example.com', 'Sam Patel (finance, stakeholder)', ['stakeholder'], []);

      const svc = async (name: string, tier: number, ownerTeamId: string, tags: string[], provider: 'on_premises' | 'aws' | 'saas' | 'gcp', description: string) =>
        deps.cmdb.createService(sys, { name, tier, ownerTeamId, tags, provider, description, requiresMaintenanceWindow: false });
      const pay = await svc('Payments', 1, payments.id, ['pci', 'sox'], 'aws', 'Card payments and refunds for the web shop.');
      const portal = await svc('Customer Portal', 2, platform.id, ['gdpr'], 'aws', 'Where customers manage their accounts and orders.');
      const dwh = await svc('Data Warehouse', 3, dba.id, ['gdpr'], 'on_premises', 'Nightly analytics and reporting.');
      const wiki = await svc('Internal Wiki', 4, platform.id, [], 'saas', 'Team documentation.');

      type CiSpec = [name: string, type: string, serviceId: string | null, criticality: 'low' | 'medium' | 'high' | 'critical', tags: string[], ownerTeamId: string];
      const specs: CiSpec[] = [
        ['pay-api-prod', 'application', pay.id, 'critical', ['pci'], payments.id],
        ['pay-db-prod', 'database', pay.id, 'critical', ['pci'], dba.id],
        ['portal-web-prod', 'application', portal.id, 'high', [], platform.id],
        ['portal-db-prod', 'database', portal.id, 'high', ['gdpr'], dba.id],
        ['k8s-prod-eu1', 'cluster', null, 'critical', [], platform.id],
        ['lb-prod-eu1', 'load_balancer', null, 'critical', [], network.id],
        ['fw-edge-01', 'network', null, 'critical', [], network.id],
        ['dwh-db-01', 'database', dwh.id, 'medium', ['gdpr'], dba.id],
        ['etl-runner-01', 'server', dwh.id, 'medium', [], dba.id],
        ['wiki-saas', 'saas', wiki.id, 'low', [], platform.id],
      ];
      const ci: Record<string, string> = {};
      for (const [name, type, serviceId, criticality, tags, ownerTeamId] of specs) {
        ci[name] = (await deps.cmdb.createCi(sys, { name, type, environment: 'production', serviceId, criticality, tags, ownerTeamId, attributes: { region: 'eu-west-1' } })).id;
      }
      const rel = (from: string, type: 'depends_on' | 'runs_on' | 'connects_to', to: string) => deps.cmdb.addRelation(sys, ci[from]!, { toCiId: ci[to]!, type });
      await rel('pay-api-prod', 'depends_on', 'pay-db-prod');
      await rel('pay-api-prod', 'runs_on', 'k8s-prod-eu1');
      await rel('portal-web-prod', 'runs_on', 'k8s-prod-eu1');
      await rel('portal-web-prod', 'depends_on', 'portal-db-prod');
      await rel('portal-web-prod', 'depends_on', 'pay-api-prod');
      await rel('lb-prod-eu1', 'connects_to', 'k8s-prod-eu1');
      await rel('fw-edge-01', 'connects_to', 'lb-prod-eu1');
      await rel('etl-runner-01', 'depends_on', 'dwh-db-01');
      await rel('etl-runner-01', 'connects_to', 'portal-db-prod');

      const asUser = async (id: string): Promise<Actor> => {
        const u = (await deps.store.repos.accounts.findUserById(id))!;
        return { userId: u.id, email: u.email, name: u.name, roles: u.roles, teamIds: u.teamIds, requestId: 'demo', via: 'system' };
      };
      const [A, B, C] = [await asUser(alice.id), await asUser(bob.id), await asUser(carol.id)];
      // Finance follows Payments and what it runs on: she hears of the database work below.
      const S = await asUser(sam.id);
      await deps.subscriptions.subscribe(S, { target: { kind: 'service', id: pay.id }, includeDependencies: true, channels: ['in_app'] });
      const approvers = [A, await asUser(dave.id), await asUser(frank.id)];
      // Changes past Authorize really passed their approvals: each stage is approved by a demo person in its team.
      const approveAll = async (changeId: string) => {
        for (let stage = 0; stage < 5; stage++) {
          const pending = (await deps.approvals.listForChange(A, changeId)).filter((a) => a.state === 'pending');
          if (pending.length === 0) return;
          for (const a of pending) {
            const voter = approvers.find((v) => isApprover(v, { approverKind: a.approver.kind, approverRef: a.approver.ref }));
            if (voter) await deps.approvals.decide(voter, a.id, { decision: 'approve', comment: 'Reviewed: the plan, tests and backout are sound.' });
          }
        }
      };
      const base = deps.now().getTime();
      const at = (days: number, hours = 22) => new Date(Math.floor(base / DAY) * DAY + days * DAY + hours * 3600_000).toISOString();
      const plan = (days: number) => ({
        plannedStart: at(days),
        plannedEnd: at(days, 23),
        implementationPlan: '1. Announce in #ops.\n2. Apply the change with the runbook.\n3. Watch dashboards for 30 minutes.',
        testPlan: 'Smoke tests from the release checklist; synthetic checkout passes.',
        backoutPlan: 'Redeploy the previous version from the registry; restore the snapshot taken before the change.',
      });
      const normal = async (title: string, ciNames: string[], days: number, path: string[], extra: Record<string, unknown> = {}, changes = deps.changes) => {
        let c = await changes.create(B, CreateChangeInput.parse({
          type: 'normal', title, description: `${title}. Requested by the payments team.`, justification: 'Keeps the service supported and secure.',
          ciIds: ciNames.map((n) => ci[n]!), assignmentTeamId: platform.id, implementerId: carol.id, impact: 'medium', urgency: 'medium', priority: null, links: [], ...plan(days), ...extra,
        }));
        for (const to of path) {
          if (to === 'implement') {
            c = await deps.changes.update(A, c.id, { actualStart: at(days) });
            // Regulated changes are gated on test evidence before implementation.
            await deps.governance.addEvidence(C, c.id, {
              kind: 'test_evidence',
              title: 'Staging run of the release checklist',
              body: 'All smoke tests passed on staging; synthetic checkout green for 30 minutes.',
              url: null,
            });
          }
          if (to === 'review') c = await deps.changes.update(A, c.id, { actualEnd: at(days, 23), closeCode: 'successful' });
          if (to === 'closed') c = await deps.changes.update(A, c.id, { closeNotes: 'Completed as planned; no incidents.' });
          if (to === 'scheduled') {
            // Near the year's end the plan can fall in the year-end freeze: then the demo asks for (and grants) an exception.
            if ((await deps.schedule.conflicts(A, c.id)).items.some((x) => x.kind === 'freeze' && x.blocking)) {
              await deps.schedule.requestFreezeException(B, c.id, {
                reason: 'The change cannot wait until the freeze ends.',
                risk: 'A failure during the holidays would meet a smaller on-call team.',
                mitigation: 'Done at night with the backout rehearsed; the database team is on call.',
                acceptedBy: A.userId,
              });
            }
            await approveAll(c.id);
          }
          // Cancelling and rejecting take a reason, as they do for everyone.
          const reason = to === 'cancelled' ? 'The tenant migration moved to next quarter with the vendor contract.' : to === 'rejected' ? 'The search engine is to be replaced by the platform team next year.' : undefined;
          c = await changes.transition(to === 'assess' || to === 'cancelled' ? B : A, c.id, to, { comment: reason });
        }
        return c;
      };
      const upgrade = await normal('Upgrade PostgreSQL 15 to 16 on the payments database', ['pay-db-prod'], 9, []);
      await deps.concerns.raise(S, upgrade.id, 'That night is our month-end settlement run: can the upgrade wait a day?');
      // Submitted eight days ago and never authorized: past its time-to-schedule target (five working days).
      await normal('Rotate TLS certificates on the edge load balancer', ['lb-prod-eu1'], 5, ['assess'], {}, deps.earlier(8 * DAY).changes);
      await normal('Add read replica to the customer portal database', ['portal-db-prod'], 7, ['assess', 'authorize'], { backoutTested: true });
      await normal('Kubernetes 1.31 node pool upgrade in eu1', ['k8s-prod-eu1'], 3, ['assess', 'authorize', 'scheduled']);
      await normal('Increase payment API connection pool', ['pay-api-prod'], 0, ['assess', 'authorize', 'scheduled', 'implement']);
      const cleanup = await normal('Firewall rule cleanup on the edge', ['fw-edge-01'], -2, ['assess', 'authorize', 'scheduled', 'implement', 'review']);
      // What the cleanup broke, found the morning after: an incident tied back to it, and one still open on the payment API.
      await deps.incidents.create(C, {
        title: 'Edge firewall drops load balancer health checks', description: 'Half the edge pool marked down after the rule cleanup; restored the health-check rule.', priority: 2, state: 'resolved',
        openedAt: at(-1, 7), ciIds: [ci['fw-edge-01']!, ci['lb-prod-eu1']!], serviceId: null, causedByChangeId: cleanup.id,
      });
      const exhausted = await deps.incidents.create(C, {
        title: 'Payment API connections exhausted', description: 'Card payments time out every few hours until the pods restart.', priority: 1, state: 'in_progress',
        openedAt: at(-1, 9), ciIds: [ci['pay-api-prod']!], serviceId: pay.id, causedByChangeId: null,
      });
      // The incident makes the cleanup one to learn from: its post-implementation review, completed, with its actions.
      if (deps.reviews && (await deps.reviews.reconsider(A, cleanup.id))) {
        await deps.reviews.update(
          C,
          cleanup.id,
          {
            wentWell: 'The on-call engineer found the dropped health-check rule within 40 minutes and restored it.',
            wentBadly: 'The cleanup removed a rule the load balancer health checks rely on; nothing in the plan checked the health checks afterwards.',
            factors: ['No inventory of which rules the load balancers depend on', 'The test plan did not include the health-check path'],
          },
          1,
        );
        await deps.reviews.addAction(C, cleanup.id, { title: 'Tag every firewall rule the load balancers need, and refuse removing tagged rules', ownerId: carol.id, dueAt: at(12, 12), link: null });
        await deps.reviews.addAction(A, cleanup.id, { title: 'Add a health-check test to the firewall change template', ownerId: alice.id, dueAt: at(20, 12), link: null });
        await deps.reviews.complete(A, cleanup.id, undefined);
      }
      await normal('Nightly ETL moved to the new runner', ['etl-runner-01', 'dwh-db-01'], -10, ['assess', 'authorize', 'scheduled', 'implement', 'review', 'closed']);
      await normal('Migrate wiki to new SaaS tenant', ['wiki-saas'], 12, ['cancelled']);
      await normal('Replace portal search engine', ['portal-web-prod'], 20, ['assess', 'rejected']);

      // The catalogue: the standard change below is made from the first template.
      const patching = await deps.templates.create(sys, {
        name: 'Monthly OS patching', description: 'Apply the monthly OS patches to one server in its patch window.', type: 'standard', ciIds: [ci['etl-runner-01']!], assignmentTeamId: platform.id, active: true,
        category: 'Patching', ownerTeamId: platform.id, eligibility: { ...NO_ELIGIBILITY, environments: ['production'], requiredEvidence: ['test_evidence'] },
        fields: { title: 'Monthly OS patching of the ETL runner', description: 'Standard patch window.', implementationPlan: plan(0).implementationPlan, testPlan: plan(0).testPlan, backoutPlan: plan(0).backoutPlan, backoutTested: true, impact: 'low', urgency: 'low' },
      });
      await deps.templates.create(sys, {
        name: 'Rotate TLS certificates', description: 'Replace certificates before they expire.', type: 'normal', ciIds: [], assignmentTeamId: platform.id, active: true,
        fields: { title: 'Rotate TLS certificates on ', implementationPlan: '1. Issue the new certificate.\n2. Deploy it behind the load balancer.\n3. Check the chain from outside.', testPlan: 'openssl s_client shows the new expiry.', backoutPlan: 'Redeploy the previous certificate (valid until it expires).' },
      });
      // More of the catalogue (docs/catalogue.md): an entry in good standing, and one its failures suspended.
      await deps.templates.create(sys, {
        name: 'Restart a stuck queue consumer', description: 'Restart the consumer pods of one queue when their lag keeps growing.', type: 'standard', ciIds: [], assignmentTeamId: platform.id, active: true,
        category: 'Operations', ownerTeamId: platform.id, eligibility: { ...NO_ELIGIBILITY, environments: ['production', 'staging'], maxRisk: 'moderate', maxImpact: 10 },
        fields: { title: 'Restart the consumers of ', implementationPlan: '1. Check the lag on the queue dashboard.\n2. kubectl rollout restart the consumer deployment.\n3. Watch the lag fall for 15 minutes.', testPlan: 'The lag falls below 100 messages.', backoutPlan: 'Nothing to undo: a restart keeps the messages in the queue.', backoutTested: true, impact: 'low', urgency: 'medium' },
      });
      const cdn = await deps.templates.create(sys, {
        name: 'Purge the portal CDN cache', description: 'Purge the CDN cache of the customer portal after a content release.', type: 'standard', ciIds: [ci['portal-web-prod']!], assignmentTeamId: platform.id, active: true,
        category: 'Web', ownerTeamId: platform.id,
        fields: { title: 'Purge the portal CDN cache', description: 'Purge after the content release.', implementationPlan: '1. Purge all paths in the CDN console.\n2. Check the home page from three regions.', testPlan: 'The home page shows the new release everywhere.', backoutPlan: 'None needed: the origin serves the content.', backoutTested: true, impact: 'low', urgency: 'low' },
      });
      // Two purges that had to be rolled back (the origin could not take the load): the second suspends the entry.
      for (const days of [-9, -6]) {
        const purge = await deps.changes.create(C, CreateChangeInput.parse({
          type: 'standard', title: 'Purge the portal CDN cache', description: 'Purge after the content release.', ciIds: [ci['portal-web-prod']!], assignmentTeamId: platform.id, implementerId: carol.id,
          impact: 'low', urgency: 'low', priority: null, links: [], ...plan(days), backoutTested: true, templateId: cdn.id,
        }));
        await deps.changes.transition(C, purge.id, 'scheduled');
        await deps.changes.update(C, purge.id, { actualStart: at(days) });
        await deps.changes.transition(C, purge.id, 'implement');
        await deps.changes.update(C, purge.id, { actualEnd: at(days, 23), closeCode: 'rolled_back', closeNotes: 'The origin could not take the load of a full purge; restored the cache from the snapshot.' });
        await deps.changes.transition(C, purge.id, 'closed');
      }
      const standard = await deps.changes.create(C, CreateChangeInput.parse({
        type: 'standard', title: 'Monthly OS patching of the ETL runner', description: 'Standard patch window.', justification: '', ciIds: [ci['etl-runner-01']!],
        assignmentTeamId: platform.id, implementerId: carol.id, impact: 'low', urgency: 'low', priority: null, links: [], ...plan(4), templateId: patching.id,
      }));
      await deps.changes.transition(C, standard.id, 'scheduled');
      const emergency = await deps.changes.create(C, CreateChangeInput.parse({
        type: 'emergency', title: 'Hotfix: payment API leaking connections', description: 'Connections are exhausted every few hours.', justification: 'Card payments fail for 2% of customers.',
        ciIds: [ci['pay-api-prod']!], assignmentTeamId: platform.id, implementerId: carol.id, impact: 'high', urgency: 'high', priority: null, links: [], ...plan(0),
      }));
      await deps.changes.transition(C, emergency.id, 'authorize');
      // The cause behind the payment API incident: a problem under analysis, fixed by the hotfix, with a known
      // error whose workaround every change to the payment API shows (docs/learning.md).
      if (deps.problems) {
        const problem = await deps.problems.create(A, {
          title: 'Payment API leaks database connections under load', priority: 1, ciIds: [ci['pay-api-prod']!], serviceId: pay.id, ownerId: carol.id, teamId: platform.id,
          description: 'Connections are not returned to the pool when a card authorisation times out; the pool runs dry every few hours.',
          incidentIds: [exhausted.id], fixChangeIds: [emergency.id],
        });
        let version = problem.version;
        for (const state of ['assess', 'root_cause_analysis'] as const) {
          version = (await deps.problems.update(A, problem.id, {
            state, version, ...(state === 'root_cause_analysis' ? { rootCause: 'The timeout path of the card authorisation client skips closing its connection.' } : {}),
          })).version;
        }
        await deps.problems.createKnownError(A, {
          title: 'Payment API runs out of connections every few hours', state: 'published', ciIds: [ci['pay-api-prod']!], problemId: problem.id,
          cause: 'Timed-out card authorisations keep their database connection.',
          workaround: 'When card payments start timing out:\n1. Check the pool gauge on the payment API dashboard.\n2. Restart the pay-api pods one at a time (kubectl rollout restart deployment/pay-api).\n3. Tell the service desk the incident is a known error (link this page).',
        });
      }
      // Something for the calendar to show: Payments' Saturday-night patching and the year-end freeze.
      const year = new Date(base).getUTCFullYear();
      await deps.windows.create(sys, {
        name: 'Payments Saturday night', kind: 'maintenance', description: 'Weekly patching of the payment service.', start: `${year}-01-01T22:00`,
        timeZone: 'Europe/London', durationMinutes: 240, rrule: 'FREQ=WEEKLY;BYDAY=SA', scope: { serviceIds: [pay.id] }, urgent: false,
      });
      await deps.windows.create(sys, {
        name: 'Year-end freeze', kind: 'freeze', description: 'No changes over the holidays, 20 December to 3 January.', start: `${year}-12-20T00:00`,
        timeZone: 'Europe/London', durationMinutes: 14 * 24 * 60, rrule: 'FREQ=YEARLY', scope: { global: true }, urgent: false,
      });
      // Approved and scheduled, but its test evidence is not attached yet: the regulated-evidence gate still holds it before implementation.
      await normal('Rotate the payments database credentials', ['pay-db-prod'], 2, ['assess', 'authorize', 'scheduled']);
      // One pass of the worker: the late change is recorded as breached, and the approvers' inboxes fill.
      await deps.sla.tick();
      await deps.outbox.deliverDue('demo');
      return { loaded: true };
    },
  };
}
