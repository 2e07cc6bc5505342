import type { Config } from '../../config';
import { WindowListQuery, type Window } from '../../contracts/windows';
import { ImportWindowsQuery } from '../../contracts/windows-import';
import { InputError } from '../../domain/errors';
import { CliError, formatTable, printJson } from '../output';
import { cliActor, withServices } from './admin';
import { stdout, setExitCode } from '../io';

export interface ImportWindowsOptions {
  kind: string;
  timeZone?: string;
  global?: boolean;
  scopeService: string[];
  scopeCi: string[];
  scopeEnvironment: string[];
  scopeTag: string[];
  dryRun?: boolean;
  atomic?: boolean;
  json?: boolean;
}

/** `cabinet import windows FILE.ics`: the API's import, with the same report; exit 2 when events were refused. */
export async function importWindows(config: Config, file: string, opts: ImportWindowsOptions): Promise<void> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const parsed = ImportWindowsQuery.safeParse({
    kind: opts.kind,
    timeZone: opts.timeZone,
    global: opts.global ? 'true' : undefined,
    serviceIds: opts.scopeService.length ? opts.scopeService : undefined,
    ciIds: opts.scopeCi.length ? opts.scopeCi : undefined,
    environments: opts.scopeEnvironment.length ? opts.scopeEnvironment : undefined,
    tags: opts.scopeTag.length ? opts.scopeTag : undefined,
    dryRun: opts.dryRun ? 'true' : 'false',
    atomic: opts.atomic ? 'true' : 'false',
  });
  if (!parsed.success) throw new InputError('The options have invalid values.', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  await withServices(config, async (services) => {
    const result = await services.windows.importIcs(cliActor(), text, parsed.data);
    if (opts.json) printJson(result);
    else {
      const would = result.applied ? '' : ' (nothing written: ' + (result.dryRun ? 'dry run' : 'atomic import with refused events') + ')';
      stdout.write(`Created ${result.created}, updated ${result.updated}, left ${result.unchanged} unchanged; ${result.refused} event(s) refused${would}.\n`);
      for (const e of result.events) {
        const label = `event ${e.index}${e.uid ? ` ${e.uid}` : ''}${e.summary ? ` "${e.summary}"` : ''}`;
        if (e.status === 'refused') stdout.write(`  ${label}: refused: ${e.problems.join('; ')}\n`);
        else stdout.write(`  ${label}: ${e.status}${e.windowId ? ` (window ${e.windowId})` : ''}\n`);
      }
    }
    if (result.refused > 0) setExitCode(2);
  });
}

/** How a window's scope reads in a table cell. */
function describeScope(scope: Window['scope']): string {
  if (scope.global) return 'everywhere';
  const parts = [
    scope.serviceIds?.length ? `${scope.serviceIds.length} service(s)` : '',
    scope.ciIds?.length ? `${scope.ciIds.length} CI(s)` : '',
    scope.environments?.length ? `env ${scope.environments.join('/')}` : '',
    scope.tags?.length ? `tags ${scope.tags.join('/')}` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'nothing';
}

/** `cabinet window list`: maintenance windows and freezes by name, optionally of one kind or for one service or CI. */
export async function listWindows(config: Config, opts: { kind?: string; service?: string; ci?: string; json?: boolean }): Promise<void> {
  const parsed = WindowListQuery.safeParse({ kind: opts.kind, serviceId: opts.service, ciId: opts.ci, limit: 500 });
  if (!parsed.success) throw new InputError('The options have invalid values.', parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  await withServices(config, async (services) => {
    const windows: Window[] = [];
    let cursor: string | undefined;
    do {
      const page = await services.windows.list(cliActor(), { ...parsed.data, cursor });
      windows.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    if (opts.json) {
      printJson({ items: windows });
      return;
    }
    if (windows.length === 0) {
      stdout.write('No windows. Import some with `cabinet import windows FILE.ics --kind maintenance`.\n');
      return;
    }
    const rows = windows.map((w) => [w.name, w.urgent ? `${w.kind} (urgent)` : w.kind, `${w.start.replace('T', ' ')} ${w.timeZone}`, `${w.durationMinutes} min`, w.rrule ?? 'once', describeScope(w.scope), w.id]);
    stdout.write(formatTable(['NAME', 'KIND', 'START', 'LASTS', 'REPEATS', 'APPLIES TO', 'ID'], rows));
  });
}
