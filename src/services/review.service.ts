import type { z } from 'zod';
import type { CreateReviewActionInput, Review, ReviewAction, ReviewQueueItem, UpdateReviewActionInput, UpdateReviewInput } from '../contracts/reviews';
import type { Actor } from '../domain/actor';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { findState } from '../domain/change/lifecycle';
import { ConflictError, ForbiddenError, NotFoundError, PolicyError, StaleVersionError, type Issue } from '../domain/errors';
import { changeWords, timeToken } from '../domain/notification/texts';
import type { ChangeRecord, Repositories, ReviewActionRecord, ReviewRecord } from '../db/repositories';
import { evaluateCondition } from '../policy/evaluate';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import type { OutboxService } from './outbox.service';
import type { ActivePolicy, PolicyService } from './policy.service';
import type { RiskService } from './risk.service';
import type { SubscriptionService } from './subscription.service';

const DAY = 86_400_000;
const FAILED = ['unsuccessful', 'rolled_back'];
/** The id of the model state a change enters when its implementation ends and its review begins. */
export const REVIEW_STATE = 'review';
/** How far back completed reviews' findings count in the risk of the next change (docs/policy.md). */
export const FINDINGS_DAYS = 90;

export interface ReviewServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  outbox: OutboxService;
  subscriptions: SubscriptionService;
}

/** What a review still needs before it can be completed, each at the field it concerns. */
export function missingForCompletion(review: Pick<ReviewRecord, 'wentWell' | 'wentBadly'>, actions: readonly Pick<ReviewActionRecord, 'ownerId' | 'dueAt' | 'title'>[]): Issue[] {
  const missing: Issue[] = [];
  if (review.wentWell.trim() === '' && review.wentBadly.trim() === '') missing.push({ path: 'findings', message: 'record the findings: what went well, what did not' });
  actions.forEach((a, i) => {
    if (!a.ownerId) missing.push({ path: `actions.${i}.ownerId`, message: `give the action "${a.title}" an owner` });
    if (!a.dueAt) missing.push({ path: `actions.${i}.dueAt`, message: `give the action "${a.title}" a due date` });
  });
  return missing;
}

/**
 * The refusal of a move to a final state while the change's required review is not completed. When the review
 * did not exist yet, `pending` holds what to create: the transaction that refused rolls back, so the change
 * service creates it in one of its own (`recordRefusal`) before answering.
 */
export class ReviewRequiredError extends PolicyError {
  constructor(
    message: string,
    details: Record<string, unknown>,
    readonly pending: { changeId: string; reasons: { name: string; reason: string }[] } | null,
  ) {
    super('review_required', message, details);
  }
}

/**
 * Post-implementation reviews (docs/learning.md): which changes need one (reviews.yaml), their creation when
 * the change enters review or closes, the reviewers' findings and actions, completion, the queue, the overdue
 * notice, and the facts they add to the risk of the next change on the same CIs, team and template.
 */
export function createReviewService(deps: ReviewServiceDeps) {
  const { store, policy, risk, outbox, subscriptions } = deps;
  const nowIso = () => deps.now().toISOString();

  /** The rules' scope for a change: its context, its risk, and what came of it (reviews.yaml). */
  async function contextOf(repos: Repositories, change: ChangeRecord, active: ActivePolicy, finalState: string): Promise<Record<string, unknown>> {
    const context = await risk.approvalContextOf(repos, change, active);
    const incidents = await repos.reviews.incidentsCausedBy(change.id);
    const brokeGlass = (await repos.governance.breakGlassFor(change.id)).length > 0;
    const worst = incidents.length > 0 ? Math.min(...incidents.map((i) => i.priority)) : 0;
    return {
      ...context,
      outcome: {
        closeCode: change.closeCode ?? '',
        failed: change.closeCode !== null && FAILED.includes(change.closeCode),
        incidentsCaused: BigInt(incidents.length),
        worstIncidentPriority: BigInt(worst),
        brokeGlass,
        finalState,
      },
    };
  }

  /** The rules that ask for a review of the change, and whether closing waits for it. */
  async function requirement(repos: Repositories, change: ChangeRecord, active: ActivePolicy, finalState: string): Promise<{ reasons: { name: string; reason: string }[]; blocks: boolean }> {
    const section = active.bundle.reviews;
    const context = await contextOf(repos, change, active, finalState);
    // A rule that cannot be evaluated asks for a review: better one review too many than a failure unexamined.
    const reasons = section.rules.filter((r) => evaluateCondition(r.when, context, true).holds).map((r) => ({ name: r.name, reason: r.reason }));
    const blocks = typeof section.blockClose === 'boolean' ? section.blockClose : evaluateCondition(section.blockClose, context, true).holds;
    return { reasons, blocks };
  }

  /** Creates the change's review unless it has one (one per change, whoever races); audited and announced once. */
  async function open(repos: Repositories, actor: Actor, change: ChangeRecord, reasons: { name: string; reason: string }[], active: ActivePolicy): Promise<ReviewRecord> {
    const at = nowIso();
    const record: ReviewRecord = {
      id: deps.newId(),
      changeId: change.id,
      state: 'open',
      reasons,
      dueAt: new Date(Date.parse(at) + active.bundle.reviews.dueDays * DAY).toISOString(),
      wentWell: '',
      wentBadly: '',
      factors: [],
      reviewerIds: [],
      completedBy: null,
      completedAt: null,
      overdueNotifiedAt: null,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    if (await repos.reviews.insertIfAbsent(record)) {
      await audit(repos, actor, at, 'review.created', 'change', change.id, { number: change.number, reviewId: record.id, dueAt: record.dueAt, reasons: reasons.map((r) => r.name) });
      await outbox.notify(repos, {
        recipients: peopleOf(change),
        kind: 'review_requested',
        title: `${changeWords(change)} needs a post-implementation review by ${timeToken(record.dueAt)}.`,
        body: `${reasons.map((r) => r.reason).join(' ')} Record what went well, what did not, the contributing factors and the actions on its Review tab.`,
        changeId: change.id,
      });
      return record;
    }
    return (await repos.reviews.findByChange(change.id))!;
  }

  function peopleOf(change: ChangeRecord): { kind: 'user' | 'team'; ref: string }[] {
    const users = [...new Set([change.ownerId ?? change.requesterId, change.implementerId].filter((id): id is string => id !== null))];
    return users.map((ref) => ({ kind: 'user' as const, ref }));
  }

  /** The change's owner, implementer, a member of its team, or a change manager (docs/security.md). */
  function mayWrite(actor: Actor, change: ChangeRecord): boolean {
    if (hasPermission(actor, 'review.write_any')) return true;
    if (!hasPermission(actor, 'change.read')) return false;
    if (actor.userId === (change.ownerId ?? change.requesterId) || actor.userId === change.implementerId) return true;
    return change.assignmentTeamId !== null && actor.teamIds.includes(change.assignmentTeamId);
  }

  function assertMayWrite(actor: Actor, change: ChangeRecord): void {
    if (!mayWrite(actor, change)) {
      throw new ForbiddenError(`Only the owner, the implementer, the assignment team of ${change.number} or a change manager may write in its review.`, 'review_not_permitted');
    }
  }

  /** The change (locked until commit, so writes to its review take turns with its moves) and its review; 404 when it has none. */
  async function loadForWrite(repos: Repositories, actor: Actor, changeRef: string): Promise<{ change: ChangeRecord; review: ReviewRecord }> {
    const scope = await subscriptions.readScope(actor);
    const readable = await subscriptions.readable(repos, scope, changeRef);
    const change = (await repos.changes.findById(readable.id, { lock: true }))!;
    const review = await repos.reviews.findByChange(change.id);
    if (!review) throw noReview(change);
    assertMayWrite(actor, change);
    return { change, review };
  }

  function noReview(change: ChangeRecord): NotFoundError {
    const err = new NotFoundError('Review of change', change.number);
    err.message = `${change.number} has no post-implementation review: the policy does not ask for one (or not yet: it is created when the change enters review or closes).`;
    return err;
  }

  async function checkAction(repos: Repositories, input: { ownerId?: string | null; link?: { kind: 'problem' | 'change'; id: string } | null }, issues: Issue[]): Promise<ReviewActionRecord['link']> {
    if (input.ownerId && !(await repos.accounts.existingUserIds([input.ownerId])).has(input.ownerId)) issues.push({ path: 'ownerId', message: `unknown user ${input.ownerId}` });
    if (!input.link) return null;
    if (input.link.kind === 'problem') {
      const problem = await repos.reviews.findProblem(input.link.id);
      if (!problem) issues.push({ path: 'link.id', message: `unknown problem ${input.link.id}` });
      return problem ? { kind: 'problem', id: problem.id } : null;
    }
    const change = await repos.changes.findById(input.link.id);
    if (!change) issues.push({ path: 'link.id', message: `unknown change ${input.link.id}` });
    return change ? { kind: 'change', id: change.id } : null;
  }

  /** After a write in the review: an untouched review is now in progress. */
  async function touched(repos: Repositories, review: ReviewRecord, at: string): Promise<void> {
    if (review.state !== 'open') return;
    await repos.reviews.update({ ...review, state: 'in_progress', updatedAt: at }, review.version);
  }

  async function present(repos: Repositories, actor: Actor, change: ChangeRecord, review: ReviewRecord, active: ActivePolicy): Promise<Review> {
    const actions = await repos.reviews.actions(review.id);
    const incidents = await repos.reviews.incidentsCausedBy(change.id);
    const breakGlass = await repos.governance.breakGlassFor(change.id);
    const userIds = [...new Set([...review.reviewerIds, ...actions.map((a) => a.ownerId), review.completedBy].filter((id): id is string => id !== null))];
    const names = await repos.accounts.userNames(userIds);
    const problemIds = actions.filter((a) => a.link?.kind === 'problem').map((a) => a.link!.id);
    const problems = new Map((await repos.reviews.problemsByIds(problemIds)).map((p) => [p.id, p]));
    const linkedChanges = new Map((await repos.changes.findManyByIds(actions.filter((a) => a.link?.kind === 'change').map((a) => a.link!.id))).map((c) => [c.id, c]));
    const now = nowIso();
    const storedRisk = await repos.changes.risk(change.id);
    const blocksClose = typeof active.bundle.reviews.blockClose === 'boolean' ? active.bundle.reviews.blockClose : (await requirement(repos, change, active, '')).blocks;
    const presentAction = (a: ReviewActionRecord): ReviewAction => {
      const linked = a.link ? (a.link.kind === 'problem' ? problems.get(a.link.id) : linkedChanges.get(a.link.id)) : undefined;
      return {
        id: a.id,
        title: a.title,
        ownerId: a.ownerId,
        ownerName: a.ownerId ? (names.get(a.ownerId) ?? null) : null,
        dueAt: a.dueAt,
        state: a.state,
        overdue: a.state === 'open' && a.dueAt !== null && a.dueAt < now,
        link: a.link ? { kind: a.link.kind, id: a.link.id, number: linked?.number ?? null, title: linked?.title ?? null } : null,
        doneAt: a.doneAt,
        createdAt: a.createdAt,
      };
    };
    return {
      id: review.id,
      changeId: change.id,
      state: review.state,
      reasons: review.reasons,
      dueAt: review.dueAt,
      overdue: review.state !== 'completed' && review.dueAt < now,
      blocksClose,
      wentWell: review.wentWell,
      wentBadly: review.wentBadly,
      factors: review.factors,
      reviewers: review.reviewerIds.map((id) => ({ id, name: names.get(id) ?? id })),
      actions: actions.map(presentAction),
      missing: review.state === 'completed' ? [] : missingForCompletion(review, actions),
      completedBy: review.completedBy ? { id: review.completedBy, name: names.get(review.completedBy) ?? review.completedBy } : null,
      completedAt: review.completedAt,
      change: {
        id: change.id,
        number: change.number,
        title: change.title,
        type: change.type,
        state: change.state,
        ownerId: change.ownerId,
        riskLevel: storedRisk ? (storedRisk.override?.level ?? storedRisk.level) : null,
        riskScore: storedRisk?.score ?? null,
        closeCode: change.closeCode,
        closeNotes: change.closeNotes,
        plannedStart: change.plannedStart,
        plannedEnd: change.plannedEnd,
        actualStart: change.actualStart,
        actualEnd: change.actualEnd,
        incidents,
        brokeGlass: breakGlass.length > 0,
      },
      timeline: timelineOf(await repos.audit.forEntity('change', change.id)),
      canEdit: mayWrite(actor, change),
      version: review.version,
      createdAt: review.createdAt,
      updatedAt: review.updatedAt,
    };
  }

  async function read(repos: Repositories, actor: Actor, changeId: string, active: ActivePolicy): Promise<Review> {
    const change = (await repos.changes.findById(changeId))!;
    const review = (await repos.reviews.findByChange(change.id))!;
    return present(repos, actor, change, review, active);
  }

  const service = {
    /**
     * Called by the change service inside a move (after the break-glass review check), the one place every
     * path to a final state passes: entering the model's `review` state creates the review the policy asks
     * for; entering a final state (but the exempt ones) while a required review is not completed is refused
     * with 422 `review_required` when the policy blocks closing, and otherwise creates the review as it closes.
     */
    async changeMoving(repos: Repositories, actor: Actor, before: ChangeRecord, to: string, active: ActivePolicy): Promise<void> {
      const model = active.bundle.models[before.type];
      const target = model ? findState(model, to) : undefined;
      const section = active.bundle.reviews;
      if (to === REVIEW_STATE && target && !target.final) {
        const { reasons } = await requirement(repos, before, active, '');
        if (reasons.length > 0) await open(repos, actor, before, reasons, active);
        return;
      }
      if (!target?.final || section.exemptStates.includes(to)) return;
      const existing = await repos.reviews.findByChange(before.id);
      if (existing?.state === 'completed') return;
      const { reasons, blocks } = await requirement(repos, before, active, to);
      if (!existing && reasons.length === 0) return;
      if (!blocks) {
        if (!existing) await open(repos, actor, before, reasons, active);
        return;
      }
      const missing = existing ? missingForCompletion(existing, await repos.reviews.actions(existing.id)) : missingForCompletion({ wentWell: '', wentBadly: '' }, []);
      const why = (existing?.reasons ?? reasons).map((r) => r.reason).join(' ');
      throw new ReviewRequiredError(
        `${before.number} cannot be ${to} until its post-implementation review is completed. ${why} ` +
          `Record the findings and the actions on its Review tab, then complete it${missing.length > 0 ? `; it still needs: ${missing.map((m) => m.message).join('; ')}` : ''}.`,
        { from: before.state, to, review: { id: existing?.id ?? null, state: existing?.state ?? 'open', missing } },
        existing ? null : { changeId: before.id, reasons },
      );
    },

    /**
     * After a refused close rolled back: creates the review the refusal asked for (in a transaction of its own)
     * and names it in the error, so the reviewers have something to fill in.
     */
    async recordRefusal(actor: Actor, err: unknown): Promise<void> {
      if (!(err instanceof ReviewRequiredError) || !err.pending) return;
      const pending = err.pending;
      const active = await policy.active();
      const created = await store.transaction(async (repos) => {
        const change = await repos.changes.findById(pending.changeId);
        return change ? open(repos, actor, change, pending.reasons, active) : null;
      });
      if (created) (err.details.review as { id: string | null }).id = created.id;
    },

    /**
     * Opens the review of a change that is in review or finished (but an exempt state) when the policy asks for
     * one now and it has none: an incident tied to it after it entered review, say. Null when none is needed.
     */
    async reconsider(actor: Actor, changeRef: string): Promise<ReviewRecord | null> {
      const active = await policy.active();
      return store.transaction(async (repos) => {
        const change = await repos.changes.findById(changeRef, { lock: true });
        if (!change) throw new NotFoundError('Change', changeRef);
        const existing = await repos.reviews.findByChange(change.id);
        if (existing) return existing;
        const model = active.bundle.models[change.type];
        const state = model ? findState(model, change.state) : undefined;
        const finished = change.state === REVIEW_STATE || (state?.final === true && !active.bundle.reviews.exemptStates.includes(change.state));
        if (!finished) return null;
        const { reasons } = await requirement(repos, change, active, state?.final ? change.state : '');
        return reasons.length > 0 ? open(repos, actor, change, reasons, active) : null;
      });
    },

    /** The change's review, assembled for the reviewers; 404 `not_found` when the change has none. */
    async get(actor: Actor, changeRef: string): Promise<Review> {
      assertPermission(actor, 'change.read');
      const change = await subscriptions.readable(store.repos, await subscriptions.readScope(actor), changeRef);
      const review = await store.repos.reviews.findByChange(change.id);
      if (!review) throw noReview(change);
      return present(store.repos, actor, change, review, await policy.active());
    },

    /** Writes the findings, factors and reviewers (version required); 409 once completed. */
    async update(actor: Actor, changeRef: string, input: z.output<typeof UpdateReviewInput>, version: number): Promise<Review> {
      assertPermission(actor, 'change.read');
      const active = await policy.active();
      return store.transaction(async (repos) => {
        const { change, review } = await loadForWrite(repos, actor, changeRef);
        if (review.state === 'completed') throw new ConflictError('review_completed', `The review of ${change.number} was completed ${review.completedAt}; it can no longer change (its actions still can).`);
        if (version !== review.version) throw new StaleVersionError('Review of', change.number, version, review.version);
        const issues: Issue[] = [];
        const reviewerIds = input.reviewerIds ? [...new Set(input.reviewerIds)] : review.reviewerIds;
        if (input.reviewerIds) {
          const known = await repos.accounts.existingUserIds(reviewerIds);
          reviewerIds.forEach((id, i) => {
            if (!known.has(id)) issues.push({ path: `reviewerIds.${i}`, message: `unknown user ${id}` });
          });
        }
        throwIfIssues(issues);
        const at = nowIso();
        const after: ReviewRecord = {
          ...review,
          wentWell: input.wentWell ?? review.wentWell,
          wentBadly: input.wentBadly ?? review.wentBadly,
          factors: input.factors ?? review.factors,
          reviewerIds,
          state: 'in_progress',
          version: review.version + 1,
          updatedAt: at,
        };
        if (!(await repos.reviews.update(after, review.version))) throw new StaleVersionError('Review of', change.number, version, review.version + 1);
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const key of ['wentWell', 'wentBadly', 'factors', 'reviewerIds', 'state'] as const) {
          if (JSON.stringify(review[key]) !== JSON.stringify(after[key])) changes[key] = { from: review[key], to: after[key] };
        }
        await audit(repos, actor, at, 'review.updated', 'change', change.id, { number: change.number, reviewId: review.id, changes });
        return read(repos, actor, change.id, active);
      });
    },

    async addAction(actor: Actor, changeRef: string, input: z.output<typeof CreateReviewActionInput>): Promise<Review> {
      assertPermission(actor, 'change.read');
      const active = await policy.active();
      return store.transaction(async (repos) => {
        const { change, review } = await loadForWrite(repos, actor, changeRef);
        const issues: Issue[] = [];
        const link = await checkAction(repos, input, issues);
        if (review.state === 'completed') {
          if (!input.ownerId) issues.push({ path: 'ownerId', message: 'the review is completed: a new action needs an owner' });
          if (!input.dueAt) issues.push({ path: 'dueAt', message: 'the review is completed: a new action needs a due date' });
        }
        throwIfIssues(issues);
        const at = nowIso();
        const action: ReviewActionRecord = { id: deps.newId(), reviewId: review.id, title: input.title, ownerId: input.ownerId, dueAt: input.dueAt, state: 'open', link, doneAt: null, createdBy: actor.userId, createdAt: at, updatedAt: at };
        await repos.reviews.insertAction(action);
        await touched(repos, review, at);
        await audit(repos, actor, at, 'review.action_added', 'change', change.id, { number: change.number, reviewId: review.id, actionId: action.id, title: action.title, ownerId: action.ownerId, dueAt: action.dueAt, link });
        if (action.ownerId && action.ownerId !== actor.userId) {
          await outbox.notify(repos, {
            recipients: [{ kind: 'user', ref: action.ownerId }],
            kind: 'review_requested',
            title: `An action from the review of ${changeWords(change)} is yours: ${action.title}`,
            body: action.dueAt ? `It is due ${timeToken(action.dueAt)}.` : 'It has no due date yet.',
            changeId: change.id,
          });
        }
        return read(repos, actor, change.id, active);
      });
    },

    /** Edits an action or marks it done (or open again); still possible after the review is completed. */
    async updateAction(actor: Actor, changeRef: string, actionId: string, input: z.output<typeof UpdateReviewActionInput>): Promise<Review> {
      assertPermission(actor, 'change.read');
      const active = await policy.active();
      return store.transaction(async (repos) => {
        const { change, review } = await loadForWrite(repos, actor, changeRef);
        const before = (await repos.reviews.actions(review.id)).find((a) => a.id === actionId);
        if (!before) throw new NotFoundError('Review action', actionId);
        const issues: Issue[] = [];
        const link = input.link === undefined ? before.link : await checkAction(repos, { link: input.link }, issues);
        if (input.ownerId !== undefined) await checkAction(repos, { ownerId: input.ownerId }, issues);
        const at = nowIso();
        const state = input.state ?? before.state;
        const after: ReviewActionRecord = {
          ...before,
          title: input.title ?? before.title,
          ownerId: input.ownerId === undefined ? before.ownerId : input.ownerId,
          dueAt: input.dueAt === undefined ? before.dueAt : input.dueAt,
          link,
          state,
          doneAt: state === 'done' ? (before.doneAt ?? at) : null,
          updatedAt: at,
        };
        if (review.state === 'completed') {
          if (!after.ownerId) issues.push({ path: 'ownerId', message: 'the review is completed: its actions keep an owner' });
          if (!after.dueAt) issues.push({ path: 'dueAt', message: 'the review is completed: its actions keep a due date' });
        }
        throwIfIssues(issues);
        await repos.reviews.updateAction(after);
        await touched(repos, review, at);
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        for (const key of ['title', 'ownerId', 'dueAt', 'link', 'state'] as const) {
          if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key], to: after[key] };
        }
        await audit(repos, actor, at, 'review.action_updated', 'change', change.id, { number: change.number, reviewId: review.id, actionId, title: after.title, changes });
        return read(repos, actor, change.id, active);
      });
    },

    /** Signs the review off: 422 `review_incomplete` listing every missing part; 409 when already completed. */
    async complete(actor: Actor, changeRef: string, version: number | undefined): Promise<Review> {
      assertPermission(actor, 'change.read');
      const active = await policy.active();
      return store.transaction(async (repos) => {
        const { change, review } = await loadForWrite(repos, actor, changeRef);
        if (review.state === 'completed') throw new ConflictError('review_completed', `The review of ${change.number} is already completed.`);
        if (version !== undefined && version !== review.version) throw new StaleVersionError('Review of', change.number, version, review.version);
        const missing = missingForCompletion(review, await repos.reviews.actions(review.id));
        if (missing.length > 0) {
          throw new PolicyError('review_incomplete', `The review of ${change.number} cannot be completed yet: ${missing.map((m) => m.message).join('; ')}.`, { issues: missing });
        }
        const at = nowIso();
        const after: ReviewRecord = { ...review, state: 'completed', completedBy: actor.userId, completedAt: at, version: review.version + 1, updatedAt: at };
        if (!(await repos.reviews.update(after, review.version))) throw new StaleVersionError('Review of', change.number, review.version, review.version + 1);
        await audit(repos, actor, at, 'review.completed', 'change', change.id, { number: change.number, reviewId: review.id, changes: { state: { from: review.state, to: 'completed' } } });
        return read(repos, actor, change.id, active);
      });
    },

    /** The review queue: by state, optionally only the reader's (owner, implementer, team); overdue ones flagged. */
    async queue(actor: Actor, query: { state: 'open' | 'overdue' | 'completed' | 'all'; mine: boolean }): Promise<{ items: ReviewQueueItem[] }> {
      assertPermission(actor, 'change.read');
      const now = nowIso();
      const rows = await store.repos.reviews.queue({ state: query.state, now, ...(query.mine ? { userId: actor.userId } : {}) });
      const scope = await subscriptions.readScope(actor);
      let visible = rows;
      if (scope) {
        const changes = new Map((await store.repos.changes.findManyByIds(rows.map((r) => r.change.id))).map((c) => [c.id, c]));
        visible = rows.filter((r) => changes.get(r.change.id)?.ciIds.some((id) => scope.has(id)));
      }
      return {
        items: visible.map((r) => ({
          id: r.review.id,
          state: r.review.state,
          dueAt: r.review.dueAt,
          overdue: r.review.state !== 'completed' && r.review.dueAt < now,
          completedAt: r.review.completedAt,
          reasons: r.review.reasons.map((x) => x.reason),
          openActions: r.openActions,
          change: { id: r.change.id, number: r.change.number, title: r.change.title, type: r.change.type, state: r.change.state },
          owner: r.change.ownerId ? { id: r.change.ownerId, name: r.change.ownerName ?? r.change.ownerId } : null,
        })),
      };
    },

    /** Facts for the risk context: open review actions and recent findings on the change's CIs, team and template. */
    async learningOf(repos: Repositories, change: Pick<ChangeRecord, 'id' | 'ciIds' | 'assignmentTeamId' | 'templateId'>, since: string): Promise<{ openReviewActions: number; reviewFindings90d: number }> {
      const scope = { ciIds: change.ciIds, teamId: change.assignmentTeamId, templateId: change.templateId, excludeChangeId: change.id };
      const learned = await repos.reviews.learningOn(scope, since);
      return { openReviewActions: learned.openActions, reviewFindings90d: learned.findings };
    },

    /** Worker: tells the owner and implementer of each review that fell overdue, once (claimed per review). */
    async tick(): Promise<{ reviewsOverdue: number }> {
      const now = nowIso();
      let told = 0;
      for (const review of await store.repos.reviews.overdueUnnotified(now)) {
        const sent = await store.transaction(async (repos) => {
          if (!(await repos.reviews.markOverdueNotified(review.id, now))) return false;
          const change = await repos.changes.findById(review.changeId);
          if (!change) return false;
          await audit(repos, { userId: 'system', email: 'system@cabinet.local', name: 'Cabinet', roles: [], teamIds: [], requestId: 'worker', via: 'system' }, now, 'review.overdue', 'change', change.id, { number: change.number, reviewId: review.id, dueAt: review.dueAt });
          await outbox.notify(repos, {
            recipients: peopleOf(change),
            kind: 'review_overdue',
            title: `The post-implementation review of ${changeWords(change)} is overdue.`,
            body: `It was due ${timeToken(review.dueAt)}. Record the findings and the actions on its Review tab, then complete it.`,
            changeId: change.id,
          });
          return true;
        });
        if (sent) told++;
      }
      return { reviewsOverdue: told };
    },
  };
  return service;
}
export type ReviewService = ReturnType<typeof createReviewService>;

/** The moments of a change's audit trail the reviewers need, in order, in words. */
export function timelineOf(events: readonly { at: string; action: string; actorName: string; data: Record<string, unknown> }[]): Review['timeline'] {
  const out: Review['timeline'] = [];
  for (const e of events) {
    const d = e.data;
    const str = (v: unknown) => (typeof v === 'string' ? v : '');
    let entry: { kind: Review['timeline'][number]['kind']; summary: string } | null;
    switch (e.action) {
      case 'change.created':
        entry = { kind: 'created', summary: 'Filed the change.' };
        break;
      case 'change.transitioned':
        entry = { kind: 'transition', summary: `Moved it from ${str(d.from)} to ${str(d.to)}${d.automatic ? ' (automatically)' : ''}${d.comment ? `: ${str(d.comment)}` : ''}.` };
        break;
      case 'change.approvals_requested':
        entry = { kind: 'approval', summary: 'Asked for its approvals.' };
        break;
      case 'approval.decided':
        entry = { kind: 'approval', summary: `${str(d.decision) === 'approve' || str(d.decision) === 'approved' ? 'Approved' : `Decided (${str(d.decision)})`} as ${str(d.approver) || str(d.rule)}${d.comment ? `: ${str(d.comment)}` : ''}.` };
        break;
      case 'change.authorization_reopened':
        entry = { kind: 'approval', summary: 'Its authorization was reopened.' };
        break;
      case 'change.evidence_added':
        entry = { kind: 'evidence', summary: `Attached evidence (${str(d.kind).replace(/_/g, ' ')}): ${str(d.title)}.` };
        break;
      case 'change.break_glass':
        entry = { kind: 'break_glass', summary: `Broke glass: ${str(d.reason)}.` };
        break;
      case 'change.break_glass_used':
        entry = { kind: 'break_glass', summary: `The bypass let it into ${str(d.to)}.` };
        break;
      case 'change.break_glass_reviewed':
        entry = { kind: 'break_glass', summary: 'Reviewed the break-glass bypass.' };
        break;
      case 'change.incident_linked':
        entry = { kind: 'incident', summary: `Incident ${str(d.incident)} was tied to it as caused by the change.` };
        break;
      case 'change.incident_unlinked':
        entry = { kind: 'incident', summary: `Incident ${str(d.incident)} was no longer tied to it.` };
        break;
      case 'change.risk_overridden':
        entry = { kind: 'risk', summary: 'Overrode its risk level.' };
        break;
      case 'change.held':
      case 'change.released':
        entry = { kind: 'other', summary: e.action === 'change.held' ? 'It was put on hold by a freeze.' : 'It was released from its hold.' };
        break;
      default:
        entry = null;
    }
    if (entry) out.push({ at: e.at, action: e.action, actorName: e.actorName, ...entry });
  }
  return out;
}
