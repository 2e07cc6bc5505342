import { Button, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router';
import type { Change } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { IncidentTable } from './incident-ui';
import { useChangeIncidents } from './incidents-api';

/** The new-incident form's address, prefilled with the change as the cause and its CIs. */
export function reportIncidentPath(change: Pick<Change, 'id' | 'ciIds'>): string {
  const params = new URLSearchParams({ causedBy: change.id });
  if (change.ciIds.length > 0) params.set('ciIds', change.ciIds.join(','));
  return `/incidents/new?${params.toString()}`;
}

/** The change page's Incidents tab: the incidents this change caused, and a way to report one. */
export function ChangeIncidentsPanel({ change, canReport }: { change: Change; canReport: boolean }) {
  const incidents = useChangeIncidents(change.id);
  return (
    <Stack gap="sm">
      <Group justify="space-between" align="flex-end">
        <Text size="sm" c="dimmed">
          Incidents someone tied to this change as their cause. They count against the template it was made from and raise the risk of later
          changes to the same CIs.
        </Text>
        {canReport && (
          <Button component={Link} to={reportIncidentPath(change)} size="xs" variant="light">
            Report an incident
          </Button>
        )}
      </Group>
      {incidents.isError && (
        <ErrorAlert error={incidents.error} title="Cannot load the incidents" onRetry={() => void incidents.refetch()} />
      )}
      {incidents.isPending ? (
        <PageLoader label="Loading the incidents" />
      ) : incidents.data ? (
        <IncidentTable
          incidents={incidents.data}
          label="Incidents caused by this change"
          hide={['causedBy']}
          compact
          emptyText="No incident is known to have been caused by this change."
          busy={incidents.isFetching}
        />
      ) : null}
    </Stack>
  );
}
