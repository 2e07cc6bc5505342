import type { Config } from '../../config';
import { CreateTeamInput, type ApiToken, type Team, type User } from '../../contracts/auth';
import { InputError } from '../../domain/errors';
import type { Services } from '../../services';
import { CliError, formatTable, printJson } from '../output';
import { cliActor, withServices } from './admin';
import { stdout } from '../io';

/** Users are read in pages of this many. */
const PAGE = 200;

const issuesOf = (error: { issues: { path: PropertyKey[]; message: string }[] }) => error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));

/** `cabinet team create`: a team, empty or with members named by email. */
export async function createTeam(config: Config, opts: { name: string; handle?: string; description?: string; member: string[]; json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const memberIds: string[] = [];
    const unknown: { path: string; message: string }[] = [];
    for (const [i, email] of opts.member.entries()) {
      const user = await services.accounts.findByEmail(cliActor(), email);
      if (user) memberIds.push(user.id);
      else unknown.push({ path: `member.${i}`, message: `no user with email ${email}` });
    }
    const parsed = CreateTeamInput.safeParse({ name: opts.name, handle: opts.handle, description: opts.description, memberIds });
    const issues = [...(parsed.success ? [] : issuesOf(parsed.error)), ...unknown];
    if (!parsed.success || issues.length > 0) throw new InputError('The team is not valid.', issues);
    const team = await services.accounts.createTeam(cliActor(), parsed.data);
    if (opts.json) printJson(team);
    else stdout.write(`Created team ${team.handle} (${team.name}, ${team.id}) with ${team.memberIds.length} member(s).\n`);
  });
}

/** `cabinet team list`: every team by handle, with its members' emails. */
export async function listTeams(config: Config, opts: { json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const teams = await services.accounts.listTeams(cliActor());
    const emails = await emailsById(services);
    if (opts.json) {
      printJson({ items: teams.map((t) => ({ ...t, members: t.memberIds.map((id) => emails.get(id) ?? id) })) });
      return;
    }
    if (teams.length === 0) {
      stdout.write('No teams yet. Create one with `cabinet team create --name NAME`.\n');
      return;
    }
    const rows = teams.map((t: Team) => [t.handle, t.name, t.memberIds.map((id) => emails.get(id) ?? id).join(', ') || '-', t.id]);
    stdout.write(formatTable(['HANDLE', 'NAME', 'MEMBERS', 'ID'], rows));
  });
}

/** Every user, in pages, oldest email first; `q` filters by name or email. */
async function allUsers(services: Services, q?: string): Promise<User[]> {
  const users: User[] = [];
  let cursor: string | undefined;
  do {
    const page = await services.accounts.listUsers(cliActor(), { q, limit: PAGE, cursor });
    users.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return users;
}

async function emailsById(services: Services): Promise<Map<string, string>> {
  return new Map((await allUsers(services)).map((u) => [u.id, u.email]));
}

/** `cabinet user list`: every user with roles, teams and whether they may sign in. */
export async function listUsers(config: Config, opts: { query?: string; json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const users = await allUsers(services, opts.query);
    if (opts.json) {
      printJson({ items: users });
      return;
    }
    if (users.length === 0) {
      stdout.write(opts.query ? `No user matches "${opts.query}".\n` : 'No users yet.\n');
      return;
    }
    const handles = new Map((await services.accounts.listTeams(cliActor())).map((t) => [t.id, t.handle]));
    const role = (g: User['roles'][number]) => (g.scopeType ? `${g.role}@${g.scopeType}:${g.scopeType === 'team' ? (handles.get(g.scopeId ?? '') ?? g.scopeId) : g.scopeId}` : g.role);
    const rows = users.map((u) => [u.email, u.name, u.roles.map(role).join(', ') || '-', u.teamIds.map((id) => handles.get(id) ?? id).join(', ') || '-', u.disabled ? 'disabled' : 'active']);
    stdout.write(formatTable(['EMAIL', 'NAME', 'ROLES', 'TEAMS', 'STATUS'], rows));
  });
}

const tokenStatus = (t: ApiToken, now: string) => (t.revokedAt ? 'revoked' : t.expiresAt && t.expiresAt <= now ? 'expired' : 'active');

/** `cabinet token list`: every API token (never a secret), or those of one user. */
export async function listTokens(config: Config, opts: { user?: string; json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    let tokens = await services.auth.listTokens(cliActor(), true);
    if (opts.user) {
      const user = await services.accounts.findByEmail(cliActor(), opts.user);
      if (!user) throw new CliError(`No user with email ${opts.user}.`);
      tokens = tokens.filter((t) => t.userId === user.id);
    }
    const emails = await emailsById(services);
    const now = new Date().toISOString();
    if (opts.json) {
      printJson({ items: tokens.map((t) => ({ ...t, userEmail: emails.get(t.userId) ?? null, status: tokenStatus(t, now) })) });
      return;
    }
    if (tokens.length === 0) {
      stdout.write('No API tokens. Create one with `cabinet token create --user EMAIL`.\n');
      return;
    }
    const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '-');
    const rows = tokens.map((t) => [t.id, `${t.prefix}…`, t.name, emails.get(t.userId) ?? t.userId, tokenStatus(t, now), day(t.createdAt), day(t.expiresAt), day(t.lastUsedAt)]);
    stdout.write(formatTable(['ID', 'PREFIX', 'NAME', 'USER', 'STATUS', 'CREATED', 'EXPIRES', 'LAST USED'], rows));
  });
}

/** `cabinet token revoke ID`: the token (by id, or by its visible prefix when only one token has it) stops working at once. */
export async function revokeToken(config: Config, ref: string, opts: { json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const tokens = await services.auth.listTokens(cliActor(), true);
    const prefix = ref.replace(/…$/, '');
    const byId = tokens.filter((t) => t.id === ref);
    // A generated token shows 12 characters, a fixed one (CABINET_BOOTSTRAP_TOKEN) only `cab_`: the longest prefix wins.
    const byPrefix = tokens.filter((t) => prefix.startsWith(t.prefix));
    const longest = Math.max(0, ...byPrefix.map((t) => t.prefix.length));
    const matches = byId.length > 0 ? byId : byPrefix.filter((t) => t.prefix.length === longest);
    if (matches.length === 0) throw new CliError(`No API token ${ref}. \`cabinet token list\` shows every token's id.`);
    if (matches.length > 1) throw new CliError(`${matches.length} tokens start with ${ref}: give the id instead.`, 1, matches.map((t) => ({ message: `${t.id} ${t.prefix}… ${t.name}` })));
    const token = matches[0]!;
    const wasRevoked = token.revokedAt !== null;
    await services.auth.revokeToken(cliActor(), token.id);
    const email = (await emailsById(services)).get(token.userId) ?? token.userId;
    if (opts.json) printJson({ ok: true, id: token.id, prefix: token.prefix, name: token.name, user: email, alreadyRevoked: wasRevoked });
    else stdout.write(wasRevoked ? `Token ${token.prefix}… (${token.name}) of ${email} was already revoked.\n` : `Revoked token ${token.prefix}… (${token.name}) of ${email}.\n`);
  });
}
