import { Command, Option } from 'commander';
import { ConfigError, loadConfigWith, type Config } from '../config';
import { applyPolicy, createToken, createUser, importCis, migrate } from './commands/admin';
import { verifyAuditFile, validatePolicy } from './commands/offline';
import { diffPolicy, testPolicy } from './commands/policy';
import { serve } from './commands/serve';
import { importIncidents } from './commands/incidents';
import { importWindows } from './commands/windows';
import { runWorker } from './commands/worker';
import { CliError, describeError } from './output';

function config(overrides: Record<string, string | undefined> = {}): Config {
  return loadConfigWith(overrides);
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function buildCli(): Command {
  const program = new Command('cabinet')
    .description('Cabinet: change and release management. Reads DATABASE_URL and the other variables in the README.')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('serve')
    .description('Run the API and the web app (applies migrations and the policy bundle first)')
    .option('--demo', 'load the demo organisation on first start (same as CABINET_DEMO=1)')
    .option('--no-worker', 'do not run background jobs in this process')
    .action(async (opts: { demo?: boolean; worker?: boolean }) => serve(config({ ...(opts.demo ? { CABINET_DEMO: '1' } : {}), ...(opts.worker === false ? { CABINET_WORKER: 'off' } : {}) })));

  program
    .command('worker')
    .description('Run the background worker (SLA reminders, escalations and breaches; outbox delivery) without the HTTP server')
    .option('--once', 'run one tick and exit')
    .option('--json', 'machine-readable output (with --once)')
    .action(async (opts: { once?: boolean; json?: boolean }) => runWorker(config(), opts));

  program
    .command('migrate')
    .description('Apply database migrations and exit')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) => migrate(config(), opts));

  const user = program.command('user').description('Manage users');
  user
    .command('create')
    .description('Create a user (prints a generated password when --password is absent)')
    .requiredOption('--email <email>', 'sign-in email')
    .requiredOption('--name <name>', 'display name')
    .option('--role <role>', 'a role (repeat for several): admin, change_manager, requester, implementer, approver, cab_member, release_manager, auditor', collect, [])
    .option('--team <handle>', 'a team to join (repeatable)', collect, [])
    .option('--password <password>', 'at least 10 characters')
    .option('--json', 'machine-readable output')
    .action(async (opts) => createUser(config(), opts));

  const token = program.command('token').description('Manage API tokens');
  token
    .command('create')
    .description('Create an API token for a user; prints only the token')
    .requiredOption('--user <email>', 'the user the token acts as')
    .option('--name <name>', 'what the token is for', 'CLI token')
    .option('--expires <iso>', 'expiry, e.g. 2027-01-01T00:00:00Z')
    .option('--json', 'print the token record as JSON (includes the secret)')
    .action(async (opts) => createToken(config(), opts));

  const imp = program.command('import').description('Bulk imports');
  imp
    .command('cis')
    .argument('<file>', 'CSV (name,type,environment,service,criticality,tags) or JSON array')
    .description('Import CIs and relations; reports every refused row (exit 2 when some rows were refused)')
    .option('--atomic', 'apply nothing when any row is refused')
    .option('--dry-run', 'validate only')
    .addOption(new Option('--format <format>', 'file format (default from the extension)').choices(['csv', 'json']))
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts) => importCis(config(), file, opts));
  imp
    .command('windows')
    .argument('<file>', 'an iCalendar (.ics) file')
    .description('Import maintenance windows or freezes from an .ics file; reports every event (exit 2 when some were refused). Re-importing updates, never duplicates')
    .addOption(new Option('--kind <kind>', 'what the events become').choices(['maintenance', 'freeze']).makeOptionMandatory())
    .option('--global', 'the windows apply everywhere')
    .option('--scope-service <id>', 'a service the windows apply to (repeatable)', collect, [])
    .option('--scope-ci <id>', 'a CI the windows apply to (repeatable)', collect, [])
    .option('--scope-environment <env>', 'an environment the windows apply to (repeatable)', collect, [])
    .option('--scope-tag <tag>', 'a tag the windows apply to (repeatable)', collect, [])
    .option('--time-zone <zone>', 'IANA zone for all-day and floating times', 'UTC')
    .option('--atomic', 'apply nothing when any event is refused')
    .option('--dry-run', 'report only, write nothing')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts) => importWindows(config(), file, opts));

  const incidents = program.command('incidents').description('Incidents');
  incidents
    .command('import')
    .argument('<file>', 'a ServiceNow incident event log (CSV), or number,title,priority,state,opened_at,ci,caused_by')
    .description('Import incidents; the last row of each number counts. Reports every refused incident (exit 2 when some were refused). Re-importing updates, never duplicates')
    .option('--dry-run', 'report only, write nothing')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts) => importIncidents(config(), file, opts));

  const policy = program.command('policy').description('Policy bundles');
  policy
    .command('validate')
    .argument('<dir>', 'bundle folder')
    .description('Check a policy bundle; lists every problem with file and line')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts) => validatePolicy(dir, opts));
  policy
    .command('apply')
    .argument('<dir>', 'bundle folder')
    .description('Apply a policy bundle as the new active version on DATABASE_URL; lists every problem with file and line when it is refused')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts) => applyPolicy(config(), dir, opts));
  policy
    .command('test')
    .argument('<dir>', 'bundle folder')
    .description("Run the bundle's test cases (DIR/tests/*.yaml) without a database; exit 0 when all pass, 1 on any failure or invalid file")
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts) => testPolicy(dir, opts));
  policy
    .command('diff')
    .argument('<dir>', 'bundle folder')
    .description('Show what the bundle would change (risk, approvals, routing, gates) for every open change on DATABASE_URL, before it is applied')
    .option('--json', 'machine-readable output')
    .action(async (dir: string, opts) => diffPolicy(config(), dir, opts));

  const audit = program.command('audit').description('Audit trail');
  audit
    .command('verify')
    .argument('<file>', 'an export from GET /api/v1/audit/export (JSON lines)')
    .description('Verify an exported audit trail offline: exit 0 if intact, 1 naming the first broken event')
    .option('--json', 'machine-readable output')
    .action(async (file: string, opts) => verifyAuditFile(file, opts));

  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`cabinet: invalid configuration: ${err.problems.join('; ')}\n`);
      process.exit(1);
    }
    process.stderr.write(`cabinet: ${describeError(err)}\n`);
    process.exit(err instanceof CliError ? err.exitCode : 1);
  }
}
