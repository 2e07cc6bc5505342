import {
  Fieldset,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { issuesOf } from '../../api/client';
import { toOptions } from '../../shared/labels';
import { usePeopleByIds, useTeams } from '../admin/admin-api';
import { UserMultiSelect } from '../admin/user-select';
import {
  emptyRecurrenceForm,
  formToRecurrence,
  RecurrenceFieldset,
  type RecurrenceFormValues,
  recurrenceErrorField,
  recurrenceToForm,
} from './board-recurrence';
import type { Board, BoardKind, BoardRequest, BoardUpdate, ChairRule } from './boards-api';

export const BOARD_KIND_LABELS: Record<BoardKind, string> = {
  cab: 'CAB',
  ecab: 'ECAB (emergency)',
  technical: 'Technical board',
};

export const CHAIR_RULE_LABELS: Record<ChairRule, string> = {
  round_robin: 'Round robin: the next member in member order',
  least_recent: 'Least recent: the member who chaired longest ago',
};

/** One member of the form: a person or a team, with the domains it represents and whether it is a delegate. */
export interface MemberRow {
  userId: string | null;
  teamId: string | null;
  domains: string[];
  delegate: boolean;
}

/** What the board form edits. Members keep member order (the order the chair rotates in). */
export interface BoardFormValues {
  name: string;
  kind: BoardKind | null;
  description: string;
  members: MemberRow[];
  minMembers: number | string;
  requiredDomains: string[];
  chairRule: ChairRule;
  responseMinutes: number | string;
  scope: string;
  /** Whether the board meets regularly; when off, `recurrence` is kept as typed but not sent. */
  recurring: boolean;
  recurrence: RecurrenceFormValues;
}

export const emptyBoardForm: BoardFormValues = {
  name: '',
  kind: null,
  description: '',
  members: [],
  minMembers: 1,
  requiredDomains: [],
  chairRule: 'round_robin',
  responseMinutes: '',
  scope: '',
  recurring: false,
  recurrence: emptyRecurrenceForm,
};

export function formFromBoard(b: Board): BoardFormValues {
  return {
    name: b.name,
    kind: b.kind,
    description: b.description,
    members: b.members.map((m) => ({ userId: m.userId, teamId: m.teamId, domains: m.domains, delegate: m.delegate })),
    minMembers: b.quorum.minMembers,
    requiredDomains: b.quorum.requiredDomains,
    chairRule: b.chairRule,
    responseMinutes: b.responseMinutes ?? '',
    scope: b.scope ?? '',
    recurring: b.recurrence !== null,
    recurrence: recurrenceToForm(b.recurrence),
  };
}

const membersOf = (rows: MemberRow[]) =>
  rows.map((m) => ({ ...(m.userId ? { userId: m.userId } : { teamId: m.teamId! }), domains: m.domains, delegate: m.delegate }));

// An emptied number box is sent as it is, so that the server names the problem with the others.
const numberOf = (v: number | string) => (typeof v === 'number' ? v : v.trim() === '' ? null : Number(v));

/** The body of POST /api/v1/boards. A missing kind is left out, so the server names it with the other problems. */
export function toBoardRequest(v: BoardFormValues): BoardRequest {
  const responseMinutes = numberOf(v.responseMinutes);
  return {
    name: v.name,
    ...(v.kind ? { kind: v.kind } : {}),
    description: v.description,
    members: membersOf(v.members),
    scope: v.scope.trim() === '' ? null : v.scope,
    quorum: { minMembers: numberOf(v.minMembers) as number, requiredDomains: v.requiredDomains },
    chairRule: v.chairRule,
    ...(responseMinutes !== null ? { responseMinutes } : {}),
    ...(v.recurring ? { recurrence: formToRecurrence(v.recurrence) } : {}),
  } as BoardRequest;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Only what differs from the board as read; `members` is sent whole when any member changed. */
export function toBoardUpdate(b: Board, v: BoardFormValues): BoardUpdate {
  const before = formFromBoard(b);
  const patch: BoardUpdate = {};
  if (v.name !== before.name) patch.name = v.name;
  if (v.kind && v.kind !== before.kind) patch.kind = v.kind;
  if (v.description !== before.description) patch.description = v.description;
  if (!same(v.members, before.members)) patch.members = membersOf(v.members);
  const quorum: NonNullable<BoardUpdate['quorum']> = {};
  if (numberOf(v.minMembers) !== numberOf(before.minMembers)) quorum.minMembers = numberOf(v.minMembers) as number;
  if (!same(v.requiredDomains, before.requiredDomains)) quorum.requiredDomains = v.requiredDomains;
  if (Object.keys(quorum).length > 0) patch.quorum = quorum;
  if (v.chairRule !== before.chairRule) patch.chairRule = v.chairRule;
  if (numberOf(v.responseMinutes) !== numberOf(before.responseMinutes)) patch.responseMinutes = numberOf(v.responseMinutes);
  if (v.scope.trim() !== before.scope.trim()) patch.scope = v.scope.trim() === '' ? null : v.scope;
  // Compared as sent, so that a rule the form writes in another order is no change; switched off sends null.
  const recurrence = v.recurring ? formToRecurrence(v.recurrence) : null;
  if (!same(recurrence, before.recurring ? formToRecurrence(before.recurrence) : null)) patch.recurrence = recurrence;
  return patch;
}

/** Fields the form shows (by the first segment of an issue's path); issues on other paths go in an alert above it. */
export const BOARD_FORM_FIELDS = [
  'name',
  'kind',
  'description',
  'members',
  'memberIds',
  'teamIds',
  'quorum',
  'chairRule',
  'responseMinutes',
  'scope',
  'recurrence',
];

/**
 * The server's issues by form field: `quorum.minMembers` and `quorum.requiredDomains` each have their own
 * input, `members.2.userId` goes to the third member's row (`members.2`), `recurrence.*` to the regular
 * meetings' fields (`recurrence.holidays.1` to the second holiday), other paths go by their first segment.
 */
export function boardFieldErrors(error: unknown): Record<string, string> {
  const byField: Record<string, string[]> = {};
  for (const issue of issuesOf(error)) {
    const parts = issue.path.split('.');
    const field =
      parts[0] === 'quorum' && parts[1]
        ? `quorum.${parts[1]}`
        : parts[0] === 'members' && parts[1]
          ? `members.${parts[1]}`
          : parts[0] === 'recurrence'
            ? recurrenceErrorField(parts)
            : parts[0] || '_';
    (byField[field] ??= []).push(issue.message);
  }
  return Object.fromEntries(Object.entries(byField).map(([field, messages]) => [field, messages.join('; ')]));
}

const kindOptions = toOptions(BOARD_KIND_LABELS);
const chairOptions = toOptions(CHAIR_RULE_LABELS);

/** Keeps the rows of the other kind and those still chosen, in member order; newly chosen ones go last. */
function choose(rows: MemberRow[], key: 'userId' | 'teamId', ids: string[]): MemberRow[] {
  const kept = rows.filter((r) => (r[key] === null ? true : ids.includes(r[key])));
  const added = ids
    .filter((id) => !rows.some((r) => r[key] === id))
    .map((id) => ({ userId: key === 'userId' ? id : null, teamId: key === 'teamId' ? id : null, domains: [], delegate: false }));
  return [...kept, ...added];
}

interface BoardFormProps {
  values: BoardFormValues;
  onChange: (values: BoardFormValues) => void;
  errors: Record<string, string>;
  disabled: boolean;
  /** Names of the members already known (the board's answer), shown until the people and teams are read. */
  names?: Map<string, string>;
}

/** The board's fields: what it is, who sits on it (with domains and delegates), its quorum, chair and scope, and its regular meetings. */
export function BoardForm({ values, onChange, errors, disabled, names }: BoardFormProps) {
  const set = <K extends keyof BoardFormValues>(key: K, value: BoardFormValues[K]) => onChange({ ...values, [key]: value });
  const teams = useTeams();
  const userIds = values.members.flatMap((m) => (m.userId ? [m.userId] : []));
  const teamIds = values.members.flatMap((m) => (m.teamId ? [m.teamId] : []));
  const people = usePeopleByIds(userIds);
  const personName = new Map([...(names ?? []), ...(people.data?.items ?? []).map((p) => [p.id, p.name] as const)]);
  const teamName = new Map([...(names ?? []), ...(teams.data?.items ?? []).map((t) => [t.id, t.name] as const)]);
  const teamOptions = [
    ...teamIds.filter((id) => !teamName.has(id)).map((id) => ({ value: id, label: id })),
    ...(teams.data?.items ?? []).map((t) => ({ value: t.id, label: t.name })),
  ];
  const setMember = (index: number, row: Partial<MemberRow>) =>
    set(
      'members',
      values.members.map((m, i) => (i === index ? { ...m, ...row } : m)),
    );
  // Problems of members the form holds no row for (a board edited elsewhere meanwhile) show with the members.
  const rowless = Object.entries(errors)
    .filter(([field]) => field.startsWith('members.') && Number(field.slice('members.'.length)) >= values.members.length)
    .map(([, message]) => message);
  const membersError = [errors.members, errors.memberIds, errors.teamIds, ...rowless].filter(Boolean).join('; ') || undefined;

  return (
    <Stack gap="md" maw={900}>
      <Fieldset legend="The board" disabled={disabled}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Name"
              required
              maxLength={120}
              value={values.name}
              onChange={(e) => set('name', e.currentTarget.value)}
              error={errors.name}
            />
            <Select
              label="Kind"
              required
              data={kindOptions}
              value={values.kind}
              onChange={(v) => set('kind', v as BoardKind | null)}
              error={errors.kind}
              allowDeselect={false}
            />
          </SimpleGrid>
          <Textarea
            label="Description"
            description="What the board is for, in your words."
            autosize
            minRows={2}
            maxRows={6}
            maxLength={4000}
            value={values.description}
            onChange={(e) => set('description', e.currentTarget.value)}
            error={errors.description}
          />
        </Stack>
      </Fieldset>

      <Fieldset legend="Members" disabled={disabled}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <UserMultiSelect
              label="People"
              description="People who sit on the board."
              placeholder="Search by name or email"
              value={userIds}
              onChange={(ids) => set('members', choose(values.members, 'userId', ids))}
              disabled={disabled}
            />
            <MultiSelect
              label="Teams"
              description="Every person of a team sits on the board, and those who join it later too."
              placeholder={teamIds.length ? undefined : 'Choose teams'}
              data={teamOptions}
              value={teamIds}
              onChange={(ids) => set('members', choose(values.members, 'teamId', ids))}
              searchable
              clearable
              hidePickedOptions
              disabled={disabled}
            />
          </SimpleGrid>
          {membersError && (
            <Text size="sm" c="red.8" role="alert">
              {membersError}
            </Text>
          )}
          {values.members.length === 0 ? (
            <Text size="sm" c="dimmed">
              No members yet. Choose people or teams above; each can then represent domains, or sit as a delegate.
            </Text>
          ) : (
            <Stack gap="xs" role="list" aria-label="Members and what they represent">
              {values.members.map((m, i) => {
                const name = m.userId ? (personName.get(m.userId) ?? m.userId) : (teamName.get(m.teamId!) ?? m.teamId!);
                const error = errors[`members.${i}`];
                return (
                  <Paper key={m.userId ?? `team:${m.teamId}`} withBorder p="xs" radius="sm" role="listitem" aria-label={name}>
                    <Group align="flex-start" gap="sm" wrap="wrap">
                      <Stack gap={0} w={200}>
                        <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>
                          {name}
                        </Text>
                        <Text size="xs" c="dimmed">
                          {m.userId ? 'Person' : 'Team'}
                        </Text>
                      </Stack>
                      <TagsInput
                        label={`Domains ${name} represents`}
                        placeholder="security, database… (Enter after each)"
                        value={m.domains}
                        onChange={(domains) => setMember(i, { domains: domains.map((d) => d.trim().toLowerCase()) })}
                        error={error}
                        style={{ flex: 1, minWidth: 220 }}
                        disabled={disabled}
                      />
                      <Switch
                        label="Delegate"
                        description="Stands in for members who are away"
                        checked={m.delegate}
                        onChange={(e) => setMember(i, { delegate: e.currentTarget.checked })}
                        mt={28}
                        disabled={disabled}
                      />
                    </Group>
                  </Paper>
                );
              })}
            </Stack>
          )}
        </Stack>
      </Fieldset>

      <Fieldset legend="Decisions" disabled={disabled}>
        <Stack gap="sm">
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <NumberInput
              label="Quorum: people who must vote"
              description="Parties to a change (its requester, owner, implementer) never count."
              min={1}
              allowDecimal={false}
              value={values.minMembers}
              onChange={(v) => set('minMembers', v)}
              error={errors['quorum.minMembers']}
            />
            <TagsInput
              label="Quorum: domains a voter must represent"
              description="A decision stands only with a voter of each; give a member each domain above."
              placeholder="security (Enter after each)"
              value={values.requiredDomains}
              onChange={(domains) =>
                set(
                  'requiredDomains',
                  domains.map((d) => d.trim().toLowerCase()),
                )
              }
              error={errors['quorum.requiredDomains'] ?? errors.quorum}
              disabled={disabled}
            />
            <Select
              label="Chair rule"
              description="How the chair passes from one meeting to the next; members who are away are skipped."
              data={chairOptions}
              value={values.chairRule}
              onChange={(v) => v && set('chairRule', v as ChairRule)}
              allowDeselect={false}
              error={errors.chairRule}
            />
            <NumberInput
              label="Response time (minutes)"
              description="How long members have to answer; empty for none (an ECAB gets 60)."
              min={1}
              max={10080}
              allowDecimal={false}
              value={values.responseMinutes}
              onChange={(v) => set('responseMinutes', v)}
              error={errors.responseMinutes}
            />
          </SimpleGrid>
          <Textarea
            label="Scope (CEL)"
            description='The changes this board decides, as a condition over the change in the policy’s language, e.g. change.type != "standard" && services.exists(s, s.tier <= 1). Empty: every change routed to it.'
            autosize
            minRows={3}
            maxRows={10}
            maxLength={4000}
            styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
            value={values.scope}
            onChange={(e) => set('scope', e.currentTarget.value)}
            error={errors.scope}
          />
        </Stack>
      </Fieldset>

      <RecurrenceFieldset
        recurring={values.recurring}
        values={values.recurrence}
        onChange={(recurring, recurrence) => onChange({ ...values, recurring, recurrence })}
        errors={errors}
        disabled={disabled}
      />
    </Stack>
  );
}
