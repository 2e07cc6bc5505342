import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { fieldErrorsFrom } from '../changes/field-errors';
import { NewRecordForm } from '../incidents/new-record-form';
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
  return (
    <NewRecordForm
      title="Open a problem"
      description="A problem is the unknown or known cause of one or more incidents. Link the incidents it explains; you become its owner and can hand it on."
      back={{ to: '/problems', label: 'Problems' }}
      error={create.error}
      placed={PROBLEM_FORM_FIELDS}
      notDone="The problem was not opened"
      again="open the problem again"
      submit="Open problem"
      pending={create.isPending}
      onSubmit={() => create.mutate(toCreateProblemInput(values), { onSuccess: (problem) => navigate(`/problems/${problem.number}`) })}
    >
      <ProblemForm values={values} onChange={setValues} errors={fieldErrorsFrom(create.error)} disabled={create.isPending} />
    </NewRecordForm>
  );
}
