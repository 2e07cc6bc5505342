import type { Concern, ChangeConcerns } from '../contracts/communication';
import type { Incident } from '../contracts/incidents';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { concernCounts, CONCERN_CHECKED_STATE, mayAnswerConcerns } from '../domain/change/concerns';
import { ConflictError, ForbiddenError, NotFoundError } from '../domain/errors';
import { changeWords, quoteWords } from '../domain/notification/texts';
import type { ChangeRecord, ConcernRecord, Repositories } from '../db/repositories';
import { audit, type ServiceDeps } from './context';
import type { IncidentService } from './incident.service';
import type { OutboxService } from './outbox.service';
import type { PolicyService } from './policy.service';
import type { SubscriptionService } from './subscription.service';

export interface ConcernServiceDeps extends ServiceDeps {
  policy: PolicyService;
  outbox: OutboxService;
  subscriptions: SubscriptionService;
  incidents: IncidentService;
}

/** States from which a change counts as implemented (or being implemented), for "this affected me". */
const IMPLEMENTED_STATES = [CONCERN_CHECKED_STATE, 'review', 'closed'];

/**
 * Feedback on a change from the people it affects (docs/communication.md): concerns, which its owner (or a
 * change manager) answers, and "this affected me" after its implementation, which opens an incident linked to
 * it. Everyone who may read the change may raise a concern; a stakeholder reads only the changes they follow.
 */
export function createConcernService(deps: ConcernServiceDeps) {
  const { store, policy, outbox, subscriptions, incidents } = deps;
  const nowIso = () => deps.now().toISOString();

  const mayAnswer = mayAnswerConcerns;

  /** Who answers a change's concerns and hears of each: its owner, or its requester when it has none. */
  const answererOf = (change: ChangeRecord) => change.ownerId ?? change.requesterId;

  async function present(repos: Repositories, concerns: ConcernRecord[]): Promise<Concern[]> {
    const names = await repos.accounts.userNames([...new Set(concerns.flatMap((c) => [c.authorId, ...(c.answeredBy ? [c.answeredBy] : [])]))]);
    const person = (id: string) => ({ id, name: names.get(id) ?? id });
    return concerns.map((c) => ({
      id: c.id,
      changeId: c.changeId,
      text: c.text,
      author: person(c.authorId),
      createdAt: c.createdAt,
      answer: c.answeredAt && c.answeredBy ? { text: c.answerText ?? '', by: person(c.answeredBy), at: c.answeredAt } : null,
    }));
  }

  return {
    /** The concerns of a change with their answers, the counts, and whether the caller may answer them. */
    async list(actor: Actor, changeId: string): Promise<ChangeConcerns> {
      assertPermission(actor, 'change.read');
      const active = await policy.activeOrNull();
      const repos = store.repos;
      const change = await subscriptions.readable(repos, await subscriptions.readScope(actor), changeId);
      const concerns = await repos.communication.concernsOf(change.id);
      return {
        items: await present(repos, concerns),
        ...concernCounts(concerns),
        canAnswer: mayAnswer(actor, change),
        blocksImplement: active?.bundle.schedule.concernsBlockImplement ?? false,
      };
    },

    /** Raises a concern about a change (audited); its owner is told in-app and must answer it. */
    async raise(actor: Actor, changeId: string, text: string): Promise<Concern> {
      assertPermission(actor, 'change.read');
      assertPermission(actor, 'change.raise_concern');
      const scope = await subscriptions.readScope(actor);
      return store.transaction(async (repos) => {
        const change = await subscriptions.readable(repos, scope, changeId);
        const concern: ConcernRecord = { id: deps.newId(), changeId: change.id, authorId: actor.userId, text, createdAt: nowIso(), answerText: null, answeredBy: null, answeredAt: null };
        await repos.communication.insertConcern(concern);
        await audit(repos, actor, concern.createdAt, 'change.concern_raised', 'change', change.id, { number: change.number, concernId: concern.id, text });
        await outbox.notify(repos, {
          recipients: [{ kind: 'user', ref: answererOf(change) }],
          excludeUserIds: [actor.userId],
          kind: 'concern_raised',
          title: `${actor.name} raised a concern about ${changeWords(change)}.`,
          body: `${quoteWords(text)} Answer it on the change's page.`,
          changeId: change.id,
        });
        return (await present(repos, [concern]))[0]!;
      });
    },

    /**
     * Answers a concern (audited): the change's owner or a change manager (403 `not_change_owner` otherwise);
     * 409 `concern_answered` when it has an answer already. Its author is told in-app.
     */
    async answer(actor: Actor, concernId: string, text: string): Promise<Concern> {
      assertPermission(actor, 'change.read');
      const scope = await subscriptions.readScope(actor);
      return store.transaction(async (repos) => {
        const concern = await repos.communication.findConcern(concernId);
        if (!concern) throw new NotFoundError('Concern', concernId);
        const change = await subscriptions.readable(repos, scope, concern.changeId);
        if (!mayAnswer(actor, change)) {
          throw new ForbiddenError(`Only the owner of ${change.number} or a change manager may answer its concerns.`, 'not_change_owner', { changeId: change.id, ownerId: change.ownerId });
        }
        const at = nowIso();
        if (!(await repos.communication.answerConcern(concern.id, { text, by: actor.userId, at }))) {
          throw new ConflictError('concern_answered', 'This concern has an answer already.', { concernId: concern.id });
        }
        await audit(repos, actor, at, 'change.concern_answered', 'change', change.id, { number: change.number, concernId: concern.id, text });
        await outbox.notify(repos, {
          recipients: [{ kind: 'user', ref: concern.authorId }],
          excludeUserIds: [actor.userId],
          kind: 'concern_answered',
          title: `${actor.name} answered your concern about ${changeWords(change)}.`,
          body: quoteWords(text),
          changeId: change.id,
        });
        return (await present(repos, [(await repos.communication.findConcern(concern.id))!]))[0]!;
      });
    },

    /**
     * "This affected me": after the change's implementation started, opens a new incident linked to it with the
     * reporter's words (on the change's first service), and tells the change's owner. 409 `not_implemented`
     * before that.
     */
    async reportAffected(actor: Actor, changeId: string, text: string): Promise<Incident> {
      assertPermission(actor, 'change.read');
      assertPermission(actor, 'change.raise_concern');
      const scope = await subscriptions.readScope(actor);
      return store.transaction(async (repos) => {
        const change = await subscriptions.readable(repos, scope, changeId);
        if (change.actualStart === null && !IMPLEMENTED_STATES.includes(change.state)) {
          throw new ConflictError('not_implemented', `${change.number} has not been implemented yet: raise a concern instead.`, { state: change.state });
        }
        const serviceId = (await repos.cmdb.findCisByIds(change.ciIds)).map((c) => c.serviceId).find((id): id is string => id !== null) ?? null;
        const incident = await incidents.openReported(repos, actor, {
          change,
          title: `Affected by ${change.number}: ${text.replace(/\s+/g, ' ').slice(0, 120)}`,
          description: `${actor.name} reported that ${changeWords(change)} affected them:\n\n${text}`,
          serviceId,
        });
        await outbox.notify(repos, {
          recipients: [{ kind: 'user', ref: answererOf(change) }],
          excludeUserIds: [actor.userId],
          kind: 'change_affected_reported',
          title: `${actor.name} reported that ${changeWords(change)} affected them: ${incident.number} was opened.`,
          body: quoteWords(text),
          changeId: change.id,
        });
        return incident;
      });
    },
  };
}
export type ConcernService = ReturnType<typeof createConcernService>;
