import { Alert, Button, Group, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { emptyProblemForm, PROBLEM_FORM_FIELDS, ProblemForm, type ProblemFormValues, toCreateProblemInput } from './problem-form';
import { useCreateProblem } from './problems-api';

/** The form as a link asks for it: `?ciIds=a,b&incidents=INC…,INC…` (a suggestion's "Open a problem"). */
export function initialProblemForm(params: URLSearchParams): ProblemFormValues {
  const list = (key: string) =>
    (params.get(key) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const incidents = list('incidents');
  const ciIds = [...new Set(list('ciIds'))];
  return {
    ...emptyProblemForm,
    ciIds,
    incidents: incidents.join(', '),
    ...(incidents.length > 0 ? { title: `Repeated incidents (${incidents.length})` } : {}),
  };
}

export function NewProblemPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const create = useCreateProblem();
  const [values, setValues] = useState<ProblemFormValues>(() => initialProblemForm(params));
  const errors = fieldErrorsFrom(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(toCreateProblemInput(values), { onSuccess: (problem) => navigate(`/problems/${problem.number}`) });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Open a problem">
      <PageHeader
        eyebrow={
          <RouterAnchor to="/problems" size="sm">
            ← Problems
          </RouterAnchor>
        }
        title="Open a problem"
        description="A problem is the unknown or known cause of one or more incidents. Link the incidents it explains; you become its owner and can hand it on."
      />
      <Stack gap="md" maw={1100}>
        {create.isError && <UnplacedIssues error={create.error} placed={PROBLEM_FORM_FIELDS} title="The problem was not opened" />}
        <ProblemForm values={values} onChange={setValues} errors={errors} disabled={create.isPending} />
        {create.isError && Object.keys(errors).length > 0 && (
          <Alert color="red" variant="light" role="status">
            Fix the fields marked in red, then open the problem again.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Open problem
          </Button>
          <Button variant="default" onClick={() => navigate(-1)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
