/**
 * A window's rule as cron: what GitLab freeze periods (`freeze_start`/`freeze_end` with `cron_timezone`) and
 * Argo CD sync windows (`schedule` with `duration` and `timeZone`) are written in. Cron has no interval, count
 * or "first Sunday", so only the rules it can say are exported: one-offs (as their date, which cron repeats
 * yearly, so an ended one-off is left out), daily, weekly on days, monthly on days of the month, yearly on a
 * date. Everything else comes back with the reason it cannot be said. Pure: no I/O, no clock.
 */

export interface CronWindow {
  /** Minute hour day-of-month month day-of-week, in the window's zone. */
  start: string;
  /** When each occurrence ends, in the same form (GitLab's freeze_end). Null when no cron can say it. */
  end: string | null;
  timeZone: string;
  durationMinutes: number;
}

export type CronResult = { ok: true; cron: CronWindow } | { ok: false; reason: string };

export interface CronSource {
  start: string;
  timeZone: string;
  durationMinutes: number;
  rrule: string | null;
}

const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const DAY_MINUTES = 1440;

function parseRule(rrule: string): Map<string, string> {
  return new Map(
    rrule
      .split(';')
      .filter(Boolean)
      .map((part) => {
        const [k, v] = part.split('=');
        return [(k ?? '').toUpperCase(), v ?? ''];
      }),
  );
}

/** The local start as its parts (month 1-12, weekday 0 = Sunday). */
function localParts(start: string): { year: number; month: number; day: number; hour: number; minute: number; weekday: number } {
  const [date, time] = start.split('T');
  const [year, month, day] = date!.split('-').map(Number) as [number, number, number];
  const [hour, minute] = time!.split(':').map(Number) as [number, number];
  return { year, month, day, hour, minute, weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay() };
}

/**
 * The cron form of a window, or why there is none. `endsBefore`: an instant before which a one-off or an
 * UNTIL-bounded rule has ended (so it is not exported), compared on the local date, a day's slack either way.
 */
export function windowCron(w: CronSource, now: Date): CronResult {
  const p = localParts(w.start);
  const startMinutes = p.hour * 60 + p.minute;
  const endMinutes = startMinutes + w.durationMinutes;
  const shift = Math.floor(endMinutes / DAY_MINUTES);
  const eh = Math.floor((endMinutes % DAY_MINUTES) / 60);
  const em = endMinutes % 60;
  const base = { timeZone: w.timeZone, durationMinutes: w.durationMinutes };
  const endLocal = new Date(Date.UTC(p.year, p.month - 1, p.day, 0, endMinutes));

  if (w.rrule === null) {
    if (endLocal.getTime() + DAY_MINUTES * 60_000 < now.getTime()) return { ok: false, reason: 'it is a one-off window that has ended' };
    return {
      ok: true,
      cron: { ...base, start: `${p.minute} ${p.hour} ${p.day} ${p.month} *`, end: `${em} ${eh} ${endLocal.getUTCDate()} ${endLocal.getUTCMonth() + 1} *` },
    };
  }
  const rule = parseRule(w.rrule);
  const freq = rule.get('FREQ');
  if ((rule.get('INTERVAL') ?? '1') !== '1') return { ok: false, reason: 'it repeats at an interval (INTERVAL), which cron cannot say' };
  if (rule.has('COUNT')) return { ok: false, reason: 'it stops after a count of occurrences (COUNT), which cron cannot say' };
  for (const k of ['BYSETPOS', 'BYWEEKNO', 'BYYEARDAY', 'BYHOUR', 'BYMINUTE']) if (rule.has(k)) return { ok: false, reason: `its rule uses ${k}, which cron cannot say` };
  const until = rule.get('UNTIL');
  if (until) {
    const m = /^(\d{4})(\d{2})(\d{2})/.exec(until);
    if (m && Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + DAY_MINUTES * 60_000 < now.getTime()) return { ok: false, reason: 'its rule has ended (UNTIL)' };
  }
  const months = rule.get('BYMONTH') ?? '*';
  if (freq === 'DAILY') {
    if (rule.has('BYDAY') || rule.has('BYMONTHDAY')) return { ok: false, reason: 'a daily rule limited by days is not exported; write it as weekly' };
    if (w.durationMinutes >= DAY_MINUTES) return { ok: false, reason: 'a daily window of a day or more overlaps itself' };
    return { ok: true, cron: { ...base, start: `${p.minute} ${p.hour} * ${months} *`, end: `${em} ${eh} * ${months} *` } };
  }
  if (freq === 'WEEKLY') {
    const byDay = (rule.get('BYDAY') ?? DAYS[p.weekday]!).split(',');
    if (byDay.some((d) => !DAYS.includes(d))) return { ok: false, reason: 'its days name an ordinal (such as 1SU), which cron cannot say' };
    if (w.durationMinutes >= 7 * DAY_MINUTES) return { ok: false, reason: 'a weekly window of a week or more overlaps itself' };
    const days = byDay.map((d) => DAYS.indexOf(d));
    const endDays = days.map((d) => (d + shift) % 7);
    return { ok: true, cron: { ...base, start: `${p.minute} ${p.hour} * ${months} ${days.join(',')}`, end: `${em} ${eh} * ${months} ${endDays.join(',')}` } };
  }
  if (freq === 'MONTHLY') {
    if (rule.has('BYDAY')) return { ok: false, reason: 'it repeats on a weekday of the month (such as the first Sunday), which cron cannot say' };
    const byMonthDay = (rule.get('BYMONTHDAY') ?? String(p.day)).split(',').map(Number);
    if (byMonthDay.some((d) => !(d >= 1 && d <= 31))) return { ok: false, reason: 'it counts days from the month’s end, which cron cannot say' };
    const endDays = byMonthDay.map((d) => d + shift);
    if (endDays.some((d) => d > 28) && shift > 0) return { ok: false, reason: 'its occurrences run across the end of a month, which a cron end cannot say' };
    return { ok: true, cron: { ...base, start: `${p.minute} ${p.hour} ${byMonthDay.join(',')} ${months} *`, end: `${em} ${eh} ${endDays.join(',')} ${months} *` } };
  }
  if (freq === 'YEARLY') {
    if (rule.has('BYDAY')) return { ok: false, reason: 'it repeats on a weekday of the year, which cron cannot say' };
    const month = Number(rule.get('BYMONTH') ?? p.month);
    const day = Number(rule.get('BYMONTHDAY') ?? p.day);
    if (!Number.isInteger(month) || !Number.isInteger(day)) return { ok: false, reason: 'it repeats on several dates a year; split it into one window per date' };
    // NOTE: a year without 29 February, so an end that crosses it lands where most years have it.
    const end = new Date(Date.UTC(2027, month - 1, day, 0, endMinutes));
    return { ok: true, cron: { ...base, start: `${p.minute} ${p.hour} ${day} ${month} *`, end: `${em} ${eh} ${end.getUTCDate()} ${end.getUTCMonth() + 1} *` } };
  }
  return { ok: false, reason: `its frequency (${freq ?? 'none'}) cannot be said in cron` };
}

/** A duration in Argo CD's form (Go's): "1h30m", "45m", "48h". */
export function goDuration(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${h ? `${h}h` : ''}${m || !h ? `${m}m` : ''}`;
}
