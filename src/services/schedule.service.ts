import { assertMayEdit } from '../domain/change/edit-rights';
import type { z } from 'zod';
import type { AcknowledgeConflictInput, ChangeConflicts, ChangeImpact, Conflict, ExcludeCiInput, FreezeException, FreezeExceptionInput, NextSlotQuery, NextSlots } from '../contracts/conflicts';
import { systemActor, type Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, NotFoundError, PolicyError, type Issue } from '../domain/errors';
import { freeSlots, pairConflicts, type Interval, type PairConflict, type PlannedChange } from '../domain/schedule/conflicts';
import { impactOf, reverseDirection, type Edge, type EdgeReader, type ImpactedCi, type ImpactSettings } from '../domain/schedule/impact';
import { scopeApplies, targetOfCis, type ScopeTarget } from '../domain/schedule/scope';
import { occurrences, within } from '../domain/schedule/windows';
import type { ChangeRecord, ConflictKind, ConflictRecord, FreezeExceptionRecord, Repositories, WindowRecord } from '../db/repositories';
import type { PlannedInterval } from '../db/repositories/schedule.repository';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import { changeWords, listWords, rangeToken, timeToken } from '../domain/notification/texts';
import type { OutboxService } from './outbox.service';
import { finalStatesOf, type ActivePolicy, type PolicyService } from './policy.service';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** How far the next-slot search looks ahead. */
export const NEXT_SLOT_HORIZON_DAYS = 90;
/** Slots start on a quarter hour. */
const SLOT_STEP_MS = 15 * MINUTE_MS;
/** At most this many occurrences of one window inside one change's interval become conflicts. */
const OCCURRENCES_PER_CHANGE = 50;
/** Above this many CIs a change's graph is read step by step rather than in one query (edgesWithin). */
const GRAPH_PREFETCH_MAX_CIS = 200;
const PAIR_KINDS: ReadonlySet<ConflictKind> = new Set(['ci_overlap', 'related_ci_overlap', 'assignee_busy']);
const WINDOW_KINDS: ReadonlySet<ConflictKind> = new Set(['freeze', 'outside_maintenance_window']);
/** The outbox topic of the other changes' follow-up of a write: telling their owners about new conflicts. */
export const PEERS_TOPIC = 'schedule.conflicts_added';
/** An item of PEERS_TOPIC: the conflict rows a write added; `cause: 'cmdb'` when a CMDB write added them (both sides hear). */
interface PeersPayload {
  changeId: string;
  actorId: string;
  conflictIds: string[];
  cause?: 'cmdb';
}

export const DEFAULT_IMPACT: ImpactSettings = { direction: 'dependents', depth: 2, relationTypes: ['depends_on', 'runs_on', 'connects_to'], summariseAbove: 50 };

/** A conflict as computed, before it is stored. */
type DesiredConflict = Omit<ConflictRecord, 'id' | 'changeId' | 'acknowledgement' | 'createdAt'>;

/** What one refresh pass reads once: the policy's settings, the windows and the impact of each change. */
interface Pass {
  settings: ImpactSettings;
  finalStates: string[];
  /** Read as the pass starts; awaited only where windows matter, so the graph reads need not wait for it. */
  windows: Promise<{ freezes: WindowRecord[]; maintenance: WindowRecord[] }>;
  impact: Map<string, Promise<ImpactedCi[]>>;
  /**
   * Changes filed in the caller's transaction, before this pass: nothing can refer to them yet (no impact
   * exclusions, freeze exceptions or conflict rows), so none of that is read for them.
   */
  fresh: ReadonlySet<string>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const pairKey = (kind: string, otherId: string) => `${kind}:${otherId}`;

/** Whether a change takes part in the schedule: open, with a planned start and end. */
function planned(change: ChangeRecord, finalStates: readonly string[]): change is ChangeRecord & { plannedStart: string; plannedEnd: string } {
  return change.plannedStart !== null && change.plannedEnd !== null && !finalStates.includes(change.state);
}

export interface ScheduleServiceDeps extends ServiceDeps {
  policy: PolicyService;
  outbox: OutboxService;
}

/**
 * The schedule's conflicts, kept current: every write that moves a change, its CIs, the CMDB graph or a
 * window calls into this service inside its own transaction, and the conflicts of every change it touches
 * are recomputed there, on both sides. Also a change's impact, the next-slot search, freeze exceptions and
 * lockdown holds.
 */
export function createScheduleService(deps: ScheduleServiceDeps) {
  const { store, policy } = deps;
  const nowIso = () => deps.now().toISOString();
  /** Set by the approval service's wiring: generates the approvals of the freeze-exception stage. */
  const hooks: { requestFreezeStage?: (repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy, stage: string) => Promise<number>; cancelFreezeStage?: (repos: Repositories, changeId: string, stage: string) => Promise<void> } = {};

  function startPass(repos: Repositories, active: ActivePolicy | null, fresh: ReadonlySet<string> = new Set()): Pass {
    const windows = repos.windows.listWindows().then((all) => ({ freezes: all.filter((w) => w.kind === 'freeze'), maintenance: all.filter((w) => w.kind === 'maintenance') }));
    // A pass that never looks at windows (no planned change) must not leave a failed read unhandled.
    windows.catch(() => undefined);
    return {
      settings: active?.bundle.schedule.impact ?? DEFAULT_IMPACT,
      finalStates: active ? finalStatesOf(active) : [],
      windows,
      impact: new Map(),
      fresh,
    };
  }

  const edgeReader = (repos: Repositories) => (ciIds: string[], direction: 'incoming' | 'outgoing', types: string[]) => repos.schedule.edges(ciIds, direction, types);

  /** An edge reader that also keeps every edge it read in `into`. */
  const recording =
    (reader: EdgeReader, into: Edge[]): EdgeReader =>
    async (ciIds, direction, types) => {
      const found = await reader(ciIds, direction, types);
      into.push(...found);
      return found;
    };

  /** An edge reader over edges already read: no query. */
  function readerOver(edges: readonly Edge[]): EdgeReader {
    const byTo = new Map<string, Edge[]>();
    const byFrom = new Map<string, Edge[]>();
    const add = (map: Map<string, Edge[]>, key: string, e: Edge) => {
      const list = map.get(key);
      if (list) list.push(e);
      else map.set(key, [e]);
    };
    for (const e of edges) {
      add(byTo, e.toCiId, e);
      add(byFrom, e.fromCiId, e);
    }
    return async (ciIds, direction, types) => ciIds.flatMap((id) => (direction === 'incoming' ? byTo : byFrom).get(id) ?? []).filter((e) => types.includes(e.type));
  }

  /**
   * An edge reader that answers the reads made in one turn of the event loop with one query: the impact and
   * the reverse impact of a change, walked side by side, read each step of the graph together.
   */
  function batchingReader(repos: Repositories): EdgeReader {
    let pending: { ciIds: string[]; direction: 'incoming' | 'outgoing'; types: string[]; resolve: (edges: Edge[]) => void; reject: (err: unknown) => void }[] = [];
    const flush = async () => {
      const batch = pending;
      pending = [];
      const byTypes = new Map<string, typeof batch>();
      for (const r of batch) byTypes.set(JSON.stringify(r.types), [...(byTypes.get(JSON.stringify(r.types)) ?? []), r]);
      for (const group of byTypes.values()) {
        try {
          const ids = (direction: 'incoming' | 'outgoing') => [...new Set(group.filter((r) => r.direction === direction).flatMap((r) => r.ciIds))];
          const edges = await repos.schedule.edgesAround(ids('incoming'), ids('outgoing'), group[0]!.types);
          for (const r of group) {
            const mine = new Set(r.ciIds);
            r.resolve(edges.filter((e) => mine.has(r.direction === 'incoming' ? e.toCiId : e.fromCiId)));
          }
        } catch (err) {
          for (const r of group) r.reject(err);
        }
      }
    };
    return (ciIds, direction, types) =>
      new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(() => void flush());
        pending.push({ ciIds, direction, types, resolve, reject });
      });
  }

  /**
   * An edge reader for the impact and the reverse impact of work on these CIs: every relation either walk can
   * reach, read in one query up front (repos.schedule.edgesWithin). Very large sets of CIs are read step by
   * step instead (batchingReader), to keep the query's parameters within bounds.
   */
  async function graphReader(repos: Repositories, settings: ImpactSettings, ciIds: string[]): Promise<EdgeReader> {
    if (ciIds.length > GRAPH_PREFETCH_MAX_CIS) return batchingReader(repos);
    const walks = settings.direction === 'both' ? (['both'] as const) : (['incoming', 'outgoing'] as const);
    return readerOver(await repos.schedule.edgesWithin(ciIds, walks, settings.relationTypes, settings.depth));
  }

  /** The CIs the change's impact reaches, after its exclusions (cached for the pass). */
  function impactFor(repos: Repositories, pass: Pass, change: Pick<ChangeRecord, 'id' | 'ciIds'>, reader: EdgeReader = edgeReader(repos), excludedCis?: Promise<Set<string>>): Promise<ImpactedCi[]> {
    let found = pass.impact.get(change.id);
    if (!found) {
      found = (async () => {
        const excluded = await (excludedCis ?? exclusionsIn(repos, pass, change.id));
        return impactOf(change.ciIds, pass.settings, reader, excluded);
      })();
      pass.impact.set(change.id, found);
    }
    return found;
  }

  /** The services of these CIs. */
  const servicesOf = (repos: Repositories, cis: readonly { serviceId: string | null }[]) =>
    repos.cmdb.findServicesByIds([...new Set(cis.map((c) => c.serviceId).filter((id): id is string => id !== null))]);

  const exclusionsOf = async (repos: Repositories, changeId: string) => new Set((await repos.schedule.exclusionsOf(changeId)).map((e) => e.ciId));
  const exclusionsIn = (repos: Repositories, pass: Pass, changeId: string) => (pass.fresh.has(changeId) ? Promise.resolve(new Set<string>()) : exclusionsOf(repos, changeId));

  /** The CIs, services and scope target of a piece of work on these CIs. */
  async function targetOf(repos: Repositories, ciIds: readonly string[]) {
    const cis = await repos.cmdb.findCisByIds([...ciIds]);
    const services = await servicesOf(repos, cis);
    return { cis, services, target: targetOfCis(cis, services) };
  }

  /** Approved freeze exceptions of the change: the freezes they cover. */
  async function exceptedWindows(repos: Repositories, changeId: string): Promise<Set<string>> {
    return new Set((await repos.schedule.freezeExceptionsOf(changeId)).filter((e) => e.state === 'approved').flatMap((e) => e.windowIds));
  }

  /** The freeze and maintenance-window conflicts of a planned change. */
  async function windowConflicts(repos: Repositories, pass: Pass, change: ChangeRecord & { plannedStart: string; plannedEnd: string }): Promise<DesiredConflict[]> {
    const start = new Date(change.plannedStart);
    const end = new Date(change.plannedEnd);
    const [{ cis, services, target }, { freezes: allFreezes, maintenance }] = await Promise.all([targetOf(repos, change.ciIds), pass.windows]);
    const found: DesiredConflict[] = [];
    const freezes = allFreezes.filter((w) => scopeApplies(w.scope, target)).map((w) => ({ w, list: occurrences(w, start, end, OCCURRENCES_PER_CHANGE) }));
    // Exceptions only matter to freezes the change falls in; most changes fall in none.
    const excepted = freezes.some((f) => f.list.length > 0) && !pass.fresh.has(change.id) ? await exceptedWindows(repos, change.id) : new Set<string>();
    for (const { w, list } of freezes) {
      for (const o of list) {
        found.push({
          key: `freeze:${w.id}:${o.start.toISOString()}`,
          kind: 'freeze',
          otherChangeId: null,
          windowId: w.id,
          serviceId: null,
          startsAt: o.start.toISOString(),
          endsAt: o.end.toISOString(),
          detail: { windowName: w.name, excepted: excepted.has(w.id) },
        });
      }
    }
    for (const s of services.filter((x) => x.requiresMaintenanceWindow)) {
      const own = cis.filter((c) => c.serviceId === s.id);
      const serviceTarget: ScopeTarget = { ...targetOfCis(own, [s]), serviceIds: [s.id] };
      const fits = maintenance.some((w) => scopeApplies(w.scope, serviceTarget) && within(w, start, end));
      if (fits) continue;
      found.push({
        key: `outside_maintenance_window:${s.id}`,
        kind: 'outside_maintenance_window',
        otherChangeId: null,
        windowId: null,
        serviceId: s.id,
        startsAt: change.plannedStart,
        endsAt: change.plannedEnd,
        detail: {},
      });
    }
    return found;
  }

  /** The pair conflicts of a planned change with every other open change, by the other change's id. */
  async function pairConflictsOf(repos: Repositories, pass: Pass, change: ChangeRecord & { plannedStart: string; plannedEnd: string }): Promise<Map<string, PairConflict[]>> {
    // NOTE: reads that do not wait for one another are started together, here and below: on PostgreSQL outside a
    // transaction they run in parallel on the pool (inside a transaction, and on SQLite, one at a time). The
    // impact and the reverse impact share one query per step of the graph (batchingReader).
    const excluded = exclusionsIn(repos, pass, change.id);
    const reverseEdges: Edge[] = [];
    const [reader, busy] = await Promise.all([
      graphReader(repos, pass.settings, change.ciIds),
      change.implementerId ? repos.schedule.plannedForImplementer(change.implementerId, change.plannedStart, change.plannedEnd, change.id, pass.finalStates) : Promise.resolve([]),
      excluded,
    ]);
    const [impactedCis, reverse] = await Promise.all([
      impactFor(repos, pass, change, reader, excluded),
      // Changes whose own impact could reach this one's CIs sit on the CIs this one's reverse impact reaches.
      pass.settings.depth > 0
        ? impactOf(change.ciIds, { ...pass.settings, direction: reverseDirection(pass.settings.direction) }, recording(reader, reverseEdges)).then((found) => found.map((i) => i.ciId))
        : Promise.resolve([]),
    ]);
    const impacted = new Set(impactedCis.map((i) => i.ciId));
    const reverseSet = new Set(reverse);
    const searchCis = [...new Set([...change.ciIds, ...impacted, ...reverse])];
    // NOTE: another change's exclusions matter only on the CIs its impact could walk into this one's through,
    // all of them in the reverse impact (see below): those are read beside the overlapping changes.
    const [rows, exclusionsNear] = await Promise.all([
      repos.schedule.plannedOnCis(searchCis, change.plannedStart, change.plannedEnd, change.id, pass.finalStates),
      reverse.length > 0 ? repos.schedule.exclusionsOnCis([...new Set([...change.ciIds, ...reverse])]) : Promise.resolve(new Map<string, Set<string>>()),
    ]);
    // NOTE: the other changes are built from the rows, not read again: pairConflicts and the impact below only
    // ever compare their CIs with CIs in searchCis, and the rows hold every CI of theirs in it. A change found
    // only through its implementer has none there, which leaves it just assignee_busy, as its full CIs would.
    const others = new Map<string, PlannedChange & { ciIds: string[] }>();
    const otherOf = (r: PlannedInterval) => {
      const other = others.get(r.changeId) ?? { id: r.changeId, start: Date.parse(r.start), end: Date.parse(r.end), ciIds: [] as string[], implementerId: r.implementerId, impacted: new Set<string>() };
      others.set(r.changeId, other);
      return other;
    };
    for (const r of rows) otherOf(r).ciIds.push(r.ciId);
    for (const r of busy) otherOf(r);
    const self: PlannedChange = { id: change.id, start: Date.parse(change.plannedStart), end: Date.parse(change.plannedEnd), ciIds: change.ciIds, implementerId: change.implementerId, impacted };
    const mine = new Set(change.ciIds);
    // Another change's impact matters only when nothing nearer already decides the pair.
    const needsTheirImpact = (other: PlannedChange) => !other.ciIds.some((id) => mine.has(id) || impacted.has(id)) && other.ciIds.some((id) => reverseSet.has(id));
    // NOTE: of another change's impact only the part on this change's CIs matters (pairConflicts reads nothing
    // else), and every path of at most `depth` steps into them was read by the reverse impact above. Walking
    // those edges with the other change's own exclusions finds exactly that part without reading any edge
    // again. It is not the other change's whole impact, so it is not kept in the pass.
    const near = readerOver(reverseEdges);
    await Promise.all(
      [...others.values()].filter(needsTheirImpact).map(async (other) => {
        other.impacted = new Set((await impactOf(other.ciIds, pass.settings, near, exclusionsNear.get(other.id) ?? new Set<string>())).map((i) => i.ciId));
      }),
    );
    const result = new Map<string, PairConflict[]>();
    // In id order, as the changes used to be read.
    for (const other of [...others.values()].sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))) {
      const found = pairConflicts(self, other);
      if (found.length > 0) result.set(other.id, found);
    }
    return result;
  }

  const toDesired = (otherId: string, p: PairConflict, userId: string | null): DesiredConflict => ({
    key: pairKey(p.kind, otherId),
    kind: p.kind,
    otherChangeId: otherId,
    windowId: null,
    serviceId: null,
    startsAt: iso(p.start),
    endsAt: iso(p.end),
    detail: p.kind === 'assignee_busy' ? { userId: userId ?? undefined } : { ciIds: p.ciIds },
  });

  /** Every conflict the change has now (none when it is closed or not planned), and its pair conflicts by other change. */
  async function compute(repos: Repositories, pass: Pass, change: ChangeRecord): Promise<{ desired: DesiredConflict[]; pairs: Map<string, PairConflict[]> }> {
    if (!planned(change, pass.finalStates)) return { desired: [], pairs: new Map() };
    const [pairs, desired] = await Promise.all([pairConflictsOf(repos, pass, change), windowConflicts(repos, pass, change)]);
    for (const [otherId, found] of pairs) for (const p of found) desired.push(toDesired(otherId, p, change.implementerId));
    return { desired, pairs };
  }

  /** What a refresh writes: rows to insert, ids to delete, rows to rewrite. Applied in bulk by `apply`. */
  interface Writes {
    /** When the rows inserted were created. */
    at: string;
    insert: ConflictRecord[];
    delete: string[];
    update: { id: string; startsAt: string; endsAt: string; detail: ConflictRecord['detail'] }[];
  }
  const noWrites = (): Writes => ({ at: nowIso(), insert: [], delete: [], update: [] });

  /**
   * What makes the `stored` rows of `changeId` equal `desired`, added to `writes`: new ones inserted, vanished
   * ones deleted, moved ones rewritten; acknowledgements and proposed slots of rows that remain are kept.
   */
  function diff(changeId: string, stored: readonly ConflictRecord[], desired: readonly DesiredConflict[], writes: Writes): void {
    // NOTE: called once per other change of a change on a busy CI, mostly with nothing stored: kept lean.
    if (stored.length === 0) {
      for (const d of desired) writes.insert.push({ id: deps.newId(), changeId, ...d, acknowledgement: null, createdAt: writes.at });
      return;
    }
    const byKey = new Map(stored.map((c) => [c.key, c]));
    const wanted = new Set(desired.map((d) => d.key));
    writes.delete.push(...stored.filter((c) => !wanted.has(c.key)).map((c) => c.id));
    for (const d of desired) {
      const before = byKey.get(d.key);
      if (!before) {
        writes.insert.push({ id: deps.newId(), changeId, ...d, acknowledgement: null, createdAt: writes.at });
        continue;
      }
      const detail = { ...d.detail, ...(before.detail.proposedSlot ? { proposedSlot: before.detail.proposedSlot } : {}) };
      if (before.startsAt !== d.startsAt || before.endsAt !== d.endsAt || JSON.stringify(before.detail) !== JSON.stringify(detail)) {
        writes.update.push({ id: before.id, startsAt: d.startsAt, endsAt: d.endsAt, detail });
      }
    }
  }

  /** Writes what `diff` collected: one DELETE and one multi-row INSERT per chunk, an UPDATE per moved row. */
  async function apply(repos: Repositories, writes: Writes): Promise<ConflictRecord[]> {
    await repos.schedule.deleteConflicts(writes.delete);
    await repos.schedule.insertConflicts(writes.insert);
    for (const u of writes.update) await repos.schedule.updateConflict(u.id, u);
    return writes.insert;
  }

  /** Makes the stored rows of `changeId` that `owns` selects equal `desired`; returns the rows added. */
  async function persist(repos: Repositories, changeId: string, desired: DesiredConflict[], owns: (c: ConflictRecord) => boolean): Promise<ConflictRecord[]> {
    const writes = noWrites();
    diff(changeId, (await repos.schedule.conflictsOf(changeId)).filter(owns), desired, writes);
    return apply(repos, writes);
  }

  /**
   * Recomputes the conflicts of the changes, inside the caller's transaction: their own rows, and the rows
   * of every change they conflicted or now conflict with that name them. `windowsOnly` recomputes only the
   * freeze and maintenance-window rows (a window moved; no pair can have changed). `current` is the caller's
   * up-to-date record of one of the changes, used instead of reading it. Returns the rows added.
   */
  async function refresh(
    repos: Repositories,
    changeIds: readonly string[],
    active: ActivePolicy | null,
    opts: { windowsOnly?: boolean; current?: ChangeRecord; fresh?: boolean } = {},
  ): Promise<ConflictRecord[]> {
    // Before anything is read: what other writers recomputed must be committed and visible (see lockSchedule).
    await repos.schedule.lockSchedule();
    const pass = startPass(repos, active, opts.fresh && opts.current ? new Set([opts.current.id]) : new Set());
    const added: ConflictRecord[] = [];
    for (const id of new Set(changeIds)) {
      const change = opts.current?.id === id ? opts.current : await repos.changes.findById(id);
      if (!change) continue;
      const inPlay = planned(change, pass.finalStates);
      if (opts.windowsOnly) {
        added.push(...(await persist(repos, id, inPlay ? await windowConflicts(repos, pass, change) : [], (c) => WINDOW_KINDS.has(c.kind))));
        continue;
      }
      const [{ desired, pairs }, { own, naming }] = await Promise.all([compute(repos, pass, change), pass.fresh.has(id) ? { own: [], naming: [] } : repos.schedule.conflictsAround(id)]);
      const writes = noWrites();
      diff(id, own, desired, writes);
      // The other side: every change named before or now gets the same pair conflicts, naming this one.
      // NOTE: the rows naming this one were read in one query above, so the cost of the other side does not
      // grow with a read (or a write) per other change: a change on a CI with hundreds of others planned at
      // the same time writes its rows and theirs in one INSERT per chunk.
      const namingByChange = new Map<string, ConflictRecord[]>();
      for (const c of naming) if (PAIR_KINDS.has(c.kind)) namingByChange.set(c.changeId, [...(namingByChange.get(c.changeId) ?? []), c]);
      for (const otherId of new Set([...namingByChange.keys(), ...pairs.keys()])) {
        diff(otherId, namingByChange.get(otherId) ?? [], (pairs.get(otherId) ?? []).map((p) => toDesired(id, p, change.implementerId)), writes);
      }
      added.push(...(await apply(repos, writes)));
    }
    return added;
  }

  /** The ids, names and numbers the API shows with conflicts. */
  async function present(repos: Repositories, rows: ConflictRecord[]): Promise<Conflict[]> {
    const others = new Map((await repos.changes.findManyByIds([...new Set(rows.map((r) => r.otherChangeId).filter((id): id is string => id !== null))])).map((c) => [c.id, c]));
    const windowIds = [...new Set(rows.map((r) => r.windowId).filter((id): id is string => id !== null))];
    const windows = new Map<string, WindowRecord>();
    for (const id of windowIds) {
      const w = await repos.windows.findWindow(id);
      if (w) windows.set(id, w);
    }
    const services = new Map((await repos.cmdb.findServicesByIds([...new Set(rows.map((r) => r.serviceId).filter((id): id is string => id !== null))])).map((s) => [s.id, s]));
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(rows.flatMap((r) => r.detail.ciIds ?? []))])).map((c) => [c.id, c]));
    const names = await repos.accounts.userNames([...new Set(rows.flatMap((r) => [r.acknowledgement?.by, r.detail.userId]).filter((id): id is string => !!id))]);
    return rows.map((r) => {
      const other = r.otherChangeId ? others.get(r.otherChangeId) : undefined;
      const w = r.windowId ? windows.get(r.windowId) : undefined;
      const s = r.serviceId ? services.get(r.serviceId) : undefined;
      const ciList = (r.detail.ciIds ?? []).map((id) => ({ id, name: cis.get(id)?.name ?? id }));
      const excepted = r.kind === 'freeze' && r.detail.excepted === true;
      const ciWords = ciList.map((c) => c.name).join(', ');
      const otherLabel = other ? `${other.number} (${other.title})` : 'another change';
      const message =
        r.kind === 'ci_overlap'
          ? `${otherLabel} works on ${ciWords} at the same time.`
          : r.kind === 'related_ci_overlap'
            ? `${otherLabel} works at the same time on ${ciWords}, within the impact of one of the two changes.`
            : r.kind === 'assignee_busy'
              ? `${names.get(r.detail.userId ?? '') ?? 'The implementer'} also implements ${otherLabel} at the same time.`
              : r.kind === 'freeze'
                ? `The change falls in the freeze "${w?.name ?? r.detail.windowName ?? 'freeze'}"${excepted ? ', covered by an approved freeze exception' : ''}.`
                : `${s?.name ?? 'A service'} requires its changes inside one of its maintenance windows, and this one is not.`;
      return {
        id: r.id,
        kind: r.kind,
        message,
        startsAt: r.startsAt,
        endsAt: r.endsAt,
        otherChange: other ? { id: other.id, number: other.number, title: other.title, state: other.state, plannedStart: other.plannedStart, plannedEnd: other.plannedEnd } : null,
        window: w ? { id: w.id, name: w.name, kind: w.kind } : null,
        service: s ? { id: s.id, name: s.name } : null,
        cis: ciList,
        excepted,
        blocking: (r.kind === 'freeze' && !excepted) || (r.kind === 'outside_maintenance_window' && r.acknowledgement === null),
        proposedSlot: r.detail.proposedSlot ?? null,
        acknowledgement: r.acknowledgement ? { ...r.acknowledgement, byName: names.get(r.acknowledgement.by) ?? r.acknowledgement.by } : null,
        createdAt: r.createdAt,
      };
    });
  }

  async function loadChange(repos: Repositories, id: string): Promise<ChangeRecord> {
    const change = await repos.changes.findById(id);
    if (!change) throw new NotFoundError('Change', id);
    return change;
  }

  /** Who hears about a change's schedule: its owner, else its requester. */
  const ownerOf = (c: ChangeRecord) => c.ownerId ?? c.requesterId;

  /** The first free slots for work on the CIs (read through the caller's repositories). */
  async function nextSlots(repos: Repositories, q: { ciIds: string[]; durationMinutes: number; after?: string; limit: number; implementerId?: string; excludeChangeId?: string }, active: ActivePolicy | null): Promise<NextSlots> {
    const pass = startPass(repos, active);
    // Never a slot in the past: the search starts now at the earliest.
    const from = Math.max(q.after ? Date.parse(q.after) : 0, deps.now().getTime());
    const until = from + NEXT_SLOT_HORIZON_DAYS * DAY_MS;
    // NOTE: reads that do not wait for one another are started together (see pairConflictsOf).
    const [cis, excluded, byImplementer] = await Promise.all([
      repos.cmdb.findCisByIds([...q.ciIds]),
      q.excludeChangeId ? exclusionsOf(repos, q.excludeChangeId) : Promise.resolve(new Set<string>()),
      q.implementerId ? repos.schedule.plannedForImplementer(q.implementerId, iso(from), iso(until), q.excludeChangeId ?? null, pass.finalStates) : Promise.resolve([]),
    ]);
    const ciIds = cis.map((c) => c.id);
    const reader = await graphReader(repos, pass.settings, ciIds);
    const [services, impacted, reverse] = await Promise.all([
      servicesOf(repos, cis),
      impactOf(ciIds, pass.settings, reader, excluded).then((found) => found.map((i) => i.ciId)),
      pass.settings.depth > 0 ? impactOf(ciIds, { ...pass.settings, direction: reverseDirection(pass.settings.direction) }, reader).then((found) => found.map((i) => i.ciId)) : Promise.resolve([]),
    ]);
    const target = targetOfCis(cis, services);
    const busy: Interval[] = [];
    const range = { start: new Date(from), end: new Date(until) };
    const [rows, { freezes, maintenance }] = await Promise.all([repos.schedule.plannedOnCis([...new Set([...ciIds, ...impacted, ...reverse])], iso(from), iso(until), q.excludeChangeId ?? null, pass.finalStates), pass.windows]);
    // The rows carry the planned intervals: the changes themselves need not be read.
    const intervals = new Map<string, { start: string; end: string }>();
    for (const r of [...rows, ...byImplementer]) intervals.set(r.changeId, r);
    for (const c of intervals.values()) busy.push({ start: Date.parse(c.start), end: Date.parse(c.end) });
    for (const w of freezes) {
      if (!scopeApplies(w.scope, target)) continue;
      for (const o of occurrences(w, range.start, range.end)) busy.push({ start: o.start.getTime(), end: o.end.getTime() });
    }
    const requiring = services.filter((s) => s.requiresMaintenanceWindow);
    const allowed = requiring.map((s) => {
      const serviceTarget: ScopeTarget = { ...targetOfCis(cis.filter((c) => c.serviceId === s.id), [s]), serviceIds: [s.id] };
      return maintenance.filter((w) => scopeApplies(w.scope, serviceTarget)).flatMap((w) => occurrences(w, range.start, range.end).map((o) => ({ start: o.start.getTime(), end: o.end.getTime() })));
    });
    const slots = freeSlots({ from, until, durationMs: q.durationMinutes * MINUTE_MS, busy, allowed: requiring.length > 0 ? allowed : null, limit: q.limit, stepMs: SLOT_STEP_MS });
    return {
      slots: slots.map((s) => ({ start: iso(s.start), end: iso(s.end) })),
      requiresMaintenanceWindow: requiring.map((s) => ({ id: s.id, name: s.name })),
      searchedUntil: iso(until),
    };
  }

  /**
   * After windows moved: recomputes the window conflicts of every open planned change, proposes a new slot
   * for each change that gained one and tells its owner, and applies or lifts lockdown holds.
   */
  async function windowsChanged(repos: Repositories, actor: Actor, active: ActivePolicy | null, touched: readonly WindowRecord[]): Promise<void> {
    const pass = startPass(repos, active);
    const ids = await repos.schedule.openPlannedIds(pass.finalStates);
    const added = await refresh(repos, ids, active, { windowsOnly: true });
    await propose(repos, added.filter((c) => !c.detail.excepted), active, { tell: true });
    if (touched.some((w) => w.kind === 'freeze')) await lockdown(repos, actor, active, touched.map((w) => w.id));
  }

  /**
   * For new window conflicts of changes still ahead: a proposed slot on the conflict, and with `tell`, a notice
   * to the change's owner (a window moved under them; nobody is told about their own edit).
   */
  async function propose(repos: Repositories, added: ConflictRecord[], active: ActivePolicy | null, opts: { tell: boolean; cause?: string; actorId?: string }): Promise<void> {
    const byChange = new Map<string, ConflictRecord[]>();
    for (const c of added) if (WINDOW_KINDS.has(c.kind)) byChange.set(c.changeId, [...(byChange.get(c.changeId) ?? []), c]);
    const now = deps.now().getTime();
    for (const [changeId, rows] of byChange) {
      const change = await repos.changes.findById(changeId);
      if (!change?.plannedStart || !change.plannedEnd || Date.parse(change.plannedEnd) <= now) continue;
      const duration = Math.round((Date.parse(change.plannedEnd) - Date.parse(change.plannedStart)) / MINUTE_MS);
      // The search starts where the change was planned (or now, if that has passed): the nearest good slot.
      const after = iso(Math.max(now, Date.parse(change.plannedStart)));
      const found = await nextSlots(repos, { ciIds: change.ciIds, durationMinutes: duration, after, limit: 1, excludeChangeId: change.id, implementerId: change.implementerId ?? undefined }, active);
      const slot = found.slots[0] ?? null;
      for (const row of rows) await repos.schedule.updateConflict(row.id, { startsAt: row.startsAt, endsAt: row.endsAt, detail: { ...row.detail, proposedSlot: slot } });
      if (!opts.tell) continue;
      const services = new Map((await repos.cmdb.findServicesByIds(rows.map((r) => r.serviceId).filter((id): id is string => id !== null))).map((sv) => [sv.id, sv.name]));
      const what = listWords(
        rows.map((r) => (r.kind === 'freeze' ? `the freeze "${r.detail.windowName}"` : `the maintenance windows of ${(r.serviceId && services.get(r.serviceId)) || 'one of its services'}, which it falls outside`)),
      );
      await deps.outbox.notify(repos, {
        recipients: [{ kind: 'user', ref: ownerOf(change) }],
        ...(opts.actorId ? { excludeUserIds: [opts.actorId] } : {}),
        kind: 'schedule_conflict',
        title: `${changeWords(change)}, planned for ${rangeToken(change.plannedStart, change.plannedEnd)}, now conflicts with ${what}.`,
        body: slot
          ? `${opts.cause ?? 'A window changed'}. Cabinet proposes ${rangeToken(slot.start, slot.end)} instead; open the change to take it.`
          : `${opts.cause ?? 'A window changed'}, and no free slot was found in the next ${NEXT_SLOT_HORIZON_DAYS} days.`,
        changeId: change.id,
      });
    }
  }

  /**
   * Leaves the other changes' side of a write to the worker: when the write gave other changes conflicts
   * naming this one, and someone else owns one of them, one outbox item (PEERS_TOPIC) says which rows; the
   * worker tells their owners (`tellOthers`). NOTE: one item and one existence check, whatever the number of
   * other changes: filing on a CI where hundreds of changes overlap costs the writer no notice each.
   */
  async function queueTellOthers(repos: Repositories, actor: Actor, change: ChangeRecord, added: ConflictRecord[], opts: { cmdb?: boolean } = {}): Promise<void> {
    // A write to a change tells the other side; a CMDB write moved neither change, so both sides hear.
    const theirs = added.filter((c) => PAIR_KINDS.has(c.kind) && (opts.cmdb ? c.otherChangeId !== null : c.changeId !== change.id && c.otherChangeId === change.id));
    if (theirs.length === 0) return;
    // Nobody is told about what they just did themselves: no item when the actor owns every other change.
    if (!(await repos.schedule.anyOwnedByOthers([...new Set(theirs.map((c) => c.changeId))], actor.userId))) return;
    await deps.outbox.enqueue(repos, PEERS_TOPIC, { changeId: change.id, actorId: actor.userId, conflictIds: theirs.map((c) => c.id), ...(opts.cmdb ? { cause: 'cmdb' } : {}) });
  }

  /**
   * The worker's half of `queueTellOthers`: tells the owner of each other change that it now conflicts with
   * this one, for the rows that still stand (a later write may have moved either change since).
   */
  async function tellOthers(repos: Repositories, payload: PeersPayload): Promise<void> {
    const change = await repos.changes.findById(payload.changeId);
    if (!change) return;
    const wanted = new Set(payload.conflictIds);
    // The rows that still stand, on either side of the change (a CMDB write queues both sides).
    const rows = [...(await repos.schedule.conflictsNaming(change.id)), ...(payload.cause === 'cmdb' ? await repos.schedule.conflictsOf(change.id) : [])].filter((c) => wanted.has(c.id) && c.otherChangeId);
    const told = new Map<string, ConflictRecord[]>();
    for (const c of rows) told.set(c.changeId, [...(told.get(c.changeId) ?? []), c]);
    const changes = new Map((await repos.changes.findManyByIds([...new Set(rows.flatMap((c) => [c.changeId, c.otherChangeId!]))])).map((c) => [c.id, c]));
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(rows.flatMap((r) => r.detail.ciIds ?? []))])).map((c) => [c.id, c.name]));
    const names = await repos.accounts.userNames([...new Set([payload.actorId, ...rows.map((r) => r.detail.userId).filter((id): id is string => !!id)])]);
    const actorName = names.get(payload.actorId) ?? 'Cabinet';
    for (const [mineId, mine] of told) {
      const yours = changes.get(mineId);
      if (!yours || ownerOf(yours) === payload.actorId) continue;
      // One notice per other change it now conflicts with, naming where and when they meet.
      const byOther = new Map<string, ConflictRecord[]>();
      for (const r of mine) byOther.set(r.otherChangeId!, [...(byOther.get(r.otherChangeId!) ?? []), r]);
      for (const [otherId, pair] of byOther) {
        const other = changes.get(otherId);
        if (!other) continue;
        const clauses = pair.map((r) => {
          const when = rangeToken(r.startsAt, r.endsAt);
          const where = listWords((r.detail.ciIds ?? []).map((id) => cis.get(id) ?? id));
          if (r.kind === 'ci_overlap') return `both work on ${where} on ${when}`;
          if (r.kind === 'related_ci_overlap') return `they work on related CIs (${where}) on ${when}`;
          return `${names.get(r.detail.userId ?? '') ?? 'the same person'} implements both on ${when}`;
        });
        const cause = payload.cause === 'cmdb' ? `A CMDB change by ${actorName} makes them meet` : `${actorName} planned ${changeWords(other)} so`;
        await deps.outbox.notify(repos, {
          recipients: [{ kind: 'user', ref: ownerOf(yours) }],
          kind: 'schedule_conflict',
          title: `Your change ${changeWords(yours)} now conflicts with ${changeWords(other)}.`,
          body: `${cause}: ${listWords(clauses)}.`,
          changeId: yours.id,
        });
      }
    }
  }
  deps.outbox.handle(PEERS_TOPIC, { deliver: (repos, payload) => tellOthers(repos, payload as unknown as PeersPayload) });

  /**
   * Lockdown: open changes planned in the current occurrence of an urgent freeze in their scope are held
   * until it ends; holds whose freeze is over, gone, no longer urgent or no longer covering are released.
   * `touchedWindowIds` re-evaluates the holds of those windows (they were edited).
   */
  async function lockdown(repos: Repositories, actor: Actor, active: ActivePolicy | null, touchedWindowIds: readonly string[] = []): Promise<{ held: number; released: number }> {
    const now = deps.now();
    const at = now.toISOString();
    const pass = startPass(repos, active);
    let held = 0;
    let released = 0;
    const urgent = (await pass.windows).freezes.filter((w) => w.urgent);
    const current = urgent.flatMap((w) => occurrences(w, now, new Date(now.getTime() + 1), 1).map((o) => ({ w, o })));
    const touched = new Set(touchedWindowIds);
    const release = async (change: ChangeRecord, why: string) => {
      await repos.schedule.setHold(change.id, null);
      await audit(repos, actor, at, 'change.released', 'change', change.id, { number: change.number, windowId: change.hold?.windowId, reason: why });
      await deps.outbox.notify(repos, { recipients: [{ kind: 'user', ref: ownerOf(change) }], kind: 'change_released', title: `${changeWords(change)} is no longer on hold.`, body: why, changeId: change.id });
      released++;
    };
    const heldIds = new Set([...(await repos.schedule.heldUntil(at))]);
    for (const id of heldIds) {
      const change = await repos.changes.findById(id);
      if (change?.hold) await release(change, 'The urgent freeze that held it has ended.');
    }
    for (const { w, o } of current) {
      const ids = await repos.schedule.openPlannedIds(pass.finalStates, at);
      for (const change of await repos.changes.findManyByIds(ids)) {
        if (change.hold || !change.plannedStart || !change.plannedEnd) continue;
        if (!(Date.parse(change.plannedStart) < o.end.getTime() && o.start.getTime() < Date.parse(change.plannedEnd))) continue;
        const { target } = await targetOf(repos, change.ciIds);
        if (!scopeApplies(w.scope, target)) continue;
        await repos.schedule.setHold(change.id, { windowId: w.id, until: o.end.toISOString() });
        await audit(repos, actor, at, 'change.held', 'change', change.id, { number: change.number, windowId: w.id, windowName: w.name, until: o.end.toISOString() });
        await deps.outbox.notify(repos, {
          recipients: [{ kind: 'user', ref: ownerOf(change) }],
          kind: 'change_held',
          title: `${changeWords(change)} is on hold: urgent freeze "${w.name}".`,
          body: `It cannot move until the freeze ends at ${timeToken(o.end.toISOString())}, unless it is cancelled.`,
          changeId: change.id,
        });
        held++;
      }
    }
    if (touched.size > 0) {
      // Holds of an edited freeze that no longer hold: the freeze was deleted, made not urgent, or moved away.
      const stillHolding = new Set(current.map(({ w }) => w.id));
      const ids = await repos.schedule.openPlannedIds(pass.finalStates);
      for (const change of await repos.changes.findManyByIds(ids)) {
        if (change.hold && touched.has(change.hold.windowId) && !stillHolding.has(change.hold.windowId)) await release(change, 'The urgent freeze that held it was changed or removed.');
      }
    }
    return { held, released };
  }

  function presentException(e: FreezeExceptionRecord, names: Map<string, string>, windowNames: Map<string, string>): FreezeException {
    return {
      id: e.id,
      changeId: e.changeId,
      windows: e.windowIds.map((id) => ({ id, name: windowNames.get(id) ?? id })),
      reason: e.reason,
      risk: e.risk,
      mitigation: e.mitigation,
      acceptedBy: { id: e.acceptedBy, name: names.get(e.acceptedBy) ?? e.acceptedBy },
      state: e.state,
      createdBy: e.createdBy,
      createdAt: e.createdAt,
      decidedAt: e.decidedAt,
    };
  }

  async function exceptionsView(repos: Repositories, changeId: string): Promise<FreezeException[]> {
    const rows = await repos.schedule.freezeExceptionsOf(changeId);
    const names = await repos.accounts.userNames([...new Set(rows.map((r) => r.acceptedBy))]);
    const windowNames = new Map<string, string>();
    for (const id of new Set(rows.flatMap((r) => r.windowIds))) {
      const w = await repos.windows.findWindow(id);
      if (w) windowNames.set(id, w.name);
    }
    return rows.map((r) => presentException(r, names, windowNames));
  }

  /** Settles the open freeze exception of the change from its stage's approvals, and re-marks its freezes. */
  async function settleException(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy): Promise<void> {
    const stage = active.bundle.schedule.freezeExceptions?.stage;
    const open = (await repos.schedule.freezeExceptionsOf(change.id)).find((e) => e.state === 'requested');
    if (!open) return;
    const approvals = (await repos.approvals.forChange(change.id)).filter((a) => a.stage === stage && a.state !== 'withdrawn' && a.createdAt >= open.createdAt);
    const outcome = approvals.some((a) => a.state === 'rejected') ? 'rejected' : approvals.every((a) => a.state === 'approved') ? 'approved' : null;
    if (!outcome) return;
    const at = nowIso();
    if (!(await repos.schedule.setFreezeExceptionState(open.id, 'requested', outcome, at))) return;
    await audit(repos, actor, at, outcome === 'approved' ? 'change.freeze_exception_approved' : 'change.freeze_exception_rejected', 'change', change.id, { number: change.number, exceptionId: open.id, windowIds: open.windowIds });
    await refresh(repos, [change.id], active, { windowsOnly: true });
  }

  /**
   * The conflicts the change has now, computed without writing anything (what `refresh` would store for it).
   * Used by the benchmark and by anything that wants to ask "what if" inside a transaction.
   */
  async function check(repos: Repositories, change: ChangeRecord, active: ActivePolicy | null): Promise<DesiredConflict[]> {
    return (await compute(repos, startPass(repos, active), change)).desired;
  }

  // A new policy whose impact settings differ changes which CIs are related: every planned change is recomputed.
  policy.onApplied(async (_actor, previous, next) => {
    if (!previous || JSON.stringify(previous.bundle.schedule.impact) === JSON.stringify(next.bundle.schedule.impact)) return;
    await store.transaction(async (repos) => refresh(repos, await repos.schedule.openPlannedIds(finalStatesOf(next)), next));
  });

  const service = {
    hooks,
    check,
    nextSlots,
    refresh,
    windowsChanged,
    lockdown,
    settleException,

    /**
     * After a write to a change (inside its transaction): recomputes its conflicts on both sides, and queues
     * the notices to the owners of changes it now conflicts with (the worker sends them).
     */
    /**
     * Recomputes the conflicts of a change the caller just wrote (`change` is that record: it is not read
     * again), and of the changes around it. `fresh`: the caller filed it in this transaction.
     */
    async changeMoved(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy | null, opts: { fresh?: boolean } = {}): Promise<void> {
      const added = await refresh(repos, [change.id], active, { current: change, fresh: opts.fresh });
      // Planned into a freeze (or outside a required window): the change gets a proposed slot at once.
      await propose(repos, added.filter((c) => c.changeId === change.id && !c.detail.excepted), active, { tell: false });
      await queueTellOthers(repos, actor, change, added);
    },

    /** After the CMDB changed around these CIs: every open change within reach of them is recomputed. */
    async cisChanged(repos: Repositories, actor: Actor, ciIds: readonly string[], active: ActivePolicy | null): Promise<void> {
      if (ciIds.length === 0 || !active) return;
      const settings = active.bundle.schedule.impact;
      // A change whose impact reaches these CIs, or which these CIs' impact reaches, can be affected.
      const near = settings.depth > 0 ? await impactOf([...ciIds], { ...settings, direction: 'both' }, edgeReader(repos)) : [];
      const ids = await repos.changes.openChangeIdsTouching([...new Set([...ciIds, ...near.map((n) => n.ciId)])], finalStatesOf(active));
      for (const id of ids) {
        const change = await repos.changes.findById(id);
        if (!change) continue;
        // As changeMoved, but the owners of both sides of a new conflict hear: the CMDB writer moved neither change.
        const added = await refresh(repos, [change.id], active, { current: change });
        // A CMDB write that puts a change outside its service's windows tells its owner too (unless they wrote it).
        await propose(repos, added.filter((c) => c.changeId === change.id && !c.detail.excepted), active, { tell: true, cause: `A CMDB change by ${actor.name} brought it there`, actorId: actor.userId });
        await queueTellOthers(repos, actor, change, added, { cmdb: true });
      }
    },

    /** Conflicts that stop the change entering `scheduled`: freezes without an approved exception, unacknowledged maintenance-window ones. */
    async blocking(repos: Repositories, changeId: string): Promise<Conflict[]> {
      return (await present(repos, await repos.schedule.conflictsOf(changeId))).filter((c) => c.blocking);
    },

    async conflicts(actor: Actor, changeId: string): Promise<ChangeConflicts> {
      assertPermission(actor, 'change.read');
      const change = await loadChange(store.repos, changeId);
      const active = await policy.activeOrNull();
      return { items: await present(store.repos, await store.repos.schedule.conflictsOf(change.id)), checked: planned(change, active ? finalStatesOf(active) : []) };
    },

    /** A change manager accepts a conflict with a reason (audited); 409 when it already is. */
    async acknowledge(actor: Actor, changeId: string, conflictId: string, input: z.output<typeof AcknowledgeConflictInput>): Promise<Conflict> {
      assertPermission(actor, 'change.acknowledge_conflict');
      return store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        const conflict = await repos.schedule.findConflict(conflictId);
        if (!conflict || conflict.changeId !== change.id) throw new NotFoundError('Conflict', conflictId);
        if (conflict.kind === 'freeze') {
          throw new PolicyError('freeze_needs_exception', 'A freeze is not acknowledged: request a freeze exception for the change instead.', { conflictId });
        }
        const at = nowIso();
        if (!(await repos.schedule.acknowledge(conflict.id, { by: actor.userId, at, reason: input.reason }))) {
          throw new ConflictError('already_acknowledged', 'This conflict was already acknowledged.', { conflictId });
        }
        await audit(repos, actor, at, 'change.conflict_acknowledged', 'change', change.id, { number: change.number, conflictId, kind: conflict.kind, otherChangeId: conflict.otherChangeId, reason: input.reason });
        return (await present(repos, [(await repos.schedule.findConflict(conflict.id))!]))[0]!;
      });
    },

    async impact(actor: Actor, changeId: string): Promise<ChangeImpact> {
      assertPermission(actor, 'change.read');
      const repos = store.repos;
      const change = await loadChange(repos, changeId);
      const active = await policy.activeOrNull();
      const pass = startPass(repos, active);
      const impacted = await impactFor(repos, pass, change);
      const exclusions = await repos.schedule.exclusionsOf(change.id);
      const cis = new Map((await repos.cmdb.findCisByIds([...new Set([...change.ciIds, ...impacted.map((i) => i.ciId), ...exclusions.map((e) => e.ciId)])])).map((c) => [c.id, c]));
      const serviceIds = [...new Set([...cis.values()].map((c) => c.serviceId).filter((id): id is string => id !== null))];
      const serviceNames = new Map((await repos.cmdb.findServicesByIds(serviceIds)).map((s) => [s.id, s.name]));
      const names = await repos.accounts.userNames(exclusions.map((e) => e.createdBy));
      const summarised = impacted.length > pass.settings.summariseAbove;
      const byService = new Map<string | null, { count: number; affected: boolean }>();
      for (const id of change.ciIds) byService.set(cis.get(id)?.serviceId ?? null, { count: byService.get(cis.get(id)?.serviceId ?? null)?.count ?? 0, affected: true });
      for (const i of impacted) {
        const key = cis.get(i.ciId)?.serviceId ?? null;
        const entry = byService.get(key) ?? { count: 0, affected: false };
        byService.set(key, { ...entry, count: entry.count + 1 });
      }
      const ciView = (id: string) => ({ id, name: cis.get(id)?.name ?? id, serviceId: cis.get(id)?.serviceId ?? null });
      return {
        settings: { direction: pass.settings.direction, depth: pass.settings.depth, relationTypes: pass.settings.relationTypes, summariseAbove: pass.settings.summariseAbove },
        affected: change.ciIds.map(ciView),
        impacted: summarised ? [] : impacted.map((i) => ({ ...ciView(i.ciId), depth: i.depth, via: { id: i.viaCiId, name: cis.get(i.viaCiId)?.name ?? i.viaCiId } })),
        impactedCount: impacted.length,
        summarised,
        services: [...byService.entries()]
          .map(([id, v]) => ({ id, name: id ? (serviceNames.get(id) ?? id) : 'No service', ciCount: v.count, affected: v.affected }))
          .sort((a, b) => b.ciCount - a.ciCount || a.name.localeCompare(b.name)),
        excluded: exclusions.map((e) => ({ id: e.ciId, name: cis.get(e.ciId)?.name ?? e.ciId, reason: e.reason, by: e.createdBy, byName: names.get(e.createdBy) ?? e.createdBy, at: e.createdAt })),
      };
    },

    /** Leaves a CI out of the change's impact, with a reason (audited); its conflicts are recomputed. */
    async excludeCi(actor: Actor, changeId: string, input: z.output<typeof ExcludeCiInput>): Promise<ChangeImpact> {
      assertPermission(actor, 'change.update');
      const active = await policy.activeOrNull();
      await store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        assertMayEdit(actor, change);
        const ci = await repos.cmdb.findCi(input.ciId);
        const issues: Issue[] = [];
        if (!ci) issues.push({ path: 'ciId', message: `unknown CI ${input.ciId}` });
        else if (change.ciIds.includes(ci.id)) issues.push({ path: 'ciId', message: `${ci.name} is an affected CI of the change; remove it from the affected CIs instead` });
        throwIfIssues(issues, 'The CI cannot be excluded.');
        if ((await repos.schedule.exclusionsOf(change.id)).some((e) => e.ciId === ci!.id)) throw new ConflictError('already_excluded', `${ci!.name} is already excluded from the impact of ${change.number}.`);
        const at = nowIso();
        await repos.schedule.insertExclusion({ changeId: change.id, ciId: ci!.id, reason: input.reason, createdBy: actor.userId, createdAt: at });
        await audit(repos, actor, at, 'change.impact_excluded', 'change', change.id, { number: change.number, ciId: ci!.id, ciName: ci!.name, reason: input.reason });
        await service.changeMoved(repos, actor, change, active);
      });
      return service.impact(actor, changeId);
    },

    async includeCi(actor: Actor, changeId: string, ciId: string): Promise<ChangeImpact> {
      assertPermission(actor, 'change.update');
      const active = await policy.activeOrNull();
      await store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        assertMayEdit(actor, change);
        if (!(await repos.schedule.deleteExclusion(change.id, ciId))) throw new NotFoundError('Exclusion', ciId);
        await audit(repos, actor, nowIso(), 'change.impact_included', 'change', change.id, { number: change.number, ciId });
        await service.changeMoved(repos, actor, change, active);
      });
      return service.impact(actor, changeId);
    },

    /** The first free slots for work on the CIs; 400 lists unknown CIs and every other problem. */
    async nextSlot(actor: Actor, query: NextSlotQuery): Promise<NextSlots> {
      assertPermission(actor, 'change.read');
      const repos = store.repos;
      const issues: Issue[] = [];
      const ciIds: string[] = [];
      for (const [i, ref] of query.ciIds.entries()) {
        const ci = await repos.cmdb.findCi(ref);
        if (ci) ciIds.push(ci.id);
        else issues.push({ path: `query.ciIds.${i}`, message: `unknown CI ${ref}` });
      }
      if (query.excludeChangeId && !(await repos.changes.findById(query.excludeChangeId))) issues.push({ path: 'query.excludeChangeId', message: `unknown change ${query.excludeChangeId}` });
      if (query.implementerId && (await repos.accounts.existingUserIds([query.implementerId])).size === 0) issues.push({ path: 'query.implementerId', message: `unknown user ${query.implementerId}` });
      throwIfIssues(issues, 'The search names records that do not exist.');
      const excludeChangeId = query.excludeChangeId ? (await repos.changes.findById(query.excludeChangeId))!.id : undefined;
      return nextSlots(repos, { ...query, ciIds, excludeChangeId }, await policy.activeOrNull());
    },

    async freezeExceptions(actor: Actor, changeId: string): Promise<FreezeException[]> {
      assertPermission(actor, 'change.read');
      const change = await loadChange(store.repos, changeId);
      return exceptionsView(store.repos, change.id);
    },

    /**
     * Requests an exception for the freezes the change falls in, with its risk acceptance. It adds the
     * approvals of the stage the policy names; the exception is granted when they are all approved (at once
     * when the policy names no stage or no rule of it applies). 422 `no_freeze_conflict`, 409 when one is open.
     */
    async requestFreezeException(actor: Actor, changeId: string, input: z.output<typeof FreezeExceptionInput>): Promise<FreezeException[]> {
      assertPermission(actor, 'change.update');
      const active = await policy.active();
      await store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        assertMayEdit(actor, change);
        const accepter = (await repos.accounts.findUserById(input.acceptedBy)) ?? (await repos.accounts.findUserByEmail(input.acceptedBy));
        throwIfIssues(accepter ? [] : [{ path: 'acceptedBy', message: `unknown user ${input.acceptedBy}` }], 'The freeze exception has invalid values.');
        const freezes = (await repos.schedule.conflictsOf(change.id)).filter((c) => c.kind === 'freeze' && !c.detail.excepted);
        if (freezes.length === 0) throw new PolicyError('no_freeze_conflict', `${change.number} falls in no freeze; it needs no exception.`);
        const existing = await repos.schedule.freezeExceptionsOf(change.id);
        if (existing.some((e) => e.state === 'requested')) throw new ConflictError('exception_pending', `${change.number} already has a freeze exception waiting for approval.`);
        const at = nowIso();
        const record: FreezeExceptionRecord = {
          id: deps.newId(),
          changeId: change.id,
          windowIds: [...new Set(freezes.map((f) => f.windowId!))],
          reason: input.reason,
          risk: input.risk,
          mitigation: input.mitigation,
          acceptedBy: accepter!.id,
          state: 'requested',
          createdBy: actor.userId,
          createdAt: at,
          decidedAt: null,
        };
        await repos.schedule.insertFreezeException(record);
        await audit(repos, actor, at, 'change.freeze_exception_requested', 'change', change.id, {
          number: change.number,
          exceptionId: record.id,
          windowIds: record.windowIds,
          reason: record.reason,
          risk: record.risk,
          mitigation: record.mitigation,
          acceptedBy: { id: accepter!.id, name: accepter!.name },
        });
        const stage = active.bundle.schedule.freezeExceptions?.stage;
        const created = stage && hooks.requestFreezeStage ? await hooks.requestFreezeStage(repos, actor, change, active, stage) : 0;
        if (created === 0) {
          await repos.schedule.setFreezeExceptionState(record.id, 'requested', 'approved', at);
          await audit(repos, actor, at, 'change.freeze_exception_approved', 'change', change.id, { number: change.number, exceptionId: record.id, windowIds: record.windowIds, reason: 'the policy asks no approval for it' });
          await refresh(repos, [change.id], active, { windowsOnly: true });
        }
      });
      return service.freezeExceptions(actor, changeId);
    },

    /** Withdraws the open (or granted) exception; its open approvals are cancelled and the freezes block again. */
    async withdrawFreezeException(actor: Actor, changeId: string, exceptionId: string): Promise<FreezeException[]> {
      assertPermission(actor, 'change.update');
      const active = await policy.active();
      await store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        assertMayEdit(actor, change);
        const e = (await repos.schedule.freezeExceptionsOf(change.id)).find((x) => x.id === exceptionId);
        if (!e) throw new NotFoundError('Freeze exception', exceptionId);
        if (e.state !== 'requested' && e.state !== 'approved') throw new ConflictError('exception_closed', `This freeze exception is ${e.state}.`, { state: e.state });
        const at = nowIso();
        if (!(await repos.schedule.setFreezeExceptionState(e.id, e.state, 'withdrawn', at))) throw new ConflictError('exception_closed', 'This freeze exception was decided meanwhile.');
        const stage = active.bundle.schedule.freezeExceptions?.stage;
        if (stage && hooks.cancelFreezeStage) await hooks.cancelFreezeStage(repos, change.id, stage);
        await audit(repos, actor, at, 'change.freeze_exception_withdrawn', 'change', change.id, { number: change.number, exceptionId: e.id });
        await refresh(repos, [change.id], active, { windowsOnly: true });
      });
      return service.freezeExceptions(actor, changeId);
    },

    /** The worker's pass: applies and lifts lockdown holds as urgent freezes begin and end. */
    async tick(): Promise<{ held: number; released: number }> {
      const active = await policy.activeOrNull();
      return store.transaction((repos) => lockdown(repos, systemActor(), active));
    },
  };
  return service;
}
export type ScheduleService = ReturnType<typeof createScheduleService>;
