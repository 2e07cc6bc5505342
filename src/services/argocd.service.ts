import { stringify } from 'yaml';
import type { ArgoCdSettingsInput, ArgoNotification, ArgoSyncWindow, ArgoSyncWindows, WebhookReceipt } from '../contracts/integrations';
import type { ArgocdHoldRecord, Repositories, WindowRecord } from '../db/repositories';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { NotFoundError } from '../domain/errors';
import { occurrences } from '../domain/schedule/windows';
import { goDuration } from '../domain/schedule/window-cron';
import { scopeApplies } from '../domain/schedule/scope';
import type { ServiceDeps } from './context';
import type { DeploymentsPort } from './forge-review';
import type { IntegrationSettingsService } from './integration-settings.service';
import { exportWindows, serviceTarget } from './window-export';

export interface ArgoCdServiceDeps extends ServiceDeps {
  settings: IntegrationSettingsService;
  deployments: DeploymentsPort | null;
}

type Mapping = ArgoCdSettingsInput['applications'][number];

/** Whether an Argo CD pattern (`*` wildcards, as in sync windows) matches a name. */
export function globMatches(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(name);
}

/** Argo CD's phase words as a deployment's end. */
const FAILED = new Set(['Failed', 'Error']);
/** What Argo CD says when a sync window stops a sync. */
const WINDOW_BLOCKED = /sync window|blocked by|denied by/i;

/**
 * Argo CD (docs/integrations.md#argo-cd): Cabinet's maintenance windows and freezes as an AppProject's
 * `syncWindows`, argocd-notifications webhooks recorded as deployments, and the applications a freeze held,
 * listed for re-sync once it is over (Argo CD does not resume auto-sync by itself after a deny window).
 */
export function createArgoCdService(deps: ArgoCdServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();

  async function loadOrFail() {
    const s = await deps.settings.load('argocd');
    if (!s) throw new NotFoundError('Integration settings', 'argocd');
    return s;
  }

  /** The mapping entries a window applies to (a global window: all of them). */
  async function entriesOf(repos: Repositories, entries: Mapping[], w: WindowRecord): Promise<Mapping[]> {
    const matched: Mapping[] = [];
    for (const e of entries) if (scopeApplies(w.scope, await serviceTarget(repos, e.serviceId, e.environment))) matched.push(e);
    return matched;
  }

  /** The freeze in force now on an entry's target, with the end of its occurrence. */
  async function activeFreeze(repos: Repositories, entry: Mapping): Promise<{ window: WindowRecord; endsAt: string } | null> {
    const now = deps.now();
    const target = await serviceTarget(repos, entry.serviceId, entry.environment);
    for (const w of await repos.windows.listWindows({ kind: 'freeze' })) {
      if (!scopeApplies(w.scope, target)) continue;
      const current = occurrences(w, new Date(now.getTime() - 1), new Date(now.getTime() + 1), 1)[0];
      if (current) return { window: w, endsAt: current.end.toISOString() };
    }
    return null;
  }

  const entryOf = (entries: Mapping[], app: string) => entries.find((e) => e.applications.some((p) => globMatches(p, app))) ?? null;

  async function hold(n: ArgoNotification, entry: Mapping, message: string): Promise<ArgocdHoldRecord> {
    const open = await store.repos.integrations.openHold(n.app);
    if (open) return open;
    const freeze = await activeFreeze(store.repos, entry);
    const record: ArgocdHoldRecord = {
      id: deps.newId(),
      application: n.app,
      project: n.project,
      revision: n.revision,
      serviceId: entry.serviceId ?? null,
      environment: entry.environment ?? 'production',
      freezeId: freeze?.window.id ?? null,
      freezeEndsAt: freeze?.endsAt ?? null,
      message: message || (freeze ? `Held by the freeze ${freeze.window.name}` : 'Held by a sync window'),
      heldAt: nowIso(),
      releasedAt: null,
    };
    await store.repos.integrations.insertHold(record);
    return record;
  }

  return {
    /**
     * The AppProject's `syncWindows`: each maintenance window an `allow` window (manual sync allowed, so an
     * emergency change may go out of hours by hand), each freeze a `deny` window (manual sync only where an
     * emergency may still go: not in a lockdown), both in the window's own zone, limited to the applications,
     * namespaces and clusters the settings give the services and environments they apply to.
     */
    async syncWindows(actor: Actor): Promise<ArgoSyncWindows> {
      assertPermission(actor, 'change.read');
      const s = await loadOrFail();
      const entries = s.config.applications ?? [];
      const repos = store.repos;
      const syncWindows: ArgoSyncWindow[] = [];
      const skipped: ArgoSyncWindows['skipped'] = [];
      for (const kind of ['maintenance', 'freeze'] as const) {
        const matched = new Map<string, Mapping[]>();
        for (const w of await repos.windows.listWindows({ kind })) matched.set(w.id, w.scope.global ? [] : await entriesOf(repos, entries, w));
        const result = await exportWindows(repos, kind, (w) => w.scope.global === true || (matched.get(w.id)?.length ?? 0) > 0, deps.now());
        skipped.push(...result.skipped);
        for (const { window: w, cron } of result.exported) {
          const these = matched.get(w.id) ?? [];
          const pick = (k: 'applications' | 'namespaces' | 'clusters') => [...new Set(these.flatMap((e) => e[k]))].sort();
          const selectors = w.scope.global ? { applications: ['*'] } : { applications: pick('applications'), namespaces: pick('namespaces'), clusters: pick('clusters') };
          syncWindows.push({
            kind: kind === 'freeze' ? 'deny' : 'allow',
            schedule: cron.start,
            duration: goDuration(cron.durationMinutes),
            ...Object.fromEntries(Object.entries(selectors).filter(([, v]) => v.length > 0)),
            manualSync: kind === 'maintenance' || !w.urgent,
            timeZone: cron.timeZone,
            description: `Cabinet ${kind === 'freeze' ? 'freeze' : 'maintenance window'}: ${w.name} (${w.id})`,
          });
        }
      }
      return { project: s.config.project, syncWindows, skipped };
    },

    /** The same as an AppProject manifest to `kubectl apply` (only `spec.syncWindows`: merge with your own). */
    async syncWindowsYaml(actor: Actor): Promise<string> {
      const windows = await this.syncWindows(actor);
      const comment = windows.skipped.map((w) => `# Not exported: ${w.reason}\n`).join('');
      return `${comment}${stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: windows.project, namespace: 'argocd' }, spec: { syncWindows: windows.syncWindows } })}`;
    },

    /**
     * One argocd-notifications message: a sync that succeeded or failed is a deployment (upserted by its
     * operation), a sync a window or a Cabinet freeze held is recorded as held, and a later sync that succeeds
     * releases the hold. Needs `deployment.write` (the pipeline role's API token).
     */
    async notify(actor: Actor, n: ArgoNotification): Promise<WebhookReceipt> {
      assertPermission(actor, 'deployment.write');
      const s = await loadOrFail();
      const entry = entryOf(s.config.applications ?? [], n.app);
      if (!entry) return { received: true, outcome: 'ignored', detail: { reason: 'unmapped_application', app: n.app } };
      const blocked = FAILED.has(n.phase) && WINDOW_BLOCKED.test(n.message);
      const outOfSyncInFreeze = n.phase === '' && n.syncStatus === 'OutOfSync' && (await activeFreeze(store.repos, entry)) !== null;
      if (blocked || outOfSyncInFreeze) {
        const held = await hold(n, entry, n.message);
        return { received: true, outcome: 'held', detail: { holdId: held.id, freezeId: held.freezeId } };
      }
      if (n.phase !== 'Succeeded' && !FAILED.has(n.phase) && n.phase !== 'Running') return { received: true, outcome: 'ignored', detail: { phase: n.phase, syncStatus: n.syncStatus } };
      if (!deps.deployments) return { received: true, outcome: 'ignored', detail: { reason: 'deployments_unavailable' } };
      if (!/^[0-9a-f]{7,64}$/i.test(n.revision)) return { received: true, outcome: 'ignored', detail: { reason: 'revision_not_a_commit' } };
      const startedAt = n.startedAt ? new Date(n.startedAt).toISOString() : nowIso();
      const finishedAt = n.finishedAt ? new Date(n.finishedAt).toISOString() : nowIso();
      const recorded = await deps.deployments.record(actor, {
        source: 'argocd',
        externalId: `sync:${n.app}:${n.operationId ?? `${n.revision}:${startedAt}`}`,
        target: { ...(entry.serviceId ? { serviceId: entry.serviceId } : {}), environment: entry.environment ?? 'production' },
        repository: n.repoURL ?? n.app,
        sha: n.revision,
        startedAt,
        ...(n.phase === 'Running' ? { status: 'in_progress' as const } : { result: n.phase === 'Succeeded' ? ('success' as const) : ('failure' as const), finishedAt }),
        pipeline: { id: `argocd:${n.project}/${n.app}`, runId: n.operationId ?? startedAt, attempt: 1 },
        ...(n.initiatedBy ? { actor: n.initiatedBy } : {}),
      });
      const released = n.phase === 'Succeeded' ? await store.repos.integrations.releaseHolds(n.app, nowIso()) : 0;
      return { received: true, outcome: 'deployment_recorded', detail: { deploymentId: recorded.id, released } };
    },

    /**
     * The applications a freeze held and no sync has released yet; `readyToSync` once no freeze holds them any
     * more (the one that held them ended or was lifted), to re-sync as Argo CD will not by itself.
     */
    async held(actor: Actor, onlyReady: boolean | undefined) {
      assertPermission(actor, 'deployment.read');
      const s = await deps.settings.load('argocd');
      const entries = s?.config.applications ?? [];
      const items = [];
      for (const h of await store.repos.integrations.openHolds(1000)) {
        const entry = entryOf(entries, h.application);
        const readyToSync = entry ? (await activeFreeze(store.repos, entry)) === null : h.freezeEndsAt !== null && h.freezeEndsAt <= nowIso();
        if (onlyReady !== undefined && readyToSync !== onlyReady) continue;
        items.push({ application: h.application, project: h.project, revision: h.revision, serviceId: h.serviceId, environment: h.environment, freezeId: h.freezeId, freezeEndsAt: h.freezeEndsAt, heldAt: h.heldAt, message: h.message, readyToSync });
      }
      return { items, nextCursor: null };
    },
  };
}
export type ArgoCdService = ReturnType<typeof createArgoCdService>;
