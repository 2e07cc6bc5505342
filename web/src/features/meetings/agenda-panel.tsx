import { Alert, Badge, Button, Group, List, Modal, NumberInput, Stack, Table, Text, Textarea, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import type { RiskLevel } from '../../api/types';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { NumberLink } from '../../shared/router-link';
import { RISK_LEVEL_LABELS, RiskLevelBadge } from '../changes/risk-badge';
import { fieldErrorsFrom } from '../changes/field-errors';
import { DECIDED_LABELS, DecisionBadge } from './meeting-ui';
import { type AgendaItemView, type AgendaView, useEditAgenda } from './meetings-api';

/** A level the web knows as a coloured badge; another (a bundle's own) in words. */
export function AgendaRiskBadge({ level }: { level: string }) {
  return level in RISK_LEVEL_LABELS ? (
    <RiskLevelBadge level={level as RiskLevel} />
  ) : (
    <Badge variant="light" color="gray" size="sm" radius="sm">
      {level.replace(/_/g, ' ')}
    </Badge>
  );
}

/**
 * The votes so far and what the quorum still needs, in words: "needs 2 more, with security", or "quorum
 * reached"; once the board decided the item, the decision instead (the quorum no longer matters).
 */
export function votesWords(votes: AgendaItemView['votes'], decision: AgendaItemView['decision'] = null): string {
  const cast = `${votes.approve} for, ${votes.reject} against`;
  if (decision) return `${cast}; decided: ${DECIDED_LABELS[decision.decision]}`;
  const needs: string[] = [];
  if (votes.missingMembers > 0) needs.push(`${votes.missingMembers} more`);
  if (votes.missingDomains.length > 0) needs.push(`a voter from ${votes.missingDomains.join(', ')}`);
  return needs.length ? `${cast}; needs ${needs.join(' and ')}` : `${cast}; quorum reached`;
}

/** The marks an item carries: urgent, over the meeting's time, added late, added or moved by hand. */
function ItemMarks({ item }: { item: AgendaItemView }) {
  const marks: { label: string; color: string; title?: string }[] = [];
  if (item.retrospective) {
    marks.push({ label: 'Retrospective', color: 'indigo', title: `Approved by ${item.retrospective.boardName} on ${formatDateTime(item.retrospective.approvedAt)}; the board reviews it: ratify or flag` });
  }
  if (item.urgent) marks.push({ label: 'Urgent', color: 'red', title: 'Misses its planned start unless decided now' });
  if (item.late) marks.push({ label: 'Late', color: 'orange', title: 'Added after the agenda froze' });
  if (item.addedReason !== null) marks.push({ label: 'Added', color: 'blue', title: `Added: ${item.addedReason}` });
  if (item.movedReason !== null) marks.push({ label: 'Moved', color: 'grape', title: `Moved: ${item.movedReason}` });
  if (item.overflow) marks.push({ label: 'Over time', color: 'yellow', title: 'Falls after the meeting’s end' });
  if (marks.length === 0) return null;
  return (
    <Group gap={4} mt={2}>
      {marks.map((m) => (
        <Badge key={m.label} size="xs" variant="outline" color={m.color} title={m.title}>
          {m.label}
        </Badge>
      ))}
    </Group>
  );
}

type Edit = { action: 'remove' | 'move'; item: AgendaItemView } | null;

interface AgendaPanelProps {
  meetingId: string;
  agenda: AgendaView;
  /** The item whose pre-read is open. */
  selected: string | null;
  onSelect: (changeId: string) => void;
  /** The item under discussion now. */
  currentChangeId: string | null;
  canEdit: boolean;
}

/** The meeting's agenda: its items in order with their marks, votes and decisions; what was decided ahead, the FYI list, removed items. */
export function AgendaPanel({ meetingId, agenda, selected, onSelect, currentChangeId, canEdit }: AgendaPanelProps) {
  const [edit, setEdit] = useState<Edit>(null);
  const editAgenda = useEditAgenda(meetingId);
  const close = () => {
    setEdit(null);
    editAgenda.reset();
  };

  return (
    <Stack gap="sm">
      <Group justify="space-between" align="baseline">
        <Title order={2} size="h4">
          Agenda
        </Title>
        <Text size="xs" c="dimmed">
          {agenda.frozen ? 'Frozen when the meeting started: later additions are marked late.' : 'Builds itself until the meeting starts.'}
        </Text>
      </Group>
      {agenda.overrunMinutes > 0 && (
        <Alert color="yellow" variant="light" role="note" title="Over time">
          The items need {agenda.overrunMinutes} minutes more than the meeting has: those marked “Over time” fall after its end.
        </Alert>
      )}
      {agenda.items.length === 0 ? (
        <Text size="sm" c="dimmed">
          Nothing awaits the board’s decision at this meeting.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={760}>
          <Table aria-label="Agenda items" verticalSpacing={6}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={36}>#</Table.Th>
                <Table.Th>Change</Table.Th>
                <Table.Th>Risk</Table.Th>
                <Table.Th>Planned start</Table.Th>
                <Table.Th>Time</Table.Th>
                <Table.Th>Votes so far</Table.Th>
                <Table.Th>Decision</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {agenda.items.map((item) => {
                const isCurrent = item.changeId === currentChangeId;
                return (
                  <Table.Tr
                    key={item.changeId}
                    aria-current={isCurrent ? 'true' : undefined}
                    bg={isCurrent ? 'green.0' : item.changeId === selected ? 'blue.0' : undefined}
                  >
                    <Table.Td>{item.position}</Table.Td>
                    <Table.Td>
                      <Group gap={6} wrap="nowrap">
                        <NumberLink to={`/changes/${item.number}`}>{item.number}</NumberLink>
                        {isCurrent && (
                          <Badge size="xs" color="green" variant="filled">
                            Under discussion
                          </Badge>
                        )}
                      </Group>
                      <Text size="sm" lineClamp={2}>
                        {item.title}
                      </Text>
                      <ItemMarks item={item} />
                    </Table.Td>
                    <Table.Td miw={96}>
                      <AgendaRiskBadge level={item.riskLevel} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{formatDateTime(item.plannedStart)}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.allottedMinutes} min</Text>
                      <Text size="xs" c="dimmed">
                        from minute {item.startsAtMinute}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{item.retrospective && !item.decision ? `Approved by ${item.retrospective.boardName}` : votesWords(item.votes, item.decision)}</Text>
                    </Table.Td>
                    <Table.Td>{item.decision ? <DecisionBadge decision={item.decision.decision} /> : <Text size="sm" c="dimmed">—</Text>}</Table.Td>
                    <Table.Td>
                      <Group gap={4} wrap="nowrap">
                        <Button size="compact-xs" variant={item.changeId === selected ? 'filled' : 'light'} aria-label={`Pre-read of ${item.number}`} aria-pressed={item.changeId === selected} onClick={() => onSelect(item.changeId)}>
                          Pre-read
                        </Button>
                        {canEdit && !item.decision && (
                          <>
                            <Button size="compact-xs" variant="default" aria-label={`Move ${item.number}`} onClick={() => setEdit({ action: 'move', item })}>
                              Move
                            </Button>
                            <Button size="compact-xs" variant="subtle" color="red" aria-label={`Remove ${item.number}`} onClick={() => setEdit({ action: 'remove', item })}>
                              Remove
                            </Button>
                          </>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {canEdit && <AddItemForm meetingId={meetingId} />}
      <OtherLists agenda={agenda} />

      <ConfirmDialog
        opened={edit?.action === 'remove'}
        title={edit ? `Remove ${edit.item.number} from the agenda?` : ''}
        confirmLabel="Remove it"
        closeLabel="Keep it"
        reason={{ label: 'Reason', description: 'Kept with the agenda and in the minutes.', required: true }}
        loading={editAgenda.isPending}
        error={editAgenda.isError ? <ErrorAlert error={editAgenda.error} title="Not removed" /> : undefined}
        onConfirm={(reason) => edit && editAgenda.mutate({ action: 'remove', changeId: edit.item.changeId, reason }, { onSuccess: close })}
        onClose={close}
      >
        The change leaves this meeting’s agenda. It still awaits the board, and a later meeting takes it up.
      </ConfirmDialog>
      <MoveDialog
        item={edit?.action === 'move' ? edit.item : null}
        count={agenda.items.length}
        loading={editAgenda.isPending}
        error={editAgenda.error}
        onMove={(position, reason) => edit && editAgenda.mutate({ action: 'move', changeId: edit.item.changeId, position, reason }, { onSuccess: close })}
        onClose={close}
      />
    </Stack>
  );
}

function MoveDialog({
  item,
  count,
  loading,
  error,
  onMove,
  onClose,
}: {
  item: AgendaItemView | null;
  count: number;
  loading: boolean;
  error: unknown;
  onMove: (position: number, reason: string) => void;
  onClose: () => void;
}) {
  const [position, setPosition] = useState<number | string>(1);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  useEffect(() => {
    if (item) {
      setPosition(item.position);
      setReason('');
      setMissing(false);
    }
  }, [item]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason.trim() === '') {
      setMissing(true);
      return;
    }
    onMove(Number(position), reason.trim());
  };
  return (
    <Modal opened={item !== null} onClose={loading ? () => undefined : onClose} title={item ? `Move ${item.number}` : ''} closeButtonProps={{ 'aria-label': 'Close' }}>
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <NumberInput label="Position" description={`1 is first; the agenda has ${count} items.`} min={1} max={Math.max(count, 1)} value={position} onChange={setPosition} required data-autofocus />
          <Textarea
            label="Reason"
            description="Kept with the agenda and in the minutes."
            required
            autosize
            minRows={2}
            value={reason}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              setMissing(false);
            }}
            error={missing ? 'Say why the item moves.' : undefined}
          />
          {Boolean(error) && <ErrorAlert error={error} title="Not moved" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={loading}>
              Go back
            </Button>
            <Button type="submit" loading={loading}>
              Move it
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Adds a change to the agenda by its number, with the reason the agenda keeps. */
function AddItemForm({ meetingId }: { meetingId: string }) {
  const add = useEditAgenda(meetingId);
  const [changeId, setChangeId] = useState('');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<{ change?: boolean; reason?: boolean }>({});
  const errors = fieldErrorsFrom(add.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next = { change: changeId.trim() === '', reason: reason.trim() === '' };
    setMissing(next);
    if (next.change || next.reason) return;
    add.mutate(
      { action: 'add', changeId: changeId.trim(), reason: reason.trim() },
      {
        onSuccess: () => {
          setChangeId('');
          setReason('');
        },
      },
    );
  };
  const placed = add.error && (errors.changeId || errors.reason);
  return (
    <form onSubmit={submit} aria-label="Add a change to the agenda" noValidate>
      <Group align="flex-start" gap="sm">
        <TextInput
          label="Add a change"
          placeholder="CHG0000042"
          required
          value={changeId}
          onChange={(e) => setChangeId(e.currentTarget.value)}
          error={missing.change ? 'Give the change’s number' : errors.changeId}
          w={180}
        />
        <TextInput
          label="Reason"
          placeholder="Why the board must see it"
          required
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={missing.reason ? 'Say why it joins the agenda' : errors.reason}
          style={{ flex: 1, minWidth: 220 }}
        />
        <Button type="submit" mt={25} variant="light" loading={add.isPending}>
          Add to the agenda
        </Button>
      </Group>
      {add.isError && !placed && <ErrorAlert error={add.error} title="Not added" />}
    </form>
  );
}

function OtherLists({ agenda }: { agenda: AgendaView }) {
  return (
    <>
      {agenda.decidedAhead.length > 0 && (
        <section aria-labelledby="decided-ahead">
          <Title order={3} size="h6" id="decided-ahead">
            Decided before the meeting
          </Title>
          <Text size="xs" c="dimmed" mb={4}>
            The members’ votes reached the quorum ahead of the meeting; these items left the live agenda.
          </Text>
          <List size="sm" spacing={2}>
            {agenda.decidedAhead.map((d) => (
              <List.Item key={d.changeId}>
                <NumberLink to={`/changes/${d.number}`}>{d.number}</NumberLink> {d.title}: {d.outcome}
                {d.decidedAt ? `, ${formatDateTime(d.decidedAt)}` : ''}
              </List.Item>
            ))}
          </List>
        </section>
      )}
      {agenda.fyi.length > 0 && (
        <section aria-labelledby="agenda-fyi">
          <Title order={3} size="h6" id="agenda-fyi">
            For information
          </Title>
          <Text size="xs" c="dimmed" mb={4}>
            Standard and pre-authorised changes in the board’s scope: not decided here.
          </Text>
          <List size="sm" spacing={2}>
            {agenda.fyi.map((f) => (
              <List.Item key={f.changeId}>
                <Group gap={6} wrap="wrap">
                  <NumberLink to={`/changes/${f.number}`}>{f.number}</NumberLink>
                  <Text size="sm">{f.title}</Text>
                  <AgendaRiskBadge level={f.riskLevel} />
                  <Text size="xs" c="dimmed">
                    planned {formatDateTime(f.plannedStart)}
                  </Text>
                </Group>
              </List.Item>
            ))}
          </List>
        </section>
      )}
      {agenda.removed.length > 0 && (
        <section aria-labelledby="agenda-removed">
          <Title order={3} size="h6" id="agenda-removed">
            Removed
          </Title>
          <List size="sm" spacing={2}>
            {agenda.removed.map((r) => (
              <List.Item key={r.changeId}>
                <NumberLink to={`/changes/${r.number}`}>{r.number}</NumberLink>: {r.reason}
              </List.Item>
            ))}
          </List>
        </section>
      )}
    </>
  );
}
