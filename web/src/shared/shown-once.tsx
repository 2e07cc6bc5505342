import { Alert, Button, Code, CopyButton, Group, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A value to copy (a token, a feed address, a webhook secret); `copyLabel` names the button where several stand together. */
export function CopyValue({ label, value, copyLabel }: { label: string; value: string; copyLabel?: string }) {
  return (
    <Group gap="xs" wrap="nowrap" align="flex-start">
      <Code block style={{ flex: 1, wordBreak: 'break-all' }} aria-label={label}>
        {value}
      </Code>
      <CopyButton value={value}>
        {({ copied, copy }) => (
          <Button size="xs" color={copied ? 'teal' : 'blue'} onClick={copy} aria-label={copyLabel}>
            {copied ? 'Copied' : 'Copy'}
          </Button>
        )}
      </CopyButton>
    </Group>
  );
}

interface ShownOnceNoticeProps {
  title: string;
  /** What to do with it now ("Copy it now. It will not be shown again."). */
  note: ReactNode;
  /** The button that hides it, once the person has it ("I have stored it"). */
  dismissLabel: string;
  onDismiss: () => void;
  mb?: string;
  maw?: number;
  testId?: string;
  children: ReactNode;
}

/** A secret right after it was made: the server never returns it again, so the page says so until dismissed. */
export function ShownOnceNotice({ title, note, dismissLabel, onDismiss, mb, maw, testId, children }: ShownOnceNoticeProps) {
  return (
    <Alert color="green" variant="light" title={title} role="status" mb={mb} maw={maw} data-testid={testId}>
      <Text size="sm" mb="xs">
        {note}
      </Text>
      {children}
      <Button size="xs" variant="subtle" mt="xs" onClick={onDismiss}>
        {dismissLabel}
      </Button>
    </Alert>
  );
}
