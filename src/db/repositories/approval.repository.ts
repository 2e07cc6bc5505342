import type { QuorumKind } from '../../domain/approval/quorum';
import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { ApprovalsTable, DB } from '../schema';

export type ApprovalState = 'waiting' | 'pending' | 'approved' | 'rejected' | 'withdrawn';
/** Who decides an approval: a team, a role, a person, or a change advisory board (issue 15). */
export type ApproverKind = 'team' | 'role' | 'user' | 'board';

/** One approval a change needs: which rule asked for it, who decides, how many must agree, and its state. */
export interface ApprovalRecord {
  id: string;
  changeId: string;
  stage: string;
  stageOrder: number;
  stageLabel: string;
  rule: string;
  approverKind: ApproverKind;
  /** Team id, role name or user id. */
  approverRef: string;
  /** Team handle, role name or email, for display. */
  approverLabel: string;
  quorumKind: QuorumKind;
  quorumValue: number | null;
  state: ApprovalState;
  dueAt: string | null;
  escalateKind: string | null;
  escalateRef: string | null;
  reason: string;
  policyVersion: number;
  createdAt: string;
  decidedAt: string | null;
  /** When the worker escalated it past its due time; from then on its escalation target may decide it too. */
  escalatedAt: string | null;
  /** The fingerprint of the change's material content this approval was requested for (null before 0012). */
  contentHash: string | null;
  /** Why it was withdrawn (its rule no longer applies, the change was edited, cancelled…). */
  closedReason: string | null;
}

export interface VoteRecord {
  id: string;
  approvalId: string;
  userId: string;
  userName: string;
  decision: 'approve' | 'reject';
  comment: string;
  createdAt: string;
  /** The person the voter decided for, under a delegation; their vote counts as that person's. */
  onBehalfOf: string | null;
  onBehalfOfName: string | null;
  /** The fingerprint of the content the vote was cast on. */
  contentHash: string | null;
  /** Set when the change's content moved on after the vote: it no longer counts. */
  supersededAt: string | null;
  /** Set when the voter (or the person voted for) became a party to the change: it no longer counts. */
  voidedAt: string | null;
  /** Why it no longer counts. */
  endedReason: string | null;
}

/** A pending approval with the change it belongs to, for someone's to-do list. */
export interface PendingApprovalRow extends ApprovalRecord {
  changeNumber: string;
  changeTitle: string;
  requesterId: string;
  ownerId: string | null;
  implementerId: string | null;
}

export function createApprovalRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: ApprovalsTable): ApprovalRecord => ({
    id: r.id,
    changeId: r.change_id,
    stage: r.stage,
    stageOrder: Number(r.stage_order),
    stageLabel: r.stage_label,
    rule: r.rule,
    approverKind: r.approver_kind as ApproverKind,
    approverRef: r.approver_ref,
    approverLabel: r.approver_label,
    quorumKind: r.quorum_kind as ApprovalRecord['quorumKind'],
    quorumValue: r.quorum_value === null ? null : Number(r.quorum_value),
    state: r.state as ApprovalState,
    dueAt: h.readInstant(r.due_at),
    escalateKind: r.escalate_kind,
    escalateRef: r.escalate_ref,
    reason: r.reason,
    policyVersion: Number(r.policy_version),
    createdAt: h.readInstant(r.created_at)!,
    decidedAt: h.readInstant(r.decided_at),
    escalatedAt: h.readInstant(r.escalated_at),
    contentHash: r.content_hash,
    closedReason: r.closed_reason,
  });

  return {
    async insert(approvals: ApprovalRecord[]): Promise<void> {
      if (approvals.length === 0) return;
      await db
        .insertInto('approvals')
        .values(
          approvals.map((a) => ({
            id: a.id,
            change_id: a.changeId,
            stage: a.stage,
            stage_order: a.stageOrder,
            stage_label: a.stageLabel,
            rule: a.rule,
            approver_kind: a.approverKind,
            approver_ref: a.approverRef,
            approver_label: a.approverLabel,
            quorum_kind: a.quorumKind,
            quorum_value: a.quorumValue,
            state: a.state,
            due_at: a.dueAt,
            escalate_kind: a.escalateKind,
            escalate_ref: a.escalateRef,
            reason: a.reason,
            policy_version: a.policyVersion,
            created_at: a.createdAt,
            decided_at: a.decidedAt,
            content_hash: a.contentHash,
            closed_reason: a.closedReason,
          })),
        )
        .execute();
    },
    async find(id: string): Promise<ApprovalRecord | null> {
      const row = await db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },
    /** Every approval of the change, cancelled ones included, in stage order. */
    async forChange(changeId: string): Promise<ApprovalRecord[]> {
      const rows = await db.selectFrom('approvals').selectAll().where('change_id', '=', changeId).orderBy('created_at').orderBy('stage_order').orderBy('rule').orderBy('approver_label').execute();
      return rows.map(toRecord);
    },
    /**
     * Withdraws the change's approvals in `states` (by default the open ones: waiting or pending), leaving out
     * those of `exceptStage`, or only those of `onlyStage`, with the reason; returns the ids withdrawn.
     */
    async withdraw(
      changeId: string,
      at: string,
      reason: string,
      opts: { exceptStage?: string; onlyStage?: string; states?: ApprovalState[] } = {},
    ): Promise<string[]> {
      let q = db
        .updateTable('approvals')
        .set({ state: 'withdrawn', decided_at: at, closed_reason: reason })
        .where('change_id', '=', changeId)
        .where('state', 'in', opts.states ?? ['waiting', 'pending']);
      if (opts.exceptStage !== undefined) q = q.where('stage', '!=', opts.exceptStage);
      if (opts.onlyStage !== undefined) q = q.where('stage', '=', opts.onlyStage);
      const rows = await q.returning('id').execute();
      return rows.map((r) => r.id);
    },
    /** Marks the counting votes of the approvals superseded (the content they were cast on moved on). */
    async supersedeVotes(approvalIds: string[], at: string, reason: string): Promise<number> {
      if (approvalIds.length === 0) return 0;
      const res = await db
        .updateTable('approval_votes')
        .set({ superseded_at: at, ended_reason: reason })
        .where('approval_id', 'in', approvalIds)
        .where('superseded_at', 'is', null)
        .where('voided_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    /** Voids one counting vote; false when it no longer counted. */
    async voidVote(id: string, at: string, reason: string): Promise<boolean> {
      const res = await db
        .updateTable('approval_votes')
        .set({ voided_at: at, ended_reason: reason })
        .where('id', '=', id)
        .where('superseded_at', 'is', null)
        .where('voided_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Moves an approval from `from` to `to`; false when it was no longer in `from` (someone else decided). */
    async setState(id: string, from: ApprovalState, to: ApprovalState, at: string | null): Promise<boolean> {
      const res = await db.updateTable('approvals').set({ state: to, decided_at: at }).where('id', '=', id).where('state', '=', from).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Sets the due time of an approval (when it opens, from its rule or the SLA targets). */
    async setDue(id: string, dueAt: string | null): Promise<void> {
      await db.updateTable('approvals').set({ due_at: dueAt }).where('id', '=', id).execute();
    },
    /**
     * Marks a pending approval escalated (to `to` instead of its rule's target when given: a board's delegates);
     * false when it was escalated or closed meanwhile.
     */
    async markEscalated(id: string, at: string, to?: { kind: string; ref: string }): Promise<boolean> {
      const res = await db
        .updateTable('approvals')
        .set({ escalated_at: at, ...(to ? { escalate_kind: to.kind, escalate_ref: to.ref } : {}) })
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .where('escalated_at', 'is', null)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Opens the waiting approvals of one stage of the change. */
    async openStage(changeId: string, stageOrder: number): Promise<void> {
      await db.updateTable('approvals').set({ state: 'pending' }).where('change_id', '=', changeId).where('stage_order', '=', stageOrder).where('state', '=', 'waiting').execute();
    },
    async insertVote(v: Omit<VoteRecord, 'userName' | 'onBehalfOfName' | 'supersededAt' | 'voidedAt' | 'endedReason'>): Promise<void> {
      await db
        .insertInto('approval_votes')
        .values({
          id: v.id,
          approval_id: v.approvalId,
          user_id: v.userId,
          decision: v.decision,
          comment: v.comment,
          created_at: v.createdAt,
          on_behalf_of: v.onBehalfOf,
          content_hash: v.contentHash,
        })
        .execute();
    },
    /** The votes of the approvals, oldest first, with the voters' names. */
    async votesFor(approvalIds: string[]): Promise<VoteRecord[]> {
      if (approvalIds.length === 0) return [];
      const rows = await db
        .selectFrom('approval_votes as v')
        .innerJoin('users as u', 'u.id', 'v.user_id')
        .leftJoin('users as b', 'b.id', 'v.on_behalf_of')
        .select([
          'v.id',
          'v.approval_id',
          'v.user_id',
          'u.name',
          'v.decision',
          'v.comment',
          'v.created_at',
          'v.on_behalf_of',
          'b.name as on_behalf_of_name',
          'v.content_hash',
          'v.superseded_at',
          'v.voided_at',
          'v.ended_reason',
        ])
        .where('v.approval_id', 'in', approvalIds)
        .orderBy('v.created_at')
        .orderBy('v.id')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        approvalId: r.approval_id,
        userId: r.user_id,
        userName: r.name,
        decision: r.decision as VoteRecord['decision'],
        comment: r.comment,
        createdAt: h.readInstant(r.created_at)!,
        onBehalfOf: r.on_behalf_of,
        onBehalfOfName: r.on_behalf_of_name,
        contentHash: r.content_hash,
        supersededAt: h.readInstant(r.superseded_at),
        voidedAt: h.readInstant(r.voided_at),
        endedReason: r.ended_reason,
      }));
    },
    /** Pending approvals addressed to any of the teams, roles or the user, with their changes. */
    async pendingAddressedTo(who: { teamIds: string[]; roles: string[]; userId: string; boardIds?: string[] }): Promise<PendingApprovalRow[]> {
      const rows = await db
        .selectFrom('approvals as a')
        .innerJoin('changes as c', 'c.id', 'a.change_id')
        .selectAll('a')
        .select(['c.number as change_number', 'c.title as change_title', 'c.requester_id', 'c.owner_id', 'c.implementer_id'])
        .where('a.state', '=', 'pending')
        .where((eb) =>
          eb.or([
            eb.and([eb('a.approver_kind', '=', 'user'), eb('a.approver_ref', '=', who.userId)]),
            ...(who.teamIds.length ? [eb.and([eb('a.approver_kind', '=', 'team'), eb('a.approver_ref', 'in', who.teamIds)])] : []),
            ...(who.roles.length ? [eb.and([eb('a.approver_kind', '=', 'role'), eb('a.approver_ref', 'in', who.roles)])] : []),
            ...(who.boardIds?.length ? [eb.and([eb('a.approver_kind', '=', 'board'), eb('a.approver_ref', 'in', who.boardIds)])] : []),
            // An escalated approval is also addressed to its escalation target.
            eb.and([
              eb('a.escalated_at', 'is not', null),
              eb.or([
                eb.and([eb('a.escalate_kind', '=', 'user'), eb('a.escalate_ref', '=', who.userId)]),
                ...(who.teamIds.length ? [eb.and([eb('a.escalate_kind', '=', 'team'), eb('a.escalate_ref', 'in', who.teamIds)])] : []),
                ...(who.roles.length ? [eb.and([eb('a.escalate_kind', '=', 'role'), eb('a.escalate_ref', 'in', who.roles)])] : []),
              ]),
            ]),
          ]),
        )
        .orderBy('a.due_at')
        .orderBy('c.seq')
        .execute();
      return rows.map((r) => ({
        ...toRecord(r),
        changeNumber: r.change_number,
        changeTitle: r.change_title,
        requesterId: r.requester_id,
        ownerId: r.owner_id,
        implementerId: r.implementer_id,
      }));
    },
  };
}
export type ApprovalRepository = ReturnType<typeof createApprovalRepository>;
