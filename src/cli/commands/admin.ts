import { randomBytes } from 'node:crypto';
import { openCabinetStore } from '../../cabinet';
import type { Config } from '../../config';
import { CreateTokenInput, CreateUserInput } from '../../contracts/auth';
import { systemActor } from '../../domain/actor';
import { InputError } from '../../domain/errors';
import type { Services } from '../../services';
import { CliError, printJson } from '../output';
import { stdout, stderr, setExitCode } from '../io';

export async function withServices<T>(config: Config, work: (services: Services) => Promise<T>): Promise<T> {
  const { store, services } = await openCabinetStore(config);
  try {
    return await work(services);
  } finally {
    await store.close();
  }
}

export const cliActor = () => ({ ...systemActor('cli'), name: 'cabinet CLI', via: 'cli' as const });

export async function migrate(config: Config, opts: { json?: boolean }): Promise<void> {
  const { openStore } = await import('../../db/database');
  const store = openStore(config.databaseUrl, { preparedStatements: config.pgPreparedStatements });
  try {
    const applied = await store.migrate();
    if (opts.json) printJson({ applied });
    else stdout.write(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'The database is up to date.\n');
  } finally {
    await store.close();
  }
}

export async function createUser(config: Config, opts: { email: string; name: string; role: string[]; team: string[]; password?: string; json?: boolean }): Promise<void> {
  const generated = opts.password ? undefined : randomBytes(12).toString('base64url');
  await withServices(config, async (services) => {
    const teamIds: string[] = [];
    for (const t of opts.team) {
      const team = await services.accounts.getTeam(cliActor(), t).catch(() => null);
      if (!team) throw new CliError(`Unknown team "${t}".`);
      teamIds.push(team.id);
    }
    const parsed = CreateUserInput.safeParse({ email: opts.email, name: opts.name, password: opts.password ?? generated, roles: opts.role, teamIds });
    if (!parsed.success) throw new InputError('The user is not valid.', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const user = await services.accounts.createUser(cliActor(), parsed.data);
    if (opts.json) printJson({ ...user, ...(generated ? { password: generated } : {}) });
    else {
      stdout.write(`Created ${user.email} (${user.id}) with roles ${user.roles.map((r) => r.role).join(', ') || 'none'}.\n`);
      if (generated) stdout.write(`Password (shown only now): ${generated}\n`);
    }
  });
}

/** Prints only the new token on stdout, so scripts can capture it. */
export async function createToken(config: Config, opts: { user: string; name?: string; expires?: string; json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const parsed = CreateTokenInput.safeParse({ name: opts.name, expiresAt: opts.expires });
    if (!parsed.success) throw new InputError('The token is not valid.', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    const user = await services.accounts.findByEmail(cliActor(), opts.user);
    if (!user) throw new CliError(`No user with email ${opts.user}.`);
    const created = await services.auth.createToken(cliActor(), { ...parsed.data, userId: user.id });
    if (opts.json) printJson(created);
    else stdout.write(created.token + '\n');
  });
}

export async function importCis(config: Config, file: string, opts: { atomic?: boolean; dryRun?: boolean; json?: boolean; format?: string }): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  let body: string;
  try {
    body = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const format = opts.format === 'csv' || opts.format === 'json' ? opts.format : file.toLowerCase().endsWith('.json') ? 'json' : 'csv';
  const isTty = stderr.isTTY;
  await withServices(config, async (services) => {
    const result = await services.cmdb.importCis(cliActor(), { format, body }, {
      atomic: opts.atomic,
      dryRun: opts.dryRun,
      onProgress: (done, total) => {
        if (!opts.json) stderr.write(`${isTty ? '\r' : ''}Imported ${done}/${total} rows${isTty ? '' : '\n'}`);
      },
    });
    if (isTty && !opts.json) stderr.write('\n');
    if (opts.json) printJson(result);
    else {
      const verb = result.dryRun ? 'Would have' : '';
      stdout.write(
        `${verb ? verb + ' c' : 'C'}reated ${result.created}, updated ${result.updated}, left ${result.unchanged} unchanged, added ${result.relationsCreated} relation(s); ${result.errors.length} row(s) refused.\n`,
      );
      for (const e of result.errors) stdout.write(`  row ${e.row}: ${e.message}\n`);
    }
    if (result.errors.length > 0) setExitCode(2);
  });
}
