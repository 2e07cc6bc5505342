import { Alert, Badge, Group, Stack, Text } from '@mantine/core';
import { RouterAnchor } from '../../shared/router-link';
import { KNOWN_ERROR_STATE_COLORS, KNOWN_ERROR_STATE_LABELS, PROBLEM_STATE_COLORS, PROBLEM_STATE_LABELS } from './problem-words';
import { type KnownErrorState, type KnownErrorsOnCis, type ProblemState, useIncidentProblems, useKnownErrorsOnCis } from './problems-api';

export function ProblemStateBadge({ state, size = 'sm' }: { state: ProblemState; size?: 'sm' | 'md' }) {
  return (
    <Badge color={PROBLEM_STATE_COLORS[state] ?? 'gray'} variant="light" size={size} radius="sm" data-state={state}>
      {PROBLEM_STATE_LABELS[state] ?? state}
    </Badge>
  );
}

export function KnownErrorStateBadge({ state, size = 'sm' }: { state: KnownErrorState; size?: 'sm' | 'md' }) {
  return (
    <Badge color={KNOWN_ERROR_STATE_COLORS[state] ?? 'gray'} variant="light" size={size} radius="sm" data-state={state}>
      {KNOWN_ERROR_STATE_LABELS[state] ?? state}
    </Badge>
  );
}

/**
 * A workaround as written: plain text, line breaks kept, nothing interpreted as markup (React escapes it), so a
 * workaround cannot inject anything into the page.
 */
export function Workaround({ text }: { text: string }) {
  if (!text.trim()) {
    return (
      <Text size="sm" c="dimmed">
        No workaround written yet.
      </Text>
    );
  }
  return (
    <Text size="sm" className="cabinet-pre" style={{ whiteSpace: 'pre-wrap' }}>
      {text}
    </Text>
  );
}

/** The published known errors on some CIs, each with its workaround: on the change page and the new-change form. */
export function KnownErrorsList({ items }: { items: KnownErrorsOnCis['items'] }) {
  return (
    <Stack gap="sm">
      {items.map((k) => (
        <Stack key={k.id} gap={4}>
          <Group gap="xs">
            <RouterAnchor to={`/known-errors/${k.number}`} size="sm" ff="monospace" fw={600}>
              {k.number}
            </RouterAnchor>
            <Text size="sm" fw={500}>
              {k.title}
            </Text>
            <Text size="xs" c="dimmed">
              on {k.cis.map((c) => c.name).join(', ')}
            </Text>
          </Group>
          <Workaround text={k.workaround} />
        </Stack>
      ))}
    </Stack>
  );
}

/** "Known errors on these CIs": a notice for the new-change form, shown only when there are some. */
export function KnownErrorsNotice({ data }: { data: KnownErrorsOnCis | undefined }) {
  if (!data || data.items.length === 0) return null;
  return (
    <Alert color="yellow" variant="light" title={`Known errors on these CIs (${data.items.length})`}>
      <Text size="sm" mb="xs">
        These faults are known and not fixed yet. Plan around them: each has a workaround.
      </Text>
      <KnownErrorsList items={data.items} />
    </Alert>
  );
}

/** The new-change form's notice: asks for the known errors on the CIs picked so far, and shows them when there are some. */
export function KnownErrorsOnCisNotice({ ciIds }: { ciIds: string[] }) {
  const known = useKnownErrorsOnCis(ciIds);
  return <KnownErrorsNotice data={ciIds.length > 0 ? known.data : undefined} />;
}

/** The problems an incident is linked to, as links (the incident page's "Problem" fact); a dash for none. */
export function IncidentProblemLinks({ incidentId }: { incidentId: string }) {
  const problems = useIncidentProblems(incidentId);
  if (!problems.data || problems.data.length === 0) return <>—</>;
  return (
    <Group gap={6}>
      {problems.data.map((p) => (
        <RouterAnchor key={p.id} to={`/problems/${p.number}`} size="sm" ff="monospace">
          {p.number}
        </RouterAnchor>
      ))}
    </Group>
  );
}
