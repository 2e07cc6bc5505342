import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB } from '../schema';
import { createAccountsRepository } from './accounts.repository';
import { createApprovalRepository } from './approval.repository';
import { createAuditRepository } from './audit.repository';
import { createChangeRepository } from './change.repository';
import { createCmdbRepository } from './cmdb.repository';
import { createPolicyRepository } from './policy.repository';

/** Every repository, bound to one connection or transaction. */
export function createRepositories(db: Kysely<DB>, h: DialectHelpers) {
  return {
    accounts: createAccountsRepository(db, h),
    cmdb: createCmdbRepository(db, h),
    changes: createChangeRepository(db, h),
    audit: createAuditRepository(db, h),
    policy: createPolicyRepository(db, h),
    approvals: createApprovalRepository(db, h),
  };
}
export type Repositories = ReturnType<typeof createRepositories>;
export type { ChangeRecord, CommentRecord, ChangeFilter } from './change.repository';
export type { UserWithSecret, TokenRow, SessionRow } from './accounts.repository';
export type { PolicyVersionRecord } from './policy.repository';
export type { NewAuditEvent } from './audit.repository';
export type { ApprovalRecord, ApprovalState, ApproverKind, VoteRecord, PendingApprovalRow } from './approval.repository';
