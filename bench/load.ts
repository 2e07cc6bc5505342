import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';

/** The autocannon command-line script; run in a child so the load generator never shares the server's event loop. */
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon');

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
}

export interface Measurement {
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  requests: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses outside 2xx. */
  non2xx: number;
  statusCodes: Record<string, number>;
}

/** What autocannon --json prints (the parts we read). */
interface AutocannonJson {
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  latency: { p50: number; p99: number };
  requests: { average: number; total: number };
  duration: number;
}

/** Runs autocannon against `url` for `seconds` with `connections` and returns its summary. */
export function measure(opts: LoadOptions): Promise<Measurement> {
  const args = [AUTOCANNON, '--json', '--no-progress', '-c', String(opts.connections), '-d', String(opts.seconds), '-m', opts.method];
  for (const [k, v] of Object.entries(opts.headers)) args.push('-H', `${k}=${v}`);
  if (opts.body !== undefined) args.push('-b', opts.body);
  args.push(opts.url);
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024, timeout: (opts.seconds + 60) * 1000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`autocannon failed: ${err.message}\n${stderr}`));
      let r: AutocannonJson;
      try {
        r = JSON.parse(stdout) as AutocannonJson;
      } catch {
        return reject(new Error(`autocannon printed no JSON:\n${stdout}\n${stderr}`));
      }
      resolve({
        // Completed responses over the measured time: the mean of per-second samples would undercount a
        // partial last second.
        requestsPerSecond: r.requests.total / r.duration,
        p50: r.latency.p50,
        p99: r.latency.p99,
        requests: r.requests.total,
        errors: r.errors + r.timeouts,
        non2xx: r.non2xx,
        statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
      });
    });
  });
}
