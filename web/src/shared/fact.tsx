import { Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A labelled fact in a page's header strip (a service, a CI, the active policy version). */
export function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </Stack>
  );
}
