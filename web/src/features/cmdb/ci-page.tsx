import { ActionIcon, Button, Grid, Group, Paper, Select, Stack, Table, Text, Title, Tooltip } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { CiRelation, RelationType } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { ENVIRONMENT_LABELS, RELATION_LABELS } from '../../shared/labels';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { KeyValueTable } from '../../shared/table-parts';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useTeamNames } from '../admin/admin-api';
import { fieldErrorsFrom } from '../changes/field-errors';
import { CiSelect } from './ci-multi-select';
import { useAddRelation, useCi, useCiRelations, useDeleteRelation, useService } from './cmdb-api';
import { Fact, FactStrip } from '../../shared/fact';
import { CriticalityBadge, Tags } from './cmdb-ui';
import { CiIncidentsSection } from '../incidents/ci-incidents-section';
import { FollowButton } from '../communication/follow-button';

function formatAttribute(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function RelationTable({
  title,
  direction,
  relations,
  canWrite,
  onDelete,
  deletingId,
}: {
  title: string;
  direction: 'outgoing' | 'incoming';
  relations: CiRelation[];
  canWrite: boolean;
  onDelete: (relation: CiRelation) => void;
  deletingId: string | null;
}) {
  return (
    <Stack gap={4}>
      <Title order={3} size="h6">
        {title} ({relations.length})
      </Title>
      <Paper withBorder radius="sm">
        <Table aria-label={title}>
          <Table.Tbody>
            {relations.map((r) => {
              const otherId = direction === 'outgoing' ? r.toCiId : r.fromCiId;
              return (
                <Table.Tr key={r.id}>
                  <Table.Td w={150}>
                    <Text size="sm" c="dimmed">
                      {RELATION_LABELS[r.type]?.[direction] ?? r.type}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text component={Link} to={`/cmdb/cis/${otherId}`} size="sm" c="blue.8" fw={500}>
                      {r.otherCiName}
                    </Text>
                  </Table.Td>
                  {canWrite && (
                    <Table.Td w={44}>
                      <Tooltip label="Remove relation">
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          size="sm"
                          aria-label={`Remove relation ${RELATION_LABELS[r.type]?.[direction] ?? r.type} ${r.otherCiName}`}
                          loading={deletingId === r.id}
                          onClick={() => onDelete(r)}
                        >
                          ×
                        </ActionIcon>
                      </Tooltip>
                    </Table.Td>
                  )}
                </Table.Tr>
              );
            })}
            {relations.length === 0 && (
              <Table.Tr>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    None
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

const relationTypeOptions = (Object.keys(RELATION_LABELS) as RelationType[]).map((t) => ({
  value: t,
  label: `This CI ${RELATION_LABELS[t].outgoing} …`,
}));

function AddRelationForm({ ciId }: { ciId: string }) {
  const add = useAddRelation(ciId);
  const [type, setType] = useState<RelationType>('depends_on');
  const [toCiId, setToCiId] = useState<string | null>(null);
  const errors = fieldErrorsFrom(add.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!toCiId) return;
    add.mutate({ toCiId, type }, { onSuccess: () => setToCiId(null) });
  };

  return (
    <Paper withBorder p="sm" radius="sm">
      <form onSubmit={onSubmit} aria-label="Add a relation" noValidate>
        <Stack gap="xs">
          <Title order={3} size="h6">
            Add a relation
          </Title>
          <Group gap="sm" align="flex-start" grow>
            <Select
              label="Relation"
              data={relationTypeOptions}
              value={type}
              onChange={(v) => v && setType(v as RelationType)}
              allowDeselect={false}
              error={errors.type}
            />
            <CiSelect label="Other CI" value={toCiId} onChange={setToCiId} excludeId={ciId} error={errors.toCiId} />
          </Group>
          {add.isError && !errors.type && !errors.toCiId && <ErrorAlert error={add.error} title="Relation not added" />}
          <Group>
            <Button type="submit" size="xs" disabled={!toCiId} loading={add.isPending}>
              Add relation
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

export function CiPage() {
  const { id = '' } = useParams();
  const me = useCurrentUser();
  const ci = useCi(id);
  const relations = useCiRelations(id);
  const service = useService(ci.data?.serviceId);
  const teamNames = useTeamNames();
  const remove = useDeleteRelation(id);
  const canWrite = hasPermission(me, 'cmdb.write');
  const canFollow = hasPermission(me, 'subscription.manage');

  if (ci.isPending) return <PageLoader label="Loading the CI" />;
  if (ci.isError) {
    const notFound = ci.error instanceof ApiError && ci.error.status === 404;
    return <ErrorAlert error={ci.error} title={notFound ? 'There is no such CI' : 'Cannot load the CI'} />;
  }
  const c = ci.data;
  const attributes = Object.entries(c.attributes ?? {});

  const onDelete = (r: CiRelation) => {
    if (window.confirm(`Remove the relation to ${r.otherCiName}?`)) remove.mutate(r.id);
  };

  return (
    <>
      <PageHeader
        eyebrow={
          <RouterAnchor to="/cmdb/cis" size="sm">
            ← Configuration items
          </RouterAnchor>
        }
        title={c.name}
        actions={
          <>
            <Button component={Link} to={`/changes?ciId=${encodeURIComponent(c.id)}`} variant="default">
              Changes to this CI
            </Button>
            {canFollow && <FollowButton kind="ci" id={c.id} name={c.name} />}
          </>
        }
      />
      <FactStrip>
        <Fact label="Type">
          <Text ff="monospace" size="sm">
            {c.type}
          </Text>
        </Fact>
        <Fact label="Environment">{ENVIRONMENT_LABELS[c.environment] ?? c.environment}</Fact>
        <Fact label="Service">
          {c.serviceId ? (
            <RouterAnchor to={`/cmdb/services/${c.serviceId}`} size="sm">
              {service.data?.name ?? 'Service'}
            </RouterAnchor>
          ) : (
            '—'
          )}
        </Fact>
        <Fact label="Owner team">{c.ownerTeamId ? (teamNames.get(c.ownerTeamId) ?? c.ownerTeamId) : '—'}</Fact>
        <Fact label="Criticality">
          <CriticalityBadge criticality={c.criticality} />
        </Fact>
        <Fact label="Tags">
          <Tags tags={c.tags} />
        </Fact>
        <Fact label="Updated">{formatDateTime(c.updatedAt)}</Fact>
      </FactStrip>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Title order={2} size="h5" mb="xs">
            Attributes
          </Title>
          <KeyValueTable
            label="Attributes"
            entries={attributes.map(([key, value]) => [key, formatAttribute(value)])}
            emptyText="No attributes"
          />
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Title order={2} size="h5" mb="xs">
            Relations
          </Title>
          {relations.isError && <ErrorAlert error={relations.error} title="Cannot load relations" />}
          {remove.isError && <ErrorAlert error={remove.error} title="Relation not removed" />}
          {relations.isPending ? (
            <PageLoader label="Loading relations" />
          ) : relations.data ? (
            <Stack gap="md">
              <RelationTable
                title="Outgoing"
                direction="outgoing"
                relations={relations.data.outgoing}
                canWrite={canWrite}
                onDelete={onDelete}
                deletingId={remove.isPending ? (remove.variables ?? null) : null}
              />
              <RelationTable
                title="Incoming"
                direction="incoming"
                relations={relations.data.incoming}
                canWrite={false}
                onDelete={onDelete}
                deletingId={null}
              />
              {canWrite && <AddRelationForm ciId={c.id} />}
            </Stack>
          ) : null}
        </Grid.Col>
        {hasPermission(me, 'incident.read') && (
          <Grid.Col span={12}>
            <CiIncidentsSection ciId={c.id} canReport={hasPermission(me, 'incident.write')} />
          </Grid.Col>
        )}
      </Grid>
    </>
  );
}
