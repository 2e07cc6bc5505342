import type { Approval, ApprovalState } from './approvals-api';

/** The quorum in words: "any member", "all members", "2 members", "50% of members". */
export function quorumWords(quorum: Approval['quorum']): string {
  switch (quorum.kind) {
    case 'any':
      return 'any member';
    case 'all':
      return 'all members';
    case 'n': {
      const n = quorum.value ?? 1;
      return n === 1 ? '1 member' : `${n} members`;
    }
    case 'percent':
      return `${quorum.value ?? 100}% of members`;
    case 'board': {
      const n = quorum.value ?? 1;
      return `the board's quorum (${n === 1 ? '1 member' : `${n} members`})`;
    }
  }
}

export const APPROVAL_STATE_LABELS: Record<ApprovalState, string> = {
  waiting: 'Waiting',
  pending: 'Pending',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
};

export const APPROVAL_STATE_COLORS: Record<ApprovalState, string> = {
  waiting: 'gray',
  pending: 'yellow',
  approved: 'green',
  rejected: 'red',
  withdrawn: 'gray',
};

/** A state as the end of a sentence: "pending", "waiting for the stage before it". */
export function approvalStateWords(state: string): string {
  if (state === 'waiting') return 'waiting for the stage before it';
  if (state === 'pending') return 'waiting for a decision';
  return (APPROVAL_STATE_LABELS as Record<string, string>)[state]?.toLowerCase() ?? state;
}

/** Due in the past while still open. */
export function isOverdue(approval: Pick<Approval, 'dueAt' | 'state'>, now = Date.now()): boolean {
  if (!approval.dueAt || (approval.state !== 'pending' && approval.state !== 'waiting')) return false;
  const due = new Date(approval.dueAt).getTime();
  return !Number.isNaN(due) && due < now;
}

export interface StageGroup<T extends Approval = Approval> {
  stage: string;
  label: string;
  order: number;
  approvals: T[];
}

/** Approvals grouped by stage, stages in order, approvals within a stage in the server's order. */
export function groupByStage<T extends Approval>(approvals: T[]): StageGroup<T>[] {
  const groups = new Map<string, StageGroup<T>>();
  for (const a of approvals) {
    let group = groups.get(a.stage);
    if (!group) {
      group = { stage: a.stage, label: a.stageLabel, order: a.stageOrder, approvals: [] };
      groups.set(a.stage, group);
    }
    group.approvals.push(a);
  }
  return [...groups.values()].sort((a, b) => a.order - b.order);
}

/** One approval in the 422 `approvals_pending` details (the approver is a label, or an object with one). */
export interface BlockingApproval {
  id: string;
  rule: string;
  stage: string;
  state: string;
  approver: string;
  /** Why it stands in the way: its state, "approved for earlier content", "its quorum is no longer met". */
  why: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads `details.approvals` of a 422 `approvals_pending`, whatever shape each item has. */
export function blockingApprovalsOf(details: Record<string, unknown>): BlockingApproval[] {
  const list = details.approvals;
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((a) => {
    const approver = isRecord(a.approver) ? a.approver.label : a.approver;
    return {
      id: String(a.id ?? ''),
      rule: String(a.rule ?? ''),
      stage: String(a.stage ?? ''),
      state: String(a.state ?? ''),
      approver: typeof approver === 'string' ? approver : String(a.rule ?? ''),
      why: String(a.why ?? a.state ?? ''),
    };
  });
}
