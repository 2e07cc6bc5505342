import { ACTION_NOTIFICATION_KINDS } from '../contracts/notification';
import type { OutboxRecord } from '../db/repositories';
import { counts } from '../domain/approval/quorum';
import { quietUntil } from '../domain/notification/quiet-hours';
import { changeLink, renderTimes } from '../domain/notification/texts';
import { writeNoticeMail } from '../integrations/mail/notice-mail';
import type { ServiceDeps } from './context';
import type { MailService } from './mail.service';
import { DeferDelivery, type NotifyInput, type OutboxService, type RecipientLog } from './outbox.service';

/** The outbox topic of the email that follows an approval request, reminder or escalation. */
export const APPROVAL_MAIL_TOPIC = 'approval.email';

interface ApprovalMailPayload {
  kind: string;
  title: string;
  body: string;
  changeId: string | null;
  approvalId: string | null;
  /** The people who got the notice in Cabinet. */
  userIds: string[];
}

const WHY: Record<string, string> = {
  approval_requested: 'you are asked to approve it',
  approval_reminder: 'your approval is still waiting',
  approval_escalated: 'an approval was escalated to you',
};

/**
 * Approval requests, their reminders and their escalations on every channel (issue 12): when one reaches
 * inboxes in Cabinet, an email item is queued in the same transaction for exactly those people, and sent to
 * each who keeps approval emails on (preferences: `approvalEmails`), once per address whatever the retries
 * (the delivery log). It waits for the end of a reader's quiet hours like any notice, and is not sent at all
 * once the approval no longer waits for that person (decided, withdrawn, or their vote cast meanwhile).
 */
export function createApprovalMail(deps: ServiceDeps & { outbox: OutboxService; mail: MailService }) {
  const { store, outbox, mail } = deps;

  outbox.onDelivered(async (repos, _item, input: NotifyInput, userIds) => {
    if (!mail.enabled || userIds.length === 0 || !(ACTION_NOTIFICATION_KINDS as readonly string[]).includes(input.kind)) return;
    const payload: ApprovalMailPayload = { kind: input.kind, title: input.title, body: input.body, changeId: input.changeId ?? null, approvalId: input.approvalId ?? null, userIds };
    await outbox.enqueue(repos, APPROVAL_MAIL_TOPIC, { ...payload });
  });

  /** Who of the readers the approval still waits for: nobody once it is decided, nobody who already voted. */
  async function stillAsked(p: ApprovalMailPayload): Promise<string[]> {
    if (!p.approvalId) return p.userIds;
    const approval = await store.repos.approvals.find(p.approvalId);
    if (!approval || approval.state !== 'pending') return [];
    const voted = new Set((await store.repos.approvals.votesFor([approval.id])).filter(counts).flatMap((v) => [v.userId, v.onBehalfOf]));
    return p.userIds.filter((id) => !voted.has(id));
  }

  async function send(item: OutboxRecord, log: RecipientLog): Promise<void> {
    if (!mail.enabled) return;
    const p = item.payload as unknown as ApprovalMailPayload;
    const change = p.changeId ? await store.repos.changes.findById(p.changeId) : null;
    const contacts = (await store.repos.mail.contactsOf(await stillAsked(p))).filter((c) => c.approvalEmails);
    const byAddress = new Map(contacts.map((c) => [c.email.toLowerCase(), c]));
    const link = `${mail.origin}${change ? `${changeLink(change.number)}?tab=approvals` : '/approvals'}`;
    const failures: string[] = [];
    const held: number[] = [];
    for (const address of await log.outstanding('email', [...byAddress.keys()])) {
      if ((await log.outstanding('email', [address])).length === 0) continue;
      const c = byAddress.get(address)!;
      const quietEnd = quietUntil(deps.now(), c.quietHours, c.timeZone);
      if (quietEnd) {
        held.push(quietEnd.getTime());
        continue;
      }
      const message = writeNoticeMail({
        title: renderTimes(p.title, c.timeZone),
        body: renderTimes(p.body, c.timeZone),
        reasons: [WHY[p.kind] ?? 'you are asked to act'],
        link,
        linkLabel: 'Open it in Cabinet',
        preferencesUrl: `${mail.origin}/me/preferences`,
      });
      try {
        await mail.send({ to: { name: c.name, address: c.email }, subject: message.subject, text: message.text, html: message.html });
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        failures.push(error);
        await log.failed('email', address, c.userId, error);
        continue;
      }
      await log.delivered('email', address, c.userId);
    }
    if (failures.length > 0) throw new Error(`Email to ${failures.length} recipient(s) failed; they are tried again: ${failures[0]}`);
    if (held.length > 0) throw new DeferDelivery(new Date(Math.min(...held)).toISOString());
  }

  outbox.handle(APPROVAL_MAIL_TOPIC, {
    // NOTE: no `channel`: each address's outcome is logged by `send` itself.
    send,
    deliver: async () => {},
  });
}
