import { Button, Group, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
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
  const errors = fieldErrorsFrom(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(toCreateKnownErrorInput(values, publish), { onSuccess: (k) => navigate(`/known-errors/${k.number}`) });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Record a known error">
      <PageHeader
        eyebrow={
          <RouterAnchor to="/known-errors" size="sm">
            ← Known errors
          </RouterAnchor>
        }
        title="Record a known error"
        description="A fault whose cause is known, with the workaround to use meanwhile. A draft is seen by nobody's changes until it is published."
      />
      <Stack gap="md" maw={900}>
        {create.isError && (
          <UnplacedIssues error={create.error} placed={KNOWN_ERROR_FORM_FIELDS} title="The known error was not recorded" />
        )}
        <KnownErrorForm values={values} onChange={setValues} errors={errors} disabled={create.isPending} />
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
      </Stack>
    </form>
  );
}
