import { z } from 'zod';
import { ENVIRONMENTS } from './cmdb';
import { Id } from './common';

/** The integrations Cabinet has settings for. */
export const INTEGRATION_KINDS = ['github', 'gitlab', 'argocd'] as const;
export type IntegrationKind = (typeof INTEGRATION_KINDS)[number];

/** An environment as Cabinet's gate and deployments name it (production, staging…; policy says which are production). */
const Environment = z.string().trim().min(1).max(64).describe(`An environment, e.g. ${ENVIRONMENTS.join(', ')}`);
const HttpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000);
/** A write-only secret: set it, or leave it out to keep the one stored. */
const SecretValue = (min: number, what: string) => z.string().min(min, `must be at least ${min} characters (${what})`).max(20_000);
/** Optimistic concurrency: the version read; a save against another one is refused (412). */
const Version = z.number().int().min(0).optional().describe('The settings version you read; refused with 412 when someone saved since');

/** A forge environment name mapped to a Cabinet environment ("prod" → production). */
const EnvironmentMap = z
  .record(z.string().min(1).max(200), Environment)
  .default({})
  .describe('Forge environment names mapped to Cabinet environments; names not listed pass as they are, in lower case');

/** A person of the forge (GitHub or GitLab login) mapped to a Cabinet account by its email. */
const PersonMap = z
  .array(z.strictObject({ login: z.string().trim().min(1).max(100), email: z.email('must be an email address') }))
  .max(10_000)
  .default([])
  .describe('Forge logins and the email of the Cabinet account each is; a review by a login not listed is matched by the account email GitHub sends, if any');

export const REVIEW_COUNTS = ['evidence', 'peer_approval'] as const;

/** PUT /api/v1/integrations/github */
export const GitHubSettingsInput = z
  .strictObject({
    enabled: z.boolean().default(true),
    appId: z.string().regex(/^\d{1,20}$/, 'must be the numeric App ID GitHub shows on the App page'),
    privateKey: SecretValue(64, 'the App private key, PEM, as GitHub downloads it')
      .refine((v) => /-----BEGIN (RSA )?PRIVATE KEY-----/.test(v), 'must be a PEM private key (-----BEGIN RSA PRIVATE KEY----- …)')
      .optional(),
    webhookSecret: SecretValue(16, 'the App webhook secret').optional(),
    /** Makes a new webhook secret and answers it once, in this response. */
    generateWebhookSecret: z.boolean().default(false),
    apiUrl: HttpUrl.optional().describe('GitHub API base URL; default CABINET_GITHUB_API_URL, else https://api.github.com (GitHub Enterprise: https://HOST/api/v3)'),
    /** What an approving pull request review counts for. */
    reviewCountsAs: z
      .enum(REVIEW_COUNTS)
      .default('evidence')
      .describe('evidence: attached to the change; peer_approval: also decides the pending peer approval of a low-risk change, as the reviewer (never the author or a party to the change)'),
    /** Above this risk level a review is evidence only. */
    peerApprovalMaxRisk: z.enum(['low', 'moderate']).default('low'),
    repositories: z
      .array(
        z.strictObject({
          repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must be OWNER/NAME'),
          serviceId: Id,
          templateId: Id.optional().describe('A catalogue entry: each deployment is a standard change filed from it (pre-authorised when eligible)'),
        }),
      )
      .max(5000)
      .default([])
      .describe('Which Cabinet service each repository deploys'),
    environments: EnvironmentMap,
    people: PersonMap,
    /** Minutes a protection rule may wait before Cabinet rejects it, when the gate names no deadline. */
    deadlineMinutes: z.number().int().min(1).max(30 * 24 * 60).default(24 * 60),
    version: Version,
  })
  .meta({ id: 'GitHubSettingsUpdate' });

/** PUT /api/v1/integrations/gitlab */
export const GitLabSettingsInput = z
  .strictObject({
    enabled: z.boolean().default(true),
    baseUrl: HttpUrl.default('https://gitlab.com').describe('GitLab base URL (https://gitlab.example.com); the API is under /api/v4'),
    accessToken: SecretValue(8, 'a project or group access token with the api scope, of a user allowed to approve deployments').optional(),
    webhookToken: SecretValue(16, 'the secret token of the webhook').optional(),
    generateWebhookToken: z.boolean().default(false),
    projects: z
      .array(
        z.strictObject({
          projectId: z.number().int().positive(),
          path: z.string().max(500).optional().describe('path_with_namespace, for people reading the settings'),
          serviceId: Id,
          templateId: Id.optional().describe('A catalogue entry: each deployment is a standard change filed from it'),
          /** Export the freezes of this service to this project as freeze periods. */
          syncFreezes: z.boolean().default(true),
        }),
      )
      .max(5000)
      .default([]),
    environments: EnvironmentMap,
    people: PersonMap,
    deadlineMinutes: z.number().int().min(1).max(30 * 24 * 60).default(24 * 60),
    version: Version,
  })
  .meta({ id: 'GitLabSettingsUpdate' });

/** PUT /api/v1/integrations/argocd */
export const ArgoCdSettingsInput = z
  .strictObject({
    enabled: z.boolean().default(true),
    project: z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be an AppProject name (lower case letters, digits and -)').max(253),
    applications: z
      .array(
        z.strictObject({
          serviceId: Id.optional(),
          environment: Environment.optional(),
          applications: z.array(z.string().min(1).max(253)).max(500).default([]),
          namespaces: z.array(z.string().min(1).max(253)).max(500).default([]),
          clusters: z.array(z.string().min(1).max(500)).max(500).default([]),
        }),
      )
      .max(5000)
      .default([])
      .describe('What each service and environment is in Argo CD: application names, namespaces and clusters (wildcards as Argo CD reads them)'),
    version: Version,
  })
  .meta({ id: 'ArgoCdSettingsUpdate' });

export type GitHubSettingsInput = z.output<typeof GitHubSettingsInput>;
export type GitLabSettingsInput = z.output<typeof GitLabSettingsInput>;
export type ArgoCdSettingsInput = z.output<typeof ArgoCdSettingsInput>;

/** A secret as the settings show it: whether it is set, and its last four characters at most. */
export const SecretState = z.object({ configured: z.boolean(), hint: z.string().nullable() }).meta({ id: 'IntegrationSecretState' });

/** GET/PUT answer: the settings without their secrets. */
export const IntegrationSettings = z
  .object({
    kind: z.enum(INTEGRATION_KINDS),
    configured: z.boolean(),
    settings: z.record(z.string(), z.unknown()).describe('The settings as saved, secrets left out'),
    secrets: z.record(z.string(), SecretState),
    /** Where the forge sends its webhooks (relative to Cabinet's address). */
    webhookPath: z.string().nullable(),
    version: z.number().int(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
    /** A secret Cabinet generated in this request: shown this once, never again. */
    generated: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: 'IntegrationSettings' });
export type IntegrationSettings = z.infer<typeof IntegrationSettings>;

/** What a webhook receiver answers. */
export const WebhookReceipt = z
  .object({
    received: z.literal(true),
    /** What Cabinet did with it: `ignored` for events and actions it does not act on, `duplicate` for a delivery it already had. */
    outcome: z.string(),
    detail: z.record(z.string(), z.unknown()).default({}),
  })
  .meta({ id: 'IntegrationWebhookReceipt' });
export type WebhookReceipt = z.infer<typeof WebhookReceipt>;

/** One GitLab freeze period: crons in a time zone. */
export const GitLabFreezePeriod = z
  .object({
    freeze_start: z.string(),
    freeze_end: z.string(),
    cron_timezone: z.string(),
    /** The Cabinet freeze it comes from. */
    windowId: z.string(),
    name: z.string(),
  })
  .meta({ id: 'GitLabFreezePeriod' });

/** A window Cabinet could not export, and why. */
export const SkippedWindow = z.object({ windowId: z.string(), name: z.string(), reason: z.string() }).meta({ id: 'SkippedWindow' });

export const GitLabFreezePeriodsQuery = z.strictObject({ projectId: z.coerce.number().int().positive().describe('GitLab project id, as in the settings') });
export const GitLabFreezePeriods = z
  .object({ projectId: z.number(), items: z.array(GitLabFreezePeriod), skipped: z.array(SkippedWindow) })
  .meta({ id: 'GitLabFreezePeriods' });
export type GitLabFreezePeriods = z.infer<typeof GitLabFreezePeriods>;

export const GitLabFreezeSyncInput = z.strictObject({ projectId: z.number().int().positive().optional().describe('One project; default every project set to sync freezes') });
export const GitLabFreezeSyncResult = z
  .object({
    projects: z.array(z.object({ projectId: z.number(), created: z.number(), updated: z.number(), deleted: z.number(), unchanged: z.number(), error: z.string().nullable() })),
  })
  .meta({ id: 'GitLabFreezeSyncResult' });
export type GitLabFreezeSyncResult = z.infer<typeof GitLabFreezeSyncResult>;

/** One Argo CD sync window. */
export const ArgoSyncWindow = z
  .object({
    kind: z.enum(['allow', 'deny']),
    schedule: z.string(),
    duration: z.string(),
    applications: z.array(z.string()).optional(),
    namespaces: z.array(z.string()).optional(),
    clusters: z.array(z.string()).optional(),
    manualSync: z.boolean(),
    timeZone: z.string(),
    description: z.string(),
  })
  .meta({ id: 'ArgoSyncWindow' });
export type ArgoSyncWindow = z.infer<typeof ArgoSyncWindow>;

export const ArgoSyncWindowsQuery = z.strictObject({ format: z.enum(['json', 'yaml']).default('json') });
export const ArgoSyncWindows = z
  .object({ project: z.string(), syncWindows: z.array(ArgoSyncWindow), skipped: z.array(SkippedWindow) })
  .meta({ id: 'ArgoSyncWindows' });
export type ArgoSyncWindows = z.infer<typeof ArgoSyncWindows>;

/**
 * What the argocd-notifications webhook template sends (docs/integrations.md): the application and its
 * operation. Unknown fields are kept out of the way, since templates grow.
 */
export const ArgoNotification = z
  .object({
    app: z.string().min(1).max(253),
    project: z.string().max(253).default('default'),
    namespace: z.string().max(253).optional(),
    cluster: z.string().max(500).optional(),
    revision: z.string().max(200).default(''),
    repoURL: z.string().max(2000).optional(),
    phase: z.enum(['Running', 'Succeeded', 'Failed', 'Error', 'Terminating', '']).default(''),
    syncStatus: z.string().max(50).default(''),
    healthStatus: z.string().max(50).default(''),
    message: z.string().max(4000).default(''),
    startedAt: z.string().max(40).optional(),
    finishedAt: z.string().max(40).optional(),
    initiatedBy: z.string().max(200).optional(),
    operationId: z.string().max(200).optional(),
  })
  .meta({ id: 'ArgoNotification' });
export type ArgoNotification = z.output<typeof ArgoNotification>;

export const ArgoHeldApplication = z
  .object({
    application: z.string(),
    project: z.string(),
    revision: z.string(),
    serviceId: z.string().nullable(),
    environment: z.string(),
    freezeId: z.string().nullable(),
    freezeEndsAt: z.string().nullable(),
    heldAt: z.string(),
    message: z.string(),
    /** The freeze that held it is over: sync it now (`argocd app sync NAME`). */
    readyToSync: z.boolean(),
  })
  .meta({ id: 'ArgoHeldApplication' });
export const ArgoHeldQuery = z.strictObject({ ready: z.enum(['true', 'false']).optional().describe('true: only those whose freeze is over') });
export const ArgoHeldList = z.object({ items: z.array(ArgoHeldApplication), nextCursor: z.null() }).meta({ id: 'ArgoHeldList' });
