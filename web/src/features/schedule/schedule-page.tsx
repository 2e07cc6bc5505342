import { Button, Group, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { MonthCalendar } from './month-calendar';
import { useCalendar } from './schedule-api';
import { monthGrid, monthTitle } from './schedule-words';

/** The schedule as a month: planned changes by risk, freezes shaded, maintenance windows as a band. */
export function SchedulePage() {
  const now = new Date();
  const [cursor, setCursor] = useState({ year: now.getFullYear(), month: now.getMonth() });
  const weeks = monthGrid(cursor.year, cursor.month);
  const first = weeks[0]![0]!;
  const last = weeks[weeks.length - 1]![6]!;
  const from = first.toISOString();
  const to = new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1).toISOString();
  const query = useCalendar(from, to);
  const step = (delta: number) => setCursor((c) => ({ year: new Date(c.year, c.month + delta, 1).getFullYear(), month: new Date(c.year, c.month + delta, 1).getMonth() }));
  return (
    <>
      <PageHeader
        title="Schedule"
        description="Planned changes coloured by risk; freezes shaded, maintenance windows as a blue band."
        actions={
          <Button component={Link} to="/schedule/windows" variant="default" size="xs">
            Windows
          </Button>
        }
      />
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => step(-1)} aria-label="Previous month">
            ‹
          </Button>
          <Button size="xs" variant="default" onClick={() => setCursor({ year: now.getFullYear(), month: now.getMonth() })}>
            Today
          </Button>
          <Button size="xs" variant="default" onClick={() => step(1)} aria-label="Next month">
            ›
          </Button>
        </Group>
        <Text component="h2" fw={700} size="lg" aria-live="polite" data-testid="month-title" m={0}>
          {monthTitle(cursor.year, cursor.month)}
        </Text>
        <Group gap="md">
          <Legend className="cabinet-legend-freeze" label="Freeze" />
          <Legend className="cabinet-legend-maintenance" label="Maintenance" />
        </Group>
      </Group>
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the schedule" onRetry={() => void query.refetch()} />}
      {query.isPending ? (
        <PageLoader label="Loading the schedule" />
      ) : (
        <MonthCalendar year={cursor.year} month={cursor.month} changes={query.data?.changes ?? []} windows={query.data?.windows ?? []} />
      )}
      {query.data?.truncated && (
        <Text size="xs" c="orange.8" mt="xs">
          Some changes or occurrences were left out; the month is busier than one answer holds.
        </Text>
      )}
    </>
  );
}

function Legend({ className, label }: { className: string; label: string }) {
  return (
    <Group gap={4}>
      <span className={className} aria-hidden />
      <Text size="xs">{label}</Text>
    </Group>
  );
}
