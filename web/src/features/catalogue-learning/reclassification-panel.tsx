import { Button, Group, Modal, Paper, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { fieldErrorsFrom } from '../changes/field-errors';
import { type ChangeType, KIND_WORDS, TYPE_WORDS, useReclassifications, useReclassify } from './catalogue-learning-api';

interface ReclassificationPanelProps {
  change: { id: string; number: string; type: ChangeType };
  canReclassify: boolean;
}

/**
 * A change's classification as judged afterwards: the reclassifications recorded for it and, for change
 * managers, "Reclassify". The change keeps its type; the record feeds the misclassification counts.
 */
export function ReclassificationSidebar({ change, canReclassify }: ReclassificationPanelProps) {
  const query = useReclassifications(change.id);
  const [open, setOpen] = useState(false);
  const items = query.data?.items ?? [];
  if (!canReclassify && items.length === 0) return null;
  return (
    <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="reclassification-title">
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h6" id="reclassification-title">
            Classification
          </Title>
          {canReclassify && (
            <Button size="compact-xs" variant="light" onClick={() => setOpen(true)}>
              Reclassify
            </Button>
          )}
        </Group>
        {query.isError && <ErrorAlert error={query.error} title="Cannot load the reclassifications" />}
        {query.isSuccess && items.length === 0 && (
          <Text size="xs" c="dimmed">
            Filed as {TYPE_WORDS[change.type].toLowerCase()}; nobody has said it should have been another type.
          </Text>
        )}
        {items.map((r) => (
          <Stack key={r.id} gap={0} data-reclassification={r.kind}>
            <Text size="sm" fw={600}>
              {KIND_WORDS[r.kind]}: {TYPE_WORDS[r.from].toLowerCase()} → {TYPE_WORDS[r.to].toLowerCase()}
            </Text>
            <Text size="xs">{r.reason}</Text>
            <Text size="xs" c="dimmed">
              {r.by.name} · {formatDateTime(r.at)}
            </Text>
          </Stack>
        ))}
      </Stack>
      <ReclassifyDialog change={change} opened={open} onClose={() => setOpen(false)} />
    </Paper>
  );
}

function ReclassifyDialog({
  change,
  opened,
  onClose,
}: {
  change: ReclassificationPanelProps['change'];
  opened: boolean;
  onClose: () => void;
}) {
  const reclassify = useReclassify(change.id);
  const others = (Object.keys(TYPE_WORDS) as ChangeType[]).filter((t) => t !== change.type);
  const [as, setAs] = useState<ChangeType | null>(null);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<{ as?: boolean; reason?: boolean }>({});
  const errors = fieldErrorsFrom(reclassify.error);
  const close = () => {
    reclassify.reset();
    setAs(null);
    setReason('');
    setMissing({});
    onClose();
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const gaps = { as: as === null, reason: reason.trim() === '' };
    setMissing(gaps);
    if (gaps.as || gaps.reason || !as) return;
    reclassify.mutate({ as, reason: reason.trim() }, { onSuccess: close });
  };
  return (
    <Modal
      opened={opened}
      onClose={reclassify.isPending ? () => undefined : close}
      title={`Reclassify ${change.number}?`}
      size="md"
      closeButtonProps={{ 'aria-label': 'Close' }}
    >
      <form onSubmit={submit} noValidate>
        <Stack gap="sm">
          <Text size="sm">
            Record that this {TYPE_WORDS[change.type].toLowerCase()} change should have been of another type. The change keeps its type and
            its history: it went through the steps of the type it was filed as. The record is counted per team and service.
          </Text>
          <Select
            label="It should have been"
            required
            data={others.map((t) => ({ value: t, label: TYPE_WORDS[t] }))}
            value={as}
            onChange={(v) => {
              setAs(v as ChangeType | null);
              setMissing((m) => ({ ...m, as: false }));
            }}
            error={missing.as ? 'Choose the type it should have had.' : errors.as}
            data-autofocus
          />
          <Textarea
            label="Why?"
            description="Required. Kept with the change and in the audit trail."
            required
            autosize
            minRows={3}
            maxLength={5000}
            value={reason}
            onChange={(e) => {
              setReason(e.currentTarget.value);
              if (e.currentTarget.value.trim() !== '') setMissing((m) => ({ ...m, reason: false }));
            }}
            error={missing.reason ? 'Give a reason: it is kept with the change.' : errors.reason}
          />
          {reclassify.isError && !errors.as && !errors.reason && <ErrorAlert error={reclassify.error} title="Not recorded" />}
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={close} disabled={reclassify.isPending}>
              Go back
            </Button>
            <Button type="submit" loading={reclassify.isPending}>
              Record the reclassification
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
