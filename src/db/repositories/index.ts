import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';
import { createAccountsRepository } from './accounts.repository';
import { createApprovalRepository } from './approval.repository';
import { createAuditRepository } from './audit.repository';
import { createChangeRepository } from './change.repository';
import { createCmdbRepository } from './cmdb.repository';
import { createNotificationRepository } from './notification.repository';
import { createOutboxRepository } from './outbox.repository';
import { createOutboxDeliveryRepository } from './outbox-delivery.repository';
import { createGovernanceRepository } from './governance.repository';
import { createPolicyRepository } from './policy.repository';
import { createSlaRepository } from './sla.repository';
import { createWindowsRepository } from './windows.repository';
import { createScheduleRepository } from './schedule.repository';
import { createCalendarFeedsRepository } from './calendar-feeds.repository';
import { createIncidentRepository } from './incident.repository';
import { createTemplateRepository } from './template.repository';
import { createHomeRepository } from './home.repository';
import { createSavedViewRepository } from './saved-view.repository';
import { createCommunicationRepository } from './communication.repository';
import { createMailRepository } from './mail.repository';
import { createDigestRepository } from './digest.repository';
import { createWebhookRepository } from './webhook.repository';
import { createReviewRepository } from './review.repository';
import { createCatalogueLearningRepository } from './catalogue-learning.repository';
import { createProblemRepository } from './problem.repository';
import { createIntegrationRepository } from './integration.repository';
import { createGateRepository } from './gate.repository';
import { createDeploymentRepository } from './deployment.repository';
import { createBoardRepository } from './board.repository';
import { createMeetingRepository } from './meeting.repository';
import { createBoardMetricsRepository } from './board-metrics.repository';
import { MemoBus, memoizeReads, memoOf, type SharedReads } from './memo';
import { createRiskHistory } from './risk-history';

/**
 * Every repository, bound to one connection or transaction. Inside a transaction (`memo`), the reads that
 * several services repeat are answered once (memo.ts). NOTE: a read may be memoized only if nothing but its
 * own repository writes what it reads (a write through the repository forgets its memo), or it is declared
 * `foreign` on the one repository that does (the impact walk reads the CMDB's relations): the tables behind
 * these reads are written nowhere else. A group of filings shares one set (group-commit.ts), so what the
 * memo keeps across a write (`keeps`) is what lets the group's members share a read.
 */
/**
 * What a transaction's repositories may answer from reads of other transactions (database.ts): users, roles,
 * teams and their members, under the security freshness.
 */
export interface SharedCaches {
  security: Omit<SharedReads, 'reads'>;
}

/** Reads of the security tables only, answered across transactions (a board's people read its members too). */
const SHARED_ACCOUNT_READS = new Set(['findUserById', 'listTeams', 'findTeam', 'existingUserIds', 'existingTeamIds', 'userNames', 'enabledUserIds']);
const sharedAccountRead = (read: string, args: readonly unknown[]) => SHARED_ACCOUNT_READS.has(read) || (read === 'eligibleUserIds' && args[0] !== 'board');

export function createRepositories(db: Kysely<DB>, h: DialectHelpers, opts: { memo?: boolean; shared?: SharedCaches } = {}) {
  const memo = opts.memo ?? false;
  const shared = opts.shared;
  const accounts = createAccountsRepository(db, h);
  const cmdb = createCmdbRepository(db, h);
  const windows = createWindowsRepository(db, h);
  const changes = createChangeRepository(db, h);
  const templates = createTemplateRepository(db, h);
  const incidents = createIncidentRepository(db, h);
  const schedule = createScheduleRepository(db, h);
  const reviews = createReviewRepository(db, h);
  const bus = new MemoBus();
  /** Inserting a change that is not closed, or storing an assessment, cannot move the counts of closed changes. */
  const history = ['teamHistory', 'ciHistory'] as const;
  const memoChanges = memo
    ? memoizeReads(changes, history, ['findById', 'findManyByIds', 'openCountsByManager', 'risk'], {
        keeps: { nextSeq: () => history, insert: (c: { closeCode: string | null }) => (c.closeCode === null ? history : []), setRisk: () => history, setRiskOverride: () => history },
      })
    : changes;
  const memoWindows = memo ? memoizeReads(windows, ['listWindows', 'findWindow']) : windows;
  // NOTE (concurrency): windows read before the schedule's lock was taken may have been written since by the
  // writer it waited for (PostgreSQL, READ COMMITTED): taking the lock forgets them (schedule.repository.ts).
  const lockingSchedule = {
    ...schedule,
    async lockSchedule(mode: 'shared' | 'exclusive'): Promise<boolean> {
      const took = await schedule.lockSchedule(mode);
      if (took) memoOf(memoWindows)?.forget();
      return took;
    },
  };
  const memoIncidents = memo ? memoizeReads(incidents, ['countOnCisSince']) : incidents;
  // The learning facts of a filing's risk context: asked by routing, then by the assessment (risk.service.ts).
  // NOTE: they count the reviews of other changes, which a transaction that writes a change does not touch.
  const memoReviews = memo ? memoizeReads(reviews, ['learningOn'], ['findByChange', 'actions', 'queue', 'overdueUnnotified', 'incidentsCausedBy', 'findProblem', 'problemsByIds']) : reviews;
  return {
    accounts: memo
      ? memoizeReads(accounts, ['findUserById', 'listTeams', 'findTeam', 'existingUserIds', 'existingTeamIds', 'userNames', 'eligibleUserIds', 'enabledUserIds'], ['findUserByEmail'], {
          shared: shared && { ...shared.security, reads: sharedAccountRead },
        })
      : accounts,
    cmdb: memo ? memoizeReads(cmdb, ['findCisByIds', 'findServicesByIds', 'findCi', 'findService'], ['findCisByNames', 'findRelation', 'findRelationById'], { name: 'cmdb', bus }) : cmdb,
    changes: memoChanges,
    audit: createAuditRepository(db, h),
    policy: createPolicyRepository(db, h),
    approvals: createApprovalRepository(db, h),
    sla: createSlaRepository(db, h),
    outbox: createOutboxRepository(db, h),
    deliveries: createOutboxDeliveryRepository(db, h),
    notifications: createNotificationRepository(db, h),
    governance: createGovernanceRepository(db, h),
    windows: memoWindows,
    schedule: memo ? memoizeReads(lockingSchedule, ['freezeExceptionsOf', 'edgesWithin'], [], { bus, foreign: { edgesWithin: 'cmdb' } }) : schedule,
    calendarFeeds: createCalendarFeedsRepository(db, h),
    templates: memo ? memoizeReads(templates, ['findById', 'historyOf']) : templates,
    incidents: memoIncidents,
    home: createHomeRepository(db, h),
    savedViews: createSavedViewRepository(db, h),
    communication: createCommunicationRepository(db, h),
    mail: createMailRepository(db, h),
    digests: createDigestRepository(db, h),
    webhooks: createWebhookRepository(db, h),
    reviews: memoReviews,
    // The history facts of a risk context, asked as one statement and remembered in the memos above.
    riskHistory: createRiskHistory(db, h, { changes: memoChanges, incidents: memoIncidents, reviews: memoReviews }),
    catalogueLearning: createCatalogueLearningRepository(db, h),
    problems: createProblemRepository(db, h),
    deployments: createDeploymentRepository(db, h),
    integrations: createIntegrationRepository(db, h),
    gate: createGateRepository(db, h),
    boards: createBoardRepository(db, h),
    meetings: createMeetingRepository(db, h),
    boardMetrics: createBoardMetricsRepository(db, h),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;
export type { ChangeRecord, CommentRecord, ChangeFilter, ChangeSort, ListedChange } from './change.repository';
export type { UserWithSecret, TokenRow, SessionRow } from './accounts.repository';
export type { PolicyVersionRecord } from './policy.repository';
export type { NewAuditEvent } from './audit.repository';
export type { ApprovalRecord, ApprovalState, ApproverKind, VoteRecord, PendingApprovalRow } from './approval.repository';
export type { EvidenceRecord, DelegationRecord, BreakGlassRecord } from './governance.repository';
export type { SlaClockRecord, SlaBreachRow, SlaBreachFilter, SlaMetricName } from './sla.repository';
export type { OutboxRecord } from './outbox.repository';
export type { DeliveryRecord } from './outbox-delivery.repository';
export type { NotificationRecord } from './notification.repository';
export type { WindowRecord, WindowScopeRecord } from './windows.repository';
export type { ConflictRecord, ConflictKind, ConflictDetail, ImpactExclusionRecord, FreezeExceptionRecord, FreezeExceptionState } from './schedule.repository';
export type { CalendarFeedRecord } from './calendar-feeds.repository';
export type { TemplateRecord } from './template.repository';
export type { IncidentRecord } from './incident.repository';
export type { SavedViewRecord } from './saved-view.repository';
export type { SubscriptionRecord, SubscriptionTargetKind, ConcernRecord } from './communication.repository';
export type { MailContact } from './mail.repository';
export type { DigestReader } from './digest.repository';
export type { WebhookRecord } from './webhook.repository';
export type { ReviewRecord, ReviewActionRecord, QueuedReview, LearningScope } from './review.repository';
export type { CatalogueReviewRecord, ReclassificationRecord, ReviewableEntry, ClosedNormalChange } from './catalogue-learning.repository';
export type { ProblemRecord, KnownErrorRecord, KnownErrorOnCis } from './problem.repository';
export type { DeploymentRecord, UnauthorizedRecord, DoraScope } from './deployment.repository';
export type { IntegrationSettingsRecord, SealedSecret, GateRequestRecord, ArgocdHoldRecord } from './integration.repository';
export type { GateCheckRecord, GateReasonRecord, GateCheckKey } from './gate.repository';
export type { BoardRecord, BoardMemberRecord, BoardFilter } from './board.repository';
export type { MeetingRecord, AgendaEditRecord, DecisionRecord, DecisionQuorum, ConditionRecord } from './meeting.repository';
export type { RiskHistory, RiskHistoryQuery } from './risk-history';
