import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { BreakGlassTable, DB, DelegationsTable } from '../schema';

/** A piece of evidence on a change: attached by a person, or the approval record Cabinet seals. */
export interface EvidenceRecord {
  id: string;
  changeId: string;
  kind: string;
  title: string;
  body: string;
  url: string | null;
  sha256: string;
  createdBy: string;
  createdAt: string;
}

/** Someone away lets a delegate decide approvals for them between two instants. */
export interface DelegationRecord {
  id: string;
  userId: string;
  delegateId: string;
  startsAt: string;
  endsAt: string;
  reason: string;
  createdAt: string;
  revokedAt: string | null;
}

/** One use of break-glass on a change: what it skipped, until when, and its after-the-fact review. */
export interface BreakGlassRecord {
  id: string;
  changeId: string;
  userId: string;
  reason: string;
  skipped: { approvals: { id: string; rule: string; approver: string; state: string }[]; gates: { name: string; missing: string[] }[] };
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  reviewedBy: string | null;
  reviewedAt: string | null;
  reviewNotes: string | null;
}

/** Evidence, delegations and break-glass: the records behind the policy's gates and their exceptions. */
export function createGovernanceRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toDelegation = (r: DelegationsTable): DelegationRecord => ({
    id: r.id,
    userId: r.user_id,
    delegateId: r.delegate_id,
    startsAt: h.readInstant(r.starts_at)!,
    endsAt: h.readInstant(r.ends_at)!,
    reason: r.reason,
    createdAt: h.readInstant(r.created_at)!,
    revokedAt: h.readInstant(r.revoked_at),
  });
  const toBreakGlass = (r: BreakGlassTable): BreakGlassRecord => ({
    id: r.id,
    changeId: r.change_id,
    userId: r.user_id,
    reason: r.reason,
    skipped: h.readJson<BreakGlassRecord['skipped']>(r.skipped),
    createdAt: h.readInstant(r.created_at)!,
    expiresAt: h.readInstant(r.expires_at)!,
    usedAt: h.readInstant(r.used_at),
    reviewedBy: r.reviewed_by,
    reviewedAt: h.readInstant(r.reviewed_at),
    reviewNotes: r.review_notes,
  });

  return {
    async insertEvidence(e: EvidenceRecord): Promise<void> {
      await db
        .insertInto('change_evidence')
        .values({ id: e.id, change_id: e.changeId, kind: e.kind, title: e.title, body: e.body, url: e.url, sha256: e.sha256, created_by: e.createdBy, created_at: e.createdAt })
        .execute();
    },
    async evidenceFor(changeId: string): Promise<EvidenceRecord[]> {
      const rows = await db.selectFrom('change_evidence').selectAll().where('change_id', '=', changeId).orderBy('created_at').orderBy('id').execute();
      return rows.map((r) => ({
        id: r.id,
        changeId: r.change_id,
        kind: r.kind,
        title: r.title,
        body: r.body,
        url: r.url,
        sha256: r.sha256,
        createdBy: r.created_by,
        createdAt: h.readInstant(r.created_at)!,
      }));
    },
    async evidenceKinds(changeId: string): Promise<Set<string>> {
      const rows = await db.selectFrom('change_evidence').select('kind').distinct().where('change_id', '=', changeId).execute();
      return new Set(rows.map((r) => r.kind));
    },

    async insertDelegation(d: DelegationRecord): Promise<void> {
      await db
        .insertInto('delegations')
        .values({ id: d.id, user_id: d.userId, delegate_id: d.delegateId, starts_at: d.startsAt, ends_at: d.endsAt, reason: d.reason, created_at: d.createdAt, revoked_at: d.revokedAt })
        .execute();
    },
    async findDelegation(id: string): Promise<DelegationRecord | null> {
      const row = await db.selectFrom('delegations').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toDelegation(row) : null;
    },
    /** Delegations the user gave or received that have not ended nor been revoked, soonest first. */
    async delegationsOf(userId: string, now: string): Promise<DelegationRecord[]> {
      const rows = await db
        .selectFrom('delegations')
        .selectAll()
        .where((eb) => eb.or([eb('user_id', '=', userId), eb('delegate_id', '=', userId)]))
        .where('ends_at', '>', now)
        .where('revoked_at', 'is', null)
        .orderBy('starts_at')
        .orderBy('id')
        .execute();
      return rows.map(toDelegation);
    },
    /** Delegations in force now whose delegate is the user: the people they may decide for. */
    async activeDelegationsTo(delegateId: string, now: string): Promise<DelegationRecord[]> {
      const rows = await db
        .selectFrom('delegations')
        .selectAll()
        .where('delegate_id', '=', delegateId)
        .where('starts_at', '<=', now)
        .where('ends_at', '>', now)
        .where('revoked_at', 'is', null)
        .orderBy('starts_at')
        .execute();
      return rows.map(toDelegation);
    },
    async revokeDelegation(id: string, at: string): Promise<boolean> {
      const res = await db.updateTable('delegations').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    async insertBreakGlass(b: BreakGlassRecord): Promise<void> {
      await db
        .insertInto('break_glass')
        .values({
          id: b.id,
          change_id: b.changeId,
          user_id: b.userId,
          reason: b.reason,
          skipped: h.writeJson(b.skipped),
          created_at: b.createdAt,
          expires_at: b.expiresAt,
          used_at: b.usedAt,
          reviewed_by: b.reviewedBy,
          reviewed_at: b.reviewedAt,
          review_notes: b.reviewNotes,
        })
        .execute();
    },
    async breakGlassFor(changeId: string): Promise<BreakGlassRecord[]> {
      const rows = await db.selectFrom('break_glass').selectAll().where('change_id', '=', changeId).orderBy('created_at').orderBy('id').execute();
      return rows.map(toBreakGlass);
    },
    /** The change's break-glass that is still in force at `now`, if any. */
    async activeBreakGlass(changeId: string, now: string): Promise<BreakGlassRecord | null> {
      const row = await db.selectFrom('break_glass').selectAll().where('change_id', '=', changeId).where('expires_at', '>', now).orderBy('created_at', 'desc').executeTakeFirst();
      return row ? toBreakGlass(row) : null;
    },
    async markBreakGlassUsed(id: string, at: string): Promise<void> {
      await db.updateTable('break_glass').set({ used_at: at }).where('id', '=', id).where('used_at', 'is', null).execute();
    },
    /** Records the review; false when it was reviewed meanwhile. */
    async reviewBreakGlass(id: string, by: string, at: string, notes: string): Promise<boolean> {
      const res = await db.updateTable('break_glass').set({ reviewed_by: by, reviewed_at: at, review_notes: notes }).where('id', '=', id).where('reviewed_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    async setReviewRequired(changeId: string, required: boolean): Promise<void> {
      await db.updateTable('changes').set({ review_required: h.writeBool(required) }).where('id', '=', changeId).execute();
    },
  };
}
export type GovernanceRepository = ReturnType<typeof createGovernanceRepository>;
