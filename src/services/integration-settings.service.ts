import { randomBytes } from 'node:crypto';
import type { ArgoCdSettingsInput, GitHubSettingsInput, GitLabSettingsInput, IntegrationKind, IntegrationSettings } from '../contracts/integrations';
import type { IntegrationSettingsRecord, Repositories, SealedSecret } from '../db/repositories';
import { systemActor, type Actor } from '../domain/actor';
import { assertPermission } from '../domain/auth/roles';
import { StaleVersionError, type Issue } from '../domain/errors';
import { privateKeyProblem } from '../integrations/github/app-auth';
import { openSecret, sealSecret } from '../integrations/webhook/secret-box';
import { audit, throwIfIssues, type ServiceDeps } from './context';

/** The name of the key that seals integration secrets in `server_secrets`. */
const SEALING_KEY = 'integration';

/** The secrets of each kind: never answered, never audited, sealed at rest. */
const SECRET_NAMES: Record<IntegrationKind, readonly string[]> = {
  github: ['privateKey', 'webhookSecret'],
  gitlab: ['accessToken', 'webhookToken'],
  argocd: [],
};

/** The names of the machine accounts the integrations act as. */
const MACHINE_NAMES: Record<IntegrationKind, string> = { github: 'GitHub App', gitlab: 'GitLab', argocd: 'Argo CD' };

/** Secrets whose last four characters help recognise them; a PEM's last characters are its armour, so none. */
const HINTED = new Set(['webhookSecret', 'accessToken', 'webhookToken']);

const WEBHOOK_PATHS: Record<IntegrationKind, string> = {
  github: '/api/v1/integrations/github/webhook',
  gitlab: '/api/v1/integrations/gitlab/webhook',
  argocd: '/api/v1/integrations/argocd/notifications',
};

export type SettingsInputOf = { github: GitHubSettingsInput; gitlab: GitLabSettingsInput; argocd: ArgoCdSettingsInput };
/** The saved settings of a kind, as the integration services read them (secrets opened). */
export interface LoadedSettings<K extends IntegrationKind> {
  config: Omit<SettingsInputOf[K], 'version' | 'generateWebhookSecret' | 'generateWebhookToken' | 'privateKey' | 'webhookSecret' | 'accessToken' | 'webhookToken'>;
  secret(name: string): string | null;
}

export interface IntegrationSettingsOptions {
  /** CABINET_GITHUB_API_URL: the GitHub API when the settings name none. */
  githubApiUrl: string;
}

/**
 * The settings of the GitHub App, GitLab and Argo CD integrations (docs/integrations.md). Admins and change
 * managers (`integration.manage`) save them; secrets are write-only: sealed at rest, answered as `configured`
 * with a hint of four characters at most, and a secret Cabinet generates is answered once, in that response.
 */
export function createIntegrationSettingsService(deps: ServiceDeps, opts: IntegrationSettingsOptions) {
  const { store } = deps;
  const nowIso = () => deps.now().toISOString();
  let key: Buffer | null = null;

  async function sealingKey(): Promise<Buffer> {
    if (key) return key;
    let stored = await store.repos.mail.findSecret(SEALING_KEY);
    if (!stored) {
      stored = await store.transaction(async (repos) => {
        await repos.mail.insertSecretIfMissing(SEALING_KEY, randomBytes(32).toString('base64url'), nowIso());
        return (await repos.mail.findSecret(SEALING_KEY))!;
      });
    }
    key = Buffer.from(stored, 'base64url');
    return key;
  }

  const aad = (kind: string, name: string) => `integration:${kind}:${name}`;

  function present(kind: IntegrationKind, r: IntegrationSettingsRecord | null, generated?: Record<string, string>): IntegrationSettings {
    const secrets = Object.fromEntries(SECRET_NAMES[kind].map((name) => [name, { configured: !!r?.secrets[name], hint: r?.secrets[name]?.hint || null }]));
    const settings = { ...(r?.config ?? {}) };
    if (kind === 'github' && settings.apiUrl === undefined) settings.apiUrl = opts.githubApiUrl;
    return {
      kind,
      configured: !!r && SECRET_NAMES[kind].every((n) => !!r.secrets[n]),
      settings,
      secrets,
      webhookPath: WEBHOOK_PATHS[kind],
      version: r?.version ?? 0,
      updatedAt: r?.updatedAt ?? null,
      updatedBy: r?.updatedBy ?? null,
      ...(generated && Object.keys(generated).length ? { generated } : {}),
    };
  }

  /** Services and projects the settings name that do not exist, each with its path. */
  async function referenceIssues(repos: Repositories, kind: IntegrationKind, input: Record<string, unknown>): Promise<Issue[]> {
    const refs: { path: string; id: string }[] = [];
    const list = (name: string) => (Array.isArray(input[name]) ? (input[name] as Record<string, unknown>[]) : []);
    if (kind === 'github') list('repositories').forEach((r, i) => refs.push({ path: `repositories.${i}.serviceId`, id: String(r.serviceId) }));
    if (kind === 'gitlab') list('projects').forEach((p, i) => refs.push({ path: `projects.${i}.serviceId`, id: String(p.serviceId) }));
    if (kind === 'argocd') list('applications').forEach((a, i) => a.serviceId !== undefined && refs.push({ path: `applications.${i}.serviceId`, id: String(a.serviceId) }));
    const found = new Set((await repos.cmdb.findServicesByIds([...new Set(refs.map((r) => r.id))])).map((s) => s.id));
    return refs.filter((r) => !found.has(r.id)).map((r) => ({ path: r.path, message: `unknown service ${r.id}` }));
  }

  const service = {
    /** The unknown services the settings name (the 400 of a request refused for its shape lists them too). */
    async referenceIssues(actor: Actor, kind: IntegrationKind, fields: Record<string, unknown>): Promise<Issue[]> {
      assertPermission(actor, 'integration.manage');
      return referenceIssues(store.repos, kind, fields);
    },

    async get(actor: Actor, kind: IntegrationKind): Promise<IntegrationSettings> {
      assertPermission(actor, 'integration.manage');
      return present(kind, await store.repos.integrations.findSettings(kind));
    },

    /**
     * Saves the settings of a kind (a whole replacement of the plain settings; a secret left out keeps the one
     * stored). 400 lists every problem, unknown services among them; 412 when `version` is not the stored one.
     * Audited as `integration.settings_updated` naming the secrets that changed, never their values.
     */
    async put<K extends IntegrationKind>(actor: Actor, kind: K, input: SettingsInputOf[K]): Promise<IntegrationSettings> {
      assertPermission(actor, 'integration.manage');
      const raw = input as Record<string, unknown>;
      const issues: Issue[] = [];
      if (kind === 'github' && typeof raw.privateKey === 'string') {
        const problem = privateKeyProblem(raw.privateKey);
        if (problem) issues.push({ path: 'privateKey', message: problem });
      }
      if (raw.generateWebhookSecret && raw.webhookSecret !== undefined) issues.push({ path: 'generateWebhookSecret', message: 'give a webhook secret or ask for one to be generated, not both' });
      if (raw.generateWebhookToken && raw.webhookToken !== undefined) issues.push({ path: 'generateWebhookToken', message: 'give a webhook token or ask for one to be generated, not both' });
      issues.push(...(await referenceIssues(store.repos, kind, raw)));
      throwIfIssues(issues, 'The integration settings have invalid values.');
      const sealing = await sealingKey();
      const generated: Record<string, string> = {};
      const given: Record<string, string> = {};
      for (const name of SECRET_NAMES[kind]) if (typeof raw[name] === 'string') given[name] = raw[name] as string;
      if (raw.generateWebhookSecret) given.webhookSecret = generated.webhookSecret = randomBytes(24).toString('base64url');
      if (raw.generateWebhookToken) given.webhookToken = generated.webhookToken = randomBytes(24).toString('base64url');
      const config: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        if (SECRET_NAMES[kind].includes(k) || k === 'version' || k === 'generateWebhookSecret' || k === 'generateWebhookToken' || v === undefined) continue;
        config[k] = v;
      }
      const record = await store.transaction(async (repos) => {
        const before = await repos.integrations.findSettings(kind);
        const expected = before?.version ?? 0;
        if (input.version !== undefined && input.version !== expected) throw new StaleVersionError('Integration settings', kind, input.version, expected);
        const secrets: Record<string, SealedSecret> = { ...(before?.secrets ?? {}) };
        for (const [name, value] of Object.entries(given)) secrets[name] = { sealed: sealSecret(sealing, value, aad(kind, name)), hint: HINTED.has(name) ? `…${value.slice(-4)}` : '' };
        const at = nowIso();
        const after: IntegrationSettingsRecord = { kind, config, secrets, version: expected + 1, updatedBy: actor.userId, updatedAt: at };
        if (!(await repos.integrations.saveSettings(after, before ? before.version : null))) throw new StaleVersionError('Integration settings', kind, expected, expected + 1);
        const changed = Object.keys(config).filter((k) => JSON.stringify(config[k]) !== JSON.stringify(before?.config[k]));
        await audit(repos, actor, at, 'integration.settings_updated', 'integration', kind, { kind, changed, secretsChanged: Object.keys(given).sort(), version: after.version });
        return after;
      });
      return present(kind, record, generated);
    },

    /**
     * The Cabinet account an integration acts as (`github@integrations.cabinet.local`…): a machine account with
     * the `pipeline` role and no password, made on first use and audited as `user.created`. The gate files and
     * starts changes, and deployments are recorded, in its name, as with a pipeline's own API token.
     */
    async machineActor(kind: IntegrationKind, requestId: string): Promise<Actor> {
      const email = `${kind}@integrations.cabinet.local`;
      let user = await store.repos.accounts.findUserByEmail(email);
      if (!user) {
        const at = nowIso();
        const id = deps.newId();
        const name = MACHINE_NAMES[kind];
        await store
          .transaction(async (repos) => {
            await repos.accounts.insertUser({ id, email, name, passwordHash: null, now: at });
            await repos.accounts.setRoles(id, [{ role: 'pipeline', scopeType: null, scopeId: null }], deps.newId);
            await audit(repos, systemActor(requestId), at, 'user.created', 'user', id, { email, name, roles: ['pipeline'], machine: true });
          })
          .catch(() => null); // made by another process meanwhile: read below
        user = await store.repos.accounts.findUserByEmail(email);
      }
      if (!user) throw new Error(`The ${kind} integration account could not be made.`);
      return { userId: user.id, email: user.email, name: user.name, roles: [...user.roles], teamIds: [...user.teamIds], requestId, via: 'system' };
    },

    /** The saved settings of a kind with their secrets opened, or null when there are none or they are disabled. */
    async load<K extends IntegrationKind>(kind: K): Promise<LoadedSettings<K> | null> {
      const r = await store.repos.integrations.findSettings(kind);
      if (!r || r.config.enabled === false) return null;
      const sealing = await sealingKey();
      const config = { ...r.config } as Record<string, unknown>;
      if (kind === 'github' && config.apiUrl === undefined) config.apiUrl = opts.githubApiUrl;
      return {
        config: config as LoadedSettings<K>['config'],
        secret: (name) => (r.secrets[name] ? openSecret(sealing, r.secrets[name].sealed, aad(kind, name)) : null),
      };
    },
  };
  return service;
}
export type IntegrationSettingsService = ReturnType<typeof createIntegrationSettingsService>;
