import type { Concern } from '../contracts/communication';
import type { ConcernLinkInfo } from '../contracts/mail';
import type { Actor } from '../domain/actor';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { ServiceDeps } from './context';
import type { ConcernService } from './concern.service';
import { CONCERN_LINK, type MailService } from './mail.service';

export interface ConcernLinkServiceDeps extends ServiceDeps {
  mail: MailService;
  concerns: ConcernService;
}

/**
 * The signed "raise a concern" link every notice email carries (mail.service.ts `concernUrl`): it names a
 * change and a person, and raising a concern with it is that person raising it, through the one path every
 * concern takes (concern.service.ts `raise`: its permission checks, read scope, audit and notice to the
 * change's owner).
 *
 * NOTE (security): the token is the credential, like an unsubscribe link's, but it acts as the person, so
 * it expires (30 days) and the person is read afresh each time: a disabled person is refused (403), and
 * the person's roles of this moment decide (a role taken away since refuses it too).
 */
export function createConcernLinkService(deps: ConcernLinkServiceDeps) {
  const { store, mail, concerns } = deps;

  async function named(token: string, requestId: string): Promise<{ actor: Actor; change: { id: string; number: string; title: string } }> {
    const ids = await mail.readLink(CONCERN_LINK, 2, token);
    if (!ids) throw new NotFoundError('Concern link', 'given');
    const [changeId, userId] = ids as [string, string];
    const [user, change] = await Promise.all([store.repos.accounts.findUserById(userId), store.repos.changes.findById(changeId)]);
    if (!user || !change) throw new NotFoundError('Concern link', 'given');
    if (user.disabled) throw new ForbiddenError('This account is disabled: it cannot raise concerns.', 'account_disabled');
    const actor: Actor = { userId: user.id, email: user.email, name: user.name, roles: user.roles, teamIds: user.teamIds, requestId, via: 'token' };
    return { actor, change: { id: change.id, number: change.number, title: change.title } };
  }

  return {
    /** The change and person of a link, for its page; changes nothing. 404 for a link not signed here or expired. */
    async describe(token: string, requestId: string): Promise<ConcernLinkInfo> {
      const { actor, change } = await named(token, requestId);
      return { change, person: { id: actor.userId, name: actor.name } };
    },

    /** Raises the concern as the link's person (see `concerns.raise`). */
    async raise(token: string, text: string, requestId: string): Promise<Concern> {
      const { actor, change } = await named(token, requestId);
      return concerns.raise(actor, change.id, text);
    },
  };
}
export type ConcernLinkService = ReturnType<typeof createConcernLinkService>;
