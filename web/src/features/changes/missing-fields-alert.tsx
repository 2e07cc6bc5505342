import { Alert, List, Text } from '@mantine/core';
import { changeFieldLabel } from './field-labels';

interface MissingFieldsAlertProps {
  /** Field names as the server reports them (`backoutPlan`, `ciIds`, …). */
  fields: string[];
  /** The label of the transition that was refused, e.g. "Submit for assessment". */
  action: string;
  onClose?: () => void;
}

/** Names, in people's words, every field a change still needs before it may take a step. */
export function MissingFieldsAlert({ fields, action, onClose }: MissingFieldsAlertProps) {
  return (
    <Alert
      color="orange"
      variant="light"
      role="alert"
      title={`Fill in ${fields.length === 1 ? 'this field' : `these ${fields.length} fields`} before you can “${action}”`}
      withCloseButton={!!onClose}
      onClose={onClose}
      closeButtonLabel="Dismiss"
    >
      <List size="sm" spacing={2} aria-label="Missing fields">
        {fields.map((field) => (
          <List.Item key={field}>{changeFieldLabel(field)}</List.Item>
        ))}
      </List>
      <Text size="xs" c="dimmed" mt={6}>
        The fields are marked below. Save the change, then try again.
      </Text>
    </Alert>
  );
}
