/**
 * The structure of an iCalendar text, before its values are read: where each VEVENT and VTIMEZONE starts
 * and ends (with line numbers), each parsed on its own by ical.js, so that one unreadable event is refused
 * alone instead of taking the whole file down. Only a text whose structure is broken (not iCalendar at all,
 * a component that never ends, an END that closes nothing) is refused whole. Pure: no I/O, no clock.
 */
// NOTE: ical.js is an ES module whose only export is the default namespace object (`import { parse }` fails).
import ICAL from 'ical.js';
import { InputError } from '../../domain/errors';

/** One VEVENT or VTIMEZONE of the file, parsed on its own. */
export interface IcsBlock {
  name: 'vevent' | 'vtimezone';
  /** 1-based line of its BEGIN. */
  line: number;
  /** The parsed component, or null when ical.js cannot read it (then `error` says why). */
  component: ICAL.Component | null;
  error: string | null;
  /** Its own content lines as written, unfolded (a VEVENT's without those of its VALARMs). */
  text: string[];
  /** For a block ical.js cannot read: its UID and SUMMARY as written, so that the refusal can name it. */
  uid?: string | null;
  summary?: string | null;
}

export interface IcsStructure {
  events: IcsBlock[];
  timezones: IcsBlock[];
  /** What was skipped outside the events: other components, stray or unreadable calendar lines. */
  warnings: string[];
}

interface LogicalLine {
  /** 1-based physical line where it starts. */
  line: number;
  text: string;
}

interface OpenComponent {
  name: string;
  line: number;
}

/** A content line: a name, optional parameters, then a colon (ical.js's own test, loosely). */
const CONTENT_LINE = /^[A-Za-z0-9-]+(?:;[^:]*)?:/;
const COMPONENT_NAME = /^[A-Za-z0-9-]+$/;

export function refuseCalendar(message: string): never {
  throw new InputError('The file is not an iCalendar file Cabinet can import.', [{ path: 'body', message }], 'invalid_calendar');
}

/** Physical lines unfolded (RFC 5545 §3.1) into content lines, each with the line it starts on. */
function unfold(text: string): LogicalLine[] {
  const out: LogicalLine[] = [];
  text.split(/\r\n|\n|\r/).forEach((physical, i) => {
    // NOTE: empty lines are not allowed by RFC 5545 but common (between components, inside folded values
    // written by old Mozilla exports); they carry nothing, so they are dropped before unfolding.
    if (physical === '') return;
    const last = out[out.length - 1];
    if ((physical[0] === ' ' || physical[0] === '\t') && last) last.text += physical.slice(1);
    else out.push({ line: i + 1, text: physical });
  });
  return out;
}

/**
 * The message of an error ical.js threw, fit for a person. Its parser errors and value errors ("invalid
 * frequency …") say what is wrong; TypeErrors and the like are its internals tripping over odd input, and
 * their words ("Cannot read properties of undefined") would mean nothing to the reader.
 */
export function readerMessage(error: unknown): string {
  if (error instanceof TypeError || error instanceof RangeError || error instanceof ReferenceError || !(error instanceof Error)) {
    return 'the iCalendar parser cannot read it';
  }
  return error.message;
}

/** The line among `lines` that a parser message quotes ("invalid line … "X""), when it can be found. */
function lineOf(lines: LogicalLine[], message: string): number | null {
  // Messages also quote punctuation (`no token ";" or ":"`): only longer quotes can name a line.
  for (const [, double, single] of message.matchAll(/"([^"]+)"|'([^']+)'/g)) {
    const needle = (double ?? single)!;
    if (needle.trim().length < 3) continue;
    const found = lines.find((l) => l.text.includes(needle));
    if (found) return found.line;
  }
  // Recurrence errors quote only the bad part ("invalid BYDAY value " TU""): they are about the RRULE line.
  if (/\b(?:BY[A-Z]+|FREQ|frequency|UNTIL|COUNT|INTERVAL|WKST)\b/i.test(message)) return lines.find((l) => /^(?:RRULE|EXRULE)[;:]/i.test(l.text))?.line ?? null;
  return null;
}

/** Parses one block's lines as a calendar holding just that component. */
function parseBlock(name: IcsBlock['name'], lines: LogicalLine[]): IcsBlock {
  const text = ['BEGIN:VCALENDAR', ...lines.map((l) => l.text), 'END:VCALENDAR', ''].join('\r\n');
  const own = lines.map((l) => l.text);
  try {
    const calendar = new ICAL.Component(ICAL.parse(text) as never);
    const component = calendar.getFirstSubcomponent(name);
    if (!component) return { name, line: lines[0]!.line, component: null, error: 'the iCalendar parser cannot read it', text: own };
    return { name, line: lines[0]!.line, component, error: null, text: own };
  } catch (error) {
    const message = readerMessage(error);
    const line = lineOf(lines, message);
    const field = (key: string) => own.map((l) => new RegExp(`^${key}(?:;[^:]*)?:(.*)$`, 'i').exec(l)?.[1]?.trim()).find(Boolean) ?? null;
    return { name, line: lines[0]!.line, component: null, error: `${line ? `line ${line}: ` : ''}${message}`, text: own, uid: field('UID'), summary: field('SUMMARY') };
  }
}

/**
 * Splits an iCalendar text into its events and time zones. Accepts one or more VCALENDARs, and a bare
 * VEVENT (with its VTIMEZONEs) copied out of one. Refuses the whole text (InputError `invalid_calendar`,
 * naming the line) when it is not iCalendar or its components do not nest, and when it holds no VEVENT.
 */
export function splitIcs(text: string): IcsStructure {
  const body = text.replace(/^\uFEFF/, '');
  const lines = unfold(body);
  const first = lines.find((l) => l.text.trim() !== '');
  if (!first) refuseCalendar('The file is empty.');
  if (!/^BEGIN:/i.test(first.text)) {
    refuseCalendar(`line ${first.line}: an iCalendar file starts with BEGIN:VCALENDAR, not ${JSON.stringify(first.text.slice(0, 80))}.`);
  }

  const events: IcsBlock[] = [];
  const timezones: IcsBlock[] = [];
  const warnings: string[] = [];
  const skipped = new Map<string, number>();
  const stack: OpenComponent[] = [];
  /** The VEVENT or VTIMEZONE being read, and the stack depth at which it is open. */
  let block: { name: 'VEVENT' | 'VTIMEZONE'; depth: number; lines: LogicalLine[] } | null = null;

  for (const l of lines) {
    const marker = /^(BEGIN|END):(.*)$/i.exec(l.text.trimEnd());
    const parent = stack[stack.length - 1];
    if (!marker) {
      if (!parent) warnings.push(`line ${l.line}: ${JSON.stringify(l.text.slice(0, 60))} is outside any component and was ignored.`);
      // A VEVENT's own lines only, not those of a VALARM in it; all of a VTIMEZONE (its STANDARD, DAYLIGHT).
      else if (block) {
        if (block.name === 'VTIMEZONE' || stack.length === block.depth) block.lines.push(l);
      } else if (parent.name === 'VCALENDAR' && !CONTENT_LINE.test(l.text)) {
        warnings.push(`line ${l.line}: ${JSON.stringify(l.text.slice(0, 60))} is not an iCalendar content line and was ignored.`);
      }
      continue;
    }
    const name = marker[2]!.trim().toUpperCase();
    if (!COMPONENT_NAME.test(name)) refuseCalendar(`line ${l.line}: ${JSON.stringify(l.text.slice(0, 80))} names no component.`);
    if (marker[1]!.toUpperCase() === 'BEGIN') {
      const atTop = !parent || parent.name === 'VCALENDAR';
      stack.push({ name, line: l.line });
      if (!block && atTop && (name === 'VEVENT' || name === 'VTIMEZONE')) block = { name, depth: stack.length, lines: [l] };
      else if (!block && atTop && name !== 'VCALENDAR') skipped.set(name, (skipped.get(name) ?? 0) + 1);
      // A broken VALARM must not refuse its event: a VEVENT's subcomponents say nothing about the window.
      else if (block?.name === 'VTIMEZONE') block.lines.push(l);
      continue;
    }
    if (!parent) refuseCalendar(`line ${l.line}: END:${name} closes nothing (no BEGIN:${name} before it).`);
    if (parent.name !== name) {
      if (stack.some((c) => c.name === name)) refuseCalendar(`line ${l.line}: END:${name} while BEGIN:${parent.name} (line ${parent.line}) is still open.`);
      // A misspelt END ("END:VCALENDARD") that closes nothing else is read as the END it stands for.
      warnings.push(`line ${l.line}: END:${name} is read as END:${parent.name}.`);
    }
    stack.pop();
    if (block && stack.length === block.depth - 1) {
      block.lines.push({ line: l.line, text: `END:${block.name}` });
      const parsed = parseBlock(block.name === 'VEVENT' ? 'vevent' : 'vtimezone', block.lines);
      (block.name === 'VEVENT' ? events : timezones).push(parsed);
      block = null;
    } else if (block?.name === 'VTIMEZONE') block.lines.push({ line: l.line, text: `END:${parent.name}` });
  }
  const open = stack[stack.length - 1];
  if (open) refuseCalendar(`line ${open.line}: BEGIN:${open.name} is never ended (no END:${open.name}); the file may be cut short.`);
  for (const [name, count] of skipped) warnings.push(`${count} ${name} component${count === 1 ? '' : 's'} skipped: only events (VEVENT) become windows.`);
  if (events.length === 0) {
    const held = [...skipped].map(([name, count]) => `${count} ${name}`).join(', ');
    refuseCalendar(`the calendar holds no events (VEVENT) to import${held ? ` (it holds ${held})` : ''}.`);
  }
  return { events, timezones, warnings };
}
