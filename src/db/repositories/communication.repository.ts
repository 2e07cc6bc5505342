import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { ConcernsTable, DB, SubscriptionsTable } from '../schema';

/** What a subscription follows. */
export type SubscriptionTargetKind = 'service' | 'ci' | 'team';

/** A subscription as stored: exactly one of `userId` and `teamId` is set. */
/** A person as notice rules see them. */
export interface NoticeReaderRow {
  id: string;
  email: string;
  roles: string[];
  teams: string[];
}

export interface SubscriptionRecord {
  id: string;
  userId: string | null;
  teamId: string | null;
  targetKind: SubscriptionTargetKind;
  targetId: string;
  includeDependencies: boolean;
  /** Event names; null: every event. */
  events: string[] | null;
  channels: string[];
  createdBy: string;
  createdAt: string;
  /** An external address that follows instead of a person or team (then `userId` and `teamId` are null; 0024). */
  address?: string | null;
  /** `pending` until an external address confirms (it reaches nobody meanwhile); everything else is `active`. */
  state?: 'active' | 'pending';
  /** When the last confirmation was sent to the external address. */
  confirmSentAt?: string | null;
}

/** A concern about a change, with its answer once given. */
export interface ConcernRecord {
  id: string;
  changeId: string;
  authorId: string;
  text: string;
  createdAt: string;
  answerText: string | null;
  answeredBy: string | null;
  answeredAt: string | null;
}

/** Subscriptions (who follows which service, CI or team) and the concerns raised about changes. */
export function createCommunicationRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toSubscription = (r: SubscriptionsTable): SubscriptionRecord => ({
    id: r.id,
    userId: r.user_id,
    teamId: r.team_id,
    targetKind: r.target_kind as SubscriptionTargetKind,
    targetId: r.target_id,
    includeDependencies: h.readBool(r.include_dependencies),
    events: r.events === null ? null : h.readJson<string[]>(r.events),
    channels: h.readJson<string[]>(r.channels),
    createdBy: r.created_by,
    createdAt: h.readInstant(r.created_at)!,
    address: r.address,
    state: r.state === 'pending' ? 'pending' : 'active',
    confirmSentAt: h.readInstant(r.confirm_sent_at),
  });
  const toConcern = (r: ConcernsTable): ConcernRecord => ({
    id: r.id,
    changeId: r.change_id,
    authorId: r.author_id,
    text: r.text,
    createdAt: h.readInstant(r.created_at)!,
    answerText: r.answer_text,
    answeredBy: r.answered_by,
    answeredAt: h.readInstant(r.answered_at),
  });

  return {
    /**
     * Every enabled person with their email, role names and team handles: the people a notice rule's audience
     * is evaluated for (notifications.yaml).
     */
    async noticeReaders(): Promise<NoticeReaderRow[]> {
      const users = await db.selectFrom('users').select(['id', 'email']).where('disabled', '=', h.writeBool(false)).execute();
      const roles = await db.selectFrom('user_roles').select(['user_id', 'role']).execute();
      const teams = await db.selectFrom('team_members').innerJoin('teams', 'teams.id', 'team_members.team_id').select(['team_members.user_id', 'teams.handle']).execute();
      const byUser = new Map<string, NoticeReaderRow>(users.map((u) => [u.id, { id: u.id, email: u.email, roles: [], teams: [] }]));
      for (const r of roles) byUser.get(r.user_id)?.roles.push(r.role);
      for (const t of teams) byUser.get(t.user_id)?.teams.push(t.handle);
      return [...byUser.values()];
    },
    async insertSubscription(s: SubscriptionRecord): Promise<void> {
      await db
        .insertInto('subscriptions')
        .values({
          id: s.id,
          user_id: s.userId,
          team_id: s.teamId,
          target_kind: s.targetKind,
          target_id: s.targetId,
          include_dependencies: h.writeBool(s.includeDependencies),
          events: s.events === null ? null : h.writeJson(s.events),
          channels: h.writeJson(s.channels),
          created_by: s.createdBy,
          created_at: s.createdAt,
          address: s.address ?? null,
          state: s.state ?? 'active',
          confirm_sent_at: s.confirmSentAt ?? null,
        })
        .execute();
    },
    /** Makes a pending external address's subscription active; false when it was not pending (confirmed already, or gone). */
    async confirmSubscription(id: string): Promise<boolean> {
      const res = await db.updateTable('subscriptions').set({ state: 'active' }).where('id', '=', id).where('state', '=', 'pending').executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    async markConfirmationSent(id: string, at: string): Promise<void> {
      await db.updateTable('subscriptions').set({ confirm_sent_at: at }).where('id', '=', id).execute();
    },
    /** Every external address's subscription (pending ones too), oldest first. */
    async addressSubscriptions(): Promise<SubscriptionRecord[]> {
      const rows = await db.selectFrom('subscriptions').selectAll().where('address', 'is not', null).orderBy('created_at').orderBy('id').execute();
      return rows.map(toSubscription);
    },
    async findSubscription(id: string): Promise<SubscriptionRecord | null> {
      const row = await db.selectFrom('subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toSubscription(row) : null;
    },
    async updateSubscription(id: string, set: { includeDependencies: boolean; events: string[] | null; channels: string[] }): Promise<void> {
      await db
        .updateTable('subscriptions')
        .set({ include_dependencies: h.writeBool(set.includeDependencies), events: set.events === null ? null : h.writeJson(set.events), channels: h.writeJson(set.channels) })
        .where('id', '=', id)
        .execute();
    },
    async deleteSubscription(id: string): Promise<void> {
      await db.deleteFrom('subscriptions').where('id', '=', id).execute();
    },
    /** The subscriptions of a person and of their teams, oldest first. */
    async subscriptionsOf(userId: string, teamIds: readonly string[]): Promise<SubscriptionRecord[]> {
      const rows = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where((eb) => eb.or([eb('user_id', '=', userId), ...(teamIds.length > 0 ? [eb('team_id', 'in', [...teamIds])] : [])]))
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(toSubscription);
    },
    /** Every subscription to one of these targets. */
    /** The changes in these states whose planned start is after `from` and at most `to`. */
    async startingBetween(states: readonly string[], from: string, to: string): Promise<string[]> {
      if (states.length === 0) return [];
      const rows = await db.selectFrom('changes').select('id').where('state', 'in', [...states]).where('planned_start', '>', from).where('planned_start', '<=', to).orderBy('planned_start').execute();
      return rows.map((r) => r.id);
    },
    /** Records that a notice of an occasion was queued; false when it was already (by this worker or another). */
    async markNotice(changeId: string, mark: string, at: string): Promise<boolean> {
      const res = await db
        .insertInto('notice_marks')
        .values({ change_id: changeId, mark, created_at: at })
        .onConflict((oc) => oc.columns(['change_id', 'mark']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** Every subscription, for a notice about everything (a global freeze), oldest first. */
    async allSubscriptions(): Promise<SubscriptionRecord[]> {
      const rows = await db.selectFrom('subscriptions').selectAll().orderBy('id').execute();
      return rows.map(toSubscription);
    },
    async subscriptionsOn(targets: { kind: SubscriptionTargetKind; ids: readonly string[] }[]): Promise<SubscriptionRecord[]> {
      const wanted = targets.filter((t) => t.ids.length > 0);
      if (wanted.length === 0) return [];
      const rows = await db
        .selectFrom('subscriptions')
        .selectAll()
        .where((eb) => eb.or(wanted.map((t) => eb.and([eb('target_kind', '=', t.kind), eb('target_id', 'in', [...new Set(t.ids)])]))))
        .orderBy('id')
        .execute();
      return rows.map(toSubscription);
    },
    /** The CIs of these services, or owned by these teams (what a stakeholder's follows cover). */
    async ciIdsOf(f: { serviceIds: readonly string[]; ownerTeamIds: readonly string[] }): Promise<string[]> {
      if (f.serviceIds.length === 0 && f.ownerTeamIds.length === 0) return [];
      const rows = await db
        .selectFrom('cis')
        .select('id')
        .where((eb) =>
          eb.or([
            ...(f.serviceIds.length > 0 ? [eb('service_id', 'in', [...f.serviceIds])] : []),
            ...(f.ownerTeamIds.length > 0 ? [eb('owner_team_id', 'in', [...f.ownerTeamIds])] : []),
          ]),
        )
        .execute();
      return rows.map((r) => r.id);
    },
    /** The services these teams own. */
    async serviceIdsOwnedBy(teamIds: readonly string[]): Promise<string[]> {
      if (teamIds.length === 0) return [];
      return (await db.selectFrom('services').select('id').where('owner_team_id', 'in', [...teamIds]).execute()).map((r) => r.id);
    },

    async insertConcern(c: ConcernRecord): Promise<void> {
      await db
        .insertInto('concerns')
        .values({ id: c.id, change_id: c.changeId, author_id: c.authorId, text: c.text, created_at: c.createdAt, answer_text: null, answered_by: null, answered_at: null })
        .execute();
    },
    async findConcern(id: string): Promise<ConcernRecord | null> {
      const row = await db.selectFrom('concerns').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toConcern(row) : null;
    },
    /** Answers an open concern; false when it was answered meanwhile (NOTE: the first answer stands). */
    async answerConcern(id: string, a: { text: string; by: string; at: string }): Promise<boolean> {
      const res = await db.updateTable('concerns').set({ answer_text: a.text, answered_by: a.by, answered_at: a.at }).where('id', '=', id).where('answered_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows) > 0;
    },
    /** How many concerns of each change wait for an answer, and since when (the oldest); changes with none are left out. */
    async openConcernCounts(changeIds: string[]): Promise<Map<string, { count: number; since: string }>> {
      const counts = new Map<string, { count: number; since: string }>();
      for (let i = 0; i < changeIds.length; i += 500) {
        const rows = await db
          .selectFrom('concerns')
          .select((eb) => ['change_id', eb.fn.countAll<number>().as('n'), eb.fn.min('created_at').as('since')])
          .where('change_id', 'in', changeIds.slice(i, i + 500))
          .where('answered_at', 'is', null)
          .groupBy('change_id')
          .execute();
        for (const r of rows) counts.set(r.change_id, { count: Number(r.n), since: h.readInstant(r.since)! });
      }
      return counts;
    },
    /** The concerns of a change, oldest first; `openOnly`: those still waiting for an answer. */
    async concernsOf(changeId: string, opts: { openOnly?: boolean } = {}): Promise<ConcernRecord[]> {
      let q = db.selectFrom('concerns').selectAll().where('change_id', '=', changeId);
      if (opts.openOnly) q = q.where('answered_at', 'is', null);
      return (await q.orderBy('created_at').orderBy('id').execute()).map(toConcern);
    },
  };
}
export type CommunicationRepository = ReturnType<typeof createCommunicationRepository>;
