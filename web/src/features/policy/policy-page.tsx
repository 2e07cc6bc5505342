import { Alert, Badge, Button, Code, Group, Modal, Paper, ScrollArea, Stack, Table, Tabs, Text, Title, Tooltip, VisuallyHidden } from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { Fact } from '../../shared/fact';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { ErrorAlert } from '../../shared/error-alert';
import { RouterAnchor } from '../../shared/router-link';
import { useTeams } from '../admin/admin-api';
import { hasPermission, useCurrentUser } from '../auth/session';
import { orderedModels } from '../changes/policy';
import { ApplyPolicyForm } from './apply-policy-form';
import { ChangeModelView } from './change-model-view';
import { PolicyTestResults, TestSummary } from './policy-test-results';
import {
  type ActivePolicy,
  type AppliedPolicy,
  type DeclaredTeam,
  useActivePolicy,
  usePolicyVersion,
  usePolicyVersions,
  usePolicyVersionTests,
} from './policy-api';

const shortHash = (hash: string) => hash.slice(0, 12);

function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <Stack gap={6} mb="lg" component="section" aria-label={title}>
      <Title order={2} size="h5">
        {title}
      </Title>
      {description && (
        <Text size="sm" c="dimmed">
          {description}
        </Text>
      )}
      {children}
    </Stack>
  );
}

function ActiveVersion({ policy }: { policy: ActivePolicy }) {
  return (
    <Paper withBorder p="sm" radius="sm" mb="lg" aria-label="Active version" component="section">
      <Group gap="xl" align="flex-start">
        <Fact label="Version">
          <Group gap={6}>
            <Text size="sm" fw={700}>
              Version {policy.number}
            </Text>
            <Badge size="xs" color="green" variant="light" radius="sm">
              active
            </Badge>
          </Group>
        </Fact>
        <Fact label="Bundle">{policy.name}</Fact>
        <Fact label="Content hash">
          <Tooltip label={policy.hash} multiline w={300}>
            <Code>{shortHash(policy.hash)}</Code>
          </Tooltip>
        </Fact>
        <Fact label="Applied">{formatDateTime(policy.appliedAt)}</Fact>
        <Fact label="Applied by">{policy.appliedByName ?? policy.appliedBy ?? '—'}</Fact>
      </Group>
      {policy.description && (
        <Text size="sm" mt="sm">
          {policy.description}
        </Text>
      )}
    </Paper>
  );
}

function ActiveTests({ number }: { number: number }) {
  const tests = usePolicyVersionTests(number);
  return (
    <Section
      title="Test cases"
      description={
        <>
          Example changes and the decisions version {number} must take for them (<Code>tests/*.yaml</Code>), run against it. Run them before
          applying with <Code>cabinet policy test DIR</Code>.
        </>
      }
    >
      {tests.isError && <ErrorAlert error={tests.error} title="Cannot run the test cases" onRetry={() => void tests.refetch()} />}
      {tests.isPending ? (
        <PageLoader label="Running the test cases" />
      ) : tests.data ? (
        <Stack gap="xs">
          <TestSummary report={tests.data} />
          <PolicyTestResults report={tests.data} label="Test cases of the active version" />
        </Stack>
      ) : null}
    </Section>
  );
}

function ChangeModels({ policy }: { policy: ActivePolicy }) {
  const models = orderedModels(policy);
  const [tab, setTab] = useState<string | null>(models.find((m) => m.type === 'normal')?.type ?? models[0]?.type ?? null);
  return (
    <Section
      title="Change models"
      description="Each type of change follows its own lifecycle. A change enters a state only when the fields it needs are filled; admins may make any transition."
    >
      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List mb="sm">
          {models.map((m) => (
            <Tabs.Tab key={m.type} value={m.type}>
              {m.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {models.map((m) => (
          <Tabs.Panel key={m.type} value={m.type}>
            <ChangeModelView model={m} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </Section>
  );
}

function DeclaredTeams({ declared }: { declared: DeclaredTeam[] }) {
  const teams = useTeams();
  const byHandle = new Map((teams.data?.items ?? []).map((t) => [t.handle, t]));
  return (
    <Section
      title="Teams"
      description="The teams the rules name by handle. Cabinet creates missing ones at first start, empty: add their members in Admin → Teams."
    >
      {declared.length === 0 ? (
        <Text size="sm" c="dimmed">
          This version declares no teams.
        </Text>
      ) : (
        <Paper withBorder radius="sm">
          <Table aria-label="Teams declared by the policy">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={240}>Team</Table.Th>
                <Table.Th w={180}>Handle</Table.Th>
                <Table.Th>Role in the policy</Table.Th>
                <Table.Th w={130}>Members</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {declared.map((d) => {
                const team = byHandle.get(d.handle);
                const members = team?.memberIds.length ?? 0;
                return (
                  <Table.Tr key={d.handle}>
                    <Table.Td>
                      <RouterAnchor to={`/admin/teams#team-${d.handle}`} size="sm" fw={500}>
                        {team?.name ?? d.name}
                      </RouterAnchor>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        @{d.handle}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{d.description || '—'}</Text>
                    </Table.Td>
                    <Table.Td>
                      {teams.isPending ? (
                        '…'
                      ) : !team ? (
                        <Text size="sm" c="red.8">
                          missing
                        </Text>
                      ) : members === 0 ? (
                        <Text size="sm" c="orange.8">
                          nobody yet
                        </Text>
                      ) : (
                        <Text size="sm">{members}</Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
    </Section>
  );
}

function VersionFiles({ number, onClose }: { number: number; onClose: () => void }) {
  const version = usePolicyVersion(number);
  const names = Object.keys(version.data?.files ?? {}).sort();
  return (
    <Modal opened onClose={onClose} title={`Files of policy version ${number}`} size="xl">
      {version.isPending ? (
        <PageLoader label="Loading the files" />
      ) : version.isError ? (
        <ErrorAlert error={version.error} title="Cannot load the version" />
      ) : (
        <Tabs defaultValue={names[0]}>
          <Tabs.List>
            {names.map((n) => (
              <Tabs.Tab key={n} value={n} ff="monospace">
                {n}
              </Tabs.Tab>
            ))}
          </Tabs.List>
          {names.map((n) => (
            <Tabs.Panel key={n} value={n} pt="xs">
              <ScrollArea.Autosize mah="60vh">
                <Code block>{version.data.files[n]}</Code>
              </ScrollArea.Autosize>
            </Tabs.Panel>
          ))}
        </Tabs>
      )}
    </Modal>
  );
}

function Versions() {
  const versions = usePolicyVersions();
  const [shown, setShown] = useState<number | null>(null);
  return (
    <Section
      title="Versions"
      description="Every applied bundle is an immutable, numbered version; each change records the version it was filed under."
    >
      {versions.isError && <ErrorAlert error={versions.error} title="Cannot load the versions" onRetry={() => void versions.refetch()} />}
      {versions.isPending ? (
        <PageLoader label="Loading the versions" />
      ) : (
        <Paper withBorder radius="sm">
          <Table aria-label="Policy versions">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={130}>Version</Table.Th>
                <Table.Th>Bundle</Table.Th>
                <Table.Th w={140}>Content hash</Table.Th>
                <Table.Th w={180}>Applied</Table.Th>
                <Table.Th>Applied by</Table.Th>
                <Table.Th w={110}><VisuallyHidden>Files</VisuallyHidden></Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(versions.data?.items ?? []).map((v) => (
                <Table.Tr key={v.number}>
                  <Table.Td>
                    <Group gap={6} wrap="nowrap">
                      <Text size="sm" fw={500}>
                        {v.number}
                      </Text>
                      {v.active && (
                        <Badge size="xs" color="green" variant="light" radius="sm">
                          active
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>{v.name}</Table.Td>
                  <Table.Td>
                    <Code title={v.hash}>{shortHash(v.hash)}</Code>
                  </Table.Td>
                  <Table.Td>{formatDateTime(v.appliedAt)}</Table.Td>
                  <Table.Td>{v.appliedByName}</Table.Td>
                  <Table.Td>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => setShown(v.number)}
                      aria-label={`View files of version ${v.number}`}
                    >
                      View files
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      )}
      {shown !== null && <VersionFiles number={shown} onClose={() => setShown(null)} />}
    </Section>
  );
}

/** The policy in force: its version, change models and teams, every version, and (for admins) applying a new one. */
export function PolicyPage() {
  const me = useCurrentUser();
  const policy = useActivePolicy();
  const canApply = hasPermission(me, 'policy.write');
  const [applying, setApplying] = useState(false);
  const [applied, setApplied] = useState<AppliedPolicy | null>(null);

  const onApplied = (result: AppliedPolicy) => {
    setApplied(result);
    setApplying(false);
  };

  return (
    <>
      <PageHeader
        title="Policy"
        description="The rules in force, written as code: change models, their test cases, the teams they rely on, and every version applied."
        actions={
          canApply &&
          !applying && (
            <Button
              onClick={() => {
                setApplied(null);
                setApplying(true);
              }}
            >
              Apply a new version
            </Button>
          )
        }
      />
      {applied && (
        <Alert color="green" variant="light" role="status" mb="md" withCloseButton onClose={() => setApplied(null)}>
          Applied policy version {applied.number}. Changes filed from now on follow it.
        </Alert>
      )}
      {applying && (
        <Paper withBorder p="md" radius="sm" mb="lg" component="section" aria-label="Apply a new version">
          <Title order={2} size="h5" mb={4}>
            Apply a new version
          </Title>
          <ApplyPolicyForm activeNumber={policy.data?.number ?? null} onApplied={onApplied} onCancel={() => setApplying(false)} />
        </Paper>
      )}
      {policy.isError && <ErrorAlert error={policy.error} title="Cannot load the policy" onRetry={() => void policy.refetch()} />}
      {policy.isPending ? (
        <PageLoader label="Loading the policy" />
      ) : policy.data ? (
        <>
          <ActiveVersion policy={policy.data} />
          <ActiveTests number={policy.data.number} />
          <ChangeModels policy={policy.data} />
          <DeclaredTeams declared={policy.data.teams ?? []} />
        </>
      ) : null}
      <Versions />
    </>
  );
}
