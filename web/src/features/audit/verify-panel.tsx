import { Alert, Button, Code, CopyButton, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useEffect, useId, useRef, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { usePolicy } from '../changes/policy';
import { type AuditVerdict, useAuditEventAt, useVerifyChain } from './audit-api';
import { AuditEventDetails } from './audit-event';
import { formatWhen } from './audit-labels';

/** The event where the chain breaks, as the trail holds it now (a removed event is not there to show). */
function BrokenEvent({ seq }: { seq: number }) {
  const query = useAuditEventAt(seq);
  const { data: policy } = usePolicy();
  if (query.isPending) return null;
  if (query.isError) return <ErrorAlert error={query.error} title={`Cannot load event ${seq}`} />;
  const event = query.data.items[0];
  if (!event || event.seq !== seq) {
    return <Text size="sm">Event {seq} is not in the trail any more.</Text>;
  }
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600}>
        The first broken event, as it is stored now
      </Text>
      <AuditEventDetails event={event} names={query.data.names} policy={policy} />
    </Stack>
  );
}

function Verdict({ verdict, checkedAt }: { verdict: AuditVerdict; checkedAt: string }) {
  if (!verdict.ok) {
    return (
      <Alert color="red" variant="light" title={`The chain is broken at event ${verdict.brokenSeq}`} role="alert" data-testid="verify-result">
        <Stack gap="xs">
          <Text size="sm">
            Event {verdict.brokenSeq}: {verdict.reason}. The {verdict.checked} event{verdict.checked === 1 ? '' : 's'} before it check out; the
            chain&apos;s head records {verdict.headSeq} events. Checked {formatWhen(checkedAt)}.
          </Text>
          {verdict.brokenSeq !== undefined && <BrokenEvent seq={verdict.brokenSeq} />}
        </Stack>
      </Alert>
    );
  }
  const hash = verdict.lastHash ?? '';
  return (
    <Alert color="green" variant="light" title="The chain is intact" role="status" data-testid="verify-result">
      <Stack gap="xs">
        <Text size="sm">
          {verdict.checked} event{verdict.checked === 1 ? '' : 's'} checked, from event 1 to event {verdict.lastSeq}: every hash recomputes and the
          chain ends where its head says. Checked {formatWhen(checkedAt)}.
        </Text>
        <div>
          <Text size="sm" fw={600}>
            Head hash (event {verdict.lastSeq})
          </Text>
          <Group gap="xs" wrap="nowrap" align="center">
            <Code fz="sm" style={{ overflowWrap: 'anywhere' }} data-testid="head-hash">
              {hash}
            </Code>
            <CopyButton value={hash}>
              {({ copied, copy }) => (
                <Button size="xs" variant="default" onClick={copy} aria-label={copied ? 'Head hash copied' : 'Copy the head hash'}>
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
        </div>
        <Text size="sm">
          Keep this hash to prove later that nothing was rewritten: any later check or export must still show event {verdict.lastSeq} with this
          very hash, and an export that starts after it checks out with <Code>--after</Code> and this hash.
        </Text>
      </Stack>
    </Alert>
  );
}

/** "Verify the chain": recomputes every hash on the server and shows the verdict in words, with the head hash to keep. */
export function VerifyPanel() {
  const verify = useVerifyChain();
  const [checkedAt, setCheckedAt] = useState<string | null>(null);
  const resultRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  // The verdict is what the person asked for: move focus to it, so a screen reader reads it out.
  useEffect(() => {
    if (verify.data || verify.error) resultRef.current?.focus();
  }, [verify.data, verify.error]);
  return (
    <Paper withBorder radius="sm" p="sm" component="section" aria-labelledby={titleId}>
      <Stack gap="xs">
        <Title order={2} size="h5" id={titleId}>
          Verify the chain
        </Title>
        <Text size="sm">
          Each event carries the hash of the one before it. Verifying recomputes every hash from the first event and checks that the chain ends where
          Cabinet recorded its head, so an edited, removed or reordered event shows. Nothing is changed.
        </Text>
        <Group>
          <Button
            size="sm"
            onClick={() => {
              setCheckedAt(new Date().toISOString());
              verify.mutate();
            }}
            loading={verify.isPending}
          >
            Verify the chain
          </Button>
        </Group>
        <div ref={resultRef} tabIndex={-1} style={{ outline: 'none' }}>
          {verify.isError && <ErrorAlert error={verify.error} title="The chain was not verified" />}
          {verify.data && checkedAt && <Verdict verdict={verify.data} checkedAt={checkedAt} />}
        </div>
      </Stack>
    </Paper>
  );
}
