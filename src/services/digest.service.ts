import type { ChangeRecord, DigestReader, OutboxRecord, Repositories } from '../db/repositories';
import { dueDigest, quietUntil, type DigestPeriod } from '../domain/notification/quiet-hours';
import { changeLink, changeWords, instantWords, listWords, rangeToken, rangeWords, timeToken } from '../domain/notification/texts';
import type { ImpactSettings } from '../domain/schedule/impact';
import { writeDigestMail } from '../integrations/mail/digest-mail';
import { RISK_WORDS } from './change-notice.service';
import type { ServiceDeps } from './context';
import type { MailService } from './mail.service';
import { DeferDelivery, type OutboxService, type RecipientLog } from './outbox.service';
import type { PolicyService } from './policy.service';
import { DEFAULT_IMPACT } from './schedule.service';
import type { SubscriptionService } from './subscription.service';

/** The outbox topic of a digest's email. */
export const DIGEST_TOPIC = 'digest.email';

/** A change in a digest is planned: one that is cancelled or closed is left out. */
const LEFT_OUT_STATES = ['cancelled', 'closed'];

export interface DigestServiceDeps extends ServiceDeps {
  outbox: OutboxService;
  policy: PolicyService;
  subscriptions: Pick<SubscriptionService, 'reachOf'>;
  /** Email of the digests; absent or not enabled: in-app only. */
  mail?: MailService;
}

interface DigestPayload {
  userId: string;
  frequency: 'daily' | 'weekly';
  period: string;
  from: string;
  to: string;
  items: { changeId: string; reasons: string[] }[];
}

/** Thrown inside a claim's transaction when another worker claimed the digest first: rolls back its item. */
class ClaimLostError extends Error {}

/**
 * Digests (docs/communication.md#digests): at 07:00 in each person's zone (weekly: on Monday) the changes
 * planned to start in the next day or seven days, not cancelled or closed, on what the person follows: the
 * changes whose audience (subscription.service.ts `reachOf`) holds them, each with why. A digest with
 * nothing in it is not sent.
 *
 * NOTE: exactly one digest per person and period, with any number of workers and restarts: `tick` claims
 * (person, period) in the `digests` table (its primary key decides between racing workers) in the same
 * transaction that queues the in-app notice and the email's outbox item; a claim that loses rolls both
 * back. The email then goes through the outbox (retries, the delivery log: once per address) and waits
 * for the end of the person's quiet hours like any notice's email.
 */
export function createDigestService(deps: DigestServiceDeps) {
  const { store, outbox, policy, subscriptions } = deps;

  /** What each change reaches, computed once per tick (several people's digests list the same change). */
  function reachCache(repos: Repositories, settings: ImpactSettings) {
    const cache = new Map<string, Promise<{ change: ChangeRecord | null; reach: Map<string, string[]> }>>();
    return (changeId: string) => {
      let hit = cache.get(changeId);
      if (!hit) {
        hit = (async () => {
          const change = await repos.changes.findById(changeId);
          return { change, reach: change ? await subscriptions.reachOf(repos, change, settings) : new Map<string, string[]>() };
        })();
        cache.set(changeId, hit);
      }
      return hit;
    };
  }

  /** The in-app digest: one notice listing the changes, times as tokens written out in the reader's zone. */
  function inAppWords(frequency: 'daily' | 'weekly', period: DigestPeriod, changes: ChangeRecord[]): { title: string; body: string } {
    const title = `Your ${frequency} digest: ${changes.length} change${changes.length === 1 ? '' : 's'} planned from ${timeToken(period.from)}.`;
    const body = listWords(changes.map((c) => `${changeWords(c)}${c.plannedStart && c.plannedEnd ? ` (${rangeToken(c.plannedStart, c.plannedEnd)})` : ''}`)) + '.';
    return { title, body };
  }

  /** Claims and queues one person's digest; false when it lists nothing or another worker had it. */
  async function claimOne(reader: DigestReader, period: DigestPeriod, items: { change: ChangeRecord; reasons: string[] }[]): Promise<boolean> {
    const at = deps.now().toISOString();
    try {
      return await store.transaction(async (repos) => {
        let outboxId: string | null = null;
        if (items.length > 0) {
          const words = inAppWords(reader.digest, period, items.map((i) => i.change));
          await outbox.notify(repos, { recipients: [{ kind: 'user', ref: reader.userId }], kind: 'digest', title: words.title, body: words.body });
          if (deps.mail?.enabled) {
            const payload: DigestPayload = { userId: reader.userId, frequency: reader.digest, period: period.key, from: period.from, to: period.to, items: items.map((i) => ({ changeId: i.change.id, reasons: i.reasons })) };
            outboxId = await outbox.enqueue(repos, DIGEST_TOPIC, { ...payload });
          }
        }
        // An empty digest is claimed too, so the period is decided once (and not re-read every tick).
        if (!(await repos.digests.claim({ userId: reader.userId, period: period.key, changeCount: items.length, outboxId, at }))) throw new ClaimLostError();
        return items.length > 0;
      });
    } catch (err) {
      if (err instanceof ClaimLostError) return false;
      throw err;
    }
  }

  /** Emails a digest (once per address: the delivery log), after the end of the reader's quiet hours. */
  async function sendDigest(item: OutboxRecord, log: RecipientLog): Promise<void> {
    const mail = deps.mail;
    if (!mail?.enabled) return;
    const p = item.payload as unknown as DigestPayload;
    const repos = store.repos;
    const [contact] = await repos.mail.contactsOf([p.userId]);
    if (!contact) return;
    const address = contact.email.toLowerCase();
    if ((await log.outstanding('email', [address])).length === 0) return;
    const quietEnd = quietUntil(deps.now(), contact.quietHours, contact.timeZone);
    if (quietEnd) throw new DeferDelivery(quietEnd.toISOString());
    const zone = contact.timeZone ?? 'UTC';
    // The changes as they are now: one cancelled or closed since the digest was claimed is left out.
    const changes = new Map((await repos.changes.findManyByIds(p.items.map((i) => i.changeId))).map((c) => [c.id, c]));
    const listed = p.items.flatMap((i) => {
      const c = changes.get(i.changeId);
      return c && !LEFT_OUT_STATES.includes(c.state) ? [{ c, reasons: i.reasons }] : [];
    });
    if (listed.length === 0) return;
    const cis = await repos.cmdb.findCisByIds([...new Set(listed.flatMap((l) => l.c.ciIds))]);
    const services = new Map((await repos.cmdb.findServicesByIds([...new Set(cis.map((c) => c.serviceId).filter((id): id is string => id !== null))])).map((s) => [s.id, s.name]));
    const serviceOfCi = new Map(cis.map((c) => [c.id, c.serviceId ? (services.get(c.serviceId) ?? null) : null]));
    const items = [];
    for (const { c, reasons } of listed) {
      items.push({
        number: c.number,
        title: c.title,
        window: c.plannedStart && c.plannedEnd ? rangeWords(c.plannedStart, c.plannedEnd, zone) : null,
        risk: c.risk ? (RISK_WORDS[c.risk.level] ?? c.risk.level) : null,
        services: [...new Set(c.ciIds.map((id) => serviceOfCi.get(id)).filter((n): n is string => !!n))].sort(),
        reasons,
        link: `${mail.origin ?? ''}${changeLink(c.number)}`,
        concernUrl: await mail.concernUrl(c.id, p.userId),
      });
    }
    const unsubscribeUrl = await mail.digestUnsubscribeUrl(p.userId);
    const message = writeDigestMail({ frequency: p.frequency, from: instantWords(p.from, zone), to: instantWords(p.to, zone), items, unsubscribeUrl });
    try {
      await mail.send({ to: { name: contact.name, address: contact.email }, subject: message.subject, text: message.text, html: message.html, unsubscribeUrl });
    } catch (err) {
      await log.failed('email', address, p.userId, err instanceof Error ? err.message : String(err));
      throw err;
    }
    await log.delivered('email', address, p.userId);
  }

  outbox.handle(DIGEST_TOPIC, {
    send: sendDigest,
    // Everything happens in `send`: the address is recorded in the delivery log as its message goes.
    deliver: async () => {},
  });

  return {
    /**
     * One pass of the worker: claims and queues the digests due now (07:00 to midnight of the period's day in
     * each person's zone) that no worker claimed yet. Returns how many were queued (empty ones are not).
     */
    async tick(): Promise<{ digests: number }> {
      const now = deps.now();
      const repos = store.repos;
      const due: { reader: DigestReader; period: DigestPeriod }[] = [];
      for (const reader of await repos.digests.readers()) {
        const period = dueDigest(now, reader.digest, reader.timeZone);
        if (period && !(await repos.digests.claimed(reader.userId, period.key))) due.push({ reader, period });
      }
      if (due.length === 0) return { digests: 0 };
      const settings = (await policy.activeOrNull())?.bundle.schedule.impact ?? DEFAULT_IMPACT;
      const reachOf = reachCache(repos, settings);
      const planned = new Map<string, Promise<string[]>>();
      let queued = 0;
      for (const { reader, period } of due) {
        const range = `${period.from}|${period.to}`;
        if (!planned.has(range)) planned.set(range, repos.digests.plannedStarting(period.from, period.to, LEFT_OUT_STATES));
        const items: { change: ChangeRecord; reasons: string[] }[] = [];
        for (const changeId of await planned.get(range)!) {
          const { change, reach } = await reachOf(changeId);
          const reasons = reach.get(reader.userId);
          if (change && reasons) items.push({ change, reasons });
        }
        if (await claimOne(reader, period, items)) queued++;
      }
      return { digests: queued };
    },
  };
}
export type DigestService = ReturnType<typeof createDigestService>;
