import { Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import type { PolicyModel, PolicyTransition, RoleName } from '../../api/types';
import { ROLE_LABELS } from '../../shared/labels';
import { changeFieldLabel } from '../changes/field-labels';

/** People related to a change who may fire a transition whatever their roles. */
export const RELATION_LABELS: Record<string, string> = {
  requester: 'its requester',
  owner: 'its owner',
  implementer: 'its implementer',
  assignment_team: 'its assignment team',
};

const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function WhoMayFire({ transition }: { transition: PolicyTransition }) {
  const roles = transition.roles ?? [];
  const relations = transition.relations ?? [];
  return (
    <Group gap={4}>
      {roles.map((r) => (
        <Badge key={`role-${r}`} variant="light" color="blue" size="sm" radius="sm" tt="none">
          {ROLE_LABELS[r as RoleName] ?? r}
        </Badge>
      ))}
      {relations.map((r) => (
        <Badge key={`rel-${r}`} variant="outline" color="gray" size="sm" radius="sm" tt="none">
          {RELATION_LABELS[r] ?? r}
        </Badge>
      ))}
    </Group>
  );
}

/** One change model: its states in order with the fields each needs, then its transitions and who may fire them. */
export function ChangeModelView({ model }: { model: PolicyModel }) {
  const label = (id: string) => model.states.find((s) => s.id === id)?.label ?? id;
  return (
    <Stack gap="md">
      <Paper withBorder radius="sm">
        <Table aria-label={`States of the ${model.label.toLowerCase()}`}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40}>#</Table.Th>
              <Table.Th w={220}>State</Table.Th>
              <Table.Th>Fields needed to enter it</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {model.states.map((s, i) => (
              <Table.Tr key={s.id}>
                <Table.Td c="dimmed">{i + 1}</Table.Td>
                <Table.Td>
                  <Group gap={6} wrap="nowrap">
                    <Text size="sm" fw={500}>
                      {s.label}
                    </Text>
                    {s.id === model.initial && (
                      <Badge size="xs" variant="light" color="teal" radius="sm">
                        initial
                      </Badge>
                    )}
                    {s.final && (
                      <Badge size="xs" variant="light" color="gray" radius="sm">
                        final
                      </Badge>
                    )}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {(s.requires ?? []).length > 0 ? (
                    <Text size="sm">{(s.requires ?? []).map(changeFieldLabel).join(', ')}</Text>
                  ) : (
                    <Text size="sm" c="dimmed">
                      Nothing
                    </Text>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Paper>
      <Stack gap={4}>
        <Title order={4} size="h6">
          Transitions
        </Title>
        <Paper withBorder radius="sm">
          <Table aria-label={`Transitions of the ${model.label.toLowerCase()}`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={300}>From → to</Table.Th>
                <Table.Th w={240}>Action</Table.Th>
                <Table.Th>Who may do it</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {model.transitions.map((t, i) => (
                <Table.Tr key={`${asList(t.from).join(',')}->${t.to}-${i}`}>
                  <Table.Td>
                    <Text size="sm">
                      {asList(t.from).map(label).join(', ')} → <b>{label(t.to)}</b>
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t.label}</Text>
                  </Table.Td>
                  <Table.Td>
                    <WhoMayFire transition={t} />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Paper>
      </Stack>
    </Stack>
  );
}
