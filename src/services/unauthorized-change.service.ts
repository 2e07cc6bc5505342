import {
  ReviewUnauthorizedInput,
  UNAUTHORIZED_CAUSE_LABELS,
  UNAUTHORIZED_STATES,
  UnauthorizedListQuery,
  type UnauthorizedChangeView,
} from '../contracts/unauthorized-changes';
import type { Actor } from '../domain/actor';
import { assertPermission, hasPermission } from '../domain/auth/roles';
import { ConflictError, ForbiddenError, NotFoundError, StaleVersionError, type Issue } from '../domain/errors';
import type { DeploymentRecord, Repositories, UnauthorizedRecord } from '../db/repositories';
import { durationMs } from '../policy/approvals.schema';
import { asObject, audit, decodeInstantCursor, encodeInstantCursor, issuesOfZod, throwIfIssues, type ServiceDeps } from './context';
import type { NotifyInput, OutboxService } from './outbox.service';
import type { ActivePolicy } from './policy.service';

export interface UnauthorizedChangeServiceDeps extends ServiceDeps {
  outbox: OutboxService;
}

/** The deployments a record shows (the rest through GET /api/v1/deployments?ids=). */
const DEPLOYMENTS_SHOWN = 50;

/**
 * Unauthorized changes (issue 14 point 8, docs/deployments.md#unauthorized-changes). A production deployment that
 * no authorised change covers (the change it belongs to, or any change on the same CI, or on a CI of the same
 * service when it names no CI, in an authorising state with the deployment's start inside its planned window)
 * raises one record per CI per quiet period; later deployments in the period join the open record. The owner
 * team of the service and the change managers are told. The review is blameless: its answers are about the
 * process, and no figure anywhere counts people.
 */
export function createUnauthorizedChangeService(deps: UnauthorizedChangeServiceDeps) {
  const { store, outbox } = deps;
  const nowIso = () => deps.now().toISOString();

  async function load(repos: Repositories, idOrNumber: string, opts: { lock?: boolean } = {}): Promise<UnauthorizedRecord> {
    const found = await repos.deployments.findUnauthorized(idOrNumber, opts);
    if (!found) throw new NotFoundError('Unauthorized change', idOrNumber);
    return found;
  }

  async function present(repos: Repositories, records: UnauthorizedRecord[]): Promise<UnauthorizedChangeView[]> {
    const services = new Map((await repos.cmdb.findServicesByIds([...new Set(records.flatMap((r) => (r.serviceId ? [r.serviceId] : [])))])).map((s) => [s.id, s.name]));
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(records.flatMap((r) => (r.ciId ? [r.ciId] : [])))])).map((c) => [c.id, c.name]));
    const changes = new Map((await repos.changes.findManyByIds([...new Set(records.flatMap((r) => (r.authorisedChangeId ? [r.authorisedChangeId] : [])))])).map((c) => [c.id, c]));
    const deploymentIds = await repos.deployments.deploymentIdsOfUnauthorized(records.map((r) => r.id));
    const shown = new Map((await repos.deployments.findManyByIds([...deploymentIds.values()].flatMap((ids) => ids.slice(0, DEPLOYMENTS_SHOWN)))).map((d) => [d.id, d]));
    const out: UnauthorizedChangeView[] = [];
    for (const r of records) {
      const change = r.authorisedChangeId ? changes.get(r.authorisedChangeId) : undefined;
      out.push({
        id: r.id,
        number: r.number,
        state: r.state,
        service: r.serviceId && services.has(r.serviceId) ? { id: r.serviceId, name: services.get(r.serviceId)! } : null,
        ci: r.ciId && cis.has(r.ciId) ? { id: r.ciId, name: cis.get(r.ciId)! } : null,
        repository: r.repository,
        environment: r.environment,
        firstSeenAt: r.firstSeenAt,
        lastSeenAt: r.lastSeenAt,
        quietUntil: r.quietUntil,
        deploymentCount: r.deploymentCount,
        deployments: (deploymentIds.get(r.id) ?? []).slice(0, DEPLOYMENTS_SHOWN).flatMap((id) => {
          const d = shown.get(id);
          return d ? [{ id: d.id, sha: d.sha, environment: d.environment, startedAt: d.startedAt, status: d.status }] : [];
        }),
        review:
          r.outcome && r.cause && r.reviewedAt
            ? {
                cause: r.cause as never,
                causeLabel: UNAUTHORIZED_CAUSE_LABELS[r.cause as keyof typeof UNAUTHORIZED_CAUSE_LABELS] ?? r.cause,
                causeText: r.causeText,
                fix: {
                  kind: (r.fixKind ?? 'none') as never,
                  text: r.fixText,
                  link: r.fixLinkKind && r.fixLinkId ? { kind: r.fixLinkKind as never, ref: r.fixLinkId, label: await linkLabel(repos, r.fixLinkKind, r.fixLinkId) } : null,
                },
                outcome: r.outcome as never,
                authorisedChange: change ? { id: change.id, number: change.number, title: change.title } : null,
                notes: r.notes,
                reviewedAt: r.reviewedAt,
              }
            : null,
        version: r.version,
        createdAt: r.createdAt,
        updatedAt: r.updatedAt,
      });
    }
    return out;
  }

  /** The words a fix's link is shown with: the entry's name, the change's or problem's number, the URL. */
  async function linkLabel(repos: Repositories, kind: string, ref: string): Promise<string> {
    if (kind === 'template') return (await repos.templates.findById(ref))?.name ?? ref;
    if (kind === 'change') return (await repos.changes.findById(ref))?.number ?? ref;
    if (kind === 'problem') return (await repos.problems.findProblem(ref))?.number ?? ref;
    return ref;
  }

  /** Whether the change a deployment belongs to authorises it: in an authorising state, the start inside its window. */
  async function ownChangeCovers(repos: Repositories, d: DeploymentRecord, states: string[]): Promise<boolean> {
    if (!d.changeId) return false;
    const change = await repos.changes.findById(d.changeId);
    if (!change || !states.includes(change.state)) return false;
    if (change.plannedStart && d.startedAt < change.plannedStart) return false;
    if (change.plannedEnd && d.startedAt > change.plannedEnd) return false;
    return true;
  }

  /** Raises a record for the scope, or joins the open one of its quiet period. */
  async function raiseOrJoin(repos: Repositories, actor: Actor, d: DeploymentRecord, scope: { key: string; ciId: string | null }, active: ActivePolicy): Promise<void> {
    const at = nowIso();
    const open = await repos.deployments.openUnauthorizedFor(scope.key, d.startedAt);
    if (open) {
      if (!(await repos.deployments.attachDeployment(open.id, d.id))) return;
      const after: UnauthorizedRecord = {
        ...open,
        deploymentCount: open.deploymentCount + 1,
        lastSeenAt: open.lastSeenAt > d.startedAt ? open.lastSeenAt : d.startedAt,
        version: open.version + 1,
        updatedAt: at,
      };
      await repos.deployments.updateUnauthorized(after, open.version);
      await audit(repos, actor, at, 'unauthorized_change.deployment_added', 'unauthorized_change', open.id, { number: open.number, deploymentId: d.id, deploymentCount: after.deploymentCount });
      return;
    }
    const quiet = durationMs(active.bundle.deployments.unauthorized.quietPeriod);
    const record: UnauthorizedRecord = {
      id: deps.newId(),
      number: await repos.deployments.nextUnauthorizedNumber(),
      state: 'open',
      scopeKey: scope.key,
      serviceId: d.serviceId,
      ciId: scope.ciId,
      repository: d.repository,
      environment: d.environment,
      firstSeenAt: d.startedAt,
      lastSeenAt: d.startedAt,
      quietUntil: new Date(Date.parse(d.startedAt) + quiet).toISOString(),
      deploymentCount: 1,
      cause: null,
      causeText: '',
      fixKind: null,
      fixText: '',
      fixLinkKind: null,
      fixLinkId: null,
      outcome: null,
      authorisedChangeId: null,
      notes: '',
      reviewedBy: null,
      reviewedAt: null,
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
    await repos.deployments.insertUnauthorized(record);
    await repos.deployments.attachDeployment(record.id, d.id);
    await audit(repos, actor, at, 'unauthorized_change.raised', 'unauthorized_change', record.id, {
      number: record.number,
      deploymentId: d.id,
      serviceId: d.serviceId,
      ciId: scope.ciId,
      environment: d.environment,
      repository: d.repository,
      sha: d.sha,
    });
    const service = d.serviceId ? await repos.cmdb.findService(d.serviceId) : null;
    const ci = scope.ciId ? (await repos.cmdb.findCisByIds([scope.ciId]))[0] : undefined;
    const what = ci ? `${ci.name}${service ? ` (${service.name})` : ''}` : (service?.name ?? d.repository);
    const notice: NotifyInput & { link: string } = {
      recipients: [...(service?.ownerTeamId ? [{ kind: 'team' as const, ref: service.ownerTeamId }] : []), { kind: 'role' as const, ref: 'change_manager' }],
      kind: 'unauthorized_change',
      title: `${record.number}: ${what} was deployed to ${d.environment} with no authorised change`,
      body: `Commit ${d.sha.slice(0, 12)} of ${d.repository} went to ${d.environment} and no change in ${active.bundle.deployments.authorisedStates.join(' or ')} covered it. Review it without blame: what in the process made going around it easier than going through it?`,
      link: `/unauthorized-changes/${record.number}`,
    };
    await outbox.notify(repos, notice);
  }

  /** Who may review a record: a change manager, or a member of its service's owner team. */
  async function assertMayReview(repos: Repositories, actor: Actor, r: UnauthorizedRecord): Promise<void> {
    if (hasPermission(actor, 'unauthorized.review')) return;
    const service = r.serviceId ? await repos.cmdb.findService(r.serviceId) : null;
    if (hasPermission(actor, 'deployment.read') && service?.ownerTeamId && actor.teamIds.includes(service.ownerTeamId)) return;
    throw new ForbiddenError(
      `Only a change manager${service ? ` or a member of the team that owns ${service.name}` : ''} may review ${r.number}.`,
      'forbidden',
      { permission: 'unauthorized.review' },
    );
  }


  /** The review's references (the authorising change, the fix's link) resolved, with a problem for each unknown one. */
  async function reviewReferences(repos: Repositories, body: unknown): Promise<{ issues: Issue[]; authorisedChangeId: string | null; linkRef: string | null }> {
    const issues: Issue[] = [];
    const raw = asObject(body);
    let authorisedChangeId: string | null = null;
    if (typeof raw.changeNumber === 'string' && raw.changeNumber.length > 0) {
      const change = await repos.changes.findById(raw.changeNumber);
      if (change) authorisedChangeId = change.id;
      else issues.push({ path: 'changeNumber', message: `unknown change ${raw.changeNumber}` });
    }
    const link = asObject(asObject(raw.fix).link);
    let linkRef: string | null = typeof link.ref === 'string' ? link.ref.trim() : null;
    if (linkRef && link.kind === 'template') {
      const t = (await repos.templates.findById(linkRef)) ?? (await repos.templates.findByName(linkRef));
      if (t) linkRef = t.id;
      else issues.push({ path: 'fix.link.ref', message: `unknown catalogue entry ${linkRef}` });
    } else if (linkRef && link.kind === 'change') {
      const c = await repos.changes.findById(linkRef);
      if (c) linkRef = c.id;
      else issues.push({ path: 'fix.link.ref', message: `unknown change ${linkRef}` });
    } else if (linkRef && link.kind === 'problem') {
      const p = await repos.problems.findProblem(linkRef);
      if (p) linkRef = p.id;
      else issues.push({ path: 'fix.link.ref', message: `unknown problem ${linkRef}` });
    }
    return { issues, authorisedChangeId, linkRef };
  }

  return {
    /**
     * Called by the deployment service, in its transaction, for a production deployment once it is on record:
     * `covered` when an authorised change covers it, else `unauthorized` (raising or joining a record per CI, or
     * per service or repository when it names no CI, unless policy turned detection off).
     */
    async deploymentRecorded(repos: Repositories, actor: Actor, d: DeploymentRecord, active: ActivePolicy): Promise<'covered' | 'unauthorized'> {
      const states = active.bundle.deployments.authorisedStates;
      if (await ownChangeCovers(repos, d, states)) return 'covered';
      const scopes: { key: string; ciId: string | null; covered: boolean }[] = [];
      if (d.ciIds.length > 0) {
        for (const ciId of d.ciIds) scopes.push({ key: `ci:${ciId}`, ciId, covered: (await repos.deployments.authorisingChanges({ states, ciId, at: d.startedAt })).length > 0 });
      } else if (d.serviceId) {
        scopes.push({ key: `service:${d.serviceId}`, ciId: null, covered: (await repos.deployments.authorisingChanges({ states, serviceId: d.serviceId, at: d.startedAt })).length > 0 });
      } else scopes.push({ key: `repository:${d.repository.toLowerCase()}`, ciId: null, covered: false });
      const uncovered = scopes.filter((s) => !s.covered);
      if (uncovered.length === 0) return 'covered';
      if (active.bundle.deployments.unauthorized.enabled) for (const s of uncovered) await raiseOrJoin(repos, actor, d, s, active);
      return 'unauthorized';
    },

    /** Newest first; by state, service and CI. */
    async list(actor: Actor, query: Partial<UnauthorizedListQuery>): Promise<{ items: UnauthorizedChangeView[]; nextCursor: string | null }> {
      assertPermission(actor, 'deployment.read');
      const q = UnauthorizedListQuery.parse(query);
      const repos = store.repos;
      const issues: Issue[] = [];
      let states: string[] | undefined;
      if (q.state) {
        states = q.state.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
        for (const s of states) if (!(UNAUTHORIZED_STATES as readonly string[]).includes(s)) issues.push({ path: 'query.state', message: `unknown state ${s} (open or closed)` });
      }
      let serviceId: string | undefined;
      if (q.serviceId) {
        serviceId = (await repos.cmdb.findService(q.serviceId))?.id;
        if (!serviceId) issues.push({ path: 'query.serviceId', message: `unknown service ${q.serviceId}` });
      }
      let ciId: string | undefined;
      if (q.ciId) {
        ciId = (await repos.cmdb.findCi(q.ciId))?.id;
        if (!ciId) issues.push({ path: 'query.ciId', message: `unknown CI ${q.ciId}` });
      }
      throwIfIssues(issues, 'The filter has invalid values.');
      const cursor = decodeInstantCursor(q.cursor);
      const rows = await repos.deployments.listUnauthorized({ states, serviceId, ciId, after: cursor ? { createdAt: cursor.at, id: cursor.id } : undefined, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return { items: await present(repos, page), nextCursor: rows.length > q.limit && last ? encodeInstantCursor(last.createdAt, last.id) : null };
    },

    async get(actor: Actor, idOrNumber: string): Promise<UnauthorizedChangeView> {
      assertPermission(actor, 'deployment.read');
      return (await present(store.repos, [await load(store.repos, idOrNumber)]))[0]!;
    },

    /**
     * The blameless review: the cause in the process, the fix (with an optional link to a catalogue entry,
     * change, problem or page) and the outcome; closes the record. 400 lists every problem; 409 when it is
     * closed already; 412 on a stale version.
     */
    /** A review refused for its shape also names its unknown references (the route's `checkReferences`). */
    async reviewReferenceIssues(actor: Actor, fields: Record<string, unknown>): Promise<Issue[]> {
      assertPermission(actor, 'deployment.read');
      return (await reviewReferences(store.repos, fields)).issues;
    },

    async review(actor: Actor, idOrNumber: string, body: unknown, ifMatch?: number): Promise<UnauthorizedChangeView> {
      assertPermission(actor, 'deployment.read');
      const parsed = ReviewUnauthorizedInput.safeParse(body);
      return store.transaction(async (repos) => {
        const before = await load(repos, idOrNumber, { lock: true });
        await assertMayReview(repos, actor, before);
        const issues = parsed.success ? [] : issuesOfZod(parsed.error);
        const refs = await reviewReferences(repos, body);
        issues.push(...refs.issues);
        const { authorisedChangeId, linkRef } = refs;
        throwIfIssues(issues, 'The review has invalid values.');
        const input = parsed.data!;
        const version = input.version ?? ifMatch;
        if (version !== undefined && version !== before.version) throw new StaleVersionError('Unauthorized change', before.number, version, before.version);
        if (before.state === 'closed') throw new ConflictError('already_reviewed', `${before.number} was reviewed already; its review stands as recorded.`, { state: before.state });
        const at = nowIso();
        const after: UnauthorizedRecord = {
          ...before,
          state: 'closed',
          cause: input.cause,
          causeText: input.causeText,
          fixKind: input.fix.kind,
          fixText: input.fix.text,
          fixLinkKind: input.fix.link ? input.fix.link.kind : null,
          fixLinkId: input.fix.link ? linkRef : null,
          outcome: input.outcome,
          authorisedChangeId: input.outcome === 'authorised_after_the_fact' ? authorisedChangeId : null,
          notes: input.notes,
          reviewedBy: actor.userId,
          reviewedAt: at,
          version: before.version + 1,
          updatedAt: at,
        };
        if (!(await repos.deployments.updateUnauthorized(after, before.version))) throw new StaleVersionError('Unauthorized change', before.number, before.version, before.version + 1);
        await audit(repos, actor, at, 'unauthorized_change.reviewed', 'unauthorized_change', after.id, {
          number: after.number,
          cause: after.cause,
          fixKind: after.fixKind,
          fixLink: after.fixLinkKind ? { kind: after.fixLinkKind, ref: after.fixLinkId } : null,
          outcome: after.outcome,
          authorisedChangeId: after.authorisedChangeId,
        });
        return (await present(repos, [after]))[0]!;
      });
    },
  };
}
export type UnauthorizedChangeService = ReturnType<typeof createUnauthorizedChangeService>;
