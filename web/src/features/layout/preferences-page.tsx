import { Button, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { type FormEvent, useMemo, useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { browserTimeZone, isTimeZone } from '../../shared/format';
import { PageHeader } from '../../shared/page-header';
import { useCurrentUser } from '../auth/session';
import { fieldErrorsFrom } from '../changes/field-errors';
import { NoticePreferences } from './notice-preferences';
import { useUpdatePreferences } from './preferences-api';

/** The Select's value for "no preference": the browser's zone. */
const BROWSER = '';

/** Every zone the browser knows, grouped by region ("Europe", "America"…), with the stored one even if it is an alias. */
function zoneOptions(current: string | null): { group: string; items: { value: string; label: string }[] }[] {
  const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const all = [...new Set(['UTC', ...names, ...(current ? [current] : [])])].sort();
  const groups = new Map<string, { value: string; label: string }[]>();
  for (const zone of all) {
    const region = zone.includes('/') ? zone.slice(0, zone.indexOf('/')) : 'Other';
    groups.set(region, [...(groups.get(region) ?? []), { value: zone, label: zone.replace(/_/g, ' ') }]);
  }
  return [...groups].map(([group, items]) => ({ group, items }));
}

/** "Thursday 12 December 2026, 22:00 CET" now, in `zone`. */
function nowIn(zone: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: zone }).format(new Date());
}

/**
 * The person's preferences (`/me/preferences`, from the account menu): the time zone every time in Cabinet is
 * shown in (unset, the browser's zone is used, so a laptop that travels shows local time), and their quiet
 * hours and digest.
 */
export function PreferencesPage() {
  const me = useCurrentUser();
  const update = useUpdatePreferences();
  const [zone, setZone] = useState<string>(me.timeZone ?? BROWSER);
  // Saving a new zone re-renders every page in it (the layout mounts the page again), so "Saved" travels in
  // the history entry's state rather than in this component's.
  const location = useLocation();
  const navigate = useNavigate();
  const options = useMemo(() => [{ group: 'This browser', items: [{ value: BROWSER, label: `The browser’s zone (${browserTimeZone()})` }] }, ...zoneOptions(me.timeZone)], [me.timeZone]);
  const effective = zone === BROWSER ? browserTimeZone() : zone;
  const dirty = zone !== (me.timeZone ?? BROWSER);
  const saved = (location.state as { saved?: boolean } | null)?.saved === true && !dirty;
  const errors = fieldErrorsFrom(update.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // NOTE: mutateAsync, not mutate's callbacks: a new zone mounts this page again before they would run.
    update
      .mutateAsync({ timeZone: zone === BROWSER ? null : zone })
      .then(() => navigate(location.pathname, { replace: true, state: { saved: true } }))
      .catch(() => undefined); // shown from update.error
  };

  return (
    <>
      <PageHeader title="Preferences" description="How Cabinet shows things to you. Only you see these settings." />
      <Paper withBorder p="md" radius="sm" maw={640}>
        <form onSubmit={onSubmit} aria-label="Time zone" noValidate>
          <Stack gap="sm">
            <Title order={2} size="h5">
              Time zone
            </Title>
            <Text size="sm">
              Every time in Cabinet (changes, approvals, the schedule, history) is shown in this zone, with its name beside it. Times you type into forms are
              read in it too.
            </Text>
            <Select
              label="Show times in"
              data={options}
              value={zone}
              onChange={(value) => setZone(value ?? BROWSER)}
              searchable
              allowDeselect={false}
              nothingFoundMessage="No zone by that name"
              maxDropdownHeight={320}
              error={errors.timeZone}
              description={isTimeZone(effective) ? `Now: ${nowIn(effective)}` : undefined}
              w={420}
            />
            {update.isError && !errors.timeZone && <ErrorAlert error={update.error} title="The time zone was not saved" />}
            <Group gap="sm">
              <Button type="submit" loading={update.isPending} disabled={!dirty}>
                Save
              </Button>
              {saved && (
                <Text size="sm" role="status">
                  Saved. Times are shown in {me.timeZone ?? `the browser’s zone, ${browserTimeZone()}`}.
                </Text>
              )}
            </Group>
          </Stack>
        </form>
      </Paper>
      <NoticePreferences />
    </>
  );
}
