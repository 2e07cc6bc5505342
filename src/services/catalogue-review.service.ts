import type { CatalogueReview, CatalogueReviewQuery, DecideReviewInput, ReviewCadenceInput, ReviewScheduleItem } from '../contracts/catalogue-learning';
import type { Template } from '../contracts/templates';
import { systemActor, type Actor } from '../domain/actor';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { graceEndsAt, nextReviewAfter, reviewDueAt } from '../domain/catalogue/learning';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import type { CatalogueReviewRecord, Repositories } from '../db/repositories';
import { REVIEW_DEFAULTS } from '../policy/catalogue.schema';
import { audit, type ServiceDeps } from './context';
import type { OutboxService } from './outbox.service';
import type { PolicyService } from './policy.service';
import type { CatalogueService } from './catalogue.service';
import type { TemplateService } from './template.service';

const DAY_MS = 86_400_000;
/** The suspension log's cause of a suspension by an overdue review (catalogue.suspend's `kind`). */
const REVIEW_OVERDUE = 'review_overdue';

export interface CatalogueReviewDeps extends ServiceDeps {
  policy: Pick<PolicyService, 'activeOrNull'>;
  outbox: Pick<OutboxService, 'notify'>;
  templates: Pick<TemplateService, 'get'>;
  catalogue: Pick<CatalogueService, 'suspend'>;
}

/**
 * Periodic review of the catalogue (docs/catalogue.md#periodic-review): the worker opens a review for each
 * active standard entry when it falls due and tells its owner team and the change managers; the owner team or
 * a change manager decides keep, revise or retire; a review left open past the grace period suspends its
 * entry once.
 */
export function createCatalogueReviewService(deps: CatalogueReviewDeps) {
  const { store } = deps;
  const system = systemActor('catalogue-review');

  async function settings(): Promise<{ cadenceDays: number; graceDays: number }> {
    const active = await deps.policy.activeOrNull();
    return active?.bundle.catalogue?.review ?? REVIEW_DEFAULTS;
  }

  /** Who decides an entry's review: its owner team (else its assignment team), and the change managers. */
  const ownerOf = (t: Pick<Template, 'ownerTeamId' | 'assignmentTeamId'>): string | null => t.ownerTeamId ?? t.assignmentTeamId ?? null;

  async function present(repos: Repositories, records: CatalogueReviewRecord[], graceDays: number): Promise<CatalogueReview[]> {
    const now = deps.now().toISOString();
    // NOTE: one read for every entry of the page (the snapshot holds the history; the entry gives its name).
    const templates = await repos.catalogueLearning.entrySummaries([...new Set(records.map((r) => r.templateId))]);
    const teamIds = [...new Set([...templates.values()].map(ownerOf).filter((id): id is string => id !== null))];
    const teams = await repos.catalogueLearning.namesOf('team', teamIds);
    const people = await repos.accounts.userNames([...new Set(records.map((r) => r.decidedBy).filter((id): id is string => id !== null))]);
    return records.map((r) => {
      const t = templates.get(r.templateId)!;
      const owner = ownerOf(t);
      return {
        id: r.id,
        templateId: r.templateId,
        templateName: t.name,
        templateState: t.state,
        templateVersion: r.templateVersion,
        ownerTeam: owner ? { id: owner, name: teams.get(owner) ?? owner } : null,
        dueAt: r.dueAt,
        graceEndsAt: graceEndsAt(r.dueAt, graceDays),
        state: r.state,
        overdue: r.state === 'open' && r.dueAt < now,
        decision: r.decision,
        reason: r.reason,
        history: r.history,
        decidedBy: r.decidedBy ? { id: r.decidedBy, name: people.get(r.decidedBy) ?? r.decidedBy } : null,
        decidedAt: r.decidedAt,
        suspendedAt: r.suspendedAt,
        reviseLink: r.decision === 'revise' ? `/templates/${encodeURIComponent(r.templateId)}` : null,
        createdAt: r.createdAt,
      };
    });
  }

  /** Opens the reviews that fell due; each once, whatever the number of workers (the unique key decides). */
  async function openDue(cadenceDefault: number): Promise<number> {
    const now = deps.now();
    let opened = 0;
    for (const entry of await store.repos.catalogueLearning.reviewableEntries()) {
      if (entry.hasOpenReview) continue;
      const cadenceDays = entry.cadenceDays ?? cadenceDefault;
      const dueAt = reviewDueAt({ nextReviewAt: entry.nextReviewAt, activatedAt: entry.activatedAt ?? entry.createdAt, cadenceDays });
      if (Date.parse(dueAt) > now.getTime()) continue;
      // The snapshot is read before the transaction: the template service reads outside it.
      const t = await deps.templates.get(system, entry.id);
      const at = now.toISOString();
      const fresh = await store.transaction(async (repos) => {
        const review: CatalogueReviewRecord = {
          id: deps.newId(),
          templateId: t.id,
          templateVersion: t.contentVersion,
          dueAt,
          state: 'open',
          decision: null,
          reason: '',
          history: { ...t.history },
          decidedBy: null,
          decidedAt: null,
          suspendedAt: null,
          createdAt: at,
        };
        if (!(await repos.catalogueLearning.openReview(review))) return false;
        // The due date is fixed from now on: a later change of cadence moves the next one, not this one.
        await repos.catalogueLearning.setNextReview(t.id, dueAt);
        await audit(repos, system, at, 'catalogue_review.opened', 'template', t.id, { reviewId: review.id, name: t.name, dueAt, version: t.contentVersion });
        const owner = ownerOf(t);
        await deps.outbox.notify(repos, {
          recipients: [...(owner ? [{ kind: 'team' as const, ref: owner }] : []), { kind: 'role', ref: 'change_manager' }],
          kind: 'catalogue_review_due',
          title: `The catalogue entry "${t.name}" is due for its periodic review.`,
          body: `Look at how its changes fared (${t.history.uses} uses, ${t.history.successful} successful, ${t.history.failed} failed, score ${t.history.score}) and decide: keep it, revise it (a new version), or retire it. Open "Catalogue reviews" to decide.`,
        });
        return true;
      });
      if (fresh) opened++;
    }
    return opened;
  }

  /** Suspends, once each, the entries whose review is still open past its grace period. */
  async function suspendOverdue(graceDays: number): Promise<number> {
    const now = deps.now();
    const at = now.toISOString();
    let suspended = 0;
    for (const review of await store.repos.catalogueLearning.overdueUnsuspended(new Date(now.getTime() - graceDays * DAY_MS).toISOString())) {
      const done = await store.transaction(async (repos) => {
        if (!(await repos.catalogueLearning.claimSuspension(review.id, at))) return false;
        const t = await repos.templates.findById(review.templateId);
        // An entry suspended for its failures, or retired meanwhile, stays as it is; the claim still marks the review.
        if (!t || t.state !== 'active') return false;
        const reason = `review overdue: the periodic review due ${review.dueAt.slice(0, 10)} was not decided within ${graceDays} days`;
        if (!(await deps.catalogue.suspend(repos, system, t.id, reason, REVIEW_OVERDUE, { reviewId: review.id, dueAt: review.dueAt, graceDays }))) return false;
        await audit(repos, system, at, 'template.review_overdue', 'template', t.id, { reviewId: review.id, name: t.name, dueAt: review.dueAt, graceDays });
        return true;
      });
      if (done) suspended++;
    }
    return suspended;
  }

  const service = {
    /** One worker pass: open the reviews that fell due, then suspend the entries overdue past the grace period. */
    async tick(): Promise<{ reviewsOpened: number; reviewsSuspended: number }> {
      const s = await settings();
      const reviewsOpened = await openDue(s.cadenceDays);
      const reviewsSuspended = await suspendOverdue(s.graceDays);
      return { reviewsOpened, reviewsSuspended };
    },

    /** Reviews: open (by due date), overdue (open and past due) or decided (latest first). */
    async list(actor: Actor, query: CatalogueReviewQuery): Promise<{ items: CatalogueReview[] }> {
      assertPermission(actor, 'change.read');
      const s = await settings();
      const rows = await store.repos.catalogueLearning.listReviews({ state: query.state, now: deps.now().toISOString(), limit: query.limit });
      return { items: await present(store.repos, rows, s.graceDays) };
    },

    async get(actor: Actor, id: string): Promise<CatalogueReview> {
      assertPermission(actor, 'change.read');
      const found = await store.repos.catalogueLearning.findReview(id);
      if (!found) throw new NotFoundError('Catalogue review', id);
      return (await present(store.repos, [found], (await settings()).graceDays))[0]!;
    },

    /** When each active standard entry is reviewed next: its open review's due date, else its next one. */
    async schedule(actor: Actor): Promise<{ items: ReviewScheduleItem[] }> {
      assertPermission(actor, 'change.read');
      const s = await settings();
      const now = deps.now().toISOString();
      const rows = await store.repos.catalogueLearning.reviewSchedule();
      return {
        items: rows.map((e) => {
          const effectiveCadenceDays = e.cadenceDays ?? s.cadenceDays;
          const nextReviewAt = e.openReviewDueAt ?? reviewDueAt({ nextReviewAt: e.nextReviewAt, activatedAt: e.activatedAt ?? e.createdAt, cadenceDays: effectiveCadenceDays });
          return { templateId: e.id, cadenceDays: e.cadenceDays, effectiveCadenceDays, nextReviewAt, overdue: nextReviewAt <= now, openReviewId: e.openReviewId };
        }),
      };
    },

    /**
     * Sets an entry's own review cadence (null: the policy's), by a change manager. A review already open keeps
     * its due date; an entry reviewed before has its next review moved to one new cadence after that decision.
     */
    async setCadence(actor: Actor, idOrName: string, input: ReviewCadenceInput): Promise<{ templateId: string; cadenceDays: number | null; nextReviewAt: string | null }> {
      assertPermission(actor, 'template.write');
      const t = await deps.templates.get(system, idOrName);
      const s = await settings();
      const at = deps.now().toISOString();
      return store.transaction(async (repos) => {
        const before = await repos.catalogueLearning.reviewSettingsOf(t.id);
        await repos.catalogueLearning.setCadence(t.id, input.cadenceDays);
        const [open] = await repos.catalogueLearning.listReviews({ state: 'open', now: at, limit: 1, templateId: t.id });
        const [last] = await repos.catalogueLearning.listReviews({ state: 'decided', now: at, limit: 1, templateId: t.id });
        let next = before?.nextReviewAt ?? null;
        if (!open && last?.decidedAt) next = nextReviewAfter(last.decidedAt, input.cadenceDays ?? s.cadenceDays);
        await repos.catalogueLearning.setNextReview(t.id, next);
        await audit(repos, actor, at, 'template.updated', 'template', t.id, {
          name: t.name,
          changes: { reviewCadenceDays: { from: before?.cadenceDays ?? null, to: input.cadenceDays } },
        });
        return { templateId: t.id, cadenceDays: input.cadenceDays, nextReviewAt: next };
      });
    },

    /**
     * Decides an open review: keep (the next review moves one cadence on), revise (the entry stays active; a
     * new version is asked for; the next review moves on too) or retire (the entry is retired). By the entry's
     * owner team or a change manager; 409 when it was decided already.
     */
    async decide(actor: Actor, id: string, input: DecideReviewInput): Promise<CatalogueReview> {
      assertPermission(actor, 'change.read');
      const found = await store.repos.catalogueLearning.findReview(id);
      if (!found) throw new NotFoundError('Catalogue review', id);
      const t = await deps.templates.get(system, found.templateId);
      const owner = ownerOf(t);
      if (!hasPermission(actor, 'template.write') && !(owner && actor.teamIds.includes(owner))) {
        throw new ForbiddenError("Only the entry's owner team or a change manager decides its review.", 'forbidden', { ownerTeamId: owner });
      }
      const s = await settings();
      const at = deps.now().toISOString();
      const decided = await store.transaction(async (repos) => {
        if (!(await repos.catalogueLearning.decideReview(id, { decision: input.decision, reason: input.reason, by: actor.userId, at }))) {
          throw new ConflictError('review_decided', 'This review was decided already.', { reviewId: id });
        }
        const cadenceDays = (await repos.catalogueLearning.reviewSettingsOf(t.id))?.cadenceDays ?? s.cadenceDays;
        const next = input.decision === 'retire' ? null : nextReviewAfter(at, cadenceDays);
        await repos.catalogueLearning.setNextReview(t.id, next);
        if (input.decision === 'retire') await repos.templates.setState(t.id, ['draft', 'proposed', 'active', 'suspended'], 'retired', at);
        await audit(repos, actor, at, 'catalogue_review.decided', 'template', t.id, { reviewId: id, name: t.name, decision: input.decision, reason: input.reason, nextReviewAt: next });
        return (await repos.catalogueLearning.findReview(id))!;
      });
      return (await present(store.repos, [decided], s.graceDays))[0]!;
    },
  };
  return service;
}
export type CatalogueReviewService = ReturnType<typeof createCatalogueReviewService>;
