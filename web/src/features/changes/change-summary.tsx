import { Divider, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ChangeDetail } from '../../api/types';
import { formatDateTime } from '../../shared/format';
import { LEVEL_LABELS, PRIORITY_LABELS } from '../../shared/labels';
import { RouterAnchor } from '../../shared/router-link';
import { useTeamNames } from '../admin/admin-api';
import { useUserNames } from '../admin/user-select';
import { useCis, useServices } from '../cmdb/cmdb-api';
import { routedTarget, RoutingHint } from './routing-hint';

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" ta="right" component="div">
        {children}
      </Text>
    </Group>
  );
}

/** The facts of a change at a glance: timing, priority, what it touches. */
export function ChangeSummary({ change }: { change: ChangeDetail }) {
  const cis = useCis(change.ciIds);
  const services = useServices(change.serviceIds);
  const teamNames = useTeamNames();
  const userNames = useUserNames([change.changeManagerId]);
  const routedTeam = routedTarget(change, 'team', change.assignmentTeamId);
  const routedManager = routedTarget(change, 'changeManager', change.changeManagerId);

  return (
    <Stack gap={6}>
      <Text fw={600} size="sm">
        Summary
      </Text>
      <Row label="Priority">{PRIORITY_LABELS[change.priority] ?? change.priority}</Row>
      <Row label="Impact / urgency">
        {LEVEL_LABELS[change.impact]} / {LEVEL_LABELS[change.urgency]}
      </Row>
      <Row label="Planned start">{formatDateTime(change.plannedStart)}</Row>
      <Row label="Planned end">{formatDateTime(change.plannedEnd)}</Row>
      {(change.actualStart || change.actualEnd) && (
        <>
          <Row label="Actual start">{formatDateTime(change.actualStart)}</Row>
          <Row label="Actual end">{formatDateTime(change.actualEnd)}</Row>
        </>
      )}
      <Row label="Assignment team">
        {change.assignmentTeamId ? (teamNames.get(change.assignmentTeamId) ?? change.assignmentTeamId) : '—'}
      </Row>
      {routedTeam && (
        <Text size="xs" ta="right" mt={-4}>
          <RoutingHint routed={routedTeam} />
        </Text>
      )}
      <Row label="Change manager">
        <span data-testid="change-manager">{change.changeManagerId ? (userNames.get(change.changeManagerId) ?? change.changeManagerId) : '—'}</span>
      </Row>
      {routedManager && (
        <Text size="xs" ta="right" mt={-4}>
          <RoutingHint routed={routedManager} />
        </Text>
      )}
      <Divider my={4} />
      <Text fw={600} size="sm">
        Affected CIs ({change.ciIds.length})
      </Text>
      {change.ciIds.length === 0 ? (
        <Text size="sm" c="dimmed">
          None yet
        </Text>
      ) : (
        <Stack gap={2} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Affected CIs">
          {change.ciIds.map((id, i) => {
            const ci = cis[i]?.data;
            return (
              <li key={id}>
                <RouterAnchor to={`/cmdb/cis/${id}`} size="sm">
                  {ci?.name ?? id}
                </RouterAnchor>
                {ci && (
                  <Text span size="xs" c="dimmed">
                    {' '}
                    · {ci.environment}
                  </Text>
                )}
              </li>
            );
          })}
        </Stack>
      )}
      <Text fw={600} size="sm" mt={4}>
        Services ({change.serviceIds.length})
      </Text>
      {change.serviceIds.length === 0 ? (
        <Text size="sm" c="dimmed">
          Follow from the CIs
        </Text>
      ) : (
        <Stack gap={2} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Services">
          {change.serviceIds.map((id, i) => (
            <li key={id}>
              <RouterAnchor to={`/cmdb/services/${id}`} size="sm">
                {services[i]?.data?.name ?? id}
              </RouterAnchor>
            </li>
          ))}
        </Stack>
      )}
      <Divider my={4} />
      <Row label="Created">{formatDateTime(change.createdAt)}</Row>
      <Row label="Updated">{formatDateTime(change.updatedAt)}</Row>
      <Row label="Policy version">v{change.policyVersion}</Row>
      <Row label="Record version">{change.version}</Row>
    </Stack>
  );
}
