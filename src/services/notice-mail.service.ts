import { ACTION_NOTIFICATION_KINDS } from '../contracts/notification';
import type { MailContact, MeetingRecord, OutboxRecord, Repositories } from '../db/repositories';
import { counts } from '../domain/approval/quorum';
import { quietUntil } from '../domain/notification/quiet-hours';
import { changeLink, renderTimes } from '../domain/notification/texts';
import { writeMeetingIcs } from '../integrations/ical/ics-meeting';
import { escapeHtml, writeNoticeMail } from '../integrations/mail/notice-mail';
import type { ServiceDeps } from './context';
import type { MailService } from './mail.service';
import { DeferDelivery, type NotifyInput, type OutboxService, type RecipientLog } from './outbox.service';

/** The outbox topic of the email that follows an approval request, reminder or escalation. */
export const APPROVAL_MAIL_TOPIC = 'approval.email';
/** The outbox topic of the email that follows a shared workaround or a resolved problem. */
export const PROBLEM_MAIL_TOPIC = 'problem.email';
/** The outbox topic of the invitation that follows a meeting scheduled, moved or cancelled. */
export const MEETING_MAIL_TOPIC = 'meeting.email';

/**
 * A board meeting's notice that is emailed with a calendar invitation (meeting.service.ts): `REQUEST` when the
 * meeting is scheduled or moved, `CANCEL` when it is cancelled.
 */
export type MeetingNotice = NotifyInput & { meetingId: string; invitation: 'REQUEST' | 'CANCEL' };

/**
 * Whether a notice about an approval convenes the ECAB: a request, reminder or escalation of an approval
 * routed to a board of kind `ecab`, or one of the approval the policy's ECAB rule sent to its `otherwise` (`urgent`). Such a notice is an emergency: its email overrides the readers' approval
 * email preference and quiet hours, and the webhooks' message says it is urgent (docs/notifications.md).
 */
export async function convenesEcab(repos: Repositories, input: Pick<NotifyInput, 'kind' | 'approvalId' | 'urgent'>): Promise<boolean> {
  if (!input.approvalId || !(ACTION_NOTIFICATION_KINDS as readonly string[]).includes(input.kind)) return false;
  if (input.urgent) return true;
  const approval = await repos.approvals.find(input.approvalId);
  if (!approval || approval.approverKind !== 'board') return false;
  return (await repos.boards.find(approval.approverRef))?.kind === 'ecab';
}

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
  /** Meetings: the meeting and the invitation's method. */
  meetingId?: string;
  invitation?: 'REQUEST' | 'CANCEL';
  /** An emergency (the ECAB convened): sent at once to every reader, whatever their preferences and quiet hours. */
  urgent?: boolean;
}

/** A notice that reaches inboxes, as the outbox hands it over (`link`: the page a problem's notice opens). */
type DeliveredNotice = NotifyInput & { link?: string; meetingId?: string; invitation?: 'REQUEST' | 'CANCEL' };

/** What a topic keeps of a notice besides its words and readers. */
type Kept = Pick<NoticeMailPayload, 'changeId' | 'approvalId' | 'link' | 'meetingId' | 'invitation' | 'urgent'>;

/** One topic of the notice emails: which notices it follows, and what it decides when the email goes. */
interface NoticeMailTopic {
  topic: string;
  /** The notice kinds this topic emails, with why the reader gets each. */
  why: Readonly<Record<string, string>>;
  /** Whether the topic emails this notice of one of its kinds; all of them when left out. */
  takes?(input: DeliveredNotice): boolean;
  /**
   * What the payload keeps of the notice, besides its words and readers, for `readers` and `link`; read in
   * the transaction that fills the inboxes.
   */
  keep(repos: Repositories, input: DeliveredNotice): Promise<Kept>;
  /** Who of the notice's readers is emailed, read when the email goes. */
  readers(p: NoticeMailPayload): Promise<MailContact[]>;
  /** The page the email opens, relative (`/changes/CHG0000001?tab=approvals`). */
  link(p: NoticeMailPayload): Promise<string>;
  /** The calendar invitation every message of the item carries, read when the email goes; none when left out. */
  calendar?(p: NoticeMailPayload): Promise<{ method: 'REQUEST' | 'CANCEL'; content: string } | null>;
}

/**
 * Notices that are emailed to exactly the people who got them in Cabinet (issues 12, 13 and 15): approval
 * requests, their reminders and escalations, shared workarounds and resolved problems, and board meetings
 * scheduled, moved or cancelled. When such a notice reaches inboxes, an email item of its topic is queued in the
 * same transaction; it is sent to each reader once per address whatever the retries (the delivery log), and
 * waits for the end of a reader's quiet hours like any notice.
 *
 * Approvals: only to those who keep approval emails on (preferences: `approvalEmails`), and not at all once the
 * approval no longer waits for that person (decided, withdrawn, or their vote cast meanwhile); the email opens
 * the change's approvals. An approval that convenes the ECAB (`convenesEcab`) is an emergency: it goes at once
 * to everyone it still waits for, whatever their approval emails and quiet hours. Problems: to every reader;
 * the email opens the page the notice names (`link`). Meetings: to every reader, with the meeting as a
 * calendar invitation (RFC 5546) whose UID is the meeting's and whose SEQUENCE is its version.
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
      keep: async (trx, input) => ({ changeId: input.changeId ?? null, approvalId: input.approvalId ?? null, ...((await convenesEcab(trx, input)) ? { urgent: true } : {}) }),
      // NOTE: an emergency overrides the preference: the ECAB is convened by every channel at once.
      readers: async (p) => (await repos().mail.contactsOf(await stillAsked(p))).filter((c) => p.urgent || c.approvalEmails),
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
      keep: async (_trx, input) => ({ link: input.link ?? '/problems' }),
      readers: (p) => repos().mail.contactsOf(p.userIds),
      link: async (p) => p.link ?? '/problems',
    },
    {
      topic: MEETING_MAIL_TOPIC,
      why: { meeting_scheduled: 'you sit on the board that meets' },
      takes: (input) => typeof input.meetingId === 'string' && (input.invitation === 'REQUEST' || input.invitation === 'CANCEL'),
      keep: async (_trx, input) => ({ meetingId: input.meetingId, invitation: input.invitation }),
      readers: async (p) => {
        const m = p.meetingId ? await repos().meetings.find(p.meetingId) : null;
        // A late invitation to a meeting that started, ended or was cancelled meanwhile is not sent (a
        // cancelled one sends its own CANCEL).
        if (!m || (p.invitation === 'REQUEST' && m.state !== 'planned')) return [];
        return repos().mail.contactsOf(p.userIds);
      },
      link: async (p) => `/meetings/${encodeURIComponent(p.meetingId ?? '')}`,
      calendar: async (p) => {
        const m = p.meetingId ? await repos().meetings.find(p.meetingId) : null;
        return m && p.invitation ? { method: p.invitation, content: await meetingInvitation(m, p.invitation) } : null;
      },
    },
  ];

  /**
   * The meeting as it is now, as an invitation: the chair organizes (Cabinet's From address when it has none),
   * the board's people attend. NOTE: SEQUENCE is the meeting's version, which every write raises, so a move
   * carries a higher SEQUENCE than the invitation before it and a cancellation a higher one still; a retried
   * item sends the same SEQUENCE again, which calendar apps take as the same revision.
   */
  async function meetingInvitation(m: MeetingRecord, method: 'REQUEST' | 'CANCEL'): Promise<string> {
    const board = await repos().boards.find(m.boardId);
    const seats = (await repos().boards.seatsOf([m.boardId])).get(m.boardId) ?? new Map<string, string[]>();
    const people = await repos().mail.contactsOf([...seats.keys(), ...(m.chairId ? [m.chairId] : [])]);
    const chair = people.find((c) => c.userId === m.chairId);
    return writeMeetingIcs({
      meeting: {
        id: m.id,
        title: m.title,
        boardName: board?.name ?? m.boardId,
        start: m.start,
        end: new Date(Date.parse(m.start) + m.durationMinutes * 60_000).toISOString(),
        state: m.state,
        version: m.version,
        cancelledReason: m.cancelledReason,
      },
      webUrl: mail.origin ?? '',
      chair: chair ? { name: chair.name, email: chair.email } : { name: 'Cabinet', email: mail.from! },
      attendees: people
        .filter((c) => seats.has(c.userId))
        .map((c) => ({ name: c.name, email: c.email }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      now: deps.now(),
      method,
    });
  }

  outbox.onDelivered(async (trx, _item, input: DeliveredNotice, userIds) => {
    if (!mail.enabled || userIds.length === 0) return;
    const topic = topics.find((t) => input.kind in t.why && (!t.takes || t.takes(input)));
    if (!topic) return;
    const payload = { kind: input.kind, title: input.title, body: input.body, ...(await topic.keep(trx, input)), userIds };
    await outbox.enqueue(trx, topic.topic, { ...payload });
  });

  async function send(topic: NoticeMailTopic, item: OutboxRecord, log: RecipientLog): Promise<void> {
    if (!mail.enabled) return;
    const p = item.payload as unknown as NoticeMailPayload;
    const byAddress = new Map((await topic.readers(p)).map((c) => [c.email.toLowerCase(), c]));
    if (byAddress.size === 0) return;
    const link = `${mail.origin}${await topic.link(p)}`;
    const calendar = topic.calendar ? await topic.calendar(p) : null;
    const failures: string[] = [];
    const held: number[] = [];
    for (const address of await log.outstanding('email', [...byAddress.keys()])) {
      // Asked again just before sending: a worker that took the item over skips what this one sent meanwhile.
      if ((await log.outstanding('email', [address])).length === 0) continue;
      const c = byAddress.get(address)!;
      // NOTE: an emergency is not held for quiet hours.
      const quietEnd = p.urgent ? null : quietUntil(deps.now(), c.quietHours, c.timeZone);
      if (quietEnd) {
        held.push(quietEnd.getTime());
        continue;
      }
      const body = renderTimes(p.body, c.timeZone);
      const title = renderTimes(p.title, c.timeZone);
      const message = writeNoticeMail({
        title: p.urgent ? `Emergency: ${title}` : title,
        body,
        bodyHtml: `<p>${body.split('\n').map(escapeHtml).join('<br>\n')}</p>`,
        reasons: [p.urgent ? 'the Emergency CAB is convened: this email ignores your email preferences and quiet hours' : (topic.why[p.kind] ?? 'you got it in Cabinet')],
        link,
        linkLabel: 'Open it in Cabinet',
        preferencesUrl: `${mail.origin}/me/preferences`,
      });
      try {
        await mail.send({ to: { name: c.name, address: c.email }, subject: message.subject, text: message.text, html: message.html, ...(calendar ? { calendar } : {}) });
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
