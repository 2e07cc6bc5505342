import { Autocomplete, Button, CloseButton, Fieldset, Group, NumberInput, Paper, Select, SimpleGrid, Stack, Switch, Text, TextInput } from '@mantine/core';
import { type KeyboardEvent, useState } from 'react';
import { displayTimeZone } from '../../shared/format';
import { ruleParts, WEEKDAY_CODES, WEEKDAY_NAMES, type WeekdayCode } from '../schedule/schedule-words';
import { COMMON_TIME_ZONES } from '../schedule/window-form';
import type { Board } from './boards-api';

/** A board's regular meetings as the server holds them (src/contracts/boards.ts `BoardRecurrence`). */
export type BoardRecurrence = NonNullable<Board['recurrence']>;

/** The simple choices of "Repeats"; each writes the RRULE from the first meeting's date. `custom`: the RRULE as typed. */
export type Repeats = 'weekly' | 'fortnightly' | 'monthly' | 'monthly_last' | 'custom';
type Preset = Exclude<Repeats, 'custom'>;
const PRESETS: Preset[] = ['weekly', 'fortnightly', 'monthly', 'monthly_last'];

/** What the "Regular meetings" part of the board form edits. */
export interface RecurrenceFormValues {
  /** The first meeting, "YYYY-MM-DDTHH:mm" in `timeZone`, as a datetime-local input holds it. */
  start: string;
  timeZone: string;
  repeats: Repeats;
  /** The RRULE typed for `custom`. */
  rrule: string;
  durationMinutes: number | string;
  daysAhead: number | string;
  /** "YYYY-MM-DD", in date order. */
  holidays: string[];
}

// NOTE: no time zone here: the form is built at import time, before the layout sets the person's zone; it is
// filled in when the switch is turned on.
export const emptyRecurrenceForm: RecurrenceFormValues = {
  start: '',
  timeZone: '',
  repeats: 'weekly',
  rrule: '',
  durationMinutes: 60,
  daysAhead: 7,
  holidays: [],
};

const ORDINALS: Record<string, string> = { '1': 'first', '2': 'second', '3': 'third', '4': 'fourth', '5': 'fifth', '-1': 'last' };
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The weekday of the date a value starts with, which of the month's such weekdays it is, and whether it is the last; null for no date. */
function dayOf(start: string): { weekday: WeekdayCode; nth: number; last: boolean } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(start);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  return { weekday: WEEKDAY_CODES[(date.getUTCDay() + 6) % 7]!, nth: Math.ceil(d / 7), last: d + 7 > daysInMonth };
}

/** The choices that fit the first meeting: "the fifth Tuesday" is not every month's, so the 29th offers only "the last". */
function presetsFor(start: string): Preset[] {
  const day = dayOf(start);
  if (!day) return PRESETS;
  return PRESETS.filter((p) => (p === 'monthly' ? day.nth <= 4 : p === 'monthly_last' ? day.last : true));
}

/** The RRULE a choice writes for this first meeting (without a date, only its frequency: the server then asks for the date). */
export function presetRule(repeats: Preset, start: string): string {
  const day = dayOf(start);
  switch (repeats) {
    case 'weekly':
      return day ? `FREQ=WEEKLY;BYDAY=${day.weekday}` : 'FREQ=WEEKLY';
    case 'fortnightly':
      return day ? `FREQ=WEEKLY;INTERVAL=2;BYDAY=${day.weekday}` : 'FREQ=WEEKLY;INTERVAL=2';
    case 'monthly':
      return day ? `FREQ=MONTHLY;BYDAY=${Math.min(day.nth, 4)}${day.weekday}` : 'FREQ=MONTHLY';
    case 'monthly_last':
      return day ? `FREQ=MONTHLY;BYDAY=-1${day.weekday}` : 'FREQ=MONTHLY';
  }
}

function presetLabel(repeats: Preset, start: string): string {
  const day = dayOf(start);
  const name = day ? WEEKDAY_NAMES[day.weekday] : null;
  switch (repeats) {
    case 'weekly':
      return name ? `Every week on ${name}` : 'Every week';
    case 'fortnightly':
      return name ? `Every two weeks on ${name}` : 'Every two weeks';
    case 'monthly':
      return name ? `Every month on the ${ORDINALS[String(day!.nth)]} ${name}` : 'Every month on the same weekday';
    case 'monthly_last':
      return name ? `Every month on the last ${name}` : 'Every month on the last such weekday';
  }
}

/** The same rule whatever the order of its parts. */
const sameRule = (a: string, b: string) => {
  const norm = (r: string) =>
    r
      .replace(/^RRULE:/i, '')
      .split(';')
      .map((p) => p.trim().toUpperCase())
      .filter(Boolean)
      .sort()
      .join(';');
  return norm(a) === norm(b);
};

/** The form's view of a board's recurrence: a rule one of the choices writes becomes that choice, anything else stays typed. */
export function recurrenceToForm(r: BoardRecurrence | null): RecurrenceFormValues {
  if (!r) return emptyRecurrenceForm;
  const preset = presetsFor(r.start).find((p) => sameRule(presetRule(p, r.start), r.rrule));
  return {
    start: r.start,
    timeZone: r.timeZone,
    repeats: preset ?? 'custom',
    rrule: r.rrule,
    durationMinutes: r.durationMinutes,
    daysAhead: r.daysAhead,
    holidays: r.holidays,
  };
}

// An emptied number box is sent as it is, so that the server names the problem with the others.
const numberOf = (v: number | string) => (typeof v === 'number' ? v : v.trim() === '' ? null : Number(v));

/** The recurrence the form stands for, as POST and PATCH /api/v1/boards take it. */
export function formToRecurrence(v: RecurrenceFormValues): BoardRecurrence {
  return {
    start: v.start,
    timeZone: v.timeZone.trim(),
    rrule: v.repeats === 'custom' ? v.rrule.trim().replace(/^RRULE:/i, '') : presetRule(v.repeats, v.start),
    durationMinutes: numberOf(v.durationMinutes) as number,
    daysAhead: numberOf(v.daysAhead) as number,
    holidays: v.holidays,
  };
}

/** The server's issues under `recurrence`: each field's own (`recurrence.holidays.2` by the holiday), the rest together. */
export function recurrenceErrorField(parts: string[]): string {
  if (parts[1] === 'holidays' && parts[2] !== undefined) return `recurrence.holidays.${parts[2]}`;
  const known = ['start', 'timeZone', 'rrule', 'durationMinutes', 'daysAhead', 'holidays'];
  return parts[1] && known.includes(parts[1]) ? `recurrence.${parts[1]}` : 'recurrence';
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "Tuesday", "Monday and Thursday", "weekday" (Monday to Friday); null for what is not a plain list of weekdays. */
function weekdayList(byday: string): string | null {
  const codes = byday.split(',');
  if (!codes.every((c) => (WEEKDAY_CODES as readonly string[]).includes(c))) return null;
  const names = WEEKDAY_CODES.filter((c) => codes.includes(c)).map((c) => WEEKDAY_NAMES[c]);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}` : names[0]!;
}

/** When a rule repeats, in words ("Every Tuesday", "Every month on the first Monday"); null for rules said better as the rule itself. */
function whenWords(rrule: string, start: string): string | null {
  const p = ruleParts(rrule.replace(/^RRULE:/i, ''));
  if (!Object.keys(p).every((k) => ['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'WKST', 'COUNT', 'UNTIL'].includes(k))) return null;
  const n = Number(p.INTERVAL ?? '1');
  if (!Number.isInteger(n) || n < 1) return null;
  const every = (one: string, many: string) => (n === 1 ? `Every ${one}` : n === 2 ? `Every two ${many}` : `Every ${n} ${many}`);
  const day = dayOf(start);
  let when: string | null = null;
  if (p.FREQ === 'DAILY' && !p.BYDAY && !p.BYMONTHDAY) when = every('day', 'days');
  if (p.FREQ === 'WEEKLY' && !p.BYMONTHDAY) {
    const days = p.BYDAY ? weekdayList(p.BYDAY) : day ? WEEKDAY_NAMES[day.weekday] : null;
    if (days) when = n === 1 ? `Every ${p.BYDAY === 'MO,TU,WE,TH,FR' ? 'weekday' : days}` : `${every('week', 'weeks')} on ${days}`;
  }
  if (p.FREQ === 'MONTHLY') {
    const byday = p.BYDAY ? /^\+?(-?\d)(MO|TU|WE|TH|FR|SA|SU)$/.exec(p.BYDAY) : null;
    if (byday && !p.BYMONTHDAY && ORDINALS[byday[1]!]) {
      when = `${every('month', 'months')} on the ${ORDINALS[byday[1]!]} ${WEEKDAY_NAMES[byday[2] as WeekdayCode]}`;
    } else if (!p.BYDAY) {
      const dayOfMonth = p.BYMONTHDAY ?? (day ? start.slice(8, 10) : '');
      if (/^\d{1,2}$/.test(dayOfMonth)) when = `${every('month', 'months')} on day ${Number(dayOfMonth)}`;
    }
  }
  if (!when) return null;
  const limits = [p.COUNT ? plural(Number(p.COUNT), 'meeting') : '', p.UNTIL ? `until ${p.UNTIL.slice(0, 4)}-${p.UNTIL.slice(4, 6)}-${p.UNTIL.slice(6, 8)}` : ''].filter(Boolean);
  return limits.length ? `${when} (${limits.join(', ')})` : when;
}

/** A board's regular meetings in words: "Every Tuesday at 10:00 Europe/London, 60 minutes; meetings made 7 days ahead; 2 holidays". */
export function recurrenceWords(r: BoardRecurrence): string {
  const [date = '', time = ''] = r.start.split('T');
  const when = whenWords(r.rrule, r.start) ?? `${r.rrule} from ${date}`;
  const holidays = r.holidays.length > 0 ? `; ${plural(r.holidays.length, 'holiday')}` : '';
  return `${when} at ${time.slice(0, 5)} ${r.timeZone}, ${plural(r.durationMinutes, 'minute')}; meetings made ${plural(r.daysAhead, 'day')} ahead${holidays}`;
}

/** "Fri, 25 Dec 2026" in the reader's language: the calendar date, whatever their zone. */
function holidayWords(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y!, m! - 1, d!)),
  );
}

interface RecurrenceFieldsetProps {
  recurring: boolean;
  values: RecurrenceFormValues;
  onChange: (recurring: boolean, values: RecurrenceFormValues) => void;
  errors: Record<string, string>;
  disabled: boolean;
}

/** "Regular meetings": whether the board meets regularly, and when; the worker makes each meeting `daysAhead` days before it. */
export function RecurrenceFieldset({ recurring, values, onChange, errors, disabled }: RecurrenceFieldsetProps) {
  const [holiday, setHoliday] = useState('');
  const set = <K extends keyof RecurrenceFormValues>(key: K, value: RecurrenceFormValues[K]) => onChange(recurring, { ...values, [key]: value });
  const offered = presetsFor(values.start);
  const repeatOptions = [
    ...offered.map((p) => ({ value: p, label: presetLabel(p, values.start) })),
    { value: 'custom', label: 'Another rule (RRULE)' },
  ];
  const setStart = (start: string) => {
    // A monthly choice the new date cannot keep ("the fifth Tuesday") becomes the one it can.
    const fits = presetsFor(start);
    const repeats: Repeats =
      values.repeats === 'custom' || fits.includes(values.repeats) ? values.repeats : values.repeats === 'monthly' ? 'monthly_last' : 'monthly';
    onChange(recurring, { ...values, start, repeats });
  };
  const setRepeats = (repeats: Repeats) =>
    // Turning to "Another rule" starts from the rule chosen so far.
    onChange(recurring, {
      ...values,
      repeats,
      rrule: repeats === 'custom' && values.repeats !== 'custom' ? presetRule(values.repeats, values.start) : values.rrule,
    });
  const addHoliday = () => {
    if (!ISO_DATE.test(holiday)) return;
    if (!values.holidays.includes(holiday)) set('holidays', [...values.holidays, holiday].sort());
    setHoliday('');
  };
  const onHolidayKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key !== 'Enter') return;
    // Enter adds the date instead of saving the whole board.
    e.preventDefault();
    addHoliday();
  };
  const otherErrors = [errors.recurrence, ...Object.entries(errors).filter(([k]) => /^recurrence\.holidays\.\d+$/.test(k) && Number(k.split('.')[2]) >= values.holidays.length).map(([, m]) => m)]
    .filter(Boolean)
    .join('; ');

  return (
    <Fieldset legend="Regular meetings" disabled={disabled}>
      <Stack gap="sm">
        <Switch
          label="Meets regularly"
          description={`Meetings are made ahead of time and members told; none on a holiday.${recurring ? '' : ' Off: each meeting is scheduled on its own.'}`}
          checked={recurring}
          onChange={(e) => {
            const on = e.currentTarget.checked;
            onChange(on, on && values.timeZone.trim() === '' ? { ...values, timeZone: displayTimeZone() } : values);
          }}
          disabled={disabled}
        />
        {otherErrors && (
          <Text size="sm" c="red.8" role="alert">
            {otherErrors}
          </Text>
        )}
        {recurring && (
          <>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label="First meeting (local time)"
                description="Its time of day is every meeting’s."
                type="datetime-local"
                required
                value={values.start}
                onChange={(e) => setStart(e.currentTarget.value)}
                error={errors['recurrence.start']}
              />
              <Autocomplete
                label="Time zone"
                description="Any IANA zone, e.g. Europe/London"
                required
                data={COMMON_TIME_ZONES}
                value={values.timeZone}
                onChange={(z) => set('timeZone', z)}
                error={errors['recurrence.timeZone']}
                disabled={disabled}
              />
              <Select
                label="Repeats"
                description={dayOf(values.start) ? undefined : 'The weekday is the first meeting’s.'}
                data={repeatOptions}
                value={values.repeats}
                onChange={(r) => r && setRepeats(r as Repeats)}
                allowDeselect={false}
                error={values.repeats === 'custom' ? undefined : errors['recurrence.rrule']}
                disabled={disabled}
              />
              {values.repeats === 'custom' ? (
                <TextInput
                  label="RRULE"
                  description="RFC 5545, without DTSTART, e.g. FREQ=MONTHLY;BYDAY=1MO"
                  required
                  maxLength={500}
                  ff="monospace"
                  value={values.rrule}
                  onChange={(e) => set('rrule', e.currentTarget.value)}
                  error={errors['recurrence.rrule']}
                />
              ) : (
                <div />
              )}
              <NumberInput
                label="Length (minutes)"
                required
                min={5}
                max={600}
                allowDecimal={false}
                value={values.durationMinutes}
                onChange={(v) => set('durationMinutes', v)}
                error={errors['recurrence.durationMinutes']}
              />
              <NumberInput
                label="Days ahead"
                description="How many days before it starts a meeting is made and its members told."
                required
                min={1}
                max={60}
                allowDecimal={false}
                value={values.daysAhead}
                onChange={(v) => set('daysAhead', v)}
                error={errors['recurrence.daysAhead']}
              />
            </SimpleGrid>
            <Stack gap="xs">
              <Group align="flex-end" gap="xs">
                <TextInput
                  label="Holiday"
                  description="A date on which no meeting is held, in the board’s time zone."
                  type="date"
                  value={holiday}
                  onChange={(e) => setHoliday(e.currentTarget.value)}
                  onKeyDown={onHolidayKey}
                  error={errors['recurrence.holidays']}
                />
                <Button variant="default" onClick={addHoliday} disabled={disabled || !ISO_DATE.test(holiday)}>
                  Add holiday
                </Button>
              </Group>
              {values.holidays.length === 0 ? (
                <Text size="sm" c="dimmed">
                  No holidays.
                </Text>
              ) : (
                <Group gap="xs" role="list" aria-label="Holidays">
                  {values.holidays.map((date, i) => {
                    const words = holidayWords(date);
                    const error = errors[`recurrence.holidays.${i}`];
                    return (
                      <Paper key={date} withBorder radius="sm" px="xs" py={2} role="listitem" aria-label={words}>
                        <Group gap={4} wrap="nowrap">
                          <Text size="sm">{words}</Text>
                          <CloseButton
                            size="sm"
                            aria-label={`Remove the holiday ${words}`}
                            onClick={() => set('holidays', values.holidays.filter((h) => h !== date))}
                            disabled={disabled}
                          />
                        </Group>
                        {error && (
                          <Text size="xs" c="red.8">
                            {error}
                          </Text>
                        )}
                      </Paper>
                    );
                  })}
                </Group>
              )}
            </Stack>
          </>
        )}
      </Stack>
    </Fieldset>
  );
}
