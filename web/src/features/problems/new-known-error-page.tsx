import { Button, Group } from '@mantine/core';
import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { fieldErrorsFrom } from '../changes/field-errors';
import { NewRecordForm } from '../incidents/new-record-form';
import {
  emptyKnownErrorForm,
  KNOWN_ERROR_FORM_FIELDS,
  KnownErrorForm,
  type KnownErrorFormValues,
  toCreateKnownErrorInput,
} from './known-error-form';
import { useCreateKnownError } from './problems-api';

export function NewKnownErrorPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const create = useCreateKnownError();
  const [values, setValues] = useState<KnownErrorFormValues>(() => ({ ...emptyKnownErrorForm, problem: params.get('problem') ?? '' }));
  const [publish, setPublish] = useState(false);
  return (
    <NewRecordForm
      title="Record a known error"
      description="A fault whose cause is known, with the workaround to use meanwhile. A draft is seen by nobody's changes until it is published."
      back={{ to: '/known-errors', label: 'Known errors' }}
      error={create.error}
      placed={KNOWN_ERROR_FORM_FIELDS}
      notDone="The known error was not recorded"
      pending={create.isPending}
      onSubmit={() => create.mutate(toCreateKnownErrorInput(values, publish), { onSuccess: (k) => navigate(`/known-errors/${k.number}`) })}
      maw={900}
      buttons={
        <Group>
          <Button type="submit" loading={create.isPending && publish} disabled={create.isPending} onClick={() => setPublish(true)}>
            Record and publish
          </Button>
          <Button
            type="submit"
            variant="default"
            loading={create.isPending && !publish}
            disabled={create.isPending}
            onClick={() => setPublish(false)}
          >
            Save as draft
          </Button>
          <Button variant="subtle" onClick={() => navigate(-1)}>
            Cancel
          </Button>
        </Group>
      }
    >
      <KnownErrorForm values={values} onChange={setValues} errors={fieldErrorsFrom(create.error)} disabled={create.isPending} />
    </NewRecordForm>
  );
}
