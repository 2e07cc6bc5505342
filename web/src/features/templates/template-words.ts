import type { Environment, RiskLevel } from '../../api/types';
import { ENVIRONMENT_LABELS, LEVEL_LABELS } from '../../shared/labels';
import { humanize } from '../../shared/format';
import { evidenceKindLabel } from '../changes/governance-api';
import { RISK_LEVEL_LABELS } from '../changes/risk-badge';
import type {
  Template,
  TemplateContent,
  TemplateEligibility,
  TemplateHealth,
  TemplateHistory,
  TemplateOutcomes,
  TemplateState,
  TemplateVersionState,
} from './templates-api';

/** "Never used", "Used once", "Used 12 times". */
export function usedText(history: TemplateHistory): string {
  if (history.used === 0) return 'Never used';
  return history.used === 1 ? 'Used once' : `Used ${history.used} times`;
}

/** "1 of 6 failed" over the last 90 days, or what stands in for it before any change made from it finished. */
export function failureText(history: TemplateHistory): string {
  if (history.changes90d === 0) return 'None finished';
  return `${history.failed90d} of ${history.changes90d} failed`;
}

/** The failure rate as a whole percentage ("17%"), or null before any change made from it finished. */
export function failurePercent(history: TemplateHistory): string | null {
  if (history.failureRate === null) return null;
  return `${Math.round(history.failureRate * 100)}%`;
}

/** Red once a fifth of its recent changes failed, orange for any failure, otherwise no colour. */
export function failureColor(history: TemplateHistory): string | undefined {
  if (history.failureRate === null || history.failed90d === 0) return undefined;
  return history.failureRate >= 0.2 ? 'red.8' : 'orange.8';
}

export const TEMPLATE_STATE_LABELS: Record<TemplateState, string> = {
  draft: 'Draft',
  proposed: 'Proposed',
  active: 'Active',
  suspended: 'Suspended',
  retired: 'Retired',
};

export const TEMPLATE_STATE_COLORS: Record<TemplateState, string> = {
  draft: 'gray',
  proposed: 'blue',
  active: 'green',
  suspended: 'red',
  retired: 'gray',
};

/** What each state means for the people filing changes, in a sentence. */
export const TEMPLATE_STATE_WORDS: Record<TemplateState, string> = {
  draft: 'A draft: its author is still writing it. Nobody can file a change from it yet.',
  proposed: 'Proposed: it waits for a change manager to activate it. Nobody can file a change from it yet.',
  active: 'Active: changes filed from it are pre-approved while their checks pass.',
  suspended:
    'Suspended: changes filed from it become normal changes and need approvals, until a change manager reinstates it with a reason.',
  retired: 'Retired: it is no longer offered for new changes. Changes made from it keep pointing at it.',
};

export const TEMPLATE_VERSION_STATE_LABELS: Record<TemplateVersionState, string> = {
  proposed: 'Pending',
  active: 'In force',
  superseded: 'Superseded',
  withdrawn: 'Withdrawn',
};

export const TEMPLATE_VERSION_STATE_COLORS: Record<TemplateVersionState, string> = {
  proposed: 'blue',
  active: 'green',
  superseded: 'gray',
  withdrawn: 'gray',
};

export const HEALTH_LABELS: Record<TemplateHealth, string> = {
  new: 'New',
  healthy: 'Healthy',
  watch: 'Watch',
  suspended: 'Suspended',
  retired: 'Retired',
};

export const HEALTH_COLORS: Record<TemplateHealth, string> = {
  new: 'gray',
  healthy: 'green',
  watch: 'orange',
  suspended: 'red',
  retired: 'gray',
};

/** What a health means, for a tooltip and the entry page. */
export const HEALTH_WORDS: Record<TemplateHealth, string> = {
  new: 'No change made from it has finished yet.',
  healthy: 'Its recent changes went well.',
  watch: 'A recent change failed or caused an incident, or its score is below zero.',
  suspended: 'Suspended: its changes are filed as normal changes.',
  retired: 'No longer offered for new changes.',
};

/** The success score with its sign: "+12", "−4", "0". */
export function scoreText(score: number): string {
  const rounded = Math.round(score * 10) / 10;
  if (rounded > 0) return `+${rounded}`;
  if (rounded < 0) return `−${Math.abs(rounded)}`;
  return '0';
}

export function scoreColor(score: number): string | undefined {
  if (score < 0) return 'red.8';
  if (score > 0) return 'green.9';
  return undefined;
}

/** "6 uses, 1 failed" for a list cell. */
export function usesText(outcomes: Pick<TemplateOutcomes, 'uses' | 'failed'>): string {
  const uses = outcomes.uses === 1 ? '1 use' : `${outcomes.uses} uses`;
  return `${uses}, ${outcomes.failed} failed`;
}

/** "2 P1, 1 P3" of the incidents its changes caused, or "none". */
export function incidentsText(incidents: TemplateOutcomes['incidents']): string {
  const parts = (['p1', 'p2', 'p3', 'p4'] as const).filter((p) => incidents[p] > 0).map((p) => `${incidents[p]} ${p.toUpperCase()}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** Names for ids (services, teams), for the words of an entry. */
export type NameOf = (id: string) => string;

const orList = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);
const andList = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** Where a standard change from the entry may run, one sentence a rule; an entry without rules says it may run anywhere. */
export function eligibilityWords(e: TemplateEligibility, serviceName: NameOf = (id) => id): string[] {
  const words: string[] = [];
  if (e.services.length) words.push(`Its CIs belong to ${orList(e.services.map(serviceName))}.`);
  if (e.ciTypes.length) words.push(`Its CIs are of type ${orList(e.ciTypes)}.`);
  if (e.environments.length)
    words.push(`Its CIs are in ${orList(e.environments.map((env) => (ENVIRONMENT_LABELS[env as Environment] ?? env).toLowerCase()))}.`);
  if (e.maxRisk) words.push(`Its risk, as scored, is at most ${RISK_LEVEL_LABELS[e.maxRisk as RiskLevel].toLowerCase()}.`);
  if (e.windows.length)
    words.push(
      `It is planned inside ${e.windows.length === 1 ? 'the window' : 'one of the windows'} ${orList(e.windows.map((w) => `“${w}”`))}.`,
    );
  if (e.maxImpact !== null)
    words.push(
      `At most ${e.maxImpact} ${e.maxImpact === 1 ? 'CI is' : 'CIs are'} reachable from its CIs over the CMDB (dependency analysis).`,
    );
  if (e.rule.trim()) words.push('The rule below holds.');
  if (words.length === 0) words.push('Any CI, environment, risk and time: the entry sets no limits.');
  return words;
}

/** "Test evidence and security scan before implementation", or null when the entry requires none. */
export function requiredEvidenceText(e: TemplateEligibility): string | null {
  if (e.requiredEvidence.length === 0) return null;
  const kinds = e.requiredEvidence.map(evidenceKindLabel);
  return `${andList(kinds.map((k, i) => (i === 0 ? k : k.toLowerCase())))} before implementation`;
}

export const KNOWN_ERROR_WORDS: Record<TemplateEligibility['knownErrors'], string> = {
  warn: 'A warning (the change stays standard)',
  fail: 'A failing check (the change becomes normal)',
};

/** One difference between two versions of an entry: the field's label and its value before and after. */
export interface VersionDifference {
  field: string;
  before: string;
  after: string;
}

const FIELD_LABELS: Record<string, string> = {
  name: 'Name',
  description: 'Description',
  type: 'Type',
  ciIds: 'CIs',
  assignmentTeamId: 'Assignment team',
  category: 'Category',
  ownerTeamId: 'Owner team',
  'fields.title': 'Change title',
  'fields.description': 'Change description',
  'fields.justification': 'Justification',
  'fields.implementationPlan': 'Implementation plan',
  'fields.testPlan': 'Test plan',
  'fields.backoutPlan': 'Backout plan',
  'fields.backoutTested': 'Backout plan tested',
  'fields.impact': 'Impact',
  'fields.urgency': 'Urgency',
  'eligibility.services': 'Services',
  'eligibility.ciTypes': 'CI types',
  'eligibility.environments': 'Environments',
  'eligibility.maxRisk': 'Highest risk',
  'eligibility.windows': 'Windows',
  'eligibility.rule': 'Rule (CEL)',
  'eligibility.maxImpact': 'Most CIs reachable',
  'eligibility.requiredEvidence': 'Required evidence',
  'eligibility.knownErrors': 'Known errors on its CIs',
};

export const fieldLabel = (path: string) => FIELD_LABELS[path] ?? humanize(path.split('.').at(-1) ?? path);

/** Names for what a version refers to by id, for its differences in words. */
export interface VersionNames {
  ci?: NameOf;
  team?: NameOf;
  service?: NameOf;
}

function valueText(path: string, value: unknown, names: VersionNames): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) {
    if (value.length === 0) return '—';
    const name =
      path === 'ciIds'
        ? names.ci
        : path === 'eligibility.services'
          ? names.service
          : path === 'eligibility.requiredEvidence'
            ? evidenceKindLabel
            : path === 'eligibility.environments'
              ? (env: string) => ENVIRONMENT_LABELS[env as Environment] ?? env
              : undefined;
    return value.map((v) => (name ? name(String(v)) : String(v))).join(', ');
  }
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (path === 'assignmentTeamId' || path === 'ownerTeamId') return names.team ? names.team(String(value)) : String(value);
  if (path === 'eligibility.maxRisk') return RISK_LEVEL_LABELS[value as RiskLevel] ?? String(value);
  if (path === 'fields.impact' || path === 'fields.urgency') return LEVEL_LABELS[value as keyof typeof LEVEL_LABELS] ?? String(value);
  if (path === 'eligibility.knownErrors') return KNOWN_ERROR_WORDS[value as 'warn' | 'fail'] ?? String(value);
  return String(value);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Every field that differs between two versions' content (`from` the one in force, `to` the pending one), in form order. */
export function versionDifferences(from: TemplateContent, to: TemplateContent, names: VersionNames = {}): VersionDifference[] {
  const pairs: [string, unknown, unknown][] = [];
  for (const key of ['name', 'description', 'type', 'category', 'ownerTeamId', 'assignmentTeamId', 'ciIds'] as const) {
    pairs.push([key, from[key], to[key]]);
  }
  const fieldKeys = new Set([...Object.keys(from.fields), ...Object.keys(to.fields)]);
  for (const key of fieldKeys) {
    pairs.push([`fields.${key}`, (from.fields as Record<string, unknown>)[key], (to.fields as Record<string, unknown>)[key]]);
  }
  const eligibilityKeys = new Set([...Object.keys(from.eligibility), ...Object.keys(to.eligibility)]);
  for (const key of eligibilityKeys) {
    pairs.push([
      `eligibility.${key}`,
      (from.eligibility as Record<string, unknown>)[key],
      (to.eligibility as Record<string, unknown>)[key],
    ]);
  }
  return pairs
    .filter(([, a, b]) => !same(a, b))
    .map(([path, a, b]) => ({ field: fieldLabel(path), before: valueText(path, a, names), after: valueText(path, b, names) }));
}

/** The content of an entry as it stands (what its version in force holds). */
export function contentOf(t: Template): TemplateContent {
  return {
    name: t.name,
    description: t.description,
    type: t.type,
    fields: t.fields,
    ciIds: t.ciIds,
    assignmentTeamId: t.assignmentTeamId,
    category: t.category,
    ownerTeamId: t.ownerTeamId,
    eligibility: t.eligibility,
  };
}

/** A list item as words: a change number, or `{number, priorities}` as "CHG0000014 (P1)". */
function itemText(item: unknown): string {
  if (typeof item !== 'object' || item === null) return String(item);
  const { number, priorities } = item as { number?: unknown; priorities?: unknown };
  const ps = Array.isArray(priorities) && priorities.length ? ` (${priorities.map((p) => `P${String(p)}`).join(', ')})` : '';
  return number !== undefined ? `${String(number)}${ps}` : JSON.stringify(item);
}

const NUMBER_LABELS: Record<string, string> = {
  trigger: 'Triggered by',
  failures: 'Failures',
  failedChanges: 'Failed',
  incidentChanges: 'Caused incidents',
  uses: 'Uses',
  failed: 'Failed',
  incidents: 'Incidents caused',
};

/**
 * The numbers of a suspension log row in words ("Uses counted: 2 of the last 20", "Failed: CHG0000014, CHG0000013"),
 * leaving out empty ones.
 */
export function suspensionNumbers(numbers: Record<string, unknown>): string[] {
  const words: string[] = [];
  for (const [key, value] of Object.entries(numbers)) {
    if (value === null || value === undefined || value === '' || key === 'window') continue;
    if (Array.isArray(value)) {
      if (value.length) words.push(`${NUMBER_LABELS[key] ?? humanize(key)}: ${value.map(itemText).join(', ')}`);
      continue;
    }
    if (key === 'lastUses') {
      words.push(`Uses counted: ${String(value)}${typeof numbers.window === 'number' ? ` of the last ${numbers.window}` : ''}`);
      continue;
    }
    if (typeof value === 'object') {
      const inner = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== 0 && v !== null)
        .map(([k, v]) => `${/^p\d$/i.test(k) ? k.toUpperCase() : humanize(k).toLowerCase()} ${String(v)}`);
      if (inner.length) words.push(`${NUMBER_LABELS[key] ?? humanize(key)}: ${inner.join(', ')}`);
      continue;
    }
    words.push(`${NUMBER_LABELS[key] ?? humanize(key)}: ${String(value)}`);
  }
  return words;
}

/** A log row's reason without the "Suspended automatically:" its title already says. */
export function suspensionReason(reason: string): string {
  const rest = reason.replace(/^(suspended|reinstated)( automatically| by hand)?:\s*/i, '');
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}
