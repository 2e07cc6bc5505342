import { Box, Text, Tooltip, UnstyledButton, VisuallyHidden } from '@mantine/core';
import type { CSSProperties } from 'react';
import { Link } from 'react-router';
import './schedule.css';
import { toZonedDate } from '../../shared/format';
import { RISK_LEVEL_COLORS } from '../changes/risk-badge';
import type { CalendarChange, ScheduledWindow } from './schedule-api';
import { changeLabel, conflictWords, hiddenPerDay, intervalWords, isWithdrawn, type MonthBar, monthBars, riskWords } from './schedule-layout';
import { coversDay, dayKey, monthGrid, WEEKDAY_CODES, WEEKDAY_NAMES } from './schedule-words';

/** Lanes of bars a day cell has room for; more show as "+N more". */
const VISIBLE_LANES = 3;
/** A cell's horizontal padding and border (see .cabinet-month-day), which a bar crosses at each day boundary. */
const CELL_GUTTER_PX = 9;

interface MonthCalendarProps {
  year: number;
  /** 0 = January. */
  month: number;
  changes: CalendarChange[];
  windows: ScheduledWindow[];
  /** Marked as today; the real today unless a test says otherwise. */
  today?: Date;
  /** Opens a day that has more changes than its cell shows (the week view); without it "+N more" is text. */
  onShowDay?: (day: Date) => void;
}

/** The colours of a change by risk, shared by every view: light fill, strong left edge. */
export function riskStyle(level: CalendarChange['riskLevel']): CSSProperties {
  return {
    background: level ? `var(--mantine-color-${RISK_LEVEL_COLORS[level]}-1)` : 'var(--mantine-color-gray-1)',
    borderLeftColor: level ? `var(--mantine-color-${RISK_LEVEL_COLORS[level]}-6)` : 'var(--mantine-color-gray-5)',
  };
}

/** What a change's tooltip says: number, title, risk and when. */
export const changeTooltip = (c: CalendarChange) =>
  [c.number, c.title, riskWords(c.riskLevel), intervalWords(c.plannedStart, c.plannedEnd), conflictWords(c.openConflicts)].filter(Boolean).join(' · ');

function MonthBarLink({ bar }: { bar: MonthBar }) {
  const c = bar.change;
  return (
    <Tooltip label={changeTooltip(c)} openDelay={300}>
      <Link
        to={`/changes/${c.number}`}
        className="cabinet-month-chip"
        aria-label={changeLabel(c)}
        data-change={c.number}
        data-risk={c.riskLevel ?? 'none'}
        data-withdrawn={isWithdrawn(c.state) || undefined}
        data-conflicts={c.openConflicts || undefined}
        data-span={bar.span}
        data-continues-before={bar.continuesBefore || undefined}
        data-continues-after={bar.continuesAfter || undefined}
        style={{ ...riskStyle(c.riskLevel), width: `calc(${bar.span} * 100% + ${(bar.span - 1) * CELL_GUTTER_PX}px)` }}
      >
        {c.number} {c.title}
      </Link>
    </Tooltip>
  );
}

/**
 * A month as weeks of days. Freezes shade the days they cover, maintenance windows are a thin band at the
 * top of a day, and changes are bars coloured by risk over the days they span (cut at the end of a week
 * and continued on the next row), linking to the change.
 */
export function MonthCalendar({ year, month, changes, windows, today = toZonedDate(Date.now()), onShowDay }: MonthCalendarProps) {
  const weeks = monthGrid(year, month);
  const barsByWeek = monthBars(changes, weeks);
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
      {weeks.map((week, w) => {
        const { bars, laneCount } = barsByWeek[w]!;
        const lanes = Math.min(laneCount, VISIBLE_LANES);
        const hidden = hiddenPerDay(bars, VISIBLE_LANES, week.length);
        return (
          <Box key={dayKey(week[0]!)} role="row" className="cabinet-month-row">
            {week.map((day, col) => {
              const key = dayKey(day);
              const freezes = windows.filter((win) => win.kind === 'freeze' && coversDay(win.start, win.end, day));
              const maintenance = windows.filter((win) => win.kind === 'maintenance' && coversDay(win.start, win.end, day));
              const names = [...new Set([...freezes, ...maintenance].map((win) => win.name))];
              const dayWords = day.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
              const label = `${dayWords}${names.length ? `: ${names.join(', ')}` : ''}`;
              return (
                // NOTE: accessibility. The day is named by hidden words inside the cell, not an aria-label, which
                // would have to contain everything the cell shows (WCAG 2.5.3); the number and the freeze's name
                // that a person sees are hidden from screen readers, which hear the words instead.
                <Box
                  key={key}
                  role="gridcell"
                  data-day={key}
                  data-outside={day.getMonth() !== month || undefined}
                  data-today={key === todayKey || undefined}
                  data-freeze={freezes.length > 0 || undefined}
                  data-maintenance={maintenance.length > 0 || undefined}
                  className="cabinet-month-day"
                  title={names.length ? names.join(', ') : undefined}
                >
                  {maintenance.length > 0 && <div className="cabinet-month-band" data-testid="maintenance-band" />}
                  <VisuallyHidden>{label}</VisuallyHidden>
                  <div className="cabinet-month-head" aria-hidden>
                    <Text size="xs" fw={key === todayKey ? 800 : 500} className="cabinet-month-date">
                      {day.getDate()}
                    </Text>
                    {freezes.length > 0 && (
                      <Text size="10px" c="red.9" fw={600} truncate="end" className="cabinet-month-freeze">
                        {freezes[0]!.name}
                      </Text>
                    )}
                  </div>
                  {Array.from({ length: lanes }, (_, lane) => {
                    const bar = bars.find((b) => b.startCol === col && b.lane === lane);
                    return bar ? <MonthBarLink key={bar.change.id} bar={bar} /> : <div key={`lane-${lane}`} className="cabinet-month-lane" aria-hidden />;
                  })}
                  {hidden[col]! > 0 &&
                    (onShowDay ? (
                      <UnstyledButton className="cabinet-month-more" onClick={() => onShowDay(day)} aria-label={`${hidden[col]} more on ${dayWords}: show the week`}>
                        +{hidden[col]} more
                      </UnstyledButton>
                    ) : (
                      <Text size="10px" c="dimmed">
                        +{hidden[col]} more
                      </Text>
                    ))}
                </Box>
              );
            })}
          </Box>
        );
      })}
    </Box>
  );
}
