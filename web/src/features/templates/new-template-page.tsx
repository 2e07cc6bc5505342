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
import { useCreateTemplate } from './templates-api';

export function NewTemplatePage() {
  const navigate = useNavigate();
  const create = useCreateTemplate();
  const [values, setValues] = useState<TemplateFormValues>(emptyTemplateForm);
  const errors = templateFieldErrors(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(toCreateTemplateInput(values), { onSuccess: (t) => navigate(`/templates/${t.id}`) });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="New template">
      <PageHeader
        eyebrow={
          <RouterAnchor to="/templates" size="sm">
            ← Templates
          </RouterAnchor>
        }
        title="New template"
        description="A starting point for a change: its type, text, plans, CIs and team. A change made from it may change any of them."
      />
      <Stack gap="md" maw={1100}>
        {create.isError && <UnplacedIssues error={create.error} placed={TEMPLATE_FORM_FIELDS} title="The template was not created" />}
        <TemplateForm values={values} onChange={setValues} errors={errors} disabled={create.isPending} />
        {create.isError && Object.keys(errors).length > 0 && (
          <Alert color="red" variant="light" role="status">
            Fix the fields marked in red, then create the template again.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Create template
          </Button>
          <Button variant="default" onClick={() => navigate('/templates')}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
