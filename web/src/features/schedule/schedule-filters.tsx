import { Box, Button, Group, MultiSelect, Select } from '@mantine/core';
import { useTeams } from '../admin/admin-api';
import { allStates, orderedModels, typeLabel, usePolicy } from '../changes/policy';
import { CiSelect } from '../cmdb/ci-multi-select';
import { useServiceOptions } from '../cmdb/cmdb-api';
import type { CalendarFilters } from './schedule-api';

interface ScheduleFiltersProps {
  filters: CalendarFilters;
  onChange: (filters: CalendarFilters) => void;
}

/**
 * The calendar's filters, the same for every view: service, team, CI and type narrow to one each (as the
 * calendar query takes them), states to any of several.
 */
export function ScheduleFilters({ filters, onChange }: ScheduleFiltersProps) {
  const { data: policy } = usePolicy();
  const services = useServiceOptions();
  const teams = useTeams();
  const set = (key: keyof CalendarFilters, value: string | null | undefined) => onChange({ ...filters, [key]: value || undefined });
  const states = filters.state ? filters.state.split(',').filter(Boolean) : [];
  const hasFilters = Object.values(filters).some(Boolean);
  return (
    <Group gap="sm" mb="sm" align="flex-end" role="search" aria-label="Filter the schedule">
      <Select
        label="Service"
        placeholder="Any service"
        data={services.data ?? []}
        value={filters.serviceId ?? null}
        onChange={(v) => set('serviceId', v)}
        searchable
        clearable
        w={180}
      />
      <Select
        label="Team"
        placeholder="Any team"
        data={(teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }))}
        value={filters.teamId ?? null}
        onChange={(v) => set('teamId', v)}
        searchable
        clearable
        w={180}
      />
      <Box w={180}>
        <CiSelect label="CI" value={filters.ciId ?? null} onChange={(v) => set('ciId', v)} />
      </Box>
      <Select
        label="Type"
        placeholder="Any type"
        data={orderedModels(policy).map((m) => ({ value: m.type, label: typeLabel(policy, m.type) }))}
        value={filters.type ?? null}
        onChange={(v) => set('type', v)}
        clearable
        w={140}
      />
      <MultiSelect
        label="State"
        placeholder={states.length ? undefined : 'Any state'}
        data={allStates(policy)}
        value={states}
        onChange={(v) => set('state', v.join(','))}
        searchable
        clearable
        hidePickedOptions
        w={220}
      />
      {hasFilters && (
        <Button variant="subtle" onClick={() => onChange({})}>
          Clear
        </Button>
      )}
    </Group>
  );
}
