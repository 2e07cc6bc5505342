import { Alert, Code, Grid, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useParams } from 'react-router';
import { DefinitionList, type DefinitionRow } from '../../shared/definition-list';
import { formatDateTime } from '../../shared/format';
import { PageHeader } from '../../shared/page-header';
import { RecordLoader } from '../../shared/record-loader';
import { RouterAnchor } from '../../shared/router-link';
import { environmentLabel, GateTargetWords, PipelineWords } from '../deployments/deployment-ui';
import { type GateCheck, useGateCheck } from './gate-api';
import { DECISION_LABELS, DecisionBadge, GateReasons, SOURCE_LABELS } from './gate-ui';

/** What the decision means for the pipeline, in one sentence. */
function decisionWords(check: GateCheck): string {
  if (check.decision === 'allow') return 'The deployment may go out.';
  if (check.decision === 'deny') return 'The deployment may not go out. The pipeline was told to stop.';
  const deadline = check.deadline ? ` If nothing changes by ${formatDateTime(check.deadline)}, the gate says no.` : '';
  return `The deployment waits. The gate answers again as soon as what holds it changes; the pipeline is told at once.${deadline}`;
}

export function GateCheckPage() {
  const { id = '' } = useParams();
  return (
    <RecordLoader query={useGateCheck(id)} what="gate check">
      {(check) => <GateCheckView check={check} />}
    </RecordLoader>
  );
}

function GateCheckView({ check }: { check: GateCheck }) {
  const color = check.decision === 'allow' ? 'green' : check.decision === 'deny' ? 'red' : 'orange';
  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              Gate check
            </Text>
            <DecisionBadge decision={check.decision} size="md" />
          </Group>
        }
        title={`${check.repository}${check.ref ? ` @ ${check.ref}` : ''}`}
        description={`${SOURCE_LABELS[check.source] ?? check.source}, asked ${formatDateTime(check.createdAt)} for ${environmentLabel(
          check.target.environment,
        )}`}
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Alert
              color={color}
              variant="light"
              title={`Decision: ${DECISION_LABELS[check.decision].toLowerCase()}`}
              role="status"
              data-testid="gate-decision"
            >
              <Text size="sm">{decisionWords(check)}</Text>
              {check.decidedAt && (
                <Text size="xs" c="dimmed" mt={4}>
                  Decided {formatDateTime(check.decidedAt)}.
                </Text>
              )}
            </Alert>
            <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="gate-reasons-title">
              <Title order={2} size="h5" id="gate-reasons-title" mb="xs">
                Reasons
              </Title>
              <GateReasons check={check} />
            </Paper>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="gate-facts-title">
            <Title order={2} size="h5" id="gate-facts-title" mb="xs">
              The deployment
            </Title>
            <DefinitionList
              rows={[
                [
                  'Change',
                  check.change ? <RouterAnchor to={`/changes/${check.change.number}`}>{check.change.number}</RouterAnchor> : 'None yet',
                ],
                ['Target', <GateTargetWords key="t" target={check.target} />],
                ['Repository', check.repository],
                ['Ref', check.ref || '—'],
                ['Commit', <Code key="sha">{check.sha.slice(0, 12)}</Code>],
                ['Pipeline', <PipelineWords key="pipeline" pipeline={check.pipeline} />],
                ['Asked by', check.actor || '—'],
                ...(check.templateId
                  ? [
                      [
                        'Catalogue entry',
                        <RouterAnchor key="tpl" to={`/templates/${check.templateId}`}>
                          Open the entry
                        </RouterAnchor>,
                      ] satisfies DefinitionRow,
                    ]
                  : []),
                ...(check.deadline ? [['Deadline', formatDateTime(check.deadline)] satisfies DefinitionRow] : []),
              ]}
            />
          </Paper>
        </Grid.Col>
      </Grid>
    </>
  );
}
