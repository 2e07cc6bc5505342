// `npx tsx bench/ics-corpus.ts [folder] [--files]`: how the window import reads a corpus of real .ics files
// (default: the 163 files of ../shared/data/calendars/ics-corpus). Counts the files that import cleanly, with
// some events refused, with every event refused, and refused whole (by reason), and the events refused by
// kind of problem; --files lists each file with its problems.
// These are the numbers in docs/schedule.md, "How real files fare". Nothing is written anywhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppError } from '../src/domain/errors';
import { readIcsEvents } from '../src/integrations/ical/ics-windows';

const args = process.argv.slice(2);
const folder = resolve(args.find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, '../../shared/data/calendars/ics-corpus'));
const listFiles = args.includes('--files');

const walk = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

/** The kind of reason a whole file was refused for, from the message's wording. */
function reasonOf(message: string): string {
  if (/holds no events/.test(message)) return 'no VEVENT (only other components, or none)';
  if (/never ended/.test(message)) return 'a component never ends';
  if (/closes nothing|still open/.test(message)) return 'BEGIN and END do not match';
  if (/names no component|starts with BEGIN/.test(message)) return 'not iCalendar';
  if (/empty/.test(message)) return 'empty';
  return message;
}

/** The kind of problem that refused an event, from its wording (an event may have several). */
function problemKind(problem: string): string {
  const kinds: [RegExp, string][] = [
    [/^UID is missing/, 'no UID'],
    [/^SUMMARY is missing/, 'no SUMMARY'],
    [/^DTSTART is missing/, 'no DTSTART'],
    [/neither DTEND nor DURATION/, 'a start time without DTEND or DURATION (lasts no time)'],
    [/not after DTSTART/, 'DTEND not after DTSTART'],
    [/cannot be read/, 'a line or value the parser cannot read'],
    [/TZID/, 'a TZID that cannot be resolved'],
    [/^RRULE/, 'an RRULE Cabinet cannot repeat (RSCALE, SKIP, HOURLY …)'],
    [/has seconds/, 'a start with seconds'],
    [/is not a valid date|is not a duration|far longer|VALUE=/, 'an invalid date, date-time or duration'],
    [/appears \d+ times/, 'a property that may appear once appears twice'],
    [/CANCELLED/, 'cancelled'],
  ];
  return kinds.find(([re]) => re.test(problem))?.[1] ?? problem;
}

const counts = { files: 0, clean: 0, someRefused: 0, allRefused: 0, refusedWhole: 0, events: 0, eventsImported: 0, windows: 0 };
const whole = new Map<string, number>();
const eventProblems = new Map<string, number>();
const started = performance.now();
for (const file of walk(folder).sort()) {
  counts.files++;
  const name = file.slice(folder.length + 1);
  try {
    const { events } = readIcsEvents(readFileSync(file, 'utf8'), { timeZone: 'UTC' });
    const refused = events.filter((e) => e.problems.length > 0);
    counts.events += events.length;
    counts.eventsImported += events.length - refused.length;
    counts.windows += events.reduce((n, e) => n + e.windows.length, 0);
    const status = refused.length === 0 ? 'clean' : refused.length < events.length ? 'someRefused' : 'allRefused';
    counts[status]++;
    for (const e of refused) for (const kind of new Set(e.problems.map(problemKind))) eventProblems.set(kind, (eventProblems.get(kind) ?? 0) + 1);
    if (listFiles) process.stdout.write(`${name}\t${status}\t${refused.map((e) => `#${e.index}: ${e.problems.join(' ')}`).join(' | ')}\n`);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    const message = (error.details.issues as { message: string }[])[0]!.message;
    counts.refusedWhole++;
    whole.set(reasonOf(message), (whole.get(reasonOf(message)) ?? 0) + 1);
    if (listFiles) process.stdout.write(`${name}\trefusedWhole\t${message}\n`);
  }
}
process.stdout.write(`${JSON.stringify({ ...counts, refusedWholeBy: Object.fromEntries(whole), refusedEventsBy: Object.fromEntries([...eventProblems].sort((a, b) => b[1] - a[1])), ms: Math.round(performance.now() - started) }, null, 2)}\n`);
