import { Anchor, Code, Grid, Group, List, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { DefinitionList, type DefinitionRow } from '../../shared/definition-list';
import { formatDateTime } from '../../shared/format';
import { PageHeader } from '../../shared/page-header';
import { RecordLoader } from '../../shared/record-loader';
import { NumberLink, RouterAnchor } from '../../shared/router-link';
import { useGateChecksOf } from '../gate/gate-api';
import { GateCheckList } from '../gate/gate-check-list';
import { SOURCE_LABELS } from '../gate/gate-ui';
import { DeploymentResultBadge, environmentLabel, PipelineWords, secondsWords, TargetWords } from './deployment-ui';
import { type Deployment, useDeployment } from './deployments-api';
import { unauthorizedStateLabel } from '../unauthorized/unauthorized-ui';

export function DeploymentPage() {
  const { id = '' } = useParams();
  return (
    <RecordLoader query={useDeployment(id)} what="deployment">
      {(d) => <DeploymentView deployment={d} />}
    </RecordLoader>
  );
}

function PullRequests({ deployment }: { deployment: Deployment }) {
  if (deployment.pullRequests.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        The pipeline named no pull request, so this deployment has no lead time.
      </Text>
    );
  }
  return (
    <Paper withBorder radius="sm">
      <Table aria-label="Pull requests">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={90}>Number</Table.Th>
            <Table.Th>Title</Table.Th>
            <Table.Th w={140}>Author</Table.Th>
            <Table.Th w={160}>First commit</Table.Th>
            <Table.Th w={160}>Merged</Table.Th>
            <Table.Th w={110}>Lead time</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {deployment.pullRequests.map((pr) => (
            <Table.Tr key={pr.number}>
              <Table.Td>
                {pr.url ? (
                  <Anchor href={pr.url} target="_blank" rel="noreferrer" size="sm">
                    #{pr.number}
                  </Anchor>
                ) : (
                  `#${pr.number}`
                )}
              </Table.Td>
              <Table.Td>{pr.title ?? '—'}</Table.Td>
              <Table.Td>{pr.author ?? '—'}</Table.Td>
              <Table.Td>{formatDateTime(pr.firstCommitAt) || '—'}</Table.Td>
              <Table.Td>{formatDateTime(pr.mergedAt) || '—'}</Table.Td>
              <Table.Td>{pr.leadTimeSeconds !== null ? secondsWords(pr.leadTimeSeconds) : '—'}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}

function DeploymentGateChecks({ deployment }: { deployment: Deployment }) {
  // The change's checks when it has one; else the repository's, of this commit.
  const query = useGateChecksOf(deployment.change ? { changeId: deployment.change.id } : { repository: deployment.repository });
  const checks = (query.data ?? []).filter((c) => c.sha === deployment.sha || (deployment.change && c.change?.id === deployment.change.id));
  if (query.isPending) return <Text size="sm">Loading the gate checks…</Text>;
  if (checks.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No pipeline asked the gate before this deployment.
      </Text>
    );
  }
  return <GateCheckList checks={checks} />;
}

function DeploymentView({ deployment: d }: { deployment: Deployment }) {
  const rows: DefinitionRow[] = [
    ['Where', <TargetWords key="where" service={d.service} cis={d.cis} />],
    [
      'Environment',
      `${environmentLabel(d.environment)}${d.production && environmentLabel(d.environment) !== 'Production' ? ' (counted as production)' : ''}`,
    ],
    ['Repository', d.repository],
    ['Ref', d.ref ?? '—'],
    ['Commit', <Code key="sha">{d.sha.slice(0, 12)}</Code>],
    ['Started', formatDateTime(d.startedAt)],
    ['Finished', d.finishedAt ? formatDateTime(d.finishedAt) : 'Not yet'],
    ['Deployed by', d.actor ?? '—'],
    [
      'Reported by',
      `${SOURCE_LABELS[d.source as keyof typeof SOURCE_LABELS] ?? d.source}${d.shape !== 'cabinet' ? ` (${d.shape} payload)` : ''}`,
    ],
  ];
  if (d.pipeline) {
    rows.push(['Pipeline', <PipelineWords key="pipeline" pipeline={d.pipeline} />]);
  }
  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              Deployment
            </Text>
            <DeploymentResultBadge deployment={d} />
          </Group>
        }
        title={`${d.service?.name ?? d.cis.map((c) => c.name).join(', ') ?? d.repository} to ${environmentLabel(d.environment)}`}
        description={`${d.repository} at ${d.sha.slice(0, 7)}, started ${formatDateTime(d.startedAt)}`}
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="deployment-change-title">
              <Title order={2} size="h5" id="deployment-change-title" mb="xs">
                Change
              </Title>
              {d.change ? (
                <Text size="sm">
                  <NumberLink to={`/changes/${d.change.number}`}>{d.change.number}</NumberLink> {d.change.title}{' '}
                  <Text span size="xs" c="dimmed">
                    ({d.change.link === 'explicit' ? 'named by the pipeline' : 'found through its gate check'})
                  </Text>
                </Text>
              ) : (
                <Text size="sm" c={d.production ? 'red.8' : 'dimmed'}>
                  No change covers this deployment.
                </Text>
              )}
              {d.unauthorizedChanges.length > 0 && (
                <Text size="sm" mt="xs" data-testid="deployment-unauthorized">
                  Raised as {d.unauthorizedChanges.length === 1 ? 'an unauthorized change' : 'unauthorized changes'}:{' '}
                  {d.unauthorizedChanges.map((u, i) => (
                    <span key={u.id}>
                      {i > 0 ? ', ' : ''}
                      <RouterAnchor to={`/unauthorized-changes/${u.id}`} size="sm">
                        {u.number}
                      </RouterAnchor>{' '}
                      ({unauthorizedStateLabel(u.state)})
                    </span>
                  ))}
                </Text>
              )}
            </Paper>
            <section aria-labelledby="deployment-prs-title">
              <Title order={2} size="h5" id="deployment-prs-title" mb="xs">
                Pull requests
              </Title>
              <PullRequests deployment={d} />
            </section>
            <section aria-labelledby="deployment-gate-title">
              <Title order={2} size="h5" id="deployment-gate-title" mb="xs">
                Gate checks
              </Title>
              <DeploymentGateChecks deployment={d} />
            </section>
            {d.incidents.length > 0 && (
              <section aria-labelledby="deployment-incidents-title">
                <Title order={2} size="h5" id="deployment-incidents-title" mb="xs">
                  Incidents
                </Title>
                <List size="sm" spacing={2}>
                  {d.incidents.map((i) => (
                    <List.Item key={i.id}>
                      <NumberLink to={`/incidents/${i.number}`}>{i.number}</NumberLink> {i.title}{' '}
                      <Text span size="xs" c="dimmed">
                        ({i.link === 'explicit' ? 'linked to this deployment' : 'through its change'})
                      </Text>
                    </List.Item>
                  ))}
                </List>
              </section>
            )}
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="deployment-facts-title">
            <Title order={2} size="h5" id="deployment-facts-title" mb="xs">
              What went out
            </Title>
            <DefinitionList rows={rows} />
          </Paper>
        </Grid.Col>
      </Grid>
    </>
  );
}
