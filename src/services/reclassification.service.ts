import {
  reclassificationKind,
  type Reclassification,
  type ReclassificationSummary,
  type ReclassificationSummaryQuery,
  type ReclassificationSummaryRow,
  type ReclassifyInput,
} from '../contracts/catalogue-learning';
import type { ChangeDetail } from '../contracts/change';
import type { Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import type { Issue } from '../domain/errors';
import type { ReclassificationRecord, Repositories } from '../db/repositories';
import type { ChangeService } from './change.service';
import { audit, throwIfIssues, type ServiceDeps } from './context';

export interface ReclassificationDeps extends ServiceDeps {
  changes: Pick<ChangeService, 'get'>;
}

/**
 * Misclassification (docs/catalogue.md#misclassification): a change manager records that a change was of
 * another type than it was filed as; the records are counted per team and service. NOTE: a reclassification
 * never changes the change's type: the change went through its type's lifecycle (its approvals, or their
 * absence), and rewriting the type afterwards would make its record say something that did not happen.
 */
export function createReclassificationService(deps: ReclassificationDeps) {
  const { store } = deps;

  function issuesOf(change: Pick<ChangeDetail, 'type'>, as: string | undefined): Issue[] {
    return as !== undefined && as === change.type ? [{ path: 'as', message: `the change was filed as ${change.type}; name the type it should have had instead` }] : [];
  }

  async function present(repos: Repositories, records: ReclassificationRecord[], numbers: Map<string, string>): Promise<Reclassification[]> {
    const people = await repos.accounts.userNames([...new Set(records.map((r) => r.createdBy))]);
    return records.map((r) => ({
      id: r.id,
      changeId: r.changeId,
      changeNumber: numbers.get(r.changeId) ?? r.changeId,
      from: r.from as Reclassification['from'],
      to: r.to as Reclassification['to'],
      kind: reclassificationKind(r.from, r.to),
      reason: r.reason,
      teamId: r.teamId,
      serviceIds: r.serviceIds,
      by: { id: r.createdBy, name: people.get(r.createdBy) ?? r.createdBy },
      at: r.createdAt,
    }));
  }

  return {
    /** The problems of `as` among the fields of a body refused for its shape elsewhere (one 400 lists all). */
    async referenceIssues(actor: Actor, changeRef: string, fields: Partial<ReclassifyInput>): Promise<Issue[]> {
      assertPermission(actor, 'change.reclassify');
      return issuesOf(await deps.changes.get(actor, changeRef), fields.as);
    },

    /**
     * Records that the change should have been of type `as`, with the reason and the change's team and
     * services of this moment. Change managers only; `as` must differ from the change's type (400).
     */
    async reclassify(actor: Actor, changeRef: string, input: ReclassifyInput): Promise<Reclassification> {
      assertPermission(actor, 'change.reclassify');
      const c = await deps.changes.get(actor, changeRef);
      throwIfIssues(issuesOf(c, input.as), 'The reclassification has invalid values.');
      const record: ReclassificationRecord = {
        id: deps.newId(),
        changeId: c.id,
        from: c.type,
        to: input.as,
        reason: input.reason,
        teamId: c.assignmentTeamId,
        serviceIds: [...c.serviceIds].sort(),
        createdBy: actor.userId,
        createdAt: deps.now().toISOString(),
      };
      return store.transaction(async (repos) => {
        await repos.catalogueLearning.insertReclassification(record);
        await audit(repos, actor, record.createdAt, 'change.reclassified', 'change', c.id, {
          number: c.number,
          from: record.from,
          to: record.to,
          kind: reclassificationKind(record.from, record.to),
          reason: record.reason,
        });
        return (await present(repos, [record], new Map([[c.id, c.number]])))[0]!;
      });
    },

    /** The change's reclassifications, oldest first (whoever may read the change). */
    async listFor(actor: Actor, changeRef: string): Promise<{ items: Reclassification[] }> {
      const c = await deps.changes.get(actor, changeRef);
      const rows = await store.repos.catalogueLearning.reclassificationsOf(c.id);
      return { items: await present(store.repos, rows, new Map([[c.id, c.number]])) };
    },

    /**
     * Reclassifications counted per team (the change's assignment team) or per service (each of the change's
     * services counts it once), by kind, since `since`; most first. For those who oversee the process.
     */
    async summary(actor: Actor, query: ReclassificationSummaryQuery): Promise<ReclassificationSummary> {
      assertPermission(actor, 'sla.read');
      const rows = await store.repos.catalogueLearning.reclassificationsSince(query.since);
      const counts = new Map<string | null, ReclassificationSummaryRow>();
      const count = (id: string | null, kind: ReturnType<typeof reclassificationKind>) => {
        const row = counts.get(id) ?? { id, name: '', total: 0, notUrgent: 0, shouldBeStandard: 0, notStandard: 0, other: 0 };
        row.total++;
        if (kind === 'not_urgent') row.notUrgent++;
        else if (kind === 'should_be_standard') row.shouldBeStandard++;
        else if (kind === 'not_standard') row.notStandard++;
        else row.other++;
        counts.set(id, row);
      };
      for (const r of rows) {
        const kind = reclassificationKind(r.from, r.to);
        if (query.by === 'team') count(r.teamId, kind);
        else if (r.serviceIds.length === 0) count(null, kind);
        else for (const id of r.serviceIds) count(id, kind);
      }
      const names = await store.repos.catalogueLearning.namesOf(query.by, [...counts.keys()].filter((id): id is string => id !== null));
      const none = query.by === 'team' ? '(no team)' : '(no service)';
      const result = [...counts.values()].map((row) => ({ ...row, name: row.id === null ? none : (names.get(row.id) ?? row.id) }));
      result.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
      return { by: query.by, since: query.since ?? null, rows: result };
    },
  };
}
export type ReclassificationService = ReturnType<typeof createReclassificationService>;
