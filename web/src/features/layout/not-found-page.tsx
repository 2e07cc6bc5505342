import { Stack, Text, Title } from '@mantine/core';
import { RouterAnchor } from '../../shared/router-link';

export function NotFoundPage() {
  return (
    <Stack gap="xs" py="xl" align="flex-start">
      <Title order={1} size="h3">
        Page not found
      </Title>
      <Text c="dimmed">There is nothing at this address.</Text>
      <RouterAnchor to="/changes">Go to the change list</RouterAnchor>
    </Stack>
  );
}
