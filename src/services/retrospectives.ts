import { RETROSPECTIVE_DECISIONS } from '../contracts/meetings';
import { retrospectivesDue, type AgendaCandidate, type RetrospectiveSource } from '../domain/cab/agenda';
import { RISK_LEVELS, type RiskLevel } from '../domain/risk/score';
import type { BoardRecord, ChangeRecord, DecisionRecord, MeetingRecord, Repositories } from '../db/repositories';
import type { BoardSpec } from '../policy/loader';
import { boardTakes } from './board.service';
import type { ActivePolicy } from './policy.service';

/**
 * The ECAB's retrospective review by the full CAB (issue 15, point 6; docs/cab.md#retrospective-review): a policy
 * rule routed to boards may say which boards review its approvals once given (`approvers.retrospective`). Nothing
 * is stored for it: an approval given under such a rule, not yet ratified or flagged by the reviewing board, is
 * a retrospective item of that board's first meeting after it.
 */

/** Whether the reviewing board is one the rule's `retrospective` names (a board of a kind also has to take the change). */
function reviews(spec: BoardSpec, board: BoardRecord): boolean {
  if (spec.ref !== null) return board.id === spec.ref || board.name.toLowerCase() === spec.ref.toLowerCase();
  return board.active && board.kind === spec.boardKind;
}

/**
 * The retrospective items of the meeting `m` of `board`: the approvals it reviews that come up there. `contextOf`
 * gives the change's context for a board's scope (the risk service's approval context).
 */
export async function retrospectivesOf(
  repos: Repositories,
  board: BoardRecord,
  m: Pick<MeetingRecord, 'id' | 'start' | 'state'>,
  active: ActivePolicy,
  contextOf: (change: ChangeRecord) => Promise<Record<string, unknown>>,
): Promise<RetrospectiveSource[]> {
  if (m.state !== 'planned' && m.state !== 'live') return [];
  const rules: { name: string; byKind: boolean; sources: BoardSpec }[] = [];
  for (const stage of active.bundle.approvals.stages) {
    for (const rule of stage.rules) {
      const spec = rule.approvers;
      if (spec.kind !== 'board' || !spec.retrospective || !reviews(spec.retrospective, board)) continue;
      rules.push({
        name: rule.name,
        byKind: spec.retrospective.ref === null,
        sources: spec.ref !== null ? { ref: spec.ref, boardKind: null } : { ref: null, boardKind: spec.boardKind! },
      });
    }
  }
  if (rules.length === 0) return [];
  const sources = new Map<string, BoardRecord>();
  for (const r of rules) {
    const found =
      r.sources.ref !== null
        ? [await repos.boards.find(r.sources.ref)].filter((b): b is BoardRecord => b !== null)
        : await repos.boards.list({ kind: r.sources.boardKind, limit: 1000 });
    for (const b of found) if (b.id !== board.id) sources.set(b.id, b);
  }
  const queue = await repos.meetings.retrospectiveQueue({
    sourceBoardIds: [...sources.keys()],
    rules: rules.map((r) => r.name),
    reviewerId: board.id,
    before: m.start,
  });
  if (queue.length === 0) return [];
  const open = await repos.meetings.list({ boardId: board.id, states: ['planned', 'live'], limit: 500 });
  const due = retrospectivesDue(
    m,
    open,
    queue.map((q) => ({
      changeId: q.changeId,
      approvalId: q.approvalId,
      boardId: q.boardId,
      boardName: sources.get(q.boardId)?.name ?? q.boardId,
      approvedAt: q.approvedAt,
      reviewedAt: null,
    })),
  );
  // A board that reviews by kind reviews the changes its scope takes, as it decides them.
  const byKind = new Set(rules.filter((r) => r.byKind).map((r) => r.name));
  const out: RetrospectiveSource[] = [];
  for (const s of due) {
    const rule = queue.find((q) => q.approvalId === s.approvalId)!.rule;
    const change = board.scope && byKind.has(rule) ? await repos.changes.findById(s.changeId) : null;
    if (change && !boardTakes(board.scope, await contextOf(change))) continue;
    out.push(s);
  }
  return out;
}

/** What an agenda item says of the approval it reviews. */
export interface RetrospectiveView {
  boardId: string;
  boardName: string;
  approvalId: string;
  approvedAt: string;
}

export const isRetrospectiveDecision = (decision: string): boolean => (RETROSPECTIVE_DECISIONS as readonly string[]).includes(decision);

/**
 * Adds the meeting's retrospective items to its agenda candidates: those due here, and those ratified or flagged
 * here (an ended meeting keeps them). Returns what each reviews, by change id.
 */
export async function addRetrospectives(
  repos: Repositories,
  board: BoardRecord,
  m: MeetingRecord,
  active: ActivePolicy,
  contextOf: (change: ChangeRecord) => Promise<Record<string, unknown>>,
  candidates: AgendaCandidate[],
  decidedHere: readonly DecisionRecord[],
): Promise<Map<string, RetrospectiveView>> {
  const out = new Map<string, RetrospectiveView>();
  for (const s of await retrospectivesOf(repos, board, m, active, contextOf))
    out.set(s.changeId, { boardId: s.boardId, boardName: s.boardName, approvalId: s.approvalId, approvedAt: s.approvedAt });
  for (const d of decidedHere.filter((x) => isRetrospectiveDecision(x.decision))) {
    // The approval reviewed: the last board approval of the change given before the review.
    const given = (await repos.approvals.forChange(d.changeId))
      .filter(
        (a) =>
          a.approverKind === 'board' &&
          a.approverRef !== board.id &&
          a.state === 'approved' &&
          a.decidedAt !== null &&
          a.decidedAt <= d.decidedAt,
      )
      .sort((a, b) => a.decidedAt!.localeCompare(b.decidedAt!))
      .at(-1);
    if (given)
      out.set(d.changeId, {
        boardId: given.approverRef,
        boardName: given.approverLabel,
        approvalId: given.id,
        approvedAt: given.decidedAt!,
      });
  }
  for (const changeId of out.keys()) {
    if (candidates.some((c) => c.changeId === changeId)) continue;
    const c = await repos.changes.findById(changeId);
    if (!c) continue;
    const risk = await repos.changes.risk(c.id);
    const level = risk?.override?.level ?? risk?.level ?? null;
    candidates.push({
      changeId: c.id,
      number: c.number,
      title: c.title,
      riskLevel: (RISK_LEVELS as readonly string[]).includes(level ?? '') ? (level as RiskLevel) : 'low',
      riskScore: risk?.score ?? 0,
      plannedStart: c.plannedStart,
      preAuthorised: false,
    });
  }
  return out;
}
