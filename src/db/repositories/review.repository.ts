import { sql, type Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { ChangeReviewsTable, DB, ReviewActionsTable } from '../schema';

export type ReviewStateName = 'open' | 'in_progress' | 'completed';

/** A post-implementation review as stored (one per change). */
export interface ReviewRecord {
  id: string;
  changeId: string;
  state: ReviewStateName;
  reasons: { name: string; reason: string }[];
  dueAt: string;
  wentWell: string;
  wentBadly: string;
  factors: string[];
  reviewerIds: string[];
  completedBy: string | null;
  completedAt: string | null;
  overdueNotifiedAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** An action item of a review as stored. */
export interface ReviewActionRecord {
  id: string;
  reviewId: string;
  title: string;
  ownerId: string | null;
  dueAt: string | null;
  state: 'open' | 'done';
  link: { kind: 'problem' | 'change'; id: string } | null;
  doneAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** A row of the review queue: the review with its change and the change's owner. */
export interface QueuedReview {
  review: ReviewRecord;
  change: { id: string; number: string; title: string; type: string; state: string; ownerId: string | null; ownerName: string | null };
  openActions: number;
}

/** Where a change's learning is looked for: its CIs, its assignment team and its template. */
export interface LearningScope {
  ciIds: readonly string[];
  teamId: string | null;
  templateId: string | null;
  /** The change itself, whose own review does not count for it. */
  excludeChangeId: string;
}

/** Reviews of changes that share a CI, the team or the template with the scope (not the change itself). */
const learningReviews = (db: Kysely<DB>, scope: LearningScope) =>
  db
    .selectFrom('change_reviews')
    .innerJoin('changes', 'changes.id', 'change_reviews.change_id')
    .where('changes.id', '!=', scope.excludeChangeId)
    .where((eb) => {
      const ors = [];
      if (scope.ciIds.length > 0) ors.push(eb.exists(eb.selectFrom('change_cis').select('change_cis.ci_id').whereRef('change_cis.change_id', '=', 'changes.id').where('change_cis.ci_id', 'in', [...scope.ciIds])));
      if (scope.teamId) ors.push(eb('changes.assignment_team_id', '=', scope.teamId));
      if (scope.templateId) ors.push(eb('changes.template_id', '=', scope.templateId));
      // NOTE: SQLite binds no booleans: an always-false condition written out.
      return ors.length > 0 ? eb.or(ors) : sql<boolean>`1 = 0`;
    });

/**
 * What reviews of other changes on the scope's CIs, team or template learned, in one statement (every filing
 * asks, for its risk): their open action items, and the reviews completed since `since` that recorded what went
 * wrong or a contributing factor. One row: `open_actions`, `findings`.
 */
export function learningStatement(db: Kysely<DB>, h: DialectHelpers, scope: LearningScope, since: string) {
  return db
    .selectNoFrom([
      learningReviews(db, scope)
        .innerJoin('review_actions', 'review_actions.review_id', 'change_reviews.id')
        .where('review_actions.state', '=', 'open')
        .select((eb) => sql<number>`cast(${eb.fn.count('review_actions.id').distinct()} as integer)`.as('n'))
        .as('open_actions'),
      learningReviews(db, scope)
        .where('change_reviews.state', '=', 'completed')
        .where('change_reviews.completed_at', '>=', since)
        .where((eb) => eb.or([eb('change_reviews.went_badly', '!=', ''), eb('change_reviews.factors', '!=', h.writeJson([]) as never)]))
        .select((eb) => sql<number>`cast(${eb.fn.count('change_reviews.id').distinct()} as integer)`.as('n'))
        .as('findings'),
    ]);
}

/** The counts of a learningStatement row. */
export const learningOf = (row: { open_actions: number | string | null; findings: number | string | null } | undefined): { openActions: number; findings: number } => ({
  openActions: Number(row?.open_actions ?? 0),
  findings: Number(row?.findings ?? 0),
});

/** Post-implementation reviews and their action items (migration 0029). */
export function createReviewRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: ChangeReviewsTable): ReviewRecord => ({
    id: r.id,
    changeId: r.change_id,
    state: r.state as ReviewStateName,
    reasons: h.readJson<{ name: string; reason: string }[]>(r.reasons),
    dueAt: h.readInstant(r.due_at)!,
    wentWell: r.went_well,
    wentBadly: r.went_badly,
    factors: h.readJson<string[]>(r.factors),
    reviewerIds: h.readJson<string[]>(r.reviewer_ids),
    completedBy: r.completed_by,
    completedAt: h.readInstant(r.completed_at),
    overdueNotifiedAt: h.readInstant(r.overdue_notified_at),
    version: r.version,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const toRow = (r: ReviewRecord): ChangeReviewsTable => ({
    id: r.id,
    change_id: r.changeId,
    state: r.state,
    reasons: h.writeJson(r.reasons),
    due_at: r.dueAt,
    went_well: r.wentWell,
    went_badly: r.wentBadly,
    factors: h.writeJson(r.factors),
    reviewer_ids: h.writeJson(r.reviewerIds),
    completed_by: r.completedBy,
    completed_at: r.completedAt,
    overdue_notified_at: r.overdueNotifiedAt,
    version: r.version,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  });
  const toAction = (r: ReviewActionsTable): ReviewActionRecord => ({
    id: r.id,
    reviewId: r.review_id,
    title: r.title,
    ownerId: r.owner_id,
    dueAt: h.readInstant(r.due_at),
    state: r.state as 'open' | 'done',
    link: r.link_kind && r.link_id ? { kind: r.link_kind as 'problem' | 'change', id: r.link_id } : null,
    doneAt: h.readInstant(r.done_at),
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    updatedAt: h.readInstant(r.updated_at)!,
  });
  const toActionRow = (a: ReviewActionRecord): ReviewActionsTable => ({
    id: a.id,
    review_id: a.reviewId,
    title: a.title,
    owner_id: a.ownerId,
    due_at: a.dueAt,
    state: a.state,
    link_kind: a.link?.kind ?? null,
    link_id: a.link?.id ?? null,
    done_at: a.doneAt,
    created_by: a.createdBy,
    created_at: a.createdAt,
    updated_at: a.updatedAt,
  });

  return {
    /**
     * Inserts the review unless the change has one already (`change_id` is unique, so of two transactions
     * creating it at once one inserts and the other does nothing). True when this one inserted it.
     */
    async insertIfAbsent(review: ReviewRecord): Promise<boolean> {
      const res = await db.insertInto('change_reviews').values(toRow(review)).onConflict((oc) => oc.column('change_id').doNothing()).executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0n) > 0;
    },

    async findByChange(changeId: string): Promise<ReviewRecord | null> {
      const row = await db.selectFrom('change_reviews').selectAll().where('change_id', '=', changeId).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /** Writes the review if it is still at `expectedVersion`; false when someone else wrote it meanwhile. */
    async update(review: ReviewRecord, expectedVersion: number): Promise<boolean> {
      const { id: _id, change_id: _change, created_at: _created, ...rest } = toRow(review);
      const res = await db.updateTable('change_reviews').set(rest).where('id', '=', review.id).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    async actions(reviewId: string): Promise<ReviewActionRecord[]> {
      const rows = await db.selectFrom('review_actions').selectAll().where('review_id', '=', reviewId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toAction);
    },

    async insertAction(action: ReviewActionRecord): Promise<void> {
      await db.insertInto('review_actions').values(toActionRow(action)).execute();
    },

    async updateAction(action: ReviewActionRecord): Promise<void> {
      const { id: _id, review_id: _review, created_at: _created, created_by: _by, ...rest } = toActionRow(action);
      await db.updateTable('review_actions').set(rest).where('id', '=', action.id).execute();
    },

    /** The queue: reviews by state (and, for `mine`, of the changes the person owns, implements or whose team they are in). */
    async queue(filter: { state: 'open' | 'overdue' | 'completed' | 'all'; now: string; userId?: string }): Promise<QueuedReview[]> {
      let q = db
        .selectFrom('change_reviews')
        .innerJoin('changes', 'changes.id', 'change_reviews.change_id')
        .leftJoin('users', 'users.id', 'changes.owner_id')
        .selectAll('change_reviews')
        .select([
          'changes.number as c_number',
          'changes.title as c_title',
          'changes.type as c_type',
          'changes.state as c_state',
          'changes.owner_id as c_owner_id',
          'users.name as c_owner_name',
          (eb) =>
            eb
              .selectFrom('review_actions')
              .select((e) => sql<number>`cast(${e.fn.countAll()} as integer)`.as('n'))
              .whereRef('review_actions.review_id', '=', 'change_reviews.id')
              .where('review_actions.state', '=', 'open')
              .as('open_actions'),
        ]);
      if (filter.state === 'open') q = q.where('change_reviews.state', '!=', 'completed');
      if (filter.state === 'completed') q = q.where('change_reviews.state', '=', 'completed');
      if (filter.state === 'overdue') q = q.where('change_reviews.state', '!=', 'completed').where('change_reviews.due_at', '<', filter.now);
      if (filter.userId) {
        const userId = filter.userId;
        q = q.where((eb) =>
          eb.or([
            eb('changes.owner_id', '=', userId),
            eb('changes.implementer_id', '=', userId),
            eb('changes.assignment_team_id', 'in', eb.selectFrom('team_members').select('team_members.team_id').where('team_members.user_id', '=', userId)),
          ]),
        );
      }
      const rows = await q.orderBy('change_reviews.due_at').orderBy('change_reviews.id').limit(500).execute();
      return rows.map((r) => ({
        review: toRecord(r),
        change: { id: r.change_id, number: r.c_number, title: r.c_title, type: r.c_type, state: r.c_state, ownerId: r.c_owner_id, ownerName: r.c_owner_name ?? null },
        openActions: Number(r.open_actions ?? 0),
      }));
    },

    /** Reviews past their due date, not completed, whose owner was not yet told. */
    async overdueUnnotified(now: string, limit = 100): Promise<ReviewRecord[]> {
      const rows = await db.selectFrom('change_reviews').selectAll().where('state', '!=', 'completed').where('due_at', '<', now).where('overdue_notified_at', 'is', null).orderBy('due_at').limit(limit).execute();
      return rows.map(toRecord);
    },

    /** Records the overdue notice once: false when another process recorded it first. */
    async markOverdueNotified(id: string, at: string): Promise<boolean> {
      const res = await db.updateTable('change_reviews').set({ overdue_notified_at: at }).where('id', '=', id).where('overdue_notified_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },

    /** See learningStatement. */
    async learningOn(scope: LearningScope, since: string): Promise<{ openActions: number; findings: number }> {
      return learningOf(await learningStatement(db, h, scope, since).executeTakeFirst());
    },

    /** The incidents a change caused (for the review's facts and its rules). */
    async incidentsCausedBy(changeId: string): Promise<{ id: string; number: string; title: string; priority: number }[]> {
      return db.selectFrom('incidents').select(['id', 'number', 'title', 'priority']).where('caused_by_change_id', '=', changeId).orderBy('opened_at').execute();
    },

    /** A problem by id or number (PRB…), for linking an action to it. */
    async findProblem(ref: string): Promise<{ id: string; number: string; title: string } | null> {
      const row = await db.selectFrom('problems').select(['id', 'number', 'title']).where((eb) => eb.or([eb('id', '=', ref), eb('number', '=', ref.toUpperCase())])).executeTakeFirst();
      return row ?? null;
    },

    async problemsByIds(ids: readonly string[]): Promise<{ id: string; number: string; title: string }[]> {
      if (ids.length === 0) return [];
      return db.selectFrom('problems').select(['id', 'number', 'title']).where('id', 'in', [...ids]).execute();
    },
  };
}
export type ReviewRepository = ReturnType<typeof createReviewRepository>;
