import type { Repositories, WindowRecord } from '../db/repositories';
import { scopeApplies, targetOfCis, type ScopeTarget } from '../domain/schedule/scope';
import { windowCron, type CronWindow } from '../domain/schedule/window-cron';

/**
 * Cabinet's windows and freezes as other tools' schedules (GitLab freeze periods, Argo CD sync windows): which
 * apply to a service, and their cron form or why they have none.
 */

/** The scope target of a service (and its CIs, in one environment or all): what a window's scope is matched to. */
export async function serviceTarget(repos: Repositories, serviceId: string | undefined, environment: string | undefined): Promise<ScopeTarget> {
  if (!serviceId) return { serviceIds: [], ciIds: [], environments: environment ? [environment] : [], tags: [] };
  const services = await repos.cmdb.findServicesByIds([serviceId]);
  const cis = await repos.cmdb.listCis({ serviceId, ...(environment ? { environment } : {}), limit: 5000 });
  const target = targetOfCis(cis, services);
  return { ...target, serviceIds: [serviceId], environments: environment ? [environment] : target.environments };
}

export interface ExportedWindow {
  window: WindowRecord;
  cron: CronWindow;
}

/** The windows of a kind that apply to any of the targets, in cron form; those cron cannot say, with why. */
export async function exportWindows(
  repos: Repositories,
  kind: 'maintenance' | 'freeze',
  applies: (w: WindowRecord) => boolean,
  now: Date,
): Promise<{ exported: ExportedWindow[]; skipped: { windowId: string; name: string; reason: string }[] }> {
  const exported: ExportedWindow[] = [];
  const skipped: { windowId: string; name: string; reason: string }[] = [];
  for (const w of await repos.windows.listWindows({ kind })) {
    if (!applies(w)) continue;
    const result = windowCron(w, now);
    if (result.ok) exported.push({ window: w, cron: result.cron });
    else skipped.push({ windowId: w.id, name: w.name, reason: `${w.name}: ${result.reason}` });
  }
  return { exported, skipped };
}

/** Whether a window applies to the target. */
export const appliesTo = (target: ScopeTarget) => (w: WindowRecord) => scopeApplies(w.scope, target);
