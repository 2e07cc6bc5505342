import { sql, type Kysely } from 'kysely';
import type { CatalogueReviewDecision } from '../../contracts/catalogue-learning';
import type { DialectHelpers } from '../dialect';
import type { CatalogueReviewsTable, DB, ReclassificationsTable } from '../schema';

/** A periodic review of a catalogue entry, as stored. */
export interface CatalogueReviewRecord {
  id: string;
  templateId: string;
  templateVersion: number;
  dueAt: string;
  state: 'open' | 'decided';
  decision: CatalogueReviewDecision | null;
  reason: string;
  history: Record<string, unknown>;
  decidedBy: string | null;
  decidedAt: string | null;
  suspendedAt: string | null;
  createdAt: string;
}

/** An active standard entry as the review tick reads it. */
export interface ReviewableEntry {
  id: string;
  /** The entry's own cadence in days, or null for the policy's. */
  cadenceDays: number | null;
  nextReviewAt: string | null;
  createdAt: string;
  /** When the version in force was activated (null for an entry that never was). */
  activatedAt: string | null;
  /** Whether a review of it is open now. */
  hasOpenReview: boolean;
}

/** An active standard entry's place in the review schedule. */
export interface ReviewScheduleRow extends ReviewableEntry {
  /** Its open review, if any, and that review's due date. */
  openReviewId: string | null;
  openReviewDueAt: string | null;
}

export interface ReclassificationRecord {
  id: string;
  changeId: string;
  from: string;
  to: string;
  reason: string;
  teamId: string | null;
  serviceIds: string[];
  createdBy: string;
  createdAt: string;
}

/** A successful normal change closed in the look-back window, as the promotion candidates read it. */
export interface ClosedNormalChange {
  id: string;
  number: string;
  title: string;
  templateId: string | null;
  implementationPlan: string;
  closeCode: string | null;
  closedAt: string | null;
  /** The distinct types of its CIs, sorted. */
  ciTypes: string[];
  /** Whether any incident names it as its cause. */
  causedIncident: boolean;
}

/** Periodic reviews, promotion candidates' raw material and reclassifications (migration 0030). */
export function createCatalogueLearningRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toReview = (r: CatalogueReviewsTable): CatalogueReviewRecord => ({
    id: r.id,
    templateId: r.template_id,
    templateVersion: r.template_version,
    dueAt: h.readInstant(r.due_at)!,
    state: r.state as CatalogueReviewRecord['state'],
    decision: r.decision as CatalogueReviewDecision | null,
    reason: r.reason,
    history: h.readJson<Record<string, unknown>>(r.history),
    decidedBy: r.decided_by,
    decidedAt: h.readInstant(r.decided_at),
    suspendedAt: h.readInstant(r.suspended_at),
    createdAt: h.readInstant(r.created_at)!,
  });
  const toReclassification = (r: ReclassificationsTable): ReclassificationRecord => ({
    id: r.id,
    changeId: r.change_id,
    from: r.from_type,
    to: r.to_type,
    reason: r.reason,
    teamId: r.team_id,
    serviceIds: h.readJson<string[]>(r.service_ids),
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
  });

  /** Every active standard entry, with its review settings and whether a review of it is open. */
  async function reviewableEntries(): Promise<ReviewableEntry[]> {
    const rows = await db
      .selectFrom('change_templates as t')
      .leftJoin('template_versions as v', (j) => j.onRef('v.template_id', '=', 't.id').onRef('v.number', '=', 't.content_version'))
      .select(['t.id', 't.review_cadence_days', 't.next_review_at', 't.created_at', 'v.activated_at'])
      .select((eb) =>
        eb
          .exists(eb.selectFrom('catalogue_reviews as r').select('r.id').whereRef('r.template_id', '=', 't.id').where('r.state', '=', 'open'))
          .as('has_open'),
      )
      .where('t.type', '=', 'standard')
      .where('t.state', '=', 'active')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      cadenceDays: r.review_cadence_days ?? null,
      nextReviewAt: h.readInstant(r.next_review_at ?? null),
      createdAt: h.readInstant(r.created_at)!,
      activatedAt: h.readInstant(r.activated_at ?? null),
      hasOpenReview: h.readBool(r.has_open as boolean | number),
    }));
  }

  return {
    reviewableEntries,
    /** Every active standard entry with its open review, if any (the review schedule). */
    async reviewSchedule(): Promise<ReviewScheduleRow[]> {
      const entries = await reviewableEntries();
      const open = await db.selectFrom('catalogue_reviews').select(['id', 'template_id', 'due_at']).where('state', '=', 'open').execute();
      const byTemplate = new Map(open.map((r) => [r.template_id, r]));
      return entries.map((e) => {
        const r = byTemplate.get(e.id);
        return { ...e, openReviewId: r?.id ?? null, openReviewDueAt: r ? h.readInstant(r.due_at) : null };
      });
    },
    /** Sets the entry's own review cadence (null: the policy's); false for an unknown entry. */
    async setCadence(templateId: string, cadenceDays: number | null): Promise<boolean> {
      const res = await db.updateTable('change_templates').set({ review_cadence_days: cadenceDays }).where('id', '=', templateId).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** The entry's review settings (cadence and next review date). */
    async reviewSettingsOf(templateId: string): Promise<{ cadenceDays: number | null; nextReviewAt: string | null } | null> {
      const r = await db.selectFrom('change_templates').select(['review_cadence_days', 'next_review_at']).where('id', '=', templateId).executeTakeFirst();
      return r ? { cadenceDays: r.review_cadence_days ?? null, nextReviewAt: h.readInstant(r.next_review_at ?? null) } : null;
    },
    /**
     * Opens a review; false when one for the same entry and due date exists already. NOTE: the unique key
     * (template_id, due_at) decides between workers that open it at once.
     */
    async openReview(r: CatalogueReviewRecord): Promise<boolean> {
      const res = await db
        .insertInto('catalogue_reviews')
        .values({
          id: r.id,
          template_id: r.templateId,
          template_version: r.templateVersion,
          due_at: r.dueAt,
          state: r.state,
          decision: r.decision,
          reason: r.reason,
          history: h.writeJson(r.history),
          decided_by: r.decidedBy,
          decided_at: r.decidedAt,
          suspended_at: r.suspendedAt,
          created_at: r.createdAt,
        })
        .onConflict((oc) => oc.columns(['template_id', 'due_at']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    async findReview(id: string): Promise<CatalogueReviewRecord | null> {
      const row = await db.selectFrom('catalogue_reviews').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toReview(row) : null;
    },
    /** Reviews by state: open (by due date), overdue (open and due before `now`), decided (latest first). */
    async listReviews(f: { state: 'open' | 'overdue' | 'decided'; now: string; limit: number; templateId?: string }): Promise<CatalogueReviewRecord[]> {
      let q = db.selectFrom('catalogue_reviews').selectAll().limit(f.limit);
      if (f.templateId) q = q.where('template_id', '=', f.templateId);
      if (f.state === 'decided') q = q.where('state', '=', 'decided').orderBy('decided_at', 'desc').orderBy('id', 'desc');
      else {
        q = q.where('state', '=', 'open').orderBy('due_at').orderBy('id');
        if (f.state === 'overdue') q = q.where('due_at', '<', f.now);
      }
      return (await q.execute()).map(toReview);
    },
    /** Records the decision if the review is still open; false when someone decided it meanwhile. */
    async decideReview(id: string, d: { decision: CatalogueReviewDecision; reason: string; by: string; at: string }): Promise<boolean> {
      const res = await db
        .updateTable('catalogue_reviews')
        .set({ state: 'decided', decision: d.decision, reason: d.reason, decided_by: d.by, decided_at: d.at })
        .where('id', '=', id)
        .where('state', '=', 'open')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Open reviews due before `dueBefore` that have not suspended their entry yet. */
    async overdueUnsuspended(dueBefore: string): Promise<CatalogueReviewRecord[]> {
      const rows = await db.selectFrom('catalogue_reviews').selectAll().where('state', '=', 'open').where('due_at', '<', dueBefore).where('suspended_at', 'is', null).orderBy('due_at').execute();
      return rows.map(toReview);
    },
    /** Claims the one suspension an overdue review causes; false when another worker claimed it. */
    async claimSuspension(id: string, at: string): Promise<boolean> {
      const res = await db.updateTable('catalogue_reviews').set({ suspended_at: at }).where('id', '=', id).where('suspended_at', 'is', null).where('state', '=', 'open').executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async setNextReview(templateId: string, at: string | null): Promise<void> {
      await db.updateTable('change_templates').set({ next_review_at: at }).where('id', '=', templateId).execute();
    },
    async setSourceChange(templateId: string, changeId: string): Promise<void> {
      await db.updateTable('change_templates').set({ source_change_id: changeId }).where('id', '=', templateId).execute();
    },
    /** What a review list shows of its entries, in one read: name, state and the team that decides. */
    async entrySummaries(ids: string[]): Promise<Map<string, { id: string; name: string; state: string; ownerTeamId: string | null; assignmentTeamId: string | null }>> {
      if (ids.length === 0) return new Map();
      const rows = await db.selectFrom('change_templates').select(['id', 'name', 'state', 'owner_team_id', 'assignment_team_id']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, { id: r.id, name: r.name, state: r.state, ownerTeamId: r.owner_team_id, assignmentTeamId: r.assignment_team_id }]));
    },
    /** Entries proposed from any of the changes: by the change. */
    async entriesFromChanges(changeIds: string[]): Promise<Map<string, { id: string; name: string; state: string }>> {
      const found = new Map<string, { id: string; name: string; state: string }>();
      if (changeIds.length === 0) return found;
      const rows = await db.selectFrom('change_templates').select(['id', 'name', 'state', 'source_change_id']).where('source_change_id', 'in', changeIds).execute();
      for (const r of rows) if (r.source_change_id) found.set(r.source_change_id, { id: r.id, name: r.name, state: r.state });
      return found;
    },

    /**
     * Normal changes closed successfully (successful or successful with issues) with an actual end at or after
     * `since`, each with its CI types and whether an incident names it as its cause; oldest first.
     */
    async closedNormalChanges(since: string): Promise<ClosedNormalChange[]> {
      const rows = await db
        .selectFrom('changes as c')
        .select(['c.id', 'c.number', 'c.title', 'c.template_id', 'c.implementation_plan', 'c.close_code', 'c.actual_end'])
        .select((eb) => eb.exists(eb.selectFrom('incidents as i').select('i.id').whereRef('i.caused_by_change_id', '=', 'c.id')).as('caused'))
        .where('c.type', '=', 'normal')
        .where('c.close_code', 'in', ['successful', 'successful_with_issues'])
        .where('c.actual_end', '>=', since)
        .orderBy('c.actual_end')
        .orderBy('c.id')
        .execute();
      const types = new Map<string, Set<string>>();
      const ids = rows.map((r) => r.id);
      // NOTE: read in slices, so the statement stays within SQLite's limit of bound parameters.
      for (let i = 0; i < ids.length; i += 500) {
        const slice = ids.slice(i, i + 500);
        const cis = await db.selectFrom('change_cis as cc').innerJoin('cis', 'cis.id', 'cc.ci_id').select(['cc.change_id', 'cis.type']).where('cc.change_id', 'in', slice).execute();
        for (const c of cis) {
          const set = types.get(c.change_id) ?? new Set<string>();
          set.add(c.type);
          types.set(c.change_id, set);
        }
      }
      return rows.map((r) => ({
        id: r.id,
        number: r.number,
        title: r.title,
        templateId: r.template_id,
        implementationPlan: r.implementation_plan,
        closeCode: r.close_code,
        closedAt: h.readInstant(r.actual_end),
        ciTypes: [...(types.get(r.id) ?? [])].sort(),
        causedIncident: h.readBool(r.caused as boolean | number),
      }));
    },
    /** Normal-type templates by id: their names (the candidates of one template name it). */
    async normalTemplates(ids: string[]): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      if (ids.length === 0) return found;
      const rows = await db.selectFrom('change_templates').select(['id', 'name']).where('id', 'in', ids).where('type', '=', 'normal').execute();
      for (const r of rows) found.set(r.id, r.name);
      return found;
    },

    async insertReclassification(r: ReclassificationRecord): Promise<void> {
      await db
        .insertInto('reclassifications')
        .values({
          id: r.id,
          change_id: r.changeId,
          from_type: r.from,
          to_type: r.to,
          reason: r.reason,
          team_id: r.teamId,
          service_ids: h.writeJson(r.serviceIds),
          created_by: r.createdBy,
          created_at: r.createdAt,
        })
        .execute();
    },
    /** The change's reclassifications, oldest first. */
    async reclassificationsOf(changeId: string): Promise<ReclassificationRecord[]> {
      const rows = await db.selectFrom('reclassifications').selectAll().where('change_id', '=', changeId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toReclassification);
    },
    /**
     * Every reclassification made at or after `since` (all without it). NOTE: counted in the service: a
     * measurement over the reclassifications a change office makes (a few a week) stays small.
     */
    async reclassificationsSince(since: string | undefined): Promise<ReclassificationRecord[]> {
      let q = db.selectFrom('reclassifications').selectAll().orderBy('created_at');
      if (since) q = q.where('created_at', '>=', since);
      return (await q.execute()).map(toReclassification);
    },
    /** The distinct services of the CIs. */
    async servicesOfCis(ciIds: string[]): Promise<string[]> {
      if (ciIds.length === 0) return [];
      const rows = await db.selectFrom('cis').select('service_id').distinct().where('id', 'in', ciIds).where('service_id', 'is not', null).execute();
      return rows.map((r) => r.service_id!).sort();
    },
    /** Names of teams and services, for the summary's rows. */
    async namesOf(kind: 'team' | 'service', ids: string[]): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = kind === 'team' ? await db.selectFrom('teams').select(['id', 'name']).where('id', 'in', ids).execute() : await db.selectFrom('services').select(['id', 'name']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    /** Counts every row of `catalogue_reviews` for the entry (tests and the entry page). */
    async countReviews(templateId: string): Promise<number> {
      const r = await db.selectFrom('catalogue_reviews').select(sql<number>`count(*)`.as('n')).where('template_id', '=', templateId).executeTakeFirst();
      return Number(r?.n ?? 0);
    },
  };
}
export type CatalogueLearningRepository = ReturnType<typeof createCatalogueLearningRepository>;
