import { Group, Paper, Select, Stack, Text } from '@mantine/core';
import { RouterAnchor } from '../../shared/router-link';
import { useTeamNames } from '../admin/admin-api';
import { type Template, useTemplateOptions } from './templates-api';
import { failureText, usedText } from './template-words';

interface TemplatePickerProps {
  /** The template the form was filled from, if any. */
  value: Template | null;
  onPick: (template: Template | null) => void;
  disabled?: boolean;
}

function TemplateTeam({ teamId }: { teamId: string }) {
  const names = useTeamNames();
  return <>{names.get(teamId) ?? teamId}</>;
}

/**
 * "Start from a template" above the new-change form: picking one hands the whole template to the page, which
 * fills the type, the fields, the CIs and the team from it. Clearing it keeps what was filled in.
 */
export function TemplatePicker({ value, onPick, disabled }: TemplatePickerProps) {
  const options = useTemplateOptions();
  const templates = options.data?.items ?? [];
  // The picked template may have left the active ones since the list was read: keep it selectable.
  const all = value && !templates.some((t) => t.id === value.id) ? [value, ...templates] : templates;
  const byId = new Map(all.map((t) => [t.id, t]));

  const description = options.isError
    ? 'Cannot load the templates; fill in the form yourself.'
    : !options.isPending && all.length === 0
      ? 'No templates yet.'
      : 'Fills the type, the fields, the CIs and the team; you can change any of them before creating the draft.';

  return (
    <Paper withBorder p="sm" radius="sm" bg={value ? 'blue.0' : undefined}>
      <Stack gap={6}>
        <Select
          label="Start from a template"
          placeholder={options.isPending ? 'Loading templates…' : 'Search templates'}
          description={description}
          data={all.map((t) => ({ value: t.id, label: t.name }))}
          value={value?.id ?? null}
          onChange={(id) => onPick(id ? (byId.get(id) ?? null) : null)}
          searchable
          clearable
          nothingFoundMessage="No template by that name"
          renderOption={({ option }) => {
            const t = byId.get(option.value);
            return (
              <Stack gap={0}>
                <Text size="sm">{option.label}</Text>
                {t && (
                  <Text size="xs" c="dimmed">
                    {t.type} · {usedText(t.history).toLowerCase()} · {failureText(t.history).toLowerCase()} in 90 days
                  </Text>
                )}
              </Stack>
            );
          }}
          disabled={disabled || (options.isSuccess && all.length === 0)}
          maw={560}
        />
        {value && (
          <Group gap="lg" data-testid="template-summary">
            <Text size="xs">
              Filled from{' '}
              <RouterAnchor to={`/templates/${value.id}`} size="xs">
                {value.name}
              </RouterAnchor>
              {value.state !== 'active' && ` (${value.state})`}
            </Text>
            {value.assignmentTeamId && (
              <Text size="xs">
                Assignment team: <TemplateTeam teamId={value.assignmentTeamId} />
              </Text>
            )}
            <Text size="xs" c="dimmed">
              {usedText(value.history)}; last 90 days: {failureText(value.history).toLowerCase()}
            </Text>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}
