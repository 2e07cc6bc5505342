import { Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useNavigate } from 'react-router';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { CLOSE_CODE_LABELS } from '../../shared/labels';
import { PageLoader } from '../../shared/loading';
import { StateBadge } from '../changes/state-badge';
import { useTemplateChanges } from './templates-api';
import { NumberLink } from '../../shared/router-link';

const LIMIT = 20;

/** The template page's "Changes made from this template": the newest ones, each linking to its change. */
export function TemplateChangesSection({ templateId }: { templateId: string }) {
  const changes = useTemplateChanges(templateId, LIMIT);
  const navigate = useNavigate();
  const items = changes.data?.items ?? [];

  return (
    <Stack gap="xs" role="region" aria-labelledby="template-changes-title">
      <Title order={2} size="h5" id="template-changes-title">
        Changes made from this template
      </Title>
      {changes.isError && <ErrorAlert error={changes.error} title="Cannot load the changes" onRetry={() => void changes.refetch()} />}
      {changes.isPending ? (
        <PageLoader label="Loading the changes" />
      ) : changes.data ? (
        <>
          <Paper withBorder radius="sm">
            <Table highlightOnHover aria-label="Changes made from this template" aria-busy={changes.isFetching}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={120}>Number</Table.Th>
                  <Table.Th>Title</Table.Th>
                  <Table.Th w={130}>State</Table.Th>
                  <Table.Th w={190}>Close code</Table.Th>
                  <Table.Th w={170}>Planned start</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {items.map((change) => (
                  <Table.Tr
                    key={change.id}
                    className="cabinet-row-link"
                    onClick={(e) => {
                      if (!(e.target as HTMLElement).closest('a, button')) navigate(`/changes/${change.number}`);
                    }}
                  >
                    <Table.Td>
                      <NumberLink to={`/changes/${change.number}`}>{change.number}</NumberLink>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" lineClamp={1}>
                        {change.title}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <StateBadge state={change.state} type={change.type} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" c={change.closeCode ? undefined : 'dimmed'}>
                        {change.closeCode ? CLOSE_CODE_LABELS[change.closeCode] : '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(change.plannedStart)}</Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
                {items.length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={5}>
                      <Text size="sm" c="dimmed" ta="center" py="md">
                        No change has been made from this template yet.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Table.Tbody>
            </Table>
          </Paper>
          {changes.data.more && (
            <Text size="xs" c="dimmed">
              The newest {items.length} are shown.
            </Text>
          )}
        </>
      ) : null}
    </Stack>
  );
}
