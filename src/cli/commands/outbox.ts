import type { Config } from '../../config';
import { DeadLetterQuery } from '../../contracts/delivery';
import { InputError } from '../../domain/errors';
import { formatTable, printJson } from '../output';
import { cliActor, withServices } from './admin';
import { stdout } from '../io';

/** `cabinet outbox dead-letters`: the items the worker gave up on, the most recent first. */
export async function listDeadLetters(config: Config, opts: { limit?: string; json?: boolean }): Promise<void> {
  const parsed = DeadLetterQuery.safeParse({ limit: opts.limit });
  if (!parsed.success) throw new InputError('The options have invalid values.', parsed.error.issues.map((i) => ({ path: `--${i.path.join('.')}`, message: i.message })));
  await withServices(config, async (services) => {
    const page = await services.deliveries.listDeadLetters(cliActor(), parsed.data);
    const total = await services.deliveries.deadLetterCount(cliActor());
    if (opts.json) {
      printJson({ items: page.items, total });
      return;
    }
    if (page.items.length === 0) {
      stdout.write('No dead letters: every outbox item was delivered or is still being retried.\n');
      return;
    }
    const minute = (iso: string) => iso.slice(0, 16).replace('T', ' ');
    const rows = page.items.map((d) => [d.id, minute(d.deadAt), d.topic, d.changeNumber ?? '-', String(d.attempts), d.summary, (d.lastError ?? '').replace(/\s+/g, ' ').slice(0, 80)]);
    stdout.write(formatTable(['ID', 'DEAD SINCE (UTC)', 'TOPIC', 'CHANGE', 'ATTEMPTS', 'ABOUT', 'LAST ERROR'], rows));
    if (total > page.items.length) stdout.write(`${total - page.items.length} more; show them with --limit ${Math.min(total, 200)}.\n`);
  });
}

/** `cabinet outbox retry ID`: the dead letter is queued again with its attempts reset (audited). */
export async function retryDeadLetter(config: Config, id: string, opts: { json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const outcome = await services.deliveries.retry(cliActor(), id);
    if (opts.json) printJson({ ok: true, ...outcome });
    else stdout.write(`Queued ${id} again; the worker delivers it at its next pass.\n`);
  });
}

/** `cabinet outbox discard ID --reason TEXT`: the dead letter is given up for good (kept, audited). */
export async function discardDeadLetter(config: Config, id: string, opts: { reason?: string; json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const outcome = await services.deliveries.discard(cliActor(), id, { reason: opts.reason });
    if (opts.json) printJson({ ok: true, ...outcome });
    else stdout.write(`Discarded ${id}.\n`);
  });
}
