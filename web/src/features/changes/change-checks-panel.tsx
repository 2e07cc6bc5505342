import { Alert, Button, Group, Paper, Stack, Text, ThemeIcon, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId } from 'react';
import { api } from '../../api/client';
import type { ChangeDetail } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { RouterAnchor } from '../../shared/router-link';

export type ChangeCheck = ChangeDetail['checks'][number];
export type CheckResult = ChangeCheck['result'];
export type ChangeConversion = NonNullable<ChangeDetail['conversion']>;

/** What each pre-approval check looks at, in the words of the panel. */
export const CHECK_LABELS: Record<string, string> = {
  eligibility: 'Eligibility',
  schedule: 'Schedule conflicts and freezes',
  incidents: 'Open incidents on its CIs',
  known_errors: 'Known errors on its CIs',
  dependencies: 'Dependencies over the CMDB',
  evidence: 'Required evidence',
};

export const checkLabel = (name: string) => CHECK_LABELS[name] ?? name.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** The result in words, so it never rests on colour alone. */
export const RESULT_LABELS: Record<CheckResult, string> = { pass: 'Passed', warn: 'Warning', fail: 'Failed' };
const RESULT_COLORS: Record<CheckResult, string> = { pass: 'green', warn: 'orange', fail: 'red' };
const RESULT_TEXT_COLORS: Record<CheckResult, string> = { pass: 'green.9', warn: 'orange.9', fail: 'red.9' };
const RESULT_MARKS: Record<CheckResult, string> = { pass: '✓', warn: '!', fail: '✕' };

/** Why a standard change became a normal one, as a title. */
export const CONVERSION_TITLES: Record<ChangeConversion['reason'], string> = {
  template_suspended: 'Filed as a normal change: its catalogue entry is suspended',
  checks_failed: 'Filed as a normal change: a pre-approval check failed',
  no_entry: 'Filed as a normal change: no catalogue entry was named',
};

/** "All 6 checks passed", "5 passed, 1 warning", "1 failed, 5 passed". */
export function checksSummary(checks: readonly ChangeCheck[]): string {
  const count = (r: CheckResult) => checks.filter((c) => c.result === r).length;
  const [fail, warn, pass] = [count('fail'), count('warn'), count('pass')];
  if (checks.length > 0 && pass === checks.length) return checks.length === 1 ? 'The check passed' : `All ${checks.length} checks passed`;
  const parts: string[] = [];
  if (fail) parts.push(`${fail} failed`);
  if (warn) parts.push(`${warn} ${warn === 1 ? 'warning' : 'warnings'}`);
  if (pass) parts.push(`${pass} passed`);
  return parts.join(', ');
}

/** The icon of a result; hidden from screen readers, which read the label beside it. */
export function CheckResultIcon({ result }: { result: CheckResult }) {
  return (
    <ThemeIcon color={RESULT_COLORS[result]} variant="light" size={20} radius="xl" aria-hidden>
      <Text span fw={700} size="xs" lh={1}>
        {RESULT_MARKS[result]}
      </Text>
    </ThemeIcon>
  );
}

/** Runs the checks of change `id` again (POST /api/v1/changes/{id}/checks); the change is read again after. */
export function useRunChecks(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<unknown>(`/api/v1/changes/${encodeURIComponent(id)}/checks`, {}),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['changes', 'detail'] });
      void queryClient.invalidateQueries({ queryKey: ['changes', 'audit', id] });
    },
  });
}

interface ChangeChecksPanelProps {
  change: Pick<ChangeDetail, 'id' | 'type' | 'templateId' | 'templateVersion' | 'checks' | 'conversion'>;
  /** Whether the person may run the checks again (they edit the change and it is still open). */
  canRun: boolean;
}

/**
 * The pre-approval checks of a change filed from a standard catalogue entry: each check with its result (an
 * icon and a word), its reason and when it ran, and "Run again". A change that became normal says why.
 * Shows nothing on a change that was never checked.
 */
export function ChangeChecksPanel({ change, canRun }: ChangeChecksPanelProps) {
  const run = useRunChecks(change.id);
  const titleId = useId();
  // NOTE: a change read before the catalogue (an older cached copy) has neither.
  const checks = change.checks ?? [];
  const conversion = change.conversion ?? null;
  if (checks.length === 0 && !conversion) return null;
  const lastRun = checks.reduce<string | null>((at, c) => (at === null || c.checkedAt > at ? c.checkedAt : at), null);

  return (
    <Paper withBorder p="sm" radius="sm">
      <Stack gap="xs" role="region" aria-labelledby={titleId} data-testid="change-checks">
        <Group justify="space-between" gap="xs" wrap="nowrap" align="baseline">
          <Title order={2} size="h6" id={titleId}>
            Pre-approval checks
          </Title>
          {checks.length > 0 && (
            <Text size="xs" fw={600} c={checks.some((c) => c.result === 'fail') ? 'red.9' : 'dimmed'} data-testid="checks-summary">
              {checksSummary(checks)}
            </Text>
          )}
        </Group>
        {conversion && (
          <Alert
            color="orange"
            variant="light"
            title={CONVERSION_TITLES[conversion.reason] ?? 'Filed as a normal change'}
            p="xs"
            role="note"
          >
            <Text size="xs">{conversion.message}</Text>
            <Text size="xs" mt={4}>
              It needs the approvals of a normal change.
              {change.templateId ? (
                <>
                  {' '}
                  <RouterAnchor to={`/templates/${change.templateId}`} size="xs">
                    Open the catalogue entry
                  </RouterAnchor>
                </>
              ) : (
                conversion.reason === 'no_entry' && (
                  <>
                    {' '}
                    <RouterAnchor to="/templates?type=standard" size="xs">
                      Open the standard change catalogue
                    </RouterAnchor>
                  </>
                )
              )}
            </Text>
          </Alert>
        )}
        {checks.length > 0 && (
          <>
            <Text size="xs" c="dimmed">
              {change.type === 'standard'
                ? 'A standard change is pre-approved while no check fails. They ran when it was filed and run again before implementation.'
                : 'The checks of its catalogue entry, as they ran when it was filed.'}
              {change.templateVersion !== null &&
                ` The rules are those of version ${change.templateVersion} of the entry, which the change keeps.`}
            </Text>
            <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Checks">
              {checks.map((check) => (
                <li key={check.name} data-check={check.name} style={{ marginBottom: 8 }}>
                  <Group gap={8} wrap="nowrap" align="flex-start">
                    <CheckResultIcon result={check.result} />
                    <Stack gap={0} style={{ minWidth: 0 }}>
                      <Text size="sm" fw={500}>
                        {checkLabel(check.name)}:{' '}
                        <Text span size="sm" fw={700} c={RESULT_TEXT_COLORS[check.result]}>
                          {RESULT_LABELS[check.result]}
                        </Text>
                      </Text>
                      <Text size="xs" c="gray.7" style={{ overflowWrap: 'anywhere' }}>
                        {check.reason}
                      </Text>
                    </Stack>
                  </Group>
                </li>
              ))}
            </ul>
            <Group justify="space-between" gap="xs" align="center">
              <Text size="xs" c="dimmed">
                Checked {formatDateTime(lastRun)}
              </Text>
              {canRun && change.type === 'standard' && (
                <Button size="xs" variant="light" loading={run.isPending} onClick={() => run.mutate()}>
                  Run again
                </Button>
              )}
            </Group>
            {run.isError && <ErrorAlert error={run.error} title="The checks did not run" />}
          </>
        )}
      </Stack>
    </Paper>
  );
}
