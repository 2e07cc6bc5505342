import type { MaintenanceWindow } from './schedule-api';

/** Pure date and rule helpers for the schedule screens (browser-local days; Monday starts the week). */

export const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
export type WeekdayCode = (typeof WEEKDAY_CODES)[number];
export const WEEKDAY_NAMES: Record<WeekdayCode, string> = { MO: 'Monday', TU: 'Tuesday', WE: 'Wednesday', TH: 'Thursday', FR: 'Friday', SA: 'Saturday', SU: 'Sunday' };
const ORDINALS: Record<string, string> = { '1': 'first', '2': 'second', '3': 'third', '4': 'fourth', '5': 'fifth', '-1': 'last' };
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** The days a month view shows: whole weeks, Monday to Sunday, covering the month (local time). */
export function monthGrid(year: number, month: number): Date[][] {
  const first = new Date(year, month, 1);
  const start = new Date(year, month, 1 - ((first.getDay() + 6) % 7));
  const weeks: Date[][] = [];
  for (let d = new Date(start); weeks.length === 0 || d.getMonth() === month || (d.getFullYear() * 12 + d.getMonth() < year * 12 + month); ) {
    const week: Date[] = [];
    for (let i = 0; i < 7; i++) {
      week.push(new Date(d));
      d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1);
    }
    weeks.push(week);
  }
  return weeks;
}

/** `YYYY-MM-DD` of a local date. */
export function dayKey(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** Whether [start, end) overlaps the local day `day`. */
export function coversDay(start: string, end: string, day: Date): boolean {
  const dayStart = new Date(day.getFullYear(), day.getMonth(), day.getDate()).getTime();
  const dayEnd = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1).getTime();
  return Date.parse(start) < dayEnd && Date.parse(end) > dayStart;
}

export const monthTitle = (year: number, month: number) => `${MONTHS[month]} ${year}`;

/** 240 → "4 h", 90 → "1 h 30 min", 20160 → "14 d". */
export function durationWords(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return [d ? `${d} d` : '', h ? `${h} h` : '', m ? `${m} min` : ''].filter(Boolean).join(' ') || '0 min';
}

/** An RRULE value as its parts: `FREQ=WEEKLY;BYDAY=SA` → `{ FREQ: 'WEEKLY', BYDAY: 'SA' }`. */
export function ruleParts(rrule: string): Record<string, string> {
  return Object.fromEntries(
    rrule
      .split(';')
      .filter(Boolean)
      .map((p) => {
        const [k, ...v] = p.split('=');
        return [k!.trim().toUpperCase(), v.join('=').trim().toUpperCase()];
      }),
  );
}

function dayList(byday: string): string {
  const codes = byday.split(',');
  if (codes.join(',') === 'MO,TU,WE,TH,FR') return 'weekday';
  const names = codes.map((c) => {
    const m = /^([+-]?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(c);
    if (!m) return c;
    const name = WEEKDAY_NAMES[m[2] as WeekdayCode];
    return m[1] ? `${ORDINALS[m[1].replace('+', '')] ?? m[1]} ${name}` : name;
  });
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]!;
}

/** When a window's rule happens, in words: "Every Saturday 22:00 Europe/London, 4 h". */
export function ruleWords(w: Pick<MaintenanceWindow, 'start' | 'timeZone' | 'durationMinutes' | 'rrule'>): string {
  const [date = '', time = ''] = w.start.split('T');
  const [y, mo, d] = date.split('-').map(Number);
  const tail = `${time} ${w.timeZone}, ${durationWords(w.durationMinutes)}`;
  const dateWords = y && mo && d ? `${d} ${MONTHS[mo - 1]!.slice(0, 3)} ${y}` : date;
  if (!w.rrule) return `Once, ${dateWords} ${tail}`;
  const p = ruleParts(w.rrule);
  const interval = Number(p.INTERVAL ?? '1');
  const every = (unit: string, plural: string) => (interval > 1 ? `Every ${interval} ${plural}` : `Every ${unit}`);
  let when: string;
  const simple = Object.keys(p).every((k) => ['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL', 'WKST'].includes(k));
  if (!simple) return `${w.rrule} from ${dateWords} ${tail}`;
  switch (p.FREQ) {
    case 'DAILY':
      when = every('day', 'days');
      break;
    case 'WEEKLY': {
      const days = p.BYDAY ?? WEEKDAY_CODES[(new Date(Date.UTC(y!, mo! - 1, d!)).getUTCDay() + 6) % 7]!;
      when = interval > 1 ? `Every ${interval} weeks on ${dayList(days)}` : `Every ${dayList(days)}`;
      break;
    }
    case 'MONTHLY':
      when = `${interval > 1 ? `Every ${interval} months` : 'Monthly'} on ${p.BYDAY ? `the ${dayList(p.BYDAY)}` : `day ${p.BYMONTHDAY ?? d}`}`;
      break;
    case 'YEARLY':
      when = `${every('year', 'years')} on ${d} ${MONTHS[mo! - 1]}`;
      break;
    default:
      return `${w.rrule} from ${dateWords} ${tail}`;
  }
  const limits = [p.COUNT ? `${p.COUNT} times` : '', p.UNTIL ? `until ${p.UNTIL.slice(0, 4)}-${p.UNTIL.slice(4, 6)}-${p.UNTIL.slice(6, 8)}` : ''].filter(Boolean);
  return `${when} ${tail}${limits.length ? ` (${limits.join(', ')})` : ''}`;
}

