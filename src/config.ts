import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_PASSWORD_HASH_COST, MAX_PASSWORD_HASH_COST, MIN_PASSWORD_HASH_COST } from './services/password';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The folder the program was installed in (holds policies/default and dist/web). */
export const INSTALL_DIR = path.resolve(here, '..');

const PASSWORD_COST_RANGE = `must be a whole number from ${MIN_PASSWORD_HASH_COST} to ${MAX_PASSWORD_HASH_COST}`;

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .default('0')
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .default('sqlite:./data/cabinet.db')
    .refine((v) => /^sqlite:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), 'must be sqlite:PATH or postgres://USER@HOST/DB'),
  CABINET_POLICY_DIR: z.string().min(1).default(path.join(INSTALL_DIR, 'policies', 'default')),
  CABINET_ADMIN_EMAIL: z.email('must be an email address').optional(),
  CABINET_ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  // NOTE (security): any value of 20+ characters works as `Authorization: Bearer VALUE`, so it must be
  // something a header can carry unchanged: visible ASCII, no spaces.
  CABINET_BOOTSTRAP_TOKEN: z
    .string()
    .min(20, 'must be at least 20 characters')
    .regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters without spaces')
    .optional(),
  CABINET_DEMO: flag,
  /** PostgreSQL: `off` for a connection pooler that shares sessions between clients (PgBouncer's transaction mode before 1.21). */
  CABINET_PG_PREPARED_STATEMENTS: z.enum(['on', 'off'], { error: () => 'must be on or off' }).default('on'),
  /** Filings arriving together share one transaction (db/group-commit.ts); `off` gives each its own. */
  CABINET_GROUP_COMMIT: z.enum(['on', 'off'], { error: () => 'must be on or off' }).default('on'),
  /** Development aid (on in the tests): a read outside the caller's transaction throws (db/database.ts). */
  CABINET_CHECK_TRANSACTIONS: flag,
  CABINET_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CABINET_WEB_DIR: z.string().min(1).default(path.join(INSTALL_DIR, 'dist', 'web')),
  CABINET_SECURE_COOKIES: flag,
  CABINET_SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(12),
  CABINET_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  /** log2 of scrypt's N for new password hashes (services/password.ts): 15; lower only for tests and throwaway demos. */
  CABINET_PASSWORD_HASH_COST: z.coerce
    .number({ error: () => PASSWORD_COST_RANGE })
    .int(PASSWORD_COST_RANGE)
    .min(MIN_PASSWORD_HASH_COST, PASSWORD_COST_RANGE)
    .max(MAX_PASSWORD_HASH_COST, PASSWORD_COST_RANGE)
    .default(DEFAULT_PASSWORD_HASH_COST),
  /** `inline`: `cabinet serve` runs the background worker itself; `off`: run `cabinet worker` separately. */
  CABINET_WORKER: z.enum(['inline', 'off']).default('inline'),
  CABINET_WORKER_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5000),
  /** Attempts an outbox item gets (with growing, jittered pauses) before it becomes a dead letter for an admin. */
  CABINET_OUTBOX_MAX_ATTEMPTS: z.coerce.number({ error: () => 'must be a whole number from 1 to 100' }).int('must be a whole number from 1 to 100').min(1, 'must be a whole number from 1 to 100').max(100, 'must be a whole number from 1 to 100').default(8),
  /** The address people reach Cabinet at, for the links it hands out (calendar feed URLs); without it, each request's own. */
  CABINET_PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://cabinet.example.com' }).optional(),
  /** The SMTP server email goes through; without it no email is sent. */
  CABINET_SMTP_URL: z
    .string()
    .refine(isSmtpUrl, 'must be smtp://host:port or smtps://user:password@host:port')
    .optional(),
  /** The sender of Cabinet's email (From, and the organizer of its invitations). */
  CABINET_MAIL_FROM: z.email('must be an email address such as cabinet@example.com').optional(),
  /** Lets outbound webhooks reach loopback and private addresses (a receiver on the same host or network); off by default. */
  CABINET_WEBHOOK_ALLOW_PRIVATE: flag,
  /** The GitHub API the GitHub App calls (GitHub Enterprise: https://HOST/api/v3); its settings may name another. */
  CABINET_GITHUB_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://api.github.com' }).default('https://api.github.com'),
});

/** Whether `v` is an smtp:// or smtps:// URL with a host. NOTE (security): the value is never echoed in a problem, as it may hold a password. */
function isSmtpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return (u.protocol === 'smtp:' || u.protocol === 'smtps:') && u.hostname !== '';
  } catch {
    return false;
  }
}

export type Config = {
  port: number;
  host: string;
  databaseUrl: string;
  policyDir: string;
  adminEmail: string | undefined;
  adminPassword: string | undefined;
  bootstrapToken: string | undefined;
  demo: boolean;
  checkTransactions: boolean;
  /** PostgreSQL: run queries as prepared statements (db/dialect/postgres.ts). */
  pgPreparedStatements: boolean;
  /** Filings arriving together share one transaction (db/group-commit.ts). */
  groupCommit: boolean;
  logLevel: z.infer<typeof Env>['CABINET_LOG_LEVEL'];
  webDir: string;
  secureCookies: boolean;
  sessionHours: number;
  loginRateLimit: number;
  /** log2 of scrypt's N for new password hashes (CABINET_PASSWORD_HASH_COST). */
  passwordHashCost: number;
  worker: 'inline' | 'off';
  workerIntervalMs: number;
  /** Attempts before an outbox item becomes a dead letter. */
  outboxMaxAttempts: number;
  /** Origin for links Cabinet hands out, without a trailing slash; null to use each request's host. */
  publicUrl: string | null;
  /** Email over SMTP (CABINET_SMTP_URL, CABINET_MAIL_FROM); null when no SMTP server is configured. */
  mail: { smtpUrl: string; from: string } | null;
  /** Whether webhooks may reach loopback and private addresses without the allow-list (CABINET_WEBHOOK_ALLOW_PRIVATE). */
  webhookAllowPrivate: boolean;
  /** CABINET_GITHUB_API_URL, without a trailing slash. */
  githubApiUrl: string;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Parses the environment once; every invalid variable is reported together. This is the only module that
 * reads `process.env` (tests and the CLI pass their own object).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => k in Env.shape && v !== undefined && v !== ''));
  // An empty DATABASE_URL is most likely a template or secret that did not fill in: falling back to a
  // local SQLite file would start an empty Cabinet beside the real one, so it is refused instead.
  const blankDatabaseUrl = env.DATABASE_URL !== undefined && env.DATABASE_URL.trim() === '';
  if (blankDatabaseUrl) delete cleaned.DATABASE_URL;
  const parsed = Env.safeParse(cleaned);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
  if (blankDatabaseUrl) problems.push('DATABASE_URL: is set but empty; give sqlite:PATH or postgres://USER@HOST/DB, or unset it for sqlite:./data/cabinet.db');
  // Checked on the raw values, so a missing partner is reported together with any invalid variable.
  if (cleaned.CABINET_ADMIN_EMAIL && !cleaned.CABINET_ADMIN_PASSWORD) problems.push('CABINET_ADMIN_PASSWORD: must be set together with CABINET_ADMIN_EMAIL');
  if (cleaned.CABINET_ADMIN_PASSWORD && !cleaned.CABINET_ADMIN_EMAIL) problems.push('CABINET_ADMIN_EMAIL: must be set together with CABINET_ADMIN_PASSWORD');
  if (cleaned.CABINET_SMTP_URL && !cleaned.CABINET_MAIL_FROM) problems.push('CABINET_MAIL_FROM: must be set together with CABINET_SMTP_URL');
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    policyDir: path.resolve(e.CABINET_POLICY_DIR),
    adminEmail: e.CABINET_ADMIN_EMAIL?.toLowerCase(),
    adminPassword: e.CABINET_ADMIN_PASSWORD,
    bootstrapToken: e.CABINET_BOOTSTRAP_TOKEN,
    demo: e.CABINET_DEMO,
    checkTransactions: e.CABINET_CHECK_TRANSACTIONS,
    pgPreparedStatements: e.CABINET_PG_PREPARED_STATEMENTS === 'on',
    groupCommit: e.CABINET_GROUP_COMMIT === 'on',
    logLevel: e.CABINET_LOG_LEVEL,
    webDir: path.resolve(e.CABINET_WEB_DIR),
    secureCookies: e.CABINET_SECURE_COOKIES,
    sessionHours: e.CABINET_SESSION_HOURS,
    loginRateLimit: e.CABINET_LOGIN_RATE_LIMIT,
    passwordHashCost: e.CABINET_PASSWORD_HASH_COST,
    worker: e.CABINET_WORKER,
    workerIntervalMs: e.CABINET_WORKER_INTERVAL_MS,
    outboxMaxAttempts: e.CABINET_OUTBOX_MAX_ATTEMPTS,
    publicUrl: e.CABINET_PUBLIC_URL?.replace(/\/+$/, '') ?? null,
    mail: e.CABINET_SMTP_URL && e.CABINET_MAIL_FROM ? { smtpUrl: e.CABINET_SMTP_URL, from: e.CABINET_MAIL_FROM } : null,
    webhookAllowPrivate: e.CABINET_WEBHOOK_ALLOW_PRIVATE,
    githubApiUrl: e.CABINET_GITHUB_API_URL.replace(/\/+$/, ''),
  };
}

/** The environment with some variables replaced (the CLI's `--demo` sets CABINET_DEMO). */
export function loadConfigWith(overrides: Record<string, string | undefined>): Config {
  return loadConfig({ ...process.env, ...overrides });
}
