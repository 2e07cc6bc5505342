import type { Config } from '../../config';
import { CliError, printJson } from '../output';
import { cliActor, withServices } from './admin';
import { stdout, setExitCode } from '../io';

export interface ImportIncidentsCliOptions {
  dryRun?: boolean;
  json?: boolean;
}

/**
 * `cabinet incidents import FILE`: the API's import of a ServiceNow incident event log (or Cabinet's own
 * incident CSV), with the same report; exit 2 when some incidents were refused.
 */
export async function importIncidents(config: Config, file: string, opts: ImportIncidentsCliOptions): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  await withServices(config, async (services) => {
    const result = await services.incidents.importCsv(cliActor(), text, { dryRun: opts.dryRun });
    if (opts.json) printJson({ ...result, dryRun: Boolean(opts.dryRun) });
    else {
      const would = opts.dryRun ? ' (dry run: nothing written)' : '';
      stdout.write(`Read ${result.incidents} incident(s): created ${result.created}, updated ${result.updated}; ${result.errors.length} refused${would}.\n`);
      if (result.unmatchedCis.length) stdout.write(`  CIs not found here (kept on the incidents): ${result.unmatchedCis.join(', ')}\n`);
      if (result.unmatchedChanges.length) stdout.write(`  Changes not found here (kept on the incidents): ${result.unmatchedChanges.join(', ')}\n`);
      for (const e of result.errors) stdout.write(`  row ${e.row}${e.number ? ` ${e.number}` : ''}: ${e.message}\n`);
    }
    if (result.errors.length > 0) setExitCode(2);
  });
}
