import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { DB, GateChecksTable } from '../schema';

/** A reason of a decision as stored. */
export interface GateReasonRecord {
  code: string;
  message: string;
  ref: { type: string; id: string; label?: string; until?: string } | null;
}

/** A question a pipeline asked the gate, with its current decision (migration 0031). */
export interface GateCheckRecord {
  id: string;
  source: string;
  repository: string;
  runId: string;
  attempt: number;
  environment: string;
  ref: string;
  sha: string;
  pipelineId: string;
  pipelineUrl: string | null;
  serviceId: string | null;
  ciIds: string[];
  actor: string;
  accountId: string;
  changeNumber: string | null;
  templateId: string | null;
  changeId: string | null;
  decision: 'allow' | 'deny' | 'pending';
  reasons: GateReasonRecord[];
  claimedAt: string | null;
  deadline: string | null;
  decidedAt: string;
  evaluatedAt: string | null;
  version: number;
  createdAt: string;
}

/** What identifies a check: a repeated question with the same key answers the same check. */
export interface GateCheckKey {
  source: string;
  repository: string;
  runId: string;
  attempt: number;
  environment: string;
}

export interface GateCheckFilter {
  changeId?: string;
  serviceId?: string;
  decision?: string;
  source?: string;
  repository?: string;
  /** Keyset position: checks older than this (created_at, id). */
  before?: { at: string; id: string };
  limit: number;
}

/** A change that may cover a deployment now or soon: one of its CIs is in the target. */
export interface CoveringCandidate {
  id: string;
  state: string;
  plannedStart: string | null;
  plannedEnd: string | null;
}

/** Gate checks, and the reads the gate makes to find the change a deployment belongs to. */
export function createGateRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRecord = (r: GateChecksTable): GateCheckRecord => ({
    id: r.id,
    source: r.source,
    repository: r.repository,
    runId: r.run_id,
    attempt: Number(r.attempt),
    environment: r.environment,
    ref: r.ref,
    sha: r.sha,
    pipelineId: r.pipeline_id,
    pipelineUrl: r.pipeline_url,
    serviceId: r.service_id,
    ciIds: h.readJson<string[]>(r.ci_ids),
    actor: r.actor,
    accountId: r.account_id,
    changeNumber: r.change_number,
    templateId: r.template_id,
    changeId: r.change_id,
    decision: r.decision as GateCheckRecord['decision'],
    reasons: h.readJson<GateReasonRecord[]>(r.reasons),
    claimedAt: h.readInstant(r.claimed_at),
    deadline: h.readInstant(r.deadline),
    decidedAt: h.readInstant(r.decided_at)!,
    evaluatedAt: h.readInstant(r.evaluated_at),
    version: Number(r.version),
    createdAt: h.readInstant(r.created_at)!,
  });

  return {
    /** Inserts the check unless one with its key exists; true when this call inserted it. */
    async insertIfAbsent(c: GateCheckRecord): Promise<boolean> {
      const res = await db
        .insertInto('gate_checks')
        .values({
          id: c.id,
          source: c.source,
          repository: c.repository,
          run_id: c.runId,
          attempt: c.attempt,
          environment: c.environment,
          ref: c.ref,
          sha: c.sha,
          pipeline_id: c.pipelineId,
          pipeline_url: c.pipelineUrl,
          service_id: c.serviceId,
          ci_ids: h.writeJson(c.ciIds),
          actor: c.actor,
          account_id: c.accountId,
          change_number: c.changeNumber,
          template_id: c.templateId,
          change_id: c.changeId,
          decision: c.decision,
          reasons: h.writeJson(c.reasons),
          claimed_at: c.claimedAt,
          deadline: c.deadline,
          decided_at: c.decidedAt,
          evaluated_at: c.evaluatedAt,
          version: c.version,
          created_at: c.createdAt,
        })
        .onConflict((oc) => oc.columns(['source', 'repository', 'run_id', 'attempt', 'environment']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    async findByKey(k: GateCheckKey): Promise<GateCheckRecord | null> {
      const row = await db
        .selectFrom('gate_checks')
        .selectAll()
        .where('source', '=', k.source)
        .where('repository', '=', k.repository)
        .where('run_id', '=', k.runId)
        .where('attempt', '=', k.attempt)
        .where('environment', '=', k.environment)
        .executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    async findById(id: string): Promise<GateCheckRecord | null> {
      const row = await db.selectFrom('gate_checks').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : null;
    },

    /**
     * Takes the right to decide a check nobody has decided yet: when it is unclaimed, or its claim is older
     * than `staleBefore` (the process that claimed it died). NOTE: a conditional UPDATE, so of several
     * processes asking at once exactly one wins.
     */
    async claim(id: string, at: string, staleBefore: string): Promise<boolean> {
      const res = await db
        .updateTable('gate_checks')
        .set({ claimed_at: at })
        .where('id', '=', id)
        .where('evaluated_at', 'is', null)
        .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /**
     * Takes the right to open a change for a decided check that has none (one process at a time, so a run never
     * gets two changes): when nobody holds it, or the holder's claim is older than `staleBefore`.
     */
    async claimToOpen(id: string, at: string, staleBefore: string): Promise<boolean> {
      const res = await db
        .updateTable('gate_checks')
        .set({ claimed_at: at })
        .where('id', '=', id)
        .where('change_id', 'is', null)
        .where((eb) => eb.or([eb('claimed_at', 'is', null), eb('claimed_at', '<', staleBefore)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** Gives a claim back (deciding failed). */
    async release(id: string): Promise<void> {
      await db.updateTable('gate_checks').set({ claimed_at: null }).where('id', '=', id).execute();
    },

    /** Stores a decision, if the check is still at `expectedVersion`; false when another process moved it first. */
    async saveDecision(c: GateCheckRecord, expectedVersion: number): Promise<boolean> {
      const res = await db
        .updateTable('gate_checks')
        .set({
          change_id: c.changeId,
          decision: c.decision,
          reasons: h.writeJson(c.reasons),
          deadline: c.deadline,
          decided_at: c.decidedAt,
          evaluated_at: c.evaluatedAt,
          claimed_at: c.claimedAt,
          version: expectedVersion + 1,
        })
        .where('id', '=', c.id)
        .where('version', '=', expectedVersion)
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },

    /** A page of checks, newest first. */
    async list(f: GateCheckFilter): Promise<GateCheckRecord[]> {
      let q = db.selectFrom('gate_checks').selectAll();
      if (f.changeId) q = q.where('change_id', '=', f.changeId);
      if (f.serviceId) q = q.where('service_id', '=', f.serviceId);
      if (f.decision) q = q.where('decision', '=', f.decision);
      if (f.source) q = q.where('source', '=', f.source);
      if (f.repository) q = q.where('repository', '=', f.repository);
      if (f.before) {
        const { at, id } = f.before;
        q = q.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', id)])]));
      }
      const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
      return rows.map(toRecord);
    },

    /** Checks still pending (the worker's pass), oldest deadline first. */
    async pending(limit: number): Promise<GateCheckRecord[]> {
      const rows = await db.selectFrom('gate_checks').selectAll().where('decision', '=', 'pending').orderBy('deadline', 'asc').limit(limit).execute();
      return rows.map(toRecord);
    },

    /** The change of the latest check of this run (any attempt, any environment), or of this commit, that has one. */
    async changeOfRun(k: { source: string; repository: string; runId?: string; sha?: string; environment?: string }): Promise<string | null> {
      if (!k.runId && !k.sha) return null;
      let q = db.selectFrom('gate_checks').select('change_id').where('source', '=', k.source).where('repository', '=', k.repository).where('change_id', 'is not', null);
      if (k.runId) q = q.where('run_id', '=', k.runId);
      else if (k.sha) q = q.where('sha', '=', k.sha);
      if (k.environment) q = q.where('environment', '=', k.environment);
      const row = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
      return row?.change_id ?? null;
    },

    /** The ids of the CIs of a service. */
    async ciIdsOfService(serviceId: string): Promise<string[]> {
      const rows = await db.selectFrom('cis').select('id').where('service_id', '=', serviceId).execute();
      return rows.map((r) => r.id);
    },

    /**
     * Open changes in `states` on any of the CIs whose planned window has not ended at `now`: those that may
     * cover a deployment now (planned start reached) or soon.
     */
    async coveringCandidates(ciIds: readonly string[], states: readonly string[], now: string): Promise<CoveringCandidate[]> {
      if (ciIds.length === 0 || states.length === 0) return [];
      const rows = await db
        .selectFrom('changes')
        .select(['changes.id', 'changes.state', 'changes.planned_start', 'changes.planned_end'])
        .where('changes.state', 'in', [...states])
        .where('changes.planned_end', '>', now)
        .where((eb) => eb.exists(eb.selectFrom('change_cis').select('change_cis.ci_id').whereRef('change_cis.change_id', '=', 'changes.id').where('change_cis.ci_id', 'in', [...ciIds])))
        .orderBy('changes.planned_start', 'asc')
        .limit(50)
        .execute();
      return rows.map((r) => ({ id: r.id, state: r.state, plannedStart: h.readInstant(r.planned_start), plannedEnd: h.readInstant(r.planned_end) }));
    },
  };
}
export type GateRepository = ReturnType<typeof createGateRepository>;
