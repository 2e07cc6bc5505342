import { Anchor, Badge, Button, Group, Paper, Select, SimpleGrid, Spoiler, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type FormEvent, useId, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { SealedApprovalRecord } from '../audit/sealed-approval-record';
import { formatWhen } from '../audit/audit-labels';
import { toOptions } from '../../shared/labels';
import { PageLoader } from '../../shared/loading';
import { fieldErrorsFrom, UnplacedIssues } from './field-errors';
import {
  ATTACHABLE_KIND_LABELS,
  type AttachableEvidenceKind,
  EVIDENCE_KIND_COLORS,
  type Evidence,
  type EvidenceKind,
  evidenceKindLabel,
  type GateStatus,
  useAddEvidence,
  useChangeEvidence,
} from './governance-api';
import { stateLabel, usePolicy } from './policy';

const listStyle = { listStyle: 'none', padding: 0, margin: 0 } as const;
const kindOptions = toOptions(ATTACHABLE_KIND_LABELS);

export function EvidenceKindBadge({ kind }: { kind: string }) {
  return (
    <Badge size="sm" variant="light" color={EVIDENCE_KIND_COLORS[kind as EvidenceKind] ?? 'gray'} style={{ flexShrink: 0 }}>
      {evidenceKindLabel(kind)}
    </Badge>
  );
}

/** "Before Implement": the states a gate guards, in the policy's words. */
export function gateStates(gate: Pick<GateStatus, 'before'>, changeType: string, policy: ReturnType<typeof usePolicy>['data']): string {
  return gate.before.map((s) => stateLabel(policy, changeType, s)).join(', ');
}

/** One gate: what it needs, and a check or "missing" for each kind. */
export function GateItem({ gate, changeType }: { gate: GateStatus; changeType: string }) {
  const { data: policy } = usePolicy();
  const satisfied = gate.missing.length === 0;
  return (
    <Paper component="li" withBorder radius="sm" p="sm" aria-label={`Gate ${gate.name}`} data-gate={gate.name} data-satisfied={satisfied}>
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Text size="sm" fw={600} component="span" ff="monospace">
            {gate.name}
          </Text>
          <Text size="sm" c="dimmed" component="span">
            {' '}
            · before {gateStates(gate, changeType, policy)}
          </Text>
        </div>
        <Badge size="sm" color={satisfied ? 'green' : 'orange'} variant={satisfied ? 'light' : 'filled'} style={{ flexShrink: 0 }}>
          {satisfied ? 'Satisfied' : `${gate.missing.length} missing`}
        </Badge>
      </Group>
      <Text size="sm" mt={2}>
        {gate.reason}
      </Text>
      <Group gap={6} mt={6} component="ul" style={listStyle} aria-label="Evidence needed">
        {gate.evidence.map((kind) => {
          const missing = gate.missing.includes(kind);
          return (
            <li key={kind}>
              <Badge size="sm" variant={missing ? 'outline' : 'light'} color={missing ? 'orange' : 'green'} tt="none">
                {missing ? `Missing: ${evidenceKindLabel(kind)}` : `✓ ${evidenceKindLabel(kind)}`}
              </Badge>
            </li>
          );
        })}
      </Group>
      {gate.error && (
        <Text size="xs" c="orange.8" mt={4}>
          The policy could not evaluate this gate, so it applies: {gate.error}
        </Text>
      )}
    </Paper>
  );
}

function EvidenceItem({ evidence }: { evidence: Evidence }) {
  const sealed = evidence.kind === 'approval_record';
  return (
    <Paper component="li" withBorder radius="sm" p="sm" aria-label={evidence.title} data-evidence-kind={evidence.kind}>
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <EvidenceKindBadge kind={evidence.kind} />
          <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
            {evidence.title}
          </Text>
        </Group>
        <Text size="xs" c="dimmed" ff="monospace" title={`sha256 ${evidence.sha256}`} style={{ flexShrink: 0 }} data-testid="evidence-sha">
          sha256 {evidence.sha256.slice(0, 12)}
        </Text>
      </Group>
      <Text size="xs" c="dimmed" mt={2}>
        {sealed ? 'Sealed by Cabinet when the last approval was granted' : `Added by ${evidence.createdByName}`}, {formatWhen(evidence.createdAt)}
      </Text>
      {evidence.url && (
        <Anchor href={evidence.url} target="_blank" rel="noreferrer noopener" size="sm" style={{ overflowWrap: 'anywhere' }}>
          {evidence.url}
        </Anchor>
      )}
      {sealed && evidence.body && (
        <div style={{ marginTop: 'var(--mantine-spacing-xs)' }}>
          <SealedApprovalRecord body={evidence.body} changeId={evidence.changeId} sha256={evidence.sha256} />
        </div>
      )}
      {!sealed && evidence.body && (
        <Spoiler maxHeight={72} showLabel="Show all" hideLabel="Hide" fz="xs" mt={4}>
          <Text size="sm" className="cabinet-pre">
            {evidence.body}
          </Text>
        </Spoiler>
      )}
    </Paper>
  );
}

function AddEvidenceForm({ changeId, onDone }: { changeId: string; onDone: () => void }) {
  const add = useAddEvidence(changeId);
  const [kind, setKind] = useState<AttachableEvidenceKind>('test_evidence');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [url, setUrl] = useState('');
  const errors = fieldErrorsFrom(add.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ kind, title, body, url: url.trim() === '' ? null : url.trim() }, { onSuccess: onDone });
  };

  return (
    <Paper withBorder radius="sm" p="sm">
      <form onSubmit={onSubmit} aria-label="Add evidence" noValidate>
        <Stack gap="xs">
          <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
            <Select
              label="Kind"
              data={kindOptions}
              value={kind}
              onChange={(v) => v && setKind(v as AttachableEvidenceKind)}
              allowDeselect={false}
              error={errors.kind}
            />
            <TextInput
              label="Title"
              required
              maxLength={200}
              value={title}
              onChange={(e) => setTitle(e.currentTarget.value)}
              error={errors.title}
              style={{ gridColumn: 'span 2' }}
              data-autofocus
            />
          </SimpleGrid>
          <TextInput
            label="Link"
            description="Where the evidence lives: a CI run, a test report, a scan"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.currentTarget.value)}
            error={errors.url}
          />
          <Textarea
            label="Details"
            description="The evidence itself, or a summary of what the link shows. Give details, a link, or both."
            autosize
            minRows={3}
            maxRows={12}
            value={body}
            onChange={(e) => setBody(e.currentTarget.value)}
            error={errors.body}
          />
          {add.isError && <UnplacedIssues error={add.error} placed={['kind', 'title', 'url', 'body']} title="The evidence was not added" />}
          <Group gap="xs">
            <Button type="submit" size="xs" loading={add.isPending}>
              Add evidence
            </Button>
            <Button size="xs" variant="default" onClick={onDone} disabled={add.isPending}>
              Cancel
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            Evidence cannot be edited or removed once added: Cabinet keeps it with its hash in the change&apos;s history.
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}

interface EvidencePanelProps {
  changeId: string;
  changeType: string;
  /** The person may add evidence (change.update) and the change is not closed. */
  canAdd: boolean;
}

/** The policy's gates on the change with what each still misses, the evidence attached, and "Add evidence". */
export function EvidencePanel({ changeId, changeType, canAdd }: EvidencePanelProps) {
  const query = useChangeEvidence(changeId);
  const [adding, setAdding] = useState(false);
  const gatesId = useId();
  const itemsId = useId();
  if (query.isPending) return <PageLoader label="Loading the evidence" />;
  if (query.isError) return <ErrorAlert error={query.error} title="Cannot load the evidence" onRetry={() => void query.refetch()} />;
  const { items, gates } = query.data;

  return (
    <Stack gap="md" data-testid="evidence-panel">
      <section aria-labelledby={gatesId}>
        <Title order={2} size="h5" id={gatesId} mb={6}>
          Gates
        </Title>
        {gates.length === 0 ? (
          <Text size="sm" c="dimmed">
            No gate of the policy applies to this change.
          </Text>
        ) : (
          <Stack component="ul" gap="xs" style={listStyle} aria-label="Gates">
            {gates.map((g) => (
              <GateItem key={g.name} gate={g} changeType={changeType} />
            ))}
          </Stack>
        )}
      </section>
      <section aria-labelledby={itemsId}>
        <Group justify="space-between" mb={6}>
          <Title order={2} size="h5" id={itemsId}>
            Evidence ({items.length})
          </Title>
          {canAdd && !adding && (
            <Button size="xs" variant="default" onClick={() => setAdding(true)}>
              Add evidence
            </Button>
          )}
        </Group>
        {adding && (
          <div style={{ marginBottom: 'var(--mantine-spacing-sm)' }}>
            <AddEvidenceForm changeId={changeId} onDone={() => setAdding(false)} />
          </div>
        )}
        {items.length === 0 ? (
          <Text size="sm" c="dimmed">
            No evidence yet. Attach test results, a backout rehearsal or a security scan; Cabinet seals the approval record when the last approval
            is granted.
          </Text>
        ) : (
          <Stack component="ul" gap="xs" style={listStyle} aria-label="Evidence">
            {items.map((e) => (
              <EvidenceItem key={e.id} evidence={e} />
            ))}
          </Stack>
        )}
      </section>
    </Stack>
  );
}
