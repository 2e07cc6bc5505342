import { Tooltip, VisuallyHidden } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import type { CSSProperties } from 'react';
import { Link } from 'react-router';
import './schedule.css';
import type { Ci, Service } from '../../api/types';
import { changeTooltip, riskStyle } from './month-calendar';
import type { CalendarChange, ScheduledWindow } from './schedule-api';
import { addDays, axisPosition, axisSpan, changeLabel, daysBetween, intervalWords, isWithdrawn, monthLabels, type TimelineBar, timelineBars } from './schedule-layout';
import { dayKey } from './schedule-words';
import { type TimelineGrouping, type TimelineRow, timelineRows } from './timeline-rows';
import { useMinuteClock } from './use-minute-clock';

/** A bar at least this wide holds its label; a narrower one carries it beside it, in this much room. */
const INSIDE_PX = 96;
const LABEL_PX = 150;
const LANE_PX = 22;
/** A month shown for fewer days than this is labelled "Dec" rather than "December 2026". */
const SHORT_LABEL_DAYS = 3;
/** Used until the axis has been measured (and in tests, where nothing has a size). */
const FALLBACK_TRACK_PX = 900;

interface TimelineCalendarProps {
  firstDay: Date;
  dayCount: number;
  changes: CalendarChange[];
  windows: ScheduledWindow[];
  groupBy: TimelineGrouping;
  services: ReadonlyMap<string, Service>;
  cis: ReadonlyMap<string, Ci>;
  /** The service or CI filtered by: its row shows even with nothing planned. */
  pinned?: string | null;
  /** Where the "now" line is; the real clock unless a test says otherwise. */
  now?: Date;
}

const pct = (fraction: number) => `${fraction * 100}%`;

function Bar({ bar, trackPx }: { bar: TimelineBar; trackPx: number }) {
  const c = bar.change;
  const colours = riskStyle(c.riskLevel);
  const inside = bar.label === 'inside';
  return (
    <Tooltip label={changeTooltip(c)} openDelay={300}>
      <Link
        to={`/changes/${c.number}`}
        className="cabinet-tl-bar"
        aria-label={changeLabel(c)}
        data-change={c.number}
        data-risk={c.riskLevel ?? 'none'}
        data-withdrawn={isWithdrawn(c.state) || undefined}
        data-conflicts={c.openConflicts || undefined}
        data-label={bar.label}
        data-clipped-start={bar.clippedStart || undefined}
        data-clipped-end={bar.clippedEnd || undefined}
        // A bar too narrow for its label is a solid strip of its risk colour, the label beside it.
        style={{ ...colours, ...(inside ? {} : { background: colours.borderLeftColor }), left: pct(bar.left), width: pct(bar.width), minWidth: 3, top: 3 + bar.lane * LANE_PX }}
      >
        <span className="cabinet-tl-bar-label" style={inside ? undefined : { maxWidth: LABEL_PX - 6 - Math.min(bar.width * trackPx, INSIDE_PX) }}>
          {c.number} {c.title}
        </span>
      </Link>
    </Tooltip>
  );
}

function windowWords(row: TimelineRow): string {
  const seen = new Map<string, string>();
  for (const { window: w, extent } of row.windows) {
    if (!seen.has(w.windowId)) seen.set(w.windowId, `${w.name} (${w.kind === 'freeze' ? 'freeze' : 'maintenance window'}${extent === 'some' ? ', on some of its CIs' : ''})`);
  }
  return seen.size ? `Windows: ${[...seen.values()].join('; ')}` : '';
}

function Row({ row, firstDay, dayCount, trackPx }: { row: TimelineRow; firstDay: Date; dayCount: number; trackPx: number }) {
  const { bars, laneCount } = timelineBars(row.changes, firstDay, dayCount, { inside: INSIDE_PX / trackPx, label: LABEL_PX / trackPx });
  const headingId = `timeline-row-${row.key}`;
  const summary = windowWords(row);
  return (
    <section className="cabinet-tl-row" aria-labelledby={headingId} data-row={row.key}>
      <div className="cabinet-tl-rowhead">
        <h3 id={headingId} className="cabinet-tl-rowtitle">
          {row.href ? <Link to={row.href}>{row.label}</Link> : row.label}
        </h3>
        {row.detail && <span className="cabinet-tl-rowdetail">{row.detail}</span>}
        {summary && <VisuallyHidden>{summary}</VisuallyHidden>}
      </div>
      <div className="cabinet-tl-track" style={{ height: Math.max(1, laneCount) * LANE_PX + 6 }}>
        {row.windows.map(({ window: w, extent }) => {
          const span = axisSpan(w.start, w.end, firstDay, dayCount);
          if (!span) return null;
          return (
            <div
              key={`${w.windowId}-${w.start}`}
              className={w.kind === 'freeze' ? 'cabinet-tl-freeze' : 'cabinet-tl-maintenance'}
              data-testid={w.kind === 'freeze' ? 'freeze-shade' : 'maintenance-band'}
              data-extent={extent}
              title={`${w.kind === 'freeze' ? 'Freeze' : 'Maintenance window'}: ${w.name}, ${intervalWords(w.start, w.end)}${extent === 'some' ? ' (some of its CIs)' : ''}`}
              style={{ left: pct(span.left), width: pct(span.width), minWidth: 2 }}
            />
          );
        })}
        {bars.map((bar) => (
          <Bar key={bar.change.id} bar={bar} trackPx={trackPx} />
        ))}
      </div>
    </section>
  );
}

/**
 * Two weeks on a horizontal axis, one row per service (or CI). Changes are bars over exactly their planned
 * interval, stacked where they overlap; freezes shade the rows they apply to (global ones every row) and
 * maintenance windows are a blue band on theirs. Weekends are tinted, today is marked, a red line is now.
 */
export function TimelineCalendar({ firstDay, dayCount, changes, windows, groupBy, services, cis, pinned, now: fixedNow }: TimelineCalendarProps) {
  const { ref: axisRef, width } = useElementSize();
  const trackPx = width > 0 ? width : FALLBACK_TRACK_PX;
  const now = useMinuteClock(fixedNow);
  const days = Array.from({ length: dayCount }, (_, i) => addDays(firstDay, i));
  const todayIndex = daysBetween(firstDay, now);
  const rows = timelineRows({ changes, windows, groupBy, services, cis, pinned });
  const shown: TimelineRow[] = rows.length
    ? rows
    : [{ key: 'nothing', label: 'Nothing planned', changes: [], windows: windows.filter((w) => w.scope.global).map((window) => ({ window, extent: 'all' as const })) }];
  const nowAt = todayIndex >= 0 && todayIndex < dayCount ? axisPosition(now.getTime(), firstDay, dayCount) : null;
  return (
    <div className="cabinet-tl-scroll">
      <div className="cabinet-tl" role="region" aria-label={groupBy === 'ci' ? 'Timeline by CI' : 'Timeline by service'} style={{ '--tl-days': dayCount } as CSSProperties}>
        <div className="cabinet-tl-head">
          <div className="cabinet-tl-corner">{groupBy === 'ci' ? 'CI' : 'Service'}</div>
          <div className="cabinet-tl-axis" ref={axisRef}>
            {monthLabels(days).map((m) => (
              // Each label is as wide as its month's days and cut there, so neighbours never run together.
              <div key={`month-${m.long}`} className="cabinet-tl-monthlabel" style={{ left: pct(m.start / dayCount), width: pct(m.span / dayCount) }} title={m.long}>
                {m.span >= SHORT_LABEL_DAYS ? m.long : m.short}
              </div>
            ))}
            {days.map((day, i) => (
              <div
                key={dayKey(day)}
                className="cabinet-tl-tick"
                data-day={dayKey(day)}
                data-weekend={day.getDay() === 0 || day.getDay() === 6 || undefined}
                data-today={i === todayIndex || undefined}
                data-month-start={day.getDate() === 1 || undefined}
                style={{ left: pct(i / dayCount), width: pct(1 / dayCount) }}
              >
                <span className="cabinet-tl-weekday">{day.toLocaleDateString(undefined, { weekday: 'short' })}</span>{' '}
                <span className="cabinet-tl-daynum">{day.getDate()}</span>
              </div>
            ))}
          </div>
        </div>
        <div className="cabinet-tl-body">
          <div className="cabinet-tl-days" aria-hidden>
            {days.map((day, i) => (
              <div
                key={dayKey(day)}
                className="cabinet-tl-daycol"
                data-weekend={day.getDay() === 0 || day.getDay() === 6 || undefined}
                data-today={i === todayIndex || undefined}
                style={{ left: pct(i / dayCount), width: pct(1 / dayCount) }}
              />
            ))}
          </div>
          {shown.map((row) => (
            <Row key={row.key} row={row} firstDay={firstDay} dayCount={dayCount} trackPx={trackPx} />
          ))}
          {nowAt !== null && (
            <div className="cabinet-tl-days" aria-hidden>
              <div className="cabinet-tl-now" data-testid="now-line" style={{ left: pct(nowAt) }} />
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
