import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { UnsubscribeInfo } from '../contracts/mail';
import type { Actor } from '../domain/actor';
import { NotFoundError } from '../domain/errors';
import type { Repositories, SubscriptionRecord } from '../db/repositories';
import { createSmtpSender, type MailSender, type OutgoingMail } from '../integrations/mail/smtp';
import { audit, type ServiceDeps } from './context';

/** Email as configured (CABINET_SMTP_URL, CABINET_MAIL_FROM), with the origin its links start with. */
export interface MailSettings {
  smtpUrl: string;
  from: string;
  /** CABINET_PUBLIC_URL, or the address Cabinet listens at when that is not set. */
  origin: string;
}

export interface MailServiceDeps extends ServiceDeps {
  /** Replaces the SMTP sender (tests of what is written without a server); the real one otherwise. */
  sender?: MailSender;
}

/** The name of the HMAC key of unsubscribe links in `server_secrets`. */
const UNSUBSCRIBE_KEY = 'unsubscribe';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** An id as a token carries it: a UUID as `U` and its 16 bytes in base64url, any other id as `R` and its UTF-8. */
function encodeId(id: string): string {
  return UUID.test(id) ? `U${Buffer.from(id.replace(/-/g, ''), 'hex').toString('base64url')}` : `R${Buffer.from(id, 'utf8').toString('base64url')}`;
}

function decodeId(part: string): string | null {
  const body = Buffer.from(part.slice(1), 'base64url');
  if (part.startsWith('U') && body.length === 16) {
    const hex = body.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  if (part.startsWith('R') && body.length > 0) return body.toString('utf8');
  return null;
}

/**
 * The actor of what someone at an external address does through a signed link (confirm, unsubscribe): no
 * person of Cabinet, no roles; the audit trail names the address.
 */
export const addressActor = (address: string, requestId: string): Actor => ({ userId: `address:${address}`, email: address, name: address, roles: [], teamIds: [], requestId, via: 'token' });

/** How long a "raise a concern" link of an email stays valid. */
export const CONCERN_LINK_DAYS = 30;
/** The signed purpose of "raise a concern" links (`signLink`). */
export const CONCERN_LINK = 'concern';
/** The path of a "raise a concern" link (GET shows a form, POST with the text raises it as the link's person). */
export const concernLinkPath = (token: string): string => `/api/v1/concern-links/${token}`;

/** The path of a one-click unsubscribe link (GET describes, POST unsubscribes). */
export const unsubscribePath = (token: string): string => `/api/v1/unsubscribe/${token}`;

/**
 * Email: sending a message over the configured SMTP server, and the signed one-click unsubscribe links
 * (RFC 8058) each message carries. Without CABINET_SMTP_URL nothing is sent (`enabled` is false).
 *
 * NOTE (security): an unsubscribe token is `<subscription id>.<user id>.<HMAC-SHA256/128>` under a random key the
 * server makes on first use and keeps in `server_secrets`. The token is derived, not stored, so every email
 * of a subscription carries the same link and nothing needs to be looked up by it but the subscription; a
 * forged or altered token fails the MAC (compared in constant time) and reads as unknown (404). It unlocks
 * one thing only: turning email off for that subscription.
 */
export function createMailService(deps: MailServiceDeps, settings: MailSettings | null) {
  const { store } = deps;
  const sender = settings ? (deps.sender ?? createSmtpSender(settings.smtpUrl)) : null;
  let key: Buffer | null = null;

  async function unsubscribeKey(): Promise<Buffer> {
    if (key) return key;
    let stored = await store.repos.mail.findSecret(UNSUBSCRIBE_KEY);
    if (!stored) {
      // Two workers may make one at once: the first insert wins and both read it back.
      stored = await store.transaction(async (repos) => {
        await repos.mail.insertSecretIfMissing(UNSUBSCRIBE_KEY, randomBytes(32).toString('base64url'), deps.now().toISOString());
        return (await repos.mail.findSecret(UNSUBSCRIBE_KEY))!;
      });
    }
    key = Buffer.from(stored, 'base64url');
    return key;
  }

  // NOTE: the MAC is cut to 128 bits, plenty against guessing, to keep the token within the router's 100
  // characters of a path parameter.
  const macOf = (k: Buffer, subscriptionId: string, userId: string): Buffer => createHmac('sha256', k).update(`unsubscribe\n${subscriptionId}\n${userId}`).digest().subarray(0, 16);

  // Digest and external-address links (0024) are told apart from the original subscription links by a marker
  // in one part ("D" first, "A" second) that no encoded id can be (those start with U or R and carry bytes).
  const digestMacOf = (k: Buffer, userId: string): Buffer => createHmac('sha256', k).update(`unsubscribe-digest\n${userId}`).digest().subarray(0, 16);
  const addressMacOf = (k: Buffer, subscriptionId: string): Buffer => createHmac('sha256', k).update(`unsubscribe-address\n${subscriptionId}`).digest().subarray(0, 16);
  const sameMac = (mac: string, expected: Buffer): boolean => {
    const given = Buffer.from(mac, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };

  /** What an unsubscribe token names, or null when it is not one this server signed. */
  async function readAnyToken(token: string): Promise<{ digestOf: string } | { addressSubscriptionId: string } | { subscriptionId: string; userId: string } | null> {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    if (parts[0] === 'D') {
      const userId = decodeId(parts[1]!);
      return userId && sameMac(parts[2]!, digestMacOf(await unsubscribeKey(), userId)) ? { digestOf: userId } : null;
    }
    if (parts[1] === 'A') {
      const subscriptionId = decodeId(parts[0]!);
      return subscriptionId && sameMac(parts[2]!, addressMacOf(await unsubscribeKey(), subscriptionId)) ? { addressSubscriptionId: subscriptionId } : null;
    }
    return readToken(token);
  }

  /** The subscription and person a token names, or null when it is not one this server signed. */
  async function readToken(token: string): Promise<{ subscriptionId: string; userId: string } | null> {
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const subscriptionId = decodeId(parts[0]!);
    const userId = decodeId(parts[1]!);
    const mac = parts[2]!;
    if (!subscriptionId || !userId) return null;
    const expected = macOf(await unsubscribeKey(), subscriptionId, userId);
    const given = Buffer.from(mac, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected) ? { subscriptionId, userId } : null;
  }

  async function targetName(repos: Repositories, s: SubscriptionRecord): Promise<string> {
    if (s.targetKind === 'service') return (await repos.cmdb.findServicesByIds([s.targetId]))[0]?.name ?? s.targetId;
    if (s.targetKind === 'ci') return (await repos.cmdb.findCisByIds([s.targetId]))[0]?.name ?? s.targetId;
    return (await repos.accounts.findTeam(s.targetId))?.name ?? s.targetId;
  }

  /** What a digest link turns off: the person's digest. */
  async function describeDigest(repos: Repositories, userId: string, unsubscribed: boolean): Promise<UnsubscribeInfo> {
    const prefs = await repos.accounts.findPreferences(userId);
    return { subscription: null, email: false, unsubscribed, digest: prefs?.digest ?? 'off' };
  }

  async function describe(repos: Repositories, s: SubscriptionRecord | null, unsubscribed: boolean): Promise<UnsubscribeInfo> {
    if (!s) return { subscription: null, email: false, unsubscribed };
    const team = s.teamId ? await repos.accounts.findTeam(s.teamId) : null;
    return {
      subscription: { id: s.id, target: { kind: s.targetKind, name: await targetName(repos, s) }, team: team ? team.name : null },
      email: s.channels.includes('email'),
      unsubscribed,
    };
  }

  /** Turns a person's digest off (audited as their act, like a change of their preferences); idempotent. */
  async function unsubscribeDigest(userId: string, requestId: string): Promise<UnsubscribeInfo> {
    return store.transaction(async (repos) => {
      const prefs = await repos.accounts.findPreferences(userId);
      if (!prefs || prefs.digest === 'off') return describeDigest(repos, userId, true);
      const user = await repos.accounts.findUserById(userId);
      const actor: Actor = { userId, email: user?.email ?? '', name: user?.name ?? userId, roles: [], teamIds: [], requestId, via: 'token' };
      const at = deps.now().toISOString();
      await repos.accounts.setPreferences(userId, { ...prefs, digest: 'off' }, at);
      await audit(repos, actor, at, 'user.updated', 'user', userId, { changes: { digest: { from: prefs.digest, to: 'off' } }, link: 'unsubscribe' });
      return { subscription: null, email: false, unsubscribed: true, digest: 'off' };
    });
  }

  /**
   * Ends an external address's subscription (it has email alone, so it is deleted), audited as the address's
   * act: the actor is the address, not a person of Cabinet.
   */
  async function unsubscribeAddress(subscriptionId: string, requestId: string): Promise<UnsubscribeInfo> {
    return store.transaction(async (repos) => {
      const s = await repos.communication.findSubscription(subscriptionId);
      if (!s) return describe(repos, null, true);
      const actor = addressActor(s.address ?? '', requestId);
      await repos.communication.deleteSubscription(s.id);
      await audit(repos, actor, deps.now().toISOString(), 'subscription.deleted', 'subscription', s.id, { target: { kind: s.targetKind, id: s.targetId }, address: s.address, link: 'unsubscribe' });
      return { ...(await describe(repos, s, true)), email: false };
    });
  }

  const service = {
    /** Whether an SMTP server is configured; without one, nothing is sent and nothing is logged. */
    enabled: sender !== null,
    /** The From address (and organizer of invitations); null without email. */
    from: settings?.from ?? null,
    /** The origin links in email start with; null without email. */
    origin: settings?.origin ?? null,

    /** Sends one message; rejects with the server's refusal. Callers record the outcome per recipient. */
    async send(mail: Omit<OutgoingMail, 'from'>): Promise<void> {
      if (!sender || !settings) throw new Error('Email is not configured (CABINET_SMTP_URL).');
      await sender({ ...mail, from: settings.from });
    },

    /** The absolute one-click unsubscribe URL for a person's email from a subscription. */
    async unsubscribeUrl(subscriptionId: string, userId: string): Promise<string> {
      const mac = macOf(await unsubscribeKey(), subscriptionId, userId).toString('base64url');
      return `${settings?.origin ?? ''}${unsubscribePath(`${encodeId(subscriptionId)}.${encodeId(userId)}.${mac}`)}`;
    },

    /** What the link would unsubscribe from, changing nothing (a GET; mail scanners follow links). 404 for a token not signed here. */
    async describeUnsubscribe(token: string): Promise<UnsubscribeInfo> {
      const named = await readAnyToken(token);
      if (!named) throw new NotFoundError('Unsubscribe link', 'given');
      if ('digestOf' in named) return describeDigest(store.repos, named.digestOf, false);
      const id = 'addressSubscriptionId' in named ? named.addressSubscriptionId : named.subscriptionId;
      return describe(store.repos, await store.repos.communication.findSubscription(id), false);
    },

    /** The absolute "raise a concern" link of a change for a person, valid CONCERN_LINK_DAYS days. */
    async concernUrl(changeId: string, userId: string): Promise<string> {
      const token = await service.signLink(CONCERN_LINK, [changeId, userId], new Date(deps.now().getTime() + CONCERN_LINK_DAYS * 86_400_000));
      return `${settings?.origin ?? ''}${concernLinkPath(token)}`;
    },

    /** The absolute one-click link that turns a person's digest off (0024). */
    async digestUnsubscribeUrl(userId: string): Promise<string> {
      const mac = digestMacOf(await unsubscribeKey(), userId).toString('base64url');
      return `${settings?.origin ?? ''}${unsubscribePath(`D.${encodeId(userId)}.${mac}`)}`;
    },

    /** The absolute one-click link that ends an external address's subscription (0024). */
    async addressUnsubscribeUrl(subscriptionId: string): Promise<string> {
      const mac = addressMacOf(await unsubscribeKey(), subscriptionId).toString('base64url');
      return `${settings?.origin ?? ''}${unsubscribePath(`${encodeId(subscriptionId)}.A.${mac}`)}`;
    },

    /**
     * Signs a link token under the same server key for another purpose (`purpose` is part of what is signed,
     * so a token of one purpose is never valid for another): the parts, an expiry (whole seconds since the
     * epoch, base 36) and the MAC. Used by the confirmation of external addresses and the concern link.
     */
    async signLink(purpose: string, ids: string[], expiresAt: Date): Promise<string> {
      const exp = Math.floor(expiresAt.getTime() / 1000).toString(36);
      const parts = ids.map(encodeId);
      const mac = createHmac('sha256', await unsubscribeKey()).update([purpose, ...ids, exp].join('\n')).digest().subarray(0, 16).toString('base64url');
      return [...parts, exp, mac].join('.');
    },

    /** The ids a `signLink` token of `purpose` names, or null when it is forged, altered, of another purpose or expired. */
    async readLink(purpose: string, count: number, token: string): Promise<string[] | null> {
      const parts = token.split('.');
      if (parts.length !== count + 2) return null;
      const ids = parts.slice(0, count).map(decodeId);
      if (ids.some((id) => id === null)) return null;
      const exp = parts[count]!;
      if (!/^[0-9a-z]{1,10}$/.test(exp)) return null;
      const expected = createHmac('sha256', await unsubscribeKey()).update([purpose, ...(ids as string[]), exp].join('\n')).digest().subarray(0, 16);
      if (!sameMac(parts[count + 1]!, expected)) return null;
      return parseInt(exp, 36) * 1000 > deps.now().getTime() ? (ids as string[]) : null;
    },

    /**
     * Turns email off for the subscription of the link (audited as its person's act). Idempotent: a second
     * POST, or one for a subscription deleted since, answers the same. A subscription left with no channel
     * is deleted. NOTE: a team's subscription stops emailing the whole team, as any member may change it.
     */
    async unsubscribe(token: string, requestId: string): Promise<UnsubscribeInfo> {
      const named = await readAnyToken(token);
      if (!named) throw new NotFoundError('Unsubscribe link', 'given');
      if ('digestOf' in named) return unsubscribeDigest(named.digestOf, requestId);
      if ('addressSubscriptionId' in named) return unsubscribeAddress(named.addressSubscriptionId, requestId);
      return store.transaction(async (repos) => {
        const s = await repos.communication.findSubscription(named.subscriptionId);
        if (!s || !s.channels.includes('email')) return describe(repos, s, true);
        const user = await repos.accounts.findUserById(named.userId);
        const actor: Actor = { userId: named.userId, email: user?.email ?? '', name: user?.name ?? named.userId, roles: [], teamIds: [], requestId, via: 'token' };
        const channels = s.channels.filter((c) => c !== 'email');
        const at = deps.now().toISOString();
        if (channels.length === 0) {
          await repos.communication.deleteSubscription(s.id);
          await audit(repos, actor, at, 'subscription.deleted', 'subscription', s.id, { target: { kind: s.targetKind, id: s.targetId }, userId: s.userId, teamId: s.teamId, link: 'unsubscribe' });
          return { ...(await describe(repos, s, true)), email: false };
        }
        await repos.communication.updateSubscription(s.id, { includeDependencies: s.includeDependencies, events: s.events, channels });
        await audit(repos, actor, at, 'subscription.updated', 'subscription', s.id, { changes: { channels: { from: s.channels, to: channels } }, link: 'unsubscribe' });
        return describe(repos, { ...s, channels }, true);
      });
    },
  };
  return service;
}
export type MailService = ReturnType<typeof createMailService>;
