import { Alert, Button, Divider, Grid, Group, Paper, Stack, Text } from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { SaveBar } from '../../shared/save-bar';
import { RouterAnchor } from '../../shared/router-link';
import { UnsavedChangesDialog } from '../../shared/unsaved-changes-dialog';
import { useUnsavedChanges } from '../../shared/use-unsaved-changes';
import { hasPermission, useCurrentUser } from '../auth/session';
import { typeLabel, usePolicy } from '../changes/policy';
import { TypeBadge } from '../changes/state-badge';
import { UnplacedIssues } from '../changes/field-errors';
import {
  formFromTemplate,
  TEMPLATE_FORM_FIELDS,
  TemplateForm,
  type TemplateFormValues,
  templateFieldErrors,
  toUpdateTemplateInput,
} from './template-form';
import { TemplateChangesSection } from './template-changes';
import { ActiveBadge } from './template-ui';
import { failureColor, failurePercent, usedText } from './template-words';
import { type Template, useTemplate, useUpdateTemplate } from './templates-api';

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

/** How the changes made from the template fared, as the server counts them. */
function TemplateHistoryPanel({ template }: { template: Template }) {
  const h = template.history;
  return (
    <Stack gap={6} aria-label="History" role="region">
      <Text fw={600} size="sm">
        History
      </Text>
      <Row label="Changes made from it">{usedText(h)}</Row>
      <Row label="Last used">{formatDateTime(h.lastUsedAt)}</Row>
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
      <Row label="Created">{formatDateTime(template.createdAt)}</Row>
      <Row label="Updated">{formatDateTime(template.updatedAt)}</Row>
      <Row label="Record version">{template.version}</Row>
    </Stack>
  );
}

function TemplateView({ template, onReload }: { template: Template; onReload: () => Promise<unknown> }) {
  const me = useCurrentUser();
  const { data: policy } = usePolicy();
  const update = useUpdateTemplate(template.id);
  // Retiring is a save of its own: only `active` is sent, and unsaved edits stay in the form.
  const retire = useUpdateTemplate(template.id);
  const [base, setBase] = useState<Template>(template);
  const [values, setValues] = useState<TemplateFormValues>(() => formFromTemplate(template));
  const [stale, setStale] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const canWrite = hasPermission(me, 'template.write');
  const canUse = hasPermission(me, 'change.create') && base.active;
  const patch = toUpdateTemplateInput(base, values);
  const isDirty = Object.keys(patch).length > 0;
  const unsaved = useUnsavedChanges(isDirty);
  const busy = update.isPending || retire.isPending;

  // Take the server's copy whenever it changes and the person has no unsaved edits.
  useEffect(() => {
    if (template.version > base.version && !isDirty) {
      setBase(template);
      setValues(formFromTemplate(template));
    }
  }, [template, base.version, isDirty]);

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    setAnnouncement('');
    setStale(false);
    if (!isDirty) return;
    try {
      const saved = await update.mutateAsync({ ...patch, version: base.version });
      setBase(saved);
      setValues(formFromTemplate(saved));
      setAnnouncement('Saved.');
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const onToggleActive = async () => {
    setAnnouncement('');
    setStale(false);
    try {
      const saved = await retire.mutateAsync({ active: !base.active, version: base.version });
      setBase(saved);
      setAnnouncement(
        saved.active ? 'Reactivated: people can start changes from it again.' : 'Retired: it is no longer offered for new changes.',
      );
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) setStale(true);
    }
  };

  const reload = async () => {
    setStale(false);
    update.reset();
    retire.reset();
    const result = (await onReload()) as { data?: Template };
    if (result.data) {
      setBase(result.data);
      setValues(formFromTemplate(result.data));
    }
  };

  const errors = templateFieldErrors(update.error);

  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <RouterAnchor to="/templates" size="sm">
              ← Templates
            </RouterAnchor>
            <TypeBadge type={base.type} label={`${typeLabel(policy, base.type)} change`} />
            <ActiveBadge active={base.active} />
          </Group>
        }
        title={base.name}
        description={base.description || undefined}
        actions={
          <>
            {canUse && (
              <Button component={Link} to={`/changes/new?template=${encodeURIComponent(base.id)}`}>
                Use this template
              </Button>
            )}
            {canWrite && (
              <Button
                variant={base.active ? 'light' : 'default'}
                color={base.active ? 'red' : undefined}
                loading={retire.isPending}
                disabled={busy && !retire.isPending}
                onClick={() => void onToggleActive()}
              >
                {base.active ? 'Retire' : 'Reactivate'}
              </Button>
            )}
          </>
        }
      />
      <Text size="xs" c="dimmed" mt={-8} mb="sm" role="status" aria-live="polite">
        {announcement}
      </Text>
      <Stack gap="sm" mb="sm">
        {!base.active && (
          <Alert color="gray" variant="light" title="Retired">
            This template is no longer offered when someone starts a change. Changes made from it keep pointing at it.
          </Alert>
        )}
        {stale && (
          <Alert color="yellow" variant="light" role="alert" title="Someone changed this template, reload">
            <Text size="sm">Your copy is out of date. Reload to see the latest version; your unsaved edits will be discarded.</Text>
            <Button size="xs" mt="xs" variant="filled" color="yellow" onClick={() => void reload()}>
              Reload
            </Button>
          </Alert>
        )}
        {retire.isError && !stale && <ErrorAlert error={retire.error} title={base.active ? 'Not retired' : 'Not reactivated'} />}
        {update.isError && !stale && (
          <UnplacedIssues error={update.error} placed={TEMPLATE_FORM_FIELDS} title="The template was not saved" />
        )}
      </Stack>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 8, xl: 9 }}>
          <form onSubmit={(e) => void onSave(e)} aria-label="Template" noValidate>
            <TemplateForm values={values} onChange={setValues} errors={errors} disabled={!canWrite || busy} />
            {canWrite ? (
              <SaveBar
                saving={update.isPending}
                dirty={isDirty}
                busy={busy}
                onDiscard={() => {
                  setValues(formFromTemplate(base));
                  update.reset();
                }}
              />
            ) : (
              <Text size="xs" c="dimmed" mt="sm">
                Change managers keep the templates.
              </Text>
            )}
          </form>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 4, xl: 3 }}>
          <Paper withBorder p="sm" radius="sm">
            <TemplateHistoryPanel template={base} />
          </Paper>
        </Grid.Col>
      </Grid>
      <Divider my="lg" />
      <TemplateChangesSection templateId={base.id} />
      <UnsavedChangesDialog unsaved={unsaved} what="this template" />
    </>
  );
}
