import { Button, Code, Paper, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useId } from 'react';
import { DefinitionList, type DefinitionRow } from '../../shared/definition-list';
import { humanize } from '../../shared/format';
import { useTeams } from '../admin/admin-api';
import { useChangeApprovals } from '../approvals/approvals-api';
import { formatWhen } from './audit-labels';

/** A vote as the record keeps it. */
export interface SealedVote {
  by: string;
  decision: string;
  comment: string;
  at: string;
  contentHash: string | null;
  onBehalfOf?: string;
}

/** An approval as the record keeps it: its stage and rule, who approves, why the policy asked, its votes. */
export interface SealedApproval {
  stage: string;
  rule: string;
  approver: string;
  reason: string;
  policyVersion: number | null;
  decidedAt: string | null;
  votes: SealedVote[];
}

/** The approval record Cabinet seals when the last approval is granted (governance.service.ts). */
export interface SealedRecord {
  contentHash: string | null;
  approvals: SealedApproval[];
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** Reads the sealed JSON; null when it is not a record of approvals (then the raw text is shown). */
export function parseSealedRecord(body: string): SealedRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isObject(parsed) || !Array.isArray(parsed.approvals)) return null;
  return {
    contentHash: typeof parsed.contentHash === 'string' ? parsed.contentHash : null,
    approvals: parsed.approvals.filter(isObject).map((a) => ({
      stage: text(a.stage),
      rule: text(a.rule),
      approver: text(a.approver),
      reason: text(a.reason),
      policyVersion: typeof a.policyVersion === 'number' ? a.policyVersion : null,
      decidedAt: typeof a.decidedAt === 'string' ? a.decidedAt : null,
      votes: (Array.isArray(a.votes) ? a.votes : []).filter(isObject).map((v) => ({
        by: text(v.by),
        decision: text(v.decision),
        comment: text(v.comment),
        at: text(v.at),
        contentHash: typeof v.contentHash === 'string' ? v.contentHash : null,
        ...(typeof v.onBehalfOf === 'string' ? { onBehalfOf: v.onBehalfOf } : {}),
      })),
    })),
  };
}

const short = (hash: string) => hash.slice(0, 12);

/** "Approved by Alice Martin for Dave Kowalski, 6 Dec 2026, 08:07:43 CET" and what the vote was for. */
function VoteLine({ vote, recordHash }: { vote: SealedVote; recordHash: string | null }) {
  const verb = vote.decision === 'reject' ? 'Rejected' : 'Approved';
  const sameContent = vote.contentHash === null || vote.contentHash === recordHash;
  return (
    <li>
      <Text size="sm" component="div">
        <Text span size="sm" fw={600}>
          {verb} by {vote.by}
          {vote.onBehalfOf ? ` for ${vote.onBehalfOf} (delegated)` : ''}
        </Text>
        , {formatWhen(vote.at)}
        {!sameContent && vote.contentHash && (
          <>
            {' '}
            — for content <Code fz="xs">{short(vote.contentHash)}</Code>
          </>
        )}
      </Text>
      {vote.comment && (
        <Text size="sm" className="cabinet-pre">
          “{vote.comment}”
        </Text>
      )}
    </li>
  );
}

/**
 * The sealed approval record in words: for which content fingerprint, then each approval with its stage, who
 * approves, the rule and why the policy asked, when it was decided and every vote with its comment. The JSON as
 * sealed stays one click away, for whoever checks its hash.
 */
export function SealedApprovalRecord({ body, changeId, sha256 }: { body: string; changeId: string; sha256: string }) {
  const record = parseSealedRecord(body);
  const approvals = useChangeApprovals(changeId);
  const teams = useTeams();
  const [raw, { toggle }] = useDisclosure(false);
  const rawId = useId();
  const stageLabels = new Map((approvals.data?.items ?? []).map((a) => [a.stage, a.stageLabel]));
  const teamNames = new Map((teams.data?.items ?? []).flatMap((t) => [[t.handle, t.name] as const, [t.id, t.name] as const]));
  const rawToggle = (
    <>
      <Button size="compact-xs" variant="subtle" onClick={toggle} aria-expanded={raw} aria-controls={rawId}>
        {raw ? 'Hide the record as sealed' : 'Show the record as sealed (JSON)'}
      </Button>
      <div id={rawId}>
        {raw && (
          <Code block fz="xs">
            {body}
          </Code>
        )}
      </div>
    </>
  );
  if (!record) return rawToggle;

  const facts: DefinitionRow[] = [
    [
      'For content',
      record.contentHash ? (
        <>
          <Code fz="xs" title={record.contentHash}>
            {record.contentHash}
          </Code>
          <Text size="xs" c="gray.7" mt={2}>
            The fingerprint of what was approved: plans, CIs, window and people. An edit to any of them reopens authorization.
          </Text>
        </>
      ) : (
        'Not named (sealed before fingerprints were kept)'
      ),
      'content',
    ],
    ['Record hash', <Code key="sha" fz="xs">{`sha256 ${sha256}`}</Code>, 'sha'],
  ];

  return (
    <Stack gap="sm" data-testid="sealed-record">
      <DefinitionList rows={facts} />
      <Stack gap="xs" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }} aria-label="Approvals in the record">
        {record.approvals.map((a, i) => {
          const stage = stageLabels.get(a.stage) ?? humanize(a.stage);
          const approver = teamNames.get(a.approver) ?? a.approver;
          return (
            <Paper key={`${a.stage}-${a.rule}-${i}`} component="li" withBorder radius="sm" p="xs" bg="var(--mantine-color-gray-0)">
              <Title order={3} size="h6" mb={4}>
                {stage}: {approver}
              </Title>
              <DefinitionList
                rows={[
                  ['Rule', <><Code fz="xs">{a.rule}</Code>{a.reason ? ` ${a.reason}` : ''}</>, 'rule'],
                  ['Policy version', a.policyVersion === null ? '—' : `v${a.policyVersion}`, 'policy'],
                  ['Decided', a.decidedAt ? formatWhen(a.decidedAt) : '—', 'decided'],
                  [
                    a.votes.length === 1 ? 'Vote' : 'Votes',
                    a.votes.length === 0 ? (
                      '—'
                    ) : (
                      <Stack gap={4} component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                        {a.votes.map((v, j) => (
                          <VoteLine key={j} vote={v} recordHash={record.contentHash} />
                        ))}
                      </Stack>
                    ),
                    'votes',
                  ],
                ]}
              />
            </Paper>
          );
        })}
      </Stack>
      <div>{rawToggle}</div>
    </Stack>
  );
}
