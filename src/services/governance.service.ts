import { createHash } from 'node:crypto';
import type { z } from 'zod';
import type { AddEvidenceInput, BreakGlass, BreakGlassInput, CreateDelegationInput, Delegation, Evidence } from '../contracts/governance';
import type { Actor, RoleGrant } from '../domain/actor';
import { canonicalJson } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import { contentFingerprint } from '../domain/approval/content';
import { counts } from '../domain/approval/quorum';
import { partyRole } from '../domain/approval/segregation';
import { assertMayEdit } from '../domain/change/edit-rights';
import { findState } from '../domain/change/lifecycle';
import { ConflictError, ForbiddenError, InputError, NotFoundError, PolicyError } from '../domain/errors';
import type { BreakGlassRecord, ChangeRecord, DelegationRecord, EvidenceRecord, Repositories } from '../db/repositories';
import { gatesFor, unsatisfiedGates } from '../policy/evaluate';
import { audit, type ServiceDeps } from './context';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { OutboxService } from './outbox.service';
import type { RiskService } from './risk.service';
import { changeWords, timeToken } from '../domain/notification/texts';

export interface GovernanceServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  outbox: Pick<OutboxService, 'notify'>;
}

/** Someone's identity as approval rules see it: their teams and roles. */
export interface Principal {
  userId: string;
  name: string;
  teamIds: string[];
  roles: RoleGrant[];
}

/** The content fingerprint a sealed approval record names (null for records sealed before fingerprints). */
function sealedContent(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { contentHash?: unknown };
    return typeof parsed.contentHash === 'string' ? parsed.contentHash : null;
  } catch {
    return null;
  }
}

const sha256 = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

/**
 * The policy's gates and their exceptions: evidence on changes (and the approval record Cabinet seals),
 * break-glass with its mandatory review, and delegation of approvals while someone is away.
 */
export function createGovernanceService(deps: GovernanceServiceDeps) {
  const { store, policy, risk } = deps;
  const nowIso = () => deps.now().toISOString();

  async function loadChange(repos: Repositories, id: string): Promise<ChangeRecord> {
    const change = await repos.changes.findById(id);
    if (!change) throw new NotFoundError('Change', id);
    return change;
  }

  function assertOpen(change: ChangeRecord, active: ActivePolicy, what: string): void {
    const model = active.bundle.models[change.type];
    if (model && findState(model, change.state)?.final) throw new ConflictError('change_closed', `${change.number} is ${change.state}; ${what}.`, { state: change.state });
  }

  /** Every gate that applies to the change on any state, with what it still misses. */
  async function gateStatus(repos: Repositories, change: ChangeRecord, active: ActivePolicy) {
    const context = await risk.contextOf(repos, change, active);
    const held = await heldKinds(repos, change, active);
    const states = [...new Set(active.bundle.gates.flatMap((g) => g.before))];
    const seen = new Map<string, { name: string; reason: string; before: string[]; evidence: string[]; missing: string[]; error: string | null }>();
    for (const state of states) {
      for (const { gate, error } of gatesFor(active.bundle.gates, state, context)) {
        if (!seen.has(gate.name)) seen.set(gate.name, { name: gate.name, reason: gate.reason, before: gate.before, evidence: gate.evidence, missing: gate.evidence.filter((k) => !held.has(k)), error });
      }
    }
    return [...seen.values()];
  }

  /** The gates on entering `to` that the change does not satisfy yet. */
  async function unsatisfiedFor(repos: Repositories, change: ChangeRecord, to: string, active: ActivePolicy) {
    // Most transitions enter a state no gate guards: skip building the context (several reads) for them.
    if (!active.bundle.gates.some((g) => g.before.includes(to))) return [];
    const applicable = gatesFor(active.bundle.gates, to, await risk.contextOf(repos, change, active));
    return unsatisfiedGates(applicable, await heldKinds(repos, change, active));
  }

  /**
   * The kinds of evidence the change holds. A sealed approval record counts only while it names the content
   * the change has now: after a material edit reopened authorization, the old seal no longer satisfies a gate.
   */
  async function heldKinds(repos: Repositories, change: ChangeRecord, active: ActivePolicy): Promise<Set<string>> {
    const held = await repos.governance.evidenceKinds(change.id);
    if (!held.has('approval_record')) return held;
    const fingerprint = contentFingerprint(change, active.bundle.approvals.content.fields);
    const seals = (await repos.governance.evidenceFor(change.id)).filter((e) => e.kind === 'approval_record');
    // NOTE: a record sealed before fingerprints (migration 0012) names no content and still counts.
    if (!seals.some((e) => [null, fingerprint].includes(sealedContent(e.body)))) held.delete('approval_record');
    return held;
  }

  async function presentEvidence(repos: Repositories, rows: EvidenceRecord[]): Promise<Evidence[]> {
    const names = await repos.accounts.userNames(rows.map((r) => r.createdBy).filter((id) => id !== 'system'));
    return rows.map((r) => ({ ...r, kind: r.kind as Evidence['kind'], createdByName: r.createdBy === 'system' ? 'Cabinet' : (names.get(r.createdBy) ?? r.createdBy) }));
  }

  async function presentBreakGlass(repos: Repositories, rows: BreakGlassRecord[]): Promise<BreakGlass[]> {
    const names = await repos.accounts.userNames([...new Set(rows.flatMap((r) => [r.userId, ...(r.reviewedBy ? [r.reviewedBy] : [])]))]);
    const now = nowIso();
    return rows.map((r) => ({
      id: r.id,
      changeId: r.changeId,
      userId: r.userId,
      userName: names.get(r.userId) ?? r.userId,
      reason: r.reason,
      skipped: r.skipped,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      active: r.expiresAt > now,
      usedAt: r.usedAt,
      review: r.reviewedBy && r.reviewedAt ? { by: r.reviewedBy, byName: names.get(r.reviewedBy) ?? r.reviewedBy, at: r.reviewedAt, notes: r.reviewNotes ?? '' } : null,
    }));
  }

  async function presentDelegations(repos: Repositories, rows: DelegationRecord[]): Promise<Delegation[]> {
    const names = await repos.accounts.userNames([...new Set(rows.flatMap((r) => [r.userId, r.delegateId]))]);
    const now = nowIso();
    return rows.map((r) => ({
      id: r.id,
      userId: r.userId,
      userName: names.get(r.userId) ?? r.userId,
      delegateId: r.delegateId,
      delegateName: names.get(r.delegateId) ?? r.delegateId,
      startsAt: r.startsAt,
      endsAt: r.endsAt,
      reason: r.reason,
      createdAt: r.createdAt,
      active: r.startsAt <= now && r.endsAt > now,
    }));
  }

  const service = {
    unsatisfiedFor,

    /**
     * Seals the approval record once every approval the change still needs is approved: the approvals, their
     * votes (with delegations) and the policy version, hashed, as `approval_record` evidence. Inside the
     * caller's transaction; does nothing while any approval is open.
     */
    async sealApprovalRecord(repos: Repositories, actor: Actor, changeId: string, contentHash: string): Promise<void> {
      const approvals = (await repos.approvals.forChange(changeId)).filter((a) => a.state !== 'withdrawn');
      if (approvals.length === 0 || approvals.some((a) => a.state !== 'approved')) return;
      const votes = (await repos.approvals.votesFor(approvals.map((a) => a.id))).filter(counts);
      const record = {
        // The fingerprint of the change's material content these approvals were given for.
        contentHash,
        approvals: approvals.map((a) => ({
          stage: a.stage,
          rule: a.rule,
          approver: a.approverLabel,
          reason: a.reason,
          policyVersion: a.policyVersion,
          decidedAt: a.decidedAt,
          votes: votes
            .filter((v) => v.approvalId === a.id)
            .map((v) => ({ by: v.userName, decision: v.decision, comment: v.comment, at: v.createdAt, contentHash: v.contentHash, ...(v.onBehalfOf ? { onBehalfOf: v.onBehalfOfName } : {}) })),
        })),
      };
      const body = JSON.stringify(record, null, 2);
      const at = nowIso();
      const evidence: EvidenceRecord = { id: deps.newId(), changeId, kind: 'approval_record', title: 'Approval record', body, url: null, sha256: '', createdBy: 'system', createdAt: at };
      evidence.sha256 = sha256({ kind: evidence.kind, title: evidence.title, body, url: null });
      await repos.governance.insertEvidence(evidence);
      await audit(repos, actor, at, 'change.evidence_added', 'change', changeId, { evidenceId: evidence.id, kind: evidence.kind, title: evidence.title, sha256: evidence.sha256 });
    },

    async listEvidence(actor: Actor, changeId: string) {
      assertPermission(actor, 'change.read');
      const active = await policy.active();
      const change = await loadChange(store.repos, changeId);
      return { items: await presentEvidence(store.repos, await store.repos.governance.evidenceFor(change.id)), gates: await gateStatus(store.repos, change, active) };
    },

    /** Attaches evidence (immutable: hashed and audited). 409 on a closed change. */
    async addEvidence(actor: Actor, changeId: string, input: z.output<typeof AddEvidenceInput>): Promise<Evidence> {
      assertPermission(actor, 'change.update');
      const active = await policy.active();
      return store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        assertMayEdit(actor, change);
        assertOpen(change, active, 'evidence can no longer be added');
        const at = nowIso();
        const evidence: EvidenceRecord = {
          id: deps.newId(),
          changeId: change.id,
          kind: input.kind,
          title: input.title,
          body: input.body,
          url: input.url,
          sha256: sha256({ kind: input.kind, title: input.title, body: input.body, url: input.url }),
          createdBy: actor.userId,
          createdAt: at,
        };
        await repos.governance.insertEvidence(evidence);
        await audit(repos, actor, at, 'change.evidence_added', 'change', change.id, { number: change.number, evidenceId: evidence.id, kind: evidence.kind, title: evidence.title, sha256: evidence.sha256 });
        return (await presentEvidence(repos, [evidence]))[0]!;
      });
    },

    /** The bypass in force for the change, if any (read inside the caller's transaction). */
    activeBreakGlass(repos: Repositories, changeId: string): Promise<BreakGlassRecord | null> {
      return repos.governance.activeBreakGlass(changeId, nowIso());
    },

    markBreakGlassUsed(repos: Repositories, id: string): Promise<void> {
      return repos.governance.markBreakGlassUsed(id, nowIso());
    },

    async listBreakGlass(actor: Actor, changeId: string): Promise<BreakGlass[]> {
      assertPermission(actor, 'change.read');
      const change = await loadChange(store.repos, changeId);
      return presentBreakGlass(store.repos, await store.repos.governance.breakGlassFor(change.id));
    },

    /**
     * Break-glass: lets the change pass its pending approvals and unsatisfied gates until it expires. Only the
     * policy's roles, on its change types, with a reason and within its maximum duration. Tells the skipped
     * approvers and flags the change for mandatory review, all in one transaction.
     */
    async breakGlass(actor: Actor, changeId: string, input: z.output<typeof BreakGlassInput>): Promise<BreakGlass> {
      assertPermission(actor, 'change.read');
      const active = await policy.active();
      const rules = active.bundle.breakGlass;
      if (!actor.roles.some((g) => g.role === 'admin' || rules.roles.includes(g.role))) {
        throw new ForbiddenError(`Only ${rules.roles.join(', ')} may break glass.`, 'break_glass_not_permitted', { roles: rules.roles });
      }
      const maxMinutes = rules.maxDurationMs / 60_000;
      if (input.durationMinutes > maxMinutes) {
        throw new InputError('The bypass would last too long.', [{ path: 'durationMinutes', message: `the policy allows at most ${maxMinutes} minutes` }]);
      }
      return store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        if (!rules.types.includes(change.type)) {
          throw new PolicyError('break_glass_not_applicable', `Break-glass is for ${rules.types.join(', ')} changes; ${change.number} is a ${change.type} change.`, { type: change.type, types: rules.types });
        }
        assertOpen(change, active, 'there is nothing left to bypass');
        const at = nowIso();
        if (await repos.governance.activeBreakGlass(change.id, at)) throw new ConflictError('break_glass_active', `${change.number} already has a bypass in force.`);
        const open = (await repos.approvals.forChange(change.id)).filter((a) => a.state !== 'approved' && a.state !== 'withdrawn');
        const gates = (await gateStatus(repos, change, active)).filter((g) => g.missing.length > 0);
        const record: BreakGlassRecord = {
          id: deps.newId(),
          changeId: change.id,
          userId: actor.userId,
          reason: input.reason,
          skipped: { approvals: open.map((a) => ({ id: a.id, rule: a.rule, approver: a.approverLabel, state: a.state })), gates: gates.map((g) => ({ name: g.name, missing: g.missing })) },
          createdAt: at,
          expiresAt: new Date(deps.now().getTime() + input.durationMinutes * 60_000).toISOString(),
          usedAt: null,
          reviewedBy: null,
          reviewedAt: null,
          reviewNotes: null,
        };
        await repos.governance.insertBreakGlass(record);
        // The flag is part of the change: bump its version so an editor holding the old one is told.
        if (!(await repos.changes.update({ ...change, reviewRequired: true, version: change.version + 1, updatedAt: at }, change.version))) {
          throw new ConflictError('stale_version', `${change.number} changed meanwhile; try again.`);
        }
        await audit(repos, actor, at, 'change.break_glass', 'change', change.id, {
          number: change.number,
          reason: input.reason,
          expiresAt: record.expiresAt,
          skipped: record.skipped,
          changes: { reviewRequired: { from: change.reviewRequired, to: true } },
        });
        const recipients = [...new Map(open.map((a) => [`${a.approverKind}:${a.approverRef}`, { kind: a.approverKind, ref: a.approverRef }])).values()];
        if (recipients.length > 0) {
          await deps.outbox.notify(repos, {
            recipients,
            kind: 'break_glass',
            title: `Your approval of ${changeWords(change)} was bypassed by ${actor.name}.`,
            body: `${actor.name} broke glass on it until ${timeToken(record.expiresAt)}: ${input.reason}. The change will be reviewed after the fact.`,
            changeId: change.id,
          });
        }
        return (await presentBreakGlass(repos, [record]))[0]!;
      });
    },

    /** The after-the-fact review of a bypass, by a change manager other than the one who broke glass. */
    async reviewBreakGlass(actor: Actor, changeId: string, breakGlassId: string, notes: string): Promise<BreakGlass> {
      assertPermission(actor, 'change.review_break_glass');
      return store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        const record = (await repos.governance.breakGlassFor(change.id)).find((b) => b.id === breakGlassId);
        if (!record) throw new NotFoundError('Break-glass', breakGlassId);
        if (record.userId === actor.userId) throw new ForbiddenError('Someone other than the person who broke glass must review it.', 'segregation_of_duties', { userId: record.userId });
        const party = partyRole(change, actor.userId);
        if (party) throw new ForbiddenError(`You are the ${party} of ${change.number}; someone who is not a party to it must review the bypass.`, 'segregation_of_duties', { changeId: change.id });
        const at = nowIso();
        if (!(await repos.governance.reviewBreakGlass(record.id, actor.userId, at, notes))) throw new ConflictError('already_reviewed', 'This bypass has already been reviewed.');
        const outstanding = (await repos.governance.breakGlassFor(change.id)).some((b) => b.reviewedAt === null);
        if (!outstanding) await repos.governance.setReviewRequired(change.id, false);
        await audit(repos, actor, at, 'change.break_glass_reviewed', 'change', change.id, {
          number: change.number,
          breakGlassId: record.id,
          notes,
          ...(outstanding ? {} : { changes: { reviewRequired: { from: true, to: false } } }),
        });
        return (await presentBreakGlass(repos, [(await repos.governance.breakGlassFor(change.id)).find((b) => b.id === record.id)!]))[0]!;
      });
    },

    async listDelegations(actor: Actor): Promise<{ given: Delegation[]; received: Delegation[] }> {
      const rows = await store.repos.governance.delegationsOf(actor.userId, nowIso());
      const all = await presentDelegations(store.repos, rows);
      return { given: all.filter((d) => d.userId === actor.userId), received: all.filter((d) => d.delegateId === actor.userId) };
    },

    /** Lets someone decide approvals for the actor while they are away. */
    async createDelegation(actor: Actor, input: z.output<typeof CreateDelegationInput>): Promise<Delegation> {
      assertPermission(actor, 'approval.decide');
      return store.transaction(async (repos) => {
        const issues = [];
        if (input.delegateId === actor.userId) issues.push({ path: 'delegateId', message: 'delegate to someone else' });
        const delegate = await repos.accounts.findUserById(input.delegateId);
        if (!delegate || delegate.disabled) issues.push({ path: 'delegateId', message: `unknown or disabled user ${input.delegateId}` });
        if (input.endsAt <= nowIso()) issues.push({ path: 'endsAt', message: 'must be in the future' });
        if (issues.length > 0) throw new InputError('The delegation has invalid values.', issues);
        const record: DelegationRecord = { id: deps.newId(), userId: actor.userId, delegateId: input.delegateId, startsAt: input.startsAt, endsAt: input.endsAt, reason: input.reason, createdAt: nowIso(), revokedAt: null };
        await repos.governance.insertDelegation(record);
        await audit(repos, actor, record.createdAt, 'delegation.created', 'user', actor.userId, { delegationId: record.id, delegateId: record.delegateId, startsAt: record.startsAt, endsAt: record.endsAt, reason: record.reason });
        return (await presentDelegations(repos, [record]))[0]!;
      });
    },

    async revokeDelegation(actor: Actor, id: string): Promise<void> {
      await store.transaction(async (repos) => {
        const record = await repos.governance.findDelegation(id);
        if (!record || (record.userId !== actor.userId && !actor.roles.some((g) => g.role === 'admin'))) throw new NotFoundError('Delegation', id);
        if (!(await repos.governance.revokeDelegation(id, nowIso()))) throw new ConflictError('delegation_revoked', 'This delegation was already revoked.');
        await audit(repos, actor, nowIso(), 'delegation.revoked', 'user', record.userId, { delegationId: id, delegateId: record.delegateId });
      });
    },

    /** The people who have delegated to `userId` right now, with their teams and roles. */
    async delegatorsOf(repos: Repositories, userId: string): Promise<Principal[]> {
      const delegations = await repos.governance.activeDelegationsTo(userId, nowIso());
      const people: Principal[] = [];
      for (const d of delegations) {
        const user = await repos.accounts.findUserById(d.userId);
        if (user && !user.disabled && !people.some((p) => p.userId === user.id)) people.push({ userId: user.id, name: user.name, teamIds: user.teamIds, roles: user.roles });
      }
      return people;
    },
  };
  return service;
}
export type GovernanceService = ReturnType<typeof createGovernanceService>;
