import { Alert, Button, Divider, Drawer, Group, SegmentedControl, Stack, Text, Textarea, Title } from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useId, useState } from 'react';
import { ApiError } from '../../api/client';
import { DefinitionList } from '../../shared/definition-list';
import { ErrorAlert } from '../../shared/error-alert';
import { displayTimeZone, formatRange } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { RouterAnchor } from '../../shared/router-link';
import { useUserNames } from '../admin/user-select';
import { useCis, useServices } from '../cmdb/cmdb-api';
import { useChange, useChangeRisk } from '../changes/change-api';
import { useChangeConflicts } from '../changes/conflicts-api';
import { fieldErrorsFrom } from '../changes/field-errors';
import { stateLabel, typeLabel, usePolicy } from '../changes/policy';
import { RiskLevelBadge } from '../changes/risk-badge';
import { quorumWords } from './approval-words';
import { type Decision, type MyApproval, useApproverName, useDecideApproval } from './approvals-api';
import { DecisionError, firstName } from './decision-controls';

/** A range ends in the zone's abbreviation ("CET"); the zone's own name follows unless it is the same ("UTC"). */
function withZone(range: string): string {
  const zone = displayTimeZone();
  return range.endsWith(zone) ? range : `${range} (${zone})`;
}

/** Text as written, with its line breaks; a quiet "Not given" when empty. */
function Prose({ text }: { text: string }) {
  if (!text.trim()) {
    return (
      <Text span size="sm" c="gray.7" fs="italic">
        Not given
      </Text>
    );
  }
  return <span className="cabinet-pre">{text}</span>;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <Title order={3} size="h6" id={id} mb={6}>
        {title}
      </Title>
      {children}
    </section>
  );
}

/**
 * What an approver needs to judge a change without leaving the inbox: what it is, how risky and why, when
 * (with the zone), on what, how it will be done, tested and backed out, what it collides with, who asked,
 * and the rule that asked them.
 */
export function ChangeEssentials({ approval }: { approval: MyApproval }) {
  const change = useChange(approval.changeId);
  const risk = useChangeRisk(approval.changeId);
  const conflicts = useChangeConflicts(approval.changeId);
  const { data: policy } = usePolicy();
  const approverName = useApproverName();
  const cis = useCis(change.data?.ciIds ?? []);
  const services = useServices(change.data?.serviceIds ?? []);
  const names = useUserNames([change.data?.requesterId]);

  if (change.isPending) return <PageLoader label="Loading the change" />;
  if (change.isError) return <ErrorAlert error={change.error} title="Cannot load the change" onRetry={() => void change.refetch()} />;
  const c = change.data;

  const reasons = (risk.data?.factors ?? [])
    .filter((f) => f.contribution > 0)
    .sort((a, b) => b.contribution - a.contribution)
    .slice(0, 3);
  const items = conflicts.data?.items ?? [];
  const blocking = items.filter((x) => x.blocking).length;
  const listOf = (values: string[]) => (values.length === 0 ? <Prose text="" /> : values.join(', '));

  return (
    <Stack gap="md" data-testid="change-essentials">
      <Section title="Why you are asked">
        <DefinitionList
          termWidth="9rem"
          rows={[
            ['Stage', approval.stageLabel],
            ['Rule', `${approval.rule}: ${approval.reason}`],
            ['Approver', `${approverName(approval.approver)} · ${quorumWords(approval.quorum)}`],
            ...(approval.decidesFor ? ([['For', `${approval.decidesFor.name}, who is away`]] as [string, string][]) : []),
          ]}
        />
      </Section>
      <Section title="The change">
        <DefinitionList
          termWidth="9rem"
          rows={[
            ['Number', <RouterAnchor key="n" to={`/changes/${c.number}`} size="sm">{c.number}</RouterAnchor>],
            ['Title', c.title],
            ['Type', `${typeLabel(policy, c.type)} change, ${stateLabel(policy, c.type, c.state)}`],
            ['Requested by', names.get(c.requesterId) ?? c.requesterId],
            [
              'Risk',
              c.risk ? (
                <Stack gap={4} key="risk">
                  <span>
                    <RiskLevelBadge level={c.risk.level} /> <Text span size="sm">score {c.risk.score}{c.risk.overridden ? ', set by a change manager' : ''}</Text>
                  </span>
                  {reasons.length > 0 && (
                    <Stack gap={0} component="ul" style={{ margin: 0, paddingLeft: '1.1rem' }} aria-label="Top risk reasons">
                      {reasons.map((f) => (
                        <Text component="li" size="sm" key={f.name}>
                          {f.label}: {f.reason} (+{f.contribution})
                        </Text>
                      ))}
                    </Stack>
                  )}
                </Stack>
              ) : (
                'Not assessed'
              ),
            ],
            ['Planned window', c.plannedStart && c.plannedEnd ? withZone(formatRange(c.plannedStart, c.plannedEnd)) : <Prose key="w" text="" />],
            ['CIs', listOf(c.ciIds.map((id, i) => cis[i]?.data?.name ?? id))],
            ['Services', listOf(c.serviceIds.map((id, i) => services[i]?.data?.name ?? id))],
            [
              'Conflicts',
              conflicts.isPending ? '…' : items.length === 0 ? 'None' : `${items.length} conflict${items.length === 1 ? '' : 's'}${blocking > 0 ? `, ${blocking} blocking` : ''}`,
            ],
          ]}
        />
      </Section>
      <Section title="Plans">
        <DefinitionList
          termWidth="9rem"
          rows={[
            ['Implementation', <Prose key="i" text={c.implementationPlan} />],
            ['Test', <Prose key="t" text={c.testPlan} />],
            ['Backout', <Prose key="b" text={c.backoutPlan} />],
            ['Backout tested', c.backoutTested ? 'Yes' : 'No'],
          ]}
        />
      </Section>
    </Stack>
  );
}

/**
 * Decides one approval from the inbox, after reading the change: a drawer with the essentials of the change,
 * the decision (approve or reject), a comment (optional to approve, required to reject) and the button that
 * sends it. Keyboard: the drawer takes focus and keeps it, Tab walks it, Escape closes it.
 * NOTE: focus starts at the top of the drawer (its close button), not in the comment box below: focusing the
 * box would scroll the essentials out of view, and the point of the panel is to read them before deciding.
 */
export function DecisionPanel({ approval, initial, onClose }: { approval: MyApproval | null; initial: Decision; onClose: () => void }) {
  return (
    <Drawer
      opened={approval !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={approval ? `Decide ${approval.changeNumber}: ${approval.changeTitle}` : ''}
      closeButtonProps={{ 'aria-label': 'Close without deciding' }}
    >
      {approval && <DecisionBody key={approval.id} approval={approval} initial={initial} onDone={onClose} />}
    </Drawer>
  );
}

function DecisionBody({ approval, initial, onDone }: { approval: MyApproval; initial: Decision; onDone: () => void }) {
  const decide = useDecideApproval(approval.id, approval.changeId);
  const [decision, setDecision] = useState<Decision>(initial);
  const [comment, setComment] = useState('');
  const [missing, setMissing] = useState(false);
  useEffect(() => setMissing(false), [decision]);
  const errors = fieldErrorsFrom(decide.error);
  const forShort = approval.decidesFor ? ` for ${firstName(approval.decidesFor.name)}` : '';
  const rejecting = decision === 'reject';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = comment.trim();
    if (rejecting && text === '') {
      setMissing(true);
      return;
    }
    decide.mutate(
      { decision, ...(text ? { comment: text } : {}), ...(approval.decidesFor ? { onBehalfOf: approval.decidesFor.userId } : {}) },
      { onSuccess: onDone },
    );
  };

  return (
    <Stack gap="md">
      <ChangeEssentials approval={approval} />
      <Divider />
      <form onSubmit={submit} noValidate aria-label={`Your decision on ${approval.changeNumber}`}>
        <Stack gap="sm">
          <Stack gap={4}>
            <Text size="sm" fw={600} id={`decision-${approval.id}`}>
              Your decision{approval.decidesFor ? `, for ${approval.decidesFor.name}` : ''}
            </Text>
            <SegmentedControl
              aria-labelledby={`decision-${approval.id}`}
              value={decision}
              onChange={(v) => setDecision(v as Decision)}
              data={[
                { value: 'approve', label: 'Approve' },
                { value: 'reject', label: 'Reject' },
              ]}
              color={rejecting ? 'red' : 'green'}
              w="fit-content"
            />
          </Stack>
          <Textarea
            label={rejecting ? 'Why do you reject it?' : 'Comment (optional)'}
            description={rejecting ? 'Required. The requester sees it on the change.' : 'Conditions or notes for the requester; kept with your vote.'}
            required={rejecting}
            autosize
            minRows={2}
            maxRows={8}
            maxLength={4000}
            value={comment}
            onChange={(e) => {
              setComment(e.currentTarget.value);
              setMissing(false);
            }}
            error={missing ? 'a rejection needs a comment' : errors.comment}
          />
          {decide.isError && !(decide.error instanceof ApiError && errors.comment) && <DecisionError error={decide.error} />}
          {rejecting && (
            <Alert color="red" variant="light" p="xs">
              <Text size="sm">A single rejection rejects this approval: the change cannot be scheduled until it is asked again.</Text>
            </Alert>
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onDone} disabled={decide.isPending}>
              Not now
            </Button>
            <Button type="submit" color={rejecting ? 'red' : 'green'} loading={decide.isPending}>
              {rejecting ? 'Reject' : 'Approve'}
              {forShort} {approval.changeNumber}
            </Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
