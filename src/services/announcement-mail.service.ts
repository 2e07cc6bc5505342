import type { SubscriptionEvent } from '../contracts/communication';
import type { ChangeRecord, OutboxRecord } from '../db/repositories';
import { changeLink, renderTimes } from '../domain/notification/texts';
import { writeInvitation } from '../integrations/mail/invitation';
import { writeNoticeMail } from '../integrations/mail/notice-mail';
import type { Store } from '../db/database';
import type { MailService } from './mail.service';
import { quietUntil } from '../domain/notification/quiet-hours';
import { DeferDelivery, type RecipientLog } from './outbox.service';

/** One person an announcement is emailed to, through the subscription whose link unsubscribes them. */
export interface MailReader {
  userId: string;
  subscriptionId: string;
  reasons: string[];
}

export interface AnnouncementMail {
  item: OutboxRecord;
  log: RecipientLog;
  /** The change it is about; null for a freeze's notice (no invitation, no concern link, a link to the windows). */
  change: ChangeRecord | null;
  event: SubscriptionEvent;
  /** The notice's words with time tokens, written out per reader here; `html`: the body as safe HTML. */
  words: { title: string; body: string; html?: string };
  readers: MailReader[];
  /** Confirmed external addresses (0024): email alone, with their own unsubscribe link, no quiet hours. */
  addressReaders?: { address: string; subscriptionId: string; reasons: string[] }[];
  /**
   * Urgent notices (a lockdown, an emergency change) go at once; others wait, per reader, for the end of
   * their quiet hours. Default false.
   */
  urgent?: boolean;
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
  // Only the events that set or move the window carry it; the others (started, completed …) leave calendars be.
  if (!INVITING_EVENTS.includes(event)) return null;
  return change.state === 'cancelled' ? null : 'REQUEST';
}

/** The events whose email carries the window as a calendar invitation (METHOD:REQUEST). */
const INVITING_EVENTS: readonly SubscriptionEvent[] = ['scheduled', 'rescheduled', 'extended'];

/**
 * Emails an announcement to each reader not emailed yet for this item, one message each, recording every
 * outcome as it is known. A refused recipient fails the item after the others were sent, so that the retry
 * goes to them alone.
 *
 * A reader in their quiet hours is left for later, unless the notice is `urgent`: once the others are sent,
 * the item is deferred (DeferDelivery, outbox.service.ts) to the earliest end of those quiet hours. Confirmed
 * external addresses (`addressReaders`) are sent to with the people, with their own unsubscribe link.
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
  const change = a.change;
  const method = change ? invitationMethod(a.event, change) : null;
  const link = `${mail.origin}${change ? changeLink(change.number) : '/schedule/windows'}`;
  // External addresses come after the people; a person's own address wins when it is both.
  const external = new Map<string, { address: string; subscriptionId: string; reasons: string[] }>();
  for (const r of a.addressReaders ?? []) if (!byAddress.has(r.address.toLowerCase())) external.set(r.address.toLowerCase(), r);
  const failures: string[] = [];
  /** The ends of the quiet hours of the readers held back this time. */
  const held: number[] = [];
  for (const address of await a.log.outstanding('email', [...byAddress.keys(), ...external.keys()])) {
    if ((await a.log.outstanding('email', [address])).length === 0) continue;
    const person = byAddress.get(address);
    const ext = external.get(address);
    const contact = person ? contacts.get(person.userId)! : { userId: null, name: ext!.address, email: ext!.address, timeZone: null, quietHours: null };
    // NOTE: a reader in their quiet hours is skipped, not logged: the item is deferred to the earliest end
    // (DeferDelivery below), and those sent now are in the delivery log, so they are not sent again then.
    const quietEnd = a.urgent ? null : quietUntil(deps.now(), contact.quietHours, contact.timeZone);
    if (quietEnd) {
      held.push(quietEnd.getTime());
      continue;
    }
    const zone = contact.timeZone;
    const unsubscribeUrl = person ? await mail.unsubscribeUrl(person.subscriptionId, person.userId) : await mail.addressUnsubscribeUrl(ext!.subscriptionId);
    const message = writeNoticeMail({
      title: renderTimes(a.words.title, zone),
      body: renderTimes(a.words.body, zone),
      ...(a.words.html ? { bodyHtml: renderTimes(a.words.html, zone) } : {}),
      reasons: person ? person.reasons : ext!.reasons,
      link,
      ...(change ? {} : { linkLabel: 'See the freezes' }),
      unsubscribeUrl,
      concernUrl: person && change ? await mail.concernUrl(change.id, person.userId) : undefined,
    });
    const calendar = method && change
      ? {
          method,
          content: writeInvitation({
            method,
            changeId: change.id,
            sequence: change.version,
            start: change.plannedStart!,
            end: change.plannedEnd!,
            summary: `${change.number} ${change.title}`,
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
      await a.log.failed('email', address, contact.userId, error);
      continue;
    }
    await a.log.delivered('email', address, contact.userId);
  }
  if (failures.length > 0) throw new Error(`Email to ${failures.length} recipient(s) failed; they are tried again: ${failures[0]}`);
  if (held.length > 0) throw new DeferDelivery(new Date(Math.min(...held)).toISOString());
}
