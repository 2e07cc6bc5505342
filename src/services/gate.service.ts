import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateChangeInput, type ChangeDetail } from '../contracts/change';
import { GateCheckView, type GateCheckInput, type GateCheckListQuery } from '../contracts/gate';
import { systemActor, type Actor } from '../domain/actor';
import { canonicalJson } from '../domain/audit/chain';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { findState, transitionsFrom } from '../domain/change/lifecycle';
import { AppError, NotFoundError, PolicyError, type Issue } from '../domain/errors';
import { decideGate, gateCheckKey, isControlled, type GateChangeFacts, type GateFacts, type GateFreezeFacts, type GateReasonValue } from '../domain/gate/decision';
import { scopeApplies, targetOfCis } from '../domain/schedule/scope';
import { occurrences } from '../domain/schedule/windows';
import type { ChangeRecord, GateCheckKey, GateCheckRecord, Repositories } from '../db/repositories';
import { durationMs } from '../policy/approvals.schema';
import { DEPLOYMENT_GATE_DEFAULTS } from '../policy/gate.schema';
import { audit, decodeInstantCursor, encodeInstantCursor, throwIfIssues, type ServiceDeps } from './context';
import type { ApprovalService } from './approval.service';
import type { ChangeService } from './change.service';
import type { OutboxService } from './outbox.service';
import type { ActivePolicy, PolicyService } from './policy.service';
import { resolveCiRefs, resolveServiceRef, resolveTemplateRef } from './references';
import type { ScheduleService } from './schedule.service';
import { StampedCache } from '../domain/stamped-cache';
import type { TemplateService } from './template.service';

/** Something outside Cabinet that waits on gate decisions (a GitHub protection rule, GitLab's approvals). */
export interface GateAdapter {
  name: string;
  /** Told (by the worker, through the outbox) whenever a check's decision changes; may call out. */
  decisionChanged(check: GateCheckView): Promise<void>;
}

/** Conditions a change must meet before it goes out (CAB conditions, issue 15): those not met yet. */
export type GateConditionSource = (repos: Repositories, change: ChangeRecord, active: ActivePolicy) => Promise<{ id: string; label: string }[]>;

/** The outbox topic of a changed decision; its handler tells every adapter. */
export const GATE_DECISION_TOPIC = 'gate.decision_changed';

/** The longest a long-poll waits, in seconds: a client waits longer by asking again. */
export const MAX_WAIT_SECONDS = 60;
/** A claim on a new check older than this is taken over (the process deciding it died). */
const CLAIM_STALE_MS = 30_000;
/** How long a concurrent asker waits for the claimant's first decision before answering what is stored. */
const FIRST_DECISION_WAIT_MS = 15_000;
/** A long-poll looks at the stamp this often, and decides again at least this often (windows open with time). */
const WAIT_TICK_MS = 100;
const WAIT_REDECIDE_MS = 5_000;
/** Pending checks the worker re-decides per pass. */
const PASS_LIMIT = 200;
/** States in which a change may authorise a deployment covering its target. */
const COVERING_STATES = ['scheduled', 'implement'];

export interface GateServiceDeps extends ServiceDeps {
  policy: PolicyService;
  changes: ChangeService;
  templates: Pick<TemplateService, 'fileChange'>;
  approvals: Pick<ApprovalService, 'blocking'>;
  schedule: Pick<ScheduleService, 'blocking'>;
  outbox: OutboxService;
}

const sha256 = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

/**
 * The deployment gate (docs/pipelines.md): answers whether a deployment may go out now, from what Cabinet
 * knows (the change, its approvals and window, freezes, conflicts, the catalogue), opens the change a
 * pipeline needs, keeps every check as evidence on its change, and re-decides pending checks until they
 * allow, deny, or pass their deadline.
 */
export function createGateService(deps: GateServiceDeps) {
  const { store, policy, outbox } = deps;
  const nowIso = () => deps.now().toISOString();
  const adapters: GateAdapter[] = [];
  const conditionSources: GateConditionSource[] = [];
  /**
   * Final answers (allow, deny) remembered by check key. NOTE (speed): a pipeline that asks again with the
   * same key (CI tools poll) is answered with no read and no write; the stamp moves whenever a table the
   * answer shows (the change's state) is written by any process (db/invalidation.ts, GATE_TABLES).
   */
  const answers = new StampedCache<{ view: GateCheckView; json: string }>(store.decisions);
  const remember = (stamp: number | null, key: string, view: GateCheckView) => {
    // As the route's serializer writes a view (its schema's key order: PostgreSQL's jsonb reorders the reasons'
    // keys), so every answer to the same check is the same bytes, remembered or not.
    if (view.decision !== 'pending') answers.set(stamp, key, { view, json: JSON.stringify(GateCheckView.encode(view)) });
  };
  /**
   * The same answers by the exact bytes an account sent (NOTE (speed)): a poll repeats its request body byte for
   * byte, so the route answers it before the body is parsed and validated (gate.routes.ts). An entry is made only
   * from an answer remembered above, for a body that passed validation, under the same stamp: it is what the
   * slow path would send, and it is forgotten with it. At most 1,000 bodies of at most 4 KiB (the route's limit).
   */
  const repeats = new StampedCache<string>(store.decisions, 1_000);
  const repeatKey = (actor: Actor, raw: string) => `${actor.userId}\n${raw}`;
  /** The worker acts as this when it re-decides a check (and the gate when it starts a change it allowed). */
  const gateActor = (on?: Actor): Actor => ({ ...systemActor(on?.requestId ?? 'gate'), ...(on ? { userId: on.userId, email: on.email } : {}), name: on ? `${on.name} (deployment gate)` : 'Cabinet deployment gate' });

  outbox.handle(GATE_DECISION_TOPIC, {
    // NOTE: adapters call out (GitHub, GitLab) before the item's transaction; a failure retries the item.
    send: async (item) => {
      const check = await store.repos.gate.findById(String(item.payload.checkId));
      if (!check) return;
      const view = await present(store.repos, check);
      const failures: string[] = [];
      for (const adapter of adapters) {
        try {
          await adapter.decisionChanged(view);
        } catch (err) {
          failures.push(`${adapter.name}: ${(err as Error).message}`);
        }
      }
      if (failures.length) throw new Error(`Adapters failed: ${failures.join('; ')}`);
    },
    deliver: async () => {},
  });

  function settings(active: ActivePolicy) {
    return active.bundle.deploymentGate ?? DEPLOYMENT_GATE_DEFAULTS;
  }

  async function present(repos: Repositories, c: GateCheckRecord, change?: Pick<ChangeRecord, 'id' | 'number' | 'state'> | null): Promise<GateCheckView> {
    const ch = change === undefined ? (c.changeId ? await repos.changes.findById(c.changeId) : null) : change;
    return {
      id: c.id,
      decision: c.decision,
      reasons: c.reasons.map((r) => ({ code: r.code, message: r.message, ref: r.ref as GateCheckView['reasons'][number]['ref'] })),
      change: ch ? { id: ch.id, number: ch.number, state: ch.state } : null,
      target: { serviceId: c.serviceId, ciIds: c.ciIds, environment: c.environment },
      source: c.source as GateCheckView['source'],
      repository: c.repository,
      ref: c.ref,
      sha: c.sha,
      pipeline: { id: c.pipelineId, runId: c.runId, attempt: c.attempt, url: c.pipelineUrl },
      actor: c.actor,
      templateId: c.templateId,
      createdAt: c.createdAt,
      decidedAt: c.decidedAt,
      deadline: c.decision === 'pending' ? c.deadline : null,
    };
  }

  /** The CIs a check's target stands for: those named, else the service's (those in the environment, when some are). */
  async function targetCis(repos: Repositories, c: GateCheckRecord) {
    const ids = c.ciIds.length ? c.ciIds : c.serviceId ? await repos.gate.ciIdsOfService(c.serviceId) : [];
    const cis = await repos.cmdb.findCisByIds(ids);
    const inEnv = cis.filter((ci) => ci.environment.toLowerCase() === c.environment.toLowerCase());
    return c.ciIds.length || inEnv.length === 0 ? cis : inEnv;
  }

  /** Freezes in force now on the target, with the change's exceptions. */
  async function freezesNow(repos: Repositories, c: GateCheckRecord, cis: Awaited<ReturnType<typeof targetCis>>, change: ChangeRecord | null, now: Date): Promise<GateFreezeFacts[]> {
    const freezes = await repos.windows.listWindows({ kind: 'freeze' });
    if (freezes.length === 0) return [];
    const services = await repos.cmdb.findServicesByIds([...new Set([...cis.map((ci) => ci.serviceId), c.serviceId].filter((id): id is string => !!id))]);
    const t = targetOfCis(cis, services);
    const target = { ...t, serviceIds: [...new Set([...t.serviceIds, ...(c.serviceId ? [c.serviceId] : [])])], environments: [...new Set([...t.environments, c.environment])] };
    const inForce: { id: string; name: string; endsAt: string }[] = [];
    for (const w of freezes) {
      if (!scopeApplies(w.scope, target)) continue;
      const now1 = new Date(now.getTime() + 1);
      const found = occurrences(w, now, now1, 1)[0];
      if (found) inForce.push({ id: w.id, name: w.name, endsAt: found.end.toISOString() });
    }
    if (inForce.length === 0) return [];
    const exceptions = change ? await repos.schedule.freezeExceptionsOf(change.id) : [];
    return inForce.map((z) => ({
      ...z,
      excepted: exceptions.some((e) => e.state === 'approved' && e.windowIds.includes(z.id)),
      exceptionRequested: exceptions.some((e) => e.state === 'requested' && e.windowIds.includes(z.id)),
    }));
  }

  /** Whether the change may enter (or is in) `implement` on its approvals: scheduled, approved, or a catalogue standard change. */
  async function authorisation(repos: Repositories, change: ChangeRecord, active: ActivePolicy) {
    const model = active.bundle.models[change.type];
    const state = model ? findState(model, change.state) : undefined;
    const final = !!state?.final;
    if (final || !model) return { final, authorised: false, pending: [] as { id: string; label: string }[] };
    if (change.state === 'implement') return { final, authorised: true, pending: [] };
    const fromCatalogue = change.type === 'standard' && !!change.templateId && ['draft', 'scheduled'].includes(change.state);
    const open = (await deps.approvals.blocking(repos, change.id, active)).map((a) => ({ id: a.id, label: `${a.rule} by ${a.approverLabel}` }));
    const toImplement = transitionsFrom(model, change.state).some((t) => t.to === 'implement');
    const authorised = fromCatalogue || (open.length === 0 && toImplement && (change.state === 'scheduled' || !!findState(model, 'implement')?.requiresApprovals));
    return { final, authorised, pending: authorised ? [] : open };
  }

  const factsOf = (change: ChangeRecord, covers: boolean, final: boolean, authorised: boolean): GateChangeFacts => ({
    id: change.id,
    number: change.number,
    type: change.type,
    state: change.state,
    plannedStart: change.plannedStart,
    plannedEnd: change.plannedEnd,
    final,
    authorised,
    covers,
    hold: change.hold ? { until: change.hold.until } : null,
  });

  /** The normal change the gate opens for a pipeline, filled from it. */
  function normalChangeInput(c: GateCheckRecord, ciIds: string[], active: ActivePolicy, now: Date) {
    const end = new Date(now.getTime() + durationMs(settings(active).changeDuration));
    const pipeline = `${c.source} pipeline ${c.pipelineId}, run ${c.runId} (attempt ${c.attempt})`;
    return {
      type: 'normal' as const,
      title: `Deploy ${c.repository} ${c.ref} (${c.sha.slice(0, 12)}) to ${c.environment}`.slice(0, 200),
      description: `Opened by the deployment gate for ${pipeline}, started by ${c.actor}.\nRepository: ${c.repository}\nRef: ${c.ref}\nCommit: ${c.sha}${c.pipelineUrl ? `\nPipeline: ${c.pipelineUrl}` : ''}`,
      justification: `The pipeline asked to deploy ${c.sha.slice(0, 12)} to ${c.environment}, and no authorised change covered it.`,
      ciIds,
      plannedStart: now.toISOString(),
      plannedEnd: end.toISOString(),
      implementationPlan: `The pipeline deploys commit ${c.sha} of ${c.repository} (${c.ref}) to ${c.environment}${c.pipelineUrl ? `: ${c.pipelineUrl}` : ''}.`,
      testPlan: 'The pipeline’s own tests and checks, before and after the deployment.',
      backoutPlan: 'Redeploy the previous release through the same pipeline.',
    };
  }

  /**
   * Finds or opens the change of a check (see the numbered steps in docs/pipelines.md#how-the-gate-finds-the-change).
   * May file a change through the change service: called only by the holder of the check's claim.
   */
  async function changeOf(actor: Actor, c: GateCheckRecord, cis: { id: string }[], active: ActivePolicy, now: Date, claimed: boolean) {
    /** The right to open a change for this check: held by the first decision, else taken now (one process at a time). */
    const mayOpen = async () => claimed || (await store.repos.gate.claimToOpen(c.id, now.toISOString(), new Date(now.getTime() - CLAIM_STALE_MS).toISOString()));
    const repos = store.repos;
    const out = { change: null as ChangeRecord | null, source: null as GateFacts['changeSource'], upcoming: null as ChangeRecord | null, failedChecks: [] as { name: string; reason: string }[] };
    if (c.changeId) {
      out.change = await repos.changes.findById(c.changeId);
      out.source = c.changeNumber ? 'named' : 'run';
      return out;
    }
    if (c.changeNumber) {
      out.change = await repos.changes.findById(c.changeNumber);
      out.source = 'named';
      return out;
    }
    const ofRun = await repos.gate.changeOfRun({ source: c.source, repository: c.repository, runId: c.runId, environment: c.environment });
    if (ofRun) {
      out.change = await repos.changes.findById(ofRun);
      out.source = 'run';
      return out;
    }
    const gate = settings(active);
    if (!isControlled(c.environment, gate.controlledEnvironments)) return out;
    if (c.templateId) {
      const template = await repos.templates.findById(c.templateId);
      if (!template || template.state !== 'active' || template.type !== 'standard' || !(await mayOpen())) return out;
      const base = normalChangeInput(c, cis.map((ci) => ci.id), active, now);
      const overrides: Record<string, unknown> = { title: base.title, description: base.description, ciIds: base.ciIds, plannedStart: base.plannedStart, plannedEnd: base.plannedEnd, implementerId: actor.userId };
      if (!template.fields.implementationPlan) overrides.implementationPlan = base.implementationPlan;
      let filed: ChangeDetail;
      try {
        filed = await deps.templates.fileChange(actor, template.id, overrides);
      } catch (err) {
        if (err instanceof PolicyError && (err.code === 'checks_failed' || err.code === 'template_suspended')) {
          const checks = (err.details.checks as { name: string; reason: string }[] | undefined) ?? [{ name: err.code, reason: err.message }];
          out.failedChecks = checks.map((x) => ({ name: x.name, reason: x.reason }));
          return out;
        }
        throw err;
      }
      out.change = await repos.changes.findById(filed.id);
      out.source = 'opened';
      if (filed.conversion) out.failedChecks = filed.checks.filter((x) => x.result === 'fail').map((x) => ({ name: x.name, reason: x.reason }));
      if (filed.conversion && out.failedChecks.length === 0) out.failedChecks = [{ name: filed.conversion.reason, reason: filed.conversion.message }];
      return out;
    }
    const candidates = await repos.gate.coveringCandidates(cis.map((ci) => ci.id), COVERING_STATES, now.toISOString());
    const current = candidates.filter((x) => x.plannedStart !== null && x.plannedStart <= now.toISOString());
    const pick = current.find((x) => x.state === 'implement') ?? current[current.length - 1];
    if (pick) {
      out.change = await repos.changes.findById(pick.id);
      out.source = 'found';
      return out;
    }
    const next = candidates.find((x) => x.plannedStart !== null && x.plannedStart > now.toISOString());
    if (next) {
      out.upcoming = await repos.changes.findById(next.id);
      return out;
    }
    if (!gate.openNormalChange || cis.length === 0 || !(await mayOpen())) return out;
    const filed = await deps.changes.create(actor, CreateChangeInput.parse({ ...normalChangeInput(c, cis.map((ci) => ci.id), active, now), implementerId: actor.userId }));
    // Into the change office's queue at once; a change the policy will not let it submit waits as a draft.
    await deps.changes.transition(actor, filed.id, 'assess').catch((err: unknown) => {
      if (!(err instanceof AppError)) throw err;
    });
    out.change = await repos.changes.findById(filed.id);
    out.source = 'opened';
    return out;
  }

  /**
   * Starts a change the gate allowed (its `implement`), through the change service so every rule holds: the
   * actual start, then the moves. A refusal (a missing implementer, a check failing before implement) becomes
   * the check's reasons.
   */
  async function start(actor: Actor, change: ChangeRecord, active: ActivePolicy, c: GateCheckRecord): Promise<{ change: ChangeRecord; reasons: GateReasonValue[] }> {
    const model = active.bundle.models[change.type];
    if (!model || change.state === 'implement') return { change, reasons: [] };
    // NOTE (security): the gate has verified the approvals, window and freezes; the moves themselves are made with
    // the asking account's identity and the change office's authority, and the change service checks every gate again.
    const mover = gateActor(actor);
    try {
      // NOTE: only the actual start: the implementer is approved content (approvals.yaml), so setting it here would reopen authorization.
      if (!change.actualStart) await deps.changes.update(mover, change.id, { actualStart: nowIso() });
      const path = change.state === 'draft' && !transitionsFrom(model, 'draft').some((t) => t.to === 'implement') ? ['scheduled', 'implement'] : ['implement'];
      const comment = `Started by the deployment gate for ${c.source} run ${c.runId} (attempt ${c.attempt}) of ${c.repository} at ${c.sha.slice(0, 12)}.`;
      for (const to of path) await deps.changes.transition(mover, change.id, to, { comment });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const now = (await store.repos.changes.findById(change.id)) ?? change;
      if (err.code === 'checks_failed') {
        const checks = (err.details.checks as { name: string; reason: string }[] | undefined) ?? [];
        return { change: now, reasons: checks.map((x) => ({ code: 'checks_failed', message: `The pre-approval check "${x.name}" failed: ${x.reason}`, ref: { type: 'check', id: change.id, label: x.name } })) };
      }
      const code = err.code === 'schedule_conflict' ? 'conflict' : 'change_not_authorized';
      return { change: now, reasons: [{ code, message: err.message, ref: { type: 'change', id: change.id, label: change.number } }] };
    }
    return { change: (await store.repos.changes.findById(change.id))!, reasons: [] };
  }

  /**
   * Decides a check again from the database and stores the decision when it changed: in one transaction, the
   * check, its audit event, the change's evidence and (when the decision moved) the outbox item adapters hear.
   */
  async function evaluate(actor: Actor, check: GateCheckRecord, opts: { claimed: boolean }): Promise<{ view: GateCheckView; changed: boolean }> {
    const active = await policy.active();
    const gate = settings(active);
    const now = deps.now();
    const repos = store.repos;
    const cis = await targetCis(repos, check);
    const found = await changeOf(actor, check, cis, active, now, opts.claimed);
    let change = found.change;
    const controlled = isControlled(check.environment, gate.controlledEnvironments);
    const template = check.templateId ? await repos.templates.findById(check.templateId) : null;
    const facts: GateFacts = {
      now,
      environment: check.environment,
      controlled,
      deadline: check.deadline ? new Date(check.deadline) : new Date(Date.parse(check.createdAt) + durationMs(gate.pendingDeadline)),
      template: template ? { id: template.id, name: template.name, state: template.state, standard: template.type === 'standard' } : null,
      failedChecks: found.failedChecks,
      change: null,
      changeSource: found.source,
      upcoming: null,
      pendingApprovals: [],
      freezes: [],
      conflicts: [],
      conditions: [],
      mayOpenChange: gate.openNormalChange,
    };
    if (found.upcoming) facts.upcoming = factsOf(found.upcoming, true, false, true);
    const covering = (c: ChangeRecord) => cis.length === 0 || c.ciIds.some((id) => cis.some((ci) => ci.id === id));
    if (change) {
      const auth = await authorisation(repos, change, active);
      facts.change = factsOf(change, covering(change), auth.final, auth.authorised);
      facts.pendingApprovals = auth.pending;
      if (!auth.final) {
        facts.conflicts = (await deps.schedule.blocking(repos, change.id, active, change)).filter((x) => x.kind !== 'freeze').map((x) => ({ id: x.id, message: x.message }));
        for (const source of conditionSources) facts.conditions.push(...(await source(repos, change, active)));
      }
    }
    facts.freezes = await freezesNow(repos, check, cis, change, now);
    let { decision, reasons } = decideGate(facts);
    if (decision === 'allow' && change && controlled) {
      const started = await start(actor, change, active, check);
      change = started.change;
      if (started.reasons.length) {
        reasons = started.reasons;
        decision = reasons.some((r) => r.code === 'checks_failed') ? 'deny' : 'pending';
      }
    }
    const at = nowIso();
    const moved = decision !== check.decision || check.evaluatedAt === null;
    const same = !moved && JSON.stringify(reasons) === JSON.stringify(check.reasons) && (change?.id ?? null) === check.changeId;
    if (same) return { view: await present(repos, check, change), changed: false };
    const next: GateCheckRecord = {
      ...check,
      changeId: change?.id ?? check.changeId,
      decision,
      reasons,
      deadline: facts.deadline?.toISOString() ?? null,
      decidedAt: moved ? at : check.decidedAt,
      evaluatedAt: at,
      claimedAt: null,
    };
    const saved = await store.transaction(async (tx) => {
      if (!(await tx.gate.saveDecision(next, check.version))) return null;
      const first = check.evaluatedAt === null;
      const data = { key: gateCheckKey(check), decision, previous: first ? null : check.decision, codes: reasons.map((r) => r.code), changeId: next.changeId };
      await audit(tx, actor, at, first || !moved ? 'gate.checked' : 'gate.decision_changed', 'gate_check', check.id, data);
      if (moved && !first) await outbox.enqueue(tx, GATE_DECISION_TOPIC, { checkId: check.id, decision, previous: check.decision });
      if (moved && change) await recordEvidence(tx, actor, next, change, at);
      return (await tx.gate.findById(check.id))!;
    });
    // Another process stored a decision first: answer what it stored.
    const stored = saved ?? (await repos.gate.findById(check.id))!;
    return { view: await present(repos, stored), changed: saved !== null && moved };
  }

  /** Keeps what the gate answered as evidence on the change (its evidence list and history show it). */
  async function recordEvidence(repos: Repositories, actor: Actor, c: GateCheckRecord, change: ChangeRecord, at: string): Promise<void> {
    const body = [
      `Decision: ${c.decision}`,
      `Pipeline: ${c.source} ${c.pipelineId}, run ${c.runId}, attempt ${c.attempt}${c.pipelineUrl ? ` (${c.pipelineUrl})` : ''}`,
      `Deployment: ${c.repository} ${c.ref} at ${c.sha} to ${c.environment}, started by ${c.actor}`,
      ...c.reasons.map((r) => `- ${r.code}: ${r.message}`),
    ].join('\n');
    const title = `Deployment gate: ${c.decision} for ${c.repository} run ${c.runId}#${c.attempt} (${c.environment})`;
    const evidence = { id: deps.newId(), changeId: change.id, kind: 'gate_check', title, body, url: c.pipelineUrl, sha256: '', createdBy: actor.userId, createdAt: at };
    evidence.sha256 = sha256({ kind: evidence.kind, title, body, url: evidence.url });
    await repos.governance.insertEvidence(evidence);
    await audit(repos, actor, at, 'change.evidence_added', 'change', change.id, { number: change.number, evidenceId: evidence.id, kind: evidence.kind, title, sha256: evidence.sha256, gateCheckId: c.id });
  }

  /** Waits for the first decision of a check another request (or process) is deciding; takes over a dead claim. */
  async function firstDecision(actor: Actor, id: string): Promise<GateCheckView> {
    const until = Date.now() + FIRST_DECISION_WAIT_MS;
    for (;;) {
      const c = await store.repos.gate.findById(id);
      if (!c) throw new NotFoundError('Gate check', id);
      if (c.evaluatedAt !== null) return c.decision === 'pending' ? (await evaluate(actor, c, { claimed: false })).view : present(store.repos, c);
      const at = deps.now();
      if (await store.repos.gate.claim(id, at.toISOString(), new Date(at.getTime() - CLAIM_STALE_MS).toISOString())) return decideClaimed(actor, { ...c, claimedAt: at.toISOString() });
      if (Date.now() > until) return present(store.repos, c);
      await sleep(25);
    }
  }

  /** Decides a check this request holds the claim of; gives the claim back if deciding fails. */
  async function decideClaimed(actor: Actor, c: GateCheckRecord): Promise<GateCheckView> {
    try {
      return (await evaluate(actor, c, { claimed: true })).view;
    } catch (err) {
      await store.transaction((tx) => tx.gate.release(c.id)).catch(() => {});
      throw err;
    }
  }

  async function load(id: string): Promise<GateCheckRecord> {
    const c = await store.repos.gate.findById(id);
    if (!c) throw new NotFoundError('Gate check', id);
    return c;
  }

  /** The references a check names (of the fields that parsed), resolved; each unknown one is an issue. */
  async function resolveRefs(repos: Repositories, input: Partial<GateCheckInput>, issues: Issue[]) {
    const target = input.target;
    const serviceId = target?.serviceId ? await resolveServiceRef(repos, target.serviceId, 'target.serviceId', issues) : null;
    const ciIds = target?.ciIds?.length ? [...new Set(await resolveCiRefs(repos, target.ciIds, 'target.ciIds', issues))].sort() : [];
    const templateId = input.templateId ? await resolveTemplateRef(repos, input.templateId, 'templateId', issues) : null;
    let changeId: string | null = null;
    if (input.changeNumber) {
      const change = await repos.changes.findById(input.changeNumber);
      if (!change) issues.push({ path: 'changeNumber', message: `unknown change ${input.changeNumber}` });
      else changeId = change.id;
    }
    if (input.changeNumber && input.templateId) issues.push({ path: 'templateId', message: 'name either the change (changeNumber) or the catalogue entry (templateId), not both' });
    return { serviceId, ciIds, templateId, changeId };
  }

  /** Resolves the target's references; one 400 listing every unknown one. */
  async function resolveInput(input: GateCheckInput): Promise<{ serviceId: string | null; ciIds: string[]; templateId: string | null; changeId: string | null }> {
    const issues: Issue[] = [];
    const refs = await resolveRefs(store.repos, input, issues);
    throwIfIssues(issues);
    return refs;
  }

  /** A check asked for the first time in this process (or not remembered): the stored one, or a new one decided now. */
  async function decideNew(actor: Actor, input: GateCheckInput, key: GateCheckKey, cacheKey: string, stamp: number | null): Promise<GateCheckView> {
    const existing = await store.repos.gate.findByKey(key);
    if (existing) return answerStored(actor, existing, stamp, cacheKey);
    const refs = await resolveInput(input);
    const at = nowIso();
    const record: GateCheckRecord = {
      id: deps.newId(),
      ...key,
      ref: input.ref,
      sha: input.sha.toLowerCase(),
      pipelineId: input.pipeline.id,
      pipelineUrl: input.pipeline.url ?? null,
      serviceId: refs.serviceId,
      ciIds: refs.ciIds,
      actor: input.actor,
      accountId: actor.userId,
      changeNumber: input.changeNumber ?? null,
      templateId: refs.templateId,
      changeId: refs.changeId,
      decision: 'pending',
      reasons: [],
      claimedAt: at,
      deadline: null,
      decidedAt: at,
      evaluatedAt: null,
      version: 1,
      createdAt: at,
    };
    const inserted = await store.transaction((tx) => tx.gate.insertIfAbsent(record));
    if (!inserted) return answerStored(actor, (await store.repos.gate.findByKey(key))!, stamp, cacheKey);
    const view = await decideClaimed(actor, record);
    remember(stamp, cacheKey, view);
    return view;
  }

  /** The answer to a check already stored: its first decision when it is being made, re-decided while pending. */
  async function answerStored(actor: Actor, c: GateCheckRecord, stamp: number | null, cacheKey: string): Promise<GateCheckView> {
    const view = c.evaluatedAt === null ? await firstDecision(actor, c.id) : c.decision === 'pending' ? (await evaluate(actor, c, { claimed: false })).view : await present(store.repos, c);
    remember(stamp, cacheKey, view);
    return view;
  }

  const service = {
    /**
     * Asks the gate (POST /api/v1/gate/checks): answers the check stored under the input's key (re-decided
     * while it is pending), or a new check decided now. 400 lists every unknown reference.
     */
    async check(actor: Actor, input: GateCheckInput): Promise<GateCheckView> {
      const answer = await service.checkAnswer(actor, input);
      return 'view' in answer ? answer.view : (JSON.parse(answer.json) as GateCheckView);
    },

    /** A check refused for its shape also names its unknown references (the route's `checkReferences`). */
    async referenceIssues(actor: Actor, fields: Partial<GateCheckInput>): Promise<Issue[]> {
      assertPermission(actor, 'gate.check');
      const issues: Issue[] = [];
      await resolveRefs(store.repos, fields, issues);
      return issues;
    },

    /**
     * The answer to a poll this process remembers for the account and the exact body (`raw`, as the route read
     * it), as JSON; undefined when there is none or the account may not ask (the slow path then answers, or
     * refuses). NOTE (security): the caller has authenticated the request as every other; the permission is
     * checked here on every call, since roles are not part of the decisions' stamp.
     */
    repeatedAnswer(actor: Actor, raw: string): string | undefined {
      if (!hasPermission(actor, 'gate.check')) return undefined;
      return repeats.get(store.decisions.current(), repeatKey(actor, raw));
    },

    /**
     * `check`, for the route: a final answer this process remembers comes back as the JSON it was sent as.
     * NOTE (speed): a pipeline polling with the same key is answered with no read, no write and no serialising.
     * `raw`: the exact body `input` was parsed from, when the route read it, so that its repeats are answered
     * by `repeatedAnswer`.
     */
    async checkAnswer(actor: Actor, input: GateCheckInput, raw?: string): Promise<{ view: GateCheckView } | { json: string }> {
      assertPermission(actor, 'gate.check');
      const key = { source: input.source, repository: input.repository, runId: input.pipeline.runId, attempt: input.pipeline.attempt, environment: input.target.environment };
      const cacheKey = gateCheckKey(key);
      // NOTE (speed): the stamp as this process knows it, without a round trip on PostgreSQL (the first call
      // settles, which starts listening). A remembered answer is final (allow or deny); only its change's state
      // could lag another process's write, by the time its NOTIFY takes to arrive (about a millisecond).
      const stamp = store.decisions.current() ?? (await store.decisions.settle());
      const remembered = answers.get(stamp, cacheKey);
      if (remembered) {
        if (raw !== undefined) repeats.set(stamp, repeatKey(actor, raw), remembered.json);
        return { json: remembered.json };
      }
      return { view: await decideNew(actor, input, key, cacheKey, stamp) };
    },

    async get(actor: Actor, id: string): Promise<GateCheckView> {
      assertPermission(actor, 'gate.read');
      return present(store.repos, await load(id));
    },

    /**
     * Long-polls a check: answers as soon as its decision differs from `seen` (the current one when not given),
     * or after `seconds` (at most MAX_WAIT_SECONDS). NOTE: decided from the database, so it works whichever
     * process wrote what changed the answer: the stamp of GATE_TABLES (cheap) is watched, and the check is
     * decided again when it moves and every few seconds (windows open, freezes end with time).
     */
    async wait(actor: Actor, id: string, seconds: number, seen?: GateCheckView['decision']): Promise<GateCheckView> {
      assertPermission(actor, 'gate.read');
      let c = await load(id);
      let view = c.decision === 'pending' && c.evaluatedAt !== null ? (await evaluate(actor, c, { claimed: false })).view : await present(store.repos, c);
      const baseline = seen ?? view.decision;
      const end = Date.now() + Math.min(Math.max(seconds, 0), MAX_WAIT_SECONDS) * 1000;
      let stamp = store.decisions.current();
      let decidedAt = Date.now();
      while (view.decision === baseline && Date.now() < end) {
        await sleep(Math.min(WAIT_TICK_MS, Math.max(end - Date.now(), 0)));
        const now = store.decisions.current();
        if (now !== null && now === stamp && Date.now() - decidedAt < WAIT_REDECIDE_MS) continue;
        stamp = now;
        decidedAt = Date.now();
        c = await load(id);
        view = c.decision === 'pending' && c.evaluatedAt !== null ? (await evaluate(actor, c, { claimed: false })).view : await present(store.repos, c);
      }
      return view;
    },

    /** Every check of a change (by id or number), newest first. */
    async listForChange(actor: Actor, changeId: string): Promise<GateCheckView[]> {
      assertPermission(actor, 'gate.read');
      const change = await store.repos.changes.findById(changeId);
      if (!change) throw new NotFoundError('Change', changeId);
      const rows = await store.repos.gate.list({ changeId: change.id, limit: 500 });
      return Promise.all(rows.map((r) => present(store.repos, r, change)));
    },

    /** A page of checks, newest first, filtered by change, service, decision, source and repository. */
    async list(actor: Actor, query: GateCheckListQuery): Promise<{ items: GateCheckView[]; nextCursor: string | null }> {
      assertPermission(actor, 'gate.read');
      const repos = store.repos;
      const issues: Issue[] = [];
      let changeId: string | undefined;
      if (query.changeId) {
        const change = await repos.changes.findById(query.changeId);
        if (!change) issues.push({ path: 'query.changeId', message: `unknown change ${query.changeId}` });
        changeId = change?.id;
      }
      const serviceId = query.serviceId ? await resolveServiceRef(repos, query.serviceId, 'query.serviceId', issues) : undefined;
      throwIfIssues(issues, 'The filter has invalid values.');
      const before = decodeInstantCursor(query.cursor);
      const rows = await repos.gate.list({ changeId, serviceId, decision: query.decision, source: query.source, repository: query.repository, before, limit: query.limit + 1 });
      const page = rows.slice(0, query.limit);
      const changes = new Map((await repos.changes.findManyByIds([...new Set(page.map((r) => r.changeId).filter((x): x is string => !!x))])).map((ch) => [ch.id, ch]));
      const items = await Promise.all(page.map((r) => present(repos, r, r.changeId ? (changes.get(r.changeId) ?? null) : null)));
      const last = page[page.length - 1];
      return { items, nextCursor: rows.length > query.limit && last ? encodeInstantCursor(last.createdAt, last.id) : null };
    },

    /** The change of the latest check of a run (or else of a commit) that has one: the deployment it led to belongs to it. */
    async changeForDeployment(input: { source: string; repository: string; sha?: string; runId?: string }): Promise<string | null> {
      const repos = store.repos;
      if (input.runId) {
        const ofRun = await repos.gate.changeOfRun({ source: input.source, repository: input.repository, runId: input.runId });
        if (ofRun) return ofRun;
      }
      return input.sha ? repos.gate.changeOfRun({ source: input.source, repository: input.repository, sha: input.sha.toLowerCase() }) : null;
    },

    /** Registers an adapter told of every changed decision (through the outbox, so across processes). */
    addAdapter(adapter: GateAdapter): void {
      if (!adapters.some((a) => a.name === adapter.name)) adapters.push(adapter);
    },

    /** Registers where unmet conditions of a change come from (issue 15's CAB conditions). */
    addConditionSource(source: GateConditionSource): void {
      conditionSources.push(source);
    },

    /** The worker's pass: re-decides pending checks (approvals granted, windows opened, freezes ended, deadlines). */
    async reevaluateOpen(): Promise<number> {
      let changed = 0;
      for (const c of await store.repos.gate.pending(PASS_LIMIT)) {
        if (c.evaluatedAt === null) continue;
        try {
          if ((await evaluate(gateActor(), c, { claimed: false })).changed) changed++;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
        }
      }
      return changed;
    },
  };
  return service;
}
export type GateService = ReturnType<typeof createGateService>;
