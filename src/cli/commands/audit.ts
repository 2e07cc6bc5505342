import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Config } from '../../config';
import { AuditExportQuery } from '../../contracts/audit';
import { InputError } from '../../domain/errors';
import { CliError } from '../output';
import { cliActor, withServices } from './admin';
import { stderr, stdoutStream } from '../io';

/**
 * `cabinet audit export`: the audit trail as JSON lines, the same file `GET /api/v1/audit/export` gives, on
 * stdout or into `--output`; the summary goes to stderr so stdout stays the file. `cabinet audit verify`
 * checks the result offline.
 */
export async function exportAudit(config: Config, opts: { from?: string; to?: string; output?: string }): Promise<void> {
  const parsed = AuditExportQuery.safeParse({ from: opts.from, to: opts.to });
  if (!parsed.success) throw new InputError('The options have invalid values.', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  await withServices(config, async (services) => {
    const { first, last, lines } = await services.audit.exportRange(cliActor(), parsed.data);
    const out = opts.output ? createWriteStream(opts.output) : stdoutStream();
    if (opts.output) {
      try {
        await once(out, 'open');
      } catch (err) {
        throw new CliError(`Cannot write ${opts.output}: ${(err as Error).message}`);
      }
    }
    let count = 0;
    for await (const line of lines) {
      count++;
      if (!out.write(line)) await once(out, 'drain');
    }
    if (opts.output) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())));
    const where = opts.output ? ` to ${opts.output}` : '';
    stderr.write(count === 0 ? `No audit events in that range; nothing exported${where}.\n` : `Exported ${count} audit event(s), ${first} to ${last}${where}.\n`);
  });
}
