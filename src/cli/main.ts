import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ROLES } from '../domain/auth/roles';
import { ConfigError, INSTALL_DIR, loadConfig, loadConfigWith, type Config } from '../config';
import { CliError, describeError, failureJson, printJson } from './output';
import { commandEnv, inCommandContext, stderr, stdout } from './io';

// NOTE: each command's module is imported when the command runs, not here: `--help`, `--version` and the
// offline commands then start without loading the database drivers and every service (about half the
// start-up time of a short command).
const accounts = () => import('./commands/accounts');
const admin = () => import('./commands/admin');
const auditCommands = () => import('./commands/audit');
const cabCommands = () => import('./commands/cab');
const offline = () => import('./commands/offline');
const outboxCommands = () => import('./commands/outbox');
const policyCommands = () => import('./commands/policy');
const windows = () => import('./commands/windows');

/** The version in package.json (what `src/cabinet.ts` reports as VERSION, read without loading the server). */
const version = (): string => (JSON.parse(readFileSync(path.join(INSTALL_DIR, 'package.json'), 'utf8')) as { version: string }).version;

function config(overrides: Record<string, string | undefined> = {}): Config {
  const env = commandEnv();
  return env ? loadConfig({ ...env, ...overrides }) : loadConfigWith(overrides);
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Adds "Example(s):" with the given command lines at the end of the command's --help. */
function example<T extends Command>(command: T, ...lines: string[]): T {
  command.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
  return command;
}

export function buildCli(): Command {
  const program = new Command('cabinet')
    .description('Cabinet: change and release management. Reads DATABASE_URL and the other variables in the README.')
    .version(version(), '-V, --version', 'print the version of Cabinet')
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => stdout.write(s), writeErr: (s) => stderr.write(s) })
    // Errors come back to main() as exceptions, so that --json can answer them too (inherited by every command).
    .exitOverride();
  example(
    program,
    'cabinet serve',
    'DATABASE_URL=postgres://cabinet@db/cabinet cabinet migrate',
    'cabinet policy validate policies/default',
    'cabinet user list --json',
  );
  program.addHelpText('after', '\nEvery command that takes --json prints {"ok": false, "problems": [...]} on stdout when it fails.\n');

  example(
    program
      .command('serve')
      .description('Run the API and the web app (applies migrations and the policy bundle first)')
      .option('--demo', 'load the demo organisation on first start (same as CABINET_DEMO=1)')
      .option('--no-worker', 'do not run background jobs in this process')
      .action(async (opts: { demo?: boolean; worker?: boolean }) =>
        (await import('./commands/serve')).serve(
          config({ ...(opts.demo ? { CABINET_DEMO: '1' } : {}), ...(opts.worker === false ? { CABINET_WORKER: 'off' } : {}) }),
        ),
      ),
    'PORT=8080 cabinet serve --demo',
    'cabinet serve --no-worker        # and `cabinet worker` beside it',
  );

  example(
    program
      .command('worker')
      .description('Run the background worker (SLA reminders, escalations and breaches; outbox delivery) without the HTTP server')
      .option('--once', 'run one tick and exit')
      .option('--json', 'machine-readable output (with --once)')
      .action(async (opts: { once?: boolean; json?: boolean }) => (await import('./commands/worker')).runWorker(config(), opts)),
    'cabinet worker',
    'cabinet worker --once --json     # from cron',
  );

  example(
    program
      .command('migrate')
      .description('Apply database migrations and exit')
      .option('--json', 'machine-readable output')
      .action(async (opts: { json?: boolean }) => (await admin()).migrate(config(), opts)),
    'DATABASE_URL=postgres://cabinet@db/cabinet cabinet migrate',
  );

  const user = example(
    program.command('user').description('Manage users'),
    'cabinet user list',
    'cabinet user create --email ada@example.com --name "Ada Lovelace" --role requester',
  );
  example(
    user
      .command('create')
      .description('Create a user (prints a generated password when --password is absent)')
      .requiredOption('--email <email>', 'sign-in email')
      .requiredOption('--name <name>', 'display name')
      .option(
        '--role <role>',
        `a role (repeat for several): ${ROLES.join(', ')}`,
        collect,
        [],
      )
      .option('--team <handle>', 'a team to join (repeatable)', collect, [])
      .option('--password <password>', 'at least 10 characters')
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await admin()).createUser(config(), opts)),
    'cabinet user create --email ada@example.com --name "Ada Lovelace" --role change_manager --role approver --team cab',
  );
  example(
    user
      .command('list')
      .description('List users with their roles, teams and status')
      .option('--query <text>', 'only users whose name or email contains this')
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await accounts()).listUsers(config(), opts)),
    'cabinet user list --query example.com',
  );

  const team = example(program.command('team').description('Manage teams'), 'cabinet team list');
  example(
    team
      .command('create')
      .description('Create a team (its handle is what policy bundles name it by)')
      .requiredOption('--name <name>', 'display name')
      .option('--handle <handle>', 'lowercase letters, digits, - or _ (default: from the name)')
      .option('--description <text>', 'what the team does')
      .option('--member <email>', 'a member (repeatable)', collect, [])
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await accounts()).createTeam(config(), opts)),
    'cabinet team create --name "Database Administrators" --handle dba --member ada@example.com',
  );
  example(
    team
      .command('list')
      .description('List teams with their handles and members')
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await accounts()).listTeams(config(), opts)),
    'cabinet team list --json',
  );

  const token = example(program.command('token').description('Manage API tokens'), 'cabinet token list');
  example(
    token
      .command('create')
      .description('Create an API token for a user; prints only the token')
      .requiredOption('--user <email>', 'the user the token acts as')
      .option('--name <name>', 'what the token is for', 'CLI token')
      .option('--expires <iso>', 'expiry, e.g. 2027-01-01T00:00:00Z')
      .option('--json', 'print the token record as JSON (includes the secret)')
      .action(async (opts) => (await admin()).createToken(config(), opts)),
    'TOKEN=$(cabinet token create --user ci@example.com --name deploys --expires 2027-01-01T00:00:00Z)',
  );
  example(
    token
      .command('list')
      .description('List API tokens (never their secrets): prefix, owner, status, last use')
      .option('--user <email>', "only this user's tokens")
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await accounts()).listTokens(config(), opts)),
    'cabinet token list --user ci@example.com',
  );
  example(
    token
      .command('revoke')
      .argument('<id>', 'the token id (or its prefix, as `token list` shows it)')
      .description('Revoke an API token; it stops working at once')
      .option('--json', 'machine-readable output')
      .action(async (id: string, opts) => (await accounts()).revokeToken(config(), id, opts)),
    'cabinet token revoke 0191f3c2-7b7e-7c4e-9a51-2f0c9d1e8a11',
    'cabinet token revoke cab_Xy12ab34',
  );

  const cab = example(program.command('cab').description('Change advisory boards (docs/cab.md)'), 'cabinet cab agenda --board "Change Advisory Board"');
  example(
    cab
      .command('agenda')
      .description("The agenda of a board's next meeting (the one under way, else the next planned): items by risk and planned start, with their time and marks")
      .requiredOption('--board <name>', 'the board (name or id)')
      .option('--meeting <id>', 'this meeting of the board instead of the next one')
      .option('--json', 'machine-readable output: the meeting and its agenda as the API answers them')
      .action(async (opts) => (await cabCommands()).agenda(config(), opts)),
    'cabinet cab agenda --board "Payments CAB"',
    'cabinet cab agenda --board ECAB --json',
  );

  const window = example(program.command('window').description('Maintenance windows and freezes'), 'cabinet window list --kind freeze');
  example(
    window
      .command('list')
      .description('List maintenance windows and freezes: when they start, how long they last, how they repeat, what they apply to')
      .addOption(new Option('--kind <kind>', 'only this kind').choices(['maintenance', 'freeze']))
      .option('--service <id>', 'only windows that apply to this service (id or name)')
      .option('--ci <id>', 'only windows that apply to this CI (id or name)')
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await windows()).listWindows(config(), opts)),
    'cabinet window list --kind freeze --service Payments',
  );

  const imp = example(program.command('import').description('Bulk imports'), 'cabinet import cis cmdb.csv --dry-run');
  example(
    imp
      .command('cis')
      .argument('<file>', 'CSV (name,type,environment,service,criticality,tags) or JSON array')
      .description('Import CIs and relations; reports every refused row (exit 2 when some rows were refused)')
      .option('--atomic', 'apply nothing when any row is refused')
      .option('--dry-run', 'validate only')
      .addOption(new Option('--format <format>', 'file format (default from the extension)').choices(['csv', 'json']))
      .option('--json', 'machine-readable output')
      .action(async (file: string, opts) => (await admin()).importCis(config(), file, opts)),
    'cabinet import cis cmdb-export.csv --atomic',
  );
  example(
    imp
      .command('windows')
      .argument('<file>', 'an iCalendar (.ics) file')
      .description(
        'Import maintenance windows or freezes from an .ics file; reports every event (exit 2 when some were refused). Re-importing updates, never duplicates',
      )
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
      .action(async (file: string, opts) => (await windows()).importWindows(config(), file, opts)),
    'cabinet import windows freezes.ics --kind freeze --global --time-zone Europe/London',
  );

  const incidents = example(program.command('incidents').description('Incidents'), 'cabinet incidents import incident-log.csv --dry-run');
  example(
    incidents
      .command('import')
      .argument('<file>', 'a ServiceNow incident event log (CSV), or number,title,priority,state,opened_at,ci,caused_by')
      .description(
        'Import incidents; the last row of each number counts. Reports every refused incident (exit 2 when some were refused). Re-importing updates, never duplicates',
      )
      .option('--dry-run', 'report only, write nothing')
      .option('--json', 'machine-readable output')
      .action(async (file: string, opts) => (await import('./commands/incidents')).importIncidents(config(), file, opts)),
    'cabinet incidents import incident-log.csv',
  );

  const policy = example(
    program.command('policy').description('Policy bundles'),
    'cabinet policy validate ./my-policies && cabinet policy test ./my-policies && cabinet policy apply ./my-policies',
  );
  example(
    policy
      .command('validate')
      .argument('<dir>', 'bundle folder')
      .description(
        "Check a policy bundle without a database; lists every problem, one per line, with file and line (CEL expressions are checked against the change context's fields)",
      )
      .option('--json', 'machine-readable output')
      .action(async (dir: string, opts) => (await offline()).validatePolicy(dir, opts)),
    'cabinet policy validate policies/default',
  );
  example(
    policy
      .command('apply')
      .argument('<dir>', 'bundle folder')
      .description(
        "Apply a policy bundle as the new active version on DATABASE_URL, creating the teams it declares that do not exist yet. Refused when the bundle's own test cases fail (unless --force); lists every problem with file and line when it is refused",
      )
      .option('--force', "apply even when the bundle's own test cases fail")
      .option('--json', 'machine-readable output')
      .action(async (dir: string, opts) => (await policyCommands()).applyPolicy(config(), dir, opts)),
    'cabinet policy apply policies/default',
    'cabinet policy apply ./my-policies --force    # although some of its test cases fail',
  );
  example(
    policy
      .command('test')
      .argument('<dir>', 'bundle folder')
      .description(
        "Run the bundle's test cases (DIR/tests/*.yaml) without a database; exit 0 when all pass, 1 on any failure or invalid file",
      )
      .option('--json', 'machine-readable output')
      .action(async (dir: string, opts) => (await policyCommands()).testPolicy(dir, opts)),
    'cabinet policy test policies/default',
  );
  example(
    policy
      .command('diff')
      .argument('<dir>', 'bundle folder')
      .description(
        'Show what the bundle would change (risk, approvals, routing, gates) for every open change on DATABASE_URL, before it is applied',
      )
      .option('--json', 'machine-readable output')
      .action(async (dir: string, opts) => (await policyCommands()).diffPolicy(config(), dir, opts)),
    'cabinet policy diff ./my-policies',
  );

  const outbox = example(
    program.command('outbox').description('Outbox delivery: the dead letters the worker gave up on (docs/notifications.md)'),
    'cabinet outbox dead-letters',
  );
  example(
    outbox
      .command('dead-letters')
      .description('List the items that failed their last attempt (CABINET_OUTBOX_MAX_ATTEMPTS), the most recent first')
      .option('--limit <n>', 'at most this many (1 to 200)', '50')
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await outboxCommands()).listDeadLetters(config(), opts)),
    'cabinet outbox dead-letters',
    'cabinet outbox dead-letters --json | jq -r ".items[].id"',
  );
  example(
    outbox
      .command('retry')
      .argument('<id>', 'the dead letter (its id, as `outbox dead-letters` shows it)')
      .description('Queue a dead letter again, due now, with its attempts reset (audited)')
      .option('--json', 'machine-readable output')
      .action(async (id: string, opts) => (await outboxCommands()).retryDeadLetter(config(), id, opts)),
    'cabinet outbox retry 0193a2c4-5d6e-7f80-9a1b-2c3d4e5f6a7b',
  );
  example(
    outbox
      .command('discard')
      .argument('<id>', 'the dead letter (its id, as `outbox dead-letters` shows it)')
      .description('Give a dead letter up for good, saying why (audited; the item is kept as evidence)')
      .requiredOption('--reason <text>', 'why it is given up')
      .option('--json', 'machine-readable output')
      .action(async (id: string, opts) => (await outboxCommands()).discardDeadLetter(config(), id, opts)),
    'cabinet outbox discard 0193a2c4-5d6e-7f80-9a1b-2c3d4e5f6a7b --reason "The recipient left the company"',
  );

  const gate = example(
    program.command('gate').description('The deployment gate, asked from any CI tool (docs/pipelines.md)'),
    'cabinet gate check --service payments --environment production --source jenkins --repository acme/pay --ref main --sha "$GIT_COMMIT" --pipeline "$JOB_NAME" --run "$BUILD_NUMBER" --actor "$BUILD_USER_ID" --wait 30m',
  );
  example(
    gate
      .command('check')
      .description('Ask whether this deployment may go out now; with --wait, wait for a pending answer. Exit 0 allow, 2 deny, 3 still pending when the wait ends, 1 other errors')
      .addOption(new Option('--url <url>', 'the Cabinet server').env('CABINET_URL').makeOptionMandatory())
      .addOption(new Option('--token <token>', 'an API token of the pipeline’s account').env('CABINET_TOKEN').makeOptionMandatory())
      .option('--service <service>', 'the service deployed to (id or name)')
      .option('--ci <ci>', 'a CI deployed to (id or name); repeat for several', collect, [])
      .requiredOption('--environment <env>', 'the environment deployed to, e.g. production')
      .addOption(new Option('--source <tool>', 'the CI tool').choices(['github', 'gitlab', 'jenkins', 'argocd', 'generic']).default('generic'))
      .requiredOption('--repository <repo>', 'the repository (owner/name or URL)')
      .requiredOption('--ref <ref>', 'the branch or tag')
      .requiredOption('--sha <sha>', 'the commit deployed')
      .requiredOption('--pipeline <id>', 'the pipeline or job')
      .requiredOption('--run <id>', 'the run (build number, pipeline id)')
      .option('--attempt <n>', 'the attempt of the run (a new attempt is asked afresh)', '1')
      .option('--pipeline-url <url>', 'a link to the run')
      .requiredOption('--actor <name>', 'who started the deployment')
      .option('--change <number>', 'the change this deployment belongs to (CHG0001234)')
      .option('--template <entry>', 'a standard change catalogue entry (id or name): the gate files a pre-authorised change from it')
      .option('--wait <seconds>', 'wait this long for a pending answer (seconds, or 10m, 1h), long-polling')
      .option('--json', 'machine-readable output')
      .action(async (opts) => (await import('./commands/gate')).gateCheck(opts)),
    'CABINET_URL=https://cabinet.example.com CABINET_TOKEN=cab_… cabinet gate check --service payments --environment production --repository acme/pay --ref main --sha 3f2c1e9 --pipeline deploy --run 812 --actor alice --wait 1h',
  );

  const audit = example(
    program.command('audit').description('Audit trail'),
    'cabinet audit export --output audit.jsonl && cabinet audit verify audit.jsonl',
  );
  example(
    audit
      .command('export')
      .description(
        'Export the audit trail as JSON lines (what GET /api/v1/audit/export gives): all of it, or the events between --from and --to',
      )
      .option('--from <iso>', 'from the first event recorded at or after this instant')
      .option('--to <iso>', 'to the last event recorded before this instant')
      .option('--output <file>', 'write into this file instead of standard output')
      .action(async (opts) => (await auditCommands()).exportAudit(config(), opts)),
    'cabinet audit export --from 2026-01-01T00:00:00Z --to 2026-04-01T00:00:00Z --output q1.jsonl',
  );
  example(
    audit
      .command('verify')
      .argument('<file>', 'an export from `cabinet audit export` or GET /api/v1/audit/export (JSON lines)')
      .description('Verify an exported audit trail offline: exit 0 if intact, 1 naming the first broken event')
      .option(
        '--after <hash>',
        'the file continues the chain after this hash (the `lastHash` of the export before it), for an export of a range',
      )
      .option('--json', 'machine-readable output')
      .action(async (file: string, opts) => (await offline()).verifyAuditFile(file, opts)),
    'cabinet audit verify q1.jsonl',
  );

  return program;
}

/**
 * Runs the command line `argv` (as `process.argv`: node, script, arguments). A failure prints `cabinet: <reason>`
 * on stderr with each problem on its own line, and, when `--json` was given, `{"ok": false, "problems": [...]}`
 * on stdout; it returns the exit code of a failure, 1 or the command's own.
 */
async function run(argv: string[]): Promise<number | undefined> {
  const json = argv.slice(2).includes('--json');
  try {
    const program = buildCli();
    const env = commandEnv();
    if (env) readEnvOptionsFrom(program, env);
    await program.parseAsync(argv);
    return undefined;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has written its message (and the help) to stderr already; --help and --version end here too.
      if (json && err.exitCode !== 0)
        printJson({
          ok: false,
          code: err.code,
          message: err.message.replace(/^error: /, ''),
          problems: [{ message: err.message.replace(/^error: /, '') }],
        });
      return err.exitCode;
    }
    if (err instanceof ConfigError) {
      if (json)
        printJson({
          ok: false,
          code: 'invalid_configuration',
          message: 'invalid configuration',
          problems: err.problems.map((message) => ({ message })),
        });
      stderr.write(`cabinet: invalid configuration:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
    if (json) printJson(failureJson(err));
    stderr.write(`cabinet: ${describeError(err)}\n`);
    return err instanceof CliError ? err.exitCode : 1;
  }
}

/**
 * Under `runCommand`, options that fall back to an environment variable (`--url` from `CABINET_URL`) read the
 * command's environment, not the process's, which Commander would read itself. The value is set before parsing
 * with Commander's own source `env`, so a value on the command line still wins. (Such options take strings as
 * they are: none of them has a parser.)
 */
function readEnvOptionsFrom(command: Command, env: Record<string, string | undefined>): void {
  for (const option of command.options) {
    const name = option.envVar;
    if (!name) continue;
    option.envVar = undefined;
    if (env[name] !== undefined) command.setOptionValueWithSource(option.attributeName(), env[name], 'env');
  }
  for (const sub of command.commands) readEnvOptionsFrom(sub, env);
}

/** `cabinet ARGS`: a failure exits at once with its code; success leaves the process to end (or serve). */
export async function main(argv: string[]): Promise<void> {
  const code = await run(argv);
  if (code !== undefined) process.exit(code);
}

/**
 * Runs `cabinet ARGS` inside this process with its own environment (nothing of the process's is read, the
 * variables behind options included),
 * collecting its output: what the tests use instead of starting a process per command. Commands that keep
 * running (`serve`, `worker` without `--once`) need a process of their own.
 */
export function runCommand(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  return inCommandContext(env, () => run(['node', 'cabinet', ...args]));
}
