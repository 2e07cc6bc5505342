import { Alert, Button, Group, Paper, Radio, SimpleGrid, Stack, Text } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import type { ChangeType } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { PageHeader } from '../../shared/page-header';
import { UnsavedChangesDialog } from '../../shared/unsaved-changes-dialog';
import { useUnsavedChanges } from '../../shared/use-unsaved-changes';
import { TemplatePicker } from '../templates/template-picker';
import { type Template, useTemplate } from '../templates/templates-api';
import { useCreateChange } from './change-api';
import { ChangeForm, type ChangeFormValues, emptyChangeForm, toCreateInput } from './change-form';
import { KnownErrorsOnCisNotice } from '../problems/problem-ui';
import { fieldErrorsFrom, UnplacedIssues } from './field-errors';
import { orderedModels, usePolicy } from './policy';

const TYPE_HINTS: Record<string, string> = {
  standard: 'Pre-approved, low risk and repeatable.',
  normal: 'Assessed and authorised before it is scheduled.',
  emergency: 'Must happen now; authorised by the emergency CAB.',
};

/** Form fields the new-change page shows; issues on other paths are listed above the form. */
const FORM_FIELDS = [
  'templateId',
  'title',
  'description',
  'justification',
  'ciIds',
  'plannedStart',
  'plannedEnd',
  'implementationPlan',
  'testPlan',
  'backoutPlan',
  'impact',
  'urgency',
];

/** The form filled from a template: its type, its prefilled fields, its CIs and its team; planned times stay. */
export function fillFromTemplate(values: ChangeFormValues, template: Template): ChangeFormValues {
  return { ...values, ...template.fields, ciIds: template.ciIds, assignmentTeamId: template.assignmentTeamId };
}

/** Whether new changes can be made from the template: active, or suspended (they are then filed as normal changes). */
const makesChanges = (t: { state: string }) => t.state === 'active' || t.state === 'suspended';

export function NewChangePage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const policy = usePolicy();
  const create = useCreateChange();
  const [type, setType] = useState<ChangeType | null>(null);
  const [values, setValues] = useState<ChangeFormValues>(emptyChangeForm);
  const [typeError, setTypeError] = useState<string | null>(null);
  const [template, setTemplate] = useState<Template | null>(null);
  // `?template=<id>` (the templates' "Use" button) preselects a template once it has loaded.
  const presetId = params.get('template');
  const preset = useTemplate(presetId);
  const [presetApplied, setPresetApplied] = useState(false);

  const pickTemplate = (picked: Template | null) => {
    setTemplate(picked);
    if (!picked) return;
    setType(picked.type);
    setTypeError(null);
    setValues((v) => fillFromTemplate(v, picked));
  };

  useEffect(() => {
    if (presetApplied || !preset.data) return;
    setPresetApplied(true);
    // Only an active or suspended template makes new changes (the server refuses the others), so the link
    // fills nothing in for a draft, proposed or retired one.
    if (makesChanges(preset.data)) pickTemplate(preset.data);
  }, [preset.data, presetApplied]);

  // Anything typed or picked is worth asking about before leaving; the draft exists only once created.
  const unsaved = useUnsavedChanges(JSON.stringify(values) !== JSON.stringify(emptyChangeForm) || template !== null);

  const models = orderedModels(policy.data);
  const errors = fieldErrorsFrom(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!type) {
      setTypeError('Choose the type of change');
      return;
    }
    create.mutate(toCreateInput(type, values, template?.id ?? null), {
      onSuccess: (change) => {
        unsaved.release();
        navigate(`/changes/${change.number}`);
      },
    });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="New change">
      <PageHeader title="New change" description="Saved as a draft. Nothing is submitted until you move it to the next state." />
      <Stack gap="md" maw={1100}>
        <TemplatePicker value={template} onPick={pickTemplate} disabled={create.isPending} />
        {presetId && preset.isError && <ErrorAlert error={preset.error} title="Cannot load the template from the link" />}
        {preset.data && !makesChanges(preset.data) && (
          <Alert color="yellow" variant="light" title={`The template “${preset.data.name}” is ${preset.data.state}`}>
            {preset.data.state === 'retired'
              ? 'Changes can no longer be made from it.'
              : 'Changes can be made from it once a change manager activates it.'}{' '}
            Pick another template or fill in the form yourself.
          </Alert>
        )}
        {template?.state === 'suspended' && (
          <Alert color="yellow" variant="light" title={`The catalogue entry “${template.name}” is suspended`}>
            A change made from it now is filed as a normal change, with approvals, until a change manager reinstates the entry.
          </Alert>
        )}
        {policy.isPending ? (
          <PageLoader label="Loading change types" />
        ) : policy.isError ? (
          <ErrorAlert error={policy.error} title="Cannot load the change types" onRetry={() => void policy.refetch()} />
        ) : (
          <Radio.Group
            label="Type of change"
            value={type ?? ''}
            onChange={(v) => {
              setType(v as ChangeType);
              setTypeError(null);
            }}
            error={typeError ?? errors.type ?? errors.templateId}
            description={template ? `Set by the template “${template.name}”; clear the template to choose another type.` : undefined}
            required
          >
            <SimpleGrid cols={3} spacing="sm" mt={6}>
              {models.map((model) => (
                <Paper key={model.type} withBorder p="sm" radius="sm" bg={type === model.type ? 'blue.0' : undefined}>
                  <Radio
                    value={model.type}
                    disabled={!!template && template.type !== model.type}
                    label={
                      <Text fw={600} size="sm">
                        {model.label}
                      </Text>
                    }
                    description={TYPE_HINTS[model.type]}
                  />
                </Paper>
              ))}
            </SimpleGrid>
          </Radio.Group>
        )}
        {type === 'standard' && !template && (
          <Alert color="yellow" variant="light" title="Pick an entry from the standard change catalogue" data-testid="no-entry-notice">
            A standard change is pre-authorised only when it is made from an active catalogue entry. Without one, it is filed as a normal
            change, with approvals (or refused, where the policy says so).
          </Alert>
        )}

        {create.isError && create.error && <UnplacedIssues error={create.error} placed={FORM_FIELDS} title="The draft was not created" />}

        <ChangeForm values={values} onChange={setValues} errors={errors} disabled={create.isPending} />
        <KnownErrorsOnCisNotice ciIds={values.ciIds} />

        {create.isError && Object.keys(errors).length > 0 && (
          <Alert color="red" variant="light" role="status">
            Fix the fields marked in red, then create the draft again.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create draft
          </Button>
          <Button variant="default" onClick={() => navigate('/changes')}>
            Cancel
          </Button>
        </Group>
      </Stack>
      <UnsavedChangesDialog unsaved={unsaved} what="the new change" />
    </form>
  );
}
