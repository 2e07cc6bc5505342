import { Stack, Text, Title } from '@mantine/core';
import { ErrorAlert } from '../../shared/error-alert';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useGateChecksOf } from '../gate/gate-api';
import { GateCheckList } from '../gate/gate-check-list';
import { DeploymentRows, environmentLabel } from './deployment-ui';
import { useChangeDeployments } from './deployments-api';

/**
 * The change's pipeline side (change page, Evidence tab): what the gate answered each time a pipeline asked
 * about this change, with the reasons in words, and the deployments that went out under it.
 */
export function ChangeDeploymentsPanel({ changeId }: { changeId: string }) {
  const me = useCurrentUser();
  const canReadGate = hasPermission(me, 'gate.read');
  const canReadDeployments = hasPermission(me, 'deployment.read');
  const checks = useGateChecksOf({ changeId }, canReadGate);
  const deployments = useChangeDeployments(changeId, canReadDeployments);
  if (!canReadGate && !canReadDeployments) return null;
  return (
    <Stack gap="md">
      {canReadGate && (
        <section aria-labelledby="change-gate-title">
          <Title order={2} size="h5" id="change-gate-title" mb="xs">
            Gate checks
          </Title>
          {checks.isError && <ErrorAlert error={checks.error} title="Cannot load the gate checks" onRetry={() => void checks.refetch()} />}
          {checks.data &&
            (checks.data.length === 0 ? (
              <Text size="sm" c="dimmed">
                No pipeline has asked the gate about this change.
              </Text>
            ) : (
              <GateCheckList checks={checks.data} />
            ))}
        </section>
      )}
      {canReadDeployments && (
        <section aria-labelledby="change-deployments-title">
          <Title order={2} size="h5" id="change-deployments-title" mb="xs">
            Deployments
          </Title>
          {deployments.isError && (
            <ErrorAlert error={deployments.error} title="Cannot load the deployments" onRetry={() => void deployments.refetch()} />
          )}
          {deployments.data &&
            (deployments.data.length === 0 ? (
              <Text size="sm" c="dimmed">
                No deployment on record for this change.
              </Text>
            ) : (
              <DeploymentRows
                label="Deployments of the change"
                rows={deployments.data.map((d) => ({
                  id: d.id,
                  startedAt: d.startedAt,
                  status: d.status,
                  sha: d.sha,
                  where: `${d.service?.name ?? d.cis.map((c) => c.name).join(', ')} in ${environmentLabel(d.environment)}`,
                }))}
              />
            ))}
        </section>
      )}
    </Stack>
  );
}
