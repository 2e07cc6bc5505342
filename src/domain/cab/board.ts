/**
 * A change advisory board's rules that need no storage (issue 15, docs/cab.md when it lands): who chairs the
 * next meeting, and whether the members who voted on an item make its quorum.
 */

export type RotationRule = 'round_robin' | 'least_recent';

export interface ChairCandidate {
  userId: string;
  /** When this member last chaired a meeting of the board (ISO instant), null if never. */
  lastChairedAt: string | null;
  /** Away (out of office, on leave) at the meeting's time: skipped. */
  away: boolean;
}

/**
 * The chair of the next meeting. `round_robin` takes the member after the previous chair in `candidates`'
 * order (the board's member order), wrapping around; `least_recent` the one who chaired longest ago (never
 * first; ties in member order). Members who are away are skipped; null when everyone is away (the board's
 * delegate rules take over, or a change manager chairs).
 */
export function nextChair(rule: RotationRule, candidates: readonly ChairCandidate[], previousChairId: string | null): string | null {
  const present = candidates.filter((c) => !c.away);
  if (present.length === 0) return null;
  if (rule === 'least_recent') {
    const order = new Map(candidates.map((c, i) => [c.userId, i]));
    const sorted = [...present].sort((a, b) => {
      if (a.lastChairedAt === b.lastChairedAt) return order.get(a.userId)! - order.get(b.userId)!;
      if (a.lastChairedAt === null) return -1;
      if (b.lastChairedAt === null) return 1;
      return a.lastChairedAt < b.lastChairedAt ? -1 : 1;
    });
    return sorted[0]!.userId;
  }
  const start = previousChairId === null ? -1 : candidates.findIndex((c) => c.userId === previousChairId);
  for (let step = 1; step <= candidates.length; step++) {
    const candidate = candidates[(start + step + candidates.length) % candidates.length]!;
    if (!candidate.away) return candidate.userId;
  }
  return null;
}

/** A member of a board as the rules need it: a person or a team, and whether it sits as a delegate. */
export interface BoardMemberRef {
  kind: 'user' | 'team';
  id: string;
  delegate: boolean;
}

/**
 * The people behind the board's members (`delegates`: its delegates, else its other members), in member order,
 * each once: a team stands for its people. Only those in `seated` (the board's enabled people) count; a person
 * who is both a member and a delegate is a member.
 */
export function boardPeople(
  members: readonly BoardMemberRef[],
  teamMembers: ReadonlyMap<string, readonly string[]>,
  seated: { has(userId: string): boolean },
  delegates: boolean,
): string[] {
  const peopleOf = (wanted: boolean) => {
    const order: string[] = [];
    for (const m of members) {
      if (m.delegate !== wanted) continue;
      for (const id of m.kind === 'user' ? [m.id] : (teamMembers.get(m.id) ?? [])) if (seated.has(id) && !order.includes(id)) order.push(id);
    }
    return order;
  };
  if (!delegates) return peopleOf(false);
  const regular = new Set(peopleOf(false));
  return peopleOf(true).filter((id) => !regular.has(id));
}

export interface BoardQuorum {
  /** Voting members needed (people; a team's member counts once, however many of its teams sit on the board). */
  minMembers: number;
  /** Domains of which at least one voter must be (for example `security`). */
  requiredDomains?: readonly string[];
}

export interface Voter {
  userId: string;
  /** The domains this member represents on the board. */
  domains: readonly string[];
}

export interface QuorumCheck {
  met: boolean;
  /** Distinct voters who count (parties to the change never do). */
  voters: number;
  /** How many more voters are needed, 0 when enough. */
  missingMembers: number;
  /** Required domains no counting voter represents. */
  missingDomains: string[];
}

/**
 * Whether the members who voted on an item make the board's quorum. Parties to the change (requester, owner,
 * implementer) never count: segregation of duties holds on the board as on every approval. A member who
 * voted twice counts once.
 */
export function checkQuorum(quorum: BoardQuorum, voters: readonly Voter[], partyIds: ReadonlySet<string>): QuorumCheck {
  const counting = new Map<string, Voter>();
  for (const v of voters) if (!partyIds.has(v.userId) && !counting.has(v.userId)) counting.set(v.userId, v);
  const represented = new Set([...counting.values()].flatMap((v) => v.domains.map((d) => d.toLowerCase())));
  const missingDomains = (quorum.requiredDomains ?? []).filter((d) => !represented.has(d.toLowerCase()));
  const missingMembers = Math.max(0, quorum.minMembers - counting.size);
  return { met: missingMembers === 0 && missingDomains.length === 0, voters: counting.size, missingMembers, missingDomains };
}

export interface BoardVote extends Voter {
  decision: 'approve' | 'reject';
}

export interface BoardVoteOutcome {
  outcome: 'approved' | 'rejected' | 'pending';
  /** The quorum of the members who approved, and of those who rejected. */
  approve: QuorumCheck;
  reject: QuorumCheck;
}

/**
 * A board decides by its members' votes, without a meeting (asynchronous review, the ECAB), when the votes
 * agree and make its quorum: approved when enough members approved and nobody rejected, rejected when enough
 * rejected and nobody approved. A split board stays pending: the item needs discussion at a meeting, where the
 * chair records the board's decision.
 */
export function boardVoteOutcome(quorum: BoardQuorum, votes: readonly BoardVote[], partyIds: ReadonlySet<string>): BoardVoteOutcome {
  const counting = votes.filter((v) => !partyIds.has(v.userId));
  const approvers = counting.filter((v) => v.decision === 'approve');
  const rejecters = counting.filter((v) => v.decision === 'reject');
  const approve = checkQuorum(quorum, approvers, partyIds);
  const reject = checkQuorum(quorum, rejecters, partyIds);
  const outcome = rejecters.length === 0 && approve.met ? 'approved' : approvers.length === 0 && reject.met ? 'rejected' : 'pending';
  return { outcome, approve, reject };
}
