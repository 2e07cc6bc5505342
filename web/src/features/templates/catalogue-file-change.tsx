import { Alert, Button, Group, List, Modal, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client';
import { localInputToIso, zoneWords } from '../../shared/format';
import { checkLabel, RESULT_LABELS } from '../changes/change-checks-panel';
import { fieldErrorsFrom, UnplacedIssues } from '../changes/field-errors';
import { type Template, useFileFromTemplate } from './templates-api';
import { requiredEvidenceText } from './template-words';

const PLACED = ['title', 'plannedStart', 'plannedEnd'];

/** The failing checks of a 422 `checks_failed` (the policy refuses standard changes whose checks fail). */
function failedChecksOf(error: unknown): { name: string; reason: string }[] {
  if (!(error instanceof ApiError) || error.code !== 'checks_failed' || !Array.isArray(error.details.checks)) return [];
  return error.details.checks.flatMap((c: unknown) => {
    if (typeof c !== 'object' || c === null) return [];
    const { name, reason, result } = c as Record<string, unknown>;
    if (result !== undefined && result !== 'fail') return [];
    return [{ name: String(name), reason: String(reason ?? '') }];
  });
}

interface FileChangeDialogProps {
  template: Pick<Template, 'id' | 'name' | 'type' | 'state' | 'fields' | 'eligibility'>;
  opened: boolean;
  onClose: () => void;
}

/**
 * "File a change from this entry": the change's title and planned window, then POST /templates/{id}/changes. The
 * entry fills in the rest; the server runs the pre-approval checks and answers with the change, standard or, when
 * the entry is suspended or a check failed, normal. The person lands on the new change.
 */
export function FileChangeDialog({ template, opened, onClose }: FileChangeDialogProps) {
  const navigate = useNavigate();
  const file = useFileFromTemplate(template.id);
  const [title, setTitle] = useState(template.fields.title || template.name);
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  useEffect(() => {
    if (opened) {
      setTitle(template.fields.title || template.name);
      setStart('');
      setEnd('');
      file.reset();
    }
    // NOTE: only when it opens (the mutation object changes on every render).
  }, [opened]);

  const errors = fieldErrorsFrom(file.error);
  const failed = failedChecksOf(file.error);
  const standard = template.type === 'standard';
  const evidence = requiredEvidenceText(template.eligibility);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    file.mutate(
      { title, plannedStart: start ? localInputToIso(start) : null, plannedEnd: end ? localInputToIso(end) : null },
      { onSuccess: (change) => navigate(`/changes/${change.number}`) },
    );
  };

  return (
    <Modal opened={opened} onClose={file.isPending ? () => undefined : onClose} title={`File a change from “${template.name}”`} size="lg">
      <form onSubmit={submit} noValidate aria-label="File a change">
        <Stack gap="sm">
          {template.state === 'suspended' ? (
            <Alert color="orange" variant="light" title="This entry is suspended" role="note">
              The change will be filed as a normal change: it needs the approvals of a normal change until a change manager reinstates the
              entry.
            </Alert>
          ) : standard ? (
            <Text size="sm">
              The entry fills in the plans, CIs and team. Cabinet checks the change against the entry’s rules at once: if none fails it is
              pre-approved and needs no approvals; if one fails it is filed as a normal change, and the change says why.
            </Text>
          ) : (
            <Text size="sm">The template fills in the plans, CIs and team; the change starts as a draft you can edit.</Text>
          )}
          {standard && evidence && (
            <Text size="sm" data-testid="file-evidence">
              It needs {evidence.charAt(0).toLowerCase() + evidence.slice(1)}: attach it on the change’s Evidence tab.
            </Text>
          )}
          <TextInput
            label="Title"
            required
            maxLength={200}
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            error={errors.title}
            data-autofocus
          />
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
            <TextInput
              type="datetime-local"
              label="Planned start"
              value={start}
              onChange={(e) => setStart(e.currentTarget.value)}
              error={errors.plannedStart}
              name="plannedStart"
            />
            <TextInput
              type="datetime-local"
              label="Planned end"
              value={end}
              onChange={(e) => setEnd(e.currentTarget.value)}
              error={errors.plannedEnd}
              name="plannedEnd"
            />
          </SimpleGrid>
          <Text size="xs" c="dimmed">
            Times are in {zoneWords()}. The schedule and window checks need them; you can add them later on the change.
          </Text>
          {failed.length > 0 ? (
            <Alert color="red" variant="light" role="alert" title="Not filed: a pre-approval check failed">
              <Text size="sm">The policy refuses standard changes that fail a check. Fix what they found, or file a normal change.</Text>
              <List size="sm" mt={4}>
                {failed.map((c) => (
                  <List.Item key={c.name}>
                    {checkLabel(c.name)} ({RESULT_LABELS.fail.toLowerCase()}): {c.reason}
                  </List.Item>
                ))}
              </List>
            </Alert>
          ) : (
            file.isError && <UnplacedIssues error={file.error} placed={PLACED} title="The change was not filed" />
          )}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={onClose} disabled={file.isPending}>
              Cancel
            </Button>
            <Button type="submit" loading={file.isPending}>
              File the change
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
