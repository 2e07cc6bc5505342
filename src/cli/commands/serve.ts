import { startCabinet } from '../../cabinet';
import type { Config } from '../../config';

/** Runs the API, the web app (and, later, the worker) until SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<void> {
  const cabinet = await startCabinet(config, { logger: true, log: (m) => process.stderr.write(m + '\n') });
  const address = await cabinet.app.listen({ port: config.port, host: config.host });
  process.stderr.write(`Cabinet is running at ${address.replace('[::1]', 'localhost')} (API docs at ${address}/api/docs) on ${cabinet.store.dialect}.\n`);
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
