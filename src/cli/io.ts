import { AsyncLocalStorage } from 'node:async_hooks';
import { Writable } from 'node:stream';

/**
 * Where a command writes, which environment it reads, and the exit code it sets. `cabinet` runs with the
 * process's own; `runCommand` runs a command inside this process with its own streams and environment (the
 * tests run most commands this way, which saves starting Node once per command).
 */
interface CommandContext {
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  exitCode: number | undefined;
}

const context = new AsyncLocalStorage<CommandContext>();

const writerOf = (pick: (c: CommandContext) => Writable, real: NodeJS.WriteStream) => ({
  write: (text: string): boolean => {
    const c = context.getStore();
    return c ? pick(c).write(text) : real.write(text);
  },
  get isTTY(): boolean {
    return context.getStore() ? false : Boolean(real.isTTY);
  },
});

export const stdout = writerOf((c) => c.stdout, process.stdout);
export const stderr = writerOf((c) => c.stderr, process.stderr);

/** Standard output as a stream, for commands that stream a file to it. */
export function stdoutStream(): NodeJS.WritableStream {
  return context.getStore()?.stdout ?? process.stdout;
}

/** The environment `runCommand` gave the command; undefined when it reads the process's (src/config.ts). */
export function commandEnv(): Record<string, string | undefined> | undefined {
  return context.getStore()?.env;
}

/** Sets the command's exit code without ending it (the rest of its output still goes out). */
export function setExitCode(code: number): void {
  const c = context.getStore();
  if (c) c.exitCode = code;
  else process.exitCode = code;
}

/** The exit code a command set with `setExitCode`, when it runs through `runCommand`. */
export function exitCodeSet(): number | undefined {
  return context.getStore()?.exitCode;
}

function collector(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Runs `work` as a command with the environment given, collecting what it writes. */
export async function inCommandContext(env: Record<string, string | undefined>, work: () => Promise<number | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = collector();
  const err = collector();
  const c: CommandContext = { stdout: out.stream, stderr: err.stream, env, exitCode: undefined };
  const returned = await context.run(c, work);
  return { code: returned ?? c.exitCode ?? 0, stdout: out.text(), stderr: err.text() };
}
