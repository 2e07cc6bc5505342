import { Text } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';

/** One row: the term, what it holds, and a key when terms repeat. */
export type DefinitionRow = [term: ReactNode, value: ReactNode, key?: string];

const listStyle: CSSProperties = {
  display: 'grid',
  gridTemplateColumns: 'minmax(7rem, max-content) minmax(0, 1fr)',
  columnGap: 'var(--mantine-spacing-md)',
  rowGap: 6,
  margin: 0,
};
const valueStyle: CSSProperties = { margin: 0, minWidth: 0, overflowWrap: 'anywhere' };

/**
 * Facts as a definition list (`<dl>`): terms on the left, values beside them, so a record reads like a
 * document and a screen reader announces each pair. Used for audit events, sealed records and read-only changes.
 */
export function DefinitionList({ rows, testId, termWidth }: { rows: DefinitionRow[]; testId?: string; termWidth?: string }) {
  // A fixed term width lines several lists up, one under the other, as sections of one document.
  const style = termWidth ? { ...listStyle, gridTemplateColumns: `${termWidth} minmax(0, 1fr)` } : listStyle;
  return (
    <dl style={style} data-testid={testId}>
      {rows.map(([term, value, key], i) => (
        <div key={key ?? i} style={{ display: 'contents' }}>
          <Text component="dt" size="sm" fw={600}>
            {term}
          </Text>
          <Text component="dd" size="sm" style={valueStyle}>
            {value}
          </Text>
        </div>
      ))}
    </dl>
  );
}
