import { Anchor, Badge, Code, Paper, Select, Table } from '@mantine/core';
import type { ReactNode } from 'react';
import type { Environment } from '../../api/types';
import { formatDateTime } from '../../shared/format';
import { ENVIRONMENT_LABELS } from '../../shared/labels';
import { RouterAnchor } from '../../shared/router-link';
import { useCis, useServiceOptions } from '../cmdb/cmdb-api';
import { durationWords } from '../schedule/schedule-words';
import type { Deployment, DeploymentStatus } from './deployments-api';
import type { GateTarget } from '../gate/gate-api';

/** A length of time given in seconds, in words: 45 → "45 s", 5400 → "1 h 30 min". */
export const secondsWords = (seconds: number) => (seconds < 60 ? `${Math.round(seconds)} s` : durationWords(Math.round(seconds / 60)));

export const environmentLabel = (environment: string) => ENVIRONMENT_LABELS[environment as Environment] ?? environment;

/** The list's `?result=` filter. */
export const RESULT_LABELS: Record<DeploymentStatus, string> = {
  success: 'Succeeded',
  failure: 'Failed',
  in_progress: 'In progress',
  cancelled: 'Cancelled',
};
const STATUS_WORDS: Record<DeploymentStatus, { label: string; color: string }> = {
  in_progress: { label: 'In progress', color: 'blue' },
  success: { label: 'Succeeded', color: 'green' },
  failure: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

/** How the deployment went: its result once finished, else its status. */
export function DeploymentResultBadge({ deployment }: { deployment: Pick<Deployment, 'result' | 'status'> }) {
  const words = STATUS_WORDS[deployment.result ?? deployment.status] ?? STATUS_WORDS.in_progress;
  return (
    <Badge color={words.color} variant="light" radius="sm" tt="none">
      {words.label}
    </Badge>
  );
}

/** A service picker for a filter bar (`?serviceId=`). */
export function ServiceFilter({
  value,
  onChange,
  width = 200,
}: {
  value: string | undefined;
  onChange: (v: string | null) => void;
  width?: number;
}) {
  const services = useServiceOptions();
  return (
    <Select
      label="Service"
      placeholder="Any service"
      data={services.data ?? []}
      value={value ?? null}
      onChange={onChange}
      clearable
      searchable
      nothingFoundMessage="No service by that name"
      w={width}
    />
  );
}

type Named = { id: string; name: string };

/** "payments on pay-api-prod, pay-db-prod in Production", with links to the service and the CIs. */
export function TargetWords({ service, cis, environment }: { service: Named | null; cis: Named[]; environment?: string }) {
  const parts: ReactNode[] = [];
  if (service) {
    parts.push(
      <RouterAnchor key="svc" to={`/cmdb/services/${service.id}`} size="sm">
        {service.name}
      </RouterAnchor>,
    );
  }
  cis.forEach((ci, i) => {
    if (parts.length > 0) parts.push(i === 0 ? ' on ' : ', ');
    parts.push(
      <RouterAnchor key={ci.id} to={`/cmdb/cis/${ci.id}`} size="sm">
        {ci.name}
      </RouterAnchor>,
    );
  });
  if (parts.length === 0) parts.push('—');
  return (
    <span>
      {parts}
      {environment ? ` in ${environmentLabel(environment)}` : ''}
    </span>
  );
}

/** A gate check's target, which names its service and CIs by id: their names once loaded. */
export function GateTargetWords({ target }: { target: GateTarget }) {
  const services = useServiceOptions();
  const cis = useCis(target.ciIds);
  const serviceName = services.data?.find((s) => s.value === target.serviceId)?.label;
  return (
    <TargetWords
      service={target.serviceId ? { id: target.serviceId, name: serviceName ?? target.serviceId } : null}
      cis={target.ciIds.map((id, i) => ({ id, name: cis[i]?.data?.name ?? id }))}
      environment={target.environment}
    />
  );
}

/** "deploy.yml, run 9001, attempt 2 (open the run)": the pipeline run a check or a deployment came from. */
export function PipelineWords({ pipeline }: { pipeline: { id: string; runId: string; attempt: number; url: string | null } }) {
  return (
    <span>
      {pipeline.id}, run {pipeline.runId}
      {pipeline.attempt > 1 ? `, attempt ${pipeline.attempt}` : ''}
      {pipeline.url && (
        <>
          {' '}
          (
          <Anchor href={pipeline.url} target="_blank" rel="noreferrer" size="sm">
            open the run
          </Anchor>
          )
        </>
      )}
    </span>
  );
}

/** A short table of deployments (started, result, where, commit), each linking to its page. */
export function DeploymentRows({
  label,
  rows,
}: {
  label: string;
  rows: { id: string; startedAt: string; status: DeploymentStatus; where: ReactNode; sha: string }[];
}) {
  return (
    <Paper withBorder radius="sm">
      <Table aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={170}>Started</Table.Th>
            <Table.Th w={120}>Result</Table.Th>
            <Table.Th>Where</Table.Th>
            <Table.Th w={110}>Commit</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>
                <RouterAnchor to={`/deployments/${d.id}`} size="sm">
                  {formatDateTime(d.startedAt)}
                </RouterAnchor>
              </Table.Td>
              <Table.Td>
                <DeploymentResultBadge deployment={{ status: d.status, result: null }} />
              </Table.Td>
              <Table.Td>{d.where}</Table.Td>
              <Table.Td>
                <Code>{d.sha.slice(0, 7)}</Code>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
