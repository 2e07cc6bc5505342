import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialect';
import type { ArgocdHoldsTable, DB, IntegrationGateRequestsTable } from '../schema';

/** A secret of an integration at rest: sealed (integrations/webhook/secret-box.ts) and its last characters. */
export interface SealedSecret {
  sealed: string;
  hint: string;
}

/** The stored settings of one integration. */
export interface IntegrationSettingsRecord {
  kind: string;
  config: Record<string, unknown>;
  secrets: Record<string, SealedSecret>;
  version: number;
  updatedBy: string;
  updatedAt: string;
}

/** A forge waiting on a gate check (a GitHub protection rule, a GitLab deployment blocked for approval). */
export interface GateRequestRecord {
  id: string;
  kind: 'github' | 'gitlab';
  checkId: string;
  repository: string;
  environment: string;
  installationId: string | null;
  callbackUrl: string | null;
  runId: string | null;
  projectId: string | null;
  deploymentId: string | null;
  state: 'waiting' | 'approved' | 'rejected';
  /** Status reports posted so far (GitHub takes at most 10 per deployment). */
  reports: number;
  /** The last gate decision told to the forge (allow, deny, pending). */
  lastDecision: string | null;
  deadline: string;
  createdAt: string;
  decidedAt: string | null;
}

/** An Argo CD application whose sync a freeze held. */
export interface ArgocdHoldRecord {
  id: string;
  application: string;
  project: string;
  revision: string;
  serviceId: string | null;
  environment: string;
  freezeId: string | null;
  freezeEndsAt: string | null;
  message: string;
  heldAt: string;
  releasedAt: string | null;
}

/** Integration settings, handled webhook deliveries, gate requests of the forges and Argo CD holds. */
export function createIntegrationRepository(db: Kysely<DB>, h: DialectHelpers) {
  const toRequest = (r: IntegrationGateRequestsTable): GateRequestRecord => ({
    id: r.id,
    kind: r.kind as GateRequestRecord['kind'],
    checkId: r.check_id,
    repository: r.repository,
    environment: r.environment,
    installationId: r.installation_id,
    callbackUrl: r.callback_url,
    runId: r.run_id,
    projectId: r.project_id,
    deploymentId: r.deployment_id,
    state: r.state as GateRequestRecord['state'],
    reports: r.reports,
    lastDecision: r.last_decision,
    deadline: h.readInstant(r.deadline)!,
    createdAt: h.readInstant(r.created_at)!,
    decidedAt: h.readInstant(r.decided_at),
  });
  const toHold = (r: ArgocdHoldsTable): ArgocdHoldRecord => ({
    id: r.id,
    application: r.application,
    project: r.project,
    revision: r.revision,
    serviceId: r.service_id,
    environment: r.environment,
    freezeId: r.freeze_id,
    freezeEndsAt: h.readInstant(r.freeze_ends_at),
    message: r.message,
    heldAt: h.readInstant(r.held_at)!,
    releasedAt: h.readInstant(r.released_at),
  });

  return {
    async findSettings(kind: string): Promise<IntegrationSettingsRecord | null> {
      const r = await db.selectFrom('integration_settings').selectAll().where('kind', '=', kind).executeTakeFirst();
      if (!r) return null;
      return {
        kind: r.kind,
        config: h.readJson<Record<string, unknown>>(r.config),
        secrets: h.readJson<Record<string, SealedSecret>>(r.secrets),
        version: r.version,
        updatedBy: r.updated_by,
        updatedAt: h.readInstant(r.updated_at)!,
      };
    },
    /** Writes the settings; false when `expectedVersion` is no longer the stored one (another edit won). */
    async saveSettings(s: IntegrationSettingsRecord, expectedVersion: number | null): Promise<boolean> {
      const values = { config: h.writeJson(s.config), secrets: h.writeJson(s.secrets), version: s.version, updated_by: s.updatedBy, updated_at: s.updatedAt };
      if (expectedVersion === null) {
        const res = await db
          .insertInto('integration_settings')
          .values({ kind: s.kind, ...values })
          .onConflict((oc) => oc.column('kind').doNothing())
          .executeTakeFirst();
        return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
      }
      const res = await db.updateTable('integration_settings').set(values).where('kind', '=', s.kind).where('version', '=', expectedVersion).executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /**
     * Records a delivery as handled; false when it was already (a replay or a redelivery). NOTE: the insert
     * is the claim, so two processes receiving the same delivery at once act on it once.
     */
    async claimDelivery(source: string, deliveryId: string, event: string, at: string): Promise<boolean> {
      const res = await db
        .insertInto('integration_deliveries')
        .values({ source, delivery_id: deliveryId, event, received_at: at })
        .onConflict((oc) => oc.columns(['source', 'delivery_id']).doNothing())
        .executeTakeFirst();
      return Number(res.numInsertedOrUpdatedRows ?? 0) === 1;
    },
    /** Inserts a gate request unless one waits on the same check already; returns the stored one. */
    async insertGateRequest(r: GateRequestRecord): Promise<GateRequestRecord> {
      await db
        .insertInto('integration_gate_requests')
        .values({
          id: r.id,
          kind: r.kind,
          check_id: r.checkId,
          repository: r.repository,
          environment: r.environment,
          installation_id: r.installationId,
          callback_url: r.callbackUrl,
          run_id: r.runId,
          project_id: r.projectId,
          deployment_id: r.deploymentId,
          state: r.state,
          reports: r.reports,
          last_decision: r.lastDecision,
          deadline: r.deadline,
          created_at: r.createdAt,
          decided_at: r.decidedAt,
        })
        .onConflict((oc) => oc.columns(['kind', 'check_id']).doNothing())
        .execute();
      const row = await db.selectFrom('integration_gate_requests').selectAll().where('kind', '=', r.kind).where('check_id', '=', r.checkId).executeTakeFirstOrThrow();
      return toRequest(row);
    },
    async gateRequestsOfCheck(checkId: string): Promise<GateRequestRecord[]> {
      return (await db.selectFrom('integration_gate_requests').selectAll().where('check_id', '=', checkId).execute()).map(toRequest);
    },
    async findGateRequest(id: string): Promise<GateRequestRecord | null> {
      const row = await db.selectFrom('integration_gate_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRequest(row) : null;
    },
    /** Waiting requests of a kind past their deadline, oldest first. */
    async overdueGateRequests(kind: GateRequestRecord['kind'], now: string, limit: number): Promise<GateRequestRecord[]> {
      const rows = await db
        .selectFrom('integration_gate_requests')
        .selectAll()
        .where('state', '=', 'waiting')
        .where('kind', '=', kind)
        .where('deadline', '<=', now)
        .orderBy('deadline')
        .limit(limit)
        .execute();
      return rows.map(toRequest);
    },
    /** The requests of a GitHub run (a workflow run that deployed through a protection rule). */
    async gateRequestsOfRun(kind: GateRequestRecord['kind'], repository: string, runId: string): Promise<GateRequestRecord[]> {
      return (await db.selectFrom('integration_gate_requests').selectAll().where('kind', '=', kind).where('repository', '=', repository).where('run_id', '=', runId).execute()).map(toRequest);
    },
    /** Puts a request whose answer did not reach the forge back to waiting, so that it is answered again. */
    async reopenGateRequest(id: string): Promise<void> {
      await db.updateTable('integration_gate_requests').set({ state: 'waiting', decided_at: null }).where('id', '=', id).execute();
    },
    /**
     * Closes a waiting request with its answer; false when it was no longer waiting (another process answered
     * first). NOTE: the conditional update is the claim, so a forge is answered once.
     */
    async settleGateRequest(id: string, state: 'approved' | 'rejected', decision: string, at: string): Promise<boolean> {
      const res = await db
        .updateTable('integration_gate_requests')
        .set({ state, last_decision: decision, decided_at: at })
        .where('id', '=', id)
        .where('state', '=', 'waiting')
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Notes a status report posted while the request still waits; false when nothing changed (already reported). */
    async noteReport(id: string, decision: string): Promise<boolean> {
      const res = await db
        .updateTable('integration_gate_requests')
        .set((eb) => ({ reports: eb('reports', '+', 1), last_decision: decision }))
        .where('id', '=', id)
        .where('state', '=', 'waiting')
        .where((eb) => eb.or([eb('last_decision', 'is', null), eb('last_decision', '!=', decision)]))
        .executeTakeFirst();
      return Number(res.numUpdatedRows) === 1;
    },
    /** Forgets a delivery whose handling failed, so that the forge's redelivery is handled. */
    async releaseDelivery(source: string, deliveryId: string): Promise<void> {
      await db.deleteFrom('integration_deliveries').where('source', '=', source).where('delivery_id', '=', deliveryId).execute();
    },
    async insertHold(r: ArgocdHoldRecord): Promise<void> {
      await db
        .insertInto('argocd_holds')
        .values({
          id: r.id,
          application: r.application,
          project: r.project,
          revision: r.revision,
          service_id: r.serviceId,
          environment: r.environment,
          freeze_id: r.freezeId,
          freeze_ends_at: r.freezeEndsAt,
          message: r.message,
          held_at: r.heldAt,
          released_at: r.releasedAt,
        })
        .execute();
    },
    /** The application's hold still open, if any. */
    async openHold(application: string): Promise<ArgocdHoldRecord | null> {
      const row = await db.selectFrom('argocd_holds').selectAll().where('application', '=', application).where('released_at', 'is', null).orderBy('held_at', 'desc').executeTakeFirst();
      return row ? toHold(row) : null;
    },
    /** Releases the application's open holds (a sync went through); the number released. */
    async releaseHolds(application: string, at: string): Promise<number> {
      const res = await db.updateTable('argocd_holds').set({ released_at: at }).where('application', '=', application).where('released_at', 'is', null).executeTakeFirst();
      return Number(res.numUpdatedRows);
    },
    /** Open holds, oldest first. */
    async openHolds(limit: number): Promise<ArgocdHoldRecord[]> {
      return (await db.selectFrom('argocd_holds').selectAll().where('released_at', 'is', null).orderBy('held_at').orderBy('id').limit(limit).execute()).map(toHold);
    },
  };
}
export type IntegrationRepository = ReturnType<typeof createIntegrationRepository>;
