import type { SubscriptionEvent } from '../contracts/communication';
import type { ChangeRecord, OutboxRecord } from '../db/repositories';
import { changeLink, renderTimes } from '../domain/notification/texts';
import { writeInvitation } from '../integrations/mail/invitation';
import { writeNoticeMail } from '../integrations/mail/notice-mail';
import type { Store } from '../db/database';
import type { MailService } from './mail.service';
import type { RecipientLog } from './outbox.service';

/** One person an announcement is emailed to, through the subscription whose link unsubscribes them. */
export interface MailReader {
  userId: string;
  subscriptionId: string;
  reasons: string[];
}

export interface AnnouncementMail {
  item: OutboxRecord;
  log: RecipientLog;
  change: ChangeRecord;
  event: SubscriptionEvent;
  /** The notice's words with time tokens, written out per reader here. */
  words: { title: string; body: string };
  readers: MailReader[];
}

/**
 * The invitation an announcement carries, or null: a planned window is sent as `METHOD:REQUEST` when the
 * change is scheduled or moved, and withdrawn with `METHOD:CANCEL` when it is cancelled.
 *
 * NOTE: the SEQUENCE is the change's version, which every write of the change raises (optimistic locking), so
 * a move always carries a higher SEQUENCE than the invitation before it and a cancellation a higher one
 * still, without a counter of its own; a retried item re-sends the same SEQUENCE, which calendar apps take as
 * the same revision. The change is read when the item is delivered, so a notice that comes late carries the
 * window as it is then; a REQUEST is not sent for a change that was cancelled meanwhile (its own CANCEL is).
 */
export function invitationMethod(event: SubscriptionEvent, change: Pick<ChangeRecord, 'state' | 'plannedStart' | 'plannedEnd'>): 'REQUEST' | 'CANCEL' | null {
  if (!change.plannedStart || !change.plannedEnd) return null;
  if (event === 'cancelled') return 'CANCEL';
  return change.state === 'cancelled' ? null : 'REQUEST';
}

/**
 * Emails an announcement to each reader not emailed yet for this item, one message each, recording every
 * outcome as it is known. A refused recipient fails the item after the others were sent, so that the retry
 * goes to them alone.
 *
 * NOTE: each address is looked up in the delivery log again just before its message goes, so a worker that
 * took the item over when this one's lease ran out skips what this one sent meanwhile. What SMTP cannot give
 * is a send and its record in one step: a process that dies after the server accepted a message and before
 * the log has it sends that one message again on the retry (at most one per address and crash).
 */
export async function sendAnnouncementMail(deps: { store: Store; now: () => Date; mail: MailService }, a: AnnouncementMail): Promise<void> {
  const { mail } = deps;
  const contacts = new Map((await deps.store.repos.mail.contactsOf(a.readers.map((r) => r.userId))).map((c) => [c.userId, c]));
  const byAddress = new Map<string, MailReader>();
  for (const r of a.readers) {
    const c = contacts.get(r.userId);
    if (c) byAddress.set(c.email.toLowerCase(), r);
  }
  const method = invitationMethod(a.event, a.change);
  const link = `${mail.origin}${changeLink(a.change.number)}`;
  const failures: string[] = [];
  for (const address of await a.log.outstanding('email', [...byAddress.keys()])) {
    if ((await a.log.outstanding('email', [address])).length === 0) continue;
    const reader = byAddress.get(address)!;
    const contact = contacts.get(reader.userId)!;
    const zone = contact.timeZone;
    const unsubscribeUrl = await mail.unsubscribeUrl(reader.subscriptionId, reader.userId);
    const message = writeNoticeMail({
      title: renderTimes(a.words.title, zone),
      body: renderTimes(a.words.body, zone),
      reasons: reader.reasons,
      link,
      unsubscribeUrl,
    });
    const calendar = method
      ? {
          method,
          content: writeInvitation({
            method,
            changeId: a.change.id,
            sequence: a.change.version,
            start: a.change.plannedStart!,
            end: a.change.plannedEnd!,
            summary: `${a.change.number} ${a.change.title}`,
            description: message.text,
            url: link,
            organizer: { name: 'Cabinet', email: mail.from! },
            attendee: { name: contact.name, email: contact.email },
            now: deps.now(),
          }),
        }
      : undefined;
    try {
      await mail.send({ to: { name: contact.name, address: contact.email }, subject: message.subject, text: message.text, html: message.html, unsubscribeUrl, calendar });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      failures.push(error);
      await a.log.failed('email', address, reader.userId, error);
      continue;
    }
    await a.log.delivered('email', address, reader.userId);
  }
  if (failures.length > 0) throw new Error(`Email to ${failures.length} recipient(s) failed; they are tried again: ${failures[0]}`);
}
