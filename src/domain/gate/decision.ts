/**
 * The deployment gate's decision from facts (docs/pipelines.md#reasons): pure, so every rule has a table test.
 * A reason either denies (waiting will not change it: a rejected or cancelled change, a suspended entry, failed
 * checks, a window already over) or holds the run pending (an approval, a window that opens later, a freeze
 * that ends, an exception being decided, a conflict to acknowledge, a condition to meet).
 */

export type GateDecisionValue = 'allow' | 'deny' | 'pending';

export interface GateRef {
  type: 'change' | 'approval' | 'window' | 'freeze' | 'conflict' | 'template' | 'check' | 'condition';
  id: string;
  label?: string;
  until?: string;
}

export interface GateReasonValue {
  code: string;
  message: string;
  ref: GateRef | null;
}

/** The change a check is about, as the gate sees it. */
export interface GateChangeFacts {
  id: string;
  number: string;
  type: string;
  state: string;
  plannedStart: string | null;
  plannedEnd: string | null;
  /** In a final state (closed, cancelled, rejected…). */
  final: boolean;
  /**
   * Authorised for the deployment: in `implement`, or in a state from which it may enter `implement` with its
   * approvals granted (a scheduled normal change, an emergency one approved, a standard one from the catalogue).
   */
  authorised: boolean;
  /** Whether the change touches the deployment's target (one of its CIs, or a CI of its service). */
  covers: boolean;
  /** On hold by an urgent freeze until then. */
  hold: { until: string } | null;
}

export interface GateFreezeFacts {
  id: string;
  name: string;
  /** When the occurrence in force now ends. */
  endsAt: string;
  /** An approved freeze exception of the change covers it. */
  excepted: boolean;
  /** A freeze exception of the change covering it is being decided. */
  exceptionRequested: boolean;
}

export interface GateFacts {
  now: Date;
  environment: string;
  /** The environment needs an authorised change (gate.yaml `controlledEnvironments`). */
  controlled: boolean;
  /** A pending check is denied from this instant. */
  deadline: Date | null;
  /** The catalogue entry the check names, when it names one. */
  template: { id: string; name: string; state: string; standard: boolean } | null;
  /** Pre-approval checks of the entry that failed (at filing or before implement). */
  failedChecks: { name: string; reason: string }[];
  change: GateChangeFacts | null;
  /** How the change was found: named by its number, found covering the target, opened by the gate, or none. */
  changeSource: 'named' | 'found' | 'opened' | 'run' | null;
  /** When no change covers the target now: the authorised change whose window opens next, if any. */
  upcoming: GateChangeFacts | null;
  /** Approvals of the change not granted yet. */
  pendingApprovals: { id: string; label: string }[];
  /** Freezes in force now on the target. */
  freezes: GateFreezeFacts[];
  /** Conflicts that stop the change (unacknowledged), freezes apart. */
  conflicts: { id: string; message: string }[];
  /** Conditions the change must meet before it goes out (CAB conditions, issue 15), not yet met. */
  conditions: { id: string; label: string }[];
  /** Whether the policy lets the gate open a normal change (gate.yaml `openNormalChange`). */
  mayOpenChange: boolean;
}

/** Reasons that deny for good; `outside_change_window` denies only once the window of an authorised change is over. */
const DENY_CODES: ReadonlySet<string> = new Set(['no_change', 'change_closed', 'change_not_covering', 'template_suspended', 'template_not_eligible', 'checks_failed', 'deadline_passed']);

const changeRef = (c: GateChangeFacts, until?: string): GateRef => ({ type: 'change', id: c.id, label: c.number, ...(until ? { until } : {}) });

/** The reasons and decision for the facts. */
export function decideGate(f: GateFacts): { decision: GateDecisionValue; reasons: GateReasonValue[] } {
  const reasons: GateReasonValue[] = [];
  const denying = new Set<GateReasonValue>();
  const add = (code: string, message: string, ref: GateRef | null = null, deny = DENY_CODES.has(code)) => {
    const reason = { code, message, ref };
    reasons.push(reason);
    if (deny) denying.add(reason);
  };

  if (f.template) {
    if (f.template.state === 'suspended') add('template_suspended', `The catalogue entry "${f.template.name}" is suspended: changes from it need a change manager to reinstate it first.`, { type: 'template', id: f.template.id, label: f.template.name });
    else if (f.template.state !== 'active' || !f.template.standard) {
      add('template_not_eligible', `The catalogue entry "${f.template.name}" is ${f.template.standard ? f.template.state : 'not a standard entry'}: it cannot pre-authorise a deployment.`, { type: 'template', id: f.template.id, label: f.template.name });
    }
  }
  for (const c of f.failedChecks) add('checks_failed', `The pre-approval check "${c.name}" failed: ${c.reason}`, f.template ? { type: 'check', id: f.template.id, label: c.name } : null);

  for (const z of f.freezes) {
    if (z.excepted) continue;
    const exception = z.exceptionRequested ? ' A freeze exception for it is being decided.' : '';
    add('freeze', `The freeze "${z.name}" is in force until ${z.endsAt}.${exception}`, { type: 'freeze', id: z.id, label: z.name, until: z.endsAt });
  }

  const c = f.change;
  if (!f.controlled) {
    if (reasons.length === 0) add('allowed', `${f.environment} is not a controlled environment: the deployment needs no change.`);
  } else if (!c) {
    if (f.upcoming) {
      const u = f.upcoming;
      add('outside_change_window', `${u.number} covers this target from ${u.plannedStart}; no authorised change covers it now.`, changeRef(u, u.plannedStart ?? undefined));
    } else if (denying.size === 0) {
      add('no_change', f.mayOpenChange ? 'No change covers this deployment, and none could be opened.' : 'No authorised change covers this deployment now. File one, or name it with changeNumber.');
    }
  } else {
    const now = f.now.toISOString();
    if (!c.covers) add('change_not_covering', `${c.number} does not touch this target (its CIs are elsewhere).`, changeRef(c));
    if (c.final) {
      add('change_closed', `${c.number} is ${c.state}: it can no longer authorise a deployment.`, changeRef(c));
    } else if (!c.authorised) {
      if (f.pendingApprovals.length > 0) {
        for (const a of f.pendingApprovals) add('change_not_authorized', `${c.number} waits for the approval ${a.label}.`, { type: 'approval', id: a.id, label: a.label });
      } else {
        add('change_not_authorized', `${c.number} is ${c.state}: it is not authorised yet.`, changeRef(c));
      }
    }
    if (!c.final) {
      if (c.plannedStart && now < c.plannedStart) add('outside_change_window', `${c.number} is planned from ${c.plannedStart}.`, changeRef(c, c.plannedStart));
      // An authorised change whose window is over will not open again by waiting; one still being authorised may be re-planned.
      else if (c.plannedEnd && now >= c.plannedEnd) add('outside_change_window', `${c.number}'s planned window ended at ${c.plannedEnd}: move its window to deploy.`, changeRef(c), c.authorised);
      if (c.hold && now < c.hold.until) add('freeze', `${c.number} is on hold by an urgent freeze until ${c.hold.until}.`, { type: 'change', id: c.id, label: c.number, until: c.hold.until });
      for (const x of f.conflicts) add('conflict', x.message, { type: 'conflict', id: x.id });
      for (const x of f.conditions) add('conditions_unmet', `${c.number} has a condition not yet met: ${x.label}`, { type: 'condition', id: x.id, label: x.label });
    }
  }

  const pending = reasons.some((r) => r.code !== 'allowed' && !denying.has(r));
  if (denying.size === 0 && pending && f.deadline && f.now >= f.deadline) {
    add('deadline_passed', `The run waited past its deadline (${f.deadline.toISOString()}) with the decision still pending.`);
  }
  const decision: GateDecisionValue = denying.size > 0 ? 'deny' : pending ? 'pending' : 'allow';
  if (decision === 'allow' && reasons.length === 0 && c) add('allowed', `${c.number} is authorised and in its window.`, changeRef(c));
  return { decision, reasons };
}

/** The key a check is idempotent on: (source, repository, run, attempt, environment). */
export function gateCheckKey(k: { source: string; repository: string; runId: string; attempt: number; environment: string }): string {
  return JSON.stringify([k.source, k.repository, k.runId, k.attempt, k.environment.toLowerCase()]);
}

/** Whether an environment is controlled by the gate (compared without case). */
export function isControlled(environment: string, controlled: readonly string[]): boolean {
  const env = environment.toLowerCase();
  return controlled.some((e) => e.toLowerCase() === env);
}
