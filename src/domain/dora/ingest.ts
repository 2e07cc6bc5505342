/**
 * The deployment payloads `POST /api/v1/deployments` recognises besides its own (docs/deployments.md): DevLake's
 * deployment webhook and Datadog's DORA deployment event, mapped onto Cabinet's shape so that the same
 * validation (and the same 400 listing every problem) applies. Each mapping says where each Cabinet field came
 * from, so a problem is reported at the path the sender wrote.
 */

export type PayloadShape = 'cabinet' | 'devlake' | 'datadog';

export interface MappedPayload {
  shape: PayloadShape;
  /** The payload in Cabinet's shape (still to be validated). */
  body: Record<string, unknown>;
  /** Cabinet path → the sender's path, for the paths that differ. */
  paths: Record<string, string>;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** Which shape a body is: Datadog's `data.attributes`, DevLake's `deploymentCommits` or flat `pipeline_id`/`commit_sha`, else Cabinet's. */
export function shapeOf(body: unknown): PayloadShape {
  if (!isObject(body)) return 'cabinet';
  if (isObject(body.data) && isObject(body.data.attributes)) return 'datadog';
  if ('source' in body || 'target' in body) return 'cabinet';
  if (Array.isArray(body.deploymentCommits) || 'pipeline_id' in body || 'commit_sha' in body) return 'devlake';
  return 'cabinet';
}

/**
 * A Unix time in seconds, milliseconds or nanoseconds (Datadog accepts all three) as an ISO instant; values
 * below 1e11 are seconds, below 1e14 milliseconds, else nanoseconds.
 */
export function unixToIso(value: unknown): unknown {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return value;
  const ms = value < 1e11 ? value * 1000 : value < 1e14 ? value : value / 1e6;
  const d = new Date(Math.round(ms));
  return Number.isNaN(d.getTime()) ? value : d.toISOString();
}

/** DevLake's result words: SUCCESS, FAILURE (or FAILED), ABORT (or CANCELLED); absent on a finished deployment means success. */
function devLakeOutcome(result: string | undefined, finished: boolean): { status?: string; result?: string } {
  const r = result?.trim().toUpperCase();
  if (r === 'SUCCESS') return { result: 'success' };
  if (r === 'FAILURE' || r === 'FAILED') return { result: 'failure' };
  if (r === 'ABORT' || r === 'ABORTED' || r === 'CANCELLED' || r === 'CANCELED') return { status: 'cancelled' };
  if (r === undefined) return finished ? { result: 'success' } : { status: 'in_progress' };
  return { result: r.toLowerCase() };
}

/**
 * Maps a DevLake deployment (v1.0: `id`, `startedDate`, `finishedDate`, `deploymentCommits[]`; older: flat
 * `pipeline_id`, `repo_url`, `commit_sha`, `start_time`, `end_time`). DevLake's payload names no service (DevLake
 * keeps one webhook per project): `defaults.serviceId` (the `serviceId` query parameter) says which. Of several
 * deployment commits the first is the deployment's repository and commit.
 */
function fromDevLake(b: Obj, defaults: { serviceId?: string; environment?: string }): MappedPayload {
  const commits = Array.isArray(b.deploymentCommits) ? b.deploymentCommits.filter(isObject) : [];
  const first = commits[0];
  const finishedAt = str(b.finishedDate) ?? str(b.end_time) ?? str(first?.finishedDate);
  const body: Obj = {
    source: 'devlake',
    externalId: str(b.id) ?? str(b.pipeline_id),
    target: {
      ...(defaults.serviceId ? { serviceId: defaults.serviceId } : {}),
      environment: str(b.environment) ?? defaults.environment ?? 'PRODUCTION',
    },
    repository: str(first?.repoUrl) ?? str(b.repo_url),
    sha: str(first?.commitSha) ?? str(b.commit_sha),
    ref: str(first?.refName) ?? str(b.ref_name),
    startedAt: str(b.startedDate) ?? str(b.start_time) ?? str(first?.startedDate) ?? str(b.createdDate) ?? str(b.create_time),
    finishedAt,
    url: str(b.url),
    ...devLakeOutcome(str(b.result), finishedAt !== undefined),
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const commit = first ? 'deploymentCommits.0.' : '';
  return {
    shape: 'devlake',
    body,
    paths: {
      externalId: str(b.pipeline_id) ? 'pipeline_id' : 'id',
      repository: first ? `${commit}repoUrl` : 'repo_url',
      sha: first ? `${commit}commitSha` : 'commit_sha',
      ref: first ? `${commit}refName` : 'ref_name',
      startedAt: str(b.start_time) ? 'start_time' : 'startedDate',
      finishedAt: str(b.end_time) ? 'end_time' : 'finishedDate',
      'target.serviceId': 'query.serviceId',
      'target.environment': 'environment',
    },
  };
}

/** Maps a Datadog DORA deployment event (`data.attributes`: service, env, started_at, finished_at, git, id). Datadog deployments are successful ones. */
function fromDatadog(b: Obj, defaults: { environment?: string }): MappedPayload {
  const a = (b.data as Obj).attributes as Obj;
  const git = isObject(a.git) ? a.git : {};
  const body: Obj = {
    source: 'datadog',
    externalId: str(a.id),
    target: { serviceId: a.service, environment: str(a.env) ?? defaults.environment ?? 'production' },
    repository: git.repository_url,
    sha: git.commit_sha,
    startedAt: unixToIso(a.started_at),
    finishedAt: unixToIso(a.finished_at),
    result: 'success',
  };
  for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
  const at = 'data.attributes.';
  return {
    shape: 'datadog',
    body,
    paths: {
      externalId: `${at}id`,
      'target.serviceId': `${at}service`,
      'target.environment': `${at}env`,
      repository: `${at}git.repository_url`,
      sha: `${at}git.commit_sha`,
      startedAt: `${at}started_at`,
      finishedAt: `${at}finished_at`,
    },
  };
}

/** The body in Cabinet's shape, whichever of the three it came in. */
export function mapDeploymentPayload(raw: unknown, defaults: { serviceId?: string; environment?: string } = {}): MappedPayload {
  const shape = shapeOf(raw);
  if (shape === 'datadog') return fromDatadog(raw as Obj, defaults);
  if (shape === 'devlake') return fromDevLake(raw as Obj, defaults);
  return { shape, body: isObject(raw) ? raw : {}, paths: {} };
}

/** An issue path of the mapped body as the sender wrote it. */
export function senderPath(mapped: MappedPayload, path: string): string {
  if (mapped.paths[path]) return mapped.paths[path];
  const prefix = Object.keys(mapped.paths).find((p) => path.startsWith(`${p}.`));
  return prefix ? `${mapped.paths[prefix]}${path.slice(prefix.length)}` : path;
}
