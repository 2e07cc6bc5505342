import { createHash } from 'node:crypto';
import { assertMayEdit } from '../domain/change/edit-rights';
import type { z } from 'zod';
import type { AcknowledgeConflictInput, ChangeConflicts, ConflictCheckInput, ChangeImpact, Conflict, ExcludeCiInput, FreezeException, FreezeExceptionInput, NextSlotQuery, NextSlots } from '../contracts/conflicts';
import { systemActor, type Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { ConflictError, NotFoundError, PolicyError, type Issue } from '../domain/errors';
import { covers, freeSlots, pairConflicts, type Interval, type PairConflict, type PlannedChange } from '../domain/schedule/conflicts';
import { impactOf, reverseDirection, type Edge, type EdgeReader, type ImpactedCi, type ImpactSettings } from '../domain/schedule/impact';
import { scopeApplies, targetOfCis, type ScopeTarget } from '../domain/schedule/scope';
import { occurrences, within } from '../domain/schedule/windows';
import type { ChangeRecord, ConflictKind, ConflictRecord, FreezeExceptionRecord, Repositories, WindowRecord } from '../db/repositories';
import type { PlannedInterval } from '../db/repositories/schedule.repository';
import { audit, throwIfIssues, type ServiceDeps } from './context';
import { changeWords, listWords, rangeToken, timeToken } from '../domain/notification/texts';
import type { OutboxService } from './outbox.service';
import type { SubscriptionService } from './subscription.service';
import { finalStatesOf, type ActivePolicy, type PolicyService } from './policy.service';
import { ACKNOWLEDGE_DEFAULTS } from '../policy/schedule.schema';

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
const WINDOW_KINDS: ReadonlySet<ConflictKind> = new Set(['freeze', 'outside_maintenance_window']);
/** How many changes' pairs the markers derive at once (each a few reads; on PostgreSQL they share the pool). */
const MARKER_DERIVATIONS_AT_ONCE = 8;
/** Of every open change (Home's conflict queue), at most this many have their related-CI pairs derived. */
const MARKER_DERIVATION_LIMIT = 500;
/** The outbox topic of the other changes' follow-up of a write: telling their owners about new conflicts. */
export const PEERS_TOPIC = 'schedule.conflicts_added';
/**
 * A pair a write created: `changeId` was written (or, after a CMDB write, either side), `otherId` meets it, as
 * the outbox item carries it (small: on a hot CI one write creates hundreds). Where and when they meet is
 * derived again when the notice is sent.
 */
interface NewPair {
  changeId: string;
  otherId: string;
  kind: PairConflict['kind'];
}
/** A pair that still stands when its notice is sent: where and when the two meet, and who implements both. */
interface StandingPair extends NewPair {
  start: string;
  end: string;
  ciIds: string[];
  userId: string | null;
}
/** An item of PEERS_TOPIC: the pairs a write created; `cause: 'cmdb'` when a CMDB write created them (both sides hear). */
interface PeersPayload {
  actorId: string;
  pairs: NewPair[];
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
  /** Relations the pass must not see: the graph as it was before they were added (see tellOthers). */
  hideEdges?: readonly Edge[];
}

const iso = (ms: number) => new Date(ms).toISOString();
/** The pair kinds the policy wants acknowledged before a change is scheduled (default: the same CI). */
const acknowledgeKinds = (active: ActivePolicy | null): ReadonlySet<string> => new Set(active ? active.bundle.schedule.acknowledgeBeforeScheduling : ACKNOWLEDGE_DEFAULTS);
const pairKey = (kind: string, otherId: string) => `${kind}:${otherId}`;
/**
 * The id of a pair conflict, derived (pairs are not stored): the same for as long as the pair is, different on
 * each side, shaped as a UUID (version 8, from SHA-256 of the change id and the pair key).
 */
export function pairConflictId(changeId: string, key: string): string {
  const hex = createHash('sha256').update(`${changeId}\u0000${key}`).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Whether a change takes part in the schedule: open, with a planned start and end. */
/** What the conflict search reads of a change: a stored change, or a plan not saved yet (checkPlan). */
type SchedulePlan = Pick<ChangeRecord, 'id' | 'state' | 'ciIds' | 'plannedStart' | 'plannedEnd' | 'implementerId' | 'updatedAt'>;

function planned<C extends SchedulePlan>(change: C, finalStates: readonly string[]): change is C & { plannedStart: string; plannedEnd: string } {
  return change.plannedStart !== null && change.plannedEnd !== null && !finalStates.includes(change.state);
}

export interface ScheduleServiceDeps extends ServiceDeps {
  policy: PolicyService;
  outbox: OutboxService;
  /** Tells a held change's audience of the lockdown (urgent, through quiet hours). */
  subscriptions?: SubscriptionService;
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
  async function windowConflicts(repos: Repositories, pass: Pass, change: SchedulePlan & { plannedStart: string; plannedEnd: string }): Promise<DesiredConflict[]> {
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
  async function pairConflictsOf(repos: Repositories, pass: Pass, change: SchedulePlan & { plannedStart: string; plannedEnd: string }): Promise<Map<string, PairConflict[]>> {
    // NOTE: reads that do not wait for one another are started together, here and below: on PostgreSQL outside a
    // transaction they run in parallel on the pool (inside a transaction, and on SQLite, one at a time). The
    // impact and the reverse impact share one query per step of the graph (batchingReader).
    const excluded = exclusionsIn(repos, pass, change.id);
    const reverseEdges: Edge[] = [];
    const [reader, busy] = await Promise.all([
      graphReader(repos, pass.settings, change.ciIds).then((r) => without(r, pass.hideEdges ?? [])),
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

  /**
   * The change's conflicts with other changes, derived now (they are never stored: see migration 0019), as
   * records: each with an id that stays the same while the pair does, and the acknowledgement that still
   * covers its overlap.
   */
  async function pairRecords(repos: Repositories, pass: Pass, change: SchedulePlan): Promise<ConflictRecord[]> {
    if (!planned(change, pass.finalStates)) return [];
    const [pairs, acks] = await Promise.all([pairConflictsOf(repos, pass, change), repos.schedule.pairAcknowledgements(change.id)]);
    const records: ConflictRecord[] = [];
    for (const [otherId, found] of pairs) {
      for (const p of found) {
        const d = toDesired(otherId, p, change.implementerId);
        const ack = acks.get(d.key);
        records.push({
          id: pairConflictId(change.id, d.key),
          changeId: change.id,
          ...d,
          acknowledgement: ack && covers(ack, d) ? { by: ack.by, at: ack.at, reason: ack.reason } : null,
          // Replaced by the later of the two changes' last edits when presented (see `present`).
          createdAt: change.updatedAt,
        });
      }
    }
    return records;
  }

  /** Every conflict of the change: its stored window conflicts and its pairs, derived now. */
  async function currentConflicts(repos: Repositories, change: ChangeRecord, active: ActivePolicy | null): Promise<ConflictRecord[]> {
    const [stored, pairs] = await Promise.all([repos.schedule.conflictsOf(change.id), pairRecords(repos, startPass(repos, active), change)]);
    return [...stored, ...pairs].sort((x, y) => x.startsAt.localeCompare(y.startsAt) || x.key.localeCompare(y.key));
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

  /**
   * Recomputes the stored conflicts of the changes, inside the caller's transaction: their freeze and
   * maintenance-window conflicts (pairs are derived when read). `current` is the caller's up-to-date record of
   * one of the changes, used instead of reading it; `fresh`: the caller filed it in this transaction (it has
   * no rows yet). `lock`: exclusive when the windows were written. Returns the rows added.
   */
  async function refresh(
    repos: Repositories,
    changeIds: readonly string[],
    active: ActivePolicy | null,
    opts: { current?: ChangeRecord; fresh?: boolean; lock?: 'shared' | 'exclusive' } = {},
  ): Promise<ConflictRecord[]> {
    // Before anything is read: what a writer of the windows wrote must be committed and visible (see lockSchedule).
    await repos.schedule.lockSchedule(opts.lock ?? 'shared');
    const pass = startPass(repos, active, opts.fresh && opts.current ? new Set([opts.current.id]) : new Set());
    const writes = noWrites();
    for (const id of new Set(changeIds)) {
      const change = opts.current?.id === id ? opts.current : await repos.changes.findById(id);
      if (!change) continue;
      const [desired, stored] = await Promise.all([
        planned(change, pass.finalStates) ? windowConflicts(repos, pass, change) : Promise.resolve([]),
        pass.fresh.has(id) ? Promise.resolve([]) : repos.schedule.conflictsOf(id),
      ]);
      diff(id, stored, desired, writes);
    }
    return apply(repos, writes);
  }

  /** The ids, names and numbers the API shows with conflicts. */
  async function present(repos: Repositories, rows: ConflictRecord[], active: ActivePolicy | null = null): Promise<Conflict[]> {
    const mustAcknowledge = acknowledgeKinds(active);
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
        blocking: (r.kind === 'freeze' && !excepted) || ((r.kind === 'outside_maintenance_window' || mustAcknowledge.has(r.kind)) && r.acknowledgement === null),
        proposedSlot: r.detail.proposedSlot ?? null,
        acknowledgement: r.acknowledgement ? { ...r.acknowledgement, byName: names.get(r.acknowledgement.by) ?? r.acknowledgement.by } : null,
        // A pair is as old as the later of the two changes' last edits that made them meet, at the latest.
        createdAt: other && r.otherChangeId && other.updatedAt > r.createdAt ? other.updatedAt : r.createdAt,
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
    const added = await refresh(repos, ids, active, { lock: 'exclusive' });
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
   * The pairs `change` has now that it did not have `before` (the pass of `before` may hide relations: the
   * graph before a CMDB write added them). NOTE: derived in the writer's transaction, where what the other
   * changes were at the time of the write is what it reads; the notices themselves go through the outbox.
   */
  async function newPairs(repos: Repositories, active: ActivePolicy | null, change: ChangeRecord, before: { record?: ChangeRecord; hideEdges?: Edge[]; fresh?: boolean }): Promise<NewPair[]> {
    const finalStates = active ? finalStatesOf(active) : [];
    if (!planned(change, finalStates)) return [];
    const now = await pairConflictsOf(repos, startPass(repos, active, before.fresh ? new Set([change.id]) : new Set()), change);
    if (now.size === 0) return [];
    const earlier = before.hideEdges ? change : before.record;
    const had = earlier && planned(earlier, finalStates) ? await pairConflictsOf(repos, { ...startPass(repos, active), hideEdges: before.hideEdges }, earlier) : new Map<string, PairConflict[]>();
    const found: NewPair[] = [];
    for (const [otherId, pairs] of now) {
      const kinds = new Set((had.get(otherId) ?? []).map((p) => p.kind));
      for (const p of pairs) if (!kinds.has(p.kind)) found.push({ changeId: change.id, otherId, kind: p.kind });
    }
    return found;
  }

  /**
   * Leaves the other changes' side of a write to the worker: when the write gave changes new pairs, and
   * someone other than the writer owns one of the changes to be told, one outbox item (PEERS_TOPIC) lists
   * the pairs; the worker tells the owners (`tellOthers`). NOTE: one item and one existence check, whatever
   * the number of other changes: filing on a CI where hundreds of changes overlap costs the writer no notice each.
   */
  async function queueTellOthers(repos: Repositories, actor: Actor, pairs: NewPair[], cause?: 'cmdb'): Promise<void> {
    if (pairs.length === 0) return;
    const told = [...new Set(pairs.flatMap((p) => (cause === 'cmdb' ? [p.changeId, p.otherId] : [p.otherId])))];
    if (!(await repos.schedule.anyOwnedByOthers(told, actor.userId))) return;
    await deps.outbox.enqueue(repos, PEERS_TOPIC, { actorId: actor.userId, pairs, ...(cause ? { cause } : {}) });
  }

  /** An edge reader that does not see these edges (the graph before they were added). */
  const without = (reader: EdgeReader, edges: readonly Edge[]): EdgeReader => {
    if (edges.length === 0) return reader;
    const gone = new Set(edges.map((e) => `${e.fromCiId}\u0000${e.toCiId}\u0000${e.type}`));
    return async (ciIds, direction, types) => (await reader(ciIds, direction, types)).filter((e) => !gone.has(`${e.fromCiId}\u0000${e.toCiId}\u0000${e.type}`));
  };

  /**
   * The worker's half of `queueTellOthers`: for the pairs that still stand (a later write may have moved
   * either change since), a notice to the owner of the other change: "your change now conflicts with this
   * one". After a CMDB write both sides hear, since its writer moved neither change. Nobody hears about
   * what they did themselves.
   */
  async function tellOthers(repos: Repositories, payload: PeersPayload, active: ActivePolicy | null): Promise<void> {
    const finalStates = active ? finalStatesOf(active) : [];
    const ids = [...new Set(payload.pairs.flatMap((p) => [p.changeId, p.otherId]))];
    const changes = new Map((await repos.changes.findManyByIds(ids)).map((c) => [c.id, c]));
    const standing: StandingPair[] = [];
    for (const changeId of new Set(payload.pairs.map((p) => p.changeId))) {
      const change = changes.get(changeId);
      if (!change || !planned(change, finalStates)) continue;
      const now = await pairConflictsOf(repos, startPass(repos, active), change);
      for (const p of payload.pairs) {
        if (p.changeId !== changeId) continue;
        const still = (now.get(p.otherId) ?? []).find((x) => x.kind === p.kind);
        if (still) standing.push({ ...p, start: iso(still.start), end: iso(still.end), ciIds: still.ciIds, userId: still.kind === 'assignee_busy' ? change.implementerId : null });
      }
    }
    if (standing.length === 0) return;
    const cis = new Map((await repos.cmdb.findCisByIds([...new Set(standing.flatMap((p) => p.ciIds))])).map((c) => [c.id, c.name]));
    const names = await repos.accounts.userNames([...new Set([payload.actorId, ...standing.map((p) => p.userId).filter((id): id is string => !!id)])]);
    const actorName = names.get(payload.actorId) ?? 'Cabinet';
    // One notice per (told change, other change), naming where and when they meet.
    const notices = new Map<string, { yours: ChangeRecord; other: ChangeRecord; pairs: StandingPair[] }>();
    const add = (yoursId: string, otherId: string, pair: StandingPair) => {
      const yours = changes.get(yoursId);
      const other = changes.get(otherId);
      if (!yours || !other || ownerOf(yours) === payload.actorId) return;
      const key = `${yoursId} ${otherId}`;
      const entry = notices.get(key) ?? { yours, other, pairs: [] };
      if (!entry.pairs.some((p) => p.kind === pair.kind)) entry.pairs.push(pair);
      notices.set(key, entry);
    };
    for (const p of standing) {
      add(p.otherId, p.changeId, p);
      if (payload.cause === 'cmdb') add(p.changeId, p.otherId, p);
    }
    for (const { yours, other, pairs } of notices.values()) {
      const clauses = pairs.map((pair) => {
        const when = rangeToken(pair.start, pair.end);
        const where = listWords(pair.ciIds.map((id) => cis.get(id) ?? id));
        if (pair.kind === 'ci_overlap') return `both work on ${where} on ${when}`;
        if (pair.kind === 'related_ci_overlap') return `they work on related CIs (${where}) on ${when}`;
        return `${names.get(pair.userId ?? '') ?? 'the same person'} implements both on ${when}`;
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
  deps.outbox.handle<ActivePolicy | null>(PEERS_TOPIC, { prepare: () => policy.activeOrNull(), deliver: (repos, payload, active) => tellOthers(repos, payload as unknown as PeersPayload, active) });

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
        if (deps.subscriptions) {
          await deps.subscriptions.announce(repos, actor, change, 'lockdown', {
            reason: `It cannot go ahead until the freeze ends ${timeToken(o.end.toISOString())}, unless it is cancelled.`,
            freeze: await deps.subscriptions.freezeSnapshot(repos, w),
          });
        }
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
    await refresh(repos, [change.id], active);
  }

  /**
   * The conflicts the change has now, computed without writing anything (what `refresh` would store for it).
   * Used by the benchmark and by anything that wants to ask "what if" inside a transaction.
   */
  async function check(repos: Repositories, change: ChangeRecord, active: ActivePolicy | null): Promise<DesiredConflict[]> {
    return (await compute(repos, startPass(repos, active), change)).desired;
  }

  // NOTE: a new policy whose impact settings differ changes which CIs are related; pairs are derived when read, so nothing needs recomputing.

  /** The CIs (by id or name), change and implementer a plan to check names: those found, and an issue for each that is not. */
  async function planReferences(repos: Repositories, fields: Partial<ConflictCheckInput>): Promise<{ issues: Issue[]; ciIds: string[]; base: ChangeRecord | null }> {
    const issues: Issue[] = [];
    const refs = fields.ciIds ?? [];
    const [cis, base, implementer] = await Promise.all([
      repos.cmdb.findCisByIds(refs),
      fields.changeId ? repos.changes.findById(fields.changeId) : Promise.resolve(null),
      fields.implementerId ? repos.accounts.existingUserIds([fields.implementerId]) : Promise.resolve(null),
    ]);
    const byId = new Set(cis.map((c) => c.id));
    const ciIds: string[] = [];
    for (const [i, ref] of refs.entries()) {
      const id = byId.has(ref) ? ref : (await repos.cmdb.findCi(ref))?.id;
      if (id) ciIds.push(id);
      else issues.push({ path: `ciIds.${i}`, message: `unknown CI ${ref}` });
    }
    if (fields.changeId && !base) issues.push({ path: 'changeId', message: `unknown change ${fields.changeId}` });
    if (implementer && implementer.size === 0) issues.push({ path: 'implementerId', message: `unknown user ${fields.implementerId}` });
    return { issues, ciIds, base };
  }

  const service = {
    hooks,
    check,
    nextSlots,
    refresh,
    windowsChanged,
    lockdown,
    settleException,

    /**
     * After a write to a change the caller just made (inside its transaction; `change` is that record, not
     * read again): recomputes its window conflicts, proposes a slot when it now falls in a freeze or outside
     * a required window, and queues the notices to the owners of changes it now meets (the worker derives
     * them). `before`: the change before the write (none when `fresh`, filed in this transaction).
     */
    async changeMoved(repos: Repositories, actor: Actor, change: ChangeRecord, active: ActivePolicy | null, opts: { fresh?: boolean; before?: ChangeRecord } = {}): Promise<void> {
      const added = await refresh(repos, [change.id], active, { current: change, fresh: opts.fresh });
      // Planned into a freeze (or outside a required window): the change gets a proposed slot at once.
      await propose(repos, added.filter((c) => c.changeId === change.id && !c.detail.excepted), active, { tell: false });
      await queueTellOthers(repos, actor, await newPairs(repos, active, change, { record: opts.before, fresh: opts.fresh }));
    },

    /**
     * After the CMDB changed around these CIs: every open change within reach of them has its window
     * conflicts recomputed; with `addedEdges` (relations added), the owners of both sides of each pair those
     * relations created hear (through the worker).
     */
    async cisChanged(repos: Repositories, actor: Actor, ciIds: readonly string[], active: ActivePolicy | null, opts: { addedEdges?: Edge[] } = {}): Promise<void> {
      if (ciIds.length === 0 || !active) return;
      const settings = active.bundle.schedule.impact;
      // A change whose impact reaches these CIs, or which these CIs' impact reaches, can be affected.
      const near = settings.depth > 0 ? await impactOf([...ciIds], { ...settings, direction: 'both' }, edgeReader(repos)) : [];
      const ids = await repos.changes.openChangeIdsTouching([...new Set([...ciIds, ...near.map((n) => n.ciId)])], finalStatesOf(active));
      const added = await refresh(repos, ids, active);
      // A CMDB write that puts a change outside its service's windows tells its owner too (unless they wrote it).
      await propose(repos, added.filter((c) => !c.detail.excepted), active, { tell: true, cause: `A CMDB change by ${actor.name} brought it there`, actorId: actor.userId });
      // Only relations added can make changes meet (removing one parts them; a CI's other fields decide windows).
      if (!opts.addedEdges?.length) return;
      const pairs: NewPair[] = [];
      const seen = new Set<string>();
      for (const change of await repos.changes.findManyByIds(ids)) {
        for (const p of await newPairs(repos, active, change, { hideEdges: opts.addedEdges })) {
          // Each pair once, from whichever side came first.
          const key = [p.changeId, p.otherId].sort().join(' ') + p.kind;
          if (!seen.has(key)) pairs.push(p);
          seen.add(key);
        }
      }
      await queueTellOthers(repos, actor, pairs, 'cmdb');
    },

    /**
     * Conflicts that stop the change entering `scheduled` or `implement`: freezes without an approved exception,
     * unacknowledged maintenance-window ones, and unacknowledged pairs of the kinds the policy names
     * (`schedule.acknowledgeBeforeScheduling`). `change`: the caller's record of it, when it has one.
     */
    async blocking(repos: Repositories, changeId: string, active: ActivePolicy | null, change?: ChangeRecord): Promise<Conflict[]> {
      const kinds = acknowledgeKinds(active);
      const record = kinds.size > 0 ? (change ?? (await repos.changes.findById(changeId))) : null;
      const pairs = record ? (await pairRecords(repos, startPass(repos, active), record)).filter((c) => kinds.has(c.kind) && c.acknowledgement === null) : [];
      return (await present(repos, [...(await repos.schedule.conflictsOf(changeId)), ...pairs], active)).filter((c) => c.blocking);
    },

    /**
     * Conflicts nobody acknowledged, by change and kind, for the markers (list, calendar, Home): of `changeIds`,
     * or of every open change when null. The repository counts window conflicts and same-CI and same-implementer
     * pairs in SQL; a change that could meet another on related CIs (repos.schedule.relatedPairCandidates) has
     * its pairs derived instead, by the code its Conflicts tab uses, so the marker counts what the tab shows and
     * a pair conflict has one definition. NOTE (performance): the derivation is a conflict check per change,
     * measured on bench/schedule.ts's year of schedule (every CI has relations, so every change is a
     * candidate) at 2-7 ms a change on SQLite and 4-22 ms on PostgreSQL: about half a second for a page of 50,
     * two for 500, five to eight for a calendar of 2,000 (the bench records it: `INFO … markers`). Of every
     * open change (Home's conflict queue), related pairs are derived for the MARKER_DERIVATION_LIMIT that end
     * after now soonest; the others keep their SQL counts.
     */
    async openConflictSummary(changeIds: string[] | null, active: ActivePolicy | null): Promise<{ changeId: string; kind: ConflictKind; count: number }[]> {
      const repos = store.repos;
      const pass = startPass(repos, active);
      const bound = changeIds ? {} : { after: nowIso(), limit: MARKER_DERIVATION_LIMIT };
      const [counted, candidates] = await Promise.all([
        repos.schedule.openConflictSummary(changeIds, pass.finalStates),
        pass.settings.depth > 0 ? repos.schedule.relatedPairCandidates(changeIds, pass.settings.relationTypes, pass.finalStates, bound) : Promise.resolve([]),
      ]);
      if (candidates.length === 0) return counted;
      const derived = new Map<string, Map<ConflictKind, number>>();
      const changes = await repos.changes.findManyByIds(candidates);
      for (let i = 0; i < changes.length; i += MARKER_DERIVATIONS_AT_ONCE) {
        await Promise.all(
          changes.slice(i, i + MARKER_DERIVATIONS_AT_ONCE).map(async (change) => {
            const open = new Map<ConflictKind, number>();
            for (const r of await pairRecords(repos, pass, change)) if (r.acknowledgement === null) open.set(r.kind, (open.get(r.kind) ?? 0) + 1);
            derived.set(change.id, open);
          }),
        );
      }
      const rows = counted.filter((r) => !derived.has(r.changeId) || WINDOW_KINDS.has(r.kind));
      for (const [changeId, open] of derived) for (const [kind, count] of open) rows.push({ changeId, kind, count });
      return rows;
    },

    /** How many conflicts of each change nobody acknowledged (see openConflictSummary); changes with none are left out. */
    async openConflictCounts(changeIds: string[], active: ActivePolicy | null): Promise<Map<string, number>> {
      const counts = new Map<string, number>();
      for (const r of await service.openConflictSummary(changeIds, active)) counts.set(r.changeId, (counts.get(r.changeId) ?? 0) + r.count);
      return counts;
    },

    /** Every conflict of the change, derived now for pairs (see currentConflicts). */
    async current(repos: Repositories, change: ChangeRecord, active: ActivePolicy | null): Promise<Conflict[]> {
      return present(repos, await currentConflicts(repos, change, active), active);
    },

    /** The unknown references of a plan to check, for the one 400 that also lists its other problems (routes). */
    async planReferenceIssues(actor: Actor, fields: Partial<ConflictCheckInput>): Promise<Issue[]> {
      assertPermission(actor, 'change.read');
      return (await planReferences(store.repos, fields)).issues;
    },

    /**
     * The conflicts a plan would have (the change form, before saving): its pairs with the open changes and its
     * window conflicts, derived as for a saved change; nothing is written. With `changeId`, the plan is that
     * change's new plan: it is left out of the overlaps, and its impact exclusions and acknowledgements count.
     */
    async checkPlan(actor: Actor, input: ConflictCheckInput): Promise<ChangeConflicts> {
      assertPermission(actor, 'change.read');
      const repos = store.repos;
      const { issues, ciIds, base } = await planReferences(repos, input);
      throwIfIssues(issues, 'The plan names records that do not exist.');
      const active = await policy.activeOrNull();
      const finalStates = active ? finalStatesOf(active) : [];
      // A plan of a new change: a record that is nobody's yet (an id no row has, nothing to read about it).
      const draft: SchedulePlan = base
        ? { ...base, state: finalStates.includes(base.state) ? (active?.bundle.models[base.type]?.initial ?? base.state) : base.state }
        : { id: `plan-${deps.newId()}`, state: 'draft', ciIds: [], plannedStart: null, plannedEnd: null, implementerId: null, updatedAt: nowIso() };
      const plan = { ...draft, ciIds: [...new Set(ciIds)], plannedStart: input.plannedStart, plannedEnd: input.plannedEnd, implementerId: input.implementerId === undefined ? draft.implementerId : input.implementerId };
      const pass = startPass(repos, active, base ? new Set() : new Set([plan.id]));
      const [windows, pairs] = await Promise.all([windowConflicts(repos, pass, plan), pairRecords(repos, pass, plan)]);
      const stored = base ? new Map((await repos.schedule.conflictsOf(base.id)).map((c) => [c.key, c])) : new Map<string, ConflictRecord>();
      const at = nowIso();
      const records: ConflictRecord[] = [
        ...windows.map((d) => ({ id: stored.get(d.key)?.id ?? pairConflictId(plan.id, d.key), changeId: plan.id, ...d, acknowledgement: stored.get(d.key)?.acknowledgement ?? null, createdAt: at })),
        ...pairs,
      ].sort((x, y) => x.startsAt.localeCompare(y.startsAt) || x.key.localeCompare(y.key));
      return { items: await present(repos, records, active), checked: true };
    },

    async conflicts(actor: Actor, changeId: string): Promise<ChangeConflicts> {
      assertPermission(actor, 'change.read');
      const change = await loadChange(store.repos, changeId);
      const active = await policy.activeOrNull();
      return { items: await present(store.repos, await currentConflicts(store.repos, change, active), active), checked: planned(change, active ? finalStatesOf(active) : []) };
    },

    /**
     * A change manager accepts a conflict with a reason (audited); 409 when it already is. A pair's
     * acknowledgement covers the overlap seen: if the two changes later meet outside it, it needs a new one.
     */
    async acknowledge(actor: Actor, changeId: string, conflictId: string, input: z.output<typeof AcknowledgeConflictInput>): Promise<Conflict> {
      assertPermission(actor, 'change.acknowledge_conflict');
      const active = await policy.activeOrNull();
      return store.transaction(async (repos) => {
        const change = await loadChange(repos, changeId);
        const stored = await repos.schedule.findConflict(conflictId);
        const conflict = stored ?? (await pairRecords(repos, startPass(repos, active), change)).find((c) => c.id === conflictId) ?? null;
        if (!conflict || conflict.changeId !== change.id) throw new NotFoundError('Conflict', conflictId);
        if (conflict.kind === 'freeze') {
          throw new PolicyError('freeze_needs_exception', 'A freeze is not acknowledged: request a freeze exception for the change instead.', { conflictId });
        }
        const at = nowIso();
        const ack = { by: actor.userId, at, reason: input.reason };
        const done = stored
          ? await repos.schedule.acknowledge(conflict.id, ack)
          : conflict.acknowledgement === null && (await repos.schedule.acknowledgePair({ changeId: change.id, key: conflict.key, otherChangeId: conflict.otherChangeId!, startsAt: conflict.startsAt, endsAt: conflict.endsAt, ...ack }));
        if (!done) throw new ConflictError('already_acknowledged', 'This conflict was already acknowledged.', { conflictId });
        await audit(repos, actor, at, 'change.conflict_acknowledged', 'change', change.id, {
          number: change.number,
          conflictId,
          kind: conflict.kind,
          otherChangeId: conflict.otherChangeId,
          ...(stored ? {} : { startsAt: conflict.startsAt, endsAt: conflict.endsAt }),
          reason: input.reason,
        });
        return (await present(repos, [stored ? (await repos.schedule.findConflict(conflict.id))! : { ...conflict, acknowledgement: ack }], active))[0]!;
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
          await refresh(repos, [change.id], active);
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
        await refresh(repos, [change.id], active);
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
