import type { z } from 'zod';
import {
  CreateSubscriptionInput,
  type UpdateSubscriptionInput,
  type AudienceMember,
  type ChangeAudience,
  type Subscription,
  type SubscriptionEvent,
} from '../contracts/communication';
import { systemActor, type Actor } from '../domain/actor';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { InputError, NotFoundError, type Issue } from '../domain/errors';
import { findState } from '../domain/change/lifecycle';
import { DEFAULT_TEMPLATES, markdownToHtml, markdownToText, renderNotice, type TemplateView } from '../policy/notice-templates';
import { changeLink, changeWords, listWords, rangeToken, renderTimes, timeToken } from '../domain/notification/texts';
import { CRITICALITY_RANK } from '../policy/context';
import { compileExpression } from '../policy/cel';
import type { CompiledNoticeRule } from '../policy/loader';
import { DEFAULT_AUDIENCE } from '../policy/notifications.schema';
import type { WindowScope } from '../contracts/windows';
import { impactOf, type EdgeReader, type ImpactedCi, type ImpactSettings } from '../domain/schedule/impact';
import type { ChangeRecord, OutboxRecord, Repositories, SubscriptionRecord, WindowRecord } from '../db/repositories';
import { occurrences } from '../domain/schedule/windows';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import { changeFacts, RISK_WORDS } from './change-notice.service';
import type { MailService } from './mail.service';
import type { WebhookService } from './webhook.service';
import { sendAnnouncementMail, type MailReader } from './announcement-mail.service';
import { CONFIRM_TOPIC } from './external-address.service';
import type { OutboxService, RecipientLog } from './outbox.service';
import type { ActivePolicy, PolicyService } from './policy.service';
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

/** A freeze as its notices tell of it, taken when the notice is queued (a lifted freeze is gone by delivery). */
export interface FreezeSnapshot {
  id: string;
  name: string;
  urgent: boolean;
  scope: WindowScope;
  /** What it covers, in words: "Payments and pay-db-1", "everything". */
  scopeWords: string;
  /** Its current or next occurrence, when it has one. */
  start: string | null;
  end: string | null;
}

interface AudiencePayload {
  /** The change it is about (absent for a freeze's notice). */
  changeId?: string;
  freeze?: FreezeSnapshot;
  event: SubscriptionEvent;
  actorId: string;
  actorName: string;
  /** The people who already heard of this move from the change's own notices (its requester and owner). */
  alreadyTold: string[];
  /** What the event adds, for the template's {{reason}} ("It was planned to end at …"). */
  reason?: string;
}

export interface SubscriptionServiceDeps extends ServiceDeps {
  policy: PolicyService;
  outbox: OutboxService;
  /** Email of the notices to those who chose it; absent or not enabled: none is sent. */
  mail?: MailService;
  /** Outbound webhooks, which hear of each announcement too; absent: none. */
  webhooks?: Pick<WebhookService, 'emit'>;
}

/** The states whose changes hear that their start is near. */
const UPCOMING_STATES: readonly string[] = ['scheduled'];
const DEFAULT_UPCOMING_MS = [24 * 3_600_000, 3_600_000];

/** The rules without a policy: the stakeholders hear of everything, on every channel (notifications.schema.ts). */
const DEFAULT_RULES: CompiledNoticeRule[] = [{ name: 'stakeholders', events: null, audience: compileExpression(DEFAULT_AUDIENCE, 'bool', 'notice'), channels: ['in_app', 'email', 'webhook'], urgent: false }];

/** An external address reached (0024), keyed by the address in lower case: email only, through its first subscription found. */
interface AddressReached {
  address: string;
  subscriptionId: string;
  reasons: string[];
  /** null: every event. */
  events: Set<string> | null;
}

/** The confirmed external addresses among the subscriptions that reach a notice (`reasonOf`); pending ones reach nobody. */
function addressesReached(subs: SubscriptionRecord[], reasonOf: (s: SubscriptionRecord) => string | null): Map<string, AddressReached> {
  const addresses = new Map<string, AddressReached>();
  for (const s of subs) {
    const reason = s.address && s.state === 'active' ? reasonOf(s) : null;
    if (!s.address || !reason) continue;
    const r = addresses.get(s.address.toLowerCase()) ?? { address: s.address, subscriptionId: s.id, reasons: [], events: new Set<string>() };
    if (!r.reasons.includes(reason)) r.reasons.push(reason);
    if (s.events === null) r.events = null;
    else if (r.events) for (const e of s.events) r.events.add(e);
    addresses.set(s.address.toLowerCase(), r);
  }
  return addresses;
}

/** The external addresses that want an event, as announcement-mail.service.ts takes them (email only: notifications.yaml's rules are for people). */
function addressReadersOf(addresses: Map<string, AddressReached>, event: string): { address: string; subscriptionId: string; reasons: string[] }[] {
  return [...addresses.values()].filter((a) => a.events === null || a.events.has(event)).map((a) => ({ address: a.address, subscriptionId: a.subscriptionId, reasons: a.reasons }));
}

/** Whether a rule's audience holds for a reader. NOTE: one that fails on the reader's values admits nobody. */
function admits(rule: CompiledNoticeRule, context: Record<string, unknown>): boolean {
  try {
    return rule.audience.evaluate(context) === true;
  } catch {
    return false;
  }
}

/** One person reached, while the audience is being gathered. */
interface Reached {
  reasons: string[];
  /** The subscriptions that reach them, in the order found, each with its channels and events (null: all). */
  via: { id: string; channels: readonly string[]; events: readonly string[] | null }[];
  /** Their team owns a service or CI the notice touches: in-app, every event, without subscribing. */
  owner: boolean;
}

/** What a person's subscriptions want of an event: its channels, and the subscription whose link unsubscribes their email. */
function wantsOf(r: Reached | undefined, event: string): { channels: Set<string>; emailVia: string | null } {
  const channels = new Set<string>();
  let emailVia: string | null = null;
  for (const v of r?.via ?? []) {
    if (v.events !== null && !v.events.includes(event)) continue;
    for (const c of v.channels) channels.add(c);
    if (emailVia === null && v.channels.includes('email')) emailVia = v.id;
  }
  return { channels, emailVia };
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
    const subscriberOf = (s: SubscriptionRecord): Subscription['subscriber'] =>
      s.userId
        ? { kind: 'user', id: s.userId, name: users.get(s.userId) ?? s.userId }
        : s.teamId
          ? { kind: 'team', id: s.teamId, name: teams.get(s.teamId) ?? s.teamId }
          : { kind: 'address', id: s.address ?? '', name: s.address ?? '' };
    return subs.map((s) => ({
      id: s.id,
      subscriber: subscriberOf(s),
      target: { kind: s.targetKind, id: s.targetId, name: (s.targetKind === 'team' ? teams.get(s.targetId) : names.get(s.targetId)) ?? s.targetId },
      includeDependencies: s.includeDependencies,
      events: s.events as SubscriptionEvent[] | null,
      channels: s.channels as Subscription['channels'],
      createdAt: s.createdAt,
      createdBy: s.createdBy,
      state: s.state ?? 'active',
    }));
  }

  /**
   * The people that subscriptions (those `reasonOf` says reach the notice) and ownership reach, each with why
   * and through which subscriptions. Only enabled people are counted; a team's subscription reaches its members.
   */
  async function gather(
    repos: Repositories,
    subs: SubscriptionRecord[],
    reasonOf: (s: SubscriptionRecord) => string | null,
    ownerOf: ReadonlyMap<string, string[]>,
    teamNames: ReadonlyMap<string, string>,
  ): Promise<Map<string, Reached>> {
    const people = new Map<string, Reached>();
    const reach = (userId: string, reason: string, via?: Reached['via'][number]) => {
      const r = people.get(userId) ?? { reasons: [], via: [], owner: false };
      if (!r.reasons.includes(reason)) r.reasons.push(reason);
      if (via && !r.via.some((v) => v.id === via.id)) r.via.push(via);
      if (!via) r.owner = true;
      people.set(userId, r);
    };
    for (const s of subs) {
      const reason = reasonOf(s);
      if (!reason) continue;
      const via = { id: s.id, channels: s.channels, events: s.events };
      if (s.userId) {
        for (const id of await repos.accounts.eligibleUserIds('user', s.userId)) reach(id, reason, via);
      } else if (s.teamId) {
        const team = teamNames.get(s.teamId) ?? s.teamId;
        for (const id of await repos.accounts.eligibleUserIds('team', s.teamId)) reach(id, `team ${team} ${reason}`, via);
      }
    }
    // Owners are stakeholders of what they own, without subscribing: in-app, every event.
    for (const [teamId, owned] of ownerOf) {
      for (const id of await repos.accounts.eligibleUserIds('team', teamId)) reach(id, `in team ${teamNames.get(teamId) ?? teamId}, owner of ${owned.join(', ')}`);
    }
    return people;
  }

  /**
   * Who a change's notices reach now, and why: the subscribers of its CIs, of their services and of its
   * assignment team (or of a team owning one of its services); with `includeDependencies`, the subscribers of the
   * CIs and services that depend on its CIs through the CMDB graph; and, implicitly, the members of the teams
   * owning its services and CIs. Only enabled people are counted.
   */
  async function audienceOf(repos: Repositories, change: ChangeRecord, settings: ImpactSettings): Promise<{ services: ChangeAudience['services']; people: Map<string, Reached>; addresses: Map<string, AddressReached> }> {
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

    const people = await gather(repos, subs, reasonOf, ownerOf, teamNames);
    const serviceList = [...affectedServiceIds, ...impactedServiceVia.keys()].map((id) => ({ id, name: serviceById.get(id)?.name ?? id, affected: affectedServiceIds.has(id) }));
    return { services: serviceList, people, addresses: addressesReached(subs, reasonOf) };
  }

  /** What a notice is about: a change (read as it is now), or a freeze (as it was when the notice was queued). */
  async function subjectOf(repos: Repositories, payload: AudiencePayload): Promise<{ change: ChangeRecord | null; freeze: FreezeSnapshot | null } | null> {
    const change = payload.changeId ? await repos.changes.findById(payload.changeId) : null;
    if (payload.changeId && !change) return null;
    return { change, freeze: payload.freeze ?? null };
  }

  /** The values a notice's template may name (domain/notification/templates.ts, TEMPLATE_VALUES). */
  async function noticeView(repos: Repositories, active: ActivePolicy | null, subject: { change: ChangeRecord | null; freeze: FreezeSnapshot | null }, payload: AudiencePayload): Promise<TemplateView> {
    const view: TemplateView = { event: payload.event, actor: payload.actorName, reason: payload.reason ?? '', facts: '', link: deps.mail?.origin ?? '' };
    const c = subject.change;
    if (c) {
      const model = active?.bundle.models[c.type];
      const records = await repos.cmdb.findCisByIds(c.ciIds);
      const cis = records.map((ci) => ci.name).sort();
      const serviceIds = [...new Set(records.map((ci) => ci.serviceId).filter((id): id is string => id !== null))];
      const services = (await repos.cmdb.findServicesByIds(serviceIds)).map((sv) => sv.name).sort();
      view.facts = await changeFacts(repos, c);
      view.link = `${deps.mail?.origin ?? ''}${changeLink(c.number)}`;
      view.change = {
        number: c.number,
        title: c.title,
        ref: changeWords(c),
        state: (model ? findState(model, c.state)?.label : undefined) ?? c.state,
        risk: c.risk ? (RISK_WORDS[c.risk.level] ?? c.risk.level) : '',
        window: c.plannedStart && c.plannedEnd ? rangeToken(c.plannedStart, c.plannedEnd) : '',
        start: c.plannedStart ? timeToken(c.plannedStart) : '',
        end: c.plannedEnd ? timeToken(c.plannedEnd) : '',
        services: listWords(services),
        cis: listWords(cis.length > 6 ? [...cis.slice(0, 5), `${cis.length - 5} more`] : cis),
      };
    }
    const f = subject.freeze;
    if (f) view.freeze = { name: f.name, window: f.start && f.end ? rangeToken(f.start, f.end) : '', scope: f.scopeWords };
    return view;
  }

  /** The notice's title and Markdown body, in the policy's words for its event (Cabinet's own without a policy). */
  async function noticeWords(repos: Repositories, active: ActivePolicy | null, subject: { change: ChangeRecord | null; freeze: FreezeSnapshot | null }, payload: AudiencePayload) {
    const template = active?.bundle.notifications.templates[payload.event] ?? DEFAULT_TEMPLATES[payload.event];
    return renderNotice(template, await noticeView(repos, active, subject, payload));
  }

  /** The people a freeze's notices reach: the subscribers and owners of the services and CIs it covers (everyone who follows anything, for a freeze on everything, environments or tags). */
  async function freezeAudienceOf(repos: Repositories, f: FreezeSnapshot): Promise<{ people: Map<string, Reached>; addresses: Map<string, AddressReached> }> {
    const teamNames = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.name]));
    const broad = f.scope.global === true || (f.scope.environments?.length ?? 0) > 0 || (f.scope.tags?.length ?? 0) > 0;
    const serviceIds = f.scope.serviceIds ?? [];
    const services = await repos.cmdb.findServicesByIds(serviceIds);
    const ciIds = [...new Set([...(f.scope.ciIds ?? []), ...(await repos.communication.ciIdsOf({ serviceIds, ownerTeamIds: [] }))])];
    const cis = await repos.cmdb.findCisByIds(ciIds);
    const ownerOf = new Map<string, string[]>();
    for (const o of [...services, ...cis]) if (o.ownerTeamId) ownerOf.set(o.ownerTeamId, [...(ownerOf.get(o.ownerTeamId) ?? []), o.name]);
    const subs = broad ? await repos.communication.allSubscriptions() : await repos.communication.subscriptionsOn([
      { kind: 'ci', ids: ciIds },
      { kind: 'service', ids: serviceIds },
      { kind: 'team', ids: [...ownerOf.keys()] },
    ]);
    const names = new Map<string, string>([...services, ...cis].map((o) => [o.id, o.name]));
    const reasonOf = (s: SubscriptionRecord) => (broad ? 'follows something the freeze covers' : `follows ${s.targetKind === 'team' ? `team ${teamNames.get(s.targetId) ?? s.targetId}` : (names.get(s.targetId) ?? s.targetId)}`);
    return { people: await gather(repos, subs, reasonOf, ownerOf, teamNames), addresses: addressesReached(subs, reasonOf) };
  }

  /**
   * Who hears of a notice and how, by the rules of notifications.yaml: each enabled person is a reader of
   * the notice's context (`reader.subscribed`: a subscription that reaches it wants the event; `reader.owner`;
   * their roles and teams; their part in the change), and a rule for the event whose audience holds for them
   * admits them on the rule's channels. A subscriber gets the channels their subscriptions chose for the event
   * (email only through a subscription, whose link unsubscribes it); anyone else a rule admits hears in-app.
   * The actor and those the change's own notices already told are left out.
   */
  async function admitted(repos: Repositories, active: ActivePolicy | null, subject: { change: ChangeRecord | null; freeze: FreezeSnapshot | null }, payload: AudiencePayload, people: Map<string, Reached>) {
    const rules = (active?.bundle.notifications.rules ?? DEFAULT_RULES).filter((r) => r.events === null || r.events.includes(payload.event));
    const out = {
      inApp: [] as string[],
      email: [] as MailReader[],
      webhook: rules.some((r) => r.channels.includes('webhook')),
      urgent: false,
      /** Each reader's channels and the rules that admitted them (the "who will be told" preview of an event). */
      detail: new Map<string, { channels: Set<string>; rules: string[] }>(),
    };
    if (rules.length === 0) return out;
    const skip = new Set([payload.actorId, ...payload.alreadyTold]);
    const base = await noticeContextBase(repos, subject, payload.event);
    const assignmentTeam = base.change.assignmentTeam;
    const c = subject.change;
    for (const reader of await repos.communication.noticeReaders()) {
      if (skip.has(reader.id)) continue;
      const r = people.get(reader.id);
      const wants = wantsOf(r, payload.event);
      const context = {
        ...base,
        reader: {
          email: reader.email,
          roles: reader.roles,
          teams: reader.teams,
          subscribed: wants.channels.size > 0,
          owner: r?.owner ?? false,
          requester: c?.requesterId === reader.id,
          changeOwner: c?.ownerId === reader.id,
          implementer: c?.implementerId === reader.id,
          assignee: assignmentTeam !== '' && reader.teams.includes(assignmentTeam),
        },
      };
      const channels = new Set<string>();
      const ruleNames: string[] = [];
      let urgent = false;
      for (const rule of rules) {
        if (!admits(rule, context)) continue;
        urgent ||= rule.urgent;
        ruleNames.push(rule.name);
        const subscribed = wants.channels.size > 0;
        if (rule.channels.includes('in_app') && (!subscribed || wants.channels.has('in_app') || r?.owner)) channels.add('in_app');
        if (rule.channels.includes('email') && wants.emailVia) channels.add('email');
      }
      if (channels.size === 0) continue;
      out.urgent ||= urgent;
      out.detail.set(reader.id, { channels, rules: ruleNames });
      if (channels.has('in_app')) out.inApp.push(reader.id);
      if (channels.has('email') && wants.emailVia) out.email.push({ userId: reader.id, subscriptionId: wants.emailVia, reasons: r?.reasons ?? [] });
    }
    out.inApp.sort();
    return out;
  }

  /** The parts of a notice rule's context that are the same for every reader. */
  async function noticeContextBase(repos: Repositories, subject: { change: ChangeRecord | null; freeze: FreezeSnapshot | null }, event: string) {
    const c = subject.change;
    const cis = c ? await repos.cmdb.findCisByIds(c.ciIds) : [];
    const services = await repos.cmdb.findServicesByIds([...new Set(cis.map((ci) => ci.serviceId).filter((id): id is string => id !== null))]);
    const teams = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.handle]));
    const serviceName = new Map(services.map((sv) => [sv.id, sv.name]));
    return {
      notice: { event, subject: c ? 'change' : 'freeze' },
      change: {
        number: c?.number ?? '',
        title: c?.title ?? '',
        type: c?.type ?? '',
        state: c?.state ?? '',
        riskLevel: c?.risk?.level ?? '',
        priority: BigInt(c?.priority ?? 0),
        closeCode: c?.closeCode ?? '',
        assignmentTeam: (c?.assignmentTeamId && teams.get(c.assignmentTeamId)) || '',
        emergency: c?.type === 'emergency',
      },
      cis: cis.map((ci) => ({ name: ci.name, type: ci.type, environment: ci.environment, criticality: ci.criticality, criticalityRank: BigInt(CRITICALITY_RANK[ci.criticality] ?? 0), tags: ci.tags, service: (ci.serviceId && serviceName.get(ci.serviceId)) || '' })),
      services: services.map((sv) => ({ name: sv.name, tier: BigInt(sv.tier), tags: sv.tags, provider: sv.provider, ownerTeam: (sv.ownerTeamId && teams.get(sv.ownerTeamId)) || '' })),
      freeze: { name: subject.freeze?.name ?? '', urgent: subject.freeze?.urgent ?? false },
    };
  }

  /**
   * Delivers a notice: its audience of this moment (subscribers, owners, and whoever notifications.yaml's
   * rules admit) told in-app; its email queued as an item of its own (AUDIENCE_MAIL_TOPIC) naming the readers,
   * so that a mail server that is down holds back nobody's inbox.
   */
  async function deliver(repos: Repositories, payload: AudiencePayload, active: ActivePolicy | null): Promise<void> {
    const subject = await subjectOf(repos, payload);
    if (!subject) return;
    const settings = active?.bundle.schedule.impact ?? DEFAULT_IMPACT;
    const audience = subject.change ? await audienceOf(repos, subject.change, settings) : await freezeAudienceOf(repos, subject.freeze!);
    const who = await admitted(repos, active, subject, payload, audience.people);
    // Confirmed external addresses (0024) that want the event are emailed by the same item.
    const addresses = addressReadersOf(audience.addresses, payload.event);
    if ((who.email.length > 0 || addresses.length > 0) && deps.mail?.enabled) await outbox.enqueue(repos, AUDIENCE_MAIL_TOPIC, { ...payload, readers: who.email, addresses, urgent: who.urgent });
    if (who.inApp.length === 0 && !(who.webhook && deps.webhooks)) return;
    const words = await noticeWords(repos, active, subject, payload);
    // The admins' webhooks hear of every notice a rule sends through them, whoever else hears of it.
    if (who.webhook && deps.webhooks) {
      await deps.webhooks.emit(repos, payload.event, {
        ...(subject.change ? { changeId: subject.change.id } : {}),
        ...(subject.freeze ? { freezeId: subject.freeze.id } : {}),
        actor: { id: payload.actorId, name: payload.actorName },
        // Times in UTC, said so: a channel is read by many.
        title: renderTimes(words.title, null),
        body: renderTimes(markdownToText(words.markdown), null),
      });
    }
    if (who.inApp.length === 0) return;
    await outbox.notify(repos, {
      recipients: who.inApp.map((ref) => ({ kind: 'user' as const, ref })),
      kind: subject.change ? 'change_announced' : 'freeze_announced',
      title: words.title,
      body: markdownToText(words.markdown),
      ...(subject.change ? { changeId: subject.change.id } : {}),
    });
  }

  /**
   * Emails a notice (an AUDIENCE_MAIL_TOPIC item) to the readers its delivery chose: each address once per
   * item, whatever the retries (the delivery log; outbox.service.ts). Read outside any transaction.
   */
  async function sendEmail(item: OutboxRecord, log: RecipientLog): Promise<void> {
    if (!deps.mail?.enabled) return;
    const payload = item.payload as unknown as AudiencePayload & { readers?: MailReader[]; addresses?: { address: string; subscriptionId: string; reasons: string[] }[]; urgent?: boolean };
    const repos = store.repos;
    const subject = await subjectOf(repos, payload);
    if (!subject || (!payload.readers?.length && !payload.addresses?.length)) return;
    const active = await policy.activeOrNull();
    const words = await noticeWords(repos, active, subject, payload);
    await sendAnnouncementMail(
      { store, now: deps.now, mail: deps.mail },
      {
        item,
        log,
        change: subject.change,
        event: payload.event,
        words: { title: words.title, body: markdownToText(words.markdown), html: markdownToHtml(words.markdown) },
        readers: payload.readers ?? [],
        addressReaders: payload.addresses ?? [],
        // An urgent rule (notifications.yaml: a lockdown) goes out through quiet hours.
        urgent: payload.urgent === true,
      },
    );
  }

  outbox.handle<ActivePolicy | null>(AUDIENCE_TOPIC, {
    prepare: () => policy.activeOrNull(),
    deliver: (repos, payload, active) => deliver(repos, payload as unknown as AudiencePayload, active),
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

  /** The problems of subscribing an external address (0024): who may, and how it is told. */
  function addressIssues(actor: Actor, input: Partial<z.output<typeof CreateSubscriptionInput>>, issues: Issue[]): void {
    if (!hasPermission(actor, 'subscription.manage_external')) issues.push({ path: 'address', message: 'only change managers and admins may subscribe an external address' });
    if (input.teamId !== undefined) issues.push({ path: 'teamId', message: 'subscribe either a team or an address, not both' });
    if (input.channels && (input.channels.length !== 1 || input.channels[0] !== 'email')) issues.push({ path: 'channels', message: 'an external address is told by email only: channels must be ["email"]' });
  }

  /** A subscription of the actor or their team (any, with `subscription.manage_all`); 404 otherwise. */
  async function owned(repos: Repositories, actor: Actor, id: string): Promise<SubscriptionRecord> {
    const s = await repos.communication.findSubscription(id);
    // An external address's subscription is managed by anyone who may add one (a shared distribution list).
    const mine = s && (s.userId === actor.userId || (s.teamId !== null && actor.teamIds.includes(s.teamId)) || (!!s.address && hasPermission(actor, 'subscription.manage_external')));
    if (!s || (!mine && !hasPermission(actor, 'subscription.manage_all'))) throw new NotFoundError('Subscription', id);
    return s;
  }

  const service = {
    /** The reference problems of a subscription body whose shape was refused elsewhere (http/validation.ts). */
    async referenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateSubscriptionInput>>): Promise<Issue[]> {
      assertPermission(actor, 'subscription.manage');
      const issues: Issue[] = [];
      await resolveRefs(store.repos, actor, fields, issues);
      if (fields.address !== undefined) addressIssues(actor, fields, issues);
      return issues;
    },

    /** Follows a service, CI or team, for the actor (or a team of theirs); 400 listing every problem. */
    async subscribe(actor: Actor, input: z.output<typeof CreateSubscriptionInput>): Promise<Subscription> {
      assertPermission(actor, 'subscription.manage');
      const id = deps.newId();
      await store.transaction(async (repos) => {
        const issues: Issue[] = [];
        const refs = await resolveRefs(repos, actor, input, issues);
        if (input.address !== undefined) addressIssues(actor, input, issues);
        throwIfIssues(issues, 'The subscription has invalid values.');
        const address = input.address?.trim();
        const record: SubscriptionRecord = {
          id,
          address: address ?? null,
          // An external address reaches nobody until someone there confirms (double opt-in).
          state: address ? 'pending' : 'active',
          userId: refs.teamId || address ? null : actor.userId,
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
        if (address) await outbox.enqueue(repos, CONFIRM_TOPIC, { subscriptionId: id });
        await audit(repos, actor, record.createdAt, 'subscription.created', 'subscription', id, {
          target: { kind: record.targetKind, id: record.targetId, name: refs.targetName },
          subscriber: record.userId ? { kind: 'user', id: record.userId } : record.teamId ? { kind: 'team', id: record.teamId } : { kind: 'address', address: record.address },
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
      // With the external addresses the actor added (0024), pending ones too.
      const added = hasPermission(actor, 'subscription.manage_external') ? (await store.repos.communication.addressSubscriptions()).filter((s) => s.createdBy === actor.userId) : [];
      return present(store.repos, [...(await store.repos.communication.subscriptionsOf(actor.userId, actor.teamIds)), ...added]);
    },

    /** Changes what a subscription of the actor's (or their team's) hears of and how (audited); 404 like `unsubscribe`. */
    async update(actor: Actor, id: string, input: z.output<typeof UpdateSubscriptionInput>): Promise<Subscription> {
      assertPermission(actor, 'subscription.manage');
      await store.transaction(async (repos) => {
        const s = await owned(repos, actor, id);
        if (s.address && input.channels && (input.channels.length !== 1 || input.channels[0] !== 'email')) {
          throw new InputError('The subscription has invalid values.', [{ path: 'channels', message: 'an external address is told by email only: channels must be ["email"]' }]);
        }
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
    async audience(actor: Actor, changeId: string, event?: SubscriptionEvent): Promise<ChangeAudience> {
      assertPermission(actor, 'change.read');
      const active = await policy.activeOrNull();
      const settings = active?.bundle.schedule.impact ?? DEFAULT_IMPACT;
      const repos = store.repos;
      const change = await service.readable(repos, await readScope(actor), changeId);
      const { services, people, addresses } = await audienceOf(repos, change, settings);
      // With an event: exactly who its notice would reach now, by the policy's rules (nobody left out as the actor).
      const who = event ? await admitted(repos, active, { change, freeze: null }, { changeId: change.id, event, actorId: '', actorName: '', alreadyTold: [] }, people) : null;
      const ids = who ? [...who.detail.keys()] : [...people.keys()];
      const names = await repos.accounts.userNames(ids);
      const members: AudienceMember[] = ids
        .map((userId) => {
          const r = people.get(userId);
          const d = who?.detail.get(userId);
          return {
            userId,
            name: names.get(userId) ?? userId,
            reasons: r?.reasons.length ? r.reasons : (d?.rules ?? []).map((rule) => `by the rule ${rule}`),
            channels: (d ? [...d.channels].filter((c) => c !== 'webhook') : [...new Set([...(r?.via ?? []).flatMap((v) => v.channels), ...(r?.owner ? ['in_app'] : [])])]).sort() as AudienceMember['channels'],
            // Owners and subscriptions without a choice hear of every event.
            events: !r || r.owner || r.via.some((v) => v.events === null) ? null : ([...new Set(r.via.flatMap((v) => v.events ?? []))].sort() as AudienceMember['events']),
            rules: d?.rules ?? [],
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
      const external = [...addresses.values()]
        .filter((a) => !event || a.events === null || a.events.has(event))
        .map((a) => ({ address: a.address, reasons: a.reasons, events: a.events ? ([...a.events].sort() as AudienceMember['events']) : null }))
        .sort((a, b) => a.address.localeCompare(b.address));
      return { changeId: change.id, event: event ?? null, services, people: members, addresses: external };
    },

    /**
     * Queues the notice of an event to the change's audience, in the caller's transaction. The audience is
     * computed when the outbox delivers it: the subscribers, the graph and the policy's rules of that moment.
     * `moved`: the event is a move of the change, whose requester and owner hear of it from the change's own
     * notices already. `reason`: what the event adds ({{reason}} in templates).
     */
    async announce(repos: Repositories, actor: Actor, change: ChangeRecord, event: SubscriptionEvent, opts: { moved?: boolean; reason?: string; freeze?: FreezeSnapshot } = {}): Promise<void> {
      const payload: AudiencePayload = {
        changeId: change.id,
        event,
        actorId: actor.userId,
        actorName: actor.name || 'Cabinet',
        alreadyTold: opts.moved ? [change.requesterId, change.ownerId].filter((id): id is string => id !== null) : [],
        ...(opts.reason ? { reason: opts.reason } : {}),
        ...(opts.freeze ? { freeze: opts.freeze } : {}),
      };
      await outbox.enqueue(repos, AUDIENCE_TOPIC, { ...payload });
    },

    /**
     * A freeze as its notices describe it: its name, what it covers in words, and its current or next
     * occurrence (within a year).
     */
    async freezeSnapshot(repos: Repositories, w: Pick<WindowRecord, 'id' | 'name' | 'urgent' | 'scope' | 'start' | 'timeZone' | 'durationMinutes' | 'rrule'>): Promise<FreezeSnapshot> {
      const now = deps.now();
      const next = occurrences({ start: w.start, timeZone: w.timeZone, durationMinutes: w.durationMinutes, rrule: w.rrule }, now, new Date(now.getTime() + 366 * 86_400_000), 1)[0];
      const scope = w.scope as WindowScope;
      const services = (await repos.cmdb.findServicesByIds(scope.serviceIds ?? [])).map((x) => x.name).sort();
      const cis = (await repos.cmdb.findCisByIds(scope.ciIds ?? [])).map((x) => x.name).sort();
      const parts = [
        ...services,
        ...(cis.length > 6 ? [...cis.slice(0, 5), `${cis.length - 5} more CIs`] : cis),
        ...(scope.environments ?? []).map((e) => `every ${e} CI`),
        ...(scope.tags ?? []).map((t) => `everything tagged ${t}`),
      ];
      return {
        id: w.id,
        name: w.name,
        urgent: w.urgent,
        scope,
        scopeWords: scope.global || parts.length === 0 ? 'everything' : listWords(parts),
        start: next ? next.start.toISOString() : null,
        end: next ? next.end.toISOString() : null,
      };
    },

    /**
     * Queues the notice of a freeze announced, changed or lifted to those who follow what it covers, in the
     * caller's transaction; the freeze is described as it is now (a lifted one is gone by delivery).
     */
    async announceFreeze(repos: Repositories, actor: Actor, freeze: FreezeSnapshot, event: 'freeze_announced' | 'freeze_changed' | 'freeze_lifted'): Promise<void> {
      const payload: AudiencePayload = { freeze, event, actorId: actor.userId, actorName: actor.name || 'Cabinet', alreadyTold: [] };
      await outbox.enqueue(repos, AUDIENCE_TOPIC, { ...payload });
    },

    /**
     * The worker's step: the `upcoming` notices of scheduled changes whose start is near (notifications.yaml,
     * by default 24 h and 1 h before). A change gets the notice of the shortest offset its start is within,
     * once per offset and planned start (`notice_marks`), so a change scheduled 30 minutes ahead hears only the
     * last one, a worker that was down sends what is still due, and a change moved to another start is told
     * again. Each change in a transaction of its own.
     */
    async tick(): Promise<{ upcoming: number }> {
      const active = await policy.activeOrNull();
      const offsets = active?.bundle.notifications.upcomingMs ?? DEFAULT_UPCOMING_MS;
      if (offsets.length === 0) return { upcoming: 0 };
      const now = deps.now();
      const ids = await store.repos.communication.startingBetween(UPCOMING_STATES, now.toISOString(), new Date(now.getTime() + offsets[0]!).toISOString());
      let upcoming = 0;
      for (const id of ids) {
        const told = await store.transaction(async (repos) => {
          const change = await repos.changes.findById(id);
          if (!change?.plannedStart || !UPCOMING_STATES.includes(change.state)) return false;
          const left = Date.parse(change.plannedStart) - now.getTime();
          const offset = [...offsets].reverse().find((o) => o >= left);
          if (left <= 0 || offset === undefined) return false;
          if (!(await repos.communication.markNotice(change.id, `upcoming:${offset}:${change.plannedStart}`, now.toISOString()))) return false;
          await service.announce(repos, systemActor(), change, 'upcoming');
          return true;
        });
        if (told) upcoming++;
      }
      return { upcoming };
    },

    /** The CIs a stakeholder may read changes on; null: every change (see readScope). */
    readScope,

    /**
     * The people a change's notices reach now, each with why (the audience of `audience`, every event and
     * channel counted): what a digest lists for its reader (digest.service.ts).
     */
    async reachOf(repos: Repositories, change: ChangeRecord, settings: ImpactSettings): Promise<Map<string, string[]>> {
      const { people } = await audienceOf(repos, change, settings);
      return new Map([...people.entries()].map(([userId, r]) => [userId, r.reasons]));
    },

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

