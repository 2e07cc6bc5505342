import { SegmentedControl, Stack, Text } from '@mantine/core';

/** The two shapes an import page reads. */
export type ImportFormat = 'csv' | 'json';

/** A leading `[` or `{` means JSON; anything else is read as CSV. The file's name, when there is one, decides first. */
export function guessFormat(text: string, fileName?: string): ImportFormat {
  if (fileName?.toLowerCase().endsWith('.json')) return 'json';
  if (fileName?.toLowerCase().endsWith('.csv')) return 'csv';
  return /^\s*[[{]/.test(text) ? 'json' : 'csv';
}

/** "Format": CSV or JSON, for an import that reads both; guessed from the data, and the person may correct it. */
export function ImportFormatSwitch({ value, onChange }: { value: ImportFormat; onChange: (format: ImportFormat) => void }) {
  return (
    <Stack gap={4}>
      <Text size="sm" fw={500} id="import-format-label">
        Format
      </Text>
      <SegmentedControl
        value={value}
        onChange={(v) => onChange(v as ImportFormat)}
        data={[
          { value: 'csv', label: 'CSV' },
          { value: 'json', label: 'JSON' },
        ]}
        aria-labelledby="import-format-label"
      />
    </Stack>
  );
}
