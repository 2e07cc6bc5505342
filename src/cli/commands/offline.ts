import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ChainVerifier, type ChainedEvent } from '../../domain/audit/chain';
import { loadBundleDir } from '../../policy/loader';
import { CliError, printJson } from '../output';
import { stdout } from '../io';

/** Checks a bundle folder without a database. */
export async function validatePolicy(dir: string, opts: { json?: boolean }): Promise<void> {
  const bundle = await loadBundleDir(dir);
  const models = Object.values(bundle.models);
  if (opts.json) printJson({ ok: true, name: bundle.name, hash: bundle.hash, models: models.map((m) => ({ type: m.type, states: m.states.length, transitions: m.transitions.length })) });
  else stdout.write(`${dir}: valid bundle "${bundle.name}" with ${models.length} change models (${models.map((m) => m.type).join(', ')}).\n`);
}

/**
 * Verifies an exported audit file (JSON lines) on its own, so an auditor needs only the file.
 * Exit 0 with the number of events checked, or exit 1 naming the first broken event.
 */
export async function verifyAuditFile(file: string, opts: { json?: boolean; after?: string }): Promise<void> {
  if (opts.after !== undefined && !/^[0-9a-f]{64}$/.test(opts.after)) throw new CliError('--after takes a sha256 hash: 64 hex digits, as `lastHash` or an event\'s `hash`.');
  const verifier = new ChainVerifier({ after: opts.after });
  let firstSeq: number | null = null;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (!line.trim()) continue;
      let event: ChainedEvent;
      try {
        event = JSON.parse(line) as ChainedEvent;
      } catch {
        throw new CliError(`Broken at line ${lineNo}: not valid JSON.`);
      }
      if (typeof event.seq !== 'number' || typeof event.hash !== 'string' || typeof event.prevHash !== 'string') {
        throw new CliError(`Broken at line ${lineNo}: not an audit event (seq, prevHash and hash are required).`);
      }
      firstSeq ??= event.seq;
      if (!verifier.push(event)) break;
    }
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const verdict = verifier.result();
  // Under --json a failure is printed once, by main(), with the verdict's fields beside the problems.
  if (!verdict.ok) throw new CliError(`Audit chain broken at event ${verdict.brokenSeq}: ${verdict.reason}. ${verdict.checked} event(s) before it check out.`, 1, [], { ...verdict });
  if (verdict.checked === 0) throw new CliError(`${file} holds no audit events.`, 1, [], { ...verdict });
  if (opts.json) printJson(verdict);
  if (!opts.json && opts.after !== undefined) {
    stdout.write(`OK: ${verdict.checked} audit events checked (events ${firstSeq} to ${verdict.lastSeq}); they continue from the hash given and are intact (last hash ${verdict.lastHash}).\n`);
  } else if (!opts.json) stdout.write(`OK: ${verdict.checked} audit events checked; the chain is intact (last event ${verdict.lastSeq}, hash ${verdict.lastHash}).\n`);
}
