import { Anchor, Button, Code, Group, List, Paper, Radio, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { FormCard } from '../../shared/form-parts';
import { PageHeader } from '../../shared/page-header';
import { CopyValue, ShownOnceNotice } from '../../shared/shown-once';
import { ActionsHeader, EmptyRow, RevokeButton } from '../../shared/table-parts';
import { useTeams } from '../admin/admin-api';
import { fieldErrorsFrom } from '../changes/field-errors';
import { useServiceOptions } from '../cmdb/cmdb-api';
import {
  type CalendarFeed,
  type CreatedCalendarFeed,
  type FeedScopeKind,
  useCreateCalendarFeed,
  useMyCalendarFeeds,
  useRevokeCalendarFeed,
} from './calendar-feeds-api';

const SCOPE_CHOICES: { value: FeedScopeKind; label: string; description: string }[] = [
  { value: 'user', label: 'My changes', description: 'Changes you requested, own, implement or manage, or that your teams carry out' },
  { value: 'team', label: 'A team', description: 'Changes assigned to the team' },
  { value: 'service', label: 'A service', description: 'Changes on the service’s CIs, and its windows' },
  { value: 'all', label: 'Everything', description: 'Every planned change and window' },
];

/** `webcal:` asks the system to open its calendar app with a subscription to the address. */
const webcalOf = (url: string) => url.replace(/^https?:/, 'webcal:');

/** The secret URL, shown once right after creation, with a copy button and how to subscribe. */
function NewFeedNotice({ feed, onDismiss }: { feed: CreatedCalendarFeed; onDismiss: () => void }) {
  return (
    <ShownOnceNotice
      title={`Feed “${feed.name}” created`}
      note="This address is secret: anyone who has it can read the feed, without signing in. Copy it now; it will not be shown again."
      dismissLabel="I have copied it"
      onDismiss={onDismiss}
      mb="md"
      maw={900}
    >
      <CopyValue label="Feed address" value={feed.url} />
      <List size="sm" mt="xs" spacing={2}>
        <List.Item>Google Calendar: Other calendars → + → From URL, and paste the address.</List.Item>
        <List.Item>Outlook: Add calendar → Subscribe from web, and paste the address.</List.Item>
        <List.Item>
          Apple Calendar: File → New Calendar Subscription, or{' '}
          <Anchor href={webcalOf(feed.url)} size="sm">
            open it in your calendar app
          </Anchor>
          .
        </List.Item>
      </List>
    </ShownOnceNotice>
  );
}

function CreateFeedForm({ onCreated }: { onCreated: (feed: CreatedCalendarFeed) => void }) {
  const create = useCreateCalendarFeed();
  const teams = useTeams();
  const services = useServiceOptions();
  const [kind, setKind] = useState<FeedScopeKind>('user');
  const [ref, setRef] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [missingRef, setMissingRef] = useState(false);
  const errors = fieldErrorsFrom(create.error);

  const teamOptions = (teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name }));
  const serviceOptions = services.data ?? [];
  const options = kind === 'team' ? teamOptions : serviceOptions;
  const needsRef = kind === 'team' || kind === 'service';
  const refLabel = options.find((o) => o.value === ref)?.label;
  // The name people will see in their calendar app, unless they give one.
  const suggestedName = kind === 'user' ? 'My changes' : kind === 'all' ? 'Everything' : (refLabel ?? '');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (needsRef && !ref) {
      setMissingRef(true);
      return;
    }
    create.mutate(
      { name: name.trim() || suggestedName, scope: needsRef ? { kind, ref } : { kind } },
      {
        onSuccess: (feed) => {
          onCreated(feed);
          setName('');
        },
      },
    );
  };

  return (
    <FormCard label="Create a calendar feed" title="Create a feed" onSubmit={onSubmit} maw={900}>
      <Radio.Group
        label="The feed holds"
        value={kind}
        onChange={(v) => {
          setKind(v as FeedScopeKind);
          setRef(null);
          setMissingRef(false);
        }}
      >
        <Group gap="lg" mt={6} align="flex-start">
          {SCOPE_CHOICES.map((c) => (
            <Radio key={c.value} value={c.value} label={c.label} description={c.description} maw={200} />
          ))}
        </Group>
      </Radio.Group>
      <Group align="flex-start" gap="sm">
        {needsRef && (
          <Select
            label={kind === 'team' ? 'Team' : 'Service'}
            placeholder={kind === 'team' ? 'Choose a team' : 'Choose a service'}
            required
            searchable
            data={options}
            value={ref}
            onChange={(v) => {
              setRef(v);
              setMissingRef(false);
            }}
            nothingFoundMessage="Nothing by that name"
            error={missingRef ? `Choose the ${kind}` : errors.scope}
            w={260}
          />
        )}
        <TextInput
          label="Name in your calendar app"
          placeholder={suggestedName || 'e.g. Payments changes'}
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.currentTarget.value)}
          error={errors.name}
          w={260}
        />
      </Group>
      <Text size="xs" c="dimmed">
        Feeds show changes and windows from 30 days ago to 180 days ahead, as you may see them. Calendar apps fetch them every few hours.
      </Text>
      {create.isError && !errors.name && !(needsRef && errors.scope) && (
        <ErrorAlert error={create.error} title="The feed was not created" />
      )}
      <Group>
        <Button type="submit" loading={create.isPending}>
          Create feed
        </Button>
      </Group>
    </FormCard>
  );
}

function FeedTable({ feeds }: { feeds: CalendarFeed[] }) {
  const revoke = useRevokeCalendarFeed();
  return (
    <Stack gap="xs">
      {revoke.isError && <ErrorAlert error={revoke.error} title="The feed was not revoked" />}
      <Paper withBorder radius="sm">
        <Table aria-label="Calendar feeds">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Holds</Table.Th>
              <Table.Th w={150}>Address</Table.Th>
              <Table.Th w={160}>Created</Table.Th>
              <Table.Th w={160}>Last fetched</Table.Th>
              <ActionsHeader w={90} />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {feeds.map((f) => (
              <Table.Tr key={f.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>
                    {f.name}
                  </Text>
                </Table.Td>
                <Table.Td>{f.scope.kind === 'user' ? 'My changes' : f.scope.label}</Table.Td>
                <Table.Td>
                  <Code>…/feeds/{f.prefix}…</Code>
                </Table.Td>
                <Table.Td>{formatDateTime(f.createdAt)}</Table.Td>
                <Table.Td>{f.lastUsedAt ? formatDateTime(f.lastUsedAt) : 'Never'}</Table.Td>
                <Table.Td>
                  <RevokeButton
                    id={f.id}
                    label={`Revoke the feed ${f.name}`}
                    question={`Revoke the feed “${f.name}”? Calendar apps subscribed to it stop getting updates.`}
                    revoke={revoke}
                  />
                </Table.Td>
              </Table.Tr>
            ))}
            {feeds.length === 0 && (
              <EmptyRow colSpan={6} py="sm">
                You have no calendar feeds.
              </EmptyRow>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

/** Your iCalendar subscriptions: create one (its secret URL shown once), see when each was last fetched, revoke. */
export function CalendarFeedsPage() {
  const feeds = useMyCalendarFeeds();
  const [created, setCreated] = useState<CreatedCalendarFeed | null>(null);
  return (
    <>
      <PageHeader
        title="Calendar feeds"
        description="Subscribe to planned changes, freezes and maintenance windows from Google Calendar, Outlook or Apple Calendar."
      />
      {created && <NewFeedNotice feed={created} onDismiss={() => setCreated(null)} />}
      <CreateFeedForm onCreated={setCreated} />
      {feeds.isPending && <PageLoader label="Loading your calendar feeds" />}
      {feeds.isError && <ErrorAlert error={feeds.error} title="Cannot load your calendar feeds" onRetry={() => void feeds.refetch()} />}
      {feeds.data && (
        <section aria-labelledby="calendar-feeds-list">
          <Title order={2} size="h5" id="calendar-feeds-list" mb={6}>
            Your feeds
          </Title>
          <FeedTable feeds={feeds.data.items} />
        </section>
      )}
    </>
  );
}
