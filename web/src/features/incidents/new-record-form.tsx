import { Alert, Button, Group, Stack } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { PageHeader } from '../../shared/page-header';
import { RouterAnchor } from '../../shared/router-link';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';

/**
 * The page that files a new incident, problem or known error: a way back to the list, what the record is,
 * the server's issues that no field shows, the form, and its buttons (Submit and Cancel unless `buttons`).
 */
export function NewRecordForm({
  title,
  description,
  back,
  error,
  placed,
  notDone,
  again,
  submit,
  pending,
  onSubmit,
  maw = 1100,
  buttons,
  children,
}: {
  /** The page's title and the form's name ("Report an incident"). */
  title: string;
  description: string;
  back: { to: string; label: string };
  /** The create mutation's error. */
  error: Error | null;
  /** The fields the form shows issues on; the others are listed above it. */
  placed: string[];
  /** The title of the issues' alert ("The incident was not reported"). */
  notDone: string;
  /** After "Fix the fields marked in red, then": what to do again ("report the incident again"). */
  again?: string;
  /** The submit button's words. */
  submit?: string;
  pending: boolean;
  onSubmit: () => void;
  maw?: number;
  buttons?: ReactNode;
  children: ReactNode;
}) {
  const navigate = useNavigate();
  const marked = Object.keys(fieldErrorsFrom(error)).length > 0;
  return (
    <form
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onSubmit();
      }}
      noValidate
      aria-label={title}
    >
      <PageHeader
        eyebrow={
          <RouterAnchor to={back.to} size="sm">
            ← {back.label}
          </RouterAnchor>
        }
        title={title}
        description={description}
      />
      <Stack gap="md" maw={maw}>
        {error && <UnplacedIssues error={error} placed={placed} title={notDone} />}
        {children}
        {error && again && marked && (
          <Alert color="red" variant="light" role="status">
            Fix the fields marked in red, then {again}.
          </Alert>
        )}
        {buttons ?? (
          <Group>
            <Button type="submit" loading={pending}>
              {submit}
            </Button>
            <Button variant="default" onClick={() => navigate(-1)}>
              Cancel
            </Button>
          </Group>
        )}
      </Stack>
    </form>
  );
}
