import { stdout } from './io';

/** One thing wrong, at its place when it has one (a bundle file's line and column, a field's path). */
export interface Problem {
  message: string;
  file?: string;
  line?: number;
  column?: number;
  path?: string;
}

/** Exit with a reason on stderr (and, under --json, `{"ok": false, "problems": [...]}` on stdout). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** Listed one per line under the message; the message alone is the problem when there are none. */
    readonly problems: Problem[] = [],
    /** More fields for the --json answer (an audit verdict, test results). */
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function printJson(value: unknown): void {
  stdout.write(JSON.stringify(value, null, 2) + '\n');
}

interface IssueCarrier {
  code: string;
  message: string;
  details: { issues?: { path?: string; file?: string; line?: number; column?: number; message: string }[] };
}

const carriesIssues = (err: unknown): err is IssueCarrier =>
  Boolean(err && typeof err === 'object' && 'code' in err && 'details' in err && (err as { details: unknown }).details && typeof (err as { details: unknown }).details === 'object');

/** Every problem of an error: each issue of a validation error at its place, or the error's own message. */
export function problemsOf(err: unknown): Problem[] {
  if (err instanceof CliError) return err.problems.length > 0 ? err.problems : [{ message: err.message }];
  if (carriesIssues(err) && (err.details.issues ?? []).length > 0) {
    return err.details.issues!.map((i) => ({
      ...(i.file !== undefined ? { file: i.file, line: i.line, column: i.column } : {}),
      ...(i.path ? { path: i.path } : {}),
      message: i.message,
    }));
  }
  return [{ message: err instanceof Error ? err.message : String(err) }];
}

/** What went wrong in one sentence, without the list of problems. */
export function headlineOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // An invalid bundle's message lists every issue after "…N problems: "; they get their own lines here.
  if (carriesIssues(err) && err.code === 'invalid_policy') return message.slice(0, message.indexOf(': ') > 0 ? message.indexOf(': ') : undefined);
  return message;
}

/** `file:line:column path message`, `path: message` or the message, as the problem has them. */
export function formatProblem(p: Problem): string {
  if (p.file !== undefined) return `${p.file}:${p.line ?? 0}:${p.column ?? 0}${p.path ? ` ${p.path}` : ''} ${p.message}`;
  return p.path ? `${p.path}: ${p.message}` : p.message;
}

/** The headline, then each problem on its own line (indented), when there is more to say than the headline. */
export function describeError(err: unknown): string {
  const headline = headlineOf(err);
  const problems = problemsOf(err);
  // A message that already says everything (`the handle "ops" is taken`) stays one line.
  if (problems.every((p) => p.file === undefined && headline.includes(p.message))) return headline;
  return `${headline.replace(/[.:]$/, '')}:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`;
}

/** The --json answer of a command that failed. */
export function failureJson(err: unknown): Record<string, unknown> {
  const code = carriesIssues(err) ? err.code : undefined;
  return { ...(err instanceof CliError ? err.data : {}), ok: false, ...(code ? { code } : {}), message: headlineOf(err), problems: problemsOf(err) };
}

/** A plain-text table: a header row and aligned columns, two spaces apart. */
export function formatTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}
