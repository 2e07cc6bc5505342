import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import {
  FEED_DAYS_AHEAD,
  FEED_DAYS_BACK,
  type CalendarFeed,
  type CalendarFeedScope,
  type CreateCalendarFeedInput,
  type CreatedCalendarFeed,
  type FeedScopeKind,
} from '../contracts/calendar-feeds';
import type { Actor } from '../domain/actor';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { NotFoundError, type Issue } from '../domain/errors';
import { scopeApplies, targetOfCis } from '../domain/schedule/scope';
import type { CalendarFeedRecord } from '../db/repositories';
import { writeFeedIcs, type FeedChange, type FeedMeeting } from '../integrations/ical/ics-feed';
import { hashSecret } from './auth.service';
import type { CalendarService, CalendarWithVersions } from './calendar.service';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import type { PolicyService } from './policy.service';

/** Feed secrets look like `cal_<43 url-safe chars>` (256 random bits); the first 12 characters are shown. */
export const FEED_TOKEN_PREFIX = 'cal_';
const PREFIX_LENGTH = 12;
const DAY_MS = 86_400_000;
/** Last use is bookkeeping: written at most once a minute however often a calendar app polls. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * NOTE (security): unknown, revoked and no-longer-permitted feeds get this same answer, and it never echoes
 * the secret from the URL.
 */
class FeedNotFoundError extends NotFoundError {
  constructor() {
    super('Calendar feed', '');
    this.message = 'There is no calendar feed at this address. It may have been revoked.';
  }
}

/** `cal_` and 32 random bytes, base64url: safe in a URL path, too long to guess. */
export const newFeedToken = (): string => FEED_TOKEN_PREFIX + randomBytes(32).toString('base64url');

/** The path of a feed, below the server's origin. */
export const feedPath = (token: string): string => `/feeds/${token}.ics`;

export interface CalendarFeedsServiceDeps extends ServiceDeps {
  calendar: CalendarService;
  policy: PolicyService;
}

/**
 * Calendar feeds: iCalendar subscriptions to a person's changes, a team's, a service's or the whole schedule,
 * reached by a secret URL. Creating and revoking are audited (without the secret); reading the feed is
 * evaluated as its owner, so a feed never shows more than its owner may read today.
 */
export function createCalendarFeedsService(deps: CalendarFeedsServiceDeps) {
  const { store, calendar, policy } = deps;
  const nowIso = () => deps.now().toISOString();

  /** Words for a feed's scope; a reference that no longer resolves is shown as it was stored. */
  async function scopesOf(feeds: CalendarFeedRecord[]): Promise<Map<string, CalendarFeedScope>> {
    const refsOf = (kind: FeedScopeKind) => [...new Set(feeds.filter((f) => f.scopeKind === kind && f.scopeRef).map((f) => f.scopeRef!))];
    const teams = new Map((await store.repos.accounts.listTeams()).map((t) => [t.id, t.name]));
    const services = new Map((await store.repos.cmdb.findServicesByIds(refsOf('service'))).map((s) => [s.id, s.name]));
    const users = await store.repos.accounts.userNames(refsOf('user'));
    const label = (f: CalendarFeedRecord): string => {
      const ref = f.scopeRef ?? '';
      switch (f.scopeKind) {
        case 'user':
          return `Changes of ${users.get(ref) ?? ref}`;
        case 'team':
          return `Team ${teams.get(ref) ?? ref}`;
        case 'service':
          return `Service ${services.get(ref) ?? ref}`;
        case 'all':
          return 'Everything on the schedule';
      }
    };
    return new Map(feeds.map((f) => [f.id, { kind: f.scopeKind, ref: f.scopeRef, label: label(f) }]));
  }

  async function toPublic(feeds: CalendarFeedRecord[]): Promise<CalendarFeed[]> {
    const scopes = await scopesOf(feeds);
    return feeds.map((f) => ({
      id: f.id,
      userId: f.userId,
      name: f.name,
      scope: scopes.get(f.id)!,
      prefix: f.prefix,
      createdAt: f.createdAt,
      lastUsedAt: f.lastUsedAt,
    }));
  }

  /** The scope as stored (ids, not names), or every problem with the name and the scope at once. */
  async function resolveInput(
    actor: Actor,
    input: z.output<typeof CreateCalendarFeedInput>,
  ): Promise<{ name: string; kind: FeedScopeKind; ref: string | null }> {
    const issues: Issue[] = [];
    const name = input.name.trim();
    if (!name) issues.push({ path: 'name', message: 'must not be empty' });
    const { kind } = input.scope;
    const given = input.scope.ref ?? null;
    let ref: string | null = null;
    if (kind === 'user') {
      if (given !== null && given !== actor.userId)
        issues.push({ path: 'scope.ref', message: 'a user feed holds your own changes; leave ref out' });
      ref = actor.userId;
    } else if (kind === 'all') {
      if (given !== null) issues.push({ path: 'scope.ref', message: 'a feed of everything takes no ref; leave it out' });
    } else if (given === null) {
      issues.push({ path: 'scope.ref', message: `name the ${kind} (id or ${kind === 'team' ? 'handle' : 'name'})` });
    } else if (kind === 'team') {
      const team = await store.repos.accounts.findTeam(given);
      if (team) ref = team.id;
      else issues.push({ path: 'scope.ref', message: `unknown team ${given}` });
    } else {
      const service = await store.repos.cmdb.findService(given);
      if (service) ref = service.id;
      else issues.push({ path: 'scope.ref', message: `unknown service ${given}` });
    }
    throwIfIssues(issues, 'The calendar feed has invalid values.');
    return { name, kind, ref };
  }

  /** The feed's owner as an actor, or null when they may no longer read the schedule. */
  async function ownerOf(feed: CalendarFeedRecord, requestId: string): Promise<Actor | null> {
    const user = await store.repos.accounts.findUserById(feed.userId);
    if (!user || user.disabled) return null;
    const actor: Actor = {
      userId: user.id,
      email: user.email,
      name: user.name,
      roles: user.roles,
      teamIds: user.teamIds,
      requestId,
      via: 'token',
    };
    return hasPermission(actor, 'change.read') ? actor : null;
  }

  /** Only the windows that apply to the work in the calendar (global ones always do). */
  async function windowsForChanges(found: CalendarWithVersions): Promise<CalendarWithVersions> {
    const cis = await store.repos.cmdb.findCisByIds([...new Set(found.changes.flatMap((c) => c.ciIds))]);
    const services = await store.repos.cmdb.findServicesByIds([...new Set(cis.flatMap((c) => (c.serviceId ? [c.serviceId] : [])))]);
    const target = targetOfCis(cis, services);
    return { ...found, windows: found.windows.filter((w) => scopeApplies(w.scope, target)) };
  }

  /** What the feed shows in the range, read as its owner; null when its team or service is gone. */
  async function contentOf(
    owner: Actor,
    feed: CalendarFeedRecord,
    range: { from: string; to: string },
  ): Promise<CalendarWithVersions | null> {
    switch (feed.scopeKind) {
      case 'all':
        return calendar.calendar(owner, range);
      case 'service':
        if (!feed.scopeRef || !(await store.repos.cmdb.findService(feed.scopeRef))) return null;
        return calendar.calendar(owner, { ...range, serviceId: feed.scopeRef });
      case 'team':
        if (!feed.scopeRef || !(await store.repos.accounts.findTeam(feed.scopeRef))) return null;
        return windowsForChanges(await calendar.calendar(owner, { ...range, teamId: feed.scopeRef }));
      case 'user':
        // NOTE: the owner's teams are read now, so joining or leaving a team changes the feed at once.
        return windowsForChanges(await calendar.calendar(owner, range, { involving: { userId: owner.userId, teamIds: owner.teamIds } }));
    }
  }

  /**
   * The meetings in the range of the boards the person sits on (directly or through a team), cancelled ones
   * included so that subscribed calendars strike them through. NOTE: sitting on the board is what lets them
   * see its meetings here, as it is what gets them the invitations.
   */
  async function meetingsOf(userId: string, range: { from: string; to: string }): Promise<FeedMeeting[]> {
    const boards = await store.repos.boards.list({ active: true, limit: 1000 });
    const seats = await store.repos.boards.seatsOf(boards.map((b) => b.id));
    const out: FeedMeeting[] = [];
    for (const board of boards.filter((b) => seats.get(b.id)?.has(userId))) {
      for (const m of await store.repos.meetings.list({ boardId: board.id, from: range.from, to: range.to, limit: 500 })) {
        out.push({ id: m.id, title: m.title, boardName: board.name, start: m.start, end: new Date(Date.parse(m.start) + m.durationMinutes * 60_000).toISOString(), state: m.state, version: m.version });
      }
    }
    return out;
  }

  return {
    /** Your feeds that are not revoked (everyone's with `all`, for holders of token.manage_all). */
    async list(actor: Actor, opts: { all: boolean }): Promise<CalendarFeed[]> {
      if (opts.all) assertPermission(actor, 'token.manage_all');
      return toPublic(await store.repos.calendarFeeds.listFeeds(opts.all ? null : actor.userId));
    },

    /**
     * Creates a feed for the actor. The secret is in the returned URL only: the database keeps its hash and
     * the audit event its prefix. 400 lists every problem with the name and scope at once.
     */
    async create(actor: Actor, input: z.output<typeof CreateCalendarFeedInput>, origin: string): Promise<CreatedCalendarFeed> {
      assertPermission(actor, 'change.read');
      const { name, kind, ref } = await resolveInput(actor, input);
      const token = newFeedToken();
      const feed: CalendarFeedRecord = {
        id: deps.newId(),
        userId: actor.userId,
        name,
        scopeKind: kind,
        scopeRef: ref,
        tokenHash: hashSecret(token),
        prefix: token.slice(0, PREFIX_LENGTH),
        createdAt: nowIso(),
        lastUsedAt: null,
        revokedAt: null,
      };
      await store.transaction(async (repos) => {
        await repos.calendarFeeds.insertFeed(feed);
        await audit(repos, actor, feed.createdAt, 'calendar_feed.created', 'calendar_feed', feed.id, {
          userId: feed.userId,
          name,
          scope: { kind, ref },
          prefix: feed.prefix,
        });
      });
      const [shown] = await toPublic([feed]);
      return { ...shown!, url: origin + feedPath(token) };
    },

    /** Revokes one of your feeds (anyone's, with token.manage_all). Others' and revoked feeds answer 404. */
    async revoke(actor: Actor, id: string): Promise<void> {
      const feed = await store.repos.calendarFeeds.findFeed(id);
      if (!feed || feed.revokedAt || (feed.userId !== actor.userId && !hasPermission(actor, 'token.manage_all')))
        throw new NotFoundError('Calendar feed', id);
      await store.transaction(async (repos) => {
        const at = nowIso();
        if (!(await repos.calendarFeeds.revokeFeed(id, at))) throw new NotFoundError('Calendar feed', id);
        await audit(repos, actor, at, 'calendar_feed.revoked', 'calendar_feed', id, {
          userId: feed.userId,
          name: feed.name,
          prefix: feed.prefix,
        });
      });
    },

    /**
     * The feed behind a secret as iCalendar text: from FEED_DAYS_BACK days ago to FEED_DAYS_AHEAD days ahead,
     * as its owner sees the schedule now. Unknown and revoked secrets, owners who are disabled or may no
     * longer read changes, and scopes whose team or service is gone all answer the same 404.
     */
    async render(token: string, opts: { origin: string; requestId: string }): Promise<string> {
      if (!token.startsWith(FEED_TOKEN_PREFIX)) throw new FeedNotFoundError();
      // NOTE (security): looked up by hash, so the secret is never compared character by character.
      const feed = await store.repos.calendarFeeds.findFeedByHash(hashSecret(token));
      if (!feed || feed.revokedAt) throw new FeedNotFoundError();
      const owner = await ownerOf(feed, opts.requestId);
      if (!owner) throw new FeedNotFoundError();
      const now = deps.now();
      const range = {
        from: new Date(now.getTime() - FEED_DAYS_BACK * DAY_MS).toISOString(),
        to: new Date(now.getTime() + FEED_DAYS_AHEAD * DAY_MS).toISOString(),
      };
      const content = await contentOf(owner, feed, range);
      if (!content) throw new FeedNotFoundError();
      const active = await policy.activeOrNull();
      const changes: FeedChange[] = content.changes.map((c) => {
        const model = active?.bundle.models[c.type];
        return { ...c, typeLabel: model?.label ?? c.type, stateLabel: model?.states.find((s) => s.id === c.state)?.label ?? c.state };
      });
      await store.repos.calendarFeeds.touchFeed(feed.id, now.toISOString(), new Date(now.getTime() - TOUCH_INTERVAL_MS).toISOString());
      // A person's own feed holds the meetings of the boards they sit on too.
      const meetings = feed.scopeKind === 'user' ? await meetingsOf(owner.userId, range) : [];
      return writeFeedIcs({ name: `Cabinet: ${feed.name}`, webUrl: opts.origin, changes, windows: content.windows, meetings, now });
    },
  };
}
export type CalendarFeedsService = ReturnType<typeof createCalendarFeedsService>;
