import { Box, Checkbox, Grid, Group, Paper, Table, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { Service } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PROVIDER_LABELS } from '../../shared/labels';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { useTeamNames } from '../admin/admin-api';
import { useChangeList } from '../changes/change-api';
import { StateBadge } from '../changes/state-badge';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useCiList, useService, useUpdateService } from './cmdb-api';
import { Fact, FactStrip } from '../../shared/fact';
import { CiTable, Tags, TierBadge } from './cmdb-ui';
import { FollowButton } from '../communication/follow-button';

/**
 * Whether the service's changes must fall inside one of its maintenance windows. People who keep the CMDB
 * (`cmdb.write`) switch it here; the answer is saved at once.
 */
function MaintenanceWindowSetting({ service, canEdit }: { service: Service; canEdit: boolean }) {
  const update = useUpdateService(service.id);
  if (!canEdit) return <>{service.requiresMaintenanceWindow ? 'Required' : 'Not required'}</>;
  const stale = update.error instanceof ApiError && update.error.status === 412;
  return (
    <Checkbox
      label="Requires a maintenance window"
      size="xs"
      checked={service.requiresMaintenanceWindow}
      disabled={update.isPending}
      onChange={(e) => update.mutate({ requiresMaintenanceWindow: e.currentTarget.checked, version: service.version })}
      error={
        update.isError
          ? stale
            ? 'Someone changed this service meanwhile; reload the page and try again.'
            : update.error.message
          : undefined
      }
      description="Its changes must lie inside one of its maintenance windows"
    />
  );
}

export function ServicePage() {
  const { id = '' } = useParams();
  const service = useService(id);
  const cis = useCiList({ serviceId: id }, 100);
  const changes = useChangeList({ serviceId: id }, 10);
  const teamNames = useTeamNames();
  const me = useCurrentUser();

  if (service.isPending) return <PageLoader label="Loading the service" />;
  if (service.isError) {
    const notFound = service.error instanceof ApiError && service.error.status === 404;
    return <ErrorAlert error={service.error} title={notFound ? 'There is no such service' : 'Cannot load the service'} />;
  }
  const s = service.data;
  const ciRows = cis.data?.pages.flatMap((p) => p.items) ?? [];
  const changeRows = changes.data?.pages[0]?.items ?? [];

  return (
    <>
      <PageHeader
        eyebrow={
          <RouterAnchor to="/cmdb/services" size="sm">
            ← Services
          </RouterAnchor>
        }
        title={s.name}
        description={s.description || undefined}
        actions={hasPermission(me, 'subscription.manage') ? <FollowButton kind="service" id={s.id} name={s.name} /> : undefined}
      />
      <FactStrip>
        <Fact label="Tier">
          <TierBadge tier={s.tier} />
        </Fact>
        <Fact label="Owner team">{s.ownerTeamId ? (teamNames.get(s.ownerTeamId) ?? s.ownerTeamId) : '—'}</Fact>
        <Fact label="Provider">{PROVIDER_LABELS[s.provider] ?? s.provider}</Fact>
        <Fact label="Tags">
          <Tags tags={s.tags} />
        </Fact>
        <Fact label="Maintenance window">
          <MaintenanceWindowSetting service={s} canEdit={hasPermission(me, 'cmdb.write')} />
        </Fact>
        <Fact label="Updated">{formatDateTime(s.updatedAt)}</Fact>
      </FactStrip>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Title order={2} size="h5" mb="xs">
            Configuration items
          </Title>
          {cis.isError ? (
            <ErrorAlert error={cis.error} title="Cannot load the CIs" />
          ) : cis.isPending ? (
            <PageLoader label="Loading CIs" />
          ) : (
            <>
              <CiTable cis={ciRows} label={`CIs of ${s.name}`} emptyText="This service has no CIs yet." />
              <LoadMore query={cis} shown={ciRows.length} />
            </>
          )}
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Title order={2} size="h5" mb="xs">
            Recent changes
          </Title>
          {changes.isError ? (
            <ErrorAlert error={changes.error} title="Cannot load changes" />
          ) : (
            <Paper withBorder radius="sm">
              <Table aria-label={`Changes to ${s.name}`}>
                <Table.Tbody>
                  {changeRows.map((c) => (
                    <Table.Tr key={c.id}>
                      <Table.Td>
                        <Group justify="space-between" wrap="nowrap" gap="xs">
                          <Box miw={0}>
                            <Text component={Link} to={`/changes/${c.number}`} size="sm" c="blue.8" ff="monospace">
                              {c.number}
                            </Text>
                            <Text size="xs" lineClamp={1}>
                              {c.title}
                            </Text>
                          </Box>
                          <Box style={{ flexShrink: 0 }}>
                            <StateBadge state={c.state} type={c.type} />
                          </Box>
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                  {changeRows.length === 0 && (
                    <Table.Tr>
                      <Table.Td>
                        <Text size="sm" c="dimmed">
                          {changes.isPending ? 'Loading…' : 'No changes touch this service.'}
                        </Text>
                      </Table.Td>
                    </Table.Tr>
                  )}
                </Table.Tbody>
              </Table>
            </Paper>
          )}
          {changeRows.length > 0 && (
            <RouterAnchor to={`/changes?serviceId=${encodeURIComponent(s.id)}`} size="sm" mt={6} display="inline-block">
              All changes to {s.name}
            </RouterAnchor>
          )}
        </Grid.Col>
      </Grid>
    </>
  );
}
