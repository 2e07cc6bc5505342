import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { IncidentTable } from './incident-ui';
import { isRecentIncident } from './incident-words';
import { useCiIncidents } from './incidents-api';

/** The CI page's Incidents section: the latest incidents on the CI, newest first, those of the last 30 days marked. */
export function CiIncidentsSection({ ciId, canReport }: { ciId: string; canReport: boolean }) {
  const incidents = useCiIncidents(ciId);
  const now = Date.now();
  const items = incidents.data?.items ?? [];
  const recent = items.filter((i) => isRecentIncident(i.openedAt, now)).length;

  return (
    <Stack gap="xs" role="region" aria-labelledby="ci-incidents-title">
      <Group justify="space-between" align="flex-end">
        <Stack gap={0}>
          <Title order={2} size="h5" id="ci-incidents-title">
            Incidents
          </Title>
          {incidents.isSuccess && (
            <Text size="xs" c={recent > 0 ? 'orange.9' : 'dimmed'} data-testid="ci-recent-incidents">
              {recent === 0 ? 'None in the last 30 days' : `${recent} in the last 30 days (they raise the risk of changes to this CI)`}
            </Text>
          )}
        </Stack>
        <Group gap="xs">
          <Button component={Link} to={`/incidents?ciId=${encodeURIComponent(ciId)}&state=all`} size="xs" variant="default">
            All incidents on this CI
          </Button>
          {canReport && (
            <Button component={Link} to={`/incidents/new?ciIds=${encodeURIComponent(ciId)}`} size="xs" variant="light">
              Report an incident
            </Button>
          )}
        </Group>
      </Group>
      {incidents.isError && (
        <ErrorAlert error={incidents.error} title="Cannot load the incidents" onRetry={() => void incidents.refetch()} />
      )}
      {incidents.isPending ? (
        <PageLoader label="Loading the incidents" />
      ) : incidents.data ? (
        <>
          <IncidentTable
            incidents={items}
            label="Incidents on this CI"
            hide={['cis']}
            highlight={{ test: (i) => isRecentIncident(i.openedAt, now), label: 'last 30 days' }}
            emptyText="No incidents on this CI."
            busy={incidents.isFetching}
          />
          {incidents.data.more && (
            <Text size="xs" c="dimmed">
              The latest {items.length} are shown.
            </Text>
          )}
        </>
      ) : null}
    </Stack>
  );
}
