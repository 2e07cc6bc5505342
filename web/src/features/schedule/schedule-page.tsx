import { Button, Group, SegmentedControl, Text, Title } from '@mantine/core';
import { useMemo } from 'react';
import { Link } from 'react-router';
import type { RiskLevel } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { fromZonedDate, toZonedDate, zoneWords } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RISK_LEVEL_COLORS, RISK_LEVEL_LABELS } from '../changes/risk-badge';
import { MonthCalendar } from './month-calendar';
import { type Calendar, useCalendar, useScheduleCis, useScheduleServices } from './schedule-api';
import { ScheduleFilters } from './schedule-filters';
import { addDays, rangeTitle } from './schedule-layout';
import { type ScheduleView, SCHEDULE_VIEWS, stepDate, useScheduleParams, VIEW_LABELS, viewRange } from './schedule-url';
import { monthTitle } from './schedule-words';
import { TimelineCalendar } from './timeline-calendar';
import type { TimelineGrouping } from './timeline-rows';
import { WeekCalendar } from './week-calendar';

const zoned = (iso: string) => toZonedDate(iso).toISOString();

/** The calendar's changes and window occurrences with their times as readings of the person's zone. */
function inDisplayZone(calendar: Calendar | undefined): Pick<Calendar, 'changes' | 'windows'> {
  return {
    changes: (calendar?.changes ?? []).map((c) => ({ ...c, plannedStart: zoned(c.plannedStart), plannedEnd: zoned(c.plannedEnd) })),
    windows: (calendar?.windows ?? []).map((w) => ({ ...w, start: zoned(w.start), end: zoned(w.end) })),
  };
}

const STEP_WORDS: Record<ScheduleView, string> = { month: 'month', week: 'week', timeline: 'two weeks' };
const PERIOD_WORDS: Record<ScheduleView, string> = { month: 'month', week: 'week', timeline: 'fortnight' };

/**
 * The schedule as a month, a week hour by hour, or a two-week timeline by service or CI: planned changes
 * coloured by risk, freezes shaded, maintenance windows in blue. The view, the date and the filters live
 * in the URL, so a view can be shared and survives a reload.
 */
export function SchedulePage() {
  const { state, update } = useScheduleParams();
  const { view, date, groupBy, filters } = state;
  const range = viewRange(view, date);
  const query = useCalendar(range.from, range.to, filters);
  // NOTE: the views place local Dates; instants become readings of the person's zone here, once, so that
  // every view lays out and names times in it (shared/format.ts, toZonedDate).
  const { changes, windows } = useMemo(() => inDisplayZone(query.data), [query.data]);
  const isTimeline = view === 'timeline';
  const services = useScheduleServices(isTimeline);
  const ciIds = isTimeline ? [...new Set([...changes.flatMap((c) => c.ciIds), ...(filters.ciId ? [filters.ciId] : [])])].sort() : [];
  const cmdb = useScheduleCis(ciIds);
  const last = addDays(range.first, range.dayCount - 1);
  const title = view === 'month' ? monthTitle(date.getFullYear(), date.getMonth()) : rangeTitle(range.first, last);
  const loading = query.isPending || (isTimeline && (services.isPending || cmdb.isPending));

  return (
    <>
      <PageHeader
        title="Schedule"
        description="Planned changes coloured by risk; freezes shaded red, maintenance windows in blue."
        actions={
          <Button component={Link} to="/schedule/windows" variant="default" size="xs">
            Windows
          </Button>
        }
      />
      <Group justify="space-between" mb="xs" gap="sm">
        <Group gap="sm">
          <SegmentedControl
            aria-label="View"
            size="xs"
            data={SCHEDULE_VIEWS.map((v) => ({ value: v, label: VIEW_LABELS[v] }))}
            value={view}
            onChange={(v) => update({ view: v as ScheduleView })}
          />
          <Group gap={4}>
            <Button size="xs" variant="default" onClick={() => update((s) => ({ date: stepDate(s.view, s.date, -1) }))} aria-label={`Previous ${STEP_WORDS[view]}`}>
              ‹
            </Button>
            <Button size="xs" variant="default" onClick={() => update({ date: new Date() })}>
              Today
            </Button>
            <Button size="xs" variant="default" onClick={() => update((s) => ({ date: stepDate(s.view, s.date, 1) }))} aria-label={`Next ${STEP_WORDS[view]}`}>
              ›
            </Button>
          </Group>
          <Title order={2} size="h4" aria-live="polite" data-testid="schedule-title">
            {title}
          </Title>
          <Text size="xs" c="dimmed" data-testid="schedule-zone">
            Times in {zoneWords(fromZonedDate(range.first))}
          </Text>
        </Group>
        <Group gap="md">
          {isTimeline && (
            <SegmentedControl
              aria-label="Rows"
              size="xs"
              data={[
                { value: 'service', label: 'By service' },
                { value: 'ci', label: 'By CI' },
              ]}
              value={groupBy}
              onChange={(v) => update({ groupBy: v as TimelineGrouping })}
            />
          )}
          <Legend />
        </Group>
      </Group>
      <ScheduleFilters filters={filters} onChange={(next) => update({ filters: next })} />
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the schedule" onRetry={() => void query.refetch()} />}
      {loading ? (
        <PageLoader label="Loading the schedule" />
      ) : view === 'month' ? (
        <MonthCalendar year={date.getFullYear()} month={date.getMonth()} changes={changes} windows={windows} onShowDay={(day) => update({ view: 'week', date: day })} />
      ) : view === 'week' ? (
        <WeekCalendar weekStart={range.first} changes={changes} windows={windows} settled={!query.isPlaceholderData} />
      ) : (
        <TimelineCalendar
          firstDay={range.first}
          dayCount={range.dayCount}
          changes={changes}
          windows={windows}
          groupBy={groupBy}
          services={services.data ?? new Map()}
          cis={cmdb.cis}
          pinned={groupBy === 'ci' ? filters.ciId : filters.serviceId}
        />
      )}
      {query.data?.truncated && (
        <Text size="xs" c="orange.8" mt="xs">
          Some changes or occurrences were left out; the {PERIOD_WORDS[view]} is busier than one answer holds. Narrow the filters to see them all.
        </Text>
      )}
    </>
  );
}

const RISK_ORDER: RiskLevel[] = ['low', 'moderate', 'high', 'very_high'];

function Legend() {
  return (
    <Group gap={10} aria-label="Legend" role="group">
      {RISK_ORDER.map((level) => (
        <Group key={level} gap={4} wrap="nowrap">
          <span className="cabinet-legend-risk" style={{ background: `var(--mantine-color-${RISK_LEVEL_COLORS[level]}-1)`, borderLeftColor: `var(--mantine-color-${RISK_LEVEL_COLORS[level]}-6)` }} aria-hidden />
          <Text size="xs">{RISK_LEVEL_LABELS[level]}</Text>
        </Group>
      ))}
      <Group gap={4} wrap="nowrap">
        <span className="cabinet-legend-freeze" aria-hidden />
        <Text size="xs">Freeze</Text>
      </Group>
      <Group gap={4} wrap="nowrap">
        <span className="cabinet-legend-maintenance" aria-hidden />
        <Text size="xs">Maintenance</Text>
      </Group>
    </Group>
  );
}
