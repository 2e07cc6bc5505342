import { ChangeListQuery, CreateChangeInput } from '../contracts/change';
import { MeetingListQuery, type DecisionRequest, type Meeting } from '../contracts/meetings';
import { occurrences } from '../domain/schedule/windows';
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
import type { BoardService } from './board.service';
import type { MeetingService } from './meeting.service';
import type { RiskService } from './risk.service';

/** Every demo person signs in with this password (documented in the README; demo data only). */
export const DEMO_PASSWORD = 'demo-password-1';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** The services on a clock the demo sets itself: its CAB's past meetings are held, step by step, through them. */
export interface DemoPastServices {
  changes: ChangeService;
  approvals: ApprovalService;
  risk: Pick<RiskService, 'override'>;
  boards: Pick<BoardService, 'create'>;
  meetings: MeetingService;
  reviews: Pick<ReviewService, 'get' | 'update' | 'complete'>;
}

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
    /** The services on the clock `now`, which the demo moves through the CAB's past meetings. */
    past: (now: () => Date) => DemoPastServices;
    /** The boards' meetings: the demo makes the next one of its weekly CAB as the worker would. */
    meetings: Pick<MeetingService, 'makeRecurring'>;
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
      const grace = await person('grace@example.com', 'Grace Hopper (compliance)', ['approver'], [compliance.id]);
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
      // The change advisory boards (docs/cab.md). The Retail CAB meets on Tuesdays at 14:00 London time and decides
      // the web shop's normal changes of high risk; the Retail ECAB its emergencies, by votes within the hour. Both
      // scopes take only the web shop (its `retail` tag), so every other change keeps going to the cab and ecab
      // teams. Its two last meetings were held through the services on a clock the demo moves (each member checks
      // in, each item is discussed, timed and decided, the minutes written), and its next one has an agenda.
      const changeAdvisoryBoards = async () => {
        const shop = await svc('Web Shop', 2, payments.id, ['retail'], 'aws', 'The online shop: catalogue, search, cart and checkout.');
        for (const [name, criticality] of [['shop-web-prod', 'critical'], ['shop-cart-prod', 'high'], ['shop-search-prod', 'high'], ['shop-media-prod', 'medium']] as const) {
          ci[name] = (await deps.cmdb.createCi(sys, { name, type: 'application', environment: 'production', serviceId: shop.id, criticality, tags: [], ownerTeamId: payments.id, attributes: { region: 'eu-west-1' } })).id;
        }
        await rel('shop-web-prod', 'depends_on', 'shop-cart-prod');
        await rel('shop-web-prod', 'depends_on', 'shop-search-prod');
        const [D, F, G] = [approvers[1]!, approvers[2]!, await asUser(grace.id)];
        const people = new Map([A, D, F, G].map((p) => [p.userId, p]));
        let clock = base;
        const past = deps.past(() => new Date(clock));
        /** The services with their clock at `ms`. */
        const on = (ms: number) => {
          clock = ms;
          return past;
        };
        const iso = (ms: number) => new Date(ms).toISOString();
        // The last two Tuesdays at least four days ago, so that what they approved has been carried out since.
        const weekly = { start: `${year - 1}-01-01T14:00`, timeZone: 'Europe/London', rrule: 'FREQ=WEEKLY;BYDAY=TU', durationMinutes: 60 };
        const [t1, t2] = occurrences(weekly, new Date(base - 25 * DAY), new Date(base - 4 * DAY))
          .map((o) => o.start.getTime())
          .filter((t) => t <= base - 4 * DAY)
          .slice(-2) as [number, number];
        const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: weekly.timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
        const board = await on(t1 - 8 * DAY).boards.create(A, {
          name: 'Retail CAB',
          kind: 'cab',
          description: 'The weekly CAB of the retail business: decides the normal changes of high and very high risk to the web shop, on Tuesdays at 14:00 London time.',
          members: [
            { userId: alice.id, domains: ['change-management'] },
            { userId: dave.id, domains: ['database'] },
            { userId: frank.id, domains: ['security', 'network'] },
            { userId: grace.id, domains: ['compliance'] },
          ],
          scope: 'change.type != "standard" && "retail" in change.tags',
          quorum: { minMembers: 3, requiredDomains: ['security'] },
          chairRule: 'round_robin',
          recurrence: { ...weekly, start: `${localDate.format(t1)}T14:00`, daysAhead: 7, holidays: [] },
        });
        await past.boards.create(A, {
          name: 'Retail ECAB',
          kind: 'ecab',
          description: 'Decides the web shop’s emergency changes by the votes of its members, within the hour, without a meeting.',
          members: [
            { userId: alice.id, domains: ['change-management'] },
            { userId: dave.id, domains: ['database'] },
            { userId: frank.id, domains: ['security'] },
          ],
          scope: '"retail" in change.tags',
          quorum: { minMembers: 2, requiredDomains: [] },
          responseMinutes: 60,
        });

        // Each change is planned for 22:00 UTC like the demo's others, on a night Carol implements nothing else. They
        // are the Payments team's (the shop's owners): closing them leaves the history of Platform's changes, and so
        // the risk of those above, as it was.
        const taken = new Set((await deps.changes.list(A, ChangeListQuery.parse({ limit: 100 }))).items.flatMap((c) => (c.plannedStart ? [Math.floor(Date.parse(c.plannedStart) / DAY)] : [])));
        const night = (from: number, lastDay = Number.POSITIVE_INFINITY) => {
          let day = Math.floor(from / DAY);
          while (taken.has(day) && day < lastDay) day++;
          taken.add(day);
          return day * DAY + 22 * HOUR;
        };
        const yesterday = Math.floor(base / DAY) - 1;
        /** Bob files a change to the web shop; Alice judges its risk and asks for its authorization: it awaits the board. */
        const file = async (at: number, title: string, ciName: string, start: number, level: 'high' | 'very_high', why: string, extra: Record<string, unknown> = {}) => {
          const c = await on(at).changes.create(B, CreateChangeInput.parse({
            type: 'normal', title, description: `${title}. Requested by the retail team.`, justification: 'Keeps the web shop fast and supported through the peak season.',
            ciIds: [ci[ciName]!], assignmentTeamId: payments.id, implementerId: carol.id, impact: 'medium', urgency: 'medium', priority: null, links: [],
            ...plan(0), plannedStart: iso(start), plannedEnd: iso(start + HOUR), ...extra,
          }));
          await past.changes.transition(B, c.id, 'assess');
          await on(at + 2 * HOUR).risk.override(A, c.id, { level, justification: why });
          await past.changes.transition(A, c.id, 'authorize');
          return c;
        };
        /** An approved change is scheduled, carried out at its planned time and closed. */
        const carryOut = async (changeId: string, scheduledAt: number, start: number) => {
          if ((await deps.schedule.conflicts(A, changeId)).items.some((x) => x.kind === 'freeze' && x.blocking)) {
            await deps.schedule.requestFreezeException(B, changeId, {
              reason: 'The web shop change cannot wait until the freeze ends.',
              risk: 'A failure during the holidays would meet a smaller on-call team.',
              mitigation: 'Done at night with the backout rehearsed.',
              acceptedBy: A.userId,
            });
            await approveAll(changeId);
          }
          await on(scheduledAt).changes.transition(A, changeId, 'scheduled');
          await on(start).changes.update(A, changeId, { actualStart: iso(start) });
          await past.changes.transition(A, changeId, 'implement');
          await on(start + HOUR).changes.update(A, changeId, { actualEnd: iso(start + HOUR), closeCode: 'successful' });
          await past.changes.transition(A, changeId, 'review');
          await on(Math.min(start + 12 * HOUR, base - 30 * MINUTE)).changes.update(A, changeId, { closeNotes: 'Completed as planned; no incidents.' });
          await past.changes.transition(A, changeId, 'closed');
        };
        /** The meeting of the board that starts at `start`, made by the recurrence as the worker makes it. */
        const meetingAt = async (start: number): Promise<Meeting> =>
          (await past.meetings.list(A, MeetingListQuery.parse({ boardId: board.id, from: iso(start), to: iso(start + MINUTE) })))[0]!;
        /**
         * Holds a meeting: those present check themselves in, the chair starts it, discusses each item for its
         * minutes and decides it, writes the notes and ends it (the minutes are written then).
         */
        const hold = async (m: Meeting, present: Actor[], absent: Actor[], items: { changeId: string; minutes: number; decision: DecisionRequest }[], notes: string) => {
          const start = Date.parse(m.start);
          const chair = people.get(m.chair!.userId)!;
          on(start - 3 * MINUTE);
          for (const p of present) await past.meetings.setAttendance(p, m.id, { attendees: [{ userId: p.userId, present: true }] });
          if (absent.length > 0) await past.meetings.setAttendance(A, m.id, { attendees: absent.map((p) => ({ userId: p.userId, present: false })) });
          await on(start + 2 * MINUTE).meetings.start(chair, m.id);
          let t = start + 3 * MINUTE;
          const decided = [];
          for (const item of items) {
            await on(t).meetings.setCurrent(chair, m.id, item.changeId);
            t += item.minutes * MINUTE;
            decided.push(await on(t).meetings.decide(chair, m.id, item.changeId, item.decision));
          }
          await on(t + MINUTE).meetings.update(chair, m.id, { notes });
          await on(t + 2 * MINUTE).meetings.end(chair, m.id);
          return decided;
        };

        // A week before the first meeting the worker made it; the day before, three changes came to the board.
        await on(t1 - 7 * DAY + MINUTE).meetings.makeRecurring();
        const checkout = await file(t1 - 27 * HOUR, 'Move the web shop checkout to the new cart service', 'shop-cart-prod', night(t1 + 2 * DAY), 'high', 'Checkout is where the shop earns its money: the Retail CAB must see this move.', { backoutTested: true });
        const search = await file(t1 - 26 * HOUR, 'Rebuild the web shop search index on the new cluster', 'shop-search-prod', night(t2 + 2 * DAY, yesterday), 'high', 'Search is down while the index rebuilds: the board must weigh the window.');
        const media = await file(t1 - 25 * HOUR, 'Retire the legacy product image service', 'shop-media-prod', night(t1 + 5 * DAY), 'high', 'Every product page shows these images: the board must see the retirement.', {
          backoutPlan: 'None: the old images are deleted with the service.',
        });
        const first = await meetingAt(t1);
        // As the first meeting starts, the worker makes the next one (a week ahead): the deferral goes there.
        await on(t1 + MINUTE).meetings.makeRecurring();
        const second = await meetingAt(t2);
        const [withConditions] = await hold(first, [A, D, F], [G], [
          {
            changeId: checkout.id, minutes: 12,
            decision: {
              decision: 'approve_with_conditions', rationale: 'A sound plan with a tested backout, but the new cart service has never carried the peak load.',
              conditions: [{ text: 'Load-test the new cart service at twice the Black Friday peak before the window', dueAt: iso(Date.parse(checkout.plannedStart!) - 6 * HOUR), verifier: dave.id }],
            },
          },
          {
            changeId: search.id, minutes: 18,
            decision: { decision: 'defer', deferTo: second.id, rationale: 'Nobody knows how long the rebuild takes on production data: time it on a copy and bring the figure to next week’s meeting.' },
          },
          {
            changeId: media.id, minutes: 7,
            decision: { decision: 'reject', rationale: 'The backout cannot bring deleted images back. Come back with a plan that keeps a copy until the new image service has run for a month.' },
          },
        ], 'Grace sent her apologies: nothing on the agenda needed compliance. The search team brings the rebuild timing next week.');
        await on(t1 + 3 * HOUR).changes.transition(A, media.id, 'rejected', { comment: 'Rejected by the Retail CAB: the backout cannot restore deleted images.' });
        await on(t1 + 20 * HOUR).meetings.verifyCondition(D, checkout.id, withConditions!.conditions[0]!.id, 'Load test passed at 2.3 times the Black Friday peak; p99 under 300 ms.');
        await carryOut(checkout.id, t1 + 21 * HOUR, Date.parse(checkout.plannedStart!));

        // Two days after the first meeting, card payments fail on the web shop at night: Bob files an emergency
        // rollback, the Retail ECAB is convened and two of its members approve it by their votes within the hour
        // (no meeting), and Carol carries it out. The ECAB's figures show its response against its SLA.
        const failedAt = Math.floor((t1 + 2 * DAY) / DAY) * DAY + 3 * HOUR;
        const rollback = await on(failedAt).changes.create(B, CreateChangeInput.parse({
          type: 'emergency', title: 'Roll back the web shop payment page after card errors',
          description: 'Since the 02:40 release, one card payment in five fails on the web shop with a gateway timeout.',
          justification: 'Customers cannot pay: every minute loses orders.', ciIds: [ci['shop-web-prod']!], assignmentTeamId: payments.id, implementerId: carol.id,
          impact: 'high', urgency: 'high', priority: null, links: [], plannedStart: iso(failedAt + 30 * MINUTE), plannedEnd: iso(failedAt + 90 * MINUTE),
          implementationPlan: '1. Redeploy the previous front-end image.\n2. Watch the card success rate for 15 minutes.',
          testPlan: 'Synthetic checkout with a test card passes; card success rate back above 99 %.',
          backoutPlan: 'Deploy the current image again (the failing one), if the rollback makes things worse.',
        }));
        await on(failedAt + 4 * MINUTE).changes.transition(B, rollback.id, 'authorize');
        const convened = (await past.approvals.listForChange(A, rollback.id)).find((a) => a.approver.kind === 'board' && a.state === 'pending');
        if (convened) {
          await on(failedAt + 14 * MINUTE).approvals.decide(D, convened.id, { decision: 'approve', comment: 'The previous image ran for three weeks without a card error: roll back.' });
          await on(failedAt + 23 * MINUTE).approvals.decide(F, convened.id, { decision: 'approve', comment: 'Agreed; keep the failing image for the post-incident review.' });
        }
        if ((await past.approvals.listForChange(A, rollback.id)).every((a) => a.state !== 'pending')) {
          await on(failedAt + 30 * MINUTE).changes.update(A, rollback.id, { actualStart: iso(failedAt + 30 * MINUTE) });
          await past.changes.transition(A, rollback.id, 'implement');
          await on(failedAt + 70 * MINUTE).changes.update(A, rollback.id, { actualEnd: iso(failedAt + 70 * MINUTE), closeCode: 'successful' });
          await past.changes.transition(A, rollback.id, 'review');
          // An emergency is reviewed before it closes: the findings, then the review completed.
          const review = await on(failedAt + 9 * HOUR).reviews.get(A, rollback.id);
          await past.reviews.update(A, rollback.id, {
            wentWell: 'The ECAB answered in 23 minutes at night; card payments recovered 12 minutes after the rollback.',
            wentBadly: 'The 02:40 release reached production without a payment test against the card gateway.',
            factors: ['The release pipeline has no synthetic card payment before the traffic switch'],
          }, review.version);
          await past.reviews.complete(A, rollback.id, undefined);
          await on(failedAt + 10 * HOUR).changes.update(A, rollback.id, { closeNotes: 'Card payments back to normal 12 minutes after the rollback; the release is fixed separately.' });
          await past.changes.transition(A, rollback.id, 'closed');
        }

        // The second meeting: the deferred rebuild comes back with its timing, and one more change.
        const http3 = await file(t2 - 27 * HOUR, 'Serve the web shop over HTTP/3', 'shop-web-prod', night(t2 + DAY, yesterday), 'high', 'Every page of the shop goes through the front end: the Retail CAB must see it.', { backoutTested: true });
        await hold(second, [A, D, F, G], [], [
          { changeId: search.id, minutes: 9, decision: { decision: 'approve', rationale: 'The rebuild took 38 minutes on a copy of production, well inside the window; the old index stays until the new one is checked.' } },
          { changeId: http3.id, minutes: 6, decision: { decision: 'approve', rationale: 'Routine: the load balancer falls back to HTTP/2 by itself, and the backout was rehearsed on staging.' } },
        ], 'The search team presented the rebuild timing: 38 minutes on a copy of production.');
        await carryOut(http3.id, t2 + 21 * HOUR, Date.parse(http3.plannedStart!));
        await carryOut(search.id, t2 + 22 * HOUR, Date.parse(search.plannedStart!));

        // The next meeting, made as the worker makes it, and two changes filed today for its agenda (implementer to
        // be named once approved). Frank has voted on one ahead of the meeting.
        await deps.meetings.makeRecurring();
        const next = occurrences(weekly, new Date(base), new Date(base + 8 * DAY)).find((o) => o.start.getTime() > base)!.start.getTime();
        const node = await file(base - 5 * HOUR, 'Upgrade the web shop front end to Node.js 22', 'shop-web-prod', night(next + 2 * DAY), 'high', 'A runtime upgrade under every page of the shop: the Retail CAB must see it.', { implementerId: null, backoutTested: true });
        await file(base - 4 * HOUR, 'Move the web shop carts to the new cache cluster', 'shop-cart-prod', night(next + 3 * DAY), 'very_high', 'Every open cart moves: a failure empties the customers’ carts in the peak season.', { implementerId: null });
        const vote = (await on(base - HOUR).approvals.listForChange(A, node.id)).find((a) => a.approver.kind === 'board' && a.state === 'pending');
        if (vote) await past.approvals.decide(F, vote.id, { decision: 'approve', comment: 'Read the pre-read: going back to Node.js 20 is one image tag away.' });
      };
      await changeAdvisoryBoards();
      // One pass of the worker: the late change is recorded as breached, and the approvers' inboxes fill.
      await deps.sla.tick();
      await deps.outbox.deliverDue('demo');
      return { loaded: true };
    },
  };
}
