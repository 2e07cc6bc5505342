import { Alert, Button, Group, List, Text } from '@mantine/core';
import { ApiError, issuesOf, messageOf } from '../api/client';

interface ErrorAlertProps {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}

/** Shows what went wrong in words the server chose; the error code is there for support requests. */
export function ErrorAlert({ error, title = 'Something went wrong', onRetry }: ErrorAlertProps) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : null;
  const issues = issuesOf(error).filter((i) => i.message && !messageOf(error).includes(i.message));
  return (
    <Alert color="red" variant="light" title={title} role="alert">
      <Text size="sm">{messageOf(error)}</Text>
      {issues.length > 0 && (
        <List size="sm" mt={4} spacing={0}>
          {issues.map((issue, i) => (
            <List.Item key={`${issue.path}-${i}`}>
              {issue.path ? `${issue.path}: ` : ''}
              {issue.message}
            </List.Item>
          ))}
        </List>
      )}
      {code && (
        <Text size="xs" c="dimmed" mt={4}>
          Error code: {code}
        </Text>
      )}
      {onRetry && (
        <Group mt="xs">
          <Button size="xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        </Group>
      )}
    </Alert>
  );
}
