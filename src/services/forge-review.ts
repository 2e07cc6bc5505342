import { createHash } from 'node:crypto';
import type { GateCheckView } from '../contracts/gate';
import type { EvidenceRecord, Repositories } from '../db/repositories';
import type { Actor } from '../domain/actor';
import { canonicalJson } from '../domain/audit/chain';
import { AppError } from '../domain/errors';
import type { ApprovalService } from './approval.service';
import { isApprover } from './approval.service';
import { audit, type ServiceDeps } from './context';

/**
 * What the GitHub and GitLab integrations share: the words of a gate decision as the forge shows them, the
 * Cabinet account of a forge login, and a code review (an approved pull or merge request) recorded as evidence
 * on its change and, where the settings say so, counted as the peer approval of a low-risk change.
 */

/** A gate decision in the words a forge shows (Markdown, at most `max` characters: GitHub takes 1024). */
export function gateComment(check: GateCheckView, max = 1024): string {
  const head =
    check.decision === 'allow'
      ? 'Cabinet allows this deployment'
      : check.decision === 'deny'
        ? 'Cabinet refuses this deployment'
        : 'Cabinet holds this deployment until';
  const change = check.change ? ` ${check.change.number} (${check.change.state})` : '';
  const reasons = check.reasons.map((r) => `- ${r.message}${r.ref?.until ? ` (until ${r.ref.until})` : ''}`);
  const text = check.decision === 'pending' ? `${head} the reasons below clear${change ? ` for${change}` : ''}:` : `${head}${change ? ` under${change}` : ''}.`;
  return truncate([text, ...reasons].join('\n'), max);
}

/** What a forge is told: the decision, its words, and (pending) a key that changes when the reasons do. */
export interface Verdict {
  decision: GateCheckView['decision'];
  comment: string;
  key: string;
  change: GateCheckView['change'];
}

export function verdictOf(check: GateCheckView, max = 1024): Verdict {
  return { decision: check.decision, comment: gateComment(check, max), key: `${check.decision}:${check.reasons.map((r) => r.code + (r.ref?.id ?? '')).join(',')}`, change: check.change };
}

/** A refusal Cabinet makes itself (no decision by the deadline, an unknown repository), with its reason. */
export function refusal(why: string): Verdict {
  return { decision: 'deny', comment: truncate(why, 1024), key: 'deny', change: null };
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** A forge environment name as Cabinet's: the settings' mapping, else the name in lower case. */
export function environmentOf(map: Record<string, string> | undefined, name: string): string {
  return map?.[name] ?? map?.[name.toLowerCase()] ?? name.toLowerCase();
}

/**
 * The Cabinet account of a forge login: the settings' `people` mapping (login → email), else the email the
 * forge sent, if any. Null when neither finds an enabled account.
 */
export async function accountOf(repos: Repositories, people: { login: string; email: string }[] | undefined, login: string, email: string | null, requestId: string): Promise<Actor | null> {
  const mapped = people?.find((p) => p.login.toLowerCase() === login.toLowerCase())?.email ?? email;
  if (!mapped) return null;
  const user = await repos.accounts.findUserByEmail(mapped.toLowerCase());
  if (!user || user.disabled) return null;
  return { userId: user.id, email: user.email, name: user.name, roles: [...user.roles], teamIds: [...user.teamIds], requestId, via: 'token' };
}

/** A code review the forge reported. */
export interface CodeReview {
  source: 'github' | 'gitlab';
  /** "owner/name" or the GitLab project path. */
  repository: string;
  number: number;
  title: string;
  url: string | null;
  author: string;
  reviewer: string;
  reviewerEmail: string | null;
  /** The forge says the reviewer is the author (GitLab names the author by id only). */
  selfReview?: boolean;
  sha: string;
  submittedAt: string;
}

/** The outcome of a code review, as the webhook answer tells it. */
export interface ReviewOutcome {
  changeNumber: string;
  evidenceId: string | null;
  peerApproval: 'not_asked' | 'approved' | 'author' | 'unknown_reviewer' | 'risk_too_high' | 'no_approval_for_reviewer' | 'refused';
  detail?: string;
}

// NOTE: the same fingerprint governance.service.ts gives evidence people attach, so `sha256` means one thing.
const evidenceHash = (value: unknown) => createHash('sha256').update(canonicalJson(value)).digest('hex');

/**
 * Records a code review on the change as `code_review` evidence (hashed and audited, in one transaction) and,
 * when `countAsPeer` allows it, decides a pending approval of the change as the reviewer's account through the
 * approval service, so that segregation of duties holds there: the author of the pull request, and anyone who
 * is a party to the change, never counts.
 */
export async function recordCodeReview(
  deps: ServiceDeps & { approvals: ApprovalService },
  actor: Actor,
  changeId: string,
  review: CodeReview,
  countAsPeer: { people: { login: string; email: string }[] | undefined; maxRisk: 'low' | 'moderate' } | null,
): Promise<ReviewOutcome> {
  const { store } = deps;
  const at = deps.now().toISOString();
  const title = `${review.source === 'github' ? 'Pull request' : 'Merge request'} ${review.source === 'github' ? '#' : '!'}${review.number} approved by ${review.reviewer}`;
  const body = JSON.stringify({ source: review.source, repository: review.repository, number: review.number, title: review.title, author: review.author, reviewer: review.reviewer, sha: review.sha, submittedAt: review.submittedAt }, null, 2);
  const stored = await store.transaction(async (repos) => {
    const change = await repos.changes.findById(changeId);
    if (!change) return null;
    const evidence: EvidenceRecord = { id: deps.newId(), changeId, kind: 'code_review', title, body, url: review.url, sha256: evidenceHash({ kind: 'code_review', title, body, url: review.url }), createdBy: 'system', createdAt: at };
    await repos.governance.insertEvidence(evidence);
    await audit(repos, actor, at, 'change.evidence_added', 'change', changeId, { number: change.number, evidenceId: evidence.id, kind: evidence.kind, title, sha256: evidence.sha256, source: review.source });
    return { evidence, change };
  });
  if (!stored) return { changeNumber: '', evidenceId: null, peerApproval: 'not_asked' };
  const outcome: ReviewOutcome = { changeNumber: stored.change.number, evidenceId: stored.evidence.id, peerApproval: 'not_asked' };
  if (!countAsPeer) return outcome;
  if (review.selfReview || review.author.toLowerCase() === review.reviewer.toLowerCase()) return { ...outcome, peerApproval: 'author' };
  const order = ['low', 'moderate', 'high', 'very_high'];
  const level = stored.change.risk?.level;
  if (!level || order.indexOf(level) > order.indexOf(countAsPeer.maxRisk)) return { ...outcome, peerApproval: 'risk_too_high' };
  const reviewer = await accountOf(store.repos, countAsPeer.people, review.reviewer, review.reviewerEmail, actor.requestId);
  if (!reviewer) return { ...outcome, peerApproval: 'unknown_reviewer' };
  const author = await accountOf(store.repos, countAsPeer.people, review.author, null, actor.requestId);
  if (author && author.userId === reviewer.userId) return { ...outcome, peerApproval: 'author' };
  const pending = (await store.repos.approvals.forChange(changeId)).filter((a) => a.state === 'pending' && isApprover(reviewer, a));
  if (pending.length === 0) return { ...outcome, peerApproval: 'no_approval_for_reviewer' };
  try {
    await deps.approvals.decide(reviewer, pending[0]!.id, { decision: 'approve', comment: `${title}${review.url ? `: ${review.url}` : ''}` });
    return { ...outcome, peerApproval: 'approved' };
  } catch (err) {
    // Segregation of duties, a vote already given, content changed: the review stays evidence only.
    if (err instanceof AppError) return { ...outcome, peerApproval: 'refused', detail: err.code };
    throw err;
  }
}

/** What the integrations need of the gate (services/gate.service.ts). */
export interface GatePort {
  check(actor: Actor, input: import('../contracts/gate').GateCheckInput): Promise<GateCheckView>;
  changeForDeployment(input: { source: string; repository: string; sha?: string; runId?: string }): Promise<string | null>;
  addAdapter(adapter: { name: string; decisionChanged(check: GateCheckView): Promise<void> }): void;
}

/** What the integrations need of deployments on record (services/deployment.service.ts). */
export interface DeploymentsPort {
  record(actor: Actor, input: import('../contracts/deployments').DeploymentInput): Promise<{ id: string }>;
}
