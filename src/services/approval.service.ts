import type { Approval, DecisionInput, MyApproval } from '../contracts/approval';
import type { Actor } from '../domain/actor';
import { quorumOutcome } from '../domain/approval/quorum';
import { assertPermission, hasPermission, hasRole, type Role } from '../domain/auth/roles';
import { ConflictError, ForbiddenError, InputError, NotFoundError } from '../domain/errors';
import type { ApprovalRecord, ApproverKind, ChangeRecord, PendingApprovalRow, Repositories, VoteRecord } from '../db/repositories';
import type { ApproverSpec } from '../policy/loader';
import { firedApprovalRules } from '../policy/evaluate';
import { audit, type ServiceDeps } from './context';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';
import type { SlaService } from './sla.service';
import type { GovernanceService, Principal } from './governance.service';
import type { ScheduleService } from './schedule.service';

export interface ApprovalServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  sla: SlaService;
  governance: GovernanceService;
  schedule: ScheduleService;
}

type People = Pick<ChangeRecord, 'requesterId' | 'ownerId' | 'implementerId'>;

/**
 * Segregation of duties: the people who asked for, own or carry out a change never approve it.
 * NOTE: a security decision; it holds for admins too.
 */
export function isPartyTo(change: People, userId: string): boolean {
  return change.requesterId === userId || change.ownerId === userId || change.implementerId === userId;
}

/**
 * Whether the actor is one of the approval's approvers: a member of the team, holder of the role, or the
 * user; once the approval was escalated, its escalation target qualifies too.
 */
export function isApprover(
  actor: Pick<Actor, 'userId' | 'teamIds' | 'roles'>,
  approval: Pick<ApprovalRecord, 'approverKind' | 'approverRef'> & Partial<Pick<ApprovalRecord, 'escalateKind' | 'escalateRef' | 'escalatedAt'>>,
): boolean {
  const matches = (kind: string, ref: string) => (kind === 'team' ? actor.teamIds.includes(ref) : kind === 'role' ? hasRole(actor, ref as Role) : kind === 'user' && actor.userId === ref);
  if (matches(approval.approverKind, approval.approverRef)) return true;
  return !!approval.escalatedAt && !!approval.escalateKind && !!approval.escalateRef && matches(approval.escalateKind, approval.escalateRef);
}

/**
 * Approvals: generated from the policy's `approvals` rules when a change enters a `requestApprovals` state,
 * decided by their approvers stage by stage, and checked before a change enters a `requiresApprovals` state.
 */
export function createApprovalService(deps: ApprovalServiceDeps) {
  const { store, risk } = deps;
  const nowIso = () => deps.now().toISOString();

  /** The approver groups a rule names, resolved to team ids, roles or user ids; unknown ones resolve to none. */
  async function resolve(repos: Repositories, spec: ApproverSpec, change: ChangeRecord): Promise<{ kind: ApproverKind; ref: string; label: string }[]> {
    switch (spec.kind) {
      case 'team': {
        const team = await repos.accounts.findTeam(spec.ref);
        return team ? [{ kind: 'team', ref: team.id, label: team.handle }] : [];
      }
      case 'role':
        return [{ kind: 'role', ref: spec.ref, label: spec.ref }];
      case 'user': {
        const user = await repos.accounts.findUserByEmail(spec.ref);
        return user ? [{ kind: 'user', ref: user.id, label: user.email }] : [];
      }
      case 'field': {
        const cis = await repos.cmdb.findCisByIds(change.ciIds);
        const teamIds =
          spec.ref === 'ci_owner'
            ? cis.map((c) => c.ownerTeamId)
            : (await repos.cmdb.findServicesByIds([...new Set(cis.map((c) => c.serviceId).filter((id): id is string => id !== null))])).map((s) => s.ownerTeamId);
        const teams = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.handle]));
        return [...new Set(teamIds.filter((id): id is string => id !== null && teams.has(id)))].sort().map((id) => ({ kind: 'team' as const, ref: id, label: teams.get(id)! }));
      }
    }
  }

  /**
   * Generates the change's approvals after it entered a `requestApprovals` state, inside the caller's
   * transaction: cancels the open ones from an earlier request, evaluates every rule, opens the first stage
   * that has approvals and leaves later stages waiting.
   */
  async function request(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy): Promise<ApprovalRecord[]> {
    const at = deps.now().toISOString();
    const freezeStage = active.bundle.schedule.freezeExceptions?.stage;
    // The freeze-exception stage belongs to the exception: its approvals stay as they are.
    const cancelled = await repos.approvals.cancelOpen(change.id, at, freezeStage);
    const context = await risk.approvalContextOf(repos, change, active);
    const created = await build(repos, change, active, context, (stage) => stage !== freezeStage);
    const first = Math.min(...created.map((a) => a.stageOrder));
    for (const a of created) if (a.stageOrder === first) a.state = 'pending';
    await repos.approvals.insert(created);
    await deps.sla.approvalsCancelled(repos, change.id);
    await deps.sla.approvalsOpened(repos, change, active, created.filter((a) => a.state === 'pending'), context);
    if (created.length > 0 || cancelled > 0) {
      await audit(repos, actor, at, 'change.approvals_requested', 'change', change.id, {
        number: change.number,
        policyVersion: active.number,
        cancelled,
        approvals: created.map((a) => ({ id: a.id, stage: a.stage, rule: a.rule, approver: a.approverLabel, state: a.state, dueAt: a.dueAt })),
      });
    }
    return created;
  }

  /**
   * The approvals of a freeze exception: the rules of the policy's freeze-exception stage that fire, open at
   * once whatever stage the change's other approvals are in. Earlier open ones of that stage are cancelled.
   * Returns how many were created (none: the exception needs no approval).
   */
  async function requestStage(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy, stageName: string): Promise<number> {
    const at = deps.now().toISOString();
    await repos.approvals.cancelOpen(change.id, at, undefined, stageName);
    const context = await risk.approvalContextOf(repos, change, active);
    const created = await build(repos, change, active, context, (stage) => stage === stageName);
    for (const a of created) a.state = 'pending';
    await repos.approvals.insert(created);
    await deps.sla.approvalsOpened(repos, change, active, created, context);
    if (created.length > 0) {
      await audit(repos, actor, at, 'change.approvals_requested', 'change', change.id, {
        number: change.number,
        policyVersion: active.number,
        cancelled: 0,
        approvals: created.map((a) => ({ id: a.id, stage: a.stage, rule: a.rule, approver: a.approverLabel, state: a.state, dueAt: a.dueAt })),
      });
    }
    return created.length;
  }

  /** Approval records (state `waiting`) for every fired rule of the stages `include` keeps. */
  async function build(repos: Repositories, change: ChangeRecord, active: ActivePolicy, context: Record<string, unknown>, include: (stage: string) => boolean): Promise<ApprovalRecord[]> {
    const at = deps.now().toISOString();
    const created: ApprovalRecord[] = [];
    for (const { stage, stageLabel, stageOrder, rule, reason } of firedApprovalRules(active.bundle.approvals, context)) {
      if (!include(stage)) continue;
      const escalation = rule.escalateTo ? ((await resolve(repos, rule.escalateTo, change))[0] ?? null) : null;
      for (const approver of await resolve(repos, rule.approvers, change)) {
        created.push({
          id: deps.newId(),
          changeId: change.id,
          stage,
          stageOrder,
          stageLabel,
          rule: rule.name,
          approverKind: approver.kind,
          approverRef: approver.ref,
          approverLabel: approver.label,
          quorumKind: rule.quorum.kind,
          quorumValue: rule.quorum.value,
          state: 'waiting',
          // Set when the approval opens, from the rule's `due` or the SLA targets (sla.approvalsOpened).
          dueAt: null,
          escalateKind: escalation?.kind ?? null,
          escalateRef: escalation?.ref ?? null,
          reason,
          policyVersion: active.number,
          createdAt: at,
          decidedAt: null,
          escalatedAt: null,
        });
      }
    }
    return created;
  }

  /** The change's approvals that stand in the way of a `requiresApprovals` state: all not approved nor cancelled. */
  async function blocking(repos: Repositories, changeId: string): Promise<ApprovalRecord[]> {
    return (await repos.approvals.forChange(changeId)).filter((a) => a.state !== 'approved' && a.state !== 'cancelled');
  }

  /** Cancels the change's open approvals (the change was cancelled or rejected). */
  async function cancelOpen(repos: Repositories, changeId: string): Promise<void> {
    await repos.approvals.cancelOpen(changeId, nowIso());
    await deps.sla.approvalsCancelled(repos, changeId);
  }

  /**
   * Whether the actor may decide the approval now, and as whom: themself when they are an approver, else
   * the first person away who delegated to them and is one. One vote per person, counted for one person.
   */
  function decisionRight(actor: Actor, a: ApprovalRecord, change: People, votes: VoteRecord[], delegators: Principal[], onBehalfOf?: string): { allowed: boolean; as: Principal | null } {
    const no = { allowed: false, as: null };
    if (a.state !== 'pending' || !hasPermission(actor, 'approval.decide') || isPartyTo(change, actor.userId)) return no;
    if (votes.some((v) => v.userId === actor.userId)) return no;
    const hasVoted = (userId: string) => votes.some((v) => v.userId === userId || v.onBehalfOf === userId);
    if (onBehalfOf === undefined && isApprover(actor, a) && !hasVoted(actor.userId)) return { allowed: true, as: null };
    const delegator = delegators.find((d) => (onBehalfOf === undefined || d.userId === onBehalfOf) && isApprover(d, a) && !isPartyTo(change, d.userId) && !hasVoted(d.userId));
    return delegator ? { allowed: true, as: delegator } : no;
  }
  function canDecide(actor: Actor, a: ApprovalRecord, change: People, votes: VoteRecord[], delegators: Principal[] = []): boolean {
    return decisionRight(actor, a, change, votes, delegators).allowed;
  }

  function present(actor: Actor, a: ApprovalRecord, change: People, votes: VoteRecord[], delegators: Principal[] = []): Approval {
    const mine = votes.filter((v) => v.approvalId === a.id);
    const right = decisionRight(actor, a, change, mine, delegators);
    return {
      id: a.id,
      changeId: a.changeId,
      stage: a.stage,
      stageLabel: a.stageLabel,
      stageOrder: a.stageOrder,
      rule: a.rule,
      reason: a.reason,
      approver: { kind: a.approverKind, ref: a.approverRef, label: a.approverLabel },
      quorum: { kind: a.quorumKind, value: a.quorumValue },
      state: a.state,
      dueAt: a.dueAt,
      escalatedAt: a.escalatedAt,
      escalation: a.escalateKind && a.escalateRef ? { kind: a.escalateKind as ApproverKind, ref: a.escalateRef } : null,
      policyVersion: a.policyVersion,
      votes: mine.map((v) => ({ userId: v.userId, userName: v.userName, decision: v.decision, comment: v.comment, createdAt: v.createdAt, onBehalfOfId: v.onBehalfOf, onBehalfOfName: v.onBehalfOfName })),
      canDecide: right.allowed,
      decidesFor: right.as ? { userId: right.as.userId, name: right.as.name } : null,
    };
  }

  async function loadChange(repos: Repositories, id: string): Promise<ChangeRecord> {
    const change = await repos.changes.findById(id);
    if (!change) throw new NotFoundError('Change', id);
    return change;
  }

  // The schedule service asks for the freeze-exception stage's approvals through these.
  deps.schedule.hooks.requestFreezeStage = requestStage;
  deps.schedule.hooks.cancelFreezeStage = async (repos, changeId, stage) => {
    await repos.approvals.cancelOpen(changeId, nowIso(), undefined, stage);
  };

  const service = {
    request,
    blocking,
    cancelOpen,

    /** Every approval of a change (cancelled ones too, for the record), with votes and whether the caller may decide. */
    async listForChange(actor: Actor, changeId: string): Promise<Approval[]> {
      assertPermission(actor, 'change.read');
      const change = await loadChange(store.repos, changeId);
      const approvals = await store.repos.approvals.forChange(change.id);
      const votes = await store.repos.approvals.votesFor(approvals.map((a) => a.id));
      const delegators = await deps.governance.delegatorsOf(store.repos, actor.userId);
      return approvals.map((a) => present(actor, a, change, votes, delegators));
    },

    /**
     * Pending approvals the actor may decide now: addressed to them or to someone away who delegated to them,
     * not voted yet, not on their own changes.
     */
    async myApprovals(actor: Actor): Promise<MyApproval[]> {
      if (!hasPermission(actor, 'approval.decide')) return [];
      const delegators = await deps.governance.delegatorsOf(store.repos, actor.userId);
      const byId = new Map<string, PendingApprovalRow>();
      for (const who of [actor, ...delegators]) {
        for (const row of await store.repos.approvals.pendingAddressedTo({ teamIds: who.teamIds, roles: who.roles.map((r) => r.role), userId: who.userId })) byId.set(row.id, row);
      }
      const rows = [...byId.values()].sort((x, y) => (x.dueAt ?? '\uffff').localeCompare(y.dueAt ?? '\uffff'));
      const votes = await store.repos.approvals.votesFor(rows.map((r) => r.id));
      return rows
        .filter((r) => canDecide(actor, r, r, votes.filter((v) => v.approvalId === r.id), delegators))
        .map((r) => ({ ...present(actor, r, r, votes, delegators), changeNumber: r.changeNumber, changeTitle: r.changeTitle }));
    },

    /**
     * Records the actor's vote and recomputes the approval against its quorum; when its stage is fully
     * approved, the next stage opens. 404 unknown, 409 `approval_closed` unless pending, 400 without a
     * comment on a rejection, 403 `segregation_of_duties` or `not_an_approver`, 409 `already_voted`.
     */
    async decide(actor: Actor, approvalId: string, input: DecisionInput): Promise<Approval> {
      assertPermission(actor, 'approval.decide');
      const comment = input.comment.trim();
      // NOTE: read before the transaction (SQLite's one connection); the next stage's SLA comes from it.
      const active = await deps.policy.active();
      const changeId = await store.transaction(async (repos) => {
        const a = await repos.approvals.find(approvalId);
        if (!a) throw new NotFoundError('Approval', approvalId);
        if (a.state !== 'pending') throw new ConflictError('approval_closed', `This approval is ${a.state}; it takes no more decisions.`, { state: a.state });
        if (input.decision === 'reject' && comment === '') throw new InputError('Say why you reject it.', [{ path: 'comment', message: 'a rejection needs a comment' }]);
        const change = await loadChange(repos, a.changeId);
        if (isPartyTo(change, actor.userId)) {
          throw new ForbiddenError(`You requested, own or implement ${change.number}; someone else must decide its approvals.`, 'segregation_of_duties', { changeId: change.id });
        }
        const votes = await repos.approvals.votesFor([a.id]);
        if (votes.some((v) => v.userId === actor.userId || (input.onBehalfOf === undefined && isApprover(actor, a) && v.onBehalfOf === actor.userId))) {
          throw new ConflictError('already_voted', 'You already decided this approval (or your delegate did for you).');
        }
        const right = decisionRight(actor, a, change, votes, await deps.governance.delegatorsOf(repos, actor.userId), input.onBehalfOf);
        if (!right.allowed) {
          throw new ForbiddenError(`Only ${a.approverKind === 'team' ? `members of ${a.approverLabel}` : a.approverLabel}, or their delegates while they are away, may decide this approval.`, 'not_an_approver', {
            approver: { kind: a.approverKind, ref: a.approverRef, label: a.approverLabel },
            ...(input.onBehalfOf ? { onBehalfOf: input.onBehalfOf } : {}),
          });
        }
        const at = nowIso();
        const onBehalfOf = right.as?.userId ?? null;
        await repos.approvals.insertVote({ id: deps.newId(), approvalId: a.id, userId: actor.userId, decision: input.decision, comment, createdAt: at, onBehalfOf });
        // The quorum counts the voters eligible now, leaving out those segregation of duties excludes.
        const eligible = (await repos.approvals.eligibleUserIds(a.approverKind, a.approverRef)).filter((id) => !isPartyTo(change, id)).length;
        const outcome = quorumOutcome({ kind: a.quorumKind, value: a.quorumValue }, eligible, [...votes, { decision: input.decision }]);
        if (outcome !== 'pending' && !(await repos.approvals.setState(a.id, 'pending', outcome, at))) {
          throw new ConflictError('approval_closed', 'This approval was decided meanwhile.', {});
        }
        if (outcome !== 'pending') await deps.sla.approvalDecided(repos, actor, change, a.id);
        let opened: string | null = null;
        if (outcome === 'approved') {
          const live = (await repos.approvals.forChange(change.id)).filter((x) => x.state !== 'cancelled');
          if (live.filter((x) => x.stageOrder === a.stageOrder).every((x) => x.state === 'approved')) {
            const next = live.filter((x) => x.state === 'waiting' && x.stageOrder > a.stageOrder).sort((x, y) => x.stageOrder - y.stageOrder)[0];
            if (next) {
              await repos.approvals.openStage(change.id, next.stageOrder);
              await deps.sla.approvalsOpened(repos, change, active, live.filter((x) => x.state === 'waiting' && x.stageOrder === next.stageOrder));
              opened = next.stage;
            }
          }
        }
        await audit(repos, actor, at, 'approval.decided', 'change', change.id, {
          number: change.number,
          approvalId: a.id,
          rule: a.rule,
          stage: a.stage,
          approver: a.approverLabel,
          decision: input.decision,
          comment,
          state: outcome,
          ...(right.as ? { onBehalfOf: { userId: right.as.userId, name: right.as.name } } : {}),
          ...(opened ? { openedStage: opened } : {}),
        });
        // A freeze exception's approval decided: the exception is granted or refused once its stage is.
        if (outcome !== 'pending' && a.stage === active.bundle.schedule.freezeExceptions?.stage) await deps.schedule.settleException(repos, actor, change, active);
        // The last approval granted: seal the record of them all as evidence.
        if (outcome === 'approved' && !opened) await deps.governance.sealApprovalRecord(repos, actor, change.id);
        return change.id;
      });
      const updated = (await service.listForChange(actor, changeId)).find((x) => x.id === approvalId);
      return updated!;
    },
  };
  return service;
}
export type ApprovalService = ReturnType<typeof createApprovalService>;
