import type { OutboxRecord } from '../db/repositories';
import { quietUntil } from '../domain/notification/quiet-hours';
import { renderTimes } from '../domain/notification/texts';
import { escapeHtml, writeNoticeMail } from '../integrations/mail/notice-mail';
import type { ServiceDeps } from './context';
import type { MailService } from './mail.service';
import { DeferDelivery, type NotifyInput, type OutboxService, type RecipientLog } from './outbox.service';

/** The outbox topic of the email that follows a shared workaround or a resolved problem. */
export const PROBLEM_MAIL_TOPIC = 'problem.email';

/** The notices of problem.service.ts that are emailed too, with why the reader gets each. */
const WHY: Record<string, string> = {
  workaround_shared: 'you filed one of the incidents of its problem, or own the problem',
  problem_resolved: 'you own the problem',
};

interface ProblemMailPayload {
  kind: string;
  title: string;
  body: string;
  /** Where the email links to, relative (`/known-errors/KE0000001`). */
  link: string;
  /** The people who got the notice in Cabinet. */
  userIds: string[];
}

/**
 * A shared workaround and a resolved problem on every channel (issue 13): when the notice reaches inboxes in
 * Cabinet, an email item is queued in the same transaction for exactly those people, and sent to each once per
 * address whatever the retries (the delivery log). It waits for the end of a reader's quiet hours, as every
 * notice's email does (their preferences).
 */
export function createProblemMail(deps: ServiceDeps & { outbox: OutboxService; mail: MailService }) {
  const { store, outbox, mail } = deps;

  outbox.onDelivered(async (repos, _item, input: NotifyInput & { link?: string }, userIds) => {
    if (!mail.enabled || userIds.length === 0 || !(input.kind in WHY)) return;
    const payload: ProblemMailPayload = { kind: input.kind, title: input.title, body: input.body, link: input.link ?? '/problems', userIds };
    await outbox.enqueue(repos, PROBLEM_MAIL_TOPIC, { ...payload });
  });

  async function send(item: OutboxRecord, log: RecipientLog): Promise<void> {
    if (!mail.enabled) return;
    const p = item.payload as unknown as ProblemMailPayload;
    const contacts = await store.repos.mail.contactsOf(p.userIds);
    const byAddress = new Map(contacts.map((c) => [c.email.toLowerCase(), c]));
    const failures: string[] = [];
    const held: number[] = [];
    for (const address of await log.outstanding('email', [...byAddress.keys()])) {
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
        reasons: [WHY[p.kind] ?? 'you are on the problem'],
        link: `${mail.origin}${p.link}`,
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

  outbox.handle(PROBLEM_MAIL_TOPIC, {
    // NOTE: no `channel`: each address's outcome is logged by `send` itself.
    send,
    deliver: async () => {},
  });
}
