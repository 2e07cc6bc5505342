import { Alert, Anchor, Button, Grid, Group, Paper, Radio, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { issuesByField, issuesOf } from '../../api/client';
import { DefinitionList, type DefinitionRow } from '../../shared/definition-list';
import { formatDateTime } from '../../shared/format';
import { toOptions } from '../../shared/labels';
import { PageHeader } from '../../shared/page-header';
import { RecordLoader } from '../../shared/record-loader';
import { NumberLink, RouterAnchor } from '../../shared/router-link';
import { hasPermission, useCurrentUser } from '../auth/session';
import { UnplacedIssues } from '../changes/field-errors';
import { DeploymentRows, environmentLabel, TargetWords } from '../deployments/deployment-ui';
import type { DeploymentStatus } from '../deployments/deployments-api';
import { type ReviewUnauthorizedInput, type UnauthorizedChange, useReviewUnauthorized, useUnauthorizedChange } from './unauthorized-api';
import { CAUSE_LABELS, FIX_KIND_LABELS, FIX_LINK_LABELS, OUTCOME_LABELS, UnauthorizedStateBadge } from './unauthorized-ui';

type Cause = keyof typeof CAUSE_LABELS;
type FixKind = keyof typeof FIX_KIND_LABELS;
type Outcome = keyof typeof OUTCOME_LABELS;
type LinkKind = keyof typeof FIX_LINK_LABELS;

const REVIEW_FIELDS = ['cause', 'causeText', 'fix', 'outcome', 'changeNumber', 'notes'];

export function UnauthorizedChangePage() {
  const { id = '' } = useParams();
  return (
    <RecordLoader query={useUnauthorizedChange(id)} what="unauthorized change">
      {(u) => <UnauthorizedChangeView record={u} cacheKey={id} />}
    </RecordLoader>
  );
}

/** Where the fix's link leads in the app, or outside it. */
function fixHref(link: { kind: LinkKind; ref: string }): string {
  if (link.kind === 'url') return link.ref;
  if (link.kind === 'template') return `/templates/${encodeURIComponent(link.ref)}`;
  if (link.kind === 'change') return `/changes/${encodeURIComponent(link.ref)}`;
  return `/problems/${encodeURIComponent(link.ref)}`;
}

function ReviewRecord({ review }: { review: NonNullable<UnauthorizedChange['review']> }) {
  const rows: DefinitionRow[] = [
    ['What made the bypass easier', `${review.causeLabel}${review.causeText ? `. ${review.causeText}` : ''}`],
    [
      'The fix',
      <span key="fix">
        {FIX_KIND_LABELS[review.fix.kind]}
        {review.fix.text ? `. ${review.fix.text}` : ''}
        {review.fix.link && (
          <>
            {' '}
            (
            {review.fix.link.kind === 'url' ? (
              <Anchor href={review.fix.link.ref} target="_blank" rel="noreferrer" size="sm">
                {review.fix.link.label}
              </Anchor>
            ) : (
              <RouterAnchor to={fixHref(review.fix.link)} size="sm">
                {review.fix.link.label}
              </RouterAnchor>
            )}
            )
          </>
        )}
      </span>,
    ],
    [
      'Outcome',
      <span key="outcome">
        {OUTCOME_LABELS[review.outcome]}
        {review.authorisedChange && (
          <>
            {' '}
            by <NumberLink to={`/changes/${review.authorisedChange.number}`}>{review.authorisedChange.number}</NumberLink>{' '}
            {review.authorisedChange.title}
          </>
        )}
      </span>,
    ],
    ['Reviewed', formatDateTime(review.reviewedAt)],
  ];
  if (review.notes) rows.push(['Notes', review.notes]);
  return <DefinitionList rows={rows} testId="unauthorized-review" />;
}

/** The blameless review: the cause in the process, the fix, the outcome. It asks about the path, never the person. */
function ReviewForm({ record, cacheKey }: { record: UnauthorizedChange; cacheKey: string }) {
  const review = useReviewUnauthorized(cacheKey);
  const [cause, setCause] = useState<Cause | null>(null);
  const [causeText, setCauseText] = useState('');
  const [fixKind, setFixKind] = useState<FixKind>('none');
  const [fixText, setFixText] = useState('');
  const [linkKind, setLinkKind] = useState<LinkKind | null>(null);
  const [linkRef, setLinkRef] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [changeNumber, setChangeNumber] = useState('');
  const [notes, setNotes] = useState('');
  const [shown, setShown] = useState(false);
  const server = issuesByField(review.error);
  /** The issues of one exact path (`fix.link.ref`), where a field shows a part of an object. */
  const serverIssue = (path: string) =>
    issuesOf(review.error)
      .filter((i) => i.path === path)
      .map((i) => i.message)
      .join('; ') || undefined;
  const errorOf = (field: string) => server[field]?.join('; ');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setShown(true);
    if (!cause || !outcome) return;
    const input: ReviewUnauthorizedInput = {
      cause,
      causeText: causeText.trim(),
      fix: {
        kind: fixKind,
        text: fixText.trim(),
        ...(linkKind && linkRef.trim() ? { link: { kind: linkKind, ref: linkRef.trim() } } : {}),
      },
      outcome,
      ...(outcome === 'authorised_after_the_fact' && changeNumber.trim() ? { changeNumber: changeNumber.trim() } : {}),
      notes: notes.trim(),
      version: record.version,
    };
    review.mutate(input);
  };

  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-labelledby="review-form-title">
      <form onSubmit={onSubmit} aria-label="Blameless review" noValidate>
        <Stack gap="sm">
          <Title order={2} size="h5" id="review-form-title">
            Blameless review
          </Title>
          <Alert color="blue" variant="light" title="This review is about the process, not a person" data-testid="blameless-note">
            <Text size="sm">
              Someone shipped without a change because, that day, going around the process was easier than going through it. Find what made
              it easier and fix that. Do not name or rank the people involved; the record keeps no score of anyone.
            </Text>
          </Alert>
          <Radio.Group
            label="What in the process made the bypass easier than the right path?"
            required
            value={cause}
            onChange={(v) => setCause(v as Cause)}
            error={shown && !cause ? 'Choose what made the bypass easier' : errorOf('cause')}
          >
            <Stack gap={6} mt={6}>
              {(Object.keys(CAUSE_LABELS) as Cause[]).map((c) => (
                <Radio key={c} value={c} label={CAUSE_LABELS[c]} />
              ))}
            </Stack>
          </Radio.Group>
          <Textarea
            label="What happened, in the process's terms"
            description={cause === 'other' ? 'Required for “Something else”.' : 'Optional: the step that was missing, slow or unclear.'}
            autosize
            minRows={2}
            value={causeText}
            onChange={(e) => setCauseText(e.currentTarget.value)}
            error={errorOf('causeText')}
          />
          <Group align="flex-start" grow>
            <Select
              label="The fix"
              data={toOptions(FIX_KIND_LABELS)}
              value={fixKind}
              onChange={(v) => setFixKind((v ?? 'none') as FixKind)}
              allowDeselect={false}
              error={serverIssue('fix.kind')}
            />
            <Select
              label="Link the fix to"
              placeholder="Nothing"
              data={toOptions(FIX_LINK_LABELS)}
              value={linkKind}
              onChange={(v) => setLinkKind(v as LinkKind | null)}
              clearable
            />
            {linkKind && (
              <TextInput
                label={linkKind === 'url' ? 'Address' : `${FIX_LINK_LABELS[linkKind]} (number, id or name)`}
                value={linkRef}
                onChange={(e) => setLinkRef(e.currentTarget.value)}
                error={serverIssue('fix.link.ref') ?? serverIssue('fix.link')}
              />
            )}
          </Group>
          <Textarea
            label="Describe the fix"
            description="What changed so that the right path is the easy one next time."
            autosize
            minRows={2}
            value={fixText}
            onChange={(e) => setFixText(e.currentTarget.value)}
            error={serverIssue('fix.text')}
          />
          <Radio.Group
            label="Outcome"
            required
            value={outcome}
            onChange={(v) => setOutcome(v as Outcome)}
            error={shown && !outcome ? 'Choose the outcome' : errorOf('outcome')}
          >
            <Group gap="lg" mt={6}>
              {(Object.keys(OUTCOME_LABELS) as Outcome[]).map((o) => (
                <Radio key={o} value={o} label={OUTCOME_LABELS[o]} />
              ))}
            </Group>
          </Radio.Group>
          {outcome === 'authorised_after_the_fact' && (
            <TextInput
              label="The change that authorises the work"
              placeholder="CHG0000123"
              required
              value={changeNumber}
              onChange={(e) => setChangeNumber(e.currentTarget.value)}
              error={errorOf('changeNumber')}
              w={240}
            />
          )}
          <Textarea
            label="Notes"
            autosize
            minRows={2}
            value={notes}
            onChange={(e) => setNotes(e.currentTarget.value)}
            error={errorOf('notes')}
          />
          {review.isError && <UnplacedIssues error={review.error} placed={REVIEW_FIELDS} title="The review was not recorded" />}
          <Group>
            <Button type="submit" loading={review.isPending}>
              Record the review
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function UnauthorizedChangeView({ record: u, cacheKey }: { record: UnauthorizedChange; cacheKey: string }) {
  const me = useCurrentUser();
  const canReview = hasPermission(me, 'unauthorized.review');
  return (
    <>
      <PageHeader
        eyebrow={
          <Group gap="xs">
            <Text ff="monospace" fw={600} size="sm" c="dimmed">
              {u.number}
            </Text>
            <UnauthorizedStateBadge state={u.state} />
          </Group>
        }
        title={`Unauthorized change on ${u.ci?.name ?? u.service?.name ?? u.repository}`}
        description={`A deployment to ${environmentLabel(u.environment)} that no authorised change covered, first seen ${formatDateTime(u.firstSeenAt)}.`}
      />
      <Grid gap="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            {u.review ? (
              <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="review-title">
                <Title order={2} size="h5" id="review-title" mb="xs">
                  Blameless review
                </Title>
                <ReviewRecord review={u.review} />
              </Paper>
            ) : canReview ? (
              <ReviewForm record={u} cacheKey={cacheKey} />
            ) : (
              <Text size="sm" c="dimmed">
                Waiting for its blameless review by a change manager or the service&apos;s owner team.
              </Text>
            )}
            <section aria-labelledby="unauthorized-deployments-title">
              <Title order={2} size="h5" id="unauthorized-deployments-title" mb="xs">
                Deployments ({u.deploymentCount})
              </Title>
              <DeploymentRows
                label="Deployments"
                rows={u.deployments.map((d) => ({ ...d, status: d.status as DeploymentStatus, where: environmentLabel(d.environment) }))}
              />
            </section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Paper withBorder p="sm" radius="sm" component="section" aria-labelledby="unauthorized-facts-title">
            <Title order={2} size="h5" id="unauthorized-facts-title" mb="xs">
              What went out
            </Title>
            <DefinitionList
              rows={[
                ['Where', <TargetWords key="where" service={u.service} cis={u.ci ? [u.ci] : []} environment={u.environment} />],
                ['Repository', u.repository],
                ['First seen', formatDateTime(u.firstSeenAt)],
                ['Last seen', formatDateTime(u.lastSeenAt)],
                ['Quiet until', `${formatDateTime(u.quietUntil)} (more deployments on this CI join this record until then)`],
              ]}
            />
          </Paper>
        </Grid.Col>
      </Grid>
    </>
  );
}
