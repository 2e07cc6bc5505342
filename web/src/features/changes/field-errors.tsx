import { Alert, List, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { ApiError, issuesByField } from '../../api/client';
import { ErrorAlert } from '../../shared/error-alert';
import { changeFieldLabel } from './field-labels';

/** The server's validation issues as one message per form field (`{ title: 'must not be empty' }`). */
export function fieldErrorsFrom(error: unknown): Record<string, ReactNode> {
  const byField = issuesByField(error);
  return Object.fromEntries(Object.entries(byField).map(([field, messages]) => [field, messages.join('; ')]));
}

interface UnplacedIssuesProps {
  error: unknown;
  /** Fields the form shows; their issues appear under the field instead of here. */
  placed: string[];
  title: string;
}

/**
 * Whatever the form cannot show beside a field: issues on fields it does not render, or an error that
 * is not about input at all (forbidden, network, …).
 */
export function UnplacedIssues({ error, placed, title }: UnplacedIssuesProps) {
  if (!(error instanceof ApiError) || error.code !== 'invalid_input') return <ErrorAlert error={error} title={title} />;
  const byField = issuesByField(error);
  const unplaced = Object.entries(byField).filter(([field]) => !placed.includes(field));
  if (Object.keys(byField).length === 0) return <ErrorAlert error={error} title={title} />;
  if (unplaced.length === 0) return null;
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      <List size="sm" spacing={2}>
        {unplaced.map(([field, messages]) => (
          <List.Item key={field}>
            <Text span fw={600} size="sm">
              {field === '_' ? 'Change' : changeFieldLabel(field)}
            </Text>
            : {messages.join('; ')}
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
