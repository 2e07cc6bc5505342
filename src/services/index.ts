import { createAccountsService } from './accounts.service';
import { createApprovalService } from './approval.service';
import { createAuditService } from './audit.service';
import { createAuthService } from './auth.service';
import { createPasswordHasher } from './password';
import { createCalendarService } from './calendar.service';
import { createCalendarFeedsService } from './calendar-feeds.service';
import { createBootstrapService } from './bootstrap.service';
import { createChangeService, type ChangeService } from './change.service';
import { createCmdbService } from './cmdb.service';
import type { ServiceDeps } from './context';
import { createDemoService, type DemoPastServices } from './demo.service';
import { createGovernanceService } from './governance.service';
import { createPolicyPreviewService } from './policy-preview.service';
import { createPolicyService } from './policy.service';
import { createRiskService } from './risk.service';
import { createNotificationService } from './notification.service';
import { createOutboxService } from './outbox.service';
import { createDeliveryService } from './delivery.service';
import { createRoutingService } from './routing.service';
import { createSlaService } from './sla.service';
import { createWindowsService } from './windows.service';
import { createScheduleService } from './schedule.service';
import { createTemplateService } from './template.service';
import { createCatalogueService } from './catalogue.service';
import { createCatalogueReviewService } from './catalogue-review.service';
import { createCataloguePromotionService } from './catalogue-promotion.service';
import { createReclassificationService } from './reclassification.service';
import { createIncidentService } from './incident.service';
import { createProblemService } from './problem.service';
import { createNoticeMail } from './notice-mail.service';
import { createHomeService } from './home.service';
import { createSearchService } from './search.service';
import { createSavedViewService } from './saved-view.service';
import { createSubscriptionService } from './subscription.service';
import { createConcernService } from './concern.service';
import { createMailService, type MailSettings } from './mail.service';
import { createExternalAddressService } from './external-address.service';
import { createDigestService } from './digest.service';
import { createConcernLinkService } from './concern-link.service';
import { createWebhookService, type WebhookSettings } from './webhook.service';
import { createReviewService } from './review.service';
import { createGateService } from './gate.service';
import { createDeploymentService } from './deployment.service';
import { createIntegrationSettingsService } from './integration-settings.service';
import { createGitHubService } from './github.service';
import { createGitLabService } from './gitlab.service';
import { createArgoCdService } from './argocd.service';
import { createUnauthorizedChangeService } from './unauthorized-change.service';
import { createDoraService } from './dora.service';
import { createBoardService } from './board.service';
import { createConditionChecks } from './conditions';
import { createMeetingService } from './meeting.service';
import { createBoardMetricsService } from './board-metrics.service';

export interface ServicesOptions {
  sessionHours: number;
  /** Attempts before an outbox item becomes a dead letter (CABINET_OUTBOX_MAX_ATTEMPTS). */
  outboxMaxAttempts?: number;
  /** Email over SMTP (CABINET_SMTP_URL, CABINET_MAIL_FROM); absent or null: none is sent. */
  mail?: MailSettings | null;
  /** Outbound webhooks: CABINET_WEBHOOK_ALLOW_PRIVATE and the origin of their links; absent: private targets refused, links relative to localhost. */
  webhooks?: WebhookSettings;
  /** CABINET_GITHUB_API_URL: the GitHub API the GitHub App calls when its settings name none; default https://api.github.com. */
  githubApiUrl?: string;
  /** log2 of scrypt's N for new password hashes (CABINET_PASSWORD_HASH_COST); absent: the default, 15. */
  passwordHashCost?: number;
}

/** Wires every service to one store, clock and id source. */
export function createServices(deps: ServiceDeps, opts: ServicesOptions) {
  const passwords = createPasswordHasher(opts.passwordHashCost);
  const accounts = createAccountsService(deps, passwords);
  const policy = createPolicyService({ ...deps, accounts });
  const auth = createAuthService(deps, { sessionHours: opts.sessionHours, passwords });
  const outbox = createOutboxService(deps, { maxAttempts: opts.outboxMaxAttempts });
  const risk = createRiskService({ ...deps, policy, outbox });
  const policyPreview = createPolicyPreviewService({ ...deps, policy, risk });
  // Subscriptions come first: the schedule's lockdowns and the windows' freezes are told to their audience.
  const mail = createMailService(deps, opts.mail ?? null);
  const webhooks = createWebhookService({ ...deps, outbox }, opts.webhooks ?? { allowPrivate: false, origin: 'http://localhost:8080' });
  const subscriptions = createSubscriptionService({ ...deps, policy, outbox, mail, webhooks });
  // Approval requests, reminders and escalations, shared workarounds and resolved problems are emailed to those who got them in Cabinet.
  createNoticeMail({ ...deps, outbox, mail });
  const schedule = createScheduleService({ ...deps, policy, outbox, subscriptions });
  const cmdb = createCmdbService({ ...deps, policy, risk, schedule });
  const notifications = createNotificationService(deps);
  const sla = createSlaService({ ...deps, risk, outbox, policy });
  const governance = createGovernanceService({ ...deps, policy, risk, outbox });
  const approvals = createApprovalService({ ...deps, policy, risk, sla, governance, schedule, outbox });
  const routing = createRoutingService({ ...deps, risk });
  const problems = createProblemService({ ...deps, outbox });
  const reviews = createReviewService({ ...deps, policy, risk, outbox, subscriptions });
  // The standard change catalogue's checks, score and suspension: called by filings, moves and incidents.
  const catalogue = createCatalogueService({ ...deps, policy, risk, schedule, outbox });
  const conditions = createConditionChecks({ risk });
  const changes = createChangeService({ ...deps, policy, risk, approvals, routing, sla, governance, schedule, outbox, subscriptions, problems, reviews, catalogue, conditions });
  const deliveries = createDeliveryService({ ...deps, changes });
  const templates = createTemplateService({ ...deps, changes, catalogue, policy });
  // The deployment gate: pipelines ask it before they deploy; it opens and starts their changes (docs/pipelines.md).
  const gate = createGateService({ ...deps, policy, changes, templates, approvals, schedule, outbox });
  // A change whose approval came with conditions does not go out until they are met (docs/cab.md#decisions).
  gate.addConditionSource(async (repos, change, active) => (await conditions.unmet(repos, change, active)).map((c) => ({ id: c.id, label: c.text })));
  // Deployments on record, the unauthorized ones and DORA (docs/deployments.md, docs/dora.md).
  const unauthorizedChanges = createUnauthorizedChangeService({ ...deps, outbox });
  const deployments = createDeploymentService({ ...deps, policy, changes, unauthorized: unauthorizedChanges, gate });
  const dora = createDoraService({ ...deps, policy });
  // Change advisory boards: the CABs, the ECAB and the technical boards (docs/cab.md).
  const boards = createBoardService(deps);
  // Their meetings: agendas, decisions with conditions, minutes (docs/cab.md#meetings).
  const meetings = createMeetingService({ ...deps, policy, risk, approvals, outbox, conditions, schedule });
  // The boards' own figures (docs/cab.md#the-boards-figures).
  const boardMetrics = createBoardMetricsService(deps);
  // GitHub App, GitLab and Argo CD (docs/integrations.md): they ask the gate, answer the forges and record deployments.
  const integrations = createIntegrationSettingsService(deps, { githubApiUrl: opts.githubApiUrl ?? 'https://api.github.com' });
  const github = createGitHubService({ ...deps, settings: integrations, approvals, gate, deployments });
  const gitlab = createGitLabService({ ...deps, settings: integrations, approvals, gate, deployments });
  const argocd = createArgoCdService({ ...deps, settings: integrations, deployments });
  // The catalogue that learns: periodic reviews (a worker step), promotion candidates, reclassifications.
  const catalogueReviews = createCatalogueReviewService({ ...deps, policy, outbox, templates, catalogue });
  const cataloguePromotion = createCataloguePromotionService({ ...deps, policy, changes, templates });
  const reclassifications = createReclassificationService({ ...deps, changes });
  const incidents = createIncidentService({ ...deps, policy, risk, catalogue, reviews });
  const concerns = createConcernService({ ...deps, policy, outbox, subscriptions, incidents });
  // Quiet hours, digests, external addresses and the concern link of every email (0024).
  const externalAddresses = createExternalAddressService({ ...deps, outbox, mail });
  const digests = createDigestService({ ...deps, outbox, policy, subscriptions, mail });
  const concernLinks = createConcernLinkService({ ...deps, mail, concerns });
  const auditTrail = createAuditService(deps);
  const windows = createWindowsService({ ...deps, policy, risk, schedule, subscriptions });
  const calendar = createCalendarService({ ...deps, windows, policy, schedule, subscriptions });
  const calendarFeeds = createCalendarFeedsService({ ...deps, calendar, policy });
  const bootstrap = createBootstrapService({ ...deps, accounts, auth });
  const home = createHomeService({ ...deps, policy, approvals, windows, schedule });
  const search = createSearchService({ ...deps, policy, subscriptions });
  const savedViews = createSavedViewService(deps);
  // The demo files one change through a copy of the services whose clock runs days behind, so that the SLA
  // report has a breach to show from the first start; and holds the CAB's past meetings through a copy on a
  // clock it moves itself.
  const demo = createDemoService({
    ...deps, accounts, cmdb, changes, approvals, sla, outbox, governance, windows, schedule, templates, incidents, subscriptions, concerns, meetings,
    earlier: (ms: number): { changes: ChangeService } => createServices({ ...deps, now: () => new Date(deps.now().getTime() - ms) }, opts),
    past: (now: () => Date): DemoPastServices => createServices({ ...deps, now }, opts),
    reviews,
    problems,
  });
  return { policy, policyPreview, governance, auth, accounts, cmdb, changes, approvals, risk, audit: auditTrail, bootstrap, demo, sla, outbox, notifications, windows, calendar, calendarFeeds, schedule, templates, catalogue, incidents, problems, home, search, savedViews, subscriptions, concerns, deliveries, mail, webhooks, externalAddresses, digests, concernLinks, catalogueReviews, cataloguePromotion, reclassifications, reviews, gate, deployments, unauthorizedChanges, dora, integrations, github, gitlab, argocd, boards, meetings, boardMetrics };
}
export type Services = ReturnType<typeof createServices>;
export type { ServiceDeps } from './context';
