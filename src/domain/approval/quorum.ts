/**
 * How many approvals an approval needs: one, every eligible voter, a number, or a share of them; `board`: the
 * board's own quorum (members and domains, domain/cab/board.ts), `value` its minimum members when requested.
 */
export type QuorumKind = 'any' | 'all' | 'n' | 'percent' | 'board';
export interface Quorum {
  kind: QuorumKind;
  /** N for `n`, the percentage for `percent`, null otherwise. */
  value: number | null;
}

export type ApprovalOutcome = 'approved' | 'rejected' | 'pending';

/**
 * The approvals needed for the quorum out of `eligible` voters, counted when the decision is made. Never
 * fewer than one, and never more than the eligible voters (a team smaller than `n` can still decide).
 */
export function requiredApprovals(quorum: Quorum, eligible: number): number {
  const voters = Math.max(1, eligible);
  switch (quorum.kind) {
    case 'any':
      return 1;
    case 'all':
      return voters;
    case 'n':
    case 'board':
      return Math.max(1, Math.min(quorum.value ?? 1, voters));
    case 'percent':
      return Math.max(1, Math.ceil((voters * (quorum.value ?? 100)) / 100 - 1e-9));
  }
}

/** The state of an approval from its votes: any single reject rejects it; enough approvals approve it. */
export function quorumOutcome(quorum: Quorum, eligible: number, votes: readonly { decision: 'approve' | 'reject' }[]): ApprovalOutcome {
  if (votes.some((v) => v.decision === 'reject')) return 'rejected';
  const approvals = votes.filter((v) => v.decision === 'approve').length;
  return approvals >= requiredApprovals(quorum, eligible) ? 'approved' : 'pending';
}

/** Whether a vote still counts: it was neither superseded (the content moved on) nor voided (its voter became a party). */
export function counts(vote: { supersededAt: string | null; voidedAt: string | null }): boolean {
  return vote.supersededAt === null && vote.voidedAt === null;
}
