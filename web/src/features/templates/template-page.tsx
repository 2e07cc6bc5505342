import { Alert, Badge, Button, Divider, Grid, Group, Paper, Stack, Tabs, Text, TextInput } from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { UnsavedChangesDialog } from '../../shared/unsaved-changes-dialog';
import { useUnsavedChanges } from '../../shared/use-unsaved-changes';
import { useTeamNames } from '../admin/admin-api';
import { hasPermission, useCurrentUser } from '../auth/session';
import { typeLabel, usePolicy } from '../changes/policy';
import { TypeBadge } from '../changes/state-badge';
import { UnplacedIssues } from '../changes/field-errors';
import { useServiceOptions } from '../cmdb/cmdb-api';
import { CatalogueActions } from './catalogue-actions';
import { EligibilityPanel } from './catalogue-eligibility';
import { FileChangeDialog } from './catalogue-file-change';
import { SuspensionLog, suspensionTitle } from './catalogue-suspensions';
import { VersionsSection } from './catalogue-versions';
import {
  formFromTemplate,
  TEMPLATE_FORM_FIELDS,
  TemplateForm,
  type TemplateFormValues,
  templateFieldErrors,
  toUpdateTemplateInput,
} from './template-form';
import { TemplateChangesSection } from './template-changes';
import { HealthBadge, ReviewDue, ScoreText, TemplateStateBadge } from './template-ui';
import {
  failureColor,
  failurePercent,
  HEALTH_WORDS,
  incidentsText,
  suspensionNumbers,
  suspensionReason,
  TEMPLATE_STATE_WORDS,
  usedText,
} from './template-words';
import { type TemplateDetail, useReviewSchedule, useTemplate, useTemplateVersions, useUpdateTemplate } from './templates-api';

export function TemplatePage() {
  const { id = '' } = useParams();
  const query = useTemplate(id);
  if (query.isPending) return <PageLoader label="Loading the template" />;
  if (query.isError) {
    const notFound = query.error instanceof ApiError && query.error.status === 404;
    return (
      <ErrorAlert
        error={query.error}
        title={notFound ? 'There is no such template' : 'Cannot load the template'}
        onRetry={notFound ? undefined : () => void query.refetch()}
      />
    );
  }
  return <TemplateView template={query.data} onReload={() => query.refetch()} />;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
      <Text size="xs" c="dimmed" style={{ flexShrink: 0 }}>
        {label}
      </Text>
      <Text size="sm" ta="right" component="div">
        {children}
      </Text>
    </Group>
  );
}

/** How the changes made from the entry fared, as the server counts them: every use, the score and the last 90 days. */
function TemplateHistoryPanel({ template }: { template: TemplateDetail }) {
  const h = template.history;
  const review = useReviewSchedule().data?.get(template.id);
  return (
    <Stack gap={6} aria-label="History" role="region">
      <Group justify="space-between" gap="xs">
        <Text fw={600} size="sm">
          History
        </Text>
        <HealthBadge health={template.health} />
      </Group>
      <Text size="xs" c="dimmed">
        {HEALTH_WORDS[template.health]}
      </Text>
      <Row label="Changes made from it">{usedText(h)}</Row>
      <Row label="Last used">{formatDateTime(h.lastUsedAt)}</Row>
      <Row label="Successful">{h.successful}</Row>
      <Row label="Successful with issues">{h.successfulWithIssues}</Row>
      <Row label="Failed">
        <Text span size="sm" c={h.failed > 0 ? 'red.8' : undefined} fw={h.failed > 0 ? 600 : undefined}>
          {h.failed}
        </Text>
      </Row>
      <Row label="Incidents caused">{incidentsText(h.incidents)}</Row>
      <Row label="Success score">
        <ScoreText score={h.score} />
      </Row>
      <Text size="xs" c="dimmed">
        The score adds points for each change by how it closed and takes points off for each incident it caused, with the policy’s weights.
      </Text>
      <Divider my={4} label="Last 90 days" labelPosition="left" />
      <Row label="Finished">{h.changes90d}</Row>
      <Row label="Failed">{h.failed90d}</Row>
      <Row label="Failure rate">
        <Text span size="sm" c={failureColor(h)} fw={h.failed90d > 0 ? 600 : undefined}>
          {failurePercent(h) ?? 'None finished'}
        </Text>
      </Row>
      <Text size="xs" c="dimmed">
        Failed means closed as unsuccessful or rolled back. The risk of a change made from this template counts it.
      </Text>
      <Divider my={4} />
      {review && (
        <Row label="Next review">
          <ReviewDue item={review} />
        </Row>
      )}
      <Row label="Version in force">{template.contentVersion}</Row>
      <Row label="Created">{formatDateTime(template.createdAt)}</Row>
      <Row label="Updated">{formatDateTime(template.updatedAt)}</Row>
    </Stack>
  );
}

/** What the entry's state means, with the latest suspension or the pending version where there is one. */
function StateAlert({ template, onShowVersions }: { template: TemplateDetail; onShowVersions: () => void }) {
  const latest = template.suspensions[0];
  if (template.state === 'suspended') {
    const numbers = latest ? suspensionNumbers(latest.numbers) : [];
    return (
      <Alert color="red" variant="light" title="Suspended" role="note" data-testid="template-state-alert">
        <Text size="sm">{TEMPLATE_STATE_WORDS.suspended}</Text>
        {latest?.kind === 'suspended' && (
          <>
            <Text size="sm" mt={6}>
              <strong>{suspensionTitle(latest)}</strong> on {formatDateTime(latest.at)}
              {latest.automatic ? '' : ` by ${latest.byName || latest.by}`}: {suspensionReason(latest.reason)}
            </Text>
            {numbers.length > 0 && (
              <Text size="xs" mt={4}>
                {numbers.join(' · ')}
              </Text>
            )}
          </>
        )}
      </Alert>
    );
  }
  if (template.pendingVersion && (template.state === 'active' || template.state === 'retired')) {
    const p = template.pendingVersion;
    return (
      <Alert color="blue" variant="light" title={`Version ${p.number} waits for activation`} role="note" data-testid="template-state-alert">
        <Text size="sm">
          Proposed on {formatDateTime(p.proposedAt)}
          {p.note ? `: “${p.note}”` : ''}. Version {template.contentVersion} stays in force until a change manager activates it.
        </Text>
        <Button size="xs" variant="light" mt="xs" onClick={onShowVersions}>
          See what it changes
        </Button>
      </Alert>
    );
  }
  if (template.state === 'active') return null;
  return (
    <Alert
      color={template.state === 'proposed' ? 'blue' : 'gray'}
      variant="light"
      title={TEMPLATE_STATE_WORDS[template.state].split(':')[0]}
      role="note"
      data-testid="template-state-alert"
    >
      {TEMPLATE_STATE_WORDS[template.state].split(': ').slice(1).join(': ')}
    </Alert>
  );
}

function TemplateView({ template, onReload }: { template: TemplateDetail; onReload: () => Promise<unknown> }) {
  const me = useCurrentUser();
  const { data: policy } = usePolicy();
  const [params] = useSearchParams();
  const update = useUpdateTemplate(template.id);
  // Retiring, and sending a draft on, are saves of their own: unsaved edits stay in the form.
  const retire = useUpdateTemplate(template.id);
  const [base, setBase] = useState<TemplateDetail>(template);
  const [values, setValues] = useState<TemplateFormValues>(() => formFromTemplate(template));
  const [note, setNote] = useState('');
  const [stale, setStale] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const [tab, setTab] = useState<string | null>(params.get('tab') ?? 'entry');
  const [filing, setFiling] = useState(false);
  const teamNames = useTeamNames();
  const services = useServiceOptions();
  const versions = useTemplateVersions(template.id);
  const canWrite = hasPermission(me, 'template.write');
  const canUse = hasPermission(me, 'change.create');
  const isProposer = base.createdBy === me?.id;
  const standard = base.type === 'standard';
  const live = base.state === 'active' || base.state === 'suspended';
  // A change manager edits any template; its author edits a draft or proposal until it is activated; anyone who
  // files changes may propose the next version of a catalogue entry in force.
  const canEdit = canWrite || (isProposer && (base.state === 'draft' || base.state === 'proposed')) || (canUse && live && standard);
  const patch = toUpdateTemplateInput(base, values);
  const isDirty = Object.keys(patch).length > 0;
  const unsaved = useUnsavedChanges(isDirty);
  const busy = update.isPending || retire.isPending;
  // An edit of a catalogue entry in force does not change it: it is proposed as the next version (and replaces
  // a pending one). A template of normal or emergency changes takes an edit at once.
  const proposes = live && (standard || values.type === 'standard');
  const nextVersion = Math.max(base.contentVersion, base.pendingVersion?.number ?? 0, ...(versions.data ?? []).map((v) => v.number)) + 1;

  // Take the server's copy whenever it changes and the person has no unsaved edits (a step's answer, say).
  useEffect(() => {
    if ((template.version > base.version || template.suspensions.length !== base.suspensions.length) && !isDirty) {
      setBase(template);
      setValues(formFromTemplate(template));
    }
  }, [template, base.version, base.suspensions.length, isDirty]);

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    setAnnouncement('');
    setStale(false);
    if (!isDirty) return;
    try {
      const saved = await update.mutateAsync({ ...patch, ...(note.trim() ? { note: note.trim() } : {}), version: base.version });
      const merged = { ...base, ...saved };
      setBase(merged);
      setValues(formFromTemplate(merged));
      setNote('');
      setAnnouncement(
        proposes && saved.pendingVersion
          ? `Proposed as version ${saved.pendingVersion.number}: it waits for a change manager to activate it. Version ${saved.contentVersion} stays in force until then.`
          : 'Saved.',
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const onPatch = async (input: { active: boolean } | { state: 'proposed' }, words: (t: TemplateDetail) => string) => {
    setAnnouncement('');
    setStale(false);
    try {
      const saved = await retire.mutateAsync({ ...input, version: base.version });
      const merged = { ...base, ...saved };
      setBase(merged);
      setAnnouncement(words(merged));
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const reload = async () => {
    setStale(false);
    update.reset();
    retire.reset();
    const result = (await onReload()) as { data?: TemplateDetail };
    if (result.data) {
      setBase(result.data);
      setValues(formFromTemplate(result.data));
    }
  };

  const errors = templateFieldErrors(update.error);
  const ciNames = new Map(base.cis.map((c) => [c.id, c.name]));
  const serviceNames = new Map((services.data ?? []).map((s) => [s.value, s.label]));
  const names = {
    ci: (id: string) => ciNames.get(id) ?? id,
    team: (id: string) => teamNames.get(id) ?? id,
    service: (id: string) => serviceNames.get(id) ?? id,
  };
  const canFile = canUse && (base.state === 'active' || (standard && base.state === 'suspended'));

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <RouterAnchor to="/templates" size="sm">
              ← Templates
            </RouterAnchor>
            <TypeBadge type={base.type} label={`${typeLabel(policy, base.type)} change`} />
            <TemplateStateBadge state={base.state} size="md" />
            <Text size="xs" c="dimmed">
              Version {base.contentVersion}
              {base.category ? ` · ${base.category}` : ''}
              {base.ownerTeam ? ` · kept by ${base.ownerTeam.name}` : ''}
            </Text>
          </Group>
        }
        title={base.name}
        description={base.description || undefined}
        actions={
          <>
            {canFile &&
              (standard ? (
                <Button onClick={() => setFiling(true)}>File a change from this entry</Button>
              ) : (
                <Button component={Link} to={`/changes/new?template=${encodeURIComponent(base.id)}`}>
                  Use this template
                </Button>
              ))}
            {canEdit && !canWrite && base.state === 'draft' && (
              <Button
                variant="light"
                loading={retire.isPending}
                disabled={busy}
                onClick={() => void onPatch({ state: 'proposed' }, () => 'Sent for activation: a change manager will look at it.')}
              >
                Send for activation
              </Button>
            )}
            {canWrite && (
              <CatalogueActions
                template={base}
                disabled={busy || isDirty}
                onDone={(words) => {
                  setAnnouncement(words);
                  void onReload();
                }}
              />
            )}
            {canWrite && (
              <Button
                variant={base.state === 'retired' ? 'default' : 'subtle'}
                color={base.state === 'retired' ? undefined : 'red'}
                loading={retire.isPending}
                disabled={busy && !retire.isPending}
                onClick={() =>
                  void onPatch({ active: base.state === 'retired' }, (saved) =>
                    saved.state === 'retired'
                      ? 'Retired: it is no longer offered for new changes.'
                      : 'Reactivated: people can start changes from it again.',
                  )
                }
              >
                {base.state === 'retired' ? 'Reactivate' : 'Retire'}
              </Button>
            )}
          </>
        }
      />
      <Text size="xs" c="dimmed" mt={-8} mb="sm" role="status" aria-live="polite">
        {announcement}
      </Text>
      <Stack gap="sm" mb="sm">
        <StateAlert template={base} onShowVersions={() => setTab('versions')} />
        {stale && (
          <Alert color="yellow" variant="light" role="alert" title="Someone changed this template, reload">
            <Text size="sm">Your copy is out of date. Reload to see the latest version; your unsaved edits will be discarded.</Text>
            <Button size="xs" mt="xs" variant="filled" color="yellow" onClick={() => void reload()}>
              Reload
            </Button>
          </Alert>
        )}
        {retire.isError && !stale && <ErrorAlert error={retire.error} title="Not done" />}
        {update.isError && !stale && (
          <UnplacedIssues error={update.error} placed={TEMPLATE_FORM_FIELDS} title="The template was not saved" />
        )}
      </Stack>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8, xl: 9 }}>
          <Tabs value={tab} onChange={setTab} keepMounted={false}>
            <Tabs.List mb="sm">
              <Tabs.Tab value="entry">Entry{isDirty ? ' •' : ''}</Tabs.Tab>
              <Tabs.Tab
                value="versions"
                aria-label={base.pendingVersion ? `Versions: version ${base.pendingVersion.number} pending` : undefined}
                rightSection={
                  base.pendingVersion ? (
                    <Badge size="xs" color="blue" variant="filled" aria-hidden>
                      pending
                    </Badge>
                  ) : undefined
                }
              >
                {base.pendingVersion ? 'Versions ' : 'Versions'}
              </Tabs.Tab>
              <Tabs.Tab value="suspensions">Suspension log{base.suspensions.length > 0 ? ` (${base.suspensions.length})` : ''}</Tabs.Tab>
            </Tabs.List>
            <Tabs.Panel value="entry">
              <form onSubmit={(e) => void onSave(e)} aria-label="Template" noValidate>
                {canEdit && proposes && (
                  <Alert color="blue" variant="light" mb="sm" p="xs" role="note">
                    <Text size="sm">
                      Version {base.contentVersion} is in force. Saving an edit proposes it as version {nextVersion}
                      {base.pendingVersion
                        ? ` (made from version ${base.contentVersion}, it replaces the pending version ${base.pendingVersion.number})`
                        : ''}
                      : a change manager activates it before it replaces version {base.contentVersion}.
                    </Text>
                  </Alert>
                )}
                <TemplateForm values={values} onChange={setValues} errors={errors} disabled={!canEdit || busy} />
                {canEdit ? (
                  <Stack gap="xs" mt="md">
                    {isDirty && (
                      <TextInput
                        label={proposes ? `What changes in version ${nextVersion}, and why` : 'What changed, and why'}
                        description="Optional. Kept with the version, for the change manager who activates it."
                        maxLength={5000}
                        value={note}
                        onChange={(e) => setNote(e.currentTarget.value)}
                        maw={640}
                      />
                    )}
                    <Group gap="sm">
                      <Button type="submit" loading={update.isPending} disabled={!isDirty || busy}>
                        {proposes ? `Propose version ${nextVersion}` : 'Save'}
                      </Button>
                      <Button
                        variant="default"
                        disabled={!isDirty || busy}
                        onClick={() => {
                          setValues(formFromTemplate(base));
                          setNote('');
                          update.reset();
                        }}
                      >
                        Discard edits
                      </Button>
                      {isDirty && (
                        <Text size="xs" c="dimmed">
                          Unsaved edits.
                        </Text>
                      )}
                    </Group>
                  </Stack>
                ) : (
                  <Text size="xs" c="dimmed" mt="sm">
                    Change managers keep the templates. To change this one, ask them, or propose a new entry.
                  </Text>
                )}
              </form>
            </Tabs.Panel>
            <Tabs.Panel value="versions">
              <VersionsSection templateId={base.id} names={names} />
            </Tabs.Panel>
            <Tabs.Panel value="suspensions">
              <SuspensionLog rows={base.suspensions} />
            </Tabs.Panel>
          </Tabs>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4, xl: 3 }}>
          <Stack gap="md">
            <Paper withBorder p="sm" radius="sm">
              <TemplateHistoryPanel template={base} />
            </Paper>
            {standard && (
              <Paper withBorder p="sm" radius="sm">
                <EligibilityPanel eligibility={base.eligibility} />
              </Paper>
            )}
          </Stack>
        </Grid.Col>
      </Grid>
      <Divider my="lg" />
      <TemplateChangesSection templateId={base.id} />
      {canFile && <FileChangeDialog template={base} opened={filing} onClose={() => setFiling(false)} />}
      <UnsavedChangesDialog unsaved={unsaved} what="this template" />
    </>
  );
}
