import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { Harness } from './cabinet';

/** One request the fake forge got. */
export interface ForgeRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests assert on arbitrary request JSON
  body: any;
}

export interface FreezePeriod {
  id: number;
  freeze_start: string;
  freeze_end: string;
  cron_timezone: string;
}

export interface ForgeApi {
  url: string;
  requests: ForgeRequest[];
  /** Installation tokens handed out, by installation id. */
  tokensIssued: Map<string, string>;
  /** GitLab freeze periods, by project id. */
  freezePeriods: Map<number, FreezePeriod[]>;
  /** A run's own commit, by run id (default: the `run` option's). */
  runShas: Map<number, string>;
  /** Requests to these paths answer 500 (GitHub or GitLab down) until removed. */
  failing: Set<string>;
  close(): Promise<void>;
}

/**
 * A local HTTP server playing GitHub's and GitLab's APIs, recording every request. GitHub: the installation token
 * exchange checks the App JWT (RS256, verified with the App's public key, `iss` the App id, not expired), and the
 * calls made with a token check it is one it issued. GitLab: every call needs PRIVATE-TOKEN `gitlabToken`.
 */
export async function startForgeApi(opts: { appId: string; publicKeyPem: string; gitlabToken: string; run?: { head_sha: string; run_attempt: number; path: string } }): Promise<ForgeApi> {
  const publicKey: KeyObject = createPublicKey(opts.publicKeyPem);
  const requests: ForgeRequest[] = [];
  const tokensIssued = new Map<string, string>();
  const freezePeriods = new Map<number, FreezePeriod[]>();
  const failing = new Set<string>();
  const runShas = new Map<number, string>();
  let nextPeriod = 1;

  function jwtValid(auth: string | undefined): boolean {
    const m = /^Bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/.exec(auth ?? '');
    if (!m) return false;
    const header = JSON.parse(Buffer.from(m[1]!, 'base64url').toString()) as { alg: string };
    const claims = JSON.parse(Buffer.from(m[2]!, 'base64url').toString()) as { iss: string; exp: number; iat: number };
    if (header.alg !== 'RS256' || String(claims.iss) !== opts.appId) return false;
    const now = Date.now() / 1000;
    if (!(claims.exp > now && claims.iat <= now + 60 && claims.exp - claims.iat <= 600)) return false;
    return verify('sha256', Buffer.from(`${m[1]}.${m[2]}`), publicKey, Buffer.from(m[3]!, 'base64url'));
  }
  const tokenValid = (auth: string | undefined) => [...tokensIssued.values()].some((t) => auth === `token ${t}` || auth === `Bearer ${t}`);

  async function read(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString();
    return text ? JSON.parse(text) : null;
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const body = await read(req);
      requests.push({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
      const send = (status: number, json?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      if (failing.has(url.pathname)) return send(500, { message: 'Server Error' });
      const auth = req.headers.authorization;
      let m: RegExpExecArray | null;
      if ((m = /^\/app\/installations\/(\d+)\/access_tokens$/.exec(url.pathname)) && req.method === 'POST') {
        if (!jwtValid(auth)) return send(401, { message: 'A JSON web token could not be decoded' });
        const token = `ghs_${randomBytes(12).toString('hex')}`;
        tokensIssued.set(m[1]!, token);
        return send(201, { token, expires_at: new Date(Date.now() + 3600_000).toISOString() });
      }
      if ((m = /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)$/.exec(url.pathname)) && req.method === 'GET') {
        if (!tokenValid(auth)) return send(401, { message: 'Bad credentials' });
        return send(200, { id: Number(m[1]), head_sha: runShas.get(Number(m[1])) ?? opts.run?.head_sha, run_attempt: opts.run?.run_attempt ?? 1, path: opts.run?.path ?? '.github/workflows/deploy.yml', html_url: `https://github.test/runs/${m[1]}` });
      }
      if (/^\/repos\/[^/]+\/[^/]+\/actions\/runs\/\d+\/deployment_protection_rule$/.test(url.pathname) && req.method === 'POST') {
        if (!tokenValid(auth)) return send(401, { message: 'Bad credentials' });
        return send(204);
      }
      if (url.pathname.startsWith('/api/v4/')) {
        if (req.headers['private-token'] !== opts.gitlabToken) return send(401, { message: '401 Unauthorized' });
        if (/^\/api\/v4\/projects\/\d+\/deployments\/\d+\/approval$/.test(url.pathname) && req.method === 'POST') return send(201, { status: (body as { status: string }).status });
        if ((m = /^\/api\/v4\/projects\/(\d+)\/freeze_periods(?:\/(\d+))?$/.exec(url.pathname))) {
          const project = Number(m[1]);
          const list = freezePeriods.get(project) ?? [];
          freezePeriods.set(project, list);
          const id = m[2] ? Number(m[2]) : null;
          if (req.method === 'GET' && id === null) return send(200, list);
          if (req.method === 'POST' && id === null) {
            const p = { id: nextPeriod++, ...(body as Omit<FreezePeriod, 'id'>) };
            list.push(p);
            return send(201, p);
          }
          const i = list.findIndex((p) => p.id === id);
          if (i < 0) return send(404, { message: '404 Not found' });
          if (req.method === 'PUT') {
            list[i] = { ...list[i]!, ...(body as object) };
            return send(200, list[i]);
          }
          if (req.method === 'DELETE') {
            list.splice(i, 1);
            return send(204);
          }
        }
      }
      send(404, { message: 'Not Found' });
    })().catch(() => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tokensIssued,
    freezePeriods,
    failing,
    runShas,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A service with one production CI, for the integrations' repositories and projects to deploy. */
export async function serviceWithCi(h: Harness, name: string): Promise<string> {
  const service = await h.request('POST', '/api/v1/services', { body: { name, tier: 2 } });
  assert.equal(service.status, 201, service.text);
  const ciRes = await h.request('POST', '/api/v1/cis', { body: { name: `${name}-app`, type: 'application', environment: 'production', criticality: 'low', serviceId: service.body.id } });
  assert.equal(ciRes.status, 201, ciRes.text);
  return service.body.id;
}
