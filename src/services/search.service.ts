import type { SearchHit, SearchKind, SearchQuery, SearchResult } from '../contracts/home';
import type { Actor } from '../domain/actor';
import { hasPermission, type Permission } from '../domain/auth/roles';
import { findState } from '../domain/change/lifecycle';
import { formatChangeNumber } from '../domain/change/priority';
import type { ServiceDeps } from './context';
import type { PolicyService } from './policy.service';
import type { SubscriptionService } from './subscription.service';

export interface SearchServiceDeps extends ServiceDeps {
  policy: PolicyService;
  /** A stakeholder's narrowed view of changes. */
  subscriptions: Pick<SubscriptionService, 'readScope'>;
}

const INCIDENT_STATE_WORDS: Record<string, string> = { new: 'New', in_progress: 'In progress', on_hold: 'On hold', resolved: 'Resolved', closed: 'Closed' };

/**
 * One search box for every kind of record (GET /api/v1/search). Each kind is searched only when the caller
 * may read it, through the same repository reads its own list uses, and answers at most `limit` hits.
 * NOTE (security): people are searched by name or email like `GET /api/v1/people`, but an email is shown only
 * to those who may read users.
 */
export function createSearchService(deps: SearchServiceDeps) {
  const { store, policy, subscriptions } = deps;

  type Searcher = (q: string, limit: number, actor: Actor) => Promise<SearchHit[]>;
  const searchers: Record<SearchKind, { permission: Permission | null; run: Searcher }> = {
    change: {
      permission: 'change.read',
      run: async (q, limit, actor) => {
        const active = await policy.activeOrNull();
        // A stakeholder finds only the changes on what they follow.
        const scope = await subscriptions.readScope(actor);
        // "12" or "chg12" finds CHG0000012 first, as people say numbers without their zeros.
        const digits = /^(?:chg)?0*(\d{1,7})$/i.exec(q)?.[1];
        const numbered = digits ? await store.repos.changes.findById(formatChangeNumber(Number(digits))) : null;
        const byNumber = numbered && (!scope || numbered.ciIds.some((id) => scope.has(id))) ? numbered : null;
        const found = await store.repos.changes.list({ q, limit, ...(scope ? { ciId: [...scope] } : {}) });
        const rows = byNumber ? [byNumber, ...found.filter((c) => c.id !== byNumber.id)].slice(0, limit) : found;
        return rows.map((c) => {
          const model = active?.bundle.models[c.type];
          const state = (model && findState(model, c.state)?.label) ?? c.state;
          return { kind: 'change', id: c.id, title: `${c.number} ${c.title}`, detail: `${model?.label ?? c.type} · ${state}`, path: `/changes/${c.number}` };
        });
      },
    },
    ci: {
      permission: 'cmdb.read',
      run: async (q, limit) => {
        const rows = await store.repos.cmdb.listCis({ q, limit });
        const services = new Map((await store.repos.cmdb.findServicesByIds([...new Set(rows.map((c) => c.serviceId).filter((id): id is string => id !== null))])).map((s) => [s.id, s.name]));
        return rows.map((c) => ({
          kind: 'ci',
          id: c.id,
          title: c.name,
          detail: [c.type, c.environment, c.serviceId ? services.get(c.serviceId) : null].filter(Boolean).join(' · '),
          path: `/cmdb/cis/${c.id}`,
        }));
      },
    },
    service: {
      permission: 'cmdb.read',
      run: async (q, limit) =>
        (await store.repos.cmdb.listServices({ q, limit })).map((s) => ({ kind: 'service', id: s.id, title: s.name, detail: `Service, tier ${s.tier}`, path: `/cmdb/services/${s.id}` })),
    },
    incident: {
      permission: 'incident.read',
      run: async (q, limit) =>
        (await store.repos.incidents.list({ q, limit })).map((i) => ({
          kind: 'incident',
          id: i.id,
          title: `${i.number} ${i.title}`,
          detail: `P${i.priority} · ${INCIDENT_STATE_WORDS[i.state] ?? i.state}`,
          path: `/incidents/${i.number}`,
        })),
    },
    template: {
      permission: 'change.read',
      run: async (q, limit) =>
        (await store.repos.templates.list({ q, limit })).map((t) => ({
          kind: 'template',
          id: t.id,
          title: t.name,
          detail: `Template for ${t.type} changes${t.active ? '' : ' · retired'}`,
          path: `/templates/${t.id}`,
        })),
    },
    person: {
      permission: null,
      run: async (q, limit, actor) => {
        if (hasPermission(actor, 'user.read')) {
          const users = await store.repos.accounts.listUsers({ q, limit });
          return users.map((u) => ({ kind: 'person', id: u.id, title: u.name, detail: u.disabled ? `${u.email} · disabled` : u.email, path: '/admin/users' }));
        }
        return (await store.repos.accounts.searchPeople({ q, limit })).map((p) => ({ kind: 'person', id: p.id, title: p.name, detail: 'Person', path: null }));
      },
    },
  };
  const KINDS = Object.keys(searchers) as SearchKind[];

  return {
    /** Hits per kind the caller may read, `limit` each, with `more` when that kind had more. */
    async search(actor: Actor, query: SearchQuery): Promise<SearchResult> {
      const groups: SearchResult['groups'] = [];
      for (const kind of KINDS) {
        const { permission, run } = searchers[kind];
        if (permission && !hasPermission(actor, permission)) continue;
        // One more than shown tells whether the kind has more.
        const hits = await run(query.q, query.limit + 1, actor);
        groups.push({ kind, items: hits.slice(0, query.limit), more: hits.length > query.limit });
      }
      return { q: query.q, groups };
    },
  };
}
export type SearchService = ReturnType<typeof createSearchService>;
