import { Alert, Button, Group, Stack } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { emptyIncidentForm, INCIDENT_FORM_FIELDS, IncidentForm, type IncidentFormValues, toCreateIncidentInput } from './incident-form';
import { useCreateIncident } from './incidents-api';

/** The form as a link asks for it: `?causedBy=<change id or number>&ciIds=a,b` (the change page's "Report an incident"). */
export function initialIncidentForm(params: URLSearchParams): IncidentFormValues {
  const ciIds = (params.get('ciIds') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return { ...emptyIncidentForm, ciIds: [...new Set(ciIds)], causedByChangeId: params.get('causedBy')?.trim() || null };
}

export function NewIncidentPage() {
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const create = useCreateIncident();
  const [values, setValues] = useState<IncidentFormValues>(() => initialIncidentForm(params));
  const errors = fieldErrorsFrom(create.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(toCreateIncidentInput(values), { onSuccess: (incident) => navigate(`/incidents/${incident.number}`) });
  };

  return (
    <form onSubmit={onSubmit} noValidate aria-label="Report an incident">
      <PageHeader
        eyebrow={
          <RouterAnchor to="/incidents" size="sm">
            ← Incidents
          </RouterAnchor>
        }
        title="Report an incident"
        description="Something broke. Name the CIs it happens on and, when you know it, the change that caused it: the risk of later changes on those CIs counts it."
      />
      <Stack gap="md" maw={1100}>
        {create.isError && <UnplacedIssues error={create.error} placed={INCIDENT_FORM_FIELDS} title="The incident was not reported" />}
        <IncidentForm values={values} onChange={setValues} errors={errors} disabled={create.isPending} withOpenedAt />
        {create.isError && Object.keys(errors).length > 0 && (
          <Alert color="red" variant="light" role="status">
            Fix the fields marked in red, then report the incident again.
          </Alert>
        )}
        <Group>
          <Button type="submit" loading={create.isPending}>
            Report incident
          </Button>
          <Button variant="default" onClick={() => navigate(-1)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
