import type { z } from 'zod';
import {
  CreateSubscriptionInput,
  type UpdateSubscriptionInput,
  type AudienceMember,
  type ChangeAudience,
  type Subscription,
  type SubscriptionEvent,
} from '../contracts/communication';
import type { Actor } from '../domain/actor';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { NotFoundError, type Issue } from '../domain/errors';
import { changeWords, rangeToken } from '../domain/notification/texts';
import { impactOf, type EdgeReader, type ImpactedCi, type ImpactSettings } from '../domain/schedule/impact';
import type { ChangeRecord, OutboxRecord, Repositories, SubscriptionRecord } from '../db/repositories';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import { changeFacts } from './change-notice.service';
import type { MailService } from './mail.service';
import { sendAnnouncementMail } from './announcement-mail.service';
import type { OutboxService, RecipientLog } from './outbox.service';
import type { PolicyService } from './policy.service';
import { resolveCiRef, resolveTeamRef } from './references';
import { DEFAULT_IMPACT } from './schedule.service';

/** The CIs whose changes an actor may read; null: every change. */
export type ReadScope = ReadonlySet<string> | null;

/** The outbox topic of the notices to a change's audience: its audience is computed when it is delivered. */
export const AUDIENCE_TOPIC = 'change.announced';
/**
 * The outbox topic of an announcement's email. NOTE: an item of its own, queued by the announcement's
 * delivery, so that a mail server that is down or refuses an address delays (or dead-letters) the email
 * only, never the in-app notices of everyone else.
 */
export const AUDIENCE_MAIL_TOPIC = 'change.announced.email';

interface AudiencePayload {
  changeId: string;
  event: SubscriptionEvent;
  actorId: string;
  actorName: string;
  /** The people who already heard of this move from the change's own notices (its requester and owner). */
  alreadyTold: string[];
}

export interface SubscriptionServiceDeps extends ServiceDeps {
  policy: PolicyService;
  outbox: OutboxService;
  /** Email of the notices to those who chose it; absent or not enabled: none is sent. */
  mail?: MailService;
}

/** One person reached, while the audience is being gathered. */
interface Reached {
  reasons: string[];
  channels: Set<string>;
  /** null: every event. */
  events: Set<string> | null;
  /** The subscriptions that chose email for this person, with their events (null: all), in the order found. */
  emailVia: { id: string; events: readonly string[] | null }[];
}

/**
 * Subscriptions (who follows which service, CI or team), the audience of a change computed from them and the
 * CMDB graph, the notices that audience gets, and the stakeholder's narrowed view of changes
 * (docs/communication.md).
 */
export function createSubscriptionService(deps: SubscriptionServiceDeps) {
  const { store, policy, outbox } = deps;
  const nowIso = () => deps.now().toISOString();

  const edgeReader =
    (repos: Repositories): EdgeReader =>
    (ciIds, direction, types) =>
      repos.schedule.edges(ciIds, direction, types);

  /**
   * The CIs that depend on the change's CIs: the schedule's impact walk (domain/schedule/impact.ts) over the
   * policy's relation types and depth, always towards the dependents, since a subscriber "including what it
   * depends on" wants to hear of work on what their target depends on. The change's impact exclusions count.
   */
  async function dependentsOf(repos: Repositories, change: Pick<ChangeRecord, 'id' | 'ciIds'>, settings: ImpactSettings): Promise<ImpactedCi[]> {
    const excluded = new Set((await repos.schedule.exclusionsOf(change.id)).map((e) => e.ciId));
    return impactOf(change.ciIds, { ...settings, direction: 'dependents' }, edgeReader(repos), excluded);
  }

  /** Resolves a subscription body's references (target, team); each unknown one is an issue at its path. */
  async function resolveRefs(repos: Repositories, actor: Actor, fields: Partial<z.output<typeof CreateSubscriptionInput>>, issues: Issue[]): Promise<{ targetId?: string; targetName?: string; teamId?: string }> {
    const out: { targetId?: string; targetName?: string; teamId?: string } = {};
    const target = fields.target;
    if (target) {
      if (target.kind === 'service') {
        const service = await repos.cmdb.findService(target.id);
        if (service) Object.assign(out, { targetId: service.id, targetName: service.name });
        else issues.push({ path: 'target.id', message: `unknown service ${target.id}` });
      } else if (target.kind === 'ci') {
        const id = await resolveCiRef(repos, target.id, 'target.id', issues);
        const ci = (await repos.cmdb.findCisByIds([id]))[0];
        if (ci) Object.assign(out, { targetId: ci.id, targetName: ci.name });
      } else {
        const id = await resolveTeamRef(repos, target.id, 'target.id', issues);
        const team = await repos.accounts.findTeam(id);
        if (team) Object.assign(out, { targetId: team.id, targetName: team.name });
      }
    }
    if (fields.teamId !== undefined) {
      const before = issues.length;
      const id = await resolveTeamRef(repos, fields.teamId, 'teamId', issues);
      if (issues.length === before) {
        if (!actor.teamIds.includes(id) && !hasPermission(actor, 'team.write')) issues.push({ path: 'teamId', message: 'you may subscribe only a team you are a member of' });
        else out.teamId = id;
      }
    }
    return out;
  }

  async function present(repos: Repositories, subs: SubscriptionRecord[]): Promise<Subscription[]> {
    const ids = (kind: string) => [...new Set(subs.filter((s) => s.targetKind === kind).map((s) => s.targetId))];
    const names = new Map<string, string>();
    for (const s of await repos.cmdb.findServicesByIds(ids('service'))) names.set(s.id, s.name);
    for (const c of await repos.cmdb.findCisByIds(ids('ci'))) names.set(c.id, c.name);
    const teams = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.name]));
    const users = await repos.accounts.userNames([...new Set(subs.map((s) => s.userId).filter((id): id is string => id !== null))]);
    return subs.map((s) => ({
      id: s.id,
      subscriber: s.userId ? { kind: 'user' as const, id: s.userId, name: users.get(s.userId) ?? s.userId } : { kind: 'team' as const, id: s.teamId!, name: teams.get(s.teamId!) ?? s.teamId! },
      target: { kind: s.targetKind, id: s.targetId, name: (s.targetKind === 'team' ? teams.get(s.targetId) : names.get(s.targetId)) ?? s.targetId },
      includeDependencies: s.includeDependencies,
      events: s.events as SubscriptionEvent[] | null,
      channels: s.channels as Subscription['channels'],
      createdAt: s.createdAt,
      createdBy: s.createdBy,
    }));
  }

  /**
   * Who a change's notices reach now, and why: the subscribers of its CIs, of their services and of its
   * assignment team (or of a team owning one of its services); with `includeDependencies`, the subscribers of the
   * CIs and services that depend on its CIs through the CMDB graph; and, implicitly, the members of the teams
   * owning its services and CIs. Only enabled people are counted.
   */
  async function audienceOf(repos: Repositories, change: ChangeRecord, settings: ImpactSettings): Promise<{ services: ChangeAudience['services']; people: Map<string, Reached> }> {
    const affectedCis = await repos.cmdb.findCisByIds(change.ciIds);
    const impacted = await dependentsOf(repos, change, settings);
    const impactedCis = await repos.cmdb.findCisByIds(impacted.map((i) => i.ciId));
    const ciById = new Map([...affectedCis, ...impactedCis].map((c) => [c.id, c]));
    const affectedIds = new Set(change.ciIds);
    // Each impacted CI leads back to the affected CI it depends on (the first step of its path).
    const via = new Map(impacted.map((i) => [i.ciId, i.viaCiId]));
    const rootOf = (ciId: string): string => {
      let at = ciId;
      for (let guard = 0; !affectedIds.has(at) && via.has(at) && guard < 64; guard++) at = via.get(at)!;
      return at;
    };
    const affectedServiceIds = new Set(affectedCis.map((c) => c.serviceId).filter((id): id is string => id !== null));
    // The nearest impacted CI of each service that is impacted only.
    const impactedServiceVia = new Map<string, string>();
    for (const i of impacted) {
      const sid = ciById.get(i.ciId)?.serviceId;
      if (sid && !affectedServiceIds.has(sid) && !impactedServiceVia.has(sid)) impactedServiceVia.set(sid, i.ciId);
    }
    const services = await repos.cmdb.findServicesByIds([...affectedServiceIds, ...impactedServiceVia.keys()]);
    const serviceById = new Map(services.map((s) => [s.id, s]));
    const teamNames = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.name]));
    const ownerOf = new Map<string, string[]>();
    const own = (teamId: string | null, what: string) => {
      if (teamId) ownerOf.set(teamId, [...(ownerOf.get(teamId) ?? []), what]);
    };
    for (const sid of affectedServiceIds) own(serviceById.get(sid)?.ownerTeamId ?? null, serviceById.get(sid)?.name ?? sid);
    for (const c of affectedCis) own(c.ownerTeamId, c.name);
    const teamTargets = [...new Set([...(change.assignmentTeamId ? [change.assignmentTeamId] : []), ...ownerOf.keys()])];

    const subs = await repos.communication.subscriptionsOn([
      { kind: 'ci', ids: [...affectedIds, ...impacted.map((i) => i.ciId)] },
      { kind: 'service', ids: [...affectedServiceIds, ...impactedServiceVia.keys()] },
      { kind: 'team', ids: teamTargets },
    ]);
    const ciName = (id: string) => ciById.get(id)?.name ?? id;
    /** Why a subscription reaches the change, or null when it does not. */
    const reasonOf = (s: SubscriptionRecord): string | null => {
      if (s.targetKind === 'ci') {
        if (affectedIds.has(s.targetId)) return `follows ${ciName(s.targetId)}`;
        return s.includeDependencies && via.has(s.targetId) ? `follows ${ciName(s.targetId)} (depends on ${ciName(rootOf(s.targetId))})` : null;
      }
      if (s.targetKind === 'service') {
        const name = serviceById.get(s.targetId)?.name ?? s.targetId;
        if (affectedServiceIds.has(s.targetId)) return `follows ${name}`;
        const through = impactedServiceVia.get(s.targetId);
        return s.includeDependencies && through ? `follows ${name} (depends on ${ciName(rootOf(through))})` : null;
      }
      const team = teamNames.get(s.targetId) ?? s.targetId;
      if (change.assignmentTeamId === s.targetId) return `follows team ${team} (assigned to it)`;
      const owned = ownerOf.get(s.targetId);
      return owned ? `follows team ${team} (owner of ${owned.join(', ')})` : null;
    };

    const people = new Map<string, Reached>();
    const reach = (userId: string, reason: string, channels: readonly string[], events: readonly string[] | null, subscriptionId?: string) => {
      const r = people.get(userId) ?? { reasons: [], channels: new Set<string>(), events: new Set<string>(), emailVia: [] };
      if (subscriptionId && channels.includes('email') && !r.emailVia.some((v) => v.id === subscriptionId)) r.emailVia.push({ id: subscriptionId, events });
      if (!r.reasons.includes(reason)) r.reasons.push(reason);
      for (const c of channels) r.channels.add(c);
      if (events === null) r.events = null;
      else if (r.events) for (const e of events) r.events.add(e);
      people.set(userId, r);
    };
    for (const s of subs) {
      const reason = reasonOf(s);
      if (!reason) continue;
      if (s.userId) {
        for (const id of await repos.approvals.eligibleUserIds('user', s.userId)) reach(id, reason, s.channels, s.events, s.id);
      } else if (s.teamId) {
        const team = teamNames.get(s.teamId) ?? s.teamId;
        for (const id of await repos.approvals.eligibleUserIds('team', s.teamId)) reach(id, `team ${team} ${reason}`, s.channels, s.events, s.id);
      }
    }
    // Owners are stakeholders of what they own, without subscribing: in-app, every event.
    for (const [teamId, owned] of ownerOf) {
      for (const id of await repos.approvals.eligibleUserIds('team', teamId)) reach(id, `in team ${teamNames.get(teamId) ?? teamId}, owner of ${owned.join(', ')}`, ['in_app'], null);
    }
    const serviceList = [...affectedServiceIds, ...impactedServiceVia.keys()].map((id) => ({ id, name: serviceById.get(id)?.name ?? id, affected: affectedServiceIds.has(id) }));
    return { services: serviceList, people };
  }

  /** The words of the notice of an event, read at delivery, when the change is as it is now. */
  async function noticeWords(repos: Repositories, change: ChangeRecord, payload: AudiencePayload): Promise<{ title: string; body: string }> {
    const ref = changeWords(change);
    const when = change.plannedStart && change.plannedEnd ? rangeToken(change.plannedStart, change.plannedEnd) : null;
    const title =
      payload.event === 'cancelled'
        ? `${ref} was cancelled by ${payload.actorName}.`
        : payload.event === 'rescheduled'
          ? `${ref} was rescheduled${when ? ` to ${when}` : ''} by ${payload.actorName}.`
          : `${ref} was scheduled${when ? ` for ${when}` : ''} by ${payload.actorName}.`;
    const facts = await changeFacts(repos, change);
    return { title, body: `${facts}${facts ? ' ' : ''}Something wrong with it? Open the change and raise a concern.` };
  }

  /** Delivers an announcement: the audience of this moment, filtered by each subscription's events, told in-app. */
  async function deliver(repos: Repositories, payload: AudiencePayload, settings: ImpactSettings): Promise<void> {
    const change = await repos.changes.findById(payload.changeId);
    if (!change) return;
    const { people } = await audienceOf(repos, change, settings);
    const skip = new Set([payload.actorId, ...payload.alreadyTold]);
    // Email goes out as an item of its own (AUDIENCE_MAIL_TOPIC), queued with these notices.
    const byEmail = [...people.entries()].some(([id, r]) => !skip.has(id) && r.emailVia.some((v) => v.events === null || v.events.includes(payload.event)));
    if (byEmail && deps.mail?.enabled) await outbox.enqueue(repos, AUDIENCE_MAIL_TOPIC, { ...payload });
    // A subscriber who chose email alone is told by email only, not in-app.
    const told = [...people.entries()]
      .filter(([id, r]) => !skip.has(id) && r.channels.has('in_app') && (r.events === null || r.events.has(payload.event)))
      .map(([id]) => id)
      .sort();
    if (told.length === 0) return;
    const words = await noticeWords(repos, change, payload);
    await outbox.notify(repos, { recipients: told.map((ref) => ({ kind: 'user' as const, ref })), kind: 'change_announced', title: words.title, body: words.body, changeId: change.id });
  }

  /**
   * Emails an announcement (an AUDIENCE_MAIL_TOPIC item) to those of its audience who chose email: each
   * address once per item, whatever the retries (the delivery log; outbox.service.ts). Read outside any
   * transaction, with the audience of this moment.
   */
  async function sendEmail(item: OutboxRecord, log: RecipientLog): Promise<void> {
    if (!deps.mail?.enabled) return;
    const payload = item.payload as unknown as AudiencePayload;
    const repos = store.repos;
    const change = await repos.changes.findById(payload.changeId);
    if (!change) return;
    const settings = (await policy.activeOrNull())?.bundle.schedule.impact ?? DEFAULT_IMPACT;
    const { people } = await audienceOf(repos, change, settings);
    const skip = new Set([payload.actorId, ...payload.alreadyTold]);
    // Each person once, through the first of their email subscriptions that wants this event: its link unsubscribes.
    const readers = [...people.entries()].flatMap(([userId, r]) => {
      const via = r.emailVia.find((v) => v.events === null || v.events.includes(payload.event));
      return via && !skip.has(userId) ? [{ userId, subscriptionId: via.id, reasons: r.reasons }] : [];
    });
    if (readers.length === 0) return;
    await sendAnnouncementMail({ store, now: deps.now, mail: deps.mail }, { item, log, change, event: payload.event, words: await noticeWords(repos, change, payload), readers });
  }

  outbox.handle<ImpactSettings>(AUDIENCE_TOPIC, {
    prepare: async () => (await policy.activeOrNull())?.bundle.schedule.impact ?? DEFAULT_IMPACT,
    deliver: (repos, payload, settings) => deliver(repos, payload as unknown as AudiencePayload, settings),
  });
  outbox.handle(AUDIENCE_MAIL_TOPIC, {
    // NOTE: no `channel`: each address's failure is logged by `send` itself, not the item's as a whole.
    send: sendEmail,
    // Everything happens in `send`: each address is recorded in the delivery log as its message goes.
    deliver: async () => {},
  });

  /**
   * The CIs whose changes a stakeholder may read, or null when the actor reads every change (any role but
   * stakeholder grants that). NOTE (security): a stakeholder reads the changes on the services and CIs they
   * follow or own through a team; following with `includeDependencies` adds what those depend on, so every
   * notice they are sent leads to a change they can open. Read outside any transaction (it reads the policy).
   */
  async function readScope(actor: Actor): Promise<ReadScope> {
    // Only a person who is a stakeholder and nothing else is narrowed; someone without roles is refused by the permission checks.
    if (actor.roles.length === 0 || actor.roles.some((g) => g.role !== 'stakeholder')) return null;
    const repos = store.repos;
    const subs = (await repos.communication.subscriptionsOf(actor.userId, actor.teamIds)).filter((s) => s.targetKind !== 'team');
    const serviceIds = [...subs.filter((s) => s.targetKind === 'service').map((s) => s.targetId), ...(await repos.communication.serviceIdsOwnedBy(actor.teamIds))];
    const direct = new Set([...subs.filter((s) => s.targetKind === 'ci').map((s) => s.targetId), ...(await repos.communication.ciIdsOf({ serviceIds, ownerTeamIds: actor.teamIds }))]);
    const deep = new Set(subs.filter((s) => s.targetKind === 'ci' && s.includeDependencies).map((s) => s.targetId));
    const deepServices = subs.filter((s) => s.targetKind === 'service' && s.includeDependencies).map((s) => s.targetId);
    for (const id of await repos.communication.ciIdsOf({ serviceIds: deepServices, ownerTeamIds: [] })) deep.add(id);
    if (deep.size > 0) {
      const settings = (await policy.activeOrNull())?.bundle.schedule.impact ?? DEFAULT_IMPACT;
      for (const d of await impactOf([...deep], { ...settings, direction: 'dependencies' }, edgeReader(repos))) direct.add(d.ciId);
    }
    return direct;
  }

  /** A subscription of the actor or their team (any, with `subscription.manage_all`); 404 otherwise. */
  async function owned(repos: Repositories, actor: Actor, id: string): Promise<SubscriptionRecord> {
    const s = await repos.communication.findSubscription(id);
    const mine = s && (s.userId === actor.userId || (s.teamId !== null && actor.teamIds.includes(s.teamId)));
    if (!s || (!mine && !hasPermission(actor, 'subscription.manage_all'))) throw new NotFoundError('Subscription', id);
    return s;
  }

  const service = {
    /** The reference problems of a subscription body whose shape was refused elsewhere (http/validation.ts). */
    async referenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateSubscriptionInput>>): Promise<Issue[]> {
      assertPermission(actor, 'subscription.manage');
      const issues: Issue[] = [];
      await resolveRefs(store.repos, actor, fields, issues);
      return issues;
    },

    /** Follows a service, CI or team, for the actor (or a team of theirs); 400 listing every problem. */
    async subscribe(actor: Actor, input: z.output<typeof CreateSubscriptionInput>): Promise<Subscription> {
      assertPermission(actor, 'subscription.manage');
      const id = deps.newId();
      await store.transaction(async (repos) => {
        const issues: Issue[] = [];
        const refs = await resolveRefs(repos, actor, input, issues);
        throwIfIssues(issues, 'The subscription has invalid values.');
        const record: SubscriptionRecord = {
          id,
          userId: refs.teamId ? null : actor.userId,
          teamId: refs.teamId ?? null,
          targetKind: input.target.kind,
          targetId: refs.targetId!,
          includeDependencies: input.includeDependencies,
          events: input.events ? [...new Set(input.events)] : null,
          channels: [...new Set(input.channels)],
          createdBy: actor.userId,
          createdAt: nowIso(),
        };
        await repos.communication.insertSubscription(record);
        await audit(repos, actor, record.createdAt, 'subscription.created', 'subscription', id, {
          target: { kind: record.targetKind, id: record.targetId, name: refs.targetName },
          subscriber: record.userId ? { kind: 'user', id: record.userId } : { kind: 'team', id: record.teamId },
          includeDependencies: record.includeDependencies,
          events: record.events,
          channels: record.channels,
        });
      });
      return (await present(store.repos, [(await store.repos.communication.findSubscription(id))!]))[0]!;
    },

    /** The actor's subscriptions and those of their teams. */
    async mine(actor: Actor): Promise<Subscription[]> {
      assertPermission(actor, 'subscription.manage');
      return present(store.repos, await store.repos.communication.subscriptionsOf(actor.userId, actor.teamIds));
    },

    /** Changes what a subscription of the actor's (or their team's) hears of and how (audited); 404 like `unsubscribe`. */
    async update(actor: Actor, id: string, input: z.output<typeof UpdateSubscriptionInput>): Promise<Subscription> {
      assertPermission(actor, 'subscription.manage');
      await store.transaction(async (repos) => {
        const s = await owned(repos, actor, id);
        const next = {
          includeDependencies: input.includeDependencies ?? s.includeDependencies,
          events: input.events === undefined ? s.events : input.events === null ? null : [...new Set(input.events)],
          channels: input.channels ? [...new Set(input.channels)] : s.channels,
        };
        const changes = Object.fromEntries(
          (['includeDependencies', 'events', 'channels'] as const).filter((k) => JSON.stringify(next[k]) !== JSON.stringify(s[k])).map((k) => [k, { from: s[k], to: next[k] }]),
        );
        if (Object.keys(changes).length === 0) return;
        await repos.communication.updateSubscription(id, next);
        await audit(repos, actor, nowIso(), 'subscription.updated', 'subscription', id, { changes });
      });
      return (await present(store.repos, [(await store.repos.communication.findSubscription(id))!]))[0]!;
    },

    /**
     * Stops a subscription: one's own, or one's team's; anyone else's only with `subscription.manage_all`
     * (admins). NOTE (security): another person's subscription answers 404, so ids cannot be probed.
     */
    async unsubscribe(actor: Actor, id: string): Promise<void> {
      assertPermission(actor, 'subscription.manage');
      await store.transaction(async (repos) => {
        const s = await owned(repos, actor, id);
        await repos.communication.deleteSubscription(id);
        await audit(repos, actor, nowIso(), 'subscription.deleted', 'subscription', id, { target: { kind: s.targetKind, id: s.targetId }, userId: s.userId, teamId: s.teamId });
      });
    },

    /** Who the change's notices would reach now, each with why ("follows Payments (depends on pay-db-1)"). */
    async audience(actor: Actor, changeId: string): Promise<ChangeAudience> {
      assertPermission(actor, 'change.read');
      const settings = (await policy.activeOrNull())?.bundle.schedule.impact ?? DEFAULT_IMPACT;
      const repos = store.repos;
      const change = await service.readable(repos, await readScope(actor), changeId);
      const { services, people } = await audienceOf(repos, change, settings);
      const names = await repos.accounts.userNames([...people.keys()]);
      const members: AudienceMember[] = [...people.entries()]
        .map(([userId, r]) => ({
          userId,
          name: names.get(userId) ?? userId,
          reasons: r.reasons,
          channels: [...r.channels].sort() as AudienceMember['channels'],
          events: r.events ? ([...r.events].sort() as AudienceMember['events']) : null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      return { changeId: change.id, services, people: members };
    },

    /**
     * Queues the notice of an event to the change's audience, in the caller's transaction. The audience is
     * computed when the outbox delivers it: the subscribers and the graph of that moment.
     */
    async announce(repos: Repositories, actor: Actor, change: ChangeRecord, event: SubscriptionEvent): Promise<void> {
      const payload: AudiencePayload = {
        changeId: change.id,
        event,
        actorId: actor.userId,
        actorName: actor.name || 'Cabinet',
        alreadyTold: event === 'rescheduled' ? [] : [change.requesterId, change.ownerId].filter((id): id is string => id !== null),
      };
      await outbox.enqueue(repos, AUDIENCE_TOPIC, { ...payload });
    },

    /** The CIs a stakeholder may read changes on; null: every change (see readScope). */
    readScope,

    /** 404 unless the actor may read the change (a stakeholder's narrowed view); nothing to do for other roles. */
    async assertMayRead(actor: Actor, idOrNumber: string): Promise<void> {
      const scope = await readScope(actor);
      if (scope) await service.readable(store.repos, scope, idOrNumber);
    },

    /**
     * The change, when the actor's read scope (`readScope`, taken before any transaction) holds it; 404
     * otherwise, as for a missing one, so a stakeholder cannot probe for changes they do not follow.
     */
    async readable(repos: Repositories, scope: ReadScope, idOrNumber: string): Promise<ChangeRecord> {
      const change = await repos.changes.findById(idOrNumber);
      if (!change) throw new NotFoundError('Change', idOrNumber);
      if (scope && !change.ciIds.some((id) => scope.has(id))) throw new NotFoundError('Change', idOrNumber);
      return change;
    },
  };
  return service;
}
export type SubscriptionService = ReturnType<typeof createSubscriptionService>;

