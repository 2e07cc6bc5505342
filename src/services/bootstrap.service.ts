import { randomBytes } from 'node:crypto';
import { systemActor } from '../domain/actor';
import type { AccountsService } from './accounts.service';
import type { AuthService } from './auth.service';
import type { ServiceDeps } from './context';

export interface FirstStartOptions {
  adminEmail?: string;
  adminPassword?: string;
  bootstrapToken?: string;
}

export interface FirstStartResult {
  created: boolean;
  adminEmail?: string;
  /** Set only when the password was generated: shown once, never stored in clear. */
  generatedPassword?: string;
  tokenCreated?: boolean;
}

/** First start with no users: creates the first admin (and the bootstrap API token when configured). */
export function createBootstrapService(deps: ServiceDeps & { accounts: AccountsService; auth: AuthService }) {
  return {
    async ensureFirstAdmin(opts: FirstStartOptions): Promise<FirstStartResult> {
      if ((await deps.store.repos.accounts.countUsers()) > 0) return { created: false };
      const actor = systemActor('first-start');
      const email = opts.adminEmail ?? 'admin@cabinet.local';
      const generatedPassword = opts.adminPassword ? undefined : randomBytes(12).toString('base64url');
      const admin = await deps.accounts.createUser(actor, { email, name: 'Administrator', password: opts.adminPassword ?? generatedPassword!, roles: ['admin'], teamIds: [] });
      if (opts.bootstrapToken) await deps.auth.createToken({ ...actor, userId: admin.id }, { name: 'bootstrap' }, opts.bootstrapToken);
      return { created: true, adminEmail: email, generatedPassword, tokenCreated: Boolean(opts.bootstrapToken) };
    },
  };
}
