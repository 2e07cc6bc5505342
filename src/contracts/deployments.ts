import { z } from 'zod';
import { ChangeRef, CiRef, Id, Instant, ServiceRef } from './common';

/**
 * Deployments on record (issue 14 point 7, docs/deployments.md). `POST /api/v1/deployments` takes Cabinet's own
 * shape (`DeploymentInput`) and, recognised by their shape, DevLake's deployment webhook payload and Datadog's
 * DORA deployment event, so that scripts written for those only change their URL.
 */

/** Where a deployment was reported from. `devlake` and `datadog`: a payload of those shapes. */
export const DEPLOYMENT_SOURCES = ['github', 'gitlab', 'jenkins', 'argocd', 'generic', 'devlake', 'datadog'] as const;
export type DeploymentSource = (typeof DEPLOYMENT_SOURCES)[number];
export const DEPLOYMENT_STATUSES = ['in_progress', 'success', 'failure', 'cancelled'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export const DEPLOYMENT_RESULTS = ['success', 'failure'] as const;
/** The payload shapes `POST /api/v1/deployments` recognises. */
export const DEPLOYMENT_SHAPES = ['cabinet', 'devlake', 'datadog'] as const;
export type DeploymentShape = (typeof DEPLOYMENT_SHAPES)[number];

const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const Url = z.url({ message: 'must be a URL' }).max(2000);

export const DeploymentTarget = z
  .strictObject({
    serviceId: ServiceRef.optional(),
    ciIds: z.array(CiRef).max(200).optional(),
    /** The environment's name as the pipeline knows it (`production`, `prod-eu`…); policy says which are production. */
    environment: Text(100),
  })
  .meta({ id: 'DeploymentTarget' });

export const DeploymentPipeline = z
  .strictObject({
    id: Text(200),
    runId: Text(200),
    attempt: z.number().int().min(1).max(1000).default(1),
    url: Url.optional(),
  })
  .meta({ id: 'DeploymentPipeline' });

export const DeploymentPullRequest = z
  .strictObject({
    number: z.number().int().min(1),
    url: Url.optional(),
    title: z.string().max(500).optional(),
    author: z.string().max(200).optional(),
    /** When its first commit was authored: the start of its lead time. */
    firstCommitAt: Instant.optional(),
    mergedAt: Instant.optional(),
  })
  .meta({ id: 'DeploymentPullRequest' });

/**
 * Cabinet's own shape. `status` defaults to the `result` (a finished deployment); `in_progress` needs neither
 * `finishedAt` nor `result`. With `externalId`, a second report of the same (source, externalId) updates the
 * first instead of adding one: a deployment reported as started and then as finished stays one record.
 */
export const DeploymentInput = z
  .strictObject({
    source: z.enum(DEPLOYMENT_SOURCES),
    target: DeploymentTarget,
    repository: Text(300),
    sha: z.string().trim().regex(/^[0-9a-fA-F]{7,64}$/, 'must be a commit sha (7 to 64 hex digits)'),
    startedAt: Instant,
    finishedAt: Instant.optional(),
    result: z.enum(DEPLOYMENT_RESULTS).optional(),
    status: z.enum(DEPLOYMENT_STATUSES).optional(),
    externalId: Text(200).optional(),
    ref: z.string().trim().max(300).optional(),
    url: Url.optional(),
    /** The change it belongs to; without it, the change of the pipeline run's gate check, if any. */
    changeNumber: ChangeRef.optional(),
    pipeline: DeploymentPipeline.optional(),
    pullRequests: z.array(DeploymentPullRequest).max(200).optional(),
    /** Who deployed, as the pipeline names them (a login, an email). */
    actor: z.string().trim().max(200).optional(),
  })
  // NOTE: runs even when fields failed (`when`), so one 400 lists these with the rest; it reads defensively.
  .superRefine(
    (d, ctx) => {
    const status = d.status ?? d.result;
    if (!status) ctx.addIssue({ code: 'custom', path: ['result'], message: 'say how it ended (success or failure), or send status in_progress' });
    if (d.status && d.result && d.status !== 'in_progress' && d.status !== d.result) {
      ctx.addIssue({ code: 'custom', path: ['status'], message: `status ${d.status} contradicts result ${d.result}` });
    }
    if (d.status === 'in_progress' && d.result) ctx.addIssue({ code: 'custom', path: ['result'], message: 'a deployment in progress has no result yet' });
    if (status && status !== 'in_progress' && !d.finishedAt) ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: 'a finished deployment needs finishedAt' });
    const ms = (v: unknown) => (typeof v === 'string' ? Date.parse(v) : NaN);
    if (ms(d.finishedAt) < ms(d.startedAt)) ctx.addIssue({ code: 'custom', path: ['finishedAt'], message: 'must not be before startedAt' });
    },
    { when: (payload) => payload.value !== null && typeof payload.value === 'object' && !Array.isArray(payload.value) },
  )
  .meta({ id: 'DeploymentRequest' });
export type DeploymentInput = z.input<typeof DeploymentInput>;
export type ParsedDeploymentInput = z.output<typeof DeploymentInput>;

/** DevLake's deployment webhook (v1.0 `deploymentCommits`, and the older flat `pipeline_id`/`commit_sha` form). */
export const DevLakeDeployment = z
  .looseObject({
    id: z.string().max(200).optional(),
    pipeline_id: z.string().max(200).optional(),
    createdDate: z.string().optional(),
    startedDate: z.string().optional(),
    finishedDate: z.string().optional(),
    start_time: z.string().optional(),
    end_time: z.string().optional(),
    environment: z.string().max(100).optional(),
    result: z.string().max(40).optional(),
    displayTitle: z.string().max(500).optional(),
    display_title: z.string().max(500).optional(),
    name: z.string().max(500).optional(),
    url: z.string().max(2000).optional(),
    repo_url: z.string().max(2000).optional(),
    ref_name: z.string().max(300).optional(),
    commit_sha: z.string().max(64).optional(),
    deploymentCommits: z
      .array(
        z.object({
          repoUrl: z.string().max(2000),
          refName: z.string().max(300).optional(),
          startedDate: z.string().optional(),
          finishedDate: z.string().optional(),
          commitSha: z.string().max(64),
          commitMsg: z.string().max(5000).optional(),
          displayTitle: z.string().max(500).optional(),
          name: z.string().max(500).optional(),
        }),
      )
      .max(200)
      .optional(),
  })
  .meta({ id: 'DevLakeDeployment', description: "DevLake's deployment webhook payload (https://devlake.apache.org/docs/Plugins/webhook)" });

/** Datadog's DORA deployment event (`POST /api/v2/dora/deployment`). */
export const DatadogDeployment = z
  .looseObject({
    data: z.looseObject({
      attributes: z.looseObject({
        service: z.string().max(200),
        env: z.string().max(100).optional(),
        id: z.string().max(128).optional(),
        /** Unix time in seconds, milliseconds or nanoseconds. */
        started_at: z.number(),
        finished_at: z.number(),
        git: z.object({ commit_sha: z.string().max(64), repository_url: z.string().max(2000) }).optional(),
        team: z.string().max(200).optional(),
        version: z.string().max(200).optional(),
        custom_tags: z.array(z.string().max(200)).max(100).optional(),
      }),
    }),
  })
  .meta({ id: 'DatadogDeployment', description: "Datadog's DORA deployment event (https://docs.datadoghq.com/api/latest/dora-metrics/)" });

/**
 * What `POST /api/v1/deployments` takes: any of the three shapes. NOTE: DevLake's and Datadog's are loose (their
 * fields are all checked by the service after mapping), so the body reaches the service as it was sent and its
 * problems are listed at the sender's paths.
 */
export const AnyDeploymentInput = z.union([DeploymentInput, DevLakeDeployment, DatadogDeployment]);

/** For payloads without a target of their own (DevLake's, which has no service): where they deployed to. */
export const DeploymentIngestQuery = z.strictObject({
  serviceId: ServiceRef.optional().describe('The service a DevLake payload deployed (DevLake posts one webhook per project)'),
  environment: z.string().max(100).optional().describe('The environment, when the payload names none'),
});

const Named = z.object({ id: z.string(), name: z.string() });

export const Deployment = z
  .object({
    id: z.string(),
    source: z.enum(DEPLOYMENT_SOURCES),
    externalId: z.string().nullable(),
    /** The shape it was reported in. */
    shape: z.enum(DEPLOYMENT_SHAPES),
    service: Named.nullable(),
    cis: z.array(Named),
    environment: z.string(),
    /** Whether policy (deployments.yaml) counts its environment as production. */
    production: z.boolean(),
    repository: z.string(),
    ref: z.string().nullable(),
    sha: z.string(),
    url: z.string().nullable(),
    pipeline: z.object({ id: z.string(), runId: z.string(), attempt: z.number().int(), url: z.string().nullable() }).nullable(),
    pullRequests: z.array(
      z.object({
        number: z.number().int(),
        url: z.string().nullable(),
        title: z.string().nullable(),
        author: z.string().nullable(),
        firstCommitAt: z.string().nullable(),
        mergedAt: z.string().nullable(),
        /** From the first commit to this deployment finishing, in seconds. */
        leadTimeSeconds: z.number().nullable(),
      }),
    ),
    actor: z.string().nullable(),
    status: z.enum(DEPLOYMENT_STATUSES),
    result: z.enum(DEPLOYMENT_RESULTS).nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    /** The change it belongs to: named by the pipeline (`explicit`) or found through its gate check (`gate`). */
    change: z.object({ id: z.string(), number: z.string(), title: z.string(), state: z.string(), link: z.enum(['explicit', 'gate']) }).nullable(),
    /** The unauthorized changes it raised or joined (one per CI), when no authorised change covered it. */
    unauthorizedChanges: z.array(z.object({ id: z.string(), number: z.string(), state: z.string() })),
    /** Incidents linked to it explicitly (`explicit`) or through its change (`change`). */
    incidents: z.array(z.object({ id: z.string(), number: z.string(), title: z.string(), link: z.enum(['explicit', 'change']) })),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Deployment' });
export type DeploymentView = z.infer<typeof Deployment>;

export const DeploymentListQuery = z.strictObject({
  serviceId: ServiceRef.optional(),
  ciId: CiRef.optional(),
  environment: z.string().max(100).optional(),
  changeId: ChangeRef.optional().describe('Deployments of this change (id or number)'),
  result: z.enum([...DEPLOYMENT_STATUSES]).optional().describe('success, failure, cancelled or in_progress'),
  production: z.enum(['true', 'false']).optional().describe('Only deployments to production environments (true) or to others (false)'),
  ids: z.string().max(20000).optional().describe('Only these deployments, comma-separated (the records behind a DORA figure)'),
  from: Instant.optional().describe('Started at or after'),
  to: Instant.optional().describe('Started before'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
});
export type DeploymentListQuery = z.output<typeof DeploymentListQuery>;

export const LinkIncidentInput = z.strictObject({ incidentId: Id.describe('Incident id or number (INC0000001)') }).meta({ id: 'LinkDeploymentIncident' });
