import type { PromotionCandidate, PromotionCandidateList, ProposeEntryInput } from '../contracts/catalogue-learning';
import { NO_ELIGIBILITY, type Template } from '../contracts/templates';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { groupByPlan } from '../domain/catalogue/learning';
import type { ClosedNormalChange } from '../db/repositories';
import { PROMOTION_DEFAULTS } from '../policy/catalogue.schema';
import type { ChangeService } from './change.service';
import { audit, type ServiceDeps } from './context';
import type { PolicyService } from './policy.service';
import type { TemplateService } from './template.service';

const DAY_MS = 86_400_000;

export interface CataloguePromotionDeps extends ServiceDeps {
  policy: Pick<PolicyService, 'activeOrNull'>;
  changes: Pick<ChangeService, 'get'>;
  templates: Pick<TemplateService, 'create'>;
}

/**
 * Promotion (docs/catalogue.md#promotion): normal changes that repeat successfully are candidates for the
 * catalogue, and a change manager proposes an entry from one of them.
 */
export function createCataloguePromotionService(deps: CataloguePromotionDeps) {
  const { store } = deps;

  async function settings(): Promise<{ successes: number; lookbackDays: number }> {
    const active = await deps.policy.activeOrNull();
    return active?.bundle.catalogue?.promotion ?? PROMOTION_DEFAULTS;
  }

  /** A group is a candidate with enough successes and no incident caused by any of its changes. */
  function candidateOf(members: ClosedNormalChange[], successes: number, base: Pick<PromotionCandidate, 'key' | 'kind' | 'template' | 'ciTypes'>): PromotionCandidate | null {
    if (members.length < successes || members.some((m) => m.causedIncident)) return null;
    const newestFirst = [...members].reverse();
    return {
      ...base,
      title: newestFirst[0]!.title,
      successes: members.length,
      lastClosedAt: newestFirst[0]!.closedAt,
      changes: newestFirst.map((m) => ({ id: m.id, number: m.number, title: m.title, closeCode: m.closeCode as PromotionCandidate['changes'][number]['closeCode'], closedAt: m.closedAt })),
      proposedEntry: null,
    };
  }

  return {
    /**
     * Candidates for the catalogue: normal changes closed successfully within the look-back window, grouped by
     * the normal template they were made from, or else by their CI types and near-identical implementation
     * plans (domain/catalogue/learning.ts), with at least the policy's number of successes and no incident
     * caused by any of them; most successes first.
     */
    async candidates(actor: Actor): Promise<PromotionCandidateList> {
      assertPermission(actor, 'template.write');
      const s = await settings();
      const since = new Date(deps.now().getTime() - s.lookbackDays * DAY_MS).toISOString();
      const closed = await store.repos.catalogueLearning.closedNormalChanges(since);
      const normalTemplates = await store.repos.catalogueLearning.normalTemplates([...new Set(closed.map((c) => c.templateId).filter((id): id is string => id !== null))]);
      const byTemplate = new Map<string, ClosedNormalChange[]>();
      const byCiTypes = new Map<string, ClosedNormalChange[]>();
      for (const c of closed) {
        if (c.templateId && normalTemplates.has(c.templateId)) byTemplate.set(c.templateId, [...(byTemplate.get(c.templateId) ?? []), c]);
        else if (c.ciTypes.length > 0) byCiTypes.set(c.ciTypes.join(','), [...(byCiTypes.get(c.ciTypes.join(',')) ?? []), c]);
      }
      const items: PromotionCandidate[] = [];
      for (const [templateId, members] of byTemplate) {
        const found = candidateOf(members, s.successes, { key: `template:${templateId}`, kind: 'template', template: { id: templateId, name: normalTemplates.get(templateId)! }, ciTypes: [...new Set(members.flatMap((m) => m.ciTypes))].sort() });
        if (found) items.push(found);
      }
      for (const [types, members] of byCiTypes) {
        for (const group of groupByPlan(members, (m) => m.implementationPlan)) {
          const found = candidateOf(group.items, s.successes, { key: `plan:${types}:${group.hash}`, kind: 'plan', template: null, ciTypes: types.split(',') });
          if (found) items.push(found);
        }
      }
      const proposed = await store.repos.catalogueLearning.entriesFromChanges(items.flatMap((c) => c.changes.map((m) => m.id)));
      for (const item of items) item.proposedEntry = item.changes.map((m) => proposed.get(m.id)).find((e) => e !== undefined) ?? null;
      items.sort((a, b) => b.successes - a.successes || (b.lastClosedAt ?? '').localeCompare(a.lastClosedAt ?? '') || a.key.localeCompare(b.key));
      return { items, successes: s.successes, lookbackDays: s.lookbackDays };
    },

    /**
     * Proposes a standard change entry from a change: its title (or `name`), description, plans and other
     * fields, its CIs and team, in state `proposed` until a change manager activates it; the entry remembers
     * the change. Change managers only; 400 lists every problem (a name already taken, say).
     */
    async propose(actor: Actor, changeRef: string, input: ProposeEntryInput): Promise<Template> {
      assertPermission(actor, 'template.write');
      const c = await deps.changes.get(actor, changeRef);
      // One transaction: the entry, its version, its link to the change and both audit events, or nothing.
      return deps.templates.create(
        actor,
        {
          name: input.name ?? c.title,
          description: c.description,
          type: 'standard',
          fields: {
            title: c.title,
            description: c.description,
            justification: c.justification,
            implementationPlan: c.implementationPlan,
            testPlan: c.testPlan,
            backoutPlan: c.backoutPlan,
            backoutTested: c.backoutTested,
            impact: c.impact,
            urgency: c.urgency,
          },
          ciIds: c.ciIds,
          assignmentTeamId: c.assignmentTeamId,
          active: true,
          state: 'proposed',
          category: input.category ?? '',
          ownerTeamId: c.assignmentTeamId,
          eligibility: NO_ELIGIBILITY,
          note: `Proposed from ${c.number}, a normal change that repeats successfully.`,
        },
        {
          also: async (repos, entry) => {
            await repos.catalogueLearning.setSourceChange(entry.id, c.id);
            await audit(repos, actor, deps.now().toISOString(), 'template.proposed_from_change', 'template', entry.id, { name: entry.name, changeId: c.id, changeNumber: c.number });
          },
        },
      );
    },
  };
}
export type CataloguePromotionService = ReturnType<typeof createCataloguePromotionService>;
