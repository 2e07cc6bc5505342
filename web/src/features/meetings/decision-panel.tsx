import { Alert, Button, Group, Paper, Radio, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { issuesOf } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime, formatRange, localInputToIso, zoneWords } from '../../shared/format';
import { RouterAnchor } from '../../shared/router-link';
import { UserSelect } from '../admin/user-select';
import { DECISION_LABELS, DecisionBadge, RETROSPECTIVE_LABELS } from './meeting-ui';
import { type BoardDecision, type DecisionRequest, type DecisionView, useDecideItem, useMeetingList } from './meetings-api';

type VerifierKind = 'change_manager' | 'person' | 'check';

const VERIFIER_OPTIONS: { value: VerifierKind; label: string }[] = [
  { value: 'change_manager', label: 'Any change manager' },
  { value: 'person', label: 'A person' },
  { value: 'check', label: 'A check (CEL)' },
];

/** One condition as the editor holds it, before it is sent. */
export interface ConditionDraft {
  key: number;
  text: string;
  /** datetime-local, in the display zone; empty: before implementation. */
  due: string;
  verifier: VerifierKind;
  userId: string | null;
  check: string;
}

let nextKey = 1;
const emptyCondition = (): ConditionDraft => ({ key: nextKey++, text: '', due: '', verifier: 'change_manager', userId: null, check: '' });

/** What is missing before the decision can be sent, by field: `rationale`, `deferTo`, `conditions`, `conditions.0.text`… */
export function decisionProblems(d: { decision: BoardDecision | null; rationale: string; deferTo: string | null; conditions: ConditionDraft[] }): Record<string, string> {
  const problems: Record<string, string> = {};
  if (!d.decision) problems.decision = 'Choose the decision';
  if (d.rationale.trim() === '') problems.rationale = 'Give the rationale: every decision records why.';
  if (d.decision === 'defer' && !d.deferTo) problems.deferTo = 'Choose the meeting the item goes to';
  if (d.decision === 'approve_with_conditions') {
    if (d.conditions.length === 0) problems.conditions = 'Give at least one condition';
    d.conditions.forEach((c, i) => {
      if (c.text.trim() === '') problems[`conditions.${i}.text`] = 'Say what must be done';
      if (c.due !== '' && !localInputToIso(c.due)) problems[`conditions.${i}.dueAt`] = 'Give a day and a time';
      if (c.verifier === 'person' && !c.userId) problems[`conditions.${i}.verifier`] = 'Choose who verifies it';
      if (c.verifier === 'check' && c.check.trim() === '') problems[`conditions.${i}.verifier`] = 'Give the CEL check';
    });
  }
  return problems;
}

/** The request the editor's values make. */
export function toDecisionRequest(d: { decision: BoardDecision; rationale: string; deferTo: string | null; conditions: ConditionDraft[] }): DecisionRequest {
  return {
    decision: d.decision,
    rationale: d.rationale.trim(),
    ...(d.decision === 'defer' && d.deferTo ? { deferTo: d.deferTo } : {}),
    ...(d.decision === 'approve_with_conditions'
      ? {
          conditions: d.conditions.map((c) => ({
            text: c.text.trim(),
            ...(c.due ? { dueAt: localInputToIso(c.due)! } : {}),
            ...(c.verifier === 'person' && c.userId ? { verifier: { userId: c.userId } } : {}),
            ...(c.verifier === 'check' ? { verifier: { check: c.check.trim() } } : {}),
          })),
        }
      : {}),
  };
}

interface DecisionPanelProps {
  meetingId: string;
  meetingStart: string;
  boardId: string;
  changeId: string;
  number: string;
  /** A retrospective item (already approved by another board): the board ratifies or flags it. */
  retrospective?: boolean;
}

/** Records the board's decision on one item: the decision, its rationale, and the conditions or the meeting it is deferred to. */
export function DecisionPanel({ meetingId, meetingStart, boardId, changeId, number, retrospective = false }: DecisionPanelProps) {
  const offered: Partial<Record<BoardDecision, string>> = retrospective ? RETROSPECTIVE_LABELS : DECISION_LABELS;
  const decide = useDecideItem(meetingId);
  const [decision, setDecision] = useState<BoardDecision | null>(null);
  const [rationale, setRationale] = useState('');
  const [deferTo, setDeferTo] = useState<string | null>(null);
  const [conditions, setConditions] = useState<ConditionDraft[]>(() => [emptyCondition()]);
  const [tried, setTried] = useState(false);
  // NOTE: fixed for the visit, so that the query (and its cache key) does not move every render.
  const [now] = useState(() => new Date().toISOString());
  const planned = useMeetingList({ boardId, state: 'planned', from: now }, { enabled: decision === 'defer' });
  // An item is deferred to a later meeting of the board, never to this one.
  const targets = (planned.data?.items ?? []).filter((m) => m.id !== meetingId && m.start > meetingStart);

  const values = { decision, rationale, deferTo, conditions };
  const problems = tried ? decisionProblems(values) : {};
  // The server's word on a field, when it refused what was sent.
  const server: Record<string, string> = {};
  for (const issue of issuesOf(decide.error)) server[issue.path] = server[issue.path] ? `${server[issue.path]}; ${issue.message}` : issue.message;
  // NOTE: the server puts a check's CEL problem at `conditions.N.verifier.check`; the editor shows it under the check.
  const errorAt = (path: string) => problems[path] ?? server[path] ?? (path.endsWith('.verifier') ? server[`${path}.check`] : undefined);
  const placed = (path: string) => path === 'decision' || path === 'rationale' || path === 'deferTo' || path.startsWith('conditions');
  const unplaced = Object.keys(server).some((p) => !placed(p)) || (decide.isError && issuesOf(decide.error).length === 0);

  const setCondition = (i: number, patch: Partial<ConditionDraft>) => setConditions((list) => list.map((c, j) => (j === i ? { ...c, ...patch } : c)));

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (!decision || Object.keys(decisionProblems(values)).length > 0) return;
    decide.mutate(
      { changeId, ...toDecisionRequest({ decision, rationale, deferTo, conditions }) },
      {
        onSuccess: () => {
          setDecision(null);
          setRationale('');
          setDeferTo(null);
          setConditions([emptyCondition()]);
          setTried(false);
        },
      },
    );
  };

  return (
    <form onSubmit={onSubmit} aria-label={`Decision on ${number}`} noValidate>
      <Stack gap="sm">
        <Title order={3} size="h5">
          Decision
        </Title>
        <Radio.Group
          label={retrospective ? 'Retrospective review of the approval given' : 'The board decides to'}
          required
          value={decision}
          onChange={(v) => {
            setDecision(v as BoardDecision);
            decide.reset();
          }}
          error={errorAt('decision')}
        >
          <Group gap="md" mt={4}>
            {(Object.keys(offered) as BoardDecision[]).map((d) => (
              <Radio key={d} value={d} label={offered[d]} />
            ))}
          </Group>
        </Radio.Group>
        <Textarea
          label="Rationale"
          description="Required for every decision; it goes into the minutes and the change’s history."
          required
          autosize
          minRows={3}
          maxRows={10}
          value={rationale}
          onChange={(e) => setRationale(e.currentTarget.value)}
          error={errorAt('rationale')}
        />
        {decision === 'approve_with_conditions' && (
          <ConditionsEditor conditions={conditions} onChange={setConditions} setCondition={setCondition} errorAt={errorAt} />
        )}
        {decision === 'defer' &&
          (planned.isSuccess && targets.length === 0 ? (
            <Alert color="yellow" variant="light" role="alert" title="No meeting to defer to">
              The board has no other planned meeting. <RouterAnchor to={`/boards/${boardId}`}>Schedule one on the board’s page</RouterAnchor>, then
              defer the item to it.
            </Alert>
          ) : (
            <Select
              label="Defer to"
              description="The board’s planned meetings"
              placeholder={planned.isPending ? 'Loading the meetings…' : 'Choose a meeting'}
              required
              data={targets.map((m) => ({ value: m.id, label: `${m.title}, ${formatRange(m.start, m.end)}` }))}
              value={deferTo}
              onChange={setDeferTo}
              error={errorAt('deferTo')}
              w={420}
            />
          ))}
        {unplaced && <ErrorAlert error={decide.error} title="The decision was not recorded" />}
        <Group>
          <Button type="submit" loading={decide.isPending}>
            Record the decision
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function ConditionsEditor({
  conditions,
  onChange,
  setCondition,
  errorAt,
}: {
  conditions: ConditionDraft[];
  onChange: (list: ConditionDraft[]) => void;
  setCondition: (i: number, patch: Partial<ConditionDraft>) => void;
  errorAt: (path: string) => string | undefined;
}) {
  return (
    <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
      <Text component="legend" size="sm" fw={500}>
        Conditions
      </Text>
      <Text size="xs" c="dimmed" mb={6}>
        The change cannot start its implementation until every condition is met. Due times are in {zoneWords()}.
      </Text>
      {errorAt('conditions') && (
        <Text size="xs" c="red.8" role="alert" mb={6}>
          {errorAt('conditions')}
        </Text>
      )}
      <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Conditions">
        {conditions.map((c, i) => {
          const n = i + 1;
          return (
            <Paper key={c.key} component="li" withBorder p="xs" radius="sm" aria-label={`Condition ${n}`}>
              <Stack gap={6}>
                <Textarea
                  label={`Condition ${n}`}
                  placeholder="e.g. The DBA team reviews the migration script"
                  required
                  autosize
                  minRows={1}
                  value={c.text}
                  onChange={(e) => setCondition(i, { text: e.currentTarget.value })}
                  error={errorAt(`conditions.${i}.text`)}
                />
                <Group align="flex-start" gap="sm">
                  <TextInput
                    label={`Due (condition ${n})`}
                    description="Left empty: before implementation"
                    type="datetime-local"
                    value={c.due}
                    onChange={(e) => setCondition(i, { due: e.currentTarget.value })}
                    error={errorAt(`conditions.${i}.dueAt`)}
                    w={220}
                  />
                  <Select
                    label={`Verified by (condition ${n})`}
                    data={VERIFIER_OPTIONS}
                    value={c.verifier}
                    onChange={(v) => setCondition(i, { verifier: (v as VerifierKind | null) ?? 'change_manager' })}
                    allowDeselect={false}
                    w={200}
                  />
                  {c.verifier === 'person' && (
                    <UserSelect
                      label={`Verifier (condition ${n})`}
                      placeholder="Choose a person"
                      required
                      value={c.userId}
                      onChange={(userId) => setCondition(i, { userId })}
                      error={errorAt(`conditions.${i}.verifier`)}
                      w={240}
                    />
                  )}
                  {c.verifier === 'check' && (
                    <TextInput
                      label={`Check (condition ${n})`}
                      description="CEL over the change: met while it holds"
                      placeholder={'"load_test" in evidence'}
                      required
                      ff="monospace"
                      value={c.check}
                      onChange={(e) => setCondition(i, { check: e.currentTarget.value })}
                      error={errorAt(`conditions.${i}.verifier`)}
                      style={{ flex: 1, minWidth: 240 }}
                    />
                  )}
                </Group>
                {conditions.length > 1 && (
                  <Group>
                    <Button size="compact-xs" variant="subtle" color="red" onClick={() => onChange(conditions.filter((_, j) => j !== i))}>
                      Remove condition {n}
                    </Button>
                  </Group>
                )}
              </Stack>
            </Paper>
          );
        })}
      </Stack>
      {conditions.length < 20 && (
        <Button size="xs" variant="light" mt="xs" onClick={() => onChange([...conditions, emptyCondition()])}>
          Add a condition
        </Button>
      )}
    </fieldset>
  );
}

/** A decision once recorded: what, why, the conditions, where it was deferred to, who decided, the votes and the quorum. */
export function DecisionSummary({ decision }: { decision: DecisionView }) {
  const q = decision.quorum;
  return (
    <Stack gap={6} aria-label={`Decision on ${decision.number}`} component="section">
      <Group gap="xs">
        <Title order={3} size="h5">
          Decision
        </Title>
        <DecisionBadge decision={decision.decision} />
      </Group>
      <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
        {decision.rationale}
      </Text>
      {decision.deferredTo && (
        <Text size="sm">
          Deferred to <RouterAnchor to={`/meetings/${decision.deferredTo.meetingId}`}>the meeting of {formatDateTime(decision.deferredTo.start)}</RouterAnchor>.
        </Text>
      )}
      {decision.conditions.length > 0 && (
        <Stack gap={2}>
          <Text size="sm" fw={600}>
            Conditions
          </Text>
          <Stack gap={2} component="ol" style={{ margin: 0, paddingLeft: 20 }}>
            {decision.conditions.map((c) => (
              <Text key={c.id} component="li" size="sm">
                {c.text} ({c.state === 'met' ? 'met' : c.dueAt ? `due ${formatDateTime(c.dueAt)}` : 'due before implementation'})
              </Text>
            ))}
          </Stack>
        </Stack>
      )}
      <Text size="xs" c="dimmed">
        By {decision.decidedBy.name}, {formatDateTime(decision.decidedAt)}
        {decision.minutesSpent !== null ? ` · ${Math.round(decision.minutesSpent)} min on the item` : ''} · quorum{' '}
        {q.met ? `met (${q.voters} present)` : `not met (${q.missingMembers} more needed${q.missingDomains.length ? `, with ${q.missingDomains.join(', ')}` : ''})`}
      </Text>
      {decision.votes.length > 0 && (
        <Text size="xs" c="dimmed">
          Votes: {decision.votes.map((v) => `${v.name} ${v.decision === 'approve' ? 'for' : 'against'}`).join(', ')}
        </Text>
      )}
    </Stack>
  );
}
