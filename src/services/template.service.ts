import type { z } from 'zod';
import { CreateChangeInput, type ChangeDetail } from '../contracts/change';
import { ENVIRONMENTS } from '../contracts/cmdb';
import { parsedFields } from '../contracts/common';
import {
  NO_ELIGIBILITY,
  TEMPLATE_FIELD_DEFAULTS,
  type CreateTemplateInput,
  type Template,
  type TemplateContent,
  type TemplateDetail,
  type TemplateExportQuery,
  type TemplateHealth,
  type TemplateListQuery,
  type TemplateSortColumn,
  type TemplateState,
  type TemplateVersion,
  type UpdateTemplateInput,
} from '../contracts/templates';
import type { Actor } from '../domain/actor';
import { diffFields } from '../domain/audit/chain';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { ConflictError, ForbiddenError, InputError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import type { Repositories, TemplateRecord } from '../db/repositories';
import type { RecentHistory, ScoreWeights, TemplateVersionRecord } from '../db/repositories/template.repository';
import type { CatalogueService, SuspensionKind } from './catalogue.service';
import { eligibilityRuleProblem } from './catalogue.service';
import type { ChangeService } from './change.service';
import { audit, issuesOfZod, throwIfIssues, type ServiceDeps } from './context';
import { encodeKeysetCursor, everyPage, keysetPositionOf } from './keyset-cursor';
import type { PolicyService } from './policy.service';
import { resolveCiRefs, resolveServiceRefs, resolveTeamRef } from './references';

const DAY_MS = 86_400_000;
/** How far back a template's failure rate looks, as the team's and the CIs' do. */
export const TEMPLATE_HISTORY_DAYS = 90;
/** The content of a template: what a version holds (everything but its state). */
const CONTENT_FIELDS = ['name', 'description', 'type', 'fields', 'ciIds', 'assignmentTeamId', 'category', 'ownerTeamId', 'eligibility'] as const;
const TEMPLATE_FIELDS = [...CONTENT_FIELDS, 'state', 'active'] as const;
/** Templates read at a time by the CSV export. */
const EXPORT_PAGE = 500;
const NO_HISTORY: RecentHistory = { changes90d: 0, failed90d: 0, failureRate: null, used: 0, lastUsedAt: null };

/** A create body as parsed; the catalogue's fields may be left out by callers inside Cabinet (the demo). */
export type CreateTemplateData = Omit<z.output<typeof CreateTemplateInput>, 'category' | 'ownerTeamId' | 'eligibility' | 'note'> &
  Partial<Pick<z.output<typeof CreateTemplateInput>, 'category' | 'ownerTeamId' | 'eligibility' | 'note'>>;

export interface TemplateServiceDeps extends ServiceDeps {
  changes: ChangeService;
  catalogue: CatalogueService;
  policy: PolicyService;
}

const contentOf = (t: TemplateRecord): TemplateContent => ({
  name: t.name,
  description: t.description,
  type: t.type,
  fields: t.fields,
  ciIds: t.ciIds,
  assignmentTeamId: t.assignmentTeamId,
  category: t.category,
  ownerTeamId: t.ownerTeamId,
  eligibility: t.eligibility,
});

/**
 * A catalogue entry is a template of standard changes: its edits wait as a proposed version until a change
 * manager activates them. Templates of normal and emergency changes are edited in place (each edit is a new
 * version, active at once).
 */
const isEntry = (t: Pick<TemplateRecord, 'type'>) => t.type === 'standard';

/** Change templates and the standard change catalogue: the entries requesters start from, their versions, and how their changes fared. */
export function createTemplateService(deps: TemplateServiceDeps) {
  const { store, catalogue, policy } = deps;
  const nowIso = () => deps.now().toISOString();
  const since = () => new Date(deps.now().getTime() - TEMPLATE_HISTORY_DAYS * DAY_MS).toISOString();
  /** The score's weights in force (read outside transactions: the policy is read through the store). */
  const weightsNow = async () => catalogue.weightsOf(await policy.activeOrNull());

  async function load(repos: Repositories, idOrName: string, opts: { lock?: boolean } = {}): Promise<TemplateRecord> {
    const byName = await repos.templates.findByName(idOrName);
    const found = await repos.templates.findById(byName?.id ?? idOrName, opts);
    if (!found) throw new NotFoundError('Template', idOrName);
    return found;
  }

  function healthOf(t: TemplateRecord, history: Template['history']): TemplateHealth {
    if (t.state === 'suspended') return 'suspended';
    if (t.state === 'retired') return 'retired';
    if (history.successful + history.successfulWithIssues + history.failed === 0) return 'new';
    return history.score < 0 || history.failed90d > 0 || history.incidents.p1 + history.incidents.p2 > 0 ? 'watch' : 'healthy';
  }

  /** Templates as the API shows them: with their CIs' and owner team's names, their history, score and health. */
  async function present(repos: Repositories, records: TemplateRecord[], weights: ScoreWeights): Promise<Template[]> {
    const ids = records.map((t) => t.id);
    const [recent, outcomes, cis, pending] = await Promise.all([
      repos.templates.historyOf(ids, since()),
      repos.templates.outcomesOf(ids),
      repos.cmdb.findCisByIds([...new Set(records.flatMap((t) => t.ciIds))]),
      repos.templates.pendingVersionsOf(records),
    ]);
    const teams = new Map((await repos.accounts.listTeams()).map((t) => [t.id, t.name]));
    const nameOf = new Map(cis.map((c) => [c.id, c.name]));
    return records.map((t) => {
      const history = { ...(recent.get(t.id) ?? NO_HISTORY), ...catalogue.withScore(outcomes.get(t.id), weights) };
      const p = pending.get(t.id);
      return {
        ...t,
        cis: t.ciIds.filter((id) => nameOf.has(id)).map((id) => ({ id, name: nameOf.get(id)! })),
        ownerTeam: t.ownerTeamId ? { id: t.ownerTeamId, name: teams.get(t.ownerTeamId) ?? t.ownerTeamId } : null,
        pendingVersion: p ? { number: p.number, proposedBy: p.proposedBy, proposedAt: p.proposedAt, note: p.note } : null,
        history,
        health: healthOf(t, history),
      };
    });
  }

  /**
   * Every problem with the template's references, name and eligibility, at once. CIs and services named by
   * name and teams by their handle are resolved to their ids in `t` (docs/api.md#ids-numbers-and-names).
   */
  async function issuesOf(repos: Repositories, t: TemplateRecord, nameChanged: boolean): Promise<Issue[]> {
    const issues: Issue[] = [];
    const ciIds = await resolveCiRefs(repos, t.ciIds, 'ciIds', issues);
    if (ciIds.some((id, i) => id !== t.ciIds[i])) t.ciIds = [...new Set(ciIds)];
    if (t.assignmentTeamId) t.assignmentTeamId = await resolveTeamRef(repos, t.assignmentTeamId, 'assignmentTeamId', issues);
    if (t.ownerTeamId) t.ownerTeamId = await resolveTeamRef(repos, t.ownerTeamId, 'ownerTeamId', issues);
    if (nameChanged) {
      const other = await repos.templates.findByName(t.name);
      if (other && other.id !== t.id) issues.push({ path: 'name', message: `a template named "${t.name}" already exists` });
    }
    const e = t.eligibility;
    if (e) {
      if (e.services?.length) e.services = [...new Set(await resolveServiceRefs(repos, e.services, 'eligibility.services', issues))];
      (e.environments ?? []).forEach((env, i) => {
        if (!(ENVIRONMENTS as readonly string[]).includes(env)) issues.push({ path: `eligibility.environments.${i}`, message: `unknown environment ${env} (one of ${ENVIRONMENTS.join(', ')})` });
      });
      if (e.windows?.length) {
        const names = new Set((await repos.windows.listWindows()).filter((w) => w.kind === 'maintenance').map((w) => w.name));
        e.windows.forEach((w, i) => {
          if (!names.has(w)) issues.push({ path: `eligibility.windows.${i}`, message: `no maintenance window is named "${w}"` });
        });
      }
      const problem = eligibilityRuleProblem(e.rule ?? '');
      if (problem) issues.push({ path: 'eligibility.rule', message: problem });
    }
    return issues;
  }

  /** A page of templates in `sort`'s order (by name when absent), paged by (sort value, id). */
  async function page(query: TemplateExportQuery & { limit: number; cursor?: string }): Promise<{ items: Template[]; nextCursor: string | null }> {
    const sort = query.sort ?? 'name';
    const weights = await weightsNow();
    // `state` wins over `active`; neither: the active ones, as before states.
    const states: TemplateState[] | undefined = query.state ? (query.state === 'all' ? undefined : [query.state]) : query.active === 'all' ? undefined : query.active === 'false' ? ['retired'] : ['active'];
    const rows = await store.repos.templates.list({
      states,
      category: query.category,
      type: query.type,
      q: query.q,
      sort: keysetPositionOf<TemplateSortColumn>(sort, query.cursor, 'string'),
      since: since(),
      weights,
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: await present(store.repos, items.map(({ sortValue: _sortValue, ...t }) => t), weights),
      nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(sort, { value: last.sortValue, tie: last.id }) : null,
    };
  }

  const isManager = (actor: Actor) => hasPermission(actor, 'template.write');

  /** A new version record of the template's content. */
  const versionOf = (t: TemplateRecord, number: number, state: TemplateVersionRecord['state'], actor: Actor, at: string, note: string): TemplateVersionRecord => ({
    templateId: t.id,
    number,
    state,
    content: contentOf(t),
    note,
    proposedBy: actor.userId,
    proposedAt: at,
    activatedBy: state === 'active' ? actor.userId : null,
    activatedAt: state === 'active' ? at : null,
  });

  const service = {
    /**
     * The problems of the references, name and eligibility among the fields of a create or update body that
     * parsed, when the body was refused for its shape elsewhere (the route lists them in the same 400): the
     * checks of `create` and `update`. `idOrName` is the template being edited.
     */
    async referenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateTemplateInput>> | Partial<z.output<typeof UpdateTemplateInput>>, idOrName?: string): Promise<Issue[]> {
      assertPermission(actor, 'change.create');
      const editing = idOrName ? ((await store.repos.templates.findById(idOrName)) ?? (await store.repos.templates.findByName(idOrName))) : null;
      const draft = { id: editing?.id ?? '', name: '', ciIds: [], assignmentTeamId: null, ownerTeamId: null, ...fields } as unknown as TemplateRecord;
      return issuesOf(store.repos, draft, fields.name !== undefined && fields.name !== editing?.name);
    },

    /**
     * A page of templates, by name or as `sort` says; the cursor holds the sort, the last row's sort value and
     * its id. 400 for a cursor this list did not give out (or gave out for another sort).
     */
    async list(actor: Actor, query: TemplateListQuery): Promise<{ items: Template[]; nextCursor: string | null }> {
      assertPermission(actor, 'change.read');
      return page(query);
    },

    /** Every template the list's filters match, in its order, a page at a time (for the CSV export, which streams them). */
    async listAll(actor: Actor, query: TemplateExportQuery): Promise<AsyncGenerator<Template[]>> {
      assertPermission(actor, 'change.read');
      return everyPage((cursor) => page({ ...query, limit: EXPORT_PAGE, cursor }));
    },

    /** A template with its history, score, health and suspension log (newest first). */
    async get(actor: Actor, idOrName: string): Promise<TemplateDetail> {
      assertPermission(actor, 'change.read');
      const record = await load(store.repos, idOrName);
      const [found] = await present(store.repos, [record], await weightsNow());
      const log = await store.repos.templates.suspensionsOf(record.id);
      const names = await store.repos.accounts.userNames([...new Set(log.map((s) => s.by))]);
      return { ...found!, suspensions: log.map(({ templateId: _t, ...s }) => ({ ...s, byName: names.get(s.by) ?? (s.by === 'system' ? 'Cabinet' : s.by) })) };
    },

    /** Every content version of a template, newest first, each with how the changes pinned to it fared. */
    async versions(actor: Actor, idOrName: string): Promise<{ items: TemplateVersion[] }> {
      assertPermission(actor, 'change.read');
      const template = await load(store.repos, idOrName);
      const [versions, outcomes, active] = await Promise.all([
        store.repos.templates.versionsOf(template.id),
        store.repos.templates.outcomesOf([template.id], { byVersion: true }),
        policy.activeOrNull(),
      ]);
      const names = await store.repos.accounts.userNames([...new Set(versions.flatMap((v) => [v.proposedBy, ...(v.activatedBy ? [v.activatedBy] : [])]))]);
      const weights = catalogue.weightsOf(active);
      return {
        items: versions.map(({ templateId: _t, ...v }) => ({
          ...v,
          proposedByName: names.get(v.proposedBy) ?? v.proposedBy,
          activatedByName: v.activatedBy ? (names.get(v.activatedBy) ?? v.activatedBy) : null,
          history: catalogue.withScore(outcomes.get(String(v.number)), weights),
        })),
      };
    },

    /**
     * Creates a template; 400 lists every problem (unknown CIs, services, windows or teams, a name already taken,
     * an eligibility rule that does not compile). A change manager's is active at once (or the state they send);
     * anyone else who files changes proposes one (`proposed`, or `draft`), which waits for a change manager.
     * `also`: the caller's own writes about the new template, in the same transaction (all or nothing).
     */
    async create(actor: Actor, input: CreateTemplateData, opts: { also?: (repos: Repositories, created: TemplateRecord) => Promise<void> } = {}): Promise<Template> {
      assertPermission(actor, 'change.create');
      const manager = isManager(actor);
      if (!manager && input.state === 'active') {
        throw new ForbiddenError('Only a change manager can make an entry active; send it as proposed (the default) or draft, and a change manager activates it.', 'forbidden', { permission: 'template.write' });
      }
      if (!manager && input.active === false) throw new ForbiddenError('Only a change manager can retire an entry.', 'forbidden', { permission: 'template.write' });
      const state: TemplateState = input.active === false ? 'retired' : (input.state ?? (manager ? 'active' : 'proposed'));
      const at = nowIso();
      const template: TemplateRecord = {
        id: deps.newId(),
        name: input.name,
        description: input.description,
        type: input.type,
        fields: { ...TEMPLATE_FIELD_DEFAULTS, ...input.fields },
        ciIds: [...new Set(input.ciIds)],
        assignmentTeamId: input.assignmentTeamId,
        active: state === 'active',
        state,
        category: input.category ?? '',
        ownerTeamId: input.ownerTeamId ?? null,
        eligibility: { ...NO_ELIGIBILITY, ...input.eligibility },
        contentVersion: 1,
        pendingVersion: null,
        version: 1,
        createdBy: actor.userId,
        createdAt: at,
        updatedAt: at,
      };
      const weights = await weightsNow();
      return store.transaction(async (repos) => {
        throwIfIssues(await issuesOf(repos, template, true), 'The template has invalid values.');
        await repos.templates.insert(template);
        await repos.templates.insertVersion(versionOf(template, 1, state === 'active' || state === 'retired' ? 'active' : 'proposed', actor, at, input.note ?? ''));
        await audit(repos, actor, at, 'template.created', 'template', template.id, { after: template });
        await opts.also?.(repos, template);
        return (await present(repos, [template], weights))[0]!;
      });
    },

    /**
     * Edits a template (`fields` and `eligibility` merge into its own); a stale `version` (body or If-Match) gets
     * 412. An edit of an active or suspended catalogue entry's content does not change it: it records the next
     * version as proposed (replacing a pending one, which is withdrawn), for a change manager to activate. A
     * draft or proposed entry is edited in place (by its author or a change manager), and may be sent on to
     * proposed. `active: false` retires it at once, `active: true` brings a retired one back (change managers).
     */
    async update(actor: Actor, idOrName: string, input: z.output<typeof UpdateTemplateInput>): Promise<Template> {
      assertPermission(actor, 'change.create');
      const manager = isManager(actor);
      const weights = await weightsNow();
      return store.transaction(async (repos) => {
        // Held until commit, so an edit and an activation (or two edits) take turns.
        const before = await load(repos, idOrName, { lock: true });
        if (input.version !== undefined && input.version !== before.version) throw new StaleVersionError('Template', before.name, input.version, before.version);
        const own = before.createdBy === actor.userId && (before.state === 'draft' || before.state === 'proposed');
        const { version: _v, fields, eligibility, note, active, state: sentState, ...patch } = input;
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<TemplateRecord>;
        const edited: TemplateRecord = { ...before, ...defined, fields: { ...before.fields, ...fields }, eligibility: { ...before.eligibility, ...eligibility } };
        if (defined.ciIds) edited.ciIds = [...new Set(defined.ciIds)];
        throwIfIssues(await issuesOf(repos, edited, edited.name !== before.name), 'The template has invalid values.');
        const contentChanges = diffFields(before as unknown as Record<string, unknown>, edited as unknown as Record<string, unknown>, CONTENT_FIELDS);
        const contentChanged = Object.keys(contentChanges).length > 0;
        const at = nowIso();

        // Retiring and bringing back: the change managers' call, at once.
        let state: TemplateState = before.state;
        if (active !== undefined && active !== before.active) {
          if (!manager) throw new ForbiddenError('Only a change manager can retire an entry or bring one back.', 'forbidden', { permission: 'template.write' });
          if (active === false) state = 'retired';
          else if (before.state === 'retired') state = 'active';
          else if (before.state === 'suspended') throw new ConflictError('template_suspended', `"${before.name}" is suspended; reinstate it (POST /api/v1/templates/{id}/reinstate) with a reason.`, { templateId: before.id });
          else throw new ConflictError('template_not_active', `"${before.name}" is ${before.state}; activate it (POST /api/v1/templates/{id}/activate).`, { templateId: before.id });
        }
        if (sentState !== undefined && sentState !== before.state) {
          if (before.state !== 'draft' && before.state !== 'proposed') throw new ConflictError('invalid_state', `"${before.name}" is ${before.state}; only a draft or proposed entry can be sent to ${sentState}.`, { state: before.state });
          if (!manager && !own) throw new ForbiddenError('Only its author or a change manager can move a draft or proposed entry.', 'forbidden', { permission: 'template.write' });
          state = sentState;
        }
        const live = before.state === 'active' || before.state === 'suspended';
        if (contentChanged && !manager && !own && !(live && isEntry(before))) {
          throw new ForbiddenError('Only a change manager can edit this template; its author may edit it while it is a draft or proposed.', 'forbidden', { permission: 'template.write' });
        }
        // An entry being retired is edited in place (its edit is the next version at once); a live one waits for activation.
        const proposal = contentChanged && live && (state === 'active' || state === 'suspended') && (isEntry(before) || isEntry(edited));

        let after: TemplateRecord;
        if (proposal) {
          // The entry stays as it is; the edit waits as the next version.
          const number = (await repos.templates.lastVersionNumber(before.id)) + 1;
          if (before.pendingVersion !== null) {
            const old = await repos.templates.findVersion(before.id, before.pendingVersion);
            if (old && old.state === 'proposed') await repos.templates.updateVersion({ ...old, state: 'withdrawn' });
          }
          await repos.templates.insertVersion(versionOf(edited, number, 'proposed', actor, at, note ?? ''));
          after = { ...before, state, active: state === 'active', pendingVersion: state === 'retired' ? null : number, version: before.version + 1, updatedAt: at };
          if (state === 'retired') await repos.templates.updateVersion({ ...versionOf(edited, number, 'withdrawn', actor, at, note ?? '') });
          await audit(repos, actor, at, 'template.version_proposed', 'template', before.id, { name: before.name, number, replaces: before.pendingVersion, changes: contentChanges, note: note ?? '' });
        } else {
          after = { ...edited, state, active: state === 'active', version: before.version + 1, updatedAt: at };
          if (contentChanged && live) {
            // A template of normal or emergency changes: the edit is the next version, active at once.
            const number = (await repos.templates.lastVersionNumber(before.id)) + 1;
            const current = await repos.templates.findVersion(before.id, before.contentVersion);
            if (current) await repos.templates.updateVersion({ ...current, state: 'superseded' });
            await repos.templates.insertVersion(versionOf(after, number, 'active', actor, at, note ?? ''));
            after.contentVersion = number;
          } else if (contentChanged) {
            // A draft, proposal or retired template: its current version is edited in place.
            const current = await repos.templates.findVersion(before.id, before.contentVersion);
            if (current) await repos.templates.updateVersion({ ...current, content: contentOf(after), note: note ?? current.note });
          }
          if (state === 'retired' && before.pendingVersion !== null) {
            const pending = await repos.templates.findVersion(before.id, before.pendingVersion);
            if (pending && pending.state === 'proposed') await repos.templates.updateVersion({ ...pending, state: 'withdrawn' });
            after.pendingVersion = null;
          }
        }
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, TEMPLATE_FIELDS);
        if (!proposal && Object.keys(changes).length === 0) return (await present(repos, [before], weights))[0]!;
        if (!(await repos.templates.update(after, before.version))) throw new StaleVersionError('Template', before.name, before.version, before.version + 1);
        if (Object.keys(changes).length > 0) await audit(repos, actor, at, 'template.updated', 'template', after.id, { name: after.name, changes });
        return (await present(repos, [after], weights))[0]!;
      });
    },

    /**
     * A change manager makes the pending version of an entry the one in force (the old one is superseded), or a
     * draft or proposed entry active. 409 `nothing_to_activate` when there is neither; racing activations take
     * turns on the row, so the second finds nothing left to activate.
     */
    async activate(actor: Actor, idOrName: string, note?: string): Promise<Template> {
      assertPermission(actor, 'template.write');
      const weights = await weightsNow();
      return store.transaction(async (repos) => {
        const before = await load(repos, idOrName, { lock: true });
        const at = nowIso();
        let after: TemplateRecord;
        if (before.state === 'draft' || before.state === 'proposed') {
          after = { ...before, state: 'active', active: true, version: before.version + 1, updatedAt: at };
          const current = await repos.templates.findVersion(before.id, before.contentVersion);
          if (current) await repos.templates.updateVersion({ ...current, state: 'active', activatedBy: actor.userId, activatedAt: at, note: note ?? current.note });
          await audit(repos, actor, at, 'template.activated', 'template', before.id, { name: before.name, number: before.contentVersion, from: before.state, proposedBy: current?.proposedBy ?? before.createdBy });
        } else if (before.pendingVersion !== null && before.state !== 'retired') {
          const pending = await repos.templates.findVersion(before.id, before.pendingVersion);
          if (!pending) throw new ConflictError('nothing_to_activate', `"${before.name}" has no proposed version waiting.`, { templateId: before.id });
          const current = await repos.templates.findVersion(before.id, before.contentVersion);
          if (current) await repos.templates.updateVersion({ ...current, state: 'superseded' });
          await repos.templates.updateVersion({ ...pending, state: 'active', activatedBy: actor.userId, activatedAt: at, note: note ?? pending.note });
          after = { ...before, ...pending.content, contentVersion: pending.number, pendingVersion: null, version: before.version + 1, updatedAt: at };
          const clash = await repos.templates.findByName(after.name);
          if (clash && clash.id !== after.id) throw new ConflictError('name_taken', `Another template is now named "${after.name}"; edit the proposal's name first.`, { name: after.name });
          await audit(repos, actor, at, 'template.activated', 'template', before.id, { name: after.name, number: pending.number, supersedes: before.contentVersion, proposedBy: pending.proposedBy });
        } else {
          throw new ConflictError('nothing_to_activate', `"${before.name}" is ${before.state} and has no proposed version waiting: there is nothing to activate.`, { templateId: before.id, state: before.state });
        }
        if (!(await repos.templates.update(after, before.version))) throw new StaleVersionError('Template', before.name, before.version, before.version + 1);
        return (await present(repos, [after], weights))[0]!;
      });
    },

    /**
     * Suspends an entry (inside the caller's transaction): only an active one, once (racing suspensions: one wins,
     * one log row). Its owner team and the change managers are told. False when it was not active. For the
     * failure rule, an overdue periodic review (H4) and the change managers' manual suspension.
     */
    suspend(repos: Repositories, actor: Actor, templateId: string, reason: string, kind: SuspensionKind, numbers: Record<string, unknown> = {}): Promise<boolean> {
      return catalogue.suspend(repos, actor, templateId, reason, kind, numbers);
    },

    /** A change manager suspends an active entry by hand, with a reason; 409 when it is not active. */
    async suspendByHand(actor: Actor, idOrName: string, reason: string): Promise<TemplateDetail> {
      assertPermission(actor, 'template.write');
      const id = await store.transaction(async (repos) => {
        const template = await load(repos, idOrName, { lock: true });
        if (!(await catalogue.suspend(repos, actor, template.id, reason, 'manual'))) {
          throw new ConflictError('template_not_active', `"${template.name}" is ${template.state}; only an active entry can be suspended.`, { templateId: template.id, state: template.state });
        }
        return template.id;
      });
      return service.get(actor, id);
    },

    /** A change manager reinstates a suspended entry, with a reason (logged, audited, its owner team told); 409 when it is not suspended. */
    async reinstate(actor: Actor, idOrName: string, reason: string): Promise<TemplateDetail> {
      assertPermission(actor, 'template.write');
      const id = await store.transaction(async (repos) => {
        const template = await load(repos, idOrName, { lock: true });
        const at = nowIso();
        if (!(await repos.templates.setState(template.id, ['suspended'], 'active', at))) {
          throw new ConflictError('template_not_suspended', `"${template.name}" is ${template.state}; only a suspended entry can be reinstated.`, { templateId: template.id, state: template.state });
        }
        const outcomes = (await repos.templates.outcomesOf([template.id])).get(template.id);
        const numbers = { uses: outcomes?.uses ?? 0, failed: outcomes?.failed ?? 0, incidents: outcomes?.incidents ?? null };
        await repos.templates.insertSuspension({ id: deps.newId(), templateId: template.id, kind: 'reinstated', reason, cause: 'manual', automatic: false, by: actor.userId, at, numbers });
        await audit(repos, actor, at, 'template.reinstated', 'template', template.id, { name: template.name, reason });
        await deps.catalogue.tellReinstated(repos, template, reason);
        return template.id;
      });
      return service.get(actor, id);
    },

    /**
     * Files a change from the template: its type, fields, CIs and team, with `overrides` (any field of a new
     * change) on top. 400 lists the problems of the change that results; a retired template is 409, a draft or
     * proposed one too. A standard change from a catalogue entry runs its pre-approval checks as it is filed
     * (catalogue.service.ts): it may come back as a normal change, with `conversion` saying why.
     */
    async fileChange(actor: Actor, idOrName: string, overrides: Record<string, unknown>): Promise<ChangeDetail> {
      assertPermission(actor, 'change.create');
      const template = await load(store.repos, idOrName);
      if (template.state === 'retired') throw new ConflictError('template_retired', `The template "${template.name}" is retired; changes can no longer be made from it.`, { templateId: template.id });
      if (template.state === 'draft' || template.state === 'proposed') {
        throw new ConflictError('template_not_active', `The template "${template.name}" is ${template.state}; changes can be made from it once a change manager activates it.`, { templateId: template.id, state: template.state });
      }
      const defined = Object.fromEntries(Object.entries(overrides).filter(([k, v]) => v !== undefined && k !== 'version'));
      const merged = { ...template.fields, ciIds: template.ciIds, assignmentTeamId: template.assignmentTeamId, ...defined, type: template.type, templateId: template.id };
      const parsed = CreateChangeInput.safeParse(merged);
      if (!parsed.success) {
        // The references among the fields that parsed are checked too, so that one 400 lists every problem.
        const issues = [...issuesOfZod(parsed.error), ...(await deps.changes.referenceIssues(actor, parsedFields(CreateChangeInput, merged), 'create'))];
        throw new InputError('The change made from the template has invalid values.', issues);
      }
      return deps.changes.create(actor, parsed.data);
    },
  };
  return service;
}
export type TemplateService = ReturnType<typeof createTemplateService>;
