import { startCabinet } from '../../cabinet';
import type { Config } from '../../config';

/**
 * Runs the API, the web app and (unless CABINET_WORKER=off or --no-worker) the background worker until
 * SIGINT/SIGTERM; then finishes open requests and the worker's tick, closes the database, says so and exits 0.
 */
export async function serve(config: Config): Promise<void> {
  const cabinet = await startCabinet(config, { logger: true, log: (m) => process.stderr.write(m + '\n') });
  const address = await cabinet.app.listen({ port: config.port, host: config.host });
  process.stderr.write(`Cabinet is running at ${address.replace('[::1]', 'localhost')} (API docs at ${address}/api/docs) on ${cabinet.store.dialect}.\n`);
  if (config.worker === 'inline') {
    cabinet.worker.start();
    process.stderr.write(`The background worker runs in this process every ${config.workerIntervalMs} ms.\n`);
  } else process.stderr.write('The background worker is off here: run `cabinet worker` beside it.\n');
  let closing = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    cabinet.app.log.info({ signal }, 'shutting down');
    process.stderr.write(`Received ${signal}: finishing open requests…\n`);
    try {
      await cabinet.close();
    } catch (err) {
      process.stderr.write(`Cabinet did not stop cleanly: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    }
    process.stderr.write('Cabinet stopped: requests finished, worker stopped, database closed.\n');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
