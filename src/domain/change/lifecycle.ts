import type { Actor } from '../actor';
import { hasRole, type Role } from '../auth/roles';

/** Fields that a state may require before a change enters it. */
export const REQUIRABLE_FIELDS = [
  'title',
  'description',
  'justification',
  'ownerId',
  'assignmentTeamId',
  'implementerId',
  'ciIds',
  'plannedStart',
  'plannedEnd',
  'actualStart',
  'actualEnd',
  'implementationPlan',
  'testPlan',
  'backoutPlan',
  'closeCode',
  'closeNotes',
] as const;
export type RequirableField = (typeof REQUIRABLE_FIELDS)[number];

/** People related to a change who may be allowed to fire a transition, whatever their roles. */
export const RELATIONS = ['requester', 'owner', 'implementer', 'assignment_team'] as const;
export type Relation = (typeof RELATIONS)[number];

export interface StateDef {
  id: string;
  label: string;
  requires: RequirableField[];
  /** A final state accepts no more edits or transitions. */
  final: boolean;
  /** Entering this state generates the change's approvals (cancelling earlier open ones). */
  requestApprovals?: boolean;
  /** This state cannot be entered until every approval of the change is approved. */
  requiresApprovals?: boolean;
}

export interface TransitionDef {
  from: string[];
  to: string;
  label: string;
  roles: Role[];
  relations: Relation[];
}

/** A change model (standard, normal, emergency, or custom): its states and how to move between them. */
export interface ChangeModel {
  type: string;
  label: string;
  initial: string;
  states: StateDef[];
  transitions: TransitionDef[];
}

/** The parts of a change the lifecycle needs to know. */
export interface LifecycleSubject {
  state: string;
  requesterId: string;
  ownerId: string | null;
  implementerId: string | null;
  assignmentTeamId: string | null;
  [field: string]: unknown;
}

export function findState(model: ChangeModel, id: string): StateDef | undefined {
  return model.states.find((s) => s.id === id);
}

/** Transitions leaving `state`, in the order the bundle lists them. */
export function transitionsFrom(model: ChangeModel, state: string): TransitionDef[] {
  return model.transitions.filter((t) => t.from.includes(state));
}

/** Required fields of the target state that are empty on the change; empty means null, '' or []. */
export function missingFields(subject: LifecycleSubject, required: readonly string[]): string[] {
  return required.filter((field) => isEmpty(subject[field]));
}

export function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  if (typeof value === 'string') return value.trim() === '';
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

/**
 * States that end a change without doing it (cancelled, rejected): entering one needs a reason, the
 * transition's comment, so the people waiting on the change learn why it stopped.
 */
export const REASONED_STATES: readonly string[] = ['cancelled', 'rejected'];

/** Whether entering `to` needs a reason (the transition's comment). */
export function needsReason(to: string): boolean {
  return REASONED_STATES.includes(to);
}

/** Who may fire the transition, in words: "change managers, or its requester or owner". */
export function whoMayFire(transition: TransitionDef): string {
  const roles = transition.roles.map((r) => `${r.replace(/_/g, ' ')}s`);
  const relations = transition.relations.map((r) => r.replace(/_/g, ' '));
  const parts = [roles.join(' and '), relations.length ? `its ${relations.join(' or ')}` : ''].filter(Boolean);
  return parts.length ? parts.join(', or ') : 'admins';
}

/** Whether the actor may fire the transition: by an allowed role (admin always) or a relation to the change. */
export function canFire(transition: TransitionDef, actor: Actor, subject: LifecycleSubject): boolean {
  if (hasRole(actor, 'admin')) return true;
  if (transition.roles.some((r) => hasRole(actor, r))) return true;
  return transition.relations.some((rel) => {
    switch (rel) {
      case 'requester':
        return subject.requesterId === actor.userId;
      case 'owner':
        return subject.ownerId === actor.userId;
      case 'implementer':
        return subject.implementerId === actor.userId;
      case 'assignment_team':
        return subject.assignmentTeamId !== null && actor.teamIds.includes(subject.assignmentTeamId);
    }
  });
}
