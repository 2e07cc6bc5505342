import { Button, Group, Modal, Paper, Stack, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { FormEvent, ReactNode } from 'react';

/** A page's "New …" button and the dialog it opens, so each page gives only its form (which closes it when done). */
export function NewRecordDialog({ title, children }: { title: string; children: (close: () => void) => ReactNode }) {
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button onClick={open}>{title}</Button>
      <Modal opened={opened} onClose={close} title={title}>
        {children(close)}
      </Modal>
    </>
  );
}

/** Under a create form in a dialog: Cancel, then the button that creates. */
export function DialogButtons({ onCancel, submitLabel, loading }: { onCancel: () => void; submitLabel: string; loading: boolean }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" loading={loading}>
        {submitLabel}
      </Button>
    </Group>
  );
}

interface FormCardProps {
  /** The form's name for screen readers ("Create an API token"). */
  label: string;
  /** Its heading on screen ("Create a token"). */
  title: string;
  onSubmit: (event: FormEvent) => void;
  maw: number;
  children: ReactNode;
}

/** A create form above a page's list (a token, a feed, a delegation): a bordered card with its heading. */
export function FormCard({ label, title, onSubmit, maw, children }: FormCardProps) {
  return (
    <Paper withBorder p="sm" radius="sm" mb="md" maw={maw}>
      <form onSubmit={onSubmit} aria-label={label} noValidate>
        <Stack gap="xs">
          <Title order={2} size="h6">
            {title}
          </Title>
          {children}
        </Stack>
      </form>
    </Paper>
  );
}
