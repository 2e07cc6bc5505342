import { ACTION_NOTIFICATION_KINDS } from '../contracts/notification';
import type { Actor } from '../domain/actor';
import { findState } from '../domain/change/lifecycle';
import { changeWords, listWords, quoteWords, rangeToken } from '../domain/notification/texts';
import type { ApprovalRecord, ChangeRecord, Repositories } from '../db/repositories';
import type { NotificationRecipient, OutboxService } from './outbox.service';
import type { ActivePolicy } from './policy.service';

export interface ChangeNoticeDeps {
  outbox: OutboxService;
  now: () => Date;
}

export const RISK_WORDS: Readonly<Record<string, string>> = { low: 'low', moderate: 'moderate', high: 'high', very_high: 'very high' };

/** The requester and the owner of a change: the people who hear of everything that happens to it. */
const peopleOf = (c: Pick<ChangeRecord, 'requesterId' | 'ownerId'>): NotificationRecipient[] =>
  [...new Set([c.requesterId, c.ownerId].filter((id): id is string => id !== null))].map((ref) => ({ kind: 'user' as const, ref }));

/** The actor as a notice names them ("Cabinet" for the program's own steps). */
const nameOf = (actor: Pick<Actor, 'name'>) => actor.name || 'Cabinet';

/** How an approval's approver reads: the team's name, the person's name, or the role in words. */
export async function approverWords(repos: Repositories, a: Pick<ApprovalRecord, 'approverKind' | 'approverRef' | 'approverLabel'>): Promise<string> {
  if (a.approverKind === 'team') return (await repos.accounts.findTeam(a.approverRef))?.name ?? a.approverLabel;
  if (a.approverKind === 'user') return (await repos.accounts.userNames([a.approverRef])).get(a.approverRef) ?? a.approverLabel;
  return `the ${a.approverLabel.replace(/_/g, ' ')}s`;
}

/** Where the change stands, for a notice's details: its risk, its planned window and its CIs. */
export async function changeFacts(repos: Repositories, c: ChangeRecord): Promise<string> {
  const facts: string[] = [];
  if (c.risk) facts.push(`Risk ${RISK_WORDS[c.risk.level] ?? c.risk.level}.`);
  if (c.plannedStart && c.plannedEnd) facts.push(`Planned for ${rangeToken(c.plannedStart, c.plannedEnd)}.`);
  const cis = (await repos.cmdb.findCisByIds(c.ciIds)).map((ci) => ci.name).sort();
  if (cis.length > 0) facts.push(`${cis.length === 1 ? 'CI' : 'CIs'}: ${listWords(cis.length > 6 ? [...cis.slice(0, 5), `${cis.length - 5} more`] : cis)}.`);
  return facts.join(' ');
}

/**
 * The notices a change's life sends to its people (docs/notifications.md): the requester and the owner hear of
 * every move of their change and of its approvals' outcome, the routed change manager hears of each
 * submission, and the notices asking for an approval are resolved for everyone once it no longer waits for
 * them. Nobody is told of what they did themselves. Everything is queued in the caller's transaction.
 */
export function createChangeNotices(deps: ChangeNoticeDeps) {
  const { outbox } = deps;

  /** The sentence that tells of a move: "… was scheduled by Ada Lovelace for Sat 12 Dec 2026, 22:00–23:30 UTC." */
  async function moveWords(repos: Repositories, actor: Actor, before: ChangeRecord, after: ChangeRecord, active: ActivePolicy, reason?: string): Promise<{ title: string; body: string[] }> {
    const model = active.bundle.models[after.type];
    const from = model ? findState(model, before.state) : undefined;
    const to = model ? findState(model, after.state) : undefined;
    const fromLabel = from?.label ?? before.state;
    const toLabel = to?.label ?? after.state;
    const ref = changeWords(after);
    const by = nameOf(actor);
    const body: string[] = [];
    if (reason) return { title: `${ref} went back to ${toLabel}.`, body: [reason] };
    let title: string;
    if (to?.final) title = `${ref} was ${toLabel.toLowerCase()} by ${by}.`;
    else if (model && after.state === model.initial) title = `${ref} was returned to ${toLabel} by ${by}.`;
    else if (to?.requestApprovals) {
      const open = (await repos.approvals.forChange(after.id)).filter((a) => a.state === 'pending');
      const who = [...new Set(await Promise.all(open.map((a) => approverWords(repos, a))))];
      title = `${ref} was sent for authorization by ${by}.`;
      body.push(who.length > 0 ? `It waits for approval from ${listWords(who)}.` : 'It needs no approval.');
    } else if (to?.requiresApprovals && after.plannedStart && after.plannedEnd) {
      title = `${ref} was moved to ${toLabel} by ${by}, planned for ${rangeToken(after.plannedStart, after.plannedEnd)}.`;
    } else title = `${ref} was moved from ${fromLabel} to ${toLabel} by ${by}.`;
    return { title, body };
  }

  const service = {
    /**
     * A change moved from `before` to `after`: its requester and owner are told (unless they moved it), and
     * when the move left the model's first state for an open one (a submission), the routed change manager, or
     * every change manager when none is routed, is told it waits for them. `reason`: the move was automatic.
     */
    async changeMoved(repos: Repositories, actor: Actor, before: ChangeRecord, after: ChangeRecord, active: ActivePolicy, opts: { comment?: string; reason?: string } = {}): Promise<void> {
      if (before.state === after.state) return;
      const people = peopleOf(after);
      const { title, body } = await moveWords(repos, actor, before, after, active, opts.reason);
      if (opts.comment) body.push(`${nameOf(actor)} wrote: ${quoteWords(opts.comment)}`);
      await outbox.notify(repos, { recipients: people, excludeUserIds: [actor.userId], kind: 'change_transitioned', title, body: body.join(' '), changeId: after.id });

      const model = active.bundle.models[after.type];
      const to = model ? findState(model, after.state) : undefined;
      if (!model || !to || to.final || before.state !== model.initial || opts.reason) return;
      const manager: NotificationRecipient = after.changeManagerId ? { kind: 'user', ref: after.changeManagerId } : { kind: 'role', ref: 'change_manager' };
      await outbox.notify(repos, {
        recipients: [manager],
        // The requester and owner already heard of this move above: one notice each.
        excludeUserIds: [actor.userId, ...people.map((p) => p.ref)],
        kind: 'change_submitted',
        title: `${changeWords(after)} was submitted by ${nameOf(actor)} and waits in ${to.label} for ${after.changeManagerId ? 'you' : 'a change manager'}.`,
        body: await changeFacts(repos, after),
        changeId: after.id,
      });
    },

    /**
     * An approval was decided: the notices asking for it are resolved for everyone ("Decided by Ada Lovelace
     * (approved)."), and the requester and owner hear the outcome. `done`: every approval of the change stands
     * now; `nextStage`: the stage that opened. A vote that leaves the approval pending resolves only the
     * voter's own notice (and that of the person they voted for).
     */
    async approvalVoted(
      repos: Repositories,
      actor: Actor,
      change: ChangeRecord,
      active: ActivePolicy,
      a: ApprovalRecord,
      v: { decision: 'approve' | 'reject'; outcome: 'approved' | 'rejected' | 'pending'; comment: string; onBehalfOf: { userId: string; name: string } | null; done: boolean; nextStage: string | null },
    ): Promise<void> {
      const at = deps.now().toISOString();
      const by = `${nameOf(actor)}${v.onBehalfOf ? ` for ${v.onBehalfOf.name}` : ''}`;
      if (v.outcome === 'pending') {
        await repos.notifications.resolveForApproval([a.id], ACTION_NOTIFICATION_KINDS, {
          at,
          reason: `${by} voted to ${v.decision}; the approval waits for more votes.`,
          userIds: [actor.userId, ...(v.onBehalfOf ? [v.onBehalfOf.userId] : [])],
        });
        return;
      }
      await repos.notifications.resolveForApproval([a.id], ACTION_NOTIFICATION_KINDS, { at, reason: `Decided by ${by} (${v.outcome}).` });
      const ref = changeWords(change);
      const stage = a.stageLabel || a.stage;
      let title: string;
      const body: string[] = [];
      if (a.stage === active.bundle.schedule.freezeExceptions?.stage) {
        title = `The freeze exception of ${ref} was ${v.outcome} by ${by}.`;
        if (v.comment) body.push(`${nameOf(actor)} wrote: ${quoteWords(v.comment)}`);
      } else if (v.outcome === 'rejected') {
        title = `${ref} was rejected by ${by} (${stage}).`;
        if (v.comment) body.push(`${nameOf(actor)} wrote: ${quoteWords(v.comment)}`);
      } else if (v.done) {
        const model = active.bundle.models[change.type];
        const next = model?.transitions.find((t) => t.from.includes(change.state) && model.states.find((st) => st.id === t.to)?.requiresApprovals);
        title = `${ref} was approved by ${by}${next ? ` and is ready to ${next.label.toLowerCase()}` : ''}.`;
      } else {
        title = `${ref} passed ${stage}: approved by ${by}.`;
        if (v.nextStage) body.push(`It now waits for ${active.bundle.approvals.stages.find((s) => s.name === v.nextStage)?.label ?? v.nextStage}.`);
      }
      await outbox.notify(repos, { recipients: peopleOf(change), excludeUserIds: [actor.userId], kind: 'approval_decided', title, body: body.join(' '), changeId: change.id, approvalId: a.id });
    },

    /** Approvals were withdrawn (requested again, the change closed, a freeze exception dropped): their requests are resolved. */
    async approvalsWithdrawn(repos: Repositories, approvalIds: readonly string[], reason: string): Promise<void> {
      await repos.notifications.resolveForApproval(approvalIds, ACTION_NOTIFICATION_KINDS, { at: deps.now().toISOString(), reason: `Withdrawn: ${reason}` });
    },
  };
  return service;
}
export type ChangeNotices = ReturnType<typeof createChangeNotices>;
