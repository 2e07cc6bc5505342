import type { MailContact, OutboxRecord } from '../db/repositories';
import { counts } from '../domain/approval/quorum';
import { quietUntil } from '../domain/notification/quiet-hours';
import { changeLink, renderTimes } from '../domain/notification/texts';
import { escapeHtml, writeNoticeMail } from '../integrations/mail/notice-mail';
import type { ServiceDeps } from './context';
import type { MailService } from './mail.service';
import { DeferDelivery, type NotifyInput, type OutboxService, type RecipientLog } from './outbox.service';

/** The outbox topic of the email that follows an approval request, reminder or escalation. */
export const APPROVAL_MAIL_TOPIC = 'approval.email';
/** The outbox topic of the email that follows a shared workaround or a resolved problem. */
export const PROBLEM_MAIL_TOPIC = 'problem.email';

/** An email item's payload: the notice's words, who got it in Cabinet, and what its topic keeps to send it. */
interface NoticeMailPayload {
  kind: string;
  title: string;
  body: string;
  /** The people who got the notice in Cabinet. */
  userIds: string[];
  /** Approvals: the change and the approval asked for. */
  changeId?: string | null;
  approvalId?: string | null;
  /** Problems: where the email links to, relative (`/known-errors/KE0000001`). */
  link?: string;
}

/** A notice that reaches inboxes, as the outbox hands it over (`link`: the page a problem's notice opens). */
type DeliveredNotice = NotifyInput & { link?: string };

/** One topic of the notice emails: which notices it follows, and what it decides when the email goes. */
interface NoticeMailTopic {
  topic: string;
  /** The notice kinds this topic emails, with why the reader gets each. */
  why: Readonly<Record<string, string>>;
  /** What the payload keeps of the notice, besides its words and readers, for `readers` and `link`. */
  keep(input: DeliveredNotice): Pick<NoticeMailPayload, 'changeId' | 'approvalId' | 'link'>;
  /** Who of the notice's readers is emailed, read when the email goes. */
  readers(p: NoticeMailPayload): Promise<MailContact[]>;
  /** The page the email opens, relative (`/changes/CHG0000001?tab=approvals`). */
  link(p: NoticeMailPayload): Promise<string>;
}

/**
 * Notices that are emailed to exactly the people who got them in Cabinet (issues 12 and 13): approval requests,
 * their reminders and escalations, shared workarounds and resolved problems. When such a notice reaches inboxes,
 * an email item of its topic is queued in the same transaction; it is sent to each reader once per address
 * whatever the retries (the delivery log), and waits for the end of a reader's quiet hours like any notice.
 *
 * Approvals: only to those who keep approval emails on (preferences: `approvalEmails`), and not at all once the
 * approval no longer waits for that person (decided, withdrawn, or their vote cast meanwhile); the email opens
 * the change's approvals. Problems: to every reader; the email opens the page the notice names (`link`).
 */
export function createNoticeMail(deps: ServiceDeps & { outbox: OutboxService; mail: MailService }) {
  const { store, outbox, mail } = deps;
  const repos = () => store.repos;

  /** Who of the readers the approval still waits for: nobody once it is decided, nobody who already voted. */
  async function stillAsked(p: NoticeMailPayload): Promise<string[]> {
    if (!p.approvalId) return p.userIds;
    const approval = await repos().approvals.find(p.approvalId);
    if (!approval || approval.state !== 'pending') return [];
    const voted = new Set((await repos().approvals.votesFor([approval.id])).filter(counts).flatMap((v) => [v.userId, v.onBehalfOf]));
    return p.userIds.filter((id) => !voted.has(id));
  }

  const topics: NoticeMailTopic[] = [
    {
      topic: APPROVAL_MAIL_TOPIC,
      why: {
        approval_requested: 'you are asked to approve it',
        approval_reminder: 'your approval is still waiting',
        approval_escalated: 'an approval was escalated to you',
      },
      keep: (input) => ({ changeId: input.changeId ?? null, approvalId: input.approvalId ?? null }),
      readers: async (p) => (await repos().mail.contactsOf(await stillAsked(p))).filter((c) => c.approvalEmails),
      link: async (p) => {
        const change = p.changeId ? await repos().changes.findById(p.changeId) : null;
        return change ? `${changeLink(change.number)}?tab=approvals` : '/approvals';
      },
    },
    {
      topic: PROBLEM_MAIL_TOPIC,
      why: {
        workaround_shared: 'you filed one of the incidents of its problem, or own the problem',
        problem_resolved: 'you own the problem',
      },
      keep: (input) => ({ link: input.link ?? '/problems' }),
      readers: (p) => repos().mail.contactsOf(p.userIds),
      link: async (p) => p.link ?? '/problems',
    },
  ];

  outbox.onDelivered(async (trx, _item, input: DeliveredNotice, userIds) => {
    if (!mail.enabled || userIds.length === 0) return;
    const topic = topics.find((t) => input.kind in t.why);
    if (!topic) return;
    const payload = { kind: input.kind, title: input.title, body: input.body, ...topic.keep(input), userIds };
    await outbox.enqueue(trx, topic.topic, { ...payload });
  });

  async function send(topic: NoticeMailTopic, item: OutboxRecord, log: RecipientLog): Promise<void> {
    if (!mail.enabled) return;
    const p = item.payload as unknown as NoticeMailPayload;
    const byAddress = new Map((await topic.readers(p)).map((c) => [c.email.toLowerCase(), c]));
    const link = `${mail.origin}${await topic.link(p)}`;
    const failures: string[] = [];
    const held: number[] = [];
    for (const address of await log.outstanding('email', [...byAddress.keys()])) {
      // Asked again just before sending: a worker that took the item over skips what this one sent meanwhile.
      if ((await log.outstanding('email', [address])).length === 0) continue;
      const c = byAddress.get(address)!;
      const quietEnd = quietUntil(deps.now(), c.quietHours, c.timeZone);
      if (quietEnd) {
        held.push(quietEnd.getTime());
        continue;
      }
      const body = renderTimes(p.body, c.timeZone);
      const message = writeNoticeMail({
        title: renderTimes(p.title, c.timeZone),
        body,
        bodyHtml: `<p>${body.split('\n').map(escapeHtml).join('<br>\n')}</p>`,
        reasons: [topic.why[p.kind] ?? 'you got it in Cabinet'],
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

  for (const topic of topics) {
    outbox.handle(topic.topic, {
      // NOTE: no `channel`: each address's outcome is logged by `send` itself.
      send: (item, log) => send(topic, item, log),
      deliver: async () => {},
    });
  }
}
