import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Textarea, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { Link } from 'react-router';
import type { ChangeDetail } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { RouterAnchor } from '../../shared/router-link';
import { usePeople } from '../admin/admin-api';
import { UserSelect } from '../admin/user-select';
import {
  type ChangeImpact,
  type Conflict,
  CONFLICT_KIND_LABELS,
  type ConflictKind,
  type FreezeException,
  FREEZE_EXCEPTION_STATE_LABELS,
  formatInterval,
  type Slot,
  type SlotSearch,
  slotSearchFor,
  useAcknowledgeConflict,
  useChangeConflicts,
  useChangeImpact,
  useExcludeCi,
  useFreezeExceptions,
  useIncludeCi,
  useRequestFreezeException,
  useWithdrawFreezeException,
} from './conflicts-api';
import { fieldErrorsFrom, UnplacedIssues } from './field-errors';
import { SlotList } from './slot-finder';

const listStyle = { listStyle: 'none', padding: 0, margin: 0 } as const;

const KIND_COLORS: Record<ConflictKind, string> = {
  ci_overlap: 'grape',
  related_ci_overlap: 'violet',
  freeze: 'red',
  outside_maintenance_window: 'orange',
  assignee_busy: 'blue',
};

/** Blocking ones first, then by time. */
export function sortConflicts(items: readonly Conflict[]): Conflict[] {
  return [...items].sort((a, b) => Number(b.blocking) - Number(a.blocking) || a.startsAt.localeCompare(b.startsAt));
}

function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <Group justify="space-between" mb={6} gap="xs">
        <Title order={2} size="h5" id={id}>
          {title}
        </Title>
        {actions}
      </Group>
      {children}
    </section>
  );
}

const Dimmed = ({ children }: { children: ReactNode }) => (
  <Text size="sm" c="dimmed">
    {children}
  </Text>
);

/** Taking a slot: which one is being taken, and what went wrong with the last attempt. */
interface SlotTaking {
  picking: Slot | null;
  error: unknown;
  /** Resolves to whether the change moved. */
  take: (slot: Slot) => Promise<boolean>;
}

function useSlotTaking(onTakeSlot: (slot: Slot) => Promise<unknown>): SlotTaking {
  const [picking, setPicking] = useState<Slot | null>(null);
  const [error, setError] = useState<unknown>(null);
  const take = async (slot: Slot) => {
    setPicking(slot);
    setError(null);
    try {
      await onTakeSlot(slot);
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setPicking(null);
    }
  };
  return { picking, error, take };
}

function AcknowledgeForm({ changeId, conflict, onDone }: { changeId: string; conflict: Conflict; onDone: () => void }) {
  const acknowledge = useAcknowledgeConflict(changeId, conflict.id);
  const [reason, setReason] = useState('');
  const errors = fieldErrorsFrom(acknowledge.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    acknowledge.mutate({ reason }, { onSuccess: onDone });
  };
  return (
    <form onSubmit={onSubmit} aria-label="Acknowledge the conflict" noValidate>
      <Stack gap="xs" mt="xs">
        <Textarea
          label="Why is this conflict acceptable?"
          description="Recorded with your name in the change's history."
          required
          autosize
          minRows={2}
          maxRows={6}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          error={errors.reason}
          data-autofocus
        />
        {acknowledge.isError && !errors.reason && (
          <UnplacedIssues error={acknowledge.error} placed={['reason']} title="The conflict was not acknowledged" />
        )}
        <Group gap="xs">
          <Button type="submit" size="xs" loading={acknowledge.isPending}>
            Acknowledge
          </Button>
          <Button size="xs" variant="default" onClick={onDone} disabled={acknowledge.isPending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

interface ConflictItemProps {
  changeId: string;
  conflict: Conflict;
  canAcknowledge: boolean;
  canMove: boolean;
  taking: SlotTaking;
}

function ConflictItem({ changeId, conflict: c, canAcknowledge, canMove, taking }: ConflictItemProps) {
  const [acknowledging, setAcknowledging] = useState(false);
  const label = CONFLICT_KIND_LABELS[c.kind] ?? c.kind;
  const mayAcknowledge = c.kind !== 'freeze' && c.acknowledgement === null;
  return (
    <Paper
      component="li"
      withBorder
      radius="sm"
      p="sm"
      aria-label={`${label}${c.blocking ? ' (blocking)' : ''}`}
      data-kind={c.kind}
      data-blocking={c.blocking}
      style={c.blocking ? { borderLeft: '3px solid var(--mantine-color-red-6)' } : undefined}
    >
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <Group gap={6}>
          <Badge size="sm" variant="light" color={KIND_COLORS[c.kind] ?? 'gray'} tt="none">
            {label}
          </Badge>
          {c.blocking && (
            <Badge size="sm" variant="filled" color="red">
              Blocking
            </Badge>
          )}
          {c.excepted && (
            <Badge size="sm" variant="light" color="green">
              Excepted
            </Badge>
          )}
          {c.acknowledgement && (
            <Badge size="sm" variant="light" color="teal" tt="none">
              Acknowledged by {c.acknowledgement.byName}
            </Badge>
          )}
        </Group>
        <Text size="xs" c="dimmed" style={{ flexShrink: 0 }} data-testid="conflict-interval">
          {formatInterval(c.startsAt, c.endsAt)}
        </Text>
      </Group>
      <Text size="sm" mt={4}>
        {c.message}
      </Text>
      <Group gap="md" mt={4}>
        {c.otherChange && (
          <Text size="xs">
            <Text span c="dimmed" size="xs">
              Other change:{' '}
            </Text>
            <Anchor component={Link} to={`/changes/${encodeURIComponent(c.otherChange.number)}`} size="xs" ff="monospace">
              {c.otherChange.number}
            </Anchor>{' '}
            {c.otherChange.title}
            {c.otherChange.plannedStart && c.otherChange.plannedEnd
              ? ` (${formatInterval(c.otherChange.plannedStart, c.otherChange.plannedEnd)})`
              : ''}
          </Text>
        )}
        {c.window && (
          <Text size="xs">
            <Text span c="dimmed" size="xs">
              {c.window.kind === 'freeze' ? 'Freeze: ' : 'Window: '}
            </Text>
            <RouterAnchor to="/schedule/windows" size="xs">
              {c.window.name}
            </RouterAnchor>
          </Text>
        )}
        {c.service && (
          <Text size="xs">
            <Text span c="dimmed" size="xs">
              Service:{' '}
            </Text>
            <RouterAnchor to={`/cmdb/services/${encodeURIComponent(c.service.id)}`} size="xs">
              {c.service.name}
            </RouterAnchor>
          </Text>
        )}
        {c.cis.length > 0 && (
          <Text size="xs">
            <Text span c="dimmed" size="xs">
              CIs:{' '}
            </Text>
            {c.cis.map((ci, i) => (
              <span key={ci.id}>
                {i > 0 && ', '}
                <RouterAnchor to={`/cmdb/cis/${encodeURIComponent(ci.id)}`} size="xs">
                  {ci.name}
                </RouterAnchor>
              </span>
            ))}
          </Text>
        )}
      </Group>
      {c.acknowledgement && (
        <Text size="xs" mt={4} data-testid="acknowledgement">
          Acknowledged by {c.acknowledgement.byName} ({formatDateTime(c.acknowledgement.at)}): {c.acknowledgement.reason}
        </Text>
      )}
      {c.proposedSlot && (
        <Group gap="xs" mt={6} data-testid="proposed-slot">
          <Text size="sm">
            <Text span fw={600} size="sm">
              Proposed:
            </Text>{' '}
            {formatInterval(c.proposedSlot.start, c.proposedSlot.end)}
          </Text>
          {canMove && (
            <Button
              size="compact-sm"
              variant="light"
              onClick={() => void taking.take(c.proposedSlot!)}
              loading={taking.picking?.start === c.proposedSlot.start}
              disabled={taking.picking !== null}
            >
              Take this slot
            </Button>
          )}
        </Group>
      )}
      {mayAcknowledge && canAcknowledge && !acknowledging && (
        <Button size="compact-xs" variant="default" mt={6} onClick={() => setAcknowledging(true)}>
          Acknowledge
        </Button>
      )}
      {mayAcknowledge && !canAcknowledge && c.blocking && (
        <Text size="xs" c="dimmed" mt={4}>
          A change manager may acknowledge this conflict with a reason, or move the change.
        </Text>
      )}
      {acknowledging && <AcknowledgeForm changeId={changeId} conflict={c} onDone={() => setAcknowledging(false)} />}
    </Paper>
  );
}

interface ConflictsSectionProps {
  change: ChangeDetail;
  canAcknowledge: boolean;
  canMove: boolean;
  taking: SlotTaking;
}

function ConflictsSection({ change, canAcknowledge, canMove, taking }: ConflictsSectionProps) {
  const query = useChangeConflicts(change.id);
  const [search, setSearch] = useState<SlotSearch | null>(null);
  if (query.isPending) return <PageLoader label="Loading the conflicts" />;
  if (query.isError) return <ErrorAlert error={query.error} title="Cannot load the conflicts" onRetry={() => void query.refetch()} />;
  const { items, checked } = query.data;
  const blocking = items.filter((c) => c.blocking).length;
  const canSearch = canMove && change.ciIds.length > 0 && items.length > 0;
  return (
    <Section
      title={`Conflicts (${items.length})`}
      actions={
        canSearch &&
        !search && (
          <Button
            size="xs"
            variant="default"
            onClick={() =>
              setSearch(
                slotSearchFor(change.ciIds, change.plannedStart, change.plannedEnd, Date.now(), {
                  excludeChangeId: change.id,
                  implementerId: change.implementerId,
                }),
              )
            }
          >
            Find a slot
          </Button>
        )
      }
    >
      <Stack gap="xs">
        {!checked ? (
          <Dimmed>Cabinet checks conflicts while the change is open and has a planned start and end.</Dimmed>
        ) : items.length === 0 ? (
          <Dimmed>
            No conflicts: no freeze applies, and nothing else is planned on these CIs, within their impact or for the implementer at this
            time.
          </Dimmed>
        ) : (
          blocking > 0 && (
            <Text size="sm" c="red.8">
              {blocking === 1 ? 'One conflict stops' : `${blocking} conflicts stop`} the change from being scheduled.
            </Text>
          )
        )}
        {taking.error !== null && <ErrorAlert error={taking.error} title="The change was not moved" />}
        {search && (
          <SlotList
            search={search}
            pickLabel="Take this slot"
            picking={taking.picking}
            onPick={(slot) => void taking.take(slot).then((moved) => moved && setSearch(null))}
            onClose={() => setSearch(null)}
          />
        )}
        {items.length > 0 && (
          <Stack component="ul" gap="xs" style={listStyle} aria-label="Conflicts">
            {sortConflicts(items).map((c) => (
              <ConflictItem
                key={c.id}
                changeId={change.id}
                conflict={c}
                canAcknowledge={canAcknowledge}
                canMove={canMove}
                taking={taking}
              />
            ))}
          </Stack>
        )}
      </Stack>
    </Section>
  );
}

/** Who accepts the risk: a person found by the people search, or an email when the search fails. */
function AccepterField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: ReactNode }) {
  const users = usePeople('');
  const description = 'The person who takes responsibility for the risk; they are named on the exception.';
  if (users.isError) {
    return (
      <TextInput
        label="Who accepts the risk (email)"
        description={description}
        type="email"
        required
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        error={error}
      />
    );
  }
  return (
    <UserSelect
      label="Who accepts the risk"
      description={description}
      required
      value={value || null}
      onChange={(v) => onChange(v ?? '')}
      error={error}
    />
  );
}

const EXCEPTION_FIELDS = ['reason', 'risk', 'mitigation', 'acceptedBy'];

function FreezeExceptionForm({ changeId, onDone }: { changeId: string; onDone: () => void }) {
  const request = useRequestFreezeException(changeId);
  const [values, setValues] = useState({ reason: '', risk: '', mitigation: '', acceptedBy: '' });
  const errors = fieldErrorsFrom(request.error);
  const set = (key: keyof typeof values) => (v: string) => setValues((old) => ({ ...old, [key]: v }));
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    request.mutate({ ...values, acceptedBy: values.acceptedBy.trim() }, { onSuccess: onDone });
  };
  const area = (key: 'reason' | 'risk' | 'mitigation', label: string, description: string) => (
    <Textarea
      label={label}
      description={description}
      required
      autosize
      minRows={2}
      maxRows={8}
      value={values[key]}
      onChange={(e) => set(key)(e.currentTarget.value)}
      error={errors[key]}
    />
  );
  return (
    <Paper withBorder radius="sm" p="sm">
      <form onSubmit={onSubmit} aria-label="Request a freeze exception" noValidate>
        <Stack gap="xs">
          {area('reason', 'Why it cannot wait', 'Why the change must happen before the freeze ends.')}
          {area('risk', 'What could go wrong', 'The risk of changing during the freeze.')}
          {area('mitigation', 'Mitigation', 'How the risk is reduced: timing, people on call, the backout.')}
          <AccepterField value={values.acceptedBy} onChange={set('acceptedBy')} error={errors.acceptedBy} />
          {request.isError && <UnplacedIssues error={request.error} placed={EXCEPTION_FIELDS} title="The exception was not requested" />}
          <Group gap="xs">
            <Button type="submit" size="xs" loading={request.isPending}>
              Request the exception
            </Button>
            <Button size="xs" variant="default" onClick={onDone} disabled={request.isPending}>
              Cancel
            </Button>
          </Group>
          <Text size="xs" c="dimmed">
            The policy decides who approves the exception; until it is approved, the freeze keeps blocking the change.
          </Text>
        </Stack>
      </form>
    </Paper>
  );
}

function ExceptionItem({ changeId, exception: e, canEdit }: { changeId: string; exception: FreezeException; canEdit: boolean }) {
  const withdraw = useWithdrawFreezeException(changeId);
  const [confirming, setConfirming] = useState(false);
  const state = FREEZE_EXCEPTION_STATE_LABELS[e.state] ?? { label: e.state, color: 'gray' };
  const open = e.state === 'requested' || e.state === 'approved';
  return (
    <Paper component="li" withBorder radius="sm" p="sm" aria-label={`Freeze exception: ${state.label}`} data-state={e.state}>
      <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
        <Group gap={6}>
          <Badge size="sm" color={state.color} variant={e.state === 'approved' ? 'filled' : 'light'} tt="none">
            {state.label}
          </Badge>
          <Text size="sm">For {e.windows.map((w) => w.name).join(', ')}</Text>
        </Group>
        <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
          Requested {formatDateTime(e.createdAt)}
          {e.decidedAt ? ` · decided ${formatDateTime(e.decidedAt)}` : ''}
        </Text>
      </Group>
      <Stack gap={2} mt={4}>
        <Text size="sm">
          <Text span fw={600} size="sm">
            Why:
          </Text>{' '}
          {e.reason}
        </Text>
        <Text size="sm">
          <Text span fw={600} size="sm">
            Risk:
          </Text>{' '}
          {e.risk}
        </Text>
        <Text size="sm">
          <Text span fw={600} size="sm">
            Mitigation:
          </Text>{' '}
          {e.mitigation}
        </Text>
        <Text size="xs" c="dimmed">
          Risk accepted by {e.acceptedBy.name}
        </Text>
      </Stack>
      {open && canEdit && (
        <Group gap="xs" mt={6}>
          {confirming ? (
            <>
              <Text size="xs">Withdraw it? The freeze blocks the change again.</Text>
              <Button
                size="compact-xs"
                color="red"
                variant="light"
                loading={withdraw.isPending}
                onClick={() => withdraw.mutate(e.id, { onSuccess: () => setConfirming(false) })}
              >
                Withdraw
              </Button>
              <Button size="compact-xs" variant="default" onClick={() => setConfirming(false)} disabled={withdraw.isPending}>
                Keep it
              </Button>
            </>
          ) : (
            <Button size="compact-xs" variant="default" onClick={() => setConfirming(true)}>
              Withdraw
            </Button>
          )}
        </Group>
      )}
      {withdraw.isError && <ErrorAlert error={withdraw.error} title="The exception was not withdrawn" />}
    </Paper>
  );
}

function FreezeExceptionsSection({ changeId, freezes, canEdit }: { changeId: string; freezes: Conflict[]; canEdit: boolean }) {
  const query = useFreezeExceptions(changeId);
  const [requesting, setRequesting] = useState(false);
  const items = query.data?.items ?? [];
  const needsException = freezes.some((c) => !c.excepted);
  if (freezes.length === 0 && items.length === 0) return null;
  const pending = items.some((e) => e.state === 'requested');
  return (
    <Section
      title="Freeze exceptions"
      actions={
        needsException &&
        canEdit &&
        !pending &&
        !requesting && (
          <Button size="xs" variant="light" color="red" onClick={() => setRequesting(true)}>
            Request a freeze exception
          </Button>
        )
      }
    >
      <Stack gap="xs">
        {query.isError && <ErrorAlert error={query.error} title="Cannot load the freeze exceptions" onRetry={() => void query.refetch()} />}
        {needsException && pending && (
          <Dimmed>An exception is waiting for approval (see the Approvals tab). The freeze blocks the change until it is approved.</Dimmed>
        )}
        {needsException && !pending && !requesting && (
          <Dimmed>
            To keep the planned time, ask for an exception: say why the change cannot wait, what could go wrong, how the risk is reduced and
            who accepts it.
          </Dimmed>
        )}
        {requesting && <FreezeExceptionForm changeId={changeId} onDone={() => setRequesting(false)} />}
        {query.isPending ? (
          <PageLoader label="Loading the freeze exceptions" />
        ) : (
          items.length > 0 && (
            <Stack component="ul" gap="xs" style={listStyle} aria-label="Freeze exceptions">
              {[...items].reverse().map((e) => (
                <ExceptionItem key={e.id} changeId={changeId} exception={e} canEdit={canEdit} />
              ))}
            </Stack>
          )
        )}
      </Stack>
    </Section>
  );
}

const DIRECTION_WORDS: Record<string, string> = {
  dependents: 'what depends on its CIs',
  dependencies: 'what its CIs depend on',
  both: 'what depends on its CIs and what they depend on',
};

function ExcludeForm({ changeId, ci, onDone }: { changeId: string; ci: { id: string; name: string }; onDone: () => void }) {
  const exclude = useExcludeCi(changeId);
  const [reason, setReason] = useState('');
  const errors = fieldErrorsFrom(exclude.error);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    exclude.mutate({ ciId: ci.id, reason }, { onSuccess: onDone });
  };
  return (
    <Paper withBorder radius="sm" p="sm" mt="xs">
      <form onSubmit={onSubmit} aria-label={`Exclude ${ci.name}`} noValidate>
        <Stack gap="xs">
          <Textarea
            label={`Why does the change not reach ${ci.name}?`}
            description="The CI no longer counts for conflicts; the reason is kept in the history."
            required
            autosize
            minRows={2}
            maxRows={6}
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value)}
            error={errors.reason}
            data-autofocus
          />
          {exclude.isError && <UnplacedIssues error={exclude.error} placed={['reason']} title="The CI was not excluded" />}
          <Group gap="xs">
            <Button type="submit" size="xs" loading={exclude.isPending}>
              Exclude
            </Button>
            <Button size="xs" variant="default" onClick={onDone} disabled={exclude.isPending}>
              Cancel
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function CiLink({ ci }: { ci: { id: string; name: string } }) {
  return (
    <RouterAnchor to={`/cmdb/cis/${encodeURIComponent(ci.id)}`} size="sm">
      {ci.name}
    </RouterAnchor>
  );
}

function ImpactedTable({
  impact,
  canEdit,
  onExclude,
}: {
  impact: ChangeImpact;
  canEdit: boolean;
  onExclude: (ci: { id: string; name: string }) => void;
}) {
  const serviceNames = new Map(impact.services.flatMap((s) => (s.id ? [[s.id, s.name] as const] : [])));
  return (
    <Table fz="sm" verticalSpacing={4} horizontalSpacing="xs" aria-label="Impacted CIs">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>CI</Table.Th>
          <Table.Th w={70}>Depth</Table.Th>
          <Table.Th>Via</Table.Th>
          <Table.Th>Service</Table.Th>
          {canEdit && (
            <Table.Th w={90}>
              <VisuallyHidden>Actions</VisuallyHidden>
            </Table.Th>
          )}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {impact.impacted.map((i) => (
          <Table.Tr key={i.id}>
            <Table.Td>
              <CiLink ci={i} />
            </Table.Td>
            <Table.Td>{i.depth}</Table.Td>
            <Table.Td>
              <CiLink ci={i.via} />
            </Table.Td>
            <Table.Td>{i.serviceId ? (serviceNames.get(i.serviceId) ?? '—') : '—'}</Table.Td>
            {canEdit && (
              <Table.Td>
                <Button size="compact-xs" variant="default" onClick={() => onExclude(i)} aria-label={`Exclude ${i.name}`}>
                  Exclude
                </Button>
              </Table.Td>
            )}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function ImpactSection({ changeId, canEdit }: { changeId: string; canEdit: boolean }) {
  const query = useChangeImpact(changeId);
  const include = useIncludeCi(changeId);
  const [excluding, setExcluding] = useState<{ id: string; name: string } | null>(null);
  if (query.isPending) return <PageLoader label="Loading the impact" />;
  if (query.isError) return <ErrorAlert error={query.error} title="Cannot load the impact" onRetry={() => void query.refetch()} />;
  const impact = query.data;
  const { settings } = impact;
  return (
    <Section title={`Impact (${impact.impactedCount} impacted CI${impact.impactedCount === 1 ? '' : 's'})`}>
      <Stack gap="xs">
        <Text size="xs" c="dimmed">
          The policy follows {DIRECTION_WORDS[settings.direction] ?? settings.direction} up to {settings.depth} step
          {settings.depth === 1 ? '' : 's'} over {settings.relationTypes.map((t) => t.replace(/_/g, ' ')).join(', ')}. Other changes on
          these CIs conflict with this one.
        </Text>
        <Group gap={6}>
          <Text size="sm" c="dimmed">
            Affected:
          </Text>
          {impact.affected.length === 0 ? (
            <Dimmed>no CIs yet</Dimmed>
          ) : (
            impact.affected.map((ci, i) => (
              <span key={ci.id}>
                {i > 0 && (
                  <Text span size="sm">
                    ,{' '}
                  </Text>
                )}
                <CiLink ci={ci} />
              </span>
            ))
          )}
        </Group>
        {impact.summarised ? (
          <>
            <Text size="sm">
              {impact.impactedCount} impacted CIs, more than the {settings.summariseAbove} listed one by one; by service:
            </Text>
            <Table fz="sm" verticalSpacing={4} horizontalSpacing="xs" aria-label="Impact by service">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Service</Table.Th>
                  <Table.Th w={130}>Impacted CIs</Table.Th>
                  <Table.Th w={110}>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {impact.services.map((s) => (
                  <Table.Tr key={s.id ?? 'none'}>
                    <Table.Td>
                      {s.id ? (
                        <RouterAnchor to={`/cmdb/services/${encodeURIComponent(s.id)}`} size="sm">
                          {s.name}
                        </RouterAnchor>
                      ) : (
                        s.name
                      )}
                    </Table.Td>
                    <Table.Td>{s.ciCount}</Table.Td>
                    <Table.Td>
                      {s.affected && (
                        <Badge size="xs" variant="light" color="blue">
                          Affected
                        </Badge>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </>
        ) : impact.impacted.length === 0 ? (
          <Dimmed>Nothing else is within reach of the affected CIs.</Dimmed>
        ) : (
          <ImpactedTable impact={impact} canEdit={canEdit} onExclude={setExcluding} />
        )}
        {excluding && <ExcludeForm key={excluding.id} changeId={changeId} ci={excluding} onDone={() => setExcluding(null)} />}
        {impact.excluded.length > 0 && (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Excluded by hand
            </Text>
            <Stack component="ul" gap={4} style={listStyle} aria-label="Excluded CIs">
              {impact.excluded.map((x) => (
                <Group component="li" key={x.id} justify="space-between" gap="xs" wrap="nowrap" align="flex-start" aria-label={x.name}>
                  <div>
                    <CiLink ci={x} />
                    <Text size="sm">{x.reason}</Text>
                    <Text size="xs" c="dimmed">
                      Excluded by {x.byName}, {formatDateTime(x.at)}
                    </Text>
                  </div>
                  {canEdit && (
                    <Button
                      size="compact-xs"
                      variant="default"
                      loading={include.isPending && include.variables === x.id}
                      onClick={() => include.mutate(x.id)}
                      aria-label={`Include ${x.name} again`}
                    >
                      Include again
                    </Button>
                  )}
                </Group>
              ))}
            </Stack>
            {include.isError && <ErrorAlert error={include.error} title="The CI was not put back" />}
          </Stack>
        )}
      </Stack>
    </Section>
  );
}

interface SchedulePanelProps {
  change: ChangeDetail;
  /** The person may edit the change and it is not closed: move it, request exceptions, exclude CIs. */
  canEdit: boolean;
  /** `change.acknowledge_conflict` (change managers). */
  canAcknowledge: boolean;
  /** Moves the change to the slot (a PATCH with the version the page holds); rejects when that fails. */
  onTakeSlot: (slot: Slot) => Promise<unknown>;
}

/** The change's Schedule tab: its conflicts, freeze exceptions and impact. */
export function SchedulePanel({ change, canEdit, canAcknowledge, onTakeSlot }: SchedulePanelProps) {
  const conflicts = useChangeConflicts(change.id);
  const taking = useSlotTaking(onTakeSlot);
  const freezes = (conflicts.data?.items ?? []).filter((c) => c.kind === 'freeze');
  return (
    <Stack gap="lg" data-testid="schedule-panel">
      <ConflictsSection change={change} canAcknowledge={canAcknowledge && canEdit} canMove={canEdit} taking={taking} />
      <FreezeExceptionsSection changeId={change.id} freezes={freezes} canEdit={canEdit} />
      <ImpactSection changeId={change.id} canEdit={canEdit} />
    </Stack>
  );
}
