import type { Role } from './auth/roles';

/** A role held by a user, optionally scoped to one team or service. */
export interface RoleGrant {
  role: Role;
  scopeType: 'team' | 'service' | null;
  scopeId: string | null;
}

/** Who is acting. Services take this instead of any HTTP context. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  roles: RoleGrant[];
  teamIds: string[];
  requestId: string;
  /** How the actor authenticated: a browser session, an API token or the local CLI. */
  via: 'session' | 'token' | 'cli' | 'system';
}

/** The actor used for work the program does by itself (first start, migrations, demo data). */
export const systemActor = (requestId = 'system'): Actor => ({
  userId: 'system',
  email: 'system@cabinet.local',
  name: 'Cabinet',
  roles: [{ role: 'admin', scopeType: null, scopeId: null }],
  teamIds: [],
  requestId,
  via: 'system',
});
