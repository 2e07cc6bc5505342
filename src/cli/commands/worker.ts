import { openCabinetStore } from '../../cabinet';
import type { Config } from '../../config';
import { createWorker } from '../../jobs/worker';
import { printJson } from '../output';
import { stdout, stderr } from '../io';

/**
 * `cabinet worker`: SLA timers and outbox delivery without the HTTP server. `--once` runs one tick and
 * exits; otherwise it ticks every CABINET_WORKER_INTERVAL_MS until SIGINT/SIGTERM, finishing the tick in
 * progress first. Several may run against one PostgreSQL database.
 */
export async function runWorker(config: Config, opts: { once?: boolean; json?: boolean }): Promise<void> {
  const { store, services } = await openCabinetStore(config);
  const write = (line: string) => stderr.write(line + '\n');
  const worker = createWorker(services, {
    intervalMs: config.workerIntervalMs,
    onError: (err) => write(`cabinet worker: tick failed: ${err instanceof Error ? err.message : String(err)}`),
    onTick: (r) => write(`cabinet worker: held ${r.held}, released ${r.released}, reassessed ${r.reassessed}, reminded ${r.reminded}, breached ${r.breached}, escalated ${r.escalated}, delivered ${r.delivered}, failed ${r.failed}, dead letters ${r.dead}`),
  });
  if (opts.once) {
    try {
      const report = await worker.tick();
      if (opts.json) printJson(report);
      else stdout.write(`Held ${report.held}, released ${report.released}; reassessed ${report.reassessed}; reminded ${report.reminded}, breached ${report.breached}, escalated ${report.escalated}; delivered ${report.delivered} notification item(s), ${report.failed} failed, ${report.dead} became dead letters.\n`);
    } finally {
      await store.close();
    }
    return;
  }
  write(`cabinet worker ${worker.id} is running on ${store.dialect}, every ${config.workerIntervalMs} ms. Stop it with Ctrl-C.`);
  worker.start();
  // NOTE: the worker's timer is unref'd; this interval keeps the process alive until a signal arrives.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  clearInterval(keepAlive);
  await worker.stop();
  await store.close();
  write('cabinet worker stopped.');
}
