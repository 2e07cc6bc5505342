import { Tooltip, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import './schedule.css';
import { changeTooltip, riskStyle } from './month-calendar';
import type { CalendarChange, ScheduledWindow } from './schedule-api';
import { addDays, blocksOutOfView, changeLabel, clockWords, daysBetween, type DaySegment, daySegments, intervalWords, isWithdrawn, layoutColumns, localMinutes, openingMinute } from './schedule-layout';
import { dayKey } from './schedule-words';
import { useMinuteClock } from './use-minute-clock';

/** Height of one hour; the day is 24 of them. */
export const HOUR_PX = 40;
/** The shortest a change is drawn, in minutes, so that a five-minute change can still be read and clicked. */
const MIN_BLOCK_MINUTES = 30;
/** Height of the sticky day headers (see .cabinet-week-dayhead). */
const HEAD_PX = 44;

interface WeekCalendarProps {
  /** The Monday the week starts on (local midnight). */
  weekStart: Date;
  changes: CalendarChange[];
  windows: ScheduledWindow[];
  /** Where the "now" line is; the real clock (ticking every minute) unless a test says otherwise. */
  now?: Date;
  /** False while the changes shown are still the previous week's (the view waits for this week's to open). */
  settled?: boolean;
}

const px = (minutes: number) => (minutes * HOUR_PX) / 60;

interface Placed<T> {
  item: T;
  segment: DaySegment;
}

/** Each item's pieces, by day of the week. */
function byDay<T>(items: readonly T[], interval: (item: T) => [string, string], weekStart: Date): Placed<T>[][] {
  const days: Placed<T>[][] = Array.from({ length: 7 }, () => []);
  for (const item of items) {
    const [start, end] = interval(item);
    for (const segment of daySegments(start, end, weekStart, 7)) days[segment.day]!.push({ item, segment });
  }
  return days;
}

/** Width of the strip a change that fills a whole day is drawn as, so that the day's other changes keep room. */
const STRIP_PX = 18;

interface BlockPlace {
  column: number;
  columns: number;
  /** Room at the left taken by whole-day strips. */
  inset: number;
}

function blockBox({ column, columns, inset }: BlockPlace): { left: string; width: string } {
  if (inset === 0) return { left: `calc(${(column / columns) * 100}% + 1px)`, width: `calc(${100 / columns}% - 3px)` };
  return { left: `calc(${inset}px + (100% - ${inset}px) * ${column / columns} + 1px)`, width: `calc((100% - ${inset}px) / ${columns} - 3px)` };
}

function ChangeBlock({ change, segment, place }: { change: CalendarChange; segment: DaySegment; place: BlockPlace }) {
  const minutes = Math.max(segment.endMin - segment.startMin, MIN_BLOCK_MINUTES);
  const compact = minutes < 60;
  const start = segment.continuesBefore ? '…' : clockWords(new Date(change.plannedStart));
  const end = segment.continuesAfter ? '…' : segment.endMin === 24 * 60 ? '24:00' : clockWords(new Date(change.plannedEnd));
  return (
    <Tooltip label={changeTooltip(change)} openDelay={300}>
      <Link
        to={`/changes/${change.number}`}
        className="cabinet-week-block"
        aria-label={changeLabel(change)}
        data-change={change.number}
        data-risk={change.riskLevel ?? 'none'}
        data-withdrawn={isWithdrawn(change.state) || undefined}
        data-conflicts={change.openConflicts || undefined}
        data-compact={compact || undefined}
        data-continues-before={segment.continuesBefore || undefined}
        data-continues-after={segment.continuesAfter || undefined}
        style={{ ...riskStyle(change.riskLevel), top: px(segment.startMin), height: px(minutes) - 1, ...blockBox(place) }}
      >
        {/* NOTE: accessibility. The times are drawn by CSS from data attributes rather than written as text: the
            link's name ("CHG0000012 Patch pay-db, high risk, Thu 10 Dec 14:00–16:00") says them after the number
            and title, and a name must contain the visible text in its order (WCAG 2.5.3), which a leading time
            would break. */}
        <span className="cabinet-week-block-time" data-start={start} data-end={`–${end}`} aria-hidden />{' '}
        <span className="cabinet-week-block-title">
          {change.number} {change.title}
        </span>
      </Link>
    </Tooltip>
  );
}

/** A change that fills the whole day: a full-height strip at the left, its name running down it. */
function ChangeStrip({ change, index, nameAtMin }: { change: CalendarChange; index: number; nameAtMin: number }) {
  return (
    <Tooltip label={changeTooltip(change)} openDelay={300}>
      <Link
        to={`/changes/${change.number}`}
        className="cabinet-week-strip"
        aria-label={changeLabel(change)}
        data-change={change.number}
        data-risk={change.riskLevel ?? 'none'}
        data-withdrawn={isWithdrawn(change.state) || undefined}
        data-conflicts={change.openConflicts || undefined}
        data-continues-before
        data-continues-after
        // Its name starts at the hour the view opens at, so that it is in sight.
        style={{ ...riskStyle(change.riskLevel), left: 1 + index * STRIP_PX, width: STRIP_PX - 2, paddingTop: px(nameAtMin) + 4 }}
      >
        {change.number} {change.title}
      </Link>
    </Tooltip>
  );
}

/**
 * A week as seven day columns over 24 hours, in the person's time zone (the dates it is given are already
 * readings of it: shared/format.ts, toZonedDate). It opens scrolled to the week's earliest change, or to
 * the current hour when nothing is planned. Changes are blocks at their
 * planned times, side by side where they overlap, coloured by risk and linking to the change; freezes
 * shade the hours they cover, maintenance windows are a blue tint with a band on the left, and a red line
 * marks now.
 */
export function WeekCalendar({ weekStart, changes, windows, now: fixedNow, settled = true }: WeekCalendarProps) {
  const now = useMinuteClock(fixedNow);
  const scrollRef = useRef<HTMLDivElement>(null);
  // The minutes of the day in view, once the box has a size; it says which days have changes out of sight.
  const [inView, setInView] = useState<{ from: number; to: number } | null>(null);
  const measure = useCallback(() => {
    const el = scrollRef.current;
    if (!el || el.clientHeight === 0) return;
    setInView({ from: (el.scrollTop / HOUR_PX) * 60, to: ((el.scrollTop + el.clientHeight - HEAD_PX) / HOUR_PX) * 60 });
  }, []);
  const days = Array.from({ length: 7 }, (_, i) => addDays(weekStart, i));
  const changesByDay = byDay(changes, (c) => [c.plannedStart, c.plannedEnd], weekStart);
  const openAt = openingMinute(
    changesByDay.flatMap((day) => day.map((p) => p.segment)),
    localMinutes(now.getTime()),
  );
  // Opens at `openAt` for each week shown (not again when the same week's data refreshes, which would undo
  // the person's own scrolling).
  const weekKey = dayKey(weekStart);
  useLayoutEffect(() => {
    // A little above the hour, so that its label shows whole under the sticky day headers.
    if (scrollRef.current && settled) scrollRef.current.scrollTop = Math.max(0, px(openAt) - 8);
    measure();
  }, [measure, weekKey, settled]);
  const scrollToMinute = (minute: number) => scrollRef.current?.scrollTo({ top: Math.max(0, px(minute) - HOUR_PX / 2), behavior: 'smooth' });
  const windowsByDay = byDay(windows, (w) => [w.start, w.end], weekStart);
  const todayIndex = daysBetween(weekStart, now);
  return (
    <div className="cabinet-week">
      <div className="cabinet-week-scroll" ref={scrollRef} role="region" aria-label="Week, hour by hour" tabIndex={0} onScroll={measure}>
        <div className="cabinet-week-grid">
          <div className="cabinet-week-gutter" aria-hidden>
            <div className="cabinet-week-corner" />
            <div className="cabinet-week-hours" style={{ height: px(24 * 60) }}>
              {Array.from({ length: 23 }, (_, i) => i + 1).map((h) => (
                <span key={h} className="cabinet-week-hour" style={{ top: px(h * 60) }}>
                  {String(h).padStart(2, '0')}:00
                </span>
              ))}
            </div>
          </div>
          {days.map((day, i) => {
            const key = dayKey(day);
            const sorted = [...changesByDay[i]!].sort((a, b) => a.segment.startMin - b.segment.startMin || b.segment.endMin - a.segment.endMin);
            const strips = sorted.filter((p) => p.segment.startMin === 0 && p.segment.endMin === 24 * 60);
            const blocks = sorted.filter((p) => !strips.includes(p));
            const places = layoutColumns(
              blocks.map((p) => p.segment),
              MIN_BLOCK_MINUTES,
            );
            const inset = strips.length * STRIP_PX;
            const dayWindows = windowsByDay[i]!;
            const isToday = i === todayIndex;
            const longName = day.toLocaleDateString(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
            const hidden = inView ? blocksOutOfView(sorted.map((p) => p.segment), inView.from, inView.to, MIN_BLOCK_MINUTES) : null;
            return (
              <section key={key} className="cabinet-week-day" aria-labelledby={`week-day-${key}`} data-day={key} data-today={isToday || undefined}>
                <header className="cabinet-week-dayhead">
                  <h3 id={`week-day-${key}`} className="cabinet-week-daytitle">
                    <span aria-hidden>
                      {day.toLocaleDateString(undefined, { weekday: 'short' })} <span className="cabinet-week-daynum">{day.getDate()}</span>
                    </span>
                    <VisuallyHidden>{longName}</VisuallyHidden>
                  </h3>
                  {dayWindows.length > 0 && (
                    <div className="cabinet-week-daywindows">
                      {[...new Map(dayWindows.map((p) => [p.item.windowId, p.item])).values()].map((w) => (
                        <span key={w.windowId} className="cabinet-week-daywindow" data-kind={w.kind} title={`${w.name}: ${intervalWords(w.start, w.end)}`}>
                          {w.name}
                        </span>
                      ))}
                    </div>
                  )}
                </header>
                {hidden && hidden.nearestEarlier !== null && (
                  <div className="cabinet-week-more" data-dir="earlier">
                    <UnstyledButton onClick={() => scrollToMinute(hidden.nearestEarlier!)} aria-label={`${hidden.earlier} earlier on ${longName}: show`}>
                      ↑ {hidden.earlier} earlier
                    </UnstyledButton>
                  </div>
                )}
                <div className="cabinet-week-body" style={{ height: px(24 * 60) }}>
                  {dayWindows.map(({ item: w, segment }) => (
                    <div
                      key={`${w.windowId}-${w.start}`}
                      className={w.kind === 'freeze' ? 'cabinet-week-freeze' : 'cabinet-week-maintenance'}
                      data-testid={w.kind === 'freeze' ? 'freeze-shade' : 'maintenance-band'}
                      title={`${w.kind === 'freeze' ? 'Freeze' : 'Maintenance window'}: ${w.name}, ${intervalWords(w.start, w.end)}`}
                      style={{ top: px(segment.startMin), height: Math.max(px(segment.endMin - segment.startMin), 2) }}
                    />
                  ))}
                  {strips.map(({ item }, j) => (
                    <ChangeStrip key={item.id} change={item} index={j} nameAtMin={openAt} />
                  ))}
                  {blocks.map(({ item, segment }, j) => (
                    <ChangeBlock key={item.id} change={item} segment={segment} place={{ ...places[j]!, inset }} />
                  ))}
                  {isToday && <div className="cabinet-week-now" data-testid="now-line" style={{ top: px(localMinutes(now.getTime())) }} aria-hidden />}
                </div>
                {hidden && hidden.nearestLater !== null && (
                  <div className="cabinet-week-more" data-dir="later">
                    <UnstyledButton onClick={() => scrollToMinute(hidden.nearestLater!)} aria-label={`${hidden.later} later on ${longName}: show`}>
                      ↓ {hidden.later} later
                    </UnstyledButton>
                  </div>
                )}
              </section>
            );
          })}
        </div>
      </div>
    </div>
  );
}
