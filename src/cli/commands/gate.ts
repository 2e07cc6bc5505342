import { setTimeout as sleep } from 'node:timers/promises';
import type { GateCheckView } from '../../contracts/gate';
import { CliError, printJson, type Problem } from '../output';
import { stdout, setExitCode } from '../io';

export interface GateCheckCliOptions {
  url: string;
  token: string;
  service?: string;
  ci: string[];
  environment: string;
  source: string;
  repository: string;
  ref: string;
  sha: string;
  pipeline: string;
  run: string;
  attempt: string;
  pipelineUrl?: string;
  actor: string;
  change?: string;
  template?: string;
  wait?: string;
  json?: boolean;
}

/** Exit codes of `cabinet gate check` (docs/pipelines.md): what a CI step branches on. */
export const GATE_EXIT = { allow: 0, deny: 2, timeout: 3 } as const;

/** The longest one request waits on the server; the command asks again until its own --wait ends. */
const POLL_SECONDS = 60;
/** Attempts at a request that fails on the way (the server restarting, a proxy's 502) before giving up. */
const TRIES = 4;

/** `--wait 600`, `--wait 10m`, `--wait 1h`: seconds. */
export function waitSeconds(value: string | undefined): number {
  if (value === undefined) return 0;
  const m = /^(\d+)([smh]?)$/.exec(value.trim());
  if (!m) throw new CliError(`--wait must be a number of seconds (or 10m, 1h), not "${value}".`);
  return Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
}

interface ErrorAnswer {
  error?: { code?: string; message?: string; details?: { issues?: { path?: string; message: string }[] } };
}

/** One request to the server, tried again when it fails on the way (not when the server answers 4xx). */
async function request(opts: GateCheckCliOptions, method: 'GET' | 'POST', path: string, body?: unknown): Promise<GateCheckView> {
  const base = opts.url.replace(/\/+$/, '');
  let last = '';
  for (let i = 0; i < TRIES; i++) {
    if (i > 0) await sleep(500 * 2 ** (i - 1));
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${opts.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout((POLL_SECONDS + 30) * 1000),
      });
    } catch (err) {
      last = `cannot reach ${base}: ${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : (err as Error).message}`;
      continue;
    }
    const text = await res.text();
    if (res.status >= 500) {
      last = `the server answered ${res.status}`;
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliError(`The server answered ${res.status} with something that is not JSON; is ${base} a Cabinet server?`);
    }
    if (res.status !== 200) {
      const e = (parsed as ErrorAnswer).error;
      const problems: Problem[] = (e?.details?.issues ?? []).map((x) => ({ message: x.message, ...(x.path ? { path: x.path } : {}) }));
      throw new CliError(e?.message ?? `The server answered ${res.status}.`, 1, problems, { status: res.status, code: e?.code });
    }
    return parsed as GateCheckView;
  }
  throw new CliError(`The gate could not be asked: ${last}.`);
}

/** The decision and each reason with the record behind it, for people reading a CI log. */
export function describeCheck(view: GateCheckView): string {
  const change = view.change ? ` ${view.change.number} (${view.change.state})` : '';
  const lines = [`${view.decision}${change}  gate check ${view.id}`];
  for (const r of view.reasons) {
    const ref = r.ref ? ` [${r.ref.type} ${r.ref.label ?? r.ref.id}${r.ref.until ? ` until ${r.ref.until}` : ''}]` : '';
    lines.push(`  ${r.code}: ${r.message}${ref}`);
  }
  if (view.decision === 'pending' && view.deadline) lines.push(`  The gate denies this run at ${view.deadline} if it is still pending then.`);
  return lines.join('\n') + '\n';
}

/**
 * `cabinet gate check`: asks the server's deployment gate whether this deployment may go out now and, with
 * `--wait`, long-polls until the answer is no longer pending or the wait ends. Exit 0 allow, 2 deny, 3 still
 * pending when the wait ended (timeout), 1 for usage and other errors.
 */
export async function gateCheck(opts: GateCheckCliOptions): Promise<void> {
  const wait = waitSeconds(opts.wait);
  const attempt = Number(opts.attempt);
  if (!Number.isInteger(attempt) || attempt < 1) throw new CliError(`--attempt must be a whole number from 1, not "${opts.attempt}".`);
  if (!opts.service && opts.ci.length === 0) throw new CliError('Name the service (--service) or the CIs (--ci, repeated) you deploy to.');
  const body = {
    target: { ...(opts.service ? { serviceId: opts.service } : {}), ...(opts.ci.length ? { ciIds: opts.ci } : {}), environment: opts.environment },
    source: opts.source,
    repository: opts.repository,
    ref: opts.ref,
    sha: opts.sha,
    pipeline: { id: opts.pipeline, runId: opts.run, attempt, ...(opts.pipelineUrl ? { url: opts.pipelineUrl } : {}) },
    actor: opts.actor,
    ...(opts.change ? { changeNumber: opts.change } : {}),
    ...(opts.template ? { templateId: opts.template } : {}),
  };
  let view = await request(opts, 'POST', '/api/v1/gate/checks', body);
  const end = Date.now() + wait * 1000;
  if (view.decision === 'pending' && wait > 0 && !opts.json) stdout.write(describeCheck(view));
  while (view.decision === 'pending' && Date.now() < end) {
    const seconds = Math.max(1, Math.min(POLL_SECONDS, Math.ceil((end - Date.now()) / 1000)));
    const next = await request(opts, 'GET', `/api/v1/gate/checks/${encodeURIComponent(view.id)}?wait=${seconds}&decision=pending`);
    if (!opts.json && JSON.stringify(next.reasons) !== JSON.stringify(view.reasons) && next.decision === 'pending') stdout.write(describeCheck(next));
    view = next;
  }
  const outcome = view.decision === 'pending' ? 'timeout' : view.decision;
  if (opts.json) printJson({ ok: outcome === 'allow', outcome, check: view });
  else {
    stdout.write(describeCheck(view));
    if (outcome === 'timeout') stdout.write(`Still pending after ${wait} s: giving up (exit 3). Ask again with the same run and attempt to pick up where this left off.\n`);
  }
  setExitCode(GATE_EXIT[outcome]);
}
