import { Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';

export interface ConfirmDialogProps {
  opened: boolean;
  /** The question, naming the thing: "Cancel CHG0000042?". */
  title: string;
  /** What will happen, in plain words. */
  children: ReactNode;
  /** The button that does it: "Cancel the change". */
  confirmLabel: string;
  /** The button that backs out: "Keep the change". */
  closeLabel?: string;
  /** Red for moves that end something. */
  color?: string;
  /** Ask for a reason: its label and hint; `required` refuses an empty one before anything is sent. */
  reason?: { label: string; description?: string; required: boolean; placeholder?: string };
  loading?: boolean;
  /** The server's word on the reason (its 4xx issue at `comment`). */
  reasonError?: ReactNode;
  /** A refusal to show inside the dialog (the shared ErrorAlert, say). */
  error?: ReactNode;
  onConfirm: (reason: string) => void;
  onClose: () => void;
}

/**
 * Asks before a move that cannot be undone: says what will happen, asks for a reason when the move needs one
 * and only then does it. One dialog for every such move (cancel, reject), so they all read and behave alike.
 * NOTE: accessibility. Mantine's Modal is a `dialog` named by its title (aria-labelledby) and described by
 * its body (aria-describedby); it traps focus and gives it back to the button that opened it. Focus lands on
 * the reason box when there is one, else on the button that backs out, never on the one that does it.
 */
export function ConfirmDialog({
  opened,
  title,
  children,
  confirmLabel,
  closeLabel = 'Go back',
  color = 'red',
  reason,
  loading = false,
  reasonError,
  error,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);
  // A fresh question each time it opens.
  useEffect(() => {
    if (opened) {
      setText('');
      setMissing(false);
    }
  }, [opened]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (reason?.required && text.trim() === '') {
      setMissing(true);
      return;
    }
    onConfirm(text.trim());
  };

  return (
    <Modal
      opened={opened}
      onClose={loading ? () => undefined : onClose}
      title={title}
      size="md"
      yOffset="10vh"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm" component="div">
            {children}
          </Text>
          {reason && (
            <Textarea
              label={reason.label}
              description={reason.description}
              placeholder={reason.placeholder}
              required={reason.required}
              autosize
              minRows={3}
              maxRows={8}
              maxLength={5000}
              value={text}
              onChange={(e) => {
                setText(e.currentTarget.value);
                if (e.currentTarget.value.trim() !== '') setMissing(false);
              }}
              error={missing ? 'Give a reason: it is kept in the history.' : reasonError}
              data-autofocus
            />
          )}
          {error}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={loading} data-autofocus={reason ? undefined : true}>
              {closeLabel}
            </Button>
            <Button type="submit" color={color} loading={loading}>
              {confirmLabel}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
