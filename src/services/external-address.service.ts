import type { ConfirmationInfo } from '../contracts/mail';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, NotFoundError } from '../domain/errors';
import type { OutboxRecord, Repositories, SubscriptionRecord } from '../db/repositories';
import { escapeHtml } from '../integrations/mail/notice-mail';
import { audit, type ServiceDeps } from './context';
import { addressActor, type MailService } from './mail.service';
import type { OutboxService, RecipientLog } from './outbox.service';

/** The outbox topic of the confirmation email an external address gets (double opt-in). */
export const CONFIRM_TOPIC = 'subscription.confirm';
/** The signed purpose of confirmation links (`MailService.signLink`). */
const CONFIRM_LINK = 'confirm';
/** How long a confirmation link stays valid; a change manager may send a fresh one. */
export const CONFIRM_LINK_DAYS = 7;
/** The path of a confirmation link (GET shows a page with a Confirm button, POST confirms). */
export const confirmLinkPath = (token: string): string => `/api/v1/subscription-confirmations/${token}`;

export interface ExternalAddressServiceDeps extends ServiceDeps {
  outbox: OutboxService;
  mail: MailService;
}

/**
 * External addresses (distribution lists) that follow a service, CI or team: the double opt-in. Subscribing
 * one (subscription.service.ts, `address`) stores it `pending` and queues CONFIRM_TOPIC; this service emails
 * the address a signed link, and someone there confirms it (GET shows, POST confirms). Until then the
 * subscription reaches nobody. Change managers may send the link again (a new one; each lasts 7 days).
 *
 * NOTE (security): the link is derived, not stored (`signLink`): the subscription id and an expiry under the
 * server's key. It unlocks one thing: confirming that subscription. A forged, altered or expired link reads
 * as unknown (404).
 */
export function createExternalAddressService(deps: ExternalAddressServiceDeps) {
  const { store, outbox, mail } = deps;

  async function targetName(repos: Repositories, s: SubscriptionRecord): Promise<string> {
    if (s.targetKind === 'service') return (await repos.cmdb.findServicesByIds([s.targetId]))[0]?.name ?? s.targetId;
    if (s.targetKind === 'ci') return (await repos.cmdb.findCisByIds([s.targetId]))[0]?.name ?? s.targetId;
    return (await repos.accounts.findTeam(s.targetId))?.name ?? s.targetId;
  }

  async function info(repos: Repositories, s: SubscriptionRecord, confirmedNow = false): Promise<ConfirmationInfo> {
    return { subscription: { id: s.id, address: s.address ?? '', target: { kind: s.targetKind, name: await targetName(repos, s) } }, confirmed: confirmedNow || s.state === 'active' };
  }

  /** The pending or confirmed external subscription a link names; 404 for a link not signed here, expired, or of one deleted since. */
  async function named(repos: Repositories, token: string): Promise<SubscriptionRecord> {
    const ids = await mail.readLink(CONFIRM_LINK, 1, token);
    const s = ids ? await repos.communication.findSubscription(ids[0]!) : null;
    if (!s || !s.address) throw new NotFoundError('Confirmation link', 'given');
    return s;
  }

  /** Emails the confirmation (once per item: the delivery log); nothing for a subscription confirmed or deleted since. */
  async function sendConfirmation(item: OutboxRecord, log: RecipientLog): Promise<void> {
    if (!mail.enabled) return;
    const repos = store.repos;
    const s = await repos.communication.findSubscription(String(item.payload.subscriptionId));
    if (!s || !s.address || s.state !== 'pending') return;
    const address = s.address.toLowerCase();
    if ((await log.outstanding('email', [address])).length === 0) return;
    const by = (await repos.accounts.userNames([s.createdBy])).get(s.createdBy) ?? 'Someone';
    const what = `${s.targetKind === 'ci' ? 'CI' : s.targetKind} ${await targetName(repos, s)}`;
    const token = await mail.signLink(CONFIRM_LINK, [s.id], new Date(deps.now().getTime() + CONFIRM_LINK_DAYS * 86_400_000));
    const url = `${mail.origin ?? ''}${confirmLinkPath(token)}`;
    const subject = `Confirm: email about changes to ${what}`;
    const text = [
      `${by} asked Cabinet to email ${s.address} about the changes planned on ${what}.`,
      '',
      `Confirm it here (the link works for ${CONFIRM_LINK_DAYS} days): ${url}`,
      '',
      'Nothing is sent to this address until someone confirms. If you did not expect this, ignore this email.',
    ].join('\n');
    const html = [
      '<!doctype html>',
      `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`,
      `<p>${escapeHtml(by)} asked Cabinet to email ${escapeHtml(s.address)} about the changes planned on ${escapeHtml(what)}.</p>`,
      `<p><a href="${escapeHtml(url)}">Confirm</a> (the link works for ${CONFIRM_LINK_DAYS} days).</p>`,
      '<p><small>Nothing is sent to this address until someone confirms. If you did not expect this, ignore this email.</small></p>',
      '</body></html>',
    ].join('\n');
    try {
      await mail.send({ to: { name: s.address, address: s.address }, subject, text, html });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await log.failed('email', address, null, error);
      throw err;
    }
    await log.delivered('email', address, null);
  }

  outbox.handle(CONFIRM_TOPIC, {
    send: sendConfirmation,
    deliver: async (repos, payload) => {
      const s = await repos.communication.findSubscription(String(payload.subscriptionId));
      if (mail.enabled && s?.state === 'pending') await repos.communication.markConfirmationSent(s.id, deps.now().toISOString());
    },
  });

  return {
    /** What a confirmation link would confirm; changes nothing (mail scanners follow links). */
    async describe(token: string): Promise<ConfirmationInfo> {
      const repos = store.repos;
      return info(repos, await named(repos, token));
    },

    /** Confirms the subscription of the link (audited as the address's act); the same answer when repeated. */
    async confirm(token: string, requestId: string): Promise<ConfirmationInfo> {
      return store.transaction(async (repos) => {
        const s = await named(repos, token);
        if (await repos.communication.confirmSubscription(s.id)) {
          await audit(repos, addressActor(s.address!, requestId), deps.now().toISOString(), 'subscription.confirmed', 'subscription', s.id, { address: s.address, target: { kind: s.targetKind, id: s.targetId }, link: 'confirm' });
        }
        return info(repos, s, true);
      });
    },

    /**
     * Sends a fresh confirmation link to a pending external address (change managers and admins); 404 for
     * another kind of subscription, 409 `subscription_confirmed` once it is confirmed.
     */
    async resend(actor: Actor, id: string): Promise<void> {
      assertPermission(actor, 'subscription.manage_external');
      await store.transaction(async (repos) => {
        const s = await repos.communication.findSubscription(id);
        if (!s || !s.address) throw new NotFoundError('Subscription', id);
        if (s.state !== 'pending') throw new ConflictError('subscription_confirmed', `${s.address} has confirmed this subscription already.`, { subscriptionId: s.id });
        await outbox.enqueue(repos, CONFIRM_TOPIC, { subscriptionId: s.id });
      });
    },
  };
}
export type ExternalAddressService = ReturnType<typeof createExternalAddressService>;
