import { Badge, Grid, Group, Paper, Space, Stack, Tabs, Text } from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import type { AvailableTransition, Change, ChangeDetail } from '../../api/types';
import { ConfirmDialog } from '../../shared/confirm-dialog';
import { ErrorAlert } from '../../shared/error-alert';
import { isoToLocalInput } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SaveBar } from '../../shared/save-bar';
import { RouterAnchor } from '../../shared/router-link';
import { UnsavedChangesDialog } from '../../shared/unsaved-changes-dialog';
import { useUnsavedChanges } from '../../shared/use-unsaved-changes';
import { blockingApprovalsOf, type BlockingApproval } from '../approvals/approval-words';
import { useChangeApprovals } from '../approvals/approvals-api';
import { ApprovalsPanel } from '../approvals/approvals-panel';
import { ChangeSlaPanel } from '../sla/change-sla-panel';
import { ChangeIncidentsPanel } from '../incidents/change-incidents-panel';
import { ChangeKnownErrorsPanel } from '../problems/change-known-errors-panel';
import { useChangeIncidents } from '../incidents/incidents-api';
import { useTemplate } from '../templates/templates-api';
import { ApprovalsPendingAlert } from '../approvals/approvals-pending-alert';
import { hasPermission, hasRole, useCurrentUser } from '../auth/session';
import { BreakGlassBanner, BreakGlassButton } from './break-glass';
import { useChange, useTransitionChange, useUpdateChange } from './change-api';
import { ChangeComments } from './change-comments';
import { ChangeDocument } from './change-document';
import { ChangeForm, type ChangeFormValues, formFromChange, toUpdateInput } from './change-form';
import { endsTheChange, hasValue, LifecycleActions, MoveReasons, movesOf } from './lifecycle-actions';
import { keepMyEdits, type StaleSave, StaleSaveDialog, staleSaveOf } from './stale-save-dialog';
import { ChangeHistory } from './change-history';
import { ChangeDeliveriesPanel } from '../deliveries/change-deliveries-panel';
import { ChangeDeploymentsPanel } from '../deployments/change-deployments-panel';
import { ChangeSummary } from './change-summary';
import { type Slot, useChangeConflicts } from './conflicts-api';
import { EvidencePanel } from './evidence-panel';
import { GateUnsatisfiedAlert, ReviewRequiredAlert } from './gate-unsatisfied-alert';
import { type BlockingGate, blockingGatesOf, useChangeEvidence } from './governance-api';
import { fieldErrorsFrom, UnplacedIssues } from './field-errors';
import { MissingFieldsAlert } from './missing-fields-alert';
import { findState, stateLabel, typeLabel, usePolicy } from './policy';
import { PolicyPanel } from './policy-panel';
import { RiskBadge } from './risk-badge';
import { RiskPanel } from './risk-panel';
import { ChangeChecksPanel } from './change-checks-panel';
import { routedTarget, RoutingHint } from './routing-hint';
import { ScheduleBanners } from './schedule-banners';
import { SchedulePanel } from './schedule-panel';
import { StateBadge, TypeBadge } from './state-badge';
import { AudiencePanel } from '../communication/audience-panel';
import { ConcernsPanel } from '../communication/concerns-panel';
import { ReclassificationSidebar } from '../catalogue-learning/reclassification-panel';
import { PirRequiredAlert, ReviewPanel, ReviewRequiredBanner } from '../reviews/review-panel';
import { ChangeConditionsPanel } from '../meetings/change-conditions-panel';

const FORM_FIELDS = [
  'title',
  'description',
  'justification',
  'ciIds',
  'plannedStart',
  'plannedEnd',
  'implementationPlan',
  'testPlan',
  'backoutPlan',
  'backoutTested',
  'impact',
  'urgency',
  'assignmentTeamId',
  'changeManagerId',
  'actualStart',
  'actualEnd',
  'closeCode',
  'closeNotes',
];

/** What the last lifecycle step attempt said, shown above the form. */
type StepProblem =
  | { kind: 'missing'; label: string; fields: string[] }
  | { kind: 'approvals'; label: string; approvals: BlockingApproval[] }
  | { kind: 'gates'; label: string; gates: BlockingGate[] }
  | { kind: 'review'; label: string; message: string; pir?: { missing: string[] } }
  | { kind: 'other'; label: string; error: unknown };

/** "Made from template X", linking to the template (its name once loaded). */
function MadeFromTemplate({ templateId }: { templateId: string }) {
  const template = useTemplate(templateId);
  return (
    <span data-testid="made-from-template">
      Made from template{' '}
      <RouterAnchor to={`/templates/${templateId}`} size="sm">
        {template.data?.name ?? 'this template'}
      </RouterAnchor>
    </span>
  );
}

export function ChangePage() {
  const { id = '' } = useParams();
  const query = useChange(id);
  if (query.isPending) return <PageLoader label="Loading the change" />;
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <ErrorAlert
        error={query.error}
        title={notFound ? 'There is no such change' : 'Cannot load the change'}
        onRetry={notFound ? undefined : () => void query.refetch()}
      />
    );
  }
  return <ChangeView change={query.data} cacheKey={id} onReload={() => query.refetch()} />;
}

interface ChangeViewProps {
  change: ChangeDetail;
  /** How the page loaded the change (number or id), so writes land in the same cache entry. */
  cacheKey: string;
  onReload: () => Promise<unknown>;
}

function ChangeView({ change, cacheKey, onReload }: ChangeViewProps) {
  const me = useCurrentUser();
  const { data: policy } = usePolicy();
  const update = useUpdateChange(change.id, cacheKey);
  const transition = useTransitionChange(change.id, cacheKey);
  // Taking a slot is a save of its own, so its failure is shown where the slot was taken, not above the form.
  const move = useUpdateChange(change.id, cacheKey);
  const [base, setBase] = useState<Change>(change);
  const [values, setValues] = useState<ChangeFormValues>(() => formFromChange(change));
  const [problem, setProblem] = useState<StepProblem | null>(null);
  const [pendingStep, setPendingStep] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  // A link may open a tab (an approval email links to ?tab=approvals).
  const [params] = useSearchParams();
  const [tab, setTab] = useState<string | null>(params.get('tab') ?? 'details');
  /** A move that ends the change (cancel, reject), waiting for its reason in the confirm dialog. */
  const [confirming, setConfirming] = useState<AvailableTransition | null>(null);
  /** Someone else saved first: what that means for the person's edits. */
  const [stale, setStale] = useState<StaleSave | null>(null);
  const approvals = useChangeApprovals(change.id);
  const pendingApprovals = approvals.data?.items.filter((a) => a.state === 'pending').length ?? 0;
  const evidence = useChangeEvidence(change.id);
  const missingGates = evidence.data?.gates.filter((g) => g.missing.length > 0).length ?? 0;
  const conflicts = useChangeConflicts(change.id);
  const conflictCount = conflicts.data?.items.length ?? 0;
  const blockingCount = conflicts.data?.items.filter((c) => c.blocking).length ?? 0;
  const canReadIncidents = hasPermission(me, 'incident.read');
  const incidents = useChangeIncidents(change.id, canReadIncidents);
  const incidentCount = incidents.data?.length ?? 0;

  const patch = toUpdateInput(base, values);
  const isDirty = Object.keys(patch).length > 0;
  const unsaved = useUnsavedChanges(isDirty);

  // Take the server's copy whenever it changes and the person has no unsaved edits.
  useEffect(() => {
    if (change.version > base.version && !isDirty) {
      setBase(change);
      setValues(formFromChange(change));
    }
  }, [change, base.version, isDirty]);

  const isFinal = !!findState(policy, change.type, change.state)?.final;
  // NOTE: the shipped policy lets change managers break glass on emergency changes; the server checks the active one.
  const canBreakGlass = change.type === 'emergency' && !isFinal && (hasRole(me, 'change_manager') || hasRole(me, 'admin'));
  const canEdit = !isFinal && change.editable !== 'none';
  // The implementer edits how the change went; fields the policy locks in this state stay as approved.
  const fieldOff = (field: string) => (change.editable === 'implementation' && !change.implementationFields.includes(field)) || change.lockedFields.includes(field);
  const model = policy?.models[change.type];
  // A later state in the model is a move forward; until the policy is read, no move counts as one.
  const order = (state: string) => model?.states.findIndex((st) => st.id === state) ?? 0;
  // Required fields count as filled once the form has them, saved or not: a lifecycle action saves first.
  const formValues = values as unknown as Record<string, unknown>;
  const filled = (field: string) => hasValue(field in formValues ? formValues[field] : (change as unknown as Record<string, unknown>)[field]);
  const moves = movesOf(change.availableTransitions, change.state, filled, order);
  const refusedByRole = change.availableTransitions.filter((t) => !t.allowed);
  const busy = update.isPending || transition.isPending || move.isPending;

  const adopt = (saved: Change) => {
    setBase(saved);
    setValues(formFromChange(saved));
  };

  /** Saves pending edits; resolves to the version to act on next, or null when the save failed. */
  /** Saves the edits; the saved version, and whether the save moved the change (authorization reopened). */
  const saveChange = async (): Promise<{ version: number; reopened: string | null } | null> => {
    if (!isDirty) return { version: base.version, reopened: null };
    try {
      const saved = await update.mutateAsync({ ...patch, version: base.version });
      adopt(saved);
      return { version: saved.version, reopened: saved.state !== base.state ? saved.state : null };
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) await showStale();
      return null;
    }
  };
  const reopenedWords = (state: string) =>
    `The change went back to ${stateLabel(policy, change.type, state)}: its approvals were given for what it was before, and were requested again for the new content.`;

  /** Moves the change to a slot: only the planned times are sent, and other unsaved edits stay in the form. */
  const takeSlot = async (slot: Slot) => {
    setProblem(null);
    setAnnouncement('');
    try {
      const saved = await move.mutateAsync({ plannedStart: slot.start, plannedEnd: slot.end, version: base.version });
      setBase(saved);
      setValues((v) => ({ ...v, plannedStart: isoToLocalInput(saved.plannedStart), plannedEnd: isoToLocalInput(saved.plannedEnd) }));
      setAnnouncement('Moved to the new slot.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) await showStale();
      throw err;
    }
  };

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    transition.reset();
    const saved = await saveChange();
    if (saved !== null) setAnnouncement(saved.reopened ? `Saved. ${reopenedWords(saved.reopened)}` : 'Saved.');
  };

  /** Reads the latest copy and says what someone else's save means for the person's edits. */
  const showStale = async () => {
    const result = (await onReload()) as { data?: ChangeDetail };
    if (result.data) setStale(staleSaveOf(base, values, result.data));
  };

  const onStep = async (step: AvailableTransition, reason?: string) => {
    // A move that ends the change asks first, and for a reason.
    if (endsTheChange(step) && reason === undefined) {
      transition.reset();
      setConfirming(step);
      return;
    }
    setProblem(null);
    setAnnouncement('');
    setPendingStep(step.to);
    try {
      const saved = await saveChange();
      if (saved === null) return;
      if (saved.reopened) {
        setAnnouncement(`Saved, but not “${step.label}”. ${reopenedWords(saved.reopened)}`);
        return;
      }
      const next = await transition.mutateAsync({ to: step.to, version: saved.version, ...(reason ? { comment: reason } : {}) });
      adopt(next);
      setConfirming(null);
      setAnnouncement(`${step.label}: done.`);
    } catch (err) {
      // The dialog keeps a refusal of the reason itself; any other refusal is shown on the page.
      if (!(err instanceof ApiError && err.code === 'reason_required')) setConfirming(null);
      if (err instanceof ApiError && err.code === 'reason_required') {
        // Shown in the dialog, under the reason.
      } else if (err instanceof ApiError && err.code === 'missing_fields') {
        const fields = Array.isArray(err.details.fields) ? err.details.fields.map(String) : step.missingFields;
        setProblem({ kind: 'missing', label: step.label, fields });
        setTab('details');
      } else if (err instanceof ApiError && err.code === 'approvals_pending') {
        setProblem({ kind: 'approvals', label: step.label, approvals: blockingApprovalsOf(err.details) });
        void approvals.refetch();
      } else if (err instanceof ApiError && err.code === 'gate_unsatisfied') {
        setProblem({ kind: 'gates', label: step.label, gates: blockingGatesOf(err.details) });
        void evidence.refetch();
      } else if (err instanceof ApiError && err.code === 'review_required') {
        // A post-implementation review (details.review) or a break-glass review: the same code, different remedies.
        const pir = err.details.review as { missing?: { message: string }[] } | undefined;
        setProblem({
          kind: 'review',
          label: step.label,
          message: err.message,
          ...(pir ? { pir: { missing: (pir.missing ?? []).map((m) => m.message) } } : {}),
        });
      } else if (err instanceof ApiError && err.status === 412) {
        await showStale();
      } else {
        setProblem({ kind: 'other', label: step.label, error: err });
      }
    } finally {
      setPendingStep(null);
    }
  };

  const keepMine = () => {
    if (!stale) return;
    setBase(stale.latest);
    setValues(keepMyEdits(stale, values));
    update.reset();
    setStale(null);
    setAnnouncement(stale.kept.length > 0 ? 'Reloaded with your edits kept; save them when ready.' : 'Reloaded.');
  };
  const discardMine = () => {
    if (!stale) return;
    adopt(stale.latest);
    update.reset();
    setStale(null);
    setAnnouncement('Reloaded; your edits were discarded.');
  };
  const reasonError = transition.error instanceof ApiError && transition.error.code === 'reason_required' ? (fieldErrorsFrom(transition.error).comment ?? transition.error.message) : undefined;

  const errors: Record<string, ReactNode> = fieldErrorsFrom(update.error);
  if (problem?.kind === 'missing') {
    for (const field of problem.fields) errors[field] ??= `Needed to “${problem.label}”`;
  }

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <Text ff="monospace" fw={600} size="sm" c="dimmed">
              {change.number}
            </Text>
            <TypeBadge type={change.type} label={`${typeLabel(policy, change.type)} change`} />
            <StateBadge state={change.state} type={change.type} size="md" data-testid="change-state" />
            <RiskBadge risk={change.risk} size="md" withMarker data-testid="change-risk" />
          </Group>
        }
        title={change.title}
        description={change.templateId ? <MadeFromTemplate templateId={change.templateId} /> : undefined}
        actions={
          (moves.length > 0 || canBreakGlass) && (
            <>
              {moves.length > 0 && <LifecycleActions moves={moves} pending={pendingStep} busy={busy} onMove={(t) => void onStep(t)} />}
              {canBreakGlass && <BreakGlassButton changeId={change.id} />}
            </>
          )
        }
      />
      <Text size="xs" c="dimmed" mt={-8} mb="sm" role="status" aria-live="polite">
        {announcement}
      </Text>
      {!isFinal && <MoveReasons moves={moves} refusedByRole={refusedByRole} />}

      <Stack gap="sm" mb="sm">
        <BreakGlassBanner change={change} canReview={hasPermission(me, 'change.review_break_glass')} />
        <ReviewRequiredBanner
          changeId={change.id}
          version={change.version}
          isFinal={isFinal}
          onShow={tab === 'review' ? undefined : () => setTab('review')}
        />
        <ScheduleBanners change={change} onShow={tab === 'schedule' ? undefined : () => setTab('schedule')} />
        {problem?.kind === 'missing' && (
          <MissingFieldsAlert fields={problem.fields} action={problem.label} onClose={() => setProblem(null)} />
        )}
        {problem?.kind === 'approvals' && (
          <ApprovalsPendingAlert
            approvals={problem.approvals}
            action={problem.label}
            known={approvals.data?.items}
            onShow={tab === 'approvals' ? undefined : () => setTab('approvals')}
            onClose={() => setProblem(null)}
          />
        )}
        {problem?.kind === 'gates' && missingGates > 0 && (
          <GateUnsatisfiedAlert
            gates={problem.gates}
            action={problem.label}
            known={evidence.data?.gates}
            onShow={tab === 'evidence' ? undefined : () => setTab('evidence')}
            onClose={() => setProblem(null)}
          />
        )}
        {problem?.kind === 'review' && !problem.pir && (
          <ReviewRequiredAlert action={problem.label} message={problem.message} onClose={() => setProblem(null)} />
        )}
        {problem?.kind === 'review' && problem.pir && (
          <PirRequiredAlert
            changeId={change.id}
            action={problem.label}
            message={problem.message}
            missing={problem.pir.missing}
            onShow={tab === 'review' ? undefined : () => setTab('review')}
            onClose={() => setProblem(null)}
          />
        )}
        {problem?.kind === 'other' && <ErrorAlert error={problem.error} title={`Cannot “${problem.label}”`} />}
        {update.isError && !(update.error instanceof ApiError && update.error.status === 412) && (
          <UnplacedIssues error={update.error} placed={FORM_FIELDS} title="The change was not saved" />
        )}
      </Stack>

      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8, xl: 9 }}>
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List mb="sm">
              <Tabs.Tab value="details">Details{isDirty ? ' •' : ''}</Tabs.Tab>
              <Tabs.Tab value="approvals">Approvals{pendingApprovals > 0 ? ` (${pendingApprovals} pending)` : ''}</Tabs.Tab>
              {/* NOTE: accessibility. A tab with a count is named "Evidence: 1 gate open"; its label ends in a space so
                  that its visible text reads "Evidence 1", which the name contains (WCAG 2.5.3, Label in Name). */}
              <Tabs.Tab
                value="evidence"
                aria-label={missingGates > 0 ? `Evidence: ${missingGates} gate${missingGates === 1 ? '' : 's'} open` : undefined}
                rightSection={
                  missingGates > 0 ? (
                    <Badge size="xs" color="orange" variant="filled" circle aria-hidden>
                      {missingGates}
                    </Badge>
                  ) : undefined
                }
              >
                {missingGates > 0 ? 'Evidence ' : 'Evidence'}
              </Tabs.Tab>
              <Tabs.Tab
                value="schedule"
                aria-label={
                  conflictCount > 0
                    ? `Schedule: ${conflictCount} conflict${conflictCount === 1 ? '' : 's'}${blockingCount > 0 ? `, ${blockingCount} blocking` : ''}`
                    : undefined
                }
                rightSection={
                  conflictCount > 0 ? (
                    <Badge
                      size="xs"
                      color={blockingCount > 0 ? 'red' : 'gray'}
                      variant="filled"
                      circle
                      aria-hidden
                      data-testid="schedule-tab-count"
                    >
                      {conflictCount}
                    </Badge>
                  ) : undefined
                }
              >
                {conflictCount > 0 ? 'Schedule ' : 'Schedule'}
              </Tabs.Tab>
              {canReadIncidents && (
                <Tabs.Tab
                  value="incidents"
                  aria-label={incidentCount > 0 ? `Incidents: ${incidentCount}` : undefined}
                  rightSection={
                    incidentCount > 0 ? (
                      <Badge size="xs" color="red" variant="filled" circle aria-hidden data-testid="incidents-tab-count">
                        {incidentCount}
                      </Badge>
                    ) : undefined
                  }
                >
                  {incidentCount > 0 ? 'Incidents ' : 'Incidents'}
                </Tabs.Tab>
              )}
              <Tabs.Tab value="review">Review</Tabs.Tab>
              <Tabs.Tab value="policy">Policy</Tabs.Tab>
              <Tabs.Tab
                value="concerns"
                aria-label={change.concerns.open > 0 ? `Concerns: ${change.concerns.open} open` : undefined}
                rightSection={
                  change.concerns.open > 0 ? (
                    <Badge size="xs" color="orange" variant="filled" circle aria-hidden data-testid="concerns-tab-count">
                      {change.concerns.open}
                    </Badge>
                  ) : undefined
                }
              >
                {change.concerns.open > 0 ? 'Concerns ' : 'Concerns'}
              </Tabs.Tab>
              <Tabs.Tab value="comments">Comments and work notes</Tabs.Tab>
              <Tabs.Tab value="history">History</Tabs.Tab>
              <Tabs.Tab value="deliveries">Deliveries</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="details">
              {!canEdit ? (
                <ChangeDocument change={change} note={isFinal ? 'This change is closed to edits.' : 'You may not edit this change.'} />
              ) : (
                <form onSubmit={(e) => void onSave(e)} aria-label="Change details" noValidate>
                  <ChangeForm
                    values={values}
                    onChange={setValues}
                    errors={errors}
                    withOutcome
                    disabled={busy ? true : fieldOff}
                    routingHints={{
                      team: <RoutingHint routed={routedTarget(change, 'team', values.assignmentTeamId)} />,
                      changeManager: <RoutingHint routed={routedTarget(change, 'changeManager', values.changeManagerId)} />,
                    }}
                    scheduling={{
                      changeId: change.id,
                      implementerId: change.implementerId,
                      // The banner above the page speaks for the saved times; the form warns once they are edited.
                      warnOfFreezes: patch.plannedStart !== undefined || patch.plannedEnd !== undefined || patch.ciIds !== undefined,
                    }}
                  />
                  {canEdit && (
                    <SaveBar saving={update.isPending} dirty={isDirty} busy={busy} dirtyNote="Unsaved edits. A lifecycle action saves them first." onDiscard={() => { setValues(formFromChange(base)); update.reset(); }} />
                  )}
                  {canEdit && (change.editable === 'implementation' || change.lockedFields.length > 0) && (
                    <Text size="xs" c="gray.7" mt="sm" data-testid="edit-scope">
                      {change.editable === 'implementation'
                        ? 'As its implementer you may record how the change went: actual start and end, close code and notes, links.'
                        : 'The work is under way on what was approved: the plans, CIs, window and people are locked.'}
                    </Text>
                  )}
                </form>
              )}
            </Tabs.Panel>
            <Tabs.Panel value="approvals">
              <ApprovalsPanel changeId={change.id} />
              <Space h="lg" />
              <ChangeSlaPanel changeId={change.id} />
            </Tabs.Panel>
            <Tabs.Panel value="evidence">
              <EvidencePanel changeId={change.id} changeType={change.type} canAdd={!isFinal && hasPermission(me, 'change.update')} />
              <Space h="lg" />
              <ChangeDeploymentsPanel changeId={change.id} />
            </Tabs.Panel>
            <Tabs.Panel value="schedule">
              <SchedulePanel
                change={change}
                canEdit={canEdit}
                canAcknowledge={hasPermission(me, 'change.acknowledge_conflict')}
                onTakeSlot={takeSlot}
              />
            </Tabs.Panel>
            {canReadIncidents && (
              <Tabs.Panel value="incidents">
                <ChangeIncidentsPanel change={change} canReport={hasPermission(me, 'incident.write')} />
                <Space h="lg" />
                <ChangeKnownErrorsPanel change={change} />
              </Tabs.Panel>
            )}
            <Tabs.Panel value="review">
              <ReviewPanel changeId={change.id} />
            </Tabs.Panel>
            <Tabs.Panel value="policy">
              <PolicyPanel change={change} />
            </Tabs.Panel>
            <Tabs.Panel value="concerns">
              <ConcernsPanel
                changeId={change.id}
                canRaise={hasPermission(me, 'change.raise_concern')}
                implemented={change.actualStart !== null || ['implement', 'review', 'closed'].includes(change.state)}
              />
            </Tabs.Panel>
            <Tabs.Panel value="comments">
              <ChangeComments changeId={change.id} canComment={hasPermission(me, 'change.comment')} />
            </Tabs.Panel>
            <Tabs.Panel value="history">
              <ChangeHistory changeId={change.id} changeType={change.type} />
            </Tabs.Panel>
            <Tabs.Panel value="deliveries">
              <ChangeDeliveriesPanel changeId={change.id} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4, xl: 3 }}>
          <Stack gap="md">
            <ChangeConditionsPanel changeId={change.id} />
            <Paper withBorder p="sm" radius="sm">
              <RiskPanel
                changeId={change.id}
                version={change.version}
                summary={change.risk}
                canOverride={!isFinal && hasPermission(me, 'change.override_risk')}
              />
            </Paper>
            <ChangeChecksPanel change={change} canRun={!isFinal && hasPermission(me, 'change.update')} />
            <Paper withBorder p="sm" radius="sm">
              <ChangeSummary change={change} />
            </Paper>
            <Paper withBorder p="sm" radius="sm">
              <AudiencePanel changeId={change.id} />
            </Paper>
            <ReclassificationSidebar change={change} canReclassify={hasPermission(me, 'change.reclassify')} />
          </Stack>
        </Grid.Col>
      </Grid>

      <ConfirmDialog
        opened={confirming !== null}
        title={confirming ? `${confirming.label} ${change.number}?` : ''}
        confirmLabel={confirming ? `${confirming.label} the change` : ''}
        closeLabel="Keep the change"
        reason={{
          label: 'Why?',
          description: 'Required. Kept in the history and sent to the people on the change.',
          required: true,
        }}
        loading={confirming !== null && pendingStep === confirming.to}
        reasonError={reasonError}
        onConfirm={(reason) => confirming && void onStep(confirming, reason)}
        onClose={() => setConfirming(null)}
      >
        {confirming && <EndingWords change={change} to={confirming.to} stateName={stateLabel(policy, change.type, confirming.to)} dirty={isDirty} />}
      </ConfirmDialog>
      <StaleSaveDialog stale={stale} stateLabel={(state) => stateLabel(policy, change.type, state)} onKeep={keepMine} onDiscard={discardMine} />
      <UnsavedChangesDialog unsaved={unsaved} what={change.number} />
    </>
  );
}

/** What ending the change means, in plain words, for the confirm dialog. */
function EndingWords({ change, to, stateName, dirty }: { change: Change; to: string; stateName: string; dirty: boolean }) {
  const verb = to === 'cancelled' ? 'Cancelling' : to === 'rejected' ? 'Rejecting' : `Moving it to ${stateName}`;
  return (
    <>
      <Text size="sm">
        {verb} ends {change.number} for good: it cannot be reopened or edited afterwards. Its open approvals are withdrawn and it leaves the
        schedule.
      </Text>
      <Text size="sm" mt="xs">
        {to === 'rejected' ? 'The requester' : 'The people on the change'} will see your reason in its history.
        {dirty ? ' Your unsaved edits are saved first.' : ''}
      </Text>
    </>
  );
}
