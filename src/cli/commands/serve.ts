import { startCabinet } from '../../cabinet';
import type { Config } from '../../config';

/** Runs the API, the web app and (unless CABINET_WORKER=off or --no-worker) the background worker until SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<void> {
  const cabinet = await startCabinet(config, { logger: true, log: (m) => process.stderr.write(m + '\n') });
  const address = await cabinet.app.listen({ port: config.port, host: config.host });
  process.stderr.write(`Cabinet is running at ${address.replace('[::1]', 'localhost')} (API docs at ${address}/api/docs) on ${cabinet.store.dialect}.\n`);
  if (config.worker === 'inline') {
    cabinet.worker.start();
    process.stderr.write(`The background worker runs in this process every ${config.workerIntervalMs} ms.\n`);
  } else process.stderr.write('The background worker is off here: run `cabinet worker` beside it.\n');
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    await cabinet.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
