import { Anchor, type AnchorProps, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

interface RouterAnchorProps extends AnchorProps {
  to: string;
  children: ReactNode;
}

/** A Mantine-styled link that navigates inside the app without a page load. */
export function RouterAnchor({ to, children, ...props }: RouterAnchorProps) {
  return (
    <Anchor component={Link} to={to} {...props}>
      {children}
    </Anchor>
  );
}

/** A record's number (CHG0000012, INC0000003) as the link to it, in the lists and tables that name records. */
export function NumberLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <Text component={Link} to={to} size="sm" fw={600} c="blue.8" ff="monospace">
      {children}
    </Text>
  );
}
