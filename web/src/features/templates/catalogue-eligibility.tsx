import { Code, List, Stack, Text, Title } from '@mantine/core';
import { useId } from 'react';
import { useServiceOptions } from '../cmdb/cmdb-api';
import type { TemplateEligibility } from './templates-api';
import { eligibilityWords, KNOWN_ERROR_WORDS, requiredEvidenceText } from './template-words';

/**
 * Where a standard change from the entry may run, in words, with its CEL rule as written, the evidence it must
 * carry and what a known error on its CIs means: what its pre-approval checks will hold a change to.
 */
export function EligibilityPanel({ eligibility }: { eligibility: TemplateEligibility }) {
  const services = useServiceOptions();
  const titleId = useId();
  const names = new Map((services.data ?? []).map((s) => [s.value, s.label]));
  const evidence = requiredEvidenceText(eligibility);
  return (
    <Stack gap={6} role="region" aria-labelledby={titleId}>
      <Title order={2} size="h6" id={titleId}>
        Eligibility
      </Title>
      <Text size="xs" c="dimmed">
        A standard change from this entry is pre-approved when:
      </Text>
      <List size="sm" spacing={2} data-testid="eligibility-words">
        {eligibilityWords(eligibility, (id) => names.get(id) ?? id).map((words) => (
          <List.Item key={words}>{words}</List.Item>
        ))}
      </List>
      {eligibility.rule.trim() && (
        <>
          <Text size="xs" fw={600} mt={4}>
            Rule (CEL)
          </Text>
          <Code block fz="xs" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }} data-testid="eligibility-rule">
            {eligibility.rule}
          </Code>
        </>
      )}
      <Text size="xs" fw={600} mt={4}>
        Required evidence
      </Text>
      <Text size="sm" c={evidence ? undefined : 'dimmed'} data-testid="required-evidence">
        {evidence ?? 'None required'}
      </Text>
      <Text size="xs" fw={600} mt={4}>
        Known errors on its CIs
      </Text>
      <Text size="sm">{KNOWN_ERROR_WORDS[eligibility.knownErrors]}</Text>
    </Stack>
  );
}
