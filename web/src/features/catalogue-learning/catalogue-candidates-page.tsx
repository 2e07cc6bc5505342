import { Alert, Badge, Button, Group, Modal, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDate } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { NumberLink, RouterAnchor } from '../../shared/router-link';
import { fieldErrorsFrom } from '../changes/field-errors';
import { type PromotionCandidate, useCandidates, useProposeEntry } from './catalogue-learning-api';

/** Why the changes of a candidate belong together, in words. */
function groupWords(c: PromotionCandidate): string {
  if (c.kind === 'template' && c.template) return `Made from the normal template “${c.template.name}”`;
  return `The same implementation plan (give or take numbers and spacing) on ${c.ciTypes.join(', ')} CIs`;
}

/**
 * Normal changes that keep succeeding the same way: candidates for the standard change catalogue. A change
 * manager proposes an entry from one of them; it waits as proposed until activated.
 */
export function CatalogueCandidatesPage() {
  const query = useCandidates();
  const [proposing, setProposing] = useState<PromotionCandidate | null>(null);
  const [done, setDone] = useState<{ id: string; name: string } | null>(null);
  const items = query.data?.items ?? [];
  return (
    <>
      <PageHeader
        title="Candidates for the catalogue"
        description={
          query.data
            ? `Normal changes that closed successfully at least ${query.data.successes} times in the last ${query.data.lookbackDays} days, the same work each time, and caused no incident. Each could become a pre-approved standard change.`
            : 'Normal changes that keep succeeding the same way, and caused no incident: each could become a pre-approved standard change.'
        }
      />
      {done && (
        <Alert color="green" mb="sm" withCloseButton closeButtonLabel="Dismiss" onClose={() => setDone(null)} role="status">
          Proposed “{done.name}”. It waits as proposed until a change manager activates it:{' '}
          <RouterAnchor to={`/templates/${encodeURIComponent(done.id)}`}>open the entry</RouterAnchor>.
        </Alert>
      )}
      {query.isPending && <PageLoader label="Loading the candidates" />}
      {query.isError && <ErrorAlert error={query.error} title="Cannot load the candidates" onRetry={() => void query.refetch()} />}
      {query.isSuccess && items.length === 0 && (
        <Text size="sm" c="dimmed">
          No candidates. None of the recent normal changes repeats often enough without an incident.
        </Text>
      )}
      <Stack gap="sm">
        {items.map((c) => (
          <Paper key={c.key} withBorder p="sm" radius="sm" component="section" aria-label={c.title} data-candidate={c.key}>
            <Group justify="space-between" align="flex-start" wrap="nowrap">
              <Stack gap={4} style={{ minWidth: 0 }}>
                <Title order={2} size="h5">
                  {c.title}
                </Title>
                <Text size="sm">{groupWords(c)}.</Text>
                <Text size="sm" c="dimmed">
                  {c.successes} successful closes, the last on {formatDate(c.lastClosedAt)}.
                </Text>
                <Group gap="xs">
                  {c.changes.map((m) => (
                    <NumberLink key={m.id} to={`/changes/${m.number}`}>
                      {m.number}
                    </NumberLink>
                  ))}
                </Group>
              </Stack>
              {c.proposedEntry ? (
                <Stack gap={2} align="flex-end">
                  <Badge variant="light">Entry {c.proposedEntry.state}</Badge>
                  <RouterAnchor to={`/templates/${encodeURIComponent(c.proposedEntry.id)}`} size="sm">
                    {c.proposedEntry.name}
                  </RouterAnchor>
                </Stack>
              ) : (
                <Button size="xs" onClick={() => setProposing(c)}>
                  Propose an entry
                </Button>
              )}
            </Group>
          </Paper>
        ))}
      </Stack>
      <ProposeDialog
        candidate={proposing}
        onClose={() => setProposing(null)}
        onDone={(entry) => {
          setProposing(null);
          setDone(entry);
        }}
      />
    </>
  );
}

/** Names the entry (the latest change's title by default) and proposes it from the latest change. */
function ProposeDialog({
  candidate,
  onClose,
  onDone,
}: {
  candidate: PromotionCandidate | null;
  onClose: () => void;
  onDone: (entry: { id: string; name: string }) => void;
}) {
  const propose = useProposeEntry();
  const [name, setName] = useState('');
  const [category, setCategory] = useState('');
  const errors = fieldErrorsFrom(propose.error);
  const source = candidate?.changes[0];
  const close = () => {
    propose.reset();
    setName('');
    setCategory('');
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!source) return;
    propose.mutate(
      { changeId: source.id, name: name.trim() || undefined, category: category.trim() || undefined },
      {
        onSuccess: (entry) => {
          setName('');
          setCategory('');
          onDone({ id: entry.id, name: entry.name });
        },
      },
    );
  };
  return (
    <Modal
      opened={candidate !== null}
      onClose={propose.isPending ? () => undefined : close}
      title="Propose a catalogue entry"
      size="md"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      {candidate && source && (
        <form onSubmit={submit} noValidate>
          <Stack gap="sm">
            <Text size="sm">
              The entry copies {source.number}: its plans, CIs and team. It is a standard change entry in state proposed: nothing is
              pre-approved until a change manager activates it.
            </Text>
            <TextInput
              label="Name"
              description={`Leave empty to use “${source.title}”.`}
              maxLength={200}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={errors.name}
              data-autofocus
            />
            <TextInput
              label="Category"
              description="Optional, e.g. Certificates."
              maxLength={100}
              value={category}
              onChange={(e) => setCategory(e.currentTarget.value)}
              error={errors.category}
            />
            {propose.isError && !errors.name && !errors.category && <ErrorAlert error={propose.error} title="Not proposed" />}
            <Group justify="flex-end" gap="xs">
              <Button variant="default" onClick={close} disabled={propose.isPending}>
                Go back
              </Button>
              <Button type="submit" loading={propose.isPending}>
                Propose the entry
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
