import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import type { Config } from './config';
import { INSTALL_DIR } from './config';
import { openStore, type Store } from './db/database';
import { systemActor } from './domain/actor';
import { buildApp } from './http/app';
import { createLogger } from './http/logger';
import { createWorker, type Worker } from './jobs/worker';
import type { App } from './http/types';
import { createServices, type Services } from './services';
import { DEFAULT_PASSWORD_HASH_COST } from './services/password';
import { defaultIds } from './services/context';
import type { MailSettings } from './services/mail.service';

export interface Cabinet {
  app: App;
  store: Store;
  services: Services;
  config: Config;
  /** The background worker, not started: `cabinet serve` starts it when CABINET_WORKER is inline; tests call `tick()`. */
  worker: Worker;
  close(): Promise<void>;
}

export const VERSION: string = (JSON.parse(readFileSync(path.join(INSTALL_DIR, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * Opens storage, migrates, and wires the services (no HTTP). Used by `serve`, `worker` and CLI commands.
 * `startup` runs right after the migrations and under the same lock, so that processes started together
 * on one database migrate and bootstrap one after the other, each finding the work of those before.
 */
export async function openCabinetStore(
  config: Pick<Config, 'databaseUrl' | 'sessionHours'> & Partial<Pick<Config, 'checkTransactions' | 'pgPreparedStatements' | 'groupCommit' | 'outboxMaxAttempts' | 'mail' | 'publicUrl' | 'host' | 'port' | 'webhookAllowPrivate' | 'githubApiUrl' | 'passwordHashCost'>>,
  opts: { now?: () => Date; startup?: (services: Services) => Promise<void> } = {},
): Promise<{ store: Store; services: Services }> {
  const store = openStore(config.databaseUrl, { checkTransactions: config.checkTransactions, preparedStatements: config.pgPreparedStatements, groupCommit: config.groupCommit });
  try {
    const services = createServices({ store, now: opts.now ?? (() => new Date()), newId: defaultIds }, {
      sessionHours: config.sessionHours,
      outboxMaxAttempts: config.outboxMaxAttempts,
      mail: mailSettings(config),
      webhooks: { allowPrivate: config.webhookAllowPrivate ?? false, origin: originOf(config) },
      githubApiUrl: config.githubApiUrl,
      passwordHashCost: config.passwordHashCost,
    });
    await store.withStartupLock(async () => {
      await store.migrate({ lockHeld: true });
      await opts.startup?.(services);
    });
    return { store, services };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}

/**
 * Email as the services take it: links start with CABINET_PUBLIC_URL, or else with the address Cabinet
 * listens at (right on one machine only; the README asks for CABINET_PUBLIC_URL with email).
 */
/** The origin of the links Cabinet hands out (email, webhooks): CABINET_PUBLIC_URL, or the address it listens at. */
function originOf(config: Partial<Pick<Config, 'publicUrl' | 'host' | 'port'>>): string {
  const host = !config.host || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return config.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port ?? 8080}`;
}

function mailSettings(config: Partial<Pick<Config, 'mail' | 'publicUrl' | 'host' | 'port'>>): MailSettings | null {
  if (!config.mail) return null;
  const host = !config.host || config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  return { ...config.mail, origin: config.publicUrl ?? `http://${host.includes(':') ? `[${host}]` : host}:${config.port ?? 8080}` };
}

/**
 * Everything `cabinet serve` does before listening: migrations, the policy bundle, the first admin, the
 * demo organisation when asked for, and the HTTP app.
 */
export async function startCabinet(
  config: Config,
  opts: { logger?: boolean; logDestination?: DestinationStream; log?: (msg: string) => void; now?: () => Date } = {},
): Promise<Cabinet> {
  const log = opts.log ?? (() => {});
  if (config.passwordHashCost < DEFAULT_PASSWORD_HASH_COST) {
    log(`Passwords are hashed at cost ${config.passwordHashCost} (CABINET_PASSWORD_HASH_COST); the default is ${DEFAULT_PASSWORD_HASH_COST}: a lower cost is for tests and throwaway demos only.`);
  }
  const { store, services } = await openCabinetStore(config, { now: opts.now, startup: (s) => bootstrap(s, config, log) });
  try {
    const logger = opts.logger ? createLogger(config.logLevel, opts.logDestination) : null;
    const app = await buildApp({
      services,
      logger,
      webDir: config.webDir,
      secureCookies: config.secureCookies,
      sessionHours: config.sessionHours,
      loginRateLimit: config.loginRateLimit,
      publicUrl: config.publicUrl,
      version: VERSION,
    });
    const worker = createWorker(services, {
      intervalMs: config.workerIntervalMs,
      onError: (err) => app.log.error({ err }, 'worker tick failed'),
      onTick: (report) => app.log.info({ worker: report }, 'worker tick'),
    });
    return {
      app,
      store,
      services,
      config,
      worker,
      async close() {
        await worker.stop();
        await app.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
}

/** First-start work, run under the startup lock: each step looks at what is stored before it adds anything. */
async function bootstrap(services: Services, config: Config, log: (msg: string) => void): Promise<void> {
  const policy = await services.policy.applyAtStartup(systemActor('startup'), config.policyDir);
  for (const team of policy.createdTeams) log(`Created team ${team.handle} (${team.name}) declared by the policy bundle.`);
  log(policy.applied ? `Applied policy bundle ${config.policyDir} as version ${policy.number}.` : `Policy version ${policy.number} is active.`);
  const first = await services.bootstrap.ensureFirstAdmin({ adminEmail: config.adminEmail, adminPassword: config.adminPassword, bootstrapToken: config.bootstrapToken });
  if (first.created) {
    log(`Created the first admin, ${first.adminEmail}.`);
    if (first.generatedPassword) log(`  Its password (shown only now): ${first.generatedPassword}`);
    if (first.tokenCreated) log('  Created the bootstrap API token from CABINET_BOOTSTRAP_TOKEN.');
  }
  if (config.demo) {
    const demo = await services.demo.load();
    if (demo.loaded) log('Loaded the demo organisation (people sign in with password "demo-password-1"; see the README).');
  }
}
