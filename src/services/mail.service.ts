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

  async function describe(repos: Repositories, s: SubscriptionRecord | null, unsubscribed: boolean): Promise<UnsubscribeInfo> {
    if (!s) return { subscription: null, email: false, unsubscribed };
    const team = s.teamId ? await repos.accounts.findTeam(s.teamId) : null;
    return {
      subscription: { id: s.id, target: { kind: s.targetKind, name: await targetName(repos, s) }, team: team ? team.name : null },
      email: s.channels.includes('email'),
      unsubscribed,
    };
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
      const named = await readToken(token);
      if (!named) throw new NotFoundError('Unsubscribe link', 'given');
      return describe(store.repos, await store.repos.communication.findSubscription(named.subscriptionId), false);
    },

    /**
     * Turns email off for the subscription of the link (audited as its person's act). Idempotent: a second
     * POST, or one for a subscription deleted since, answers the same. A subscription left with no channel
     * is deleted. NOTE: a team's subscription stops emailing the whole team, as any member may change it.
     */
    async unsubscribe(token: string, requestId: string): Promise<UnsubscribeInfo> {
      const named = await readToken(token);
      if (!named) throw new NotFoundError('Unsubscribe link', 'given');
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
