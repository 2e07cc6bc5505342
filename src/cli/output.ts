/** Exit with a one-line reason on stderr. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A one-line description of any error, including every issue of a validation error. */
export function describeError(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && 'details' in err) {
    const e = err as unknown as { message: string; details: { issues?: { path?: string; file?: string; line?: number; column?: number; message: string }[] } };
    const issues = e.details.issues ?? [];
    if (!issues.every((i) => e.message.includes(i.message))) {
      const list = issues.map((i) => `${i.file ? `${i.file}:${i.line}:${i.column} ` : ''}${i.path ? i.path + ': ' : ''}${i.message}`).join('; ');
      return `${e.message.replace(/\.$/, '')}: ${list}`;
    }
    return e.message;
  }
  return err instanceof Error ? err.message : String(err);
}
