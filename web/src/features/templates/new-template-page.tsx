import { Alert, Button, Group, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { UnplacedIssues } from '../changes/field-errors';
import {
  emptyTemplateForm,
  TEMPLATE_FORM_FIELDS,
  TemplateForm,
  type TemplateFormValues,
  templateFieldErrors,
  toCreateTemplateInput,
} from './template-form';
import { hasPermission, useCurrentUser } from '../auth/session';
import { useCreateTemplate } from './templates-api';

export function NewTemplatePage() {
  const navigate = useNavigate();
  const me = useCurrentUser();
  const create = useCreateTemplate();
  const [values, setValues] = useState<TemplateFormValues>(emptyTemplateForm);
  const errors = templateFieldErrors(create.error);
  // A change manager's entry is active at once; anyone else proposes one, which a change manager activates.
  const keeps = hasPermission(me, 'template.write');

  const save = (state?: 'draft' | 'proposed') =>
    create.mutate({ ...toCreateTemplateInput(values), ...(state ? { state } : {}) }, { onSuccess: (t) => navigate(`/templates/${t.id}`) });
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save(keeps ? undefined : 'proposed');
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="New template">
      <PageHeader
        eyebrow={
          <RouterAnchor to="/templates" size="sm">
            ← Templates
          </RouterAnchor>
        }
        title={keeps ? 'New template' : 'Propose a catalogue entry'}
        description={
          keeps
            ? 'A starting point for a change: its type, text, plans, CIs and team. A change made from it may change any of them. A standard one joins the catalogue of pre-approved changes at once.'
            : 'A change people make again and again, written once. A change manager looks at it and activates it before anyone can file changes from it.'
        }
      />
      <Stack gap="md" maw={1100}>
        {create.isError && <UnplacedIssues error={create.error} placed={TEMPLATE_FORM_FIELDS} title="The template was not created" />}
        <TemplateForm values={values} onChange={setValues} errors={errors} disabled={create.isPending} />
        {create.isError && Object.keys(errors).length > 0 && (
          <Alert color="red" variant="light" role="status">
            Fix the fields marked in red, then {keeps ? 'create the template' : 'send it'} again.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            {keeps ? 'Create template' : 'Send for activation'}
          </Button>
          {!keeps && (
            <Button variant="light" disabled={create.isPending} onClick={() => save('draft')}>
              Save as draft
            </Button>
          )}
          <Button variant="default" onClick={() => navigate('/templates')}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
