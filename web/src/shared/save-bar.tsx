import { Button, Group, Text } from '@mantine/core';

/**
 * Save and "Discard edits" under an edit form, with a note while there are unsaved edits. Save submits the
 * form it sits in; both are off until something changed, and while `busy`.
 */
export function SaveBar({
  saving,
  dirty,
  busy,
  onDiscard,
  dirtyNote = 'Unsaved edits.',
}: {
  saving: boolean;
  dirty: boolean;
  busy: boolean;
  onDiscard: () => void;
  dirtyNote?: string;
}) {
  return (
    <Group mt="md" gap="sm">
      <Button type="submit" loading={saving} disabled={!dirty || busy}>
        Save
      </Button>
      <Button variant="default" disabled={!dirty || busy} onClick={onDiscard}>
        Discard edits
      </Button>
      {dirty && (
        <Text size="xs" c="dimmed">
          {dirtyNote}
        </Text>
      )}
    </Group>
  );
}
