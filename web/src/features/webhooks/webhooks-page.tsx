import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  PasswordInput,
  Radio,
  SimpleGrid,
  Stack,
  Switch,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { issuesByField } from '../../api/client';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { LoadMore } from '../../shared/load-more';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { ActionsHeader, ListTable } from '../../shared/table-parts';
import { ChangeNumberLink, DeliveryResult, EventTitle } from '../deliveries/delivery-parts';
import {
  createBody,
  emptyForm,
  EVENT_GROUPS,
  EVENT_LABELS,
  FORMAT_LABELS,
  FORMATS,
  formOf,
  formProblems,
  generateSecret,
  parseAllowList,
  updateBody,
  type WebhookFormValues,
} from './webhook-form';
import {
  type Webhook,
  type WebhookFormat,
  type WebhookTestResult,
  useAllowList,
  useCreateWebhook,
  useDeleteWebhook,
  useSetAllowList,
  useTestWebhook,
  useTestWebhookUrl,
  useUpdateWebhook,
  useWebhookDeliveries,
  useWebhooks,
} from './webhooks-api';

/** What the receiver answered to a test message, said plainly. */
function TestAnswer({ result }: { result: WebhookTestResult }) {
  return (
    <Alert
      role="status"
      color={result.ok ? 'green' : 'red'}
      variant="light"
      title={result.ok ? 'The receiver accepted the test message' : 'The test message failed'}
    >
      <Text size="sm">
        {result.status !== null ? `It answered HTTP ${result.status}` : 'No answer came'} in {result.durationMs} ms.
      </Text>
      {result.error && (
        <Code block mt={4} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {result.error}
        </Code>
      )}
    </Alert>
  );
}

/** The create and edit form: URL, format, secret, events by group; a test message can be sent before saving. */
function WebhookForm({ saved, onDone }: { saved: Webhook | null; onDone: () => void }) {
  const [values, setValues] = useState<WebhookFormValues>(() => (saved ? formOf(saved) : emptyForm()));
  const [shown, setShown] = useState(false);
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const testUrl = useTestWebhookUrl();
  const testSaved = useTestWebhook();
  const save = saved ? update : create;
  const editing = saved !== null;
  const local = shown ? formProblems(values, editing) : {};
  const server = issuesByField(save.error ?? testUrl.error);
  const errorOf = (field: 'url' | 'secret' | 'format' | 'events') => local[field as keyof typeof local] ?? server[field]?.join('; ');
  const set = <K extends keyof WebhookFormValues>(key: K, value: WebhookFormValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setShown(true);
    if (Object.keys(formProblems(values, editing)).length > 0) return;
    if (saved) update.mutate({ id: saved.id, input: updateBody(saved, values) }, { onSuccess: onDone });
    else create.mutate(createBody(values), { onSuccess: onDone });
  };

  const onTest = () => {
    setShown(true);
    const problems = formProblems(values, editing);
    if (problems.url || problems.secret) return;
    // A saved webhook whose URL and secret are unchanged is tested with the secret it has.
    if (saved && values.secret === '' && values.url.trim() === saved.url && values.format === saved.format) testSaved.mutate(saved.id);
    else if (values.secret === '') setShown(true);
    else testUrl.mutate({ url: values.url.trim(), secret: values.secret, format: values.format });
  };
  const tested = testUrl.data ?? testSaved.data;
  const testing = testUrl.isPending || testSaved.isPending;
  const unplaced = save.isError && Object.keys(server).every((f) => !['url', 'secret', 'format', 'events'].includes(f));

  return (
    <Paper withBorder p="md" radius="sm" mb="md">
      <form onSubmit={onSubmit} aria-label={saved ? 'Edit the webhook' : 'Add a webhook'} noValidate>
        <Stack gap="sm">
          <Title order={2} size="h5">
            {saved ? 'Edit the webhook' : 'Add a webhook'}
          </Title>
          <Radio.Group
            label="Format"
            value={values.format}
            onChange={(f) => set('format', f as WebhookFormat)}
            description={FORMAT_LABELS[values.format].hint}
            error={errorOf('format')}
          >
            <Group gap="md" mt={4}>
              {FORMATS.map((f) => (
                <Radio key={f} value={f} label={FORMAT_LABELS[f].label} />
              ))}
            </Group>
          </Radio.Group>
          <TextInput
            label="URL"
            required
            placeholder="https://hooks.example.com/…"
            value={values.url}
            onChange={(e) => set('url', e.currentTarget.value)}
            error={errorOf('url')}
          />
          <Group align="flex-end" gap="xs" wrap="nowrap">
            <PasswordInput
              style={{ flex: 1 }}
              label="Secret"
              required={!editing}
              description={
                editing
                  ? `Saved secret ${saved.secretHint}. Type a new one to replace it; leave empty to keep it.`
                  : 'Signs every message (X-Cabinet-Signature). At least 16 characters; it is not shown again after saving.'
              }
              value={values.secret}
              onChange={(e) => set('secret', e.currentTarget.value)}
              error={errorOf('secret')}
              autoComplete="new-password"
            />
            <Button variant="default" onClick={() => set('secret', generateSecret())}>
              Generate
            </Button>
          </Group>
          <Checkbox.Group
            label="Events"
            description="What is sent to this webhook"
            value={values.events}
            onChange={(e) => set('events', e as WebhookFormValues['events'])}
            error={errorOf('events')}
          >
            <SimpleGrid cols={{ base: 1, sm: 2, md: 4 }} mt="xs" spacing="sm">
              {EVENT_GROUPS.map((g) => (
                <Stack key={g.label} gap={4} role="group" aria-label={g.label}>
                  <Text size="sm" fw={600}>
                    {g.label}
                  </Text>
                  {g.events.map((e) => (
                    <Checkbox key={e} value={e} label={EVENT_LABELS[e]} size="sm" />
                  ))}
                </Stack>
              ))}
            </SimpleGrid>
          </Checkbox.Group>
          <Switch label="Enabled" checked={values.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} />
          {tested && <TestAnswer result={tested} />}
          {testUrl.isError && !server.url && !server.secret && <ErrorAlert error={testUrl.error} title="Not tested" />}
          {testSaved.isError && <ErrorAlert error={testSaved.error} title="Not tested" />}
          {unplaced && <ErrorAlert error={save.error} title="Not saved" />}
          <Group gap="xs">
            <Button type="submit" loading={save.isPending}>
              {saved ? 'Save changes' : 'Add webhook'}
            </Button>
            <Button variant="default" onClick={onTest} loading={testing}>
              Send test message
            </Button>
            <Button variant="subtle" onClick={onDone}>
              Cancel
            </Button>
          </Group>
          {editing && values.secret === '' && (values.url.trim() !== saved.url || values.format !== saved.format) && (
            <Text size="xs" c="dimmed">
              To test a changed URL or format before saving, type the secret again.
            </Text>
          )}
        </Stack>
      </form>
    </Paper>
  );
}

/** A webhook's delivery log, newest first. */
function DeliveryLog({ webhook }: { webhook: Webhook }) {
  const log = useWebhookDeliveries(webhook.id);
  const rows = log.data?.pages.flatMap((p) => p.items) ?? [];
  if (log.isPending) return <PageLoader label="Loading the delivery log" />;
  if (log.isError) return <ErrorAlert error={log.error} title="Cannot load the delivery log" />;
  if (rows.length === 0)
    return (
      <Text size="sm" c="dimmed">
        Nothing was sent to this webhook yet (test messages are not logged).
      </Text>
    );
  return (
    <>
      <Table aria-label={`Delivery log of ${webhook.url}`}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Event</Table.Th>
            <Table.Th w={120}>Change</Table.Th>
            <Table.Th w={190}>Time</Table.Th>
            <Table.Th w={80}>Attempt</Table.Th>
            <Table.Th w={220}>Result</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((d) => (
            <Table.Tr key={d.id}>
              <Table.Td>
                <EventTitle title={d.title ?? '—'} event={d.event} />
              </Table.Td>
              <Table.Td>
                <ChangeNumberLink number={d.changeNumber} />
              </Table.Td>
              <Table.Td>{formatDateTime(d.attemptedAt)}</Table.Td>
              <Table.Td>{d.attempt}</Table.Td>
              <Table.Td>
                <DeliveryResult result={d.result} error={d.error} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <LoadMore query={log} shown={rows.length} />
    </>
  );
}

/** The admin's allow-list of private targets, one per line. */
function AllowListEditor() {
  const list = useAllowList();
  const save = useSetAllowList();
  const [text, setText] = useState('');
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (list.data) setText(list.data.entries.join('\n'));
  }, [list.data]);
  const issues = issuesByField(save.error).entries;
  if (list.isPending) return <PageLoader label="Loading the allow-list" />;
  if (list.isError) return <ErrorAlert error={list.error} title="Cannot load the allow-list" />;
  return (
    <Paper withBorder p="md" radius="sm" mt="lg">
      <form
        aria-label="Private targets allowed"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          save.mutate(parseAllowList(text), { onSuccess: () => setSaved(true) });
        }}
      >
        <Stack gap="xs">
          <Title order={2} size="h5">
            Private targets allowed
          </Title>
          <Text size="sm" c="dimmed">
            Webhooks reach public addresses only: a URL whose host is or resolves to a loopback, private, link-local or other internal
            address is refused, so that a webhook cannot be used to reach into your network. List here the host names, addresses or ranges
            (CIDR) of internal receivers you trust, one per line.
          </Text>
          {list.data.allowPrivate && (
            <Alert color="yellow" variant="light" role="status">
              CABINET_WEBHOOK_ALLOW_PRIVATE is set on this server: every private target is allowed, whatever this list says.
            </Alert>
          )}
          <Textarea
            label="Hosts, addresses and ranges"
            description="e.g. hooks.internal, 10.20.0.0/16, fd00::/8"
            autosize
            minRows={3}
            value={text}
            onChange={(e) => {
              setSaved(false);
              setText(e.currentTarget.value);
            }}
            error={issues?.join('; ')}
          />
          {save.isError && !issues && <ErrorAlert error={save.error} title="Not saved" />}
          <Group gap="xs">
            <Button type="submit" variant="default" loading={save.isPending}>
              Save the allow-list
            </Button>
            {saved && (
              <Text role="status" size="sm" c="green.9">
                Saved.
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/**
 * Admin → Webhooks: the endpoints Cabinet sends its events to (a chat channel, an automation), each with its
 * format, events and delivery log; a test message before saving; and the allow-list of private targets.
 */
export function WebhooksPage() {
  const hooks = useWebhooks();
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const test = useTestWebhook();
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [logOf, setLogOf] = useState<string | null>(null);
  const items = hooks.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="Webhooks"
        description="Send Cabinet’s events to Slack, Microsoft Teams, Mattermost or your own receiver. Each message is signed with the webhook’s secret."
        actions={
          editing === null && (
            <Button onClick={() => setEditing('new')} size="sm">
              Add webhook
            </Button>
          )
        }
      />
      {editing !== null && (
        <WebhookForm
          key={editing === 'new' ? 'new' : editing.id}
          saved={editing === 'new' ? null : editing}
          onDone={() => setEditing(null)}
        />
      )}
      {update.isError && <ErrorAlert error={update.error} title="Not changed" />}
      {hooks.isError && <ErrorAlert error={hooks.error} title="Cannot load the webhooks" />}
      {test.data && <TestAnswer result={test.data} />}
      {test.isError && <ErrorAlert error={test.error} title="Not tested" />}
      <ListTable
        label="Webhooks"
        loading={hooks.isPending}
        loadingLabel="Loading webhooks"
        empty={items.length === 0 && 'No webhooks yet. Add one to send change announcements to a chat channel.'}
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>URL</Table.Th>
            <Table.Th w={150}>Format</Table.Th>
            <Table.Th>Events</Table.Th>
            <Table.Th w={90}>Secret</Table.Th>
            <Table.Th w={110}>Enabled</Table.Th>
            <ActionsHeader w={300} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.flatMap((w) => [
            <Table.Tr key={w.id}>
              <Table.Td style={{ wordBreak: 'break-all' }}>
                <Text size="sm">{w.url}</Text>
              </Table.Td>
              <Table.Td>{FORMAT_LABELS[w.format].label}</Table.Td>
              <Table.Td>
                <Text size="sm">{w.events.map((e) => EVENT_LABELS[e]).join(', ')}</Text>
              </Table.Td>
              <Table.Td>
                <Code>{w.secretHint}</Code>
              </Table.Td>
              <Table.Td>
                <Switch
                  aria-label={`Enabled: ${w.url}`}
                  checked={w.enabled}
                  onChange={(e) => update.mutate({ id: w.id, input: { enabled: e.currentTarget.checked } })}
                  label={w.enabled ? 'On' : 'Off'}
                />
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => setLogOf(logOf === w.id ? null : w.id)}
                    aria-expanded={logOf === w.id}
                    aria-label={`Delivery log of ${w.url}`}
                  >
                    Log
                  </Button>
                  <Button
                    size="xs"
                    variant="default"
                    onClick={() => test.mutate(w.id)}
                    loading={test.isPending && test.variables === w.id}
                    aria-label={`Send a test message to ${w.url}`}
                  >
                    Test
                  </Button>
                  <Button size="xs" variant="default" onClick={() => setEditing(w)} aria-label={`Edit ${w.url}`}>
                    Edit
                  </Button>
                  <Button
                    size="xs"
                    variant="subtle"
                    color="red"
                    onClick={() => {
                      remove.reset();
                      setDeleting(w);
                    }}
                    aria-label={`Delete ${w.url}`}
                  >
                    Delete
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>,
            ...(logOf === w.id
              ? [
                  <Table.Tr key={`${w.id}-log`}>
                    <Table.Td colSpan={6}>
                      <DeliveryLog webhook={w} />
                    </Table.Td>
                  </Table.Tr>,
                ]
              : []),
          ])}
        </Table.Tbody>
      </ListTable>
      <AllowListEditor />
      <ConfirmDialog
        opened={deleting !== null}
        title={`Delete the webhook to ${deleting ? new URL(deleting.url).host : ''}?`}
        confirmLabel="Delete it"
        closeLabel="Keep it"
        loading={remove.isPending}
        error={remove.isError ? <ErrorAlert error={remove.error} title="Not deleted" /> : undefined}
        onConfirm={() => {
          if (deleting) remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) });
        }}
        onClose={() => setDeleting(null)}
      >
        Nothing more is sent to it. Its delivery log is kept.
      </ConfirmDialog>
    </>
  );
}
