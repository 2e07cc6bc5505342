import { Alert, Button, Group, MultiSelect, Paper, SimpleGrid, Stack, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { Fragment, useId, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { isoToLocalInput, localInputToIso } from '../../shared/format';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SearchInput } from '../../shared/search-input';
import { useUrlFilters } from '../../shared/use-url-filters';
import { useTeams } from '../admin/admin-api';
import { UserSelect } from '../admin/user-select';
import { hasPermission, useCurrentUser } from '../auth/session';
import { usePolicy } from '../changes/policy';
import { type AuditFilters, type AuditSearchEvent, useAuditSearch } from './audit-api';
import { AuditEventDetails, type AuditNames, describeEvent, RecordLink } from './audit-event';
import { actionOptions, browserTimeZone, formatWhen } from './audit-labels';
import { ExportPanel } from './export-panel';
import { VerifyPanel } from './verify-panel';

const FILTER_KEYS = ['record', 'actor', 'action', 'from', 'to'] as const;
const ACTION_OPTIONS = actionOptions();

function EventRow({ event, names, teamName }: { event: AuditSearchEvent; names: AuditNames; teamName: (label: string) => string }) {
  const [open, setOpen] = useState(false);
  const { data: policy } = usePolicy();
  const detailsId = useId();
  const what = describeEvent(event, policy, teamName);
  return (
    <>
      <Table.Tr data-seq={event.seq} data-action={event.action}>
        <Table.Td style={{ whiteSpace: 'nowrap' }}>
          <Text size="sm">{formatWhen(event.at)}</Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{event.actorName}</Text>
        </Table.Td>
        <Table.Td>
          <Text size="sm">{what}</Text>
        </Table.Td>
        <Table.Td>
          <RecordLink type={event.entityType} id={event.entityId} names={names} withType />
        </Table.Td>
        <Table.Td>
          <Button
            size="compact-xs"
            variant="subtle"
            onClick={() => setOpen((o) => !o)}
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`${open ? 'Hide' : 'Show'} the details of event ${event.seq}: ${what}`}
          >
            {open ? 'Hide' : 'Details'}
          </Button>
        </Table.Td>
      </Table.Tr>
      {open && (
        <Table.Tr>
          <Table.Td colSpan={5} id={detailsId} bg="var(--mantine-color-gray-0)">
            <AuditEventDetails event={event} names={names} policy={policy} />
          </Table.Td>
        </Table.Tr>
      )}
    </>
  );
}

/** What the record filter found, so the person knows which record the events are about. */
function RecordsNote({ text, records }: { text: string; records: { id: string; type: string; label: string; title: string | null }[] }) {
  if (records.length === 0) {
    return (
      <Text size="sm" data-testid="records-note">
        No change, CI or other record is called “{text}”: showing events about a record whose id is “{text}”.
      </Text>
    );
  }
  const names = Object.fromEntries(records.map((r) => [r.id, { type: r.type as 'change', label: r.label, title: r.title }]));
  return (
    <Text size="sm" component="div" data-testid="records-note">
      Events about{' '}
      {records.map((r, i) => (
        <Fragment key={r.id}>
          {i > 0 && ', '}
          <RecordLink type={r.type} id={r.id} names={names} withType />
        </Fragment>
      ))}
    </Text>
  );
}

/** The auditor's desk: verify the chain, export it, and search its events by record, person, action and time. */
export function AuditPage() {
  const me = useCurrentUser();
  const { filters, setFilter, clear, hasFilters } = useUrlFilters(FILTER_KEYS);
  const search: AuditFilters = {
    record: filters.record,
    actor: filters.actor,
    action: filters.action?.split(',').filter(Boolean),
    from: filters.from,
    to: filters.to,
  };
  const allowed = hasPermission(me, 'audit.read');
  const reversed = !!(filters.from && filters.to && filters.from >= filters.to);
  const query = useAuditSearch(search, allowed && !reversed);
  const teams = useTeams(allowed);
  const teamNames = new Map((teams.data?.items ?? []).flatMap((t) => [[t.handle, t.name] as const, [t.id, t.name] as const]));
  const teamName = (label: string) => teamNames.get(label) ?? label;
  const resultsId = useId();

  if (!allowed) {
    return (
      <>
        <PageHeader title="Audit trail" />
        <Alert color="yellow" variant="light" title="The audit trail is for auditors">
          <Text size="sm">Searching, verifying and exporting the audit trail needs the auditor or change manager role.</Text>
        </Alert>
      </>
    );
  }

  const pages = query.data?.pages ?? [];
  const items = pages.flatMap((p) => p.items);
  const names: AuditNames = Object.assign({}, ...pages.map((p) => p.names));

  return (
    <>
      <PageHeader
        title="Audit trail"
        description={`Every write Cabinet records, chained by hashes: search it, verify the chain, export it to check offline. Times are shown in ${browserTimeZone()}.`}
      />
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" mb="lg">
        <VerifyPanel />
        <ExportPanel />
      </SimpleGrid>

      <Stack gap="sm" component="section" aria-labelledby={resultsId}>
        <Title order={2} size="h4" id={resultsId}>
          Events
        </Title>
        <Paper withBorder radius="sm" p="sm">
          <form role="search" aria-label="Search the audit trail" onSubmit={(e) => e.preventDefault()}>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 5 }} spacing="sm">
              <SearchInput
                label="Record"
                placeholder="CHG0000012, pay-db-prod, an id…"
                value={filters.record ?? ''}
                onSearch={(v) => setFilter('record', v)}
              />
              <UserSelect label="Person" placeholder="Anyone" value={filters.actor ?? null} onChange={(v) => setFilter('actor', v)} />
              <MultiSelect
                label="Actions"
                placeholder={search.action?.length ? undefined : 'Any action'}
                data={ACTION_OPTIONS}
                value={search.action ?? []}
                onChange={(v) => setFilter('action', v.join(','))}
                searchable
                clearable
                maxDropdownHeight={320}
              />
              <TextInput
                type="datetime-local"
                label="From"
                value={isoToLocalInput(filters.from)}
                onChange={(e) => setFilter('from', localInputToIso(e.currentTarget.value))}
              />
              <TextInput
                type="datetime-local"
                label="To"
                value={isoToLocalInput(filters.to)}
                onChange={(e) => setFilter('to', localInputToIso(e.currentTarget.value))}
                error={reversed ? 'must be after From' : undefined}
              />
            </SimpleGrid>
            {hasFilters && (
              <Group mt="xs">
                <Button size="xs" variant="subtle" onClick={clear}>
                  Clear filters
                </Button>
              </Group>
            )}
          </form>
        </Paper>

        {filters.record && query.isSuccess && <RecordsNote text={filters.record} records={pages[0]?.records ?? []} />}
        {query.isPending && !reversed && <PageLoader label="Loading the events" />}
        {query.isError && <ErrorAlert error={query.error} title="Cannot search the audit trail" onRetry={() => void query.refetch()} />}
        {query.isSuccess && items.length === 0 && (
          <Text size="sm">{hasFilters ? 'No event matches these filters.' : 'The audit trail is empty.'}</Text>
        )}
        {items.length > 0 && (
          <>
            <Paper withBorder radius="sm">
              <Table aria-label="Audit events, newest first" verticalSpacing="xs" aria-busy={query.isFetching}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th w={210}>When</Table.Th>
                    <Table.Th w={220}>Who</Table.Th>
                    <Table.Th>What</Table.Th>
                    <Table.Th>Record</Table.Th>
                    <Table.Th w={90}>
                      <VisuallyHidden>Details</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {items.map((event) => (
                    <EventRow key={event.seq} event={event} names={names} teamName={teamName} />
                  ))}
                </Table.Tbody>
              </Table>
            </Paper>
            <LoadMore query={query} shown={items.length} />
          </>
        )}
      </Stack>
    </>
  );
}
