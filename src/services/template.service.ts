import type { z } from 'zod';
import { CreateChangeInput, type ChangeDetail } from '../contracts/change';
import { parsedFields } from '../contracts/common';
import {
  TEMPLATE_FIELD_DEFAULTS,
  type CreateTemplateInput,
  type Template,
  type TemplateExportQuery,
  type TemplateHistory,
  type TemplateListQuery,
  type TemplateSortColumn,
  type UpdateTemplateInput,
} from '../contracts/templates';
import type { Actor } from '../domain/actor';
import { diffFields } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, InputError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import type { Repositories, TemplateRecord } from '../db/repositories';
import type { ChangeService } from './change.service';
import { audit, issuesOfZod, throwIfIssues, type ServiceDeps } from './context';
import { encodeKeysetCursor, keysetPositionOf } from './keyset-cursor';
import { resolveCiRefs, resolveTeamRef } from './references';

const DAY_MS = 86_400_000;
/** How far back a template's failure rate looks, as the team's and the CIs' do. */
export const TEMPLATE_HISTORY_DAYS = 90;
const TEMPLATE_FIELDS = ['name', 'description', 'type', 'fields', 'ciIds', 'assignmentTeamId', 'active'] as const;
/** Templates read at a time by the CSV export. */
const EXPORT_PAGE = 500;
const NO_HISTORY: TemplateHistory = { changes90d: 0, failed90d: 0, failureRate: null, used: 0, lastUsedAt: null };

export interface TemplateServiceDeps extends ServiceDeps {
  changes: ChangeService;
}

/** Change templates: the catalogue requesters start from, and the changes made from them. */
export function createTemplateService(deps: TemplateServiceDeps) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();
  const since = () => new Date(deps.now().getTime() - TEMPLATE_HISTORY_DAYS * DAY_MS).toISOString();

  async function load(repos: Repositories, idOrName: string): Promise<TemplateRecord> {
    const found = (await repos.templates.findById(idOrName)) ?? (await repos.templates.findByName(idOrName));
    if (!found) throw new NotFoundError('Template', idOrName);
    return found;
  }

  /** Templates as the API shows them: with their CIs' names and their history. */
  async function present(repos: Repositories, records: TemplateRecord[]): Promise<Template[]> {
    const [history, cis] = await Promise.all([
      repos.templates.historyOf(
        records.map((t) => t.id),
        since(),
      ),
      repos.cmdb.findCisByIds([...new Set(records.flatMap((t) => t.ciIds))]),
    ]);
    const nameOf = new Map(cis.map((c) => [c.id, c.name]));
    return records.map((t) => ({
      ...t,
      cis: t.ciIds.filter((id) => nameOf.has(id)).map((id) => ({ id, name: nameOf.get(id)! })),
      history: history.get(t.id) ?? NO_HISTORY,
    }));
  }

  /**
   * Every problem with the template's references and name, at once. CIs named by name and a team by its handle
   * are resolved to their ids in `t` (docs/api.md#ids-numbers-and-names).
   */
  async function issuesOf(repos: Repositories, t: TemplateRecord, nameChanged: boolean): Promise<Issue[]> {
    const issues: Issue[] = [];
    const ciIds = await resolveCiRefs(repos, t.ciIds, 'ciIds', issues);
    if (ciIds.some((id, i) => id !== t.ciIds[i])) t.ciIds = [...new Set(ciIds)];
    if (t.assignmentTeamId) t.assignmentTeamId = await resolveTeamRef(repos, t.assignmentTeamId, 'assignmentTeamId', issues);
    if (nameChanged) {
      const other = await repos.templates.findByName(t.name);
      if (other && other.id !== t.id) issues.push({ path: 'name', message: `a template named "${t.name}" already exists` });
    }
    return issues;
  }

  /** A page of templates in `sort`'s order (by name when absent), paged by (sort value, id). */
  async function page(query: TemplateExportQuery & { limit: number; cursor?: string }): Promise<{ items: Template[]; nextCursor: string | null }> {
    const sort = query.sort ?? 'name';
    const rows = await store.repos.templates.list({
      active: query.active === 'all' ? undefined : query.active === 'true',
      type: query.type,
      q: query.q,
      sort: keysetPositionOf<TemplateSortColumn>(sort, query.cursor, 'string'),
      since: since(),
      limit: query.limit + 1,
    });
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return {
      items: await present(store.repos, items.map(({ sortValue: _sortValue, ...t }) => t)),
      nextCursor: rows.length > query.limit && last ? encodeKeysetCursor(sort, { value: last.sortValue, tie: last.id }) : null,
    };
  }

  const service = {
    /**
     * The problems of the references and name among the fields of a create or update body that parsed, when the
     * body was refused for its shape elsewhere (the route lists them in the same 400): the checks of `create`
     * and `update`. `idOrName` is the template being edited.
     */
    async referenceIssues(actor: Actor, fields: Partial<z.output<typeof CreateTemplateInput>>, idOrName?: string): Promise<Issue[]> {
      assertPermission(actor, 'template.write');
      const editing = idOrName ? ((await store.repos.templates.findById(idOrName)) ?? (await store.repos.templates.findByName(idOrName))) : null;
      const draft = { id: editing?.id ?? '', name: '', ciIds: [], assignmentTeamId: null, ...fields } as unknown as TemplateRecord;
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
      return (async function* pages() {
        let cursor: string | undefined;
        do {
          const next = await page({ ...query, limit: EXPORT_PAGE, cursor });
          if (next.items.length > 0) yield next.items;
          cursor = next.nextCursor ?? undefined;
        } while (cursor);
      })();
    },

    async get(actor: Actor, idOrName: string): Promise<Template> {
      assertPermission(actor, 'change.read');
      const [found] = await present(store.repos, [await load(store.repos, idOrName)]);
      return found!;
    },

    /** Creates a template; 400 lists every problem (unknown CIs or team, a name already taken). */
    async create(actor: Actor, input: z.output<typeof CreateTemplateInput>): Promise<Template> {
      assertPermission(actor, 'template.write');
      const at = nowIso();
      const template: TemplateRecord = {
        id: deps.newId(),
        name: input.name,
        description: input.description,
        type: input.type,
        fields: { ...TEMPLATE_FIELD_DEFAULTS, ...input.fields },
        ciIds: [...new Set(input.ciIds)],
        assignmentTeamId: input.assignmentTeamId,
        active: input.active,
        version: 1,
        createdBy: actor.userId,
        createdAt: at,
        updatedAt: at,
      };
      return store.transaction(async (repos) => {
        throwIfIssues(await issuesOf(repos, template, true), 'The template has invalid values.');
        await repos.templates.insert(template);
        await audit(repos, actor, at, 'template.created', 'template', template.id, { after: template });
        return (await present(repos, [template]))[0]!;
      });
    },

    /** Edits fields (`fields` merges into the template's); a stale `version` (body or If-Match) gets 412. */
    async update(actor: Actor, idOrName: string, input: z.output<typeof UpdateTemplateInput>): Promise<Template> {
      assertPermission(actor, 'template.write');
      return store.transaction(async (repos) => {
        const before = await load(repos, idOrName);
        if (input.version !== undefined && input.version !== before.version) throw new StaleVersionError('Template', before.name, input.version, before.version);
        const { version: _v, fields, ...patch } = input;
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<TemplateRecord>;
        const after: TemplateRecord = { ...before, ...defined, fields: { ...before.fields, ...fields }, version: before.version + 1, updatedAt: nowIso() };
        if (defined.ciIds) after.ciIds = [...new Set(defined.ciIds)];
        throwIfIssues(await issuesOf(repos, after, after.name !== before.name), 'The template has invalid values.');
        const changes = diffFields(before as unknown as Record<string, unknown>, after as unknown as Record<string, unknown>, TEMPLATE_FIELDS);
        if (Object.keys(changes).length === 0) return (await present(repos, [before]))[0]!;
        if (!(await repos.templates.update(after, before.version))) throw new StaleVersionError('Template', before.name, before.version, before.version + 1);
        await audit(repos, actor, after.updatedAt, 'template.updated', 'template', after.id, { name: after.name, changes });
        return (await present(repos, [after]))[0]!;
      });
    },

    /**
     * Files a change from the template: its type, fields, CIs and team, with `overrides` (any field of a new
     * change) on top. 400 lists the problems of the change that results; a retired template is 409.
     */
    async fileChange(actor: Actor, idOrName: string, overrides: Record<string, unknown>): Promise<ChangeDetail> {
      assertPermission(actor, 'change.create');
      const template = await load(store.repos, idOrName);
      if (!template.active) throw new ConflictError('template_retired', `The template "${template.name}" is retired; changes can no longer be made from it.`, { templateId: template.id });
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
