// How long each server test file takes.
//
// Preloaded (`node --import`) by scripts/test-server.js into every node:test process. In a test file's own
// process (node:test sets NODE_TEST_CONTEXT there, and argv[1] is the file) it appends one JSON line,
// {"file":"test/x.test.ts","ms":1234,"code":0}, to $CABINET_TEST_TIMINGS when the process exits: the
// file's wall time from process start (so tsx's compile and the imports count) to exit. Files that run at
// the same time share the CPUs, so the numbers grow with --test-concurrency.
//
// Node 20's runner has no per-file duration of its own: a file's top-level tests are reported as top-level
// tests of the run (each with its own duration_ms), not under a subtest named after the file.
//
// The helpers below read the file back for scripts/test.js and scripts/test-server.js.
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';

const out = process.env.CABINET_TEST_TIMINGS;
const file = process.argv[1];
if (out && process.env.NODE_TEST_CONTEXT && file) {
  process.on('exit', (code) => {
    try {
      // One short line per process; O_APPEND keeps concurrent writers' lines whole.
      appendFileSync(out, `${JSON.stringify({ file: path.relative(process.cwd(), file), ms: Math.round(performance.now()), code })}\n`);
    } catch {
      // Timings are a nicety; never let them fail a test file.
    }
  });
}

// ---------------------------------------------------------------------------------------------------
// Reading them back (scripts/test.js and scripts/test-server.js)

/**
 * The timings in a CABINET_TEST_TIMINGS file, slowest first. Lines that are not a timing are ignored, and
 * a file that ran twice keeps its longer run.
 * @returns {{ file: string, ms: number, code: number }[]}
 */
export function readTimings(timingsFile) {
  let text;
  try {
    text = readFileSync(timingsFile, 'utf8');
  } catch {
    return [];
  }
  /** @type {Map<string, { file: string, ms: number, code: number }>} */
  const byFile = new Map();
  for (const line of text.split('\n')) {
    let t;
    try {
      t = JSON.parse(line);
    } catch {
      continue;
    }
    if (!t || typeof t.file !== 'string' || !Number.isFinite(t.ms)) continue;
    if ((byFile.get(t.file)?.ms ?? -1) < t.ms) byFile.set(t.file, { file: t.file, ms: t.ms, code: t.code });
  }
  return [...byFile.values()].sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file));
}

/** "N slowest server test files" and one indented line per file: duration, file, and its exit code unless 0. */
export function formatSlowest(timings, n = 10) {
  if (!timings.length) return '';
  const top = timings.slice(0, n);
  const durations = top.map((t) => `${(t.ms / 1000).toFixed(1)} s`);
  const width = Math.max(...durations.map((d) => d.length));
  const lines = top.map((t, i) => `  ${durations[i].padStart(width)}  ${t.file}${t.code ? ` (exit code ${t.code})` : ''}`);
  return `${top.length} slowest server test files (wall time of each file's process, of ${timings.length} files):\n${lines.join('\n')}\n`;
}
