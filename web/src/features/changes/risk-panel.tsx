import { Blockquote, Button, Divider, Group, Progress, Select, Stack, Text, Textarea, UnstyledButton } from '@mantine/core';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ChangeRisk, RiskDetail, RiskFactor, RiskLevel } from '../../api/types';
import { ErrorAlert } from '../../shared/error-alert';
import { formatDateTime } from '../../shared/format';
import { toOptions } from '../../shared/labels';
import { PageLoader } from '../../shared/loading';
import { useChangeRisk, useClearRiskOverride, useOverrideRisk } from './change-api';
import { fieldErrorsFrom, UnplacedIssues } from './field-errors';
import { formatPoints, RISK_LEVEL_COLORS, RISK_LEVEL_LABELS, RiskLevelBadge } from './risk-badge';

const levelOptions = toOptions(RISK_LEVEL_LABELS);

// NOTE: the server's wording for a factor none of whose cases holds (src/policy/risk.ts). A factor with no
// points but another reason (an expression that failed, a case worth 0 points) stays in view.
const DOES_NOT_APPLY = 'Does not apply';

/**
 * The factors that move the score, largest contribution first (mitigations, with negative points, last),
 * then those with no points but something to say; `other` are the ones that do not apply, in policy order.
 */
export function splitFactors(factors: RiskFactor[]): { applying: RiskFactor[]; other: RiskFactor[] } {
  const applying = factors
    .filter((f) => f.contribution !== 0 || f.reason !== DOES_NOT_APPLY)
    .sort((a, b) => b.contribution - a.contribution);
  const moving = applying.filter((f) => f.contribution !== 0);
  const silent = applying.filter((f) => f.contribution === 0);
  return { applying: [...moving, ...silent], other: factors.filter((f) => f.contribution === 0 && f.reason === DOES_NOT_APPLY) };
}

function FactorItem({ factor }: { factor: RiskFactor }) {
  const { contribution } = factor;
  const color = contribution > 0 ? 'red.8' : contribution < 0 ? 'green.8' : 'dimmed';
  return (
    <li data-factor={factor.name}>
      <Group justify="space-between" gap="xs" wrap="nowrap" align="baseline">
        <Text size="sm" fw={500} c={contribution === 0 ? 'dimmed' : undefined}>
          {factor.label}
        </Text>
        <Text size="sm" fw={600} c={color} ff="monospace" style={{ flexShrink: 0 }} data-testid="factor-points">
          {formatPoints(contribution)}
        </Text>
      </Group>
      <Text size="xs" c={/^could not be evaluated/i.test(factor.reason) ? 'orange.8' : 'dimmed'}>
        {factor.reason}
      </Text>
    </li>
  );
}

const riskKey = (score: number, level: string, computed: string, overridden: boolean, policy: number) =>
  `${score}/${level}/${computed}/${overridden}/${policy}`;

const listStyle = { listStyle: 'none', padding: 0, margin: 0 } as const;

interface OverrideFormProps {
  changeId: string;
  version: number;
  current: RiskLevel;
  onDone: () => void;
}

/** Level and justification; the server checks both and its issues appear under the fields. */
function OverrideForm({ changeId, version, current, onDone }: OverrideFormProps) {
  const override = useOverrideRisk(changeId);
  const [level, setLevel] = useState<RiskLevel | null>(null);
  const [justification, setJustification] = useState('');
  const [noLevel, setNoLevel] = useState(false);
  const errors = fieldErrorsFrom(override.error);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    // The level is asked for here; everything else (the justification's length…) the server checks.
    if (!level) {
      setNoLevel(true);
      return;
    }
    override.mutate({ level, justification, version }, { onSuccess: onDone });
  };

  return (
    <form onSubmit={onSubmit} aria-label="Override the risk level" noValidate>
      <Stack gap="xs">
        <Select
          label="Level"
          placeholder={`Now ${RISK_LEVEL_LABELS[current].toLowerCase()}`}
          data={levelOptions}
          value={level}
          onChange={(v) => {
            setLevel(v as RiskLevel | null);
            setNoLevel(false);
          }}
          required
          error={noLevel ? 'Choose a level' : errors.level}
          comboboxProps={{ withinPortal: true }}
        />
        <Textarea
          label="Justification"
          description="Why the computed level is wrong (at least 10 characters). Shown on the change and in its history."
          required
          autosize
          minRows={3}
          maxRows={8}
          value={justification}
          onChange={(e) => setJustification(e.currentTarget.value)}
          error={errors.justification}
        />
        {override.isError && (
          <UnplacedIssues error={override.error} placed={['level', 'justification']} title="The override was not saved" />
        )}
        <Group gap="xs">
          <Button type="submit" size="xs" loading={override.isPending}>
            Save override
          </Button>
          <Button size="xs" variant="default" onClick={onDone} disabled={override.isPending}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function OverrideNote({ risk }: { risk: RiskDetail }) {
  const o = risk.override!;
  return (
    <Stack gap={4} data-testid="risk-override">
      <Text size="sm">
        <Text span fw={600} size="sm">
          Overridden to {RISK_LEVEL_LABELS[o.level].toLowerCase()}
        </Text>{' '}
        (computed: {RISK_LEVEL_LABELS[risk.computedLevel].toLowerCase()})
      </Text>
      <Text size="xs" c="dimmed">
        by {o.byName}, {formatDateTime(o.at)}
      </Text>
      <Blockquote p="xs" color="gray" radius="sm" fz="sm" className="cabinet-pre" data-testid="risk-justification">
        {o.justification}
      </Blockquote>
    </Stack>
  );
}

interface RiskPanelProps {
  changeId: string;
  /** The change's version, sent with an override so it fails if the change moved meanwhile. */
  version: number;
  /** The risk summary on the change; when it moves (a save, a transition, a CMDB edit) the detail is fetched again. */
  summary: ChangeRisk | null;
  /** The person holds `change.override_risk` and the change is not final. */
  canOverride: boolean;
}

/** The risk of a change: score and level, what makes them up, and the change manager's override. */
export function RiskPanel({ changeId, version, summary, canOverride }: RiskPanelProps) {
  const risk = useChangeRisk(changeId);
  const clear = useClearRiskOverride(changeId);
  const [showAll, setShowAll] = useState(false);
  const [editing, setEditing] = useState(false);
  const headingId = useId();
  const listId = useId();

  // The change carries a summary of its risk; when that moves away from the breakdown shown here (and no
  // fetch is already under way), the breakdown is out of date.
  const summaryKey = summary ? riskKey(summary.score, summary.level, summary.computedLevel, summary.overridden, summary.policyVersion) : '';
  const dataKey = risk.data
    ? riskKey(risk.data.score, risk.data.level, risk.data.computedLevel, !!risk.data.override, risk.data.policyVersion)
    : null;
  const seen = useRef(summaryKey);
  const { refetch, isFetching } = risk;
  useEffect(() => {
    if (seen.current === summaryKey) return;
    seen.current = summaryKey;
    if (summaryKey && dataKey !== null && dataKey !== summaryKey && !isFetching) void refetch();
  }, [summaryKey, dataKey, isFetching, refetch]);

  const header = (
    <Text component="h2" fw={600} size="sm" m={0} id={headingId}>
      Risk
    </Text>
  );

  if (risk.isPending) {
    return (
      <section aria-labelledby={headingId}>
        {header}
        <PageLoader label="Loading the risk" />
      </section>
    );
  }
  if (risk.isError) {
    return (
      <section aria-labelledby={headingId}>
        <Stack gap={6}>
          {header}
          <ErrorAlert error={risk.error} title="Cannot load the risk" onRetry={() => void risk.refetch()} />
        </Stack>
      </section>
    );
  }

  const data = risk.data;
  const { applying, other } = splitFactors(data.factors);
  const shown = showAll ? [...applying, ...other] : applying;

  return (
    <section aria-labelledby={headingId} data-testid="risk-panel">
      <Stack gap={6}>
        <Group justify="space-between" align="baseline">
          {header}
          <Text size="xs" c="dimmed">
            Policy v{data.policyVersion}
          </Text>
        </Group>
        <Group gap="sm" align="center" wrap="nowrap">
          <Text size="sm" data-testid="risk-score" aria-label={`Score ${data.score} out of 100`}>
            <Text span fz={26} fw={700} lh={1}>
              {data.score}
            </Text>
            <Text span size="sm" c="dimmed">
              {' '}
              / 100
            </Text>
          </Text>
          <RiskLevelBadge level={data.level} size="md" />
          {data.override && (
            <Text size="xs" c="dimmed">
              overridden
            </Text>
          )}
        </Group>
        <Progress
          value={data.score}
          color={RISK_LEVEL_COLORS[data.computedLevel]}
          size="sm"
          aria-label={`Computed risk: ${data.score} of 100, ${RISK_LEVEL_LABELS[data.computedLevel].toLowerCase()}`}
        />

        <Text size="xs" c="dimmed" mt={4}>
          {applying.length === 0 ? 'No factor adds to the score.' : 'What makes up the score'}
        </Text>
        {shown.length > 0 && (
          <Stack gap={6} component="ul" style={listStyle} aria-label="Risk factors" id={listId}>
            {shown.map((f) => (
              <FactorItem key={f.name} factor={f} />
            ))}
          </Stack>
        )}
        {other.length > 0 && (
          <UnstyledButton
            onClick={() => setShowAll((v) => !v)}
            aria-expanded={showAll}
            aria-controls={listId}
            fz="xs"
            c="blue.8"
            style={{ alignSelf: 'flex-start' }}
          >
            {showAll ? 'Show only the factors that apply' : `Show all ${data.factors.length} factors`}
          </UnstyledButton>
        )}

        {data.override && (
          <>
            <Divider my={4} />
            <OverrideNote risk={data} />
          </>
        )}

        {canOverride && !editing && (
          <Group gap="xs" mt={4}>
            <Button size="xs" variant="default" onClick={() => setEditing(true)}>
              Override level
            </Button>
            {data.override && (
              <Button size="xs" variant="subtle" color="red" loading={clear.isPending} onClick={() => clear.mutate()}>
                Remove override
              </Button>
            )}
          </Group>
        )}
        {clear.isError && <ErrorAlert error={clear.error} title="The override was not removed" />}
        {canOverride && editing && (
          <>
            <Divider my={4} />
            <OverrideForm changeId={changeId} version={version} current={data.level} onDone={() => setEditing(false)} />
          </>
        )}
      </Stack>
    </section>
  );
}
