/**
 * Segregation of duties, written once: the people who asked for, own or carry out a change never count
 * towards its approvals, whoever they vote as and whenever they became a party. Votes, people-field edits,
 * delegation, break-glass reviews and the approvals gate all ask these.
 * NOTE: a security decision; it holds for admins too.
 */

/** The people a change has: who asked for it, who owns it and who carries it out. */
export interface Parties {
  requesterId: string;
  ownerId: string | null;
  implementerId: string | null;
}

/** Which party to the change the person is (implementer, owner or requester), or null. */
export function partyRole(change: Parties, userId: string): 'requester' | 'owner' | 'implementer' | null {
  if (change.implementerId === userId) return 'implementer';
  if (change.ownerId === userId) return 'owner';
  if (change.requesterId === userId) return 'requester';
  return null;
}

export function isPartyTo(change: Parties, userId: string): boolean {
  return partyRole(change, userId) !== null;
}

/** Why a vote may not count for this change (its voter, or the person it was cast for, is a party), or null. */
export function partyConflict(change: Parties, vote: { userId: string; userName: string; onBehalfOf: string | null; onBehalfOfName: string | null }, number: string): string | null {
  const voter = partyRole(change, vote.userId);
  if (voter) return `${vote.userName} is the ${voter} of ${number}; a party to a change cannot count towards its approvals.`;
  const principal = vote.onBehalfOf ? partyRole(change, vote.onBehalfOf) : null;
  if (principal) return `${vote.onBehalfOfName ?? 'The person voted for'} is the ${principal} of ${number}; a vote cast for a party to a change does not count.`;
  return null;
}
