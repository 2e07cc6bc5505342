import type { Approval, DecisionInput, MyApproval } from '../contracts/approval';
import type { Actor } from '../domain/actor';
import { contentFingerprint, lockedFields } from '../domain/approval/content';
import { counts, quorumOutcome, type ApprovalOutcome } from '../domain/approval/quorum';
import { isPartyTo, partyConflict, partyRole } from '../domain/approval/segregation';
import { FIELD_LABELS } from '../domain/change/fields';
import { findState } from '../domain/change/lifecycle';
import { assertPermission, hasPermission, hasRole, type Role } from '../domain/auth/roles';
import { ConflictError, ForbiddenError, NotFoundError, PolicyError } from '../domain/errors';
import type { ApprovalRecord, ApproverKind, ChangeRecord, PendingApprovalRow, Repositories, VoteRecord } from '../db/repositories';
import type { ApproverSpec, BaseApproverSpec } from '../policy/loader';
import { boardVoteOutcome, checkQuorum } from '../domain/cab/board';
import { boardTakes } from './board.service';
import { firedApprovalRules } from '../policy/evaluate';
import { audit, type ServiceDeps } from './context';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';
import type { SlaService } from './sla.service';
import type { GovernanceService, Principal } from './governance.service';
import type { ScheduleService } from './schedule.service';
import type { OutboxService } from './outbox.service';
import { createChangeNotices } from './change-notice.service';
import { changeWords } from '../domain/notification/texts';

export interface ApprovalServiceDeps extends ServiceDeps {
  outbox: OutboxService;
  policy: PolicyService;
  risk: RiskService;
  sla: SlaService;
  governance: GovernanceService;
  schedule: ScheduleService;
}

type People = Pick<ChangeRecord, 'requesterId' | 'ownerId' | 'implementerId'>;

/** Who sits on each board an approval is addressed to: board id → person id → the domains they represent. */
export type BoardSeats = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
const NO_SEATS: BoardSeats = new Map();

/** Why an approved approval blocks when it was given for other content than the change has now. */
export const STALE_CONTENT = 'approved for earlier content';

/**
 * Whether the actor is one of the approval's approvers: a member of the team, holder of the role, or the
 * user; once the approval was escalated, its escalation target qualifies too.
 */
export function isApprover(
  actor: Pick<Actor, 'userId' | 'teamIds' | 'roles'>,
  approval: Pick<ApprovalRecord, 'approverKind' | 'approverRef'> & Partial<Pick<ApprovalRecord, 'escalateKind' | 'escalateRef' | 'escalatedAt'>>,
  seats: BoardSeats = NO_SEATS,
): boolean {
  const matches = (kind: string, ref: string) =>
    kind === 'team'
      ? actor.teamIds.includes(ref)
      : kind === 'role'
        ? hasRole(actor, ref as Role)
        : kind === 'board'
          ? (seats.get(ref)?.has(actor.userId) ?? false)
          : kind === 'user' && actor.userId === ref;
  if (matches(approval.approverKind, approval.approverRef)) return true;
  return !!approval.escalatedAt && !!approval.escalateKind && !!approval.escalateRef && matches(approval.escalateKind, approval.escalateRef);
}

/**
 * Approvals: generated from the policy's `approvals` rules when a change enters a `requestApprovals` state,
 * decided by their approvers stage by stage, and checked before a change enters a `requiresApprovals` state.
 * An approval is for a content: it and every vote on it carry the fingerprint of the change's material
 * fields, and `reconcile` keeps them true to the change (see docs/policy.md, "What an approval is for").
 */
export function createApprovalService(deps: ApprovalServiceDeps) {
  const { store, risk } = deps;
  const nowIso = () => deps.now().toISOString();
  const notices = createChangeNotices(deps);

  /** The fingerprint of the change's material content under the policy. */
  const fingerprintOf = (change: ChangeRecord, active: ActivePolicy) => contentFingerprint(change, active.bundle.approvals.content.fields);

  /**
   * The approver groups a rule names, resolved to team ids, roles, user ids or boards; unknown ones resolve to
   * none. A board rule resolves to the boards that take the change (by their scope, over `context`), else to
   * its `otherwise`, else to `fallback` (the rule's escalation target), else to the change managers: an
   * approval routed to boards never silently disappears.
   */
  async function resolve(
    repos: Repositories,
    spec: ApproverSpec,
    change: ChangeRecord,
    context: Record<string, unknown> = {},
    fallback: BaseApproverSpec | null = null,
  ): Promise<{ kind: ApproverKind; ref: string; label: string; minMembers?: number }[]> {
    switch (spec.kind) {
      case 'board': {
        const named = spec.ref ? await repos.boards.find(spec.ref) : null;
        const candidates = spec.ref ? (named ? [named] : []) : await repos.boards.list({ kind: spec.boardKind ?? undefined, active: true, limit: 1000 });
        const taking = candidates.filter((b) => b.active && boardTakes(b.scope, context));
        if (taking.length > 0) return taking.map((b) => ({ kind: 'board' as const, ref: b.id, label: b.name, minMembers: b.quorumMinMembers }));
        const otherwise = spec.otherwise ?? fallback;
        return otherwise ? resolve(repos, otherwise, change, context) : [{ kind: 'role', ref: 'change_manager', label: 'change_manager' }];
      }
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
   * transaction: withdraws the open ones from an earlier request, evaluates every rule on the change as it is
   * now (its risk included), opens the first stage that has approvals and leaves later stages waiting.
   */
  async function request(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy, opts: { reason?: string; withdrawn?: number } = {}): Promise<ApprovalRecord[]> {
    const at = deps.now().toISOString();
    const freezeStage = active.bundle.schedule.freezeExceptions?.stage;
    // Read again: the caller's copy may predate the risk assessment of this same transaction.
    const current = (await repos.changes.findById(change.id)) ?? change;
    // The freeze-exception stage belongs to the exception: its approvals stay as they are.
    const why = opts.reason ?? 'Approvals were requested again.';
    const withdrawnIds = await repos.approvals.withdraw(change.id, at, why, { exceptStage: freezeStage });
    await notices.approvalsWithdrawn(repos, withdrawnIds, why);
    const withdrawn = withdrawnIds.length + (opts.withdrawn ?? 0);
    const context = await risk.approvalContextOf(repos, current, active);
    const created = await build(repos, current, active, context, (stage) => stage !== freezeStage);
    const first = Math.min(...created.map((a) => a.stageOrder));
    for (const a of created) if (a.stageOrder === first) a.state = 'pending';
    await repos.approvals.insert(created);
    await deps.sla.approvalsCancelled(repos, change.id);
    await deps.sla.approvalsOpened(repos, current, active, created.filter((a) => a.state === 'pending'), context);
    if (created.length > 0 || withdrawn > 0) {
      await audit(repos, actor, at, 'change.approvals_requested', 'change', change.id, {
        number: change.number,
        policyVersion: active.number,
        contentHash: fingerprintOf(current, active),
        cancelled: withdrawn,
        approvals: created.map((a) => ({ id: a.id, stage: a.stage, rule: a.rule, approver: a.approverLabel, state: a.state, dueAt: a.dueAt })),
      });
    }
    return created;
  }

  /**
   * The approvals of a freeze exception: the rules of the policy's freeze-exception stage that fire, open at
   * once whatever stage the change's other approvals are in. Earlier open ones of that stage are withdrawn.
   * Returns how many were created (none: the exception needs no approval).
   */
  async function requestStage(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy, stageName: string): Promise<number> {
    const at = deps.now().toISOString();
    await notices.approvalsWithdrawn(repos, await repos.approvals.withdraw(change.id, at, 'The freeze exception was asked for again.', { onlyStage: stageName }), 'The freeze exception was asked for again.');
    const current = (await repos.changes.findById(change.id)) ?? change;
    const context = await risk.approvalContextOf(repos, current, active);
    const created = await build(repos, current, active, context, (stage) => stage === stageName);
    for (const a of created) a.state = 'pending';
    await repos.approvals.insert(created);
    await deps.sla.approvalsOpened(repos, current, active, created, context);
    if (created.length > 0) {
      await audit(repos, actor, at, 'change.approvals_requested', 'change', change.id, {
        number: change.number,
        policyVersion: active.number,
        contentHash: fingerprintOf(current, active),
        cancelled: 0,
        approvals: created.map((a) => ({ id: a.id, stage: a.stage, rule: a.rule, approver: a.approverLabel, state: a.state, dueAt: a.dueAt })),
      });
    }
    return created.length;
  }

  /** Approval records (state `waiting`) for every fired rule of the stages `include` keeps. */
  async function build(repos: Repositories, change: ChangeRecord, active: ActivePolicy, context: Record<string, unknown>, include: (stage: string) => boolean): Promise<ApprovalRecord[]> {
    const at = deps.now().toISOString();
    const contentHash = fingerprintOf(change, active);
    const created: ApprovalRecord[] = [];
    for (const { stage, stageLabel, stageOrder, rule, reason } of firedApprovalRules(active.bundle.approvals, context)) {
      if (!include(stage)) continue;
      const escalation = rule.escalateTo ? ((await resolve(repos, rule.escalateTo, change))[0] ?? null) : null;
      for (const approver of await resolve(repos, rule.approvers, change, context, rule.escalateTo)) {
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
          // A board decides by its own quorum (its members and domains), whatever the rule says.
          quorumKind: approver.kind === 'board' ? 'board' : rule.quorum.kind,
          quorumValue: approver.kind === 'board' ? (approver.minMembers ?? 1) : rule.quorum.value,
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
          contentHash,
          closedReason: null,
        });
      }
    }
    return created;
  }

  /** Who sits on the boards of the board approvals among `approvals`, read once. */
  async function seatsFor(repos: Repositories, approvals: readonly Pick<ApprovalRecord, 'approverKind' | 'approverRef'>[]): Promise<BoardSeats> {
    const ids = [...new Set(approvals.filter((a) => a.approverKind === 'board').map((a) => a.approverRef))];
    return ids.length > 0 ? repos.boards.seatsOf(ids) : NO_SEATS;
  }

  /**
   * An approval's outcome from the votes that count: a board's by its own quorum of members and domains (a split
   * board stays pending for its meeting: domain/cab/board.ts), any other by the rule's quorum of the approvers
   * eligible now.
   */
  async function outcomeOf(
    repos: Repositories,
    a: ApprovalRecord,
    change: People,
    counting: readonly { userId: string; onBehalfOf: string | null; decision: 'approve' | 'reject' }[],
  ): Promise<ApprovalOutcome> {
    if (a.quorumKind !== 'board') return quorumOutcome({ kind: a.quorumKind, value: a.quorumValue }, await eligibleCount(repos, a, change), counting);
    const board = await repos.boards.find(a.approverRef);
    if (!board) return 'pending';
    const seats = (await repos.boards.seatsOf([board.id])).get(board.id) ?? new Map<string, string[]>();
    const votes = counting.map((v) => {
      const who = v.onBehalfOf ?? v.userId;
      return { userId: who, decision: v.decision, domains: seats.get(who) ?? [] };
    });
    const parties = new Set([change.requesterId, change.ownerId, change.implementerId].filter((id): id is string => id !== null));
    return boardVoteOutcome({ minMembers: board.quorumMinMembers, requiredDomains: board.quorumRequiredDomains }, votes, parties).outcome;
  }

  /**
   * Whether an approved board approval still stands on who decided it: a meeting's decision on the members
   * who counted then, less those who are now parties; a decision by votes on the votes that still count.
   */
  async function boardApprovalStands(repos: Repositories, a: ApprovalRecord, change: People, counting: VoteRecord[]): Promise<boolean> {
    const decided = (await repos.meetings.decisions({ approvalIds: [a.id] })).filter((d) => d.decision === 'approve' || d.decision === 'approve_with_conditions').at(-1);
    if (!decided) return (await outcomeOf(repos, a, change, counting)) === 'approved';
    const board = await repos.boards.find(a.approverRef);
    if (!board) return false;
    const parties = new Set([change.requesterId, change.ownerId, change.implementerId].filter((id): id is string => id !== null));
    return checkQuorum({ minMembers: board.quorumMinMembers, requiredDomains: board.quorumRequiredDomains }, decided.quorum.counted, parties).met;
  }

  /** How many people may vote on the approval now: its approvers, less the change's parties. */
  async function eligibleCount(repos: Repositories, a: ApprovalRecord, change: People): Promise<number> {
    return (await repos.accounts.eligibleUserIds(a.approverKind, a.approverRef)).filter((id) => !isPartyTo(change, id)).length;
  }

  /**
   * The change's approvals that stand in the way of a `requiresApprovals` state, judged on the change as it
   * is now, whatever path changed it: every live approval not approved, and every approved one that was
   * given for other content or whose counting votes, less those of people who are now parties, no longer
   * meet its quorum. Each carries why.
   */
  async function blocking(repos: Repositories, changeId: string, active: ActivePolicy): Promise<(ApprovalRecord & { why: string })[]> {
    const change = await repos.changes.findById(changeId);
    if (!change) return [];
    const live = (await repos.approvals.forChange(changeId)).filter((a) => a.state !== 'withdrawn');
    const votes = await repos.approvals.votesFor(live.map((a) => a.id));
    const fingerprint = fingerprintOf(change, active);
    const out: (ApprovalRecord & { why: string })[] = [];
    for (const a of live) {
      if (a.state !== 'approved') {
        out.push({ ...a, why: a.state });
        continue;
      }
      if (a.contentHash !== null && a.contentHash !== fingerprint) {
        out.push({ ...a, why: STALE_CONTENT });
        continue;
      }
      const counting = votes.filter((v) => v.approvalId === a.id && counts(v) && partyConflict(change, v, change.number) === null);
      const stands = a.quorumKind === 'board' ? await boardApprovalStands(repos, a, change, counting) : (await outcomeOf(repos, a, change, counting)) === 'approved';
      if (!stands) out.push({ ...a, why: 'its quorum is no longer met' });
    }
    return out;
  }

  /** Withdraws the change's open approvals (the change was cancelled, rejected or closed). */
  async function cancelOpen(repos: Repositories, changeId: string, reason = 'The change was closed.'): Promise<void> {
    await notices.approvalsWithdrawn(repos, await repos.approvals.withdraw(changeId, nowIso(), reason), reason);
    await deps.sla.approvalsCancelled(repos, changeId);
  }

  /** Moves the change back to its model's `requestApprovals` state (authorization reopened), audited. */
  async function backToAuthorize(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy, why: string): Promise<ChangeRecord> {
    const model = active.bundle.models[change.type];
    const requestState = model?.states.find((st) => st.requestApprovals);
    if (!model || !requestState || change.state === requestState.id) return change;
    const after: ChangeRecord = { ...change, state: requestState.id, version: change.version + 1, updatedAt: nowIso() };
    if (!(await repos.changes.update(after, change.version))) throw new ConflictError('invalid_transition', `${change.number} changed meanwhile; try again.`, { from: change.state, to: requestState.id, allowed: [] });
    await audit(repos, actor, after.updatedAt, 'change.transitioned', 'change', after.id, {
      number: after.number,
      from: change.state,
      to: after.state,
      changes: { state: { from: change.state, to: after.state } },
      reason: why,
      automatic: true,
    });
    await deps.sla.changeTransitioned(repos, actor, change, after, active);
    await notices.changeMoved(repos, actor, change, after, active, { reason: why });
    return after;
  }

  /** Tells each person whose vote stopped counting, once. */
  async function tellVoters(repos: Repositories, change: ChangeRecord, ended: VoteRecord[], kind: 'approval_reopened' | 'approval_vote_voided', why: string): Promise<void> {
    const people = [...new Set(ended.map((v) => v.userId))];
    if (people.length === 0) return;
    await deps.outbox.notify(repos, {
      recipients: people.map((ref) => ({ kind: 'user' as const, ref })),
      kind,
      title: kind === 'approval_reopened' ? `Your vote on ${changeWords(change)} no longer counts: the change was changed after you decided.` : `Your vote on ${changeWords(change)} no longer counts.`,
      body: why,
      changeId: change.id,
    });
  }

  /**
   * Keeps the change's approvals true to the change, inside the caller's transaction; run after anything
   * that may change who the parties are or what the content is (edits, routing, risk, delegation, votes):
   * 1. segregation of duties: a counting vote whose voter, or the person it was cast for, is now a party is
   *    voided (audited, the voter told), and an approval that loses its quorum reopens;
   * 2. content: when the material content moved on from what the approvals were requested for, they are
   *    withdrawn with their votes superseded (kept, no longer counting), the rules are evaluated again on the
   *    new content, a change past authorization goes back to it, and the voters are told. In a state the
   *    policy locks this does not happen (edits there are refused before they are written);
   * 3. a change in a `requiresApprovals` state whose approvals no longer all stand goes back to authorization.
   * `edited` names the material fields the caller changed, for the record.
   */
  async function reconcile(repos: Repositories, actor: Actor, changeId: string, active: ActivePolicy, edited: string[] = []): Promise<void> {
    let change = await repos.changes.findById(changeId);
    if (!change) return;
    const model = active.bundle.models[change.type];
    const state = model ? findState(model, change.state) : undefined;
    if (!model || !state || state.final) return;
    const live = (await repos.approvals.forChange(change.id)).filter((a) => a.state !== 'withdrawn');
    if (live.length === 0) return;
    const at = nowIso();
    const votes = await repos.approvals.votesFor(live.map((a) => a.id));

    // 1. Segregation of duties, at every moment.
    const touched = new Set<string>();
    for (const v of votes.filter(counts)) {
      const why = partyConflict(change, v, change.number);
      if (!why || !(await repos.approvals.voidVote(v.id, at, why))) continue;
      v.voidedAt = at;
      v.endedReason = why;
      touched.add(v.approvalId);
      const a = live.find((x) => x.id === v.approvalId)!;
      await audit(repos, actor, at, 'approval.vote_voided', 'change', change.id, {
        number: change.number,
        approvalId: a.id,
        rule: a.rule,
        approver: a.approverLabel,
        voter: { userId: v.userId, name: v.userName },
        ...(v.onBehalfOf ? { onBehalfOf: { userId: v.onBehalfOf, name: v.onBehalfOfName } } : {}),
        decision: v.decision,
        reason: why,
      });
      await tellVoters(repos, change, [v], 'approval_vote_voided', why);
    }

    // 2. The content the approvals were given for.
    const freezeStage = active.bundle.schedule.freezeExceptions?.stage;
    const fingerprint = fingerprintOf(change, active);
    const locked = lockedFields(active.bundle.approvals.content, change.state).length > 0;
    const stale = live.filter((a) => a.stage !== freezeStage && a.contentHash !== null && a.contentHash !== fingerprint);
    if (stale.length > 0 && !locked) {
      const what = edited.length > 0 ? edited.map((f) => FIELD_LABELS[f] ?? f).join(', ') : 'its material content (the risk level or the policy)';
      const why = `${change.number} was changed (${what}) after its approvals were requested; they were requested again for the new content.`;
      const withdrawn = await repos.approvals.withdraw(change.id, at, why, { exceptStage: freezeStage, states: ['waiting', 'pending', 'approved', 'rejected'] });
      await notices.approvalsWithdrawn(repos, withdrawn, why);
      const superseded = votes.filter((v) => withdrawn.includes(v.approvalId) && counts(v));
      await repos.approvals.supersedeVotes(withdrawn, at, why);
      change = await backToAuthorize(repos, actor, change, active, why);
      const created = await request(repos, actor, change, active, { reason: why, withdrawn: withdrawn.length });
      await audit(repos, actor, at, 'change.authorization_reopened', 'change', change.id, {
        number: change.number,
        fields: edited,
        contentHash: fingerprint,
        withdrawn: live.filter((a) => withdrawn.includes(a.id)).map((a) => ({ id: a.id, rule: a.rule, approver: a.approverLabel, state: a.state })),
        supersededVotes: superseded.map((v) => ({ approvalId: v.approvalId, voter: v.userName, decision: v.decision })),
        requested: created.map((a) => ({ id: a.id, rule: a.rule, approver: a.approverLabel, state: a.state })),
        reason: why,
      });
      await tellVoters(repos, change, superseded, 'approval_reopened', why);
      return;
    }

    // An approval that lost votes to segregation of duties is judged again on the votes that still count.
    for (const a of live.filter((x) => touched.has(x.id) && (x.state === 'approved' || x.state === 'rejected'))) {
      const counting = votes.filter((v) => v.approvalId === a.id && counts(v));
      // A board approval settled at a meeting stands on the meeting's quorum, not on votes.
      if (a.quorumKind === 'board' && (await boardApprovalStands(repos, a, change, counting))) continue;
      const outcome = await outcomeOf(repos, a, change, counting);
      if (outcome !== 'pending' || !(await repos.approvals.setState(a.id, a.state, 'pending', null))) continue;
      await audit(repos, actor, at, 'approval.reopened', 'change', change.id, {
        number: change.number,
        approvalId: a.id,
        rule: a.rule,
        approver: a.approverLabel,
        changes: { state: { from: a.state, to: 'pending' } },
        reason: 'A vote it counted no longer counts (segregation of duties).',
      });
      await deps.sla.approvalsOpened(repos, change, active, [{ ...a, state: 'pending' }]);
    }

    // 3. A change past authorization whose approvals no longer all stand goes back to it.
    if (state.requiresApprovals && !(await deps.governance.activeBreakGlass(repos, change.id))) {
      // In a locked state the approvals stand for the content they were given for (an emergency under way is
      // not pulled back because a CMDB edit moved its risk); a lost quorum still sends it back.
      const open = (await blocking(repos, change.id, active)).filter((a) => !(locked && a.why === STALE_CONTENT));
      if (open.length > 0) {
        await backToAuthorize(repos, actor, change, active, `${change.number} no longer has every approval it needs: ${open.map((a) => `${a.rule} by ${a.approverLabel} (${a.why})`).join(', ')}.`);
      }
    }
  }

  /**
   * Whether the actor may decide the approval now, and as whom: themself when they are an approver, else
   * the first person away who delegated to them and is one. One counting vote per person, counted for one
   * person. `votes` are the approval's counting votes.
   */
  function decisionRight(
    actor: Actor,
    a: ApprovalRecord,
    change: People,
    votes: VoteRecord[],
    delegators: Principal[],
    onBehalfOf?: string,
    seats: BoardSeats = NO_SEATS,
  ): { allowed: boolean; as: Principal | null } {
    const no = { allowed: false, as: null };
    if (a.state !== 'pending' || !hasPermission(actor, 'approval.decide') || isPartyTo(change, actor.userId)) return no;
    if (votes.some((v) => v.userId === actor.userId)) return no;
    const hasVoted = (userId: string) => votes.some((v) => v.userId === userId || v.onBehalfOf === userId);
    if (onBehalfOf === undefined && isApprover(actor, a, seats) && !hasVoted(actor.userId)) return { allowed: true, as: null };
    const delegator = delegators.find((d) => (onBehalfOf === undefined || d.userId === onBehalfOf) && isApprover(d, a, seats) && !isPartyTo(change, d.userId) && !hasVoted(d.userId));
    return delegator ? { allowed: true, as: delegator } : no;
  }

  /** After an approval was approved: when its whole stage is, opens the next stage that waits; its name, or null. */
  async function openNextStage(repos: Repositories, change: ChangeRecord, a: ApprovalRecord, active: ActivePolicy): Promise<string | null> {
    const live = (await repos.approvals.forChange(change.id)).filter((x) => x.state !== 'withdrawn');
    if (!live.filter((x) => x.stageOrder === a.stageOrder).every((x) => x.state === 'approved')) return null;
    const next = live.filter((x) => x.state === 'waiting' && x.stageOrder > a.stageOrder).sort((x, y) => x.stageOrder - y.stageOrder)[0];
    if (!next) return null;
    await repos.approvals.openStage(change.id, next.stageOrder);
    await deps.sla.approvalsOpened(repos, change, active, live.filter((x) => x.state === 'waiting' && x.stageOrder === next.stageOrder));
    return next.stage;
  }

  /**
   * A board's decision at a meeting settles its approval (inside the caller's transaction, the change's row
   * locked): approved or rejected, audited as the board's, the next stage opened, the record sealed when it
   * was the last. The caller checked the meeting's quorum and segregation of duties.
   */
  async function settleByBoard(
    repos: Repositories,
    actor: Actor,
    change: ChangeRecord,
    approvalId: string,
    outcome: 'approved' | 'rejected',
    active: ActivePolicy,
    record: { meetingId: string; decisionId: string; decision: string; rationale: string },
  ): Promise<void> {
    const a = await repos.approvals.find(approvalId);
    if (!a || a.state !== 'pending') throw new ConflictError('approval_closed', `This approval is ${a?.state ?? 'gone'}; it takes no more decisions.`, { state: a?.state ?? null });
    const contentHash = fingerprintOf(change, active);
    if (a.contentHash !== null && a.contentHash !== contentHash) {
      throw new ConflictError('content_changed', `${change.number} was changed since the board was asked; its approvals are requested again for the new content.`, { changeId: change.id });
    }
    const at = nowIso();
    if (!(await repos.approvals.setState(a.id, 'pending', outcome, at))) throw new ConflictError('approval_closed', 'This approval was decided meanwhile.', {});
    await deps.sla.approvalDecided(repos, actor, change, a.id);
    const opened = outcome === 'approved' ? await openNextStage(repos, change, a, active) : null;
    await audit(repos, actor, at, 'approval.decided', 'change', change.id, {
      number: change.number,
      approvalId: a.id,
      rule: a.rule,
      stage: a.stage,
      approver: a.approverLabel,
      decision: outcome === 'approved' ? 'approve' : 'reject',
      comment: record.rationale,
      state: outcome,
      contentHash,
      board: { meetingId: record.meetingId, decisionId: record.decisionId, decision: record.decision },
      ...(opened ? { openedStage: opened } : {}),
    });
    if (a.stage === active.bundle.schedule.freezeExceptions?.stage) await deps.schedule.settleException(repos, actor, change, active);
    const done = outcome === 'approved' && !opened && (await repos.approvals.forChange(change.id)).every((x) => x.state === 'approved' || x.state === 'withdrawn');
    if (done) await deps.governance.sealApprovalRecord(repos, actor, change.id, contentHash);
  }

  function present(actor: Actor, a: ApprovalRecord, change: People, votes: VoteRecord[], delegators: Principal[] = [], seats: BoardSeats = NO_SEATS): Approval {
    const mine = votes.filter((v) => v.approvalId === a.id);
    const right = decisionRight(actor, a, change, mine.filter(counts), delegators, undefined, seats);
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
      escalation: a.escalateKind && a.escalateRef ? { kind: a.escalateKind as 'team' | 'role' | 'user' | 'board', ref: a.escalateRef } : null,
      policyVersion: a.policyVersion,
      contentHash: a.contentHash,
      withdrawnReason: a.state === 'withdrawn' ? a.closedReason : null,
      votes: mine.map((v) => ({
        userId: v.userId,
        userName: v.userName,
        decision: v.decision,
        comment: v.comment,
        createdAt: v.createdAt,
        onBehalfOfId: v.onBehalfOf,
        onBehalfOfName: v.onBehalfOfName,
        contentHash: v.contentHash,
        superseded: v.supersededAt !== null,
        voided: v.voidedAt !== null,
        why: v.endedReason,
        endedAt: v.voidedAt ?? v.supersededAt,
      })),
      canDecide: right.allowed,
      decidesFor: right.as ? { userId: right.as.userId, name: right.as.name } : null,
    };
  }

  async function loadChange(repos: Repositories, id: string, opts: { lock?: boolean } = {}): Promise<ChangeRecord> {
    const change = await repos.changes.findById(id, opts);
    if (!change) throw new NotFoundError('Change', id);
    return change;
  }

  // The risk level in force moved without an edit of the change (CMDB, freezes, an override): reconcile.
  deps.risk.hooks.levelMoved = (repos, actor, changeId, active) => reconcile(repos, actor, changeId, active, ['riskLevel']);
  // The schedule service asks for the freeze-exception stage's approvals through these.
  deps.schedule.hooks.requestFreezeStage = requestStage;
  deps.schedule.hooks.cancelFreezeStage = async (repos, changeId, stage) => {
    const why = 'The freeze exception is no longer needed.';
    await notices.approvalsWithdrawn(repos, await repos.approvals.withdraw(changeId, nowIso(), why, { onlyStage: stage }), why);
  };

  const service = {
    request,
    settleByBoard,
    seatsFor,
    blocking,
    cancelOpen,
    reconcile,

    /** Every approval of a change (withdrawn ones too, for the record), with votes and whether the caller may decide. */
    async listForChange(actor: Actor, changeId: string): Promise<Approval[]> {
      assertPermission(actor, 'change.read');
      const change = await loadChange(store.repos, changeId);
      const approvals = await store.repos.approvals.forChange(change.id);
      const votes = await store.repos.approvals.votesFor(approvals.map((a) => a.id));
      const delegators = await deps.governance.delegatorsOf(store.repos, actor.userId);
      const seats = await seatsFor(store.repos, approvals);
      return approvals.map((a) => present(actor, a, change, votes, delegators, seats));
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
        const boardIds = await store.repos.boards.boardIdsOf(who.userId, who.teamIds);
        for (const row of await store.repos.approvals.pendingAddressedTo({ teamIds: who.teamIds, roles: who.roles.map((r) => r.role), userId: who.userId, boardIds })) byId.set(row.id, row);
      }
      const rows = [...byId.values()].sort((x, y) => (x.dueAt ?? '\uffff').localeCompare(y.dueAt ?? '\uffff'));
      const votes = await store.repos.approvals.votesFor(rows.map((r) => r.id));
      const seats = await seatsFor(store.repos, rows);
      return rows
        .filter((r) => decisionRight(actor, r, r, votes.filter((v) => v.approvalId === r.id && counts(v)), delegators, undefined, seats).allowed)
        .map((r) => ({ ...present(actor, r, r, votes, delegators, seats), changeNumber: r.changeNumber, changeTitle: r.changeTitle }));
    },

    /**
     * Records the actor's vote on the content the approval was requested for and recomputes the approval
     * against its quorum; when its stage is fully approved, the next stage opens. 404 unknown, 409
     * `approval_closed` unless pending, 409 `content_changed` when the change moved on since the request (its
     * approvals are requested again first), 422 `reason_required` without a comment on a rejection, 403
     * `segregation_of_duties` or `not_an_approver`, 409 `already_voted`.
     */
    async decide(actor: Actor, approvalId: string, input: DecisionInput): Promise<Approval> {
      assertPermission(actor, 'approval.decide');
      const comment = input.comment.trim();
      // NOTE: read before the transaction (SQLite's one connection); the next stage's SLA comes from it.
      const active = await deps.policy.active();
      const result = await store.transaction(async (repos): Promise<{ changeId: string; stale?: boolean }> => {
        const found = await repos.approvals.find(approvalId);
        if (!found) throw new NotFoundError('Approval', approvalId);
        // The change's row is held until commit: an edit of its people or content waits for this vote, and
        // this vote for such an edit, so neither decides on what the other is changing.
        const change = await loadChange(repos, found.changeId, { lock: true });
        // Read again under the lock: a reopen or another vote may have closed it while this one waited.
        const a = (await repos.approvals.find(approvalId))!;
        if (a.state !== 'pending') throw new ConflictError('approval_closed', `This approval is ${a.state}; it takes no more decisions.`, { state: a.state });
        if (input.decision === 'reject' && comment === '') {
          throw new PolicyError('reason_required', 'Say why you reject it: the requester needs to know.', { issues: [{ path: 'comment', message: 'a rejection needs a comment' }] });
        }
        if (isPartyTo(change, actor.userId)) {
          throw new ForbiddenError(`You are the ${partyRole(change, actor.userId)} of ${change.number}; someone else must decide its approvals.`, 'segregation_of_duties', { changeId: change.id });
        }
        const contentHash = fingerprintOf(change, active);
        if (a.contentHash !== null && a.contentHash !== contentHash) return { changeId: change.id, stale: true };
        const votes = (await repos.approvals.votesFor([a.id])).filter(counts);
        const seats = await seatsFor(repos, [a]);
        if (votes.some((v) => v.userId === actor.userId || (input.onBehalfOf === undefined && isApprover(actor, a, seats) && v.onBehalfOf === actor.userId))) {
          throw new ConflictError('already_voted', 'You already decided this approval (or your delegate did for you).');
        }
        const right = decisionRight(actor, a, change, votes, await deps.governance.delegatorsOf(repos, actor.userId), input.onBehalfOf, seats);
        if (!right.allowed) {
          if (input.onBehalfOf && isPartyTo(change, input.onBehalfOf)) {
            throw new ForbiddenError(`The person you would vote for is the ${partyRole(change, input.onBehalfOf)} of ${change.number}; a vote for them cannot count.`, 'segregation_of_duties', {
              changeId: change.id,
              onBehalfOf: input.onBehalfOf,
            });
          }
          throw new ForbiddenError(`Only ${a.approverKind === 'team' || a.approverKind === 'board' ? `members of ${a.approverLabel}` : a.approverLabel}, or their delegates while they are away, may decide this approval.`, 'not_an_approver', {
            approver: { kind: a.approverKind, ref: a.approverRef, label: a.approverLabel },
            ...(input.onBehalfOf ? { onBehalfOf: input.onBehalfOf } : {}),
          });
        }
        const at = nowIso();
        const onBehalfOf = right.as?.userId ?? null;
        await repos.approvals.insertVote({ id: deps.newId(), approvalId: a.id, userId: actor.userId, decision: input.decision, comment, createdAt: at, onBehalfOf, contentHash });
        // The quorum counts the voters eligible now, leaving out those segregation of duties excludes.
        const outcome = await outcomeOf(repos, a, change, [...votes, { userId: actor.userId, onBehalfOf, decision: input.decision }]);
        if (outcome !== 'pending' && !(await repos.approvals.setState(a.id, 'pending', outcome, at))) {
          throw new ConflictError('approval_closed', 'This approval was decided meanwhile.', {});
        }
        if (outcome !== 'pending') await deps.sla.approvalDecided(repos, actor, change, a.id);
        const opened = outcome === 'approved' ? await openNextStage(repos, change, a, active) : null;
        await audit(repos, actor, at, 'approval.decided', 'change', change.id, {
          number: change.number,
          approvalId: a.id,
          rule: a.rule,
          stage: a.stage,
          approver: a.approverLabel,
          decision: input.decision,
          comment,
          state: outcome,
          contentHash,
          ...(right.as ? { onBehalfOf: { userId: right.as.userId, name: right.as.name } } : {}),
          ...(opened ? { openedStage: opened } : {}),
        });
        // The notices asking for it resolve; the change's people hear the outcome.
        const done = outcome === 'approved' && !opened && (await repos.approvals.forChange(change.id)).every((x) => x.state === 'approved' || x.state === 'withdrawn');
        await notices.approvalVoted(repos, actor, change, active, a, { decision: input.decision, outcome, comment, onBehalfOf: right.as ? { userId: right.as.userId, name: right.as.name } : null, done, nextStage: opened });
        // A freeze exception's approval decided: the exception is granted or refused once its stage is.
        if (outcome !== 'pending' && a.stage === active.bundle.schedule.freezeExceptions?.stage) await deps.schedule.settleException(repos, actor, change, active);
        // The last approval granted: seal the record of them all as evidence.
        if (outcome === 'approved' && !opened) await deps.governance.sealApprovalRecord(repos, actor, change.id, contentHash);
        return { changeId: change.id };
      });
      if (result.stale) {
        // The change moved on by a path that could not reopen it (a CMDB edit changed its risk): reopen now, then refuse.
        await store.transaction((repos) => reconcile(repos, actor, result.changeId, active));
        throw new ConflictError('content_changed', 'The change was changed since this approval was requested; its approvals were requested again for the new content. Decide the new request.', {
          changeId: result.changeId,
        });
      }
      const updated = (await service.listForChange(actor, result.changeId)).find((x) => x.id === approvalId);
      return updated!;
    },
  };
  return service;
}
export type ApprovalService = ReturnType<typeof createApprovalService>;
