import { Group, Paper, Stack, Text } from '@mantine/core';
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

/** The strip of facts under a record page's header, in one bordered row that wraps. */
export function FactStrip({ children }: { children: ReactNode }) {
  return (
    <Paper withBorder p="sm" radius="sm" mb="md">
      <Group gap="xl" align="flex-start">
        {children}
      </Group>
    </Paper>
  );
}
