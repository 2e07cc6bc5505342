import { Button, Paper, Table, Text, VisuallyHidden } from '@mantine/core';
import type { MouseEvent, ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { PageLoader } from './loading';

/** The one row of a table with nothing in it, saying so across every column. */
export function EmptyRow({ colSpan, py = 'md', children }: { colSpan: number; py?: 'sm' | 'md'; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Text size="sm" c="dimmed" ta="center" py={py}>
          {children}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

interface ListTableProps {
  /** The table's accessible name ("API tokens"). */
  label: string;
  loading: boolean;
  /** What the loader is named while the list loads ("Loading tokens"). */
  loadingLabel: string;
  /** Said in place of the table when the list is empty; without it an empty table shows (with its own empty row). */
  empty?: ReactNode;
  /** The header and body of the table. */
  children: ReactNode;
}

/** A page's list as a table: a loader while it loads, the words for an empty list, then the bordered table. */
export function ListTable({ label, loading, loadingLabel, empty, children }: ListTableProps) {
  if (loading) return <PageLoader label={loadingLabel} />;
  if (empty) {
    return (
      <Text c="dimmed" size="sm">
        {empty}
      </Text>
    );
  }
  return (
    <Paper withBorder radius="sm">
      <Table aria-label={label}>{children}</Table>
    </Paper>
  );
}

/** The header of a column of row buttons: named "Actions" for screen readers, blank on screen. */
export function ActionsHeader({ w }: { w: number }) {
  return (
    <Table.Th w={w}>
      <VisuallyHidden>Actions</VisuallyHidden>
    </Table.Th>
  );
}

/** A value that is not there, in a table cell or beside a label. */
export function Dash() {
  return (
    <Text size="sm" c="dimmed">
      —
    </Text>
  );
}

/** A row that opens its record when clicked anywhere but on a link, button or field of its own. */
export function useRowLink() {
  const navigate = useNavigate();
  return (to: string) => ({
    className: 'cabinet-row-link',
    onClick: (e: MouseEvent) => {
      if (!(e.target as HTMLElement).closest('a, button, input')) void navigate(to);
    },
  });
}

/** The part of a revoke mutation a row's button uses: only the row being revoked spins. */
interface RevokeMutation {
  mutate: (id: string) => void;
  isPending: boolean;
  variables?: string;
}

/** "Revoke" on a row of secrets or grants (a token, a feed, a delegation): asks first, since it cannot be undone. */
export function RevokeButton({ id, label, question, revoke }: { id: string; label: string; question: string; revoke: RevokeMutation }) {
  return (
    <Button
      size="compact-xs"
      variant="subtle"
      color="red"
      onClick={() => {
        if (window.confirm(question)) revoke.mutate(id);
      }}
      loading={revoke.isPending && revoke.variables === id}
      aria-label={label}
    >
      Revoke
    </Button>
  );
}

/** Named values a record keeps as they came (a CI's attributes, an incident's imported fields): name, then value. */
export function KeyValueTable({ label, entries, emptyText }: { label: string; entries: [string, ReactNode][]; emptyText?: string }) {
  return (
    <Paper withBorder radius="sm">
      <Table aria-label={label}>
        <Table.Tbody>
          {entries.map(([key, value]) => (
            <Table.Tr key={key}>
              <Table.Th w="40%" fw={500}>
                <Text size="sm" ff="monospace">
                  {key}
                </Text>
              </Table.Th>
              <Table.Td>
                <Text size="sm" className="cabinet-pre">
                  {value}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
          {entries.length === 0 && emptyText && (
            <Table.Tr>
              <Table.Td>
                <Text size="sm" c="dimmed">
                  {emptyText}
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
