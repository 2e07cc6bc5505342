import { useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { fieldErrorsFrom } from '../changes/field-errors';
import { emptyIncidentForm, INCIDENT_FORM_FIELDS, IncidentForm, type IncidentFormValues, toCreateIncidentInput } from './incident-form';
import { useCreateIncident } from './incidents-api';
import { NewRecordForm } from './new-record-form';

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
  return (
    <NewRecordForm
      title="Report an incident"
      description="Something broke. Name the CIs it happens on and, when you know it, the change that caused it: the risk of later changes on those CIs counts it."
      back={{ to: '/incidents', label: 'Incidents' }}
      error={create.error}
      placed={INCIDENT_FORM_FIELDS}
      notDone="The incident was not reported"
      again="report the incident again"
      submit="Report incident"
      pending={create.isPending}
      onSubmit={() => create.mutate(toCreateIncidentInput(values), { onSuccess: (incident) => navigate(`/incidents/${incident.number}`) })}
    >
      <IncidentForm values={values} onChange={setValues} errors={fieldErrorsFrom(create.error)} disabled={create.isPending} withOpenedAt />
    </NewRecordForm>
  );
}
