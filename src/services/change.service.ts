import { CONDITIONS_CHECKED_STATE, type ConditionChecks } from './conditions';
import type { z } from 'zod';
import type { AvailableTransition, Change, ChangeDetail, ChangeExportQuery, ChangeListItem, ChangeListQuery, CreateChangeInput, CreateCommentInput, UpdateChangeInput } from '../contracts/change';
import type { Actor } from '../domain/actor';
import type { SubscriptionEvent } from '../contracts/communication';
import { timeToken } from '../domain/notification/texts';
import { diffFields } from '../domain/audit/chain';
import { assertUnlocked, lockedFields, materialChanges } from '../domain/approval/content';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { canFire, findState, missingFields, needsReason, transitionsFrom, whoMayFire, type ChangeModel } from '../domain/change/lifecycle';
import { assertMayEdit, editRight, IMPLEMENTATION_FIELDS } from '../domain/change/edit-rights';
import { FIELD_LABELS } from '../domain/change/fields';
import { derivePriority, formatChangeNumber } from '../domain/change/priority';
import { ConflictError, ForbiddenError, NotFoundError, PolicyError, StaleVersionError, type Issue } from '../domain/errors';
import type { ChangeFilter, ChangeRecord, ChangeSort, CommentRecord, ListedChange, Repositories } from '../db/repositories';
import { BAD_CURSOR, encodeKeysetCursor, keysetPositionOf } from './keyset-cursor';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import { resolveCiRefs, resolveRefList, resolveServiceRefs, resolveTeamRef, resolveTeamRefs, resolveTemplateRefs } from './references';
import { STALE_CONTENT, type ApprovalService } from './approval.service';
import { stateFilterIssues, type ActivePolicy, type PolicyService } from './policy.service';
import type { RiskService } from './risk.service';
import type { SlaService } from './sla.service';
import type { RoutingService } from './routing.service';
import type { GovernanceService } from './governance.service';
import type { ReviewService } from './review.service';
import type { ScheduleService } from './schedule.service';
import type { OutboxService } from './outbox.service';
import { createChangeNotices } from './change-notice.service';
import type { SubscriptionService } from './subscription.service';
import type { ProblemService } from './problem.service';
import type { CatalogueService } from './catalogue.service';
import { CONCERN_CHECKED_STATE, concernCounts, concernsBlocking } from '../domain/change/concerns';

/** States a change cannot enter while a freeze without an approved exception (or another blocking conflict) stands. */
export const SCHEDULE_CHECKED_STATES: readonly string[] = ['scheduled', 'implement'];

const CLOSE_CODE_WORDS: Readonly<Record<string, string>> = {
  successful: 'It was closed as successful.',
  successful_with_issues: 'It was closed as successful, with issues.',
  unsuccessful: 'It was closed as unsuccessful.',
  rolled_back: 'It was rolled back.',
};

/**
 * The event a move tells the change's audience of (docs/communication.md): entering `scheduled`, entering
 * `implement` (started), leaving `implement` for anything but cancelled (completed, or failed when its close
 * code says unsuccessful or rolled back), and the cancellation of a change that was scheduled or under way.
 */
export function audienceEvent(before: Pick<ChangeRecord, 'state'>, after: Pick<ChangeRecord, 'closeCode'>, to: string): { event: SubscriptionEvent; reason?: string } | null {
  if (to === 'scheduled') return { event: 'scheduled' };
  if (to === 'implement') return { event: 'started' };
  if (to === 'cancelled') return SCHEDULE_CHECKED_STATES.includes(before.state) ? { event: 'cancelled' } : null;
  if (before.state === 'implement') {
    const failed = after.closeCode === 'unsuccessful' || after.closeCode === 'rolled_back';
    const reason = after.closeCode ? CLOSE_CODE_WORDS[after.closeCode] : undefined;
    return { event: failed ? 'failed' : 'completed', ...(reason ? { reason } : {}) };
  }
  return null;
}

/** Fields whose changes are recorded in the audit trail (everything a person can edit). */
const AUDITED_FIELDS = [
  'title', 'description', 'justification', 'ownerId', 'assignmentTeamId', 'changeManagerId', 'implementerId', 'ciIds', 'plannedStart', 'plannedEnd',
  'actualStart', 'actualEnd', 'implementationPlan', 'testPlan', 'backoutPlan', 'backoutTested', 'impact', 'urgency', 'priority', 'closeCode', 'closeNotes', 'links',
] as const;


export interface ChangeServiceDeps extends ServiceDeps {
  policy: PolicyService;
  risk: RiskService;
  approvals: ApprovalService;
  routing: RoutingService;
  sla: SlaService;
  governance: GovernanceService;
  /** Post-implementation reviews: created on entering review, and required before closing (review.service.ts). */
  reviews: ReviewService;
  schedule: ScheduleService;
  outbox: OutboxService;
  /** The audience of a change's notices and a stakeholder's narrowed view of changes. */
  subscriptions: SubscriptionService;
  /** Problems a closing fix change resolves (problem.service.ts). */
  problems?: Pick<ProblemService, 'changeClosed'>;
  /**
   * The standard change catalogue: what pre-authorises a standard change (an active entry and its checks, at
   * filing and before implement), suspension after closing (catalogue.service.ts). Required: without it a
   * standard change would skip approvals unchecked.
   */
  catalogue: Pick<CatalogueService, 'beforeFiling' | 'afterFiling' | 'beforeImplement' | 'afterClose' | 'changeFields'>;
  /** The conditions of approvals with conditions (docs/cab.md#decisions): met before `implement`. Required, like the catalogue. */
  conditions: ConditionChecks;
}

/** Requests for change: filing, editing, the policy-driven lifecycle, comments and history. */
export function createChangeService(deps: ChangeServiceDeps) {
  const { store, policy, risk, approvals, routing, sla, governance, schedule, subscriptions } = deps;
  const nowIso = () => deps.now().toISOString();
  const notices = createChangeNotices(deps);

  async function withServices(repos: Repositories, c: ChangeRecord): Promise<Change> {
    // Through the CIs (which a transaction that filed or moved the change has already read: memo.ts).
    const cis = await repos.cmdb.findCisByIds(c.ciIds);
    return { ...c, serviceIds: [...new Set(cis.map((ci) => ci.serviceId).filter((id): id is string => id !== null))].sort() };
  }

  /**
   * Checks references and time order; collects every problem. CIs named by name and a team by its handle are
   * resolved to their ids in `c` (docs/api.md#ids-numbers-and-names).
   */
  async function validate(repos: Repositories, c: ChangeRecord, issues: Issue[]): Promise<void> {
    const ciIds = await resolveCiRefs(repos, c.ciIds, 'ciIds', issues);
    // Checked in the order given (so a problem's path names the element sent), kept in id order, as read back.
    c.ciIds = [...new Set(ciIds)].sort();
    const userRefs = (['ownerId', 'changeManagerId', 'implementerId'] as const).filter((f) => c[f]);
    const users = await repos.accounts.existingUserIds(userRefs.map((f) => c[f]!));
    for (const f of userRefs) if (!users.has(c[f]!)) issues.push({ path: f, message: `unknown user ${c[f]}` });
    if (c.assignmentTeamId) c.assignmentTeamId = await resolveTeamRef(repos, c.assignmentTeamId, 'assignmentTeamId', issues);
    if (c.plannedStart && c.plannedEnd && c.plannedStart >= c.plannedEnd) issues.push({ path: 'plannedEnd', message: 'must be after the planned start' });
    if (c.actualStart && c.actualEnd && c.actualStart >= c.actualEnd) issues.push({ path: 'actualEnd', message: 'must be after the actual start' });
  }

  /**
   * A change made from a template (by id or name): the template exists, is active, and makes changes of this
   * type. Gives back the template's id (the reference as given when it names nothing).
   */
  async function checkTemplate<T extends string | null | undefined>(repos: Repositories, templateRef: T, type: string | undefined, issues: Issue[]): Promise<T | string> {
    if (!templateRef) return templateRef;
    const template = (await repos.templates.findById(templateRef)) ?? (await repos.templates.findByName(templateRef));
    if (!template) issues.push({ path: 'templateId', message: `unknown template ${templateRef}` });
    // A suspended catalogue entry still makes changes: they are filed as normal ones (catalogue.service.ts).
    else if (template.state !== 'active' && template.state !== 'suspended') issues.push({ path: 'templateId', message: `the template "${template.name}" is ${template.state}` });
    else if (type !== undefined && template.type !== type) issues.push({ path: 'type', message: `the template "${template.name}" makes ${template.type} changes, not ${type}` });
    return template?.id ?? templateRef;
  }

  /**
   * The list's filters, each one or several comma-separated values, with every key resolved to an id (a team's
   * handle; a CI's, service's or template's name) and each state checked against the policy's change models;
   * every unknown value is its own issue at its parameter. Requesters are user ids, taken as given.
   */
  async function resolveFilters(query: Partial<z.output<typeof ChangeListQuery>>, issues: Issue[]) {
    const repos = store.repos;
    const ids: { [K in 'requesterId' | 'assignmentTeamId' | 'ciId' | 'serviceId' | 'templateId']: readonly string[] | undefined } = {
      requesterId: query.requesterId ? [...new Set(query.requesterId.split(','))] : undefined,
      assignmentTeamId: query.assignmentTeamId ? await resolveRefList(repos, query.assignmentTeamId, resolveTeamRefs, 'query.assignmentTeamId', issues) : undefined,
      ciId: query.ciId ? await resolveRefList(repos, query.ciId, resolveCiRefs, 'query.ciId', issues) : undefined,
      serviceId: query.serviceId ? await resolveRefList(repos, query.serviceId, resolveServiceRefs, 'query.serviceId', issues) : undefined,
      templateId: query.templateId ? await resolveRefList(repos, query.templateId, resolveTemplateRefs, 'query.templateId', issues) : undefined,
    };
    if (query.state) issues.push(...stateFilterIssues(await policy.activeOrNull(), query.state));
    return ids;
  }

  /**
   * The moves the actor could try next, each with what would refuse it now, in the order `transition` checks:
   * who may fire it, missing fields (apart, so the page can point at them), a hold, blocking conflicts, an
   * outstanding break-glass review, approvals not granted, gates without their evidence.
   * NOTE: honest by construction: the same reads `transition` makes, so a move offered with no reason is
   * refused only for what the caller sends (a reason, a stale version) or what changes meanwhile. The costly
   * reads happen only for the targets that need them (a draft's moves need none).
   */
  async function available(repos: Repositories, model: ChangeModel, c: ChangeRecord, actor: Actor, active: ActivePolicy): Promise<AvailableTransition[]> {
    const options = transitionsFrom(model, c.state);
    if (options.length === 0) return [];
    const targets = options.map((t) => findState(model, t.to));
    const gated = options.some((t) => active.bundle.gates.some((g) => g.before.includes(t.to)));
    const bypass = targets.some((st) => st?.requiresApprovals) || gated ? await governance.activeBreakGlass(repos, c.id) : null;
    const blocking = options.some((t) => SCHEDULE_CHECKED_STATES.includes(t.to)) ? await schedule.blocking(repos, c.id, active, c) : [];
    const open = targets.some((st) => st?.requiresApprovals) && !bypass ? await approvals.blocking(repos, c.id, active) : [];
    const concerns =
      active.bundle.schedule.concernsBlockImplement && options.some((t) => t.to === CONCERN_CHECKED_STATE) ? await repos.communication.concernsOf(c.id, { openOnly: true }) : [];
    const unmet = options.some((t) => t.to === CONDITIONS_CHECKED_STATE) && !bypass ? await deps.conditions.unmet(repos, c, active) : [];
    return Promise.all(
      options.map(async (t, i) => {
        const target = targets[i];
        const allowed = canFire(t, actor, c);
        const reasons: string[] = [];
        if (!allowed) reasons.push(`Only ${whoMayFire(t)} may do this.`);
        if (c.hold && !target?.final) reasons.push(`On hold by an urgent freeze until ${c.hold.until}: it can only be cancelled until then.`);
        if (SCHEDULE_CHECKED_STATES.includes(t.to)) for (const conflict of blocking) reasons.push(conflict.message);
        const unanswered = concernsBlocking(active.bundle.schedule.concernsBlockImplement, t.to, concerns);
        if (unanswered.length > 0) reasons.push(`${unanswered.length === 1 ? 'A concern waits' : `${unanswered.length} concerns wait`} for an answer from the owner or a change manager.`);
        if (target?.final && c.reviewRequired) reasons.push('Break-glass was used: a change manager must review the bypass first.');
        if (t.to === CONDITIONS_CHECKED_STATE && unmet.length > 0) reasons.push(`The conditions of its approval are not all met: ${unmet.map((x) => `“${x.text}”`).join(', ')}.`);
        if (target?.requiresApprovals && open.length > 0) {
          reasons.push(`Waiting on approvals: ${open.map((a) => `${a.rule} by ${a.approverLabel} (${a.why})`).join(', ')}.`);
        }
        if (!bypass) {
          for (const g of await governance.unsatisfiedFor(repos, c, t.to, active)) reasons.push(`The gate ${g.name} needs ${g.missing.join(' and ')}.`);
        }
        return { to: t.to, label: t.label, allowed, missingFields: missingFields(c, target?.requires ?? []), reasons, needsReason: needsReason(t.to) };
      }),
    );
  }

  async function detail(actor: Actor, c: Change, known?: { policy: ActivePolicy; model: ChangeModel | undefined; fresh?: boolean; converted?: boolean }): Promise<ChangeDetail> {
    // The caller that already holds the policy (create) passes it, so it is not asked for again; a change
    // just filed (`fresh`) has no concerns to read, and a conversion only if the filing made one (`converted`).
    const { policy: active, model } = known ?? (await policy.model(c.type));
    const open = !!model && !findState(model, c.state)?.final;
    const content = active.bundle.approvals.content;
    return {
      ...c,
      availableTransitions: model ? await available(store.repos, model, c as ChangeRecord, actor, active) : [],
      editable: open && hasPermission(actor, 'change.update') ? (editRight(actor, c) ?? 'none') : 'none',
      implementationFields: [...IMPLEMENTATION_FIELDS],
      // The risk level is not a field of the form: the others are what the page disables.
      lockedFields: lockedFields(content, c.state).filter((f) => f !== 'riskLevel'),
      concerns: concernCounts(known?.fresh ? [] : await store.repos.communication.concernsOf(c.id)),
      // Only a change made from a template has a version of it or checks; a normal one may have been asked for
      // as standard without an entry (a conversion to show).
      ...(c.templateId || (known?.fresh ? known.converted : c.type === 'normal')
        ? await deps.catalogue.changeFields(store.repos, c.id)
        : { templateVersion: null, checks: [], conversion: null }),
    };
  }

  async function load(repos: Repositories, id: string, opts: { lock?: boolean } = {}): Promise<ChangeRecord> {
    const c = await repos.changes.findById(id, opts);
    if (!c) throw new NotFoundError('Change', id);
    return c;
  }

  /** The list's query as the repository's filter: references resolved, `mine=` turned into conditions; 400 listing every problem. */
  async function listFilter(actor: Actor, query: z.output<typeof ChangeExportQuery>): Promise<ChangeFilter & { limit: 0 }> {
    const issues: Issue[] = [];
    const ids = await resolveFilters(query, issues);
    throwIfIssues(issues, 'The filter has invalid values.');
    const { sort: _sort, mine, ...rest } = query;
    const filter: ChangeFilter & { limit: 0 } = { ...rest, ...ids, limit: 0 };
    // A stakeholder's list (and export) holds only the changes on what they follow.
    const readable = await subscriptions.readScope(actor);
    if (readable) filter.ciId = filter.ciId ? filter.ciId.filter((id) => readable.has(id)) : [...readable];
    if (mine) {
      const ways = new Set(mine.split(','));
      filter.anyOf = {
        ...(ways.has('requested') ? { requesterId: actor.userId } : {}),
        ...(ways.has('owned') ? { ownerId: actor.userId } : {}),
        ...(ways.has('implementing') ? { implementerId: actor.userId } : {}),
        ...(ways.has('team') ? { teamIds: actor.teamIds } : {}),
        // The approvals Home counts as awaiting the caller: the same rule (delegations, segregation of duties).
        ...(ways.has('approving') ? { ids: [...new Set((await approvals.myApprovals(actor)).map((a) => a.changeId))] } : {}),
      };
    }
    return filter;
  }

  /** Changes of a page with their services and markers: one read each for the whole page, not one per row. */
  async function listItems(rows: ListedChange[]): Promise<ChangeListItem[]> {
    const changeIds = rows.map((c) => c.id);
    const active = await policy.activeOrNull();
    const [serviceOf, conflicts, slas] = await Promise.all([
      store.repos.changes.serviceOfCis(rows.flatMap((c) => c.ciIds)),
      // The schedule's count, related-CI pairs included: what each change's Conflicts tab shows unacknowledged.
      schedule.openConflictCounts(changeIds, active),
      store.repos.changes.slaMarkers(changeIds, nowIso()),
    ]);
    return rows.map(({ seq: _seq, sortValue: _sortValue, ...c }) => ({
      ...c,
      serviceIds: [...new Set(c.ciIds.map((id) => serviceOf.get(id)).filter((id): id is string => id !== undefined))].sort(),
      openConflicts: conflicts.get(c.id) ?? 0,
      slaStatus: slas.get(c.id) ?? null,
    }));
  }

  const service = {
    /** The problems of the list filters that parsed, when others were refused (http/validation.ts). */
    async filterIssues(actor: Actor, query: Partial<z.output<typeof ChangeListQuery>>): Promise<Issue[]> {
      assertPermission(actor, 'change.read');
      const issues: Issue[] = [];
      await resolveFilters(query, issues);
      return issues;
    },

    /**
     * The reference and time-order problems among the fields of a create or update body that parsed, when the
     * body was refused for its shape elsewhere: the route lists them in the same 400 (http/validation.ts). The
     * same checks as `create` and `update` make on a body that parses.
     */
    async referenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateChangeInput>> | Partial<z.output<typeof UpdateChangeInput>>, write: 'create' | 'update'): Promise<Issue[]> {
      assertPermission(actor, write === 'create' ? 'change.create' : 'change.update');
      const issues: Issue[] = [];
      const none = { ciIds: [], ownerId: null, assignmentTeamId: null, changeManagerId: null, implementerId: null, plannedStart: null, plannedEnd: null, actualStart: null, actualEnd: null };
      await validate(store.repos, { ...none, ...fields } as unknown as ChangeRecord, issues);
      if ('templateId' in fields) await checkTemplate(store.repos, fields.templateId, fields.type, issues);
      return issues;
    },

    async create(actor: Actor, input: z.output<typeof CreateChangeInput>): Promise<ChangeDetail> {
      assertPermission(actor, 'change.create');
      const { policy: active, model } = await policy.model(input.type);
      if (!model) throw new PolicyError('unknown_change_type', `The policy has no model for "${input.type}" changes.`, { type: input.type });
      const now = nowIso();
      const draft: ChangeRecord = {
        id: deps.newId(),
        number: '',
        type: input.type,
        state: model.initial,
        title: input.title,
        description: input.description,
        justification: input.justification,
        requesterId: actor.userId,
        ownerId: input.ownerId === undefined ? actor.userId : input.ownerId,
        assignmentTeamId: input.assignmentTeamId,
        changeManagerId: input.changeManagerId,
        implementerId: input.implementerId,
        ciIds: [...new Set(input.ciIds)],
        plannedStart: input.plannedStart,
        plannedEnd: input.plannedEnd,
        actualStart: null,
        actualEnd: null,
        implementationPlan: input.implementationPlan,
        testPlan: input.testPlan,
        backoutPlan: input.backoutPlan,
        backoutTested: input.backoutTested,
        impact: input.impact,
        urgency: input.urgency,
        priority: input.priority ?? derivePriority(input.impact, input.urgency),
        closeCode: null,
        closeNotes: '',
        links: input.links,
        policyVersion: active.number,
        risk: null,
        routing: null,
        reviewRequired: false,
        hold: null,
        templateId: input.templateId,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      const check = async (repos: Repositories) => {
        const issues: Issue[] = [];
        await validate(repos, draft, issues);
        draft.templateId = await checkTemplate(repos, draft.templateId, draft.type, issues);
        throwIfIssues(issues);
        // A standard change without a catalogue entry: refused here, before it takes a number, when the policy says so.
        deps.catalogue.beforeFiling(draft, active);
      };
      const created = await store.transaction(async (repos) => {
        await check(repos);
        // NOTE (concurrency): taken once the request is found valid; on PostgreSQL from a sequence no filing
        // waits on (a filing that fails after this leaves a gap in the numbers), see DialectHelpers.nextChangeSeq.
        // With it, the schedule's lock (shared): the windows this filing reads from here on (its risk's freezes,
        // its conflicts) are those every writer of the windows has committed (schedule.repository.ts).
        const seq = await repos.changes.nextSeq({ lockSchedule: true });
        const change = { ...draft, number: formatChangeNumber(seq) };
        // Routed and assessed before it is stored, so it is written once. Routing first: the assignment team
        // it picks feeds the team history the risk factors read.
        const routed = await routing.decide(repos, change, active, { team: change.assignmentTeamId !== null, changeManager: change.changeManagerId !== null }, { fresh: true });
        const assessment = await risk.assess(repos, routed.change, active, { fresh: true });
        const filed: ChangeRecord = {
          ...routed.change,
          risk: { score: assessment.score, level: assessment.level, computedLevel: assessment.level, overridden: false, policyVersion: active.number },
        };
        await repos.changes.insert(filed, seq, { ...assessment, policyVersion: active.number });
        await audit(repos, actor, now, 'change.created', 'change', change.id, { number: change.number, after: pick(change, ['type', 'state', 'requesterId', 'templateId', ...AUDITED_FIELDS]) });
        if (routed.moved) await audit(repos, actor, now, 'change.routed', 'change', change.id, routed.moved);
        await risk.recordAssessment(repos, actor, filed, null, assessment, active);
        await schedule.changeMoved(repos, actor, filed, active, { fresh: true });
        // A standard change from a catalogue entry: its checks, and a normal change when they fail or there is
        // no entry (catalogue.service.ts).
        return withServices(repos, await deps.catalogue.afterFiling(repos, actor, filed, active));
      }, { group: true }); // Filings arriving together share one transaction and one commit (db/group-commit.ts).
      return detail(actor, created, { policy: active, model: active.bundle.models[created.type] ?? model, fresh: true, converted: created.type !== input.type });
    },

    async get(actor: Actor, id: string): Promise<ChangeDetail> {
      assertPermission(actor, 'change.read');
      const c = await subscriptions.readable(store.repos, await subscriptions.readScope(actor), id);
      return detail(actor, await withServices(store.repos, c));
    },

    /**
     * A page of changes with their markers (open conflicts, SLA), filtered and sorted (`sort`) as asked; 400
     * listing every unknown filter value, and for a cursor this list did not give out (or gave out for
     * another sort).
     */
    async list(actor: Actor, query: z.output<typeof ChangeListQuery>): Promise<{ items: ChangeListItem[]; nextCursor: string | null }> {
      assertPermission(actor, 'change.read');
      const position = positionOf(query.sort, query.cursor);
      const filter = await listFilter(actor, query);
      const rows = await store.repos.changes.list({ ...filter, ...position, limit: query.limit + 1 });
      const pageRows = rows.slice(0, query.limit);
      const last = pageRows[pageRows.length - 1];
      return { items: await listItems(pageRows), nextCursor: rows.length > query.limit && last ? cursorOf(query.sort, last) : null };
    },

    /**
     * Every change the list's filters match, in its order, a page at a time (for the CSV export, which
     * streams them), with the names of the people, team, CIs, services and template each page names. The
     * filters are checked before the first page is read: a bad one is the same 400.
     */
    async listAll(actor: Actor, query: z.output<typeof ChangeExportQuery>): Promise<AsyncGenerator<{ items: ChangeListItem[]; names: Map<string, string> }>> {
      assertPermission(actor, 'change.read');
      const filter = await listFilter(actor, query);
      const pageSize = 500;
      const repos = store.repos;
      return (async function* pages() {
        // Read once for the whole export: teams are few, and a template recurs on many pages.
        const names = new Map<string, string>((await repos.accounts.listTeams()).map((t) => [t.id, t.name]));
        let position = positionOf(query.sort, undefined);
        for (;;) {
          const rows = await repos.changes.list({ ...filter, ...position, limit: pageSize + 1 });
          const page = rows.slice(0, pageSize);
          if (page.length > 0) {
            const items = await listItems(page);
            const people = [...new Set(items.flatMap((c) => [c.requesterId, c.ownerId, c.implementerId]).filter((id): id is string => !!id && !names.has(id)))];
            for (const [id, name] of await repos.accounts.userNames(people)) names.set(id, name);
            for (const ci of await repos.cmdb.findCisByIds([...new Set(items.flatMap((c) => c.ciIds))].filter((id) => !names.has(id)))) names.set(ci.id, ci.name);
            for (const sv of await repos.cmdb.findServicesByIds([...new Set(items.flatMap((c) => c.serviceIds))].filter((id) => !names.has(id)))) names.set(sv.id, sv.name);
            for (const id of new Set(items.map((c) => c.templateId).filter((id): id is string => !!id && !names.has(id)))) {
              const template = await repos.templates.findById(id);
              if (template) names.set(id, template.name);
            }
            yield { items, names };
          }
          const last = page[page.length - 1];
          if (rows.length <= pageSize || !last) return;
          position = positionOf(query.sort, cursorOf(query.sort, last));
        }
      })();
    },

    /**
     * Edits fields. 403 `forbidden` unless the actor may edit this change (and only its implementation fields
     * when they are only its implementer), 412 on a stale `version` (body or If-Match), 422
     * `locked_for_approval` naming the material fields when the policy locks them in the change's state.
     * Otherwise an edit of a material field after approvals were requested reopens authorization, and a
     * change of its people voids the votes of those who became parties (approvals.reconcile).
     */
    async update(actor: Actor, id: string, input: z.output<typeof UpdateChangeInput>): Promise<ChangeDetail> {
      assertPermission(actor, 'change.update');
      // NOTE: the policy is read before the transaction opens; SQLite has one connection, and reading
      // through it from inside the transaction would wait on the transaction itself.
      const active = await policy.active();
      const updated = await store.transaction(async (repos) => {
        // Held until commit: a vote on this change waits for the edit, and the edit for the vote.
        const before = await load(repos, id, { lock: true });
        const { version: _v, ...patch } = input;
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<ChangeRecord>;
        assertMayEdit(actor, before, Object.keys(defined));
        if (input.version !== undefined && input.version !== before.version) throw new StaleVersionError('Change', before.number, input.version, before.version);
        const model = active.bundle.models[before.type];
        if (model && findState(model, before.state)?.final) {
          throw new ConflictError('change_closed', `${before.number} is ${before.state} and can no longer be edited.`, { state: before.state });
        }
        const after: ChangeRecord = { ...before, ...defined, version: before.version + 1, updatedAt: nowIso() };
        if (defined.ciIds) after.ciIds = [...new Set(defined.ciIds)];
        if ((defined.impact || defined.urgency) && defined.priority === undefined) after.priority = derivePriority(after.impact, after.urgency);
        const issues: Issue[] = [];
        await validate(repos, after, issues);
        throwIfIssues(issues);
        const changes = diffFields(before, after, AUDITED_FIELDS);
        if (Object.keys(changes).length === 0) return withServices(repos, before);
        const content = active.bundle.approvals.content;
        const material = materialChanges(before, after, content.fields);
        assertUnlocked(content, before, material);
        // The schedule's lock before its risk reads the windows, when the edit moves it in time or onto other CIs:
        // a freeze written meanwhile is in its risk and its conflicts (schedule.repository.ts, lockSchedule).
        if (changes.plannedStart || changes.plannedEnd || changes.ciIds) await repos.schedule.lockSchedule('shared');
        if (!(await repos.changes.update(after, before.version))) throw new StaleVersionError('Change', before.number, before.version, before.version + 1);
        if (changes.ciIds) await repos.changes.setCis(after.id, after.ciIds);
        await audit(repos, actor, after.updatedAt, 'change.updated', 'change', after.id, { number: after.number, changes });
        const routed = await routing.route(repos, actor, after, active, { team: 'assignmentTeamId' in changes, changeManager: 'changeManagerId' in changes });
        const assessment = await risk.reassess(repos, actor, routed, active);
        // The risk level is approved content too: in a locked state, an edit that moves it is refused as well.
        const levelBefore = before.risk?.level ?? null;
        const levelAfter = before.risk?.overridden ? levelBefore : assessment.level;
        if (levelBefore !== null && levelAfter !== levelBefore) {
          assertUnlocked(content, before, ['riskLevel'], `${before.number} is ${before.state}: this edit would move its risk from ${levelBefore} to ${levelAfter}, and its approvals were given for ${levelBefore}.`);
        }
        // Its outcome counts in the history of the changes around it once it has a close code and an end.
        if ((changes.closeCode || changes.actualEnd) && routed.closeCode !== null && routed.actualEnd !== null) await risk.reassessPeers(repos, actor, routed, active);
        if (changes.plannedStart || changes.plannedEnd || changes.ciIds || changes.implementerId) await schedule.changeMoved(repos, actor, routed, active, { before });
        if ((changes.plannedStart || changes.plannedEnd) && SCHEDULE_CHECKED_STATES.includes(after.state)) {
          // Work under way that only ends later runs longer; any other move of the window is a new plan.
          const extended = after.state === 'implement' && !changes.plannedStart && before.plannedEnd !== null && after.plannedEnd !== null && after.plannedEnd > before.plannedEnd;
          if (extended) await subscriptions.announce(repos, actor, after, 'extended', { reason: `It was planned to end ${timeToken(before.plannedEnd!)}.` });
          else await subscriptions.announce(repos, actor, after, 'rescheduled');
        }
        // Its approvals follow: votes of new parties are voided, new content reopens authorization.
        await approvals.reconcile(repos, actor, after.id, active, material);
        return withServices(repos, (await repos.changes.findById(after.id))!);
      });
      return detail(actor, updated);
    },

    /**
     * Moves a change to another state as its policy model allows: 409 `invalid_transition` naming the
     * allowed states, 403 when the actor may not fire it, 422 `missing_fields` naming every empty field,
     * then 422 `approvals_pending` listing every approval not yet approved (for a `requiresApprovals` state),
     * 422 `gate_unsatisfied` naming each gate's missing evidence, and 422 `review_required` before a final
     * state while a break-glass review is outstanding or the post-implementation review the policy asks for is
     * not completed (review.service.ts). Break-glass in force passes approvals and gates.
     * Entering a `requestApprovals` state generates the change's approvals in the same transaction.
     */
    async transition(actor: Actor, id: string, to: string, opts: { version?: number; comment?: string } = {}): Promise<ChangeDetail> {
      assertPermission(actor, 'change.read');
      const active = await policy.active();
      const moving = store.transaction(async (repos) => {
        // Held until commit, so racing moves take turns: the second reads the first one's state and gets
        // 409 invalid_transition on both engines, with or without a version.
        const before = await load(repos, id, { lock: true });
        const model = active.bundle.models[before.type];
        if (!model) throw new PolicyError('unknown_change_type', `The policy has no model for "${before.type}" changes.`, { type: before.type });
        const options = transitionsFrom(model, before.state);
        const transition = options.find((t) => t.to === to);
        if (!transition) {
          const allowed = options.map((t) => t.to);
          throw new ConflictError(
            'invalid_transition',
            allowed.length
              ? `${before.number} cannot move from ${before.state} to ${to}; it can move to: ${allowed.join(', ')}.`
              : `${before.number} is ${before.state}, a final state; it cannot move any more.`,
            { from: before.state, to, allowed },
          );
        }
        if (opts.version !== undefined && opts.version !== before.version) throw new StaleVersionError('Change', before.number, opts.version, before.version);
        if (!canFire(transition, actor, before)) {
          throw new ForbiddenError(`You may not move ${before.number} from ${before.state} to ${to}.`, 'transition_not_permitted', {
            from: before.state,
            to,
            roles: transition.roles,
            relations: transition.relations,
          });
        }
        const missing = missingFields(before, findState(model, to)?.requires ?? []);
        if (missing.length > 0) {
          throw new PolicyError('missing_fields', `${before.number} cannot move to ${to} until these are filled in: ${missing.map((f) => FIELD_LABELS[f] ?? f).join(', ')}.`, {
            from: before.state,
            to,
            fields: missing,
          });
        }
        const reason = opts.comment?.trim() ?? '';
        if (needsReason(to) && reason === '') {
          throw new PolicyError('reason_required', `Say why ${before.number} should be ${to}: the people waiting on it need to know. Send the reason as the comment.`, {
            from: before.state,
            to,
            issues: [{ path: 'comment', message: `give a reason for moving it to ${to}` }],
          });
        }
        const target = findState(model, to);
        if (before.hold && !target?.final) {
          throw new ConflictError('change_on_hold', `${before.number} is on hold by an urgent freeze until ${before.hold.until}; it can only be cancelled until then.`, { hold: before.hold });
        }
        if (SCHEDULE_CHECKED_STATES.includes(to)) {
          const blocking = await schedule.blocking(repos, before.id, active, before);
          if (blocking.length > 0) {
            const pairs = blocking.some((c) => c.otherChange !== null) ? ' A change manager may acknowledge a conflict with another change, with a reason, on its Conflicts tab.' : '';
            throw new PolicyError('schedule_conflict', `${before.number} cannot move to ${to}: ${blocking.map((c) => c.message).join(' ')}${pairs}`, {
              from: before.state,
              to,
              conflicts: blocking.map((c) => ({ id: c.id, kind: c.kind, message: c.message, startsAt: c.startsAt, endsAt: c.endsAt, window: c.window, service: c.service })),
            });
          }
        }
        // NOTE: checked before break-glass, which passes approvals and gates but does not silence the people affected.
        const unanswered = concernsBlocking(active.bundle.schedule.concernsBlockImplement, to, await repos.communication.concernsOf(before.id, { openOnly: true }));
        if (unanswered.length > 0) {
          throw new PolicyError('concerns_open', `${before.number} cannot move to ${to} until its concerns are answered: ${unanswered.length} ${unanswered.length === 1 ? 'waits' : 'wait'} for the owner or a change manager.`, {
            from: before.state,
            to,
            concerns: unanswered.map((c) => ({ id: c.id, text: c.text, authorId: c.authorId, createdAt: c.createdAt })),
          });
        }
        if (target?.final && before.reviewRequired) {
          throw new PolicyError('review_required', `${before.number} used break-glass; a change manager must review the bypass before it can be ${to}.`, { from: before.state, to });
        }
        await deps.reviews.changeMoving(repos, actor, before, to, active);
        // Break-glass in force lets the change past pending approvals and unsatisfied gates, and says so.
        const bypass = await governance.activeBreakGlass(repos, before.id);
        const skipped: { approvals: string[]; gates: string[]; conditions?: string[] } = { approvals: [], gates: [] };
        if (target?.requiresApprovals) {
          const open = await approvals.blocking(repos, before.id, active);
          skipped.approvals = bypass ? open.map((a) => `${a.rule} by ${a.approverLabel} (${a.why})`) : [];
          if (open.length > 0 && !bypass) {
            throw new PolicyError(
              'approvals_pending',
              `${before.number} cannot move to ${to} until its approvals are granted: ${open.map((a) => `${a.rule} by ${a.approverLabel} (${a.why})`).join(', ')}.`,
              { from: before.state, to, approvals: open.map((a) => ({ id: a.id, rule: a.rule, stage: a.stage, state: a.state, approver: a.approverLabel, why: a.why })) },
            );
          }
        }
        const unsatisfied = await governance.unsatisfiedFor(repos, before, to, active);
        if (unsatisfied.length > 0 && !bypass) {
          throw new PolicyError(
            'gate_unsatisfied',
            `${before.number} cannot move to ${to} without its evidence: ${unsatisfied.map((g) => `${g.name} needs ${g.missing.join(' and ')}`).join('; ')}.`,
            { from: before.state, to, gates: unsatisfied },
          );
        }
        if (bypass) skipped.gates = unsatisfied.map((g) => g.name);
        // The board's conditions hold on every path to implement; break-glass passes them as it passes approvals, on record.
        if (!bypass) await deps.conditions.beforeImplement(repos, before, to, active);
        else if (to === CONDITIONS_CHECKED_STATE) skipped.conditions = (await deps.conditions.unmet(repos, before, active)).map((x) => x.text);
        if (to === 'implement') await deps.catalogue.beforeImplement(repos, actor, before, active);
        const after: ChangeRecord = { ...before, state: to, version: before.version + 1, updatedAt: nowIso() };
        if (!(await repos.changes.update(after, before.version))) {
          throw new ConflictError('invalid_transition', `${before.number} was moved by someone else meanwhile; read it again.`, { from: before.state, to, allowed: [] });
        }
        await audit(repos, actor, after.updatedAt, 'change.transitioned', 'change', after.id, {
          number: after.number,
          from: before.state,
          to,
          changes: { state: { from: before.state, to } },
          ...(opts.comment ? { comment: opts.comment } : {}),
        });
        if (opts.comment) await addComment(repos, actor, after.id, { body: opts.comment, kind: 'work_note' });
        if (bypass && (skipped.approvals.length > 0 || skipped.gates.length > 0 || (skipped.conditions?.length ?? 0) > 0)) {
          await governance.markBreakGlassUsed(repos, bypass.id);
          await audit(repos, actor, after.updatedAt, 'change.break_glass_used', 'change', after.id, { number: after.number, breakGlassId: bypass.id, to, skipped });
        }
        if (!target?.final) await risk.reassess(repos, actor, after, active);
        // A change that finishes enters the history of the changes around it (its CIs, team, template).
        if (target?.final && after.closeCode !== null) await risk.reassessPeers(repos, actor, after, active);
        if (target?.requestApprovals) await approvals.request(repos, actor, after, active);
        if (target?.final) await approvals.cancelOpen(repos, after.id);
        // A closed change leaves the schedule: its window conflicts go (its pairs are derived, so they go too).
        if (target?.final) await schedule.changeMoved(repos, actor, after, active);
        if (target?.final) await deps.problems?.changeClosed(repos, actor, after);
        if (target?.final) await deps.catalogue.afterClose(repos, actor, after, active);
        await sla.changeTransitioned(repos, actor, before, after, active);
        // Its people hear of the move, and the change manager of a submission (not the one who made it).
        const current = (await repos.changes.findById(after.id))!;
        await notices.changeMoved(repos, actor, before, current, active, { comment: opts.comment });
        // Those who follow what it touches hear when it is scheduled, starts, ends (well or not), and when a scheduled change is cancelled.
        const event = audienceEvent(before, current, to);
        if (event) await subscriptions.announce(repos, actor, current, event.event, { moved: true, ...(event.reason ? { reason: event.reason } : {}) });
        return withServices(repos, current);
      });
      const moved = await moving.catch(async (err: unknown) => {
        // Approvals given for content the change no longer has (its risk moved with the CMDB, say) cannot
        // stand: the refused move reopens authorization, in a transaction of its own, so the way on is clear.
        const stale = err instanceof PolicyError && err.code === 'approvals_pending' && (err.details.approvals as { why: string }[]).some((a) => a.why === STALE_CONTENT);
        if (stale) await store.transaction((repos) => approvals.reconcile(repos, actor, id, active));
        await deps.reviews.recordRefusal(actor, err);
        throw err;
      });
      return detail(actor, moved);
    },

    async comments(actor: Actor, id: string): Promise<CommentRecord[]> {
      assertPermission(actor, 'change.read');
      const c = await subscriptions.readable(store.repos, await subscriptions.readScope(actor), id);
      return store.repos.changes.comments(c.id);
    },

    async addComment(actor: Actor, id: string, input: z.output<typeof CreateCommentInput>): Promise<CommentRecord> {
      assertPermission(actor, 'change.comment');
      const scope = await subscriptions.readScope(actor);
      return store.transaction(async (repos) => {
        const c = await subscriptions.readable(repos, scope, id);
        return addComment(repos, actor, c.id, input);
      });
    },

    async history(actor: Actor, id: string) {
      assertPermission(actor, 'change.read');
      const c = await subscriptions.readable(store.repos, await subscriptions.readScope(actor), id);
      return store.repos.audit.forEntity('change', c.id);
    },
  };

  async function addComment(repos: Repositories, actor: Actor, changeId: string, input: z.output<typeof CreateCommentInput>): Promise<CommentRecord> {
    const comment = { id: deps.newId(), changeId, authorId: actor.userId, kind: input.kind, body: input.body, createdAt: nowIso() };
    await repos.changes.insertComment(comment);
    await audit(repos, actor, comment.createdAt, 'change.commented', 'change', changeId, { commentId: comment.id, kind: comment.kind, body: comment.body });
    return { ...comment, authorName: actor.name };
  }

  return service;
}
export type ChangeService = ReturnType<typeof createChangeService>;

function pick<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (obj as Record<string, unknown>)[k]]));
}

/**
 * Where a page of the change list starts. Newest first (no `sort`), the cursor is the last seq, as it has
 * always been; sorted, it holds the sort, the last row's sort value and its seq (ties are broken by seq).
 */
function positionOf(sort: string | undefined, cursor: string | undefined): { beforeSeq?: number; sort?: ChangeSort } {
  if (!sort) {
    if (!cursor) return {};
    const beforeSeq = Number(Buffer.from(cursor, 'base64url').toString());
    if (!Number.isSafeInteger(beforeSeq)) throw BAD_CURSOR();
    return { beforeSeq };
  }
  const { after, ...order } = keysetPositionOf<ChangeSort['column']>(sort, cursor, 'number');
  return { sort: after ? { ...order, after: { value: after.value, seq: after.tie as number } } : order };
}

/** The cursor of the page after `last` (see positionOf). */
function cursorOf(sort: string | undefined, last: ListedChange): string {
  if (!sort) return Buffer.from(String(last.seq)).toString('base64url');
  return encodeKeysetCursor(sort, { value: last.sortValue, tie: last.seq });
}
