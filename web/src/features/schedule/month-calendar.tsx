import { Box, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import './schedule.css';
import { formatDateTime } from '../../shared/format';
import { RISK_LEVEL_COLORS, RISK_LEVEL_LABELS } from '../changes/risk-badge';
import type { CalendarChange, ScheduledWindow } from './schedule-api';
import { coversDay, dayKey, monthGrid, WEEKDAY_CODES, WEEKDAY_NAMES } from './schedule-words';

const MAX_CHIPS = 3;

interface MonthCalendarProps {
  year: number;
  /** 0 = January. */
  month: number;
  changes: CalendarChange[];
  windows: ScheduledWindow[];
  /** Marked as today; the real today unless a test says otherwise. */
  today?: Date;
}

/** The first day of the grid a change is drawn on: its start day, or the grid's first day if it began earlier. */
function chipDay(c: CalendarChange, days: Date[]): string | null {
  const first = days.find((d) => coversDay(c.plannedStart, c.plannedEnd, d));
  return first ? dayKey(first) : null;
}

/**
 * A month as weeks of days. Freezes shade the days they cover, maintenance windows are a thin band at the
 * top of a day, and changes are chips coloured by risk on the day they start, linking to the change.
 */
export function MonthCalendar({ year, month, changes, windows, today = new Date() }: MonthCalendarProps) {
  const weeks = monthGrid(year, month);
  const days = weeks.flat();
  const chipsByDay = new Map<string, CalendarChange[]>();
  for (const c of changes) {
    const key = chipDay(c, days);
    if (key) chipsByDay.set(key, [...(chipsByDay.get(key) ?? []), c]);
  }
  const todayKey = dayKey(today);
  return (
    <Box role="grid" aria-label="Month" className="cabinet-month">
      <Box role="row" className="cabinet-month-row">
        {WEEKDAY_CODES.map((code) => (
          <Text key={code} role="columnheader" size="xs" fw={700} c="dimmed" ta="center" py={4}>
            {WEEKDAY_NAMES[code].slice(0, 3)}
          </Text>
        ))}
      </Box>
      {weeks.map((week) => (
        <Box key={dayKey(week[0]!)} role="row" className="cabinet-month-row">
          {week.map((day) => {
            const key = dayKey(day);
            const freezes = windows.filter((w) => w.kind === 'freeze' && coversDay(w.start, w.end, day));
            const maintenance = windows.filter((w) => w.kind === 'maintenance' && coversDay(w.start, w.end, day));
            const chips = chipsByDay.get(key) ?? [];
            const names = [...freezes, ...maintenance].map((w) => w.name);
            const label = `${day.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' })}${names.length ? `: ${[...new Set(names)].join(', ')}` : ''}`;
            return (
              <Box
                key={key}
                role="gridcell"
                aria-label={label}
                data-day={key}
                data-outside={day.getMonth() !== month || undefined}
                data-today={key === todayKey || undefined}
                data-freeze={freezes.length > 0 || undefined}
                data-maintenance={maintenance.length > 0 || undefined}
                className="cabinet-month-day"
                title={names.length ? [...new Set(names)].join(', ') : undefined}
              >
                {maintenance.length > 0 && <div className="cabinet-month-band" data-testid="maintenance-band" />}
                <Text size="xs" fw={key === todayKey ? 800 : 500} className="cabinet-month-date">
                  {day.getDate()}
                </Text>
                {freezes.length > 0 && (
                  <Text size="10px" c="red.9" fw={600} lineClamp={1}>
                    {freezes[0]!.name}
                  </Text>
                )}
                {chips.slice(0, MAX_CHIPS).map((c) => (
                  <Tooltip key={c.id} label={`${c.number} · ${c.title} · ${c.riskLevel ? `${RISK_LEVEL_LABELS[c.riskLevel]} risk` : 'risk not assessed'} · ${formatDateTime(c.plannedStart)}`} openDelay={300}>
                    <Link
                      to={`/changes/${c.number}`}
                      className="cabinet-month-chip"
                      data-change={c.number}
                      data-risk={c.riskLevel ?? 'none'}
                      style={{
                        background: c.riskLevel ? `var(--mantine-color-${RISK_LEVEL_COLORS[c.riskLevel]}-1)` : 'var(--mantine-color-gray-1)',
                        borderLeftColor: c.riskLevel ? `var(--mantine-color-${RISK_LEVEL_COLORS[c.riskLevel]}-6)` : 'var(--mantine-color-gray-5)',
                      }}
                    >
                      {c.number} {c.title}
                    </Link>
                  </Tooltip>
                ))}
                {chips.length > MAX_CHIPS && (
                  <Text size="10px" c="dimmed">
                    +{chips.length - MAX_CHIPS} more
                  </Text>
                )}
              </Box>
            );
          })}
        </Box>
      ))}
    </Box>
  );
}
