import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Runs autocannon in a child so the load generator never shares the server's event loop. */
const CHILD = fileURLToPath(new URL('./load-child.mjs', import.meta.url));

export interface LoadOptions {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  /** Moves each request's plannedStart/plannedEnd this many minutes after the previous one's. */
  shiftMinutes?: number;
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
  const args = [CHILD, JSON.stringify(opts)];
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
