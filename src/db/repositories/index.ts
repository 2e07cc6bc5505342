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
import { createGovernanceRepository } from './governance.repository';
import { createPolicyRepository } from './policy.repository';
import { createSlaRepository } from './sla.repository';
import { createWindowsRepository } from './windows.repository';
import { createScheduleRepository } from './schedule.repository';
import { createCalendarFeedsRepository } from './calendar-feeds.repository';
import { createIncidentRepository } from './incident.repository';
import { createTemplateRepository } from './template.repository';

/** Every repository, bound to one connection or transaction. */
export function createRepositories(db: Kysely<DB>, h: DialectHelpers) {
  return {
    accounts: createAccountsRepository(db, h),
    cmdb: createCmdbRepository(db, h),
    changes: createChangeRepository(db, h),
    audit: createAuditRepository(db, h),
    policy: createPolicyRepository(db, h),
    approvals: createApprovalRepository(db, h),
    sla: createSlaRepository(db, h),
    outbox: createOutboxRepository(db, h),
    notifications: createNotificationRepository(db, h),
    governance: createGovernanceRepository(db, h),
    windows: createWindowsRepository(db, h),
    schedule: createScheduleRepository(db, h),
    calendarFeeds: createCalendarFeedsRepository(db, h),
    templates: createTemplateRepository(db, h),
    incidents: createIncidentRepository(db, h),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;
export type { ChangeRecord, CommentRecord, ChangeFilter } from './change.repository';
export type { UserWithSecret, TokenRow, SessionRow } from './accounts.repository';
export type { PolicyVersionRecord } from './policy.repository';
export type { NewAuditEvent } from './audit.repository';
export type { ApprovalRecord, ApprovalState, ApproverKind, VoteRecord, PendingApprovalRow } from './approval.repository';
export type { EvidenceRecord, DelegationRecord, BreakGlassRecord } from './governance.repository';
export type { SlaClockRecord, SlaBreachRow, SlaBreachFilter, SlaMetricName } from './sla.repository';
export type { OutboxRecord } from './outbox.repository';
export type { NotificationRecord } from './notification.repository';
export type { WindowRecord, WindowScopeRecord } from './windows.repository';
export type { ConflictRecord, ConflictKind, ConflictDetail, ImpactExclusionRecord, FreezeExceptionRecord, FreezeExceptionState } from './schedule.repository';
export type { CalendarFeedRecord } from './calendar-feeds.repository';
export type { TemplateRecord } from './template.repository';
export type { IncidentRecord } from './incident.repository';
