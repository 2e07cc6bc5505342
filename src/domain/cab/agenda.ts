import { RISK_LEVELS, type RiskLevel } from '../risk/score';

/**
 * The agenda of a board meeting, built from the changes that await the board (issue 15, point 3): no storage,
 * so the same facts always give the same agenda, and the service only gathers them.
 */

export interface AgendaCandidate {
  changeId: string;
  number: string;
  title: string;
  riskLevel: RiskLevel;
  riskScore: number;
  /** ISO instant; null when the change is not planned yet. */
  plannedStart: string | null;
  /** Standard and other pre-authorised changes: shown for information only, never decided. */
  preAuthorised: boolean;
}

/** A change manager's edit of the agenda, always with a reason. */
export type AgendaAdjustment =
  | { kind: 'add'; changeId: string; reason: string; at: string }
  | { kind: 'remove'; changeId: string; reason: string; at: string }
  | { kind: 'move'; changeId: string; position: number; reason: string; at: string };

export interface AgendaItem extends AgendaCandidate {
  position: number;
  allottedMinutes: number;
  /** Minutes from the meeting's start at which the item is due to come up. */
  startsAtMinute: number;
  /** It would miss its planned start unless decided at this meeting (the next one comes too late). */
  urgent: boolean;
  /** Its allotment runs past the meeting's end. */
  overflow: boolean;
  /** Added by hand (with this reason) rather than by the board's scope. */
  addedReason: string | null;
  /** Added after the agenda froze (the meeting had started). */
  late: boolean;
  /** Moved by hand to its position, with this reason. */
  movedReason: string | null;
}

export interface AgendaInput {
  candidates: readonly AgendaCandidate[];
  meeting: { start: string; durationMinutes: number };
  /** Start of the board's next meeting after this one: a change planned before it cannot wait for it (none: none can). */
  nextMeetingStart: string | null;
  /** Start of the meeting after next: changes planned from then on wait for a later agenda. Null: no cut-off. */
  cutoff: string | null;
  /** Minutes allotted per risk level. */
  allotment: Readonly<Record<RiskLevel, number>>;
  adjustments: readonly AgendaAdjustment[];
  /** When the agenda froze (the meeting started); null while it is open. */
  frozenAt: string | null;
}

export interface Agenda {
  items: AgendaItem[];
  /** Pre-authorised changes in scope: for information, not decided. */
  fyi: AgendaCandidate[];
  /** Removed by hand, with the reason. */
  removed: { changeId: string; number: string; reason: string }[];
  /** Minutes the allotments need beyond the meeting's length (0 when they fit). */
  overrunMinutes: number;
}

const riskRank = (level: RiskLevel) => RISK_LEVELS.length - 1 - RISK_LEVELS.indexOf(level);

/** Higher risk first, then the earlier planned start (unplanned last), then the number, so the order is total. */
export function compareAgendaItems(a: AgendaCandidate, b: AgendaCandidate): number {
  return (
    riskRank(a.riskLevel) - riskRank(b.riskLevel) ||
    (a.plannedStart ?? '\uffff').localeCompare(b.plannedStart ?? '\uffff') ||
    a.number.localeCompare(b.number)
  );
}

/**
 * The agenda: every candidate planned before the cut-off (or unplanned) that needs a decision, ordered by risk
 * and then planned start, each with the time its risk band allots; pre-authorised changes apart as FYI. Then
 * the change managers' edits in the order they were made: additions (marked late when made after the agenda
 * froze), removals, moves to a position.
 */
export function buildAgenda(input: AgendaInput): Agenda {
  const byId = new Map(input.candidates.map((c) => [c.changeId, c]));
  const inWindow = (c: AgendaCandidate) => c.plannedStart === null || input.cutoff === null || Date.parse(c.plannedStart) < Date.parse(input.cutoff);
  const order = input.candidates.filter((c) => !c.preAuthorised && inWindow(c)).sort(compareAgendaItems);
  const added = new Map<string, { reason: string; late: boolean }>();
  const moved = new Map<string, string>();
  const removed: Agenda['removed'] = [];
  const adjustments = [...input.adjustments].sort((a, b) => a.at.localeCompare(b.at));
  for (const adj of adjustments) {
    const candidate = byId.get(adj.changeId);
    const present = order.findIndex((c) => c.changeId === adj.changeId);
    if (adj.kind === 'add') {
      if (!candidate) continue;
      // Already on the agenda by the board's scope (a deferred item, say): it keeps its place, and the reason.
      if (present >= 0) {
        if (!added.has(adj.changeId)) added.set(adj.changeId, { reason: adj.reason, late: false });
        continue;
      }
      order.push(candidate);
      added.set(adj.changeId, { reason: adj.reason, late: input.frozenAt !== null && adj.at >= input.frozenAt });
      const gone = removed.findIndex((r) => r.changeId === adj.changeId);
      if (gone >= 0) removed.splice(gone, 1);
    } else if (adj.kind === 'remove') {
      if (present < 0) continue;
      const [item] = order.splice(present, 1);
      removed.push({ changeId: item!.changeId, number: item!.number, reason: adj.reason });
    } else {
      if (present < 0) continue;
      const [item] = order.splice(present, 1);
      order.splice(Math.max(0, Math.min(order.length, adj.position - 1)), 0, item!);
      moved.set(adj.changeId, adj.reason);
    }
  }
  const fyi = input.candidates.filter((c) => c.preAuthorised && inWindow(c) && !added.has(c.changeId)).sort(compareAgendaItems);
  let minute = 0;
  const items = order.map((c, i): AgendaItem => {
    const allotted = input.allotment[c.riskLevel];
    const item: AgendaItem = {
      ...c,
      position: i + 1,
      allottedMinutes: allotted,
      startsAtMinute: minute,
      urgent: c.plannedStart !== null && (input.nextMeetingStart === null || Date.parse(c.plannedStart) < Date.parse(input.nextMeetingStart)),
      overflow: minute + allotted > input.meeting.durationMinutes,
      addedReason: added.get(c.changeId)?.reason ?? null,
      late: added.get(c.changeId)?.late ?? false,
      movedReason: moved.get(c.changeId) ?? null,
    };
    minute += allotted;
    return item;
  });
  return { items, fyi, removed, overrunMinutes: Math.max(0, minute - input.meeting.durationMinutes) };
}

/** A board approval already given that another board reviews after the fact (an ECAB's, by the full CAB). */
export interface RetrospectiveSource {
  changeId: string;
  approvalId: string;
  /** The board that approved, and when (ISO instant). */
  boardId: string;
  boardName: string;
  approvedAt: string;
  /** The reviewing board's last retrospective decision on the change (ISO instant), null if none. */
  reviewedAt: string | null;
}

/**
 * The retrospective items of a meeting (issue 15, point 6): each approval not reviewed since it was given comes up
 * at the reviewing board's first meeting, planned or under way, that starts after the approval; when that meeting
 * ends without reviewing it, at the next one. `openMeetings` are the board's meetings that are planned or live.
 */
export function retrospectivesDue(
  meeting: { id: string; start: string },
  openMeetings: readonly { id: string; start: string }[],
  sources: readonly RetrospectiveSource[],
): RetrospectiveSource[] {
  const byStart = [...openMeetings].sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
  const seen = new Set<string>();
  const due: RetrospectiveSource[] = [];
  // The latest approval of a change is the one reviewed.
  for (const s of [...sources].sort((a, b) => Date.parse(b.approvedAt) - Date.parse(a.approvedAt))) {
    if (seen.has(s.changeId)) continue;
    seen.add(s.changeId);
    if (s.reviewedAt !== null && Date.parse(s.reviewedAt) >= Date.parse(s.approvedAt)) continue;
    const first = byStart.find((m) => Date.parse(m.start) > Date.parse(s.approvedAt));
    if (first?.id === meeting.id) due.push(s);
  }
  return due;
}
