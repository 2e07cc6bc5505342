import type { Actor } from '../actor';
import { hasRole } from '../auth/roles';
import { ForbiddenError } from '../errors';
import { FIELD_LABELS } from './fields';

/** The people and team of a change that decide who may edit it. */
interface People {
  id: string;
  number: string;
  requesterId: string;
  ownerId: string | null;
  implementerId: string | null;
  changeManagerId: string | null;
  assignmentTeamId: string | null;
}

/** What a change's implementer may edit when nothing else entitles them: the record of carrying it out. */
export const IMPLEMENTATION_FIELDS: readonly string[] = ['actualStart', 'actualEnd', 'closeCode', 'closeNotes', 'links'];

/**
 * Who may edit a change: its requester, owner, change manager and the members of its assignment team, and
 * anyone holding the change-manager or admin role; its implementer, the implementation fields only. Others
 * get 403 `forbidden` (docs/security.md has the matrix).
 */
export function editRight(actor: Pick<Actor, 'userId' | 'roles' | 'teamIds'>, change: People): 'all' | 'implementation' | null {
  if (hasRole(actor, 'admin') || hasRole(actor, 'change_manager')) return 'all';
  if ([change.requesterId, change.ownerId, change.changeManagerId].includes(actor.userId)) return 'all';
  if (change.assignmentTeamId !== null && actor.teamIds.includes(change.assignmentTeamId)) return 'all';
  if (change.implementerId === actor.userId) return 'implementation';
  return null;
}

/**
 * Throws 403 `forbidden` unless the actor may edit the change, and, when `fields` are given, each of them (an
 * implementer only the implementation fields). Every write to a change's content passes here: edits,
 * evidence, impact exclusions, freeze exceptions.
 */
export function assertMayEdit(actor: Pick<Actor, 'userId' | 'roles' | 'teamIds'>, change: People, fields: string[] = []): void {
  const right = editRight(actor, change);
  if (right === null) {
    throw new ForbiddenError(
      `You may not edit ${change.number}: only its requester, owner, implementer, change manager, the members of its assignment team, and change managers may.`,
      'forbidden',
      { changeId: change.id },
    );
  }
  const beyond = right === 'implementation' ? fields.filter((f) => !IMPLEMENTATION_FIELDS.includes(f)) : [];
  if (beyond.length > 0) {
    throw new ForbiddenError(
      `As the implementer of ${change.number} you may edit how it was carried out (${IMPLEMENTATION_FIELDS.map((f) => FIELD_LABELS[f] ?? f).join(', ')}), not: ${beyond.map((f) => FIELD_LABELS[f] ?? f).join(', ')}.`,
      'forbidden',
      { changeId: change.id, fields: beyond, allowed: IMPLEMENTATION_FIELDS },
    );
  }
}

