import { Button, Checkbox, Group, Paper, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { ErrorAlert } from '../../shared/error-alert';
import { PageLoader } from '../../shared/loading';
import { issuesOf } from '../../api/client';
import { type Preferences, usePreferences, useUpdatePreferences } from './preferences-api';

const DIGEST_LABELS: Record<Preferences['digest'], string> = {
  off: 'No digest',
  daily: 'Daily, at 07:00: the changes planned in the next day',
  weekly: 'Weekly, on Monday at 07:00: the changes planned in the next seven days',
};

/** The form, once the stored settings are known: quiet hours (on or off, from and until) and the digest. */
function NoticeForm({ prefs }: { prefs: Preferences }) {
  const update = useUpdatePreferences();
  const [quiet, setQuiet] = useState(prefs.quietHours !== null);
  const [start, setStart] = useState(prefs.quietHours?.start ?? '22:00');
  const [end, setEnd] = useState(prefs.quietHours?.end ?? '07:00');
  const [digest, setDigest] = useState<Preferences['digest']>(prefs.digest);
  const [approvalEmails, setApprovalEmails] = useState(prefs.approvalEmails);
  const [saved, setSaved] = useState(false);
  // Each issue under its own field ("quietHours.start", "quietHours.end", "digest").
  const errors: Record<string, string> = {};
  for (const i of issuesOf(update.error)) errors[i.path] = errors[i.path] ? `${errors[i.path]}; ${i.message}` : i.message;
  const zone = prefs.timeZone ?? 'UTC';

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setSaved(false);
    update.mutate({ quietHours: quiet ? { start, end } : null, digest, approvalEmails }, { onSuccess: () => setSaved(true) });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Email and digests" noValidate>
      <Stack gap="sm">
        <Title order={2} size="h5">
          Email and digests
        </Title>
        <Checkbox
          label="Quiet hours: hold my email of notices until they end"
          description={`Read in ${prefs.timeZone ? prefs.timeZone : 'UTC, as you chose no time zone'}. Urgent notices (a lockdown) still come; notices in Cabinet are never held.`}
          checked={quiet}
          onChange={(e) => {
            setQuiet(e.currentTarget.checked);
            setSaved(false);
          }}
        />
        {quiet && (
          <Group gap="sm" align="flex-start">
            <TextInput type="time" label="From" value={start} onChange={(e) => setStart(e.currentTarget.value)} error={errors['quietHours.start']} w={140} />
            <TextInput
              type="time"
              label="Until"
              value={end}
              onChange={(e) => setEnd(e.currentTarget.value)}
              error={errors['quietHours.end']}
              description={end < start ? 'The next morning' : undefined}
              w={140}
            />
          </Group>
        )}
        <Radio.Group
          label="Digest"
          description={`By email and in Cabinet, at 07:00 ${zone}: the changes planned on what you follow. Nothing planned, no digest.`}
          value={digest}
          onChange={(v) => {
            setDigest(v as Preferences['digest']);
            setSaved(false);
          }}
          error={errors.digest}
        >
          <Stack gap={6} mt={6}>
            {(Object.keys(DIGEST_LABELS) as Preferences['digest'][]).map((d) => (
              <Radio key={d} value={d} label={DIGEST_LABELS[d]} />
            ))}
          </Stack>
        </Radio.Group>
        <Checkbox
          label="Email me the approvals I am asked for"
          description="Requests, reminders and escalations, besides the notice in Cabinet."
          checked={approvalEmails}
          onChange={(e) => {
            setApprovalEmails(e.currentTarget.checked);
            setSaved(false);
          }}
        />
        {update.isError && !errors['quietHours.start'] && !errors['quietHours.end'] && !errors.digest && <ErrorAlert error={update.error} title="Email settings were not saved" />}
        <Group gap="sm">
          <Button type="submit" loading={update.isPending}>
            Save email settings
          </Button>
          {saved && (
            <Text size="sm" role="status">
              Email settings saved.
            </Text>
          )}
        </Group>
      </Stack>
    </form>
  );
}

/** Quiet hours and the digest, on the preferences page (GET/PATCH /api/v1/me/preferences). */
export function NoticePreferences() {
  const prefs = usePreferences();
  return (
    <Paper withBorder p="md" radius="sm" maw={640} mt="md">
      {prefs.isPending && <PageLoader label="Loading your email settings" />}
      {prefs.isError && <ErrorAlert error={prefs.error} title="Cannot load your email settings" />}
      {prefs.isSuccess && <NoticeForm prefs={prefs.data} />}
    </Paper>
  );
}
