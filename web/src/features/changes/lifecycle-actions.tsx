import { Badge, Button, Group, List, Stack, Text, Tooltip } from '@mantine/core';
import type { AvailableTransition } from '../../api/types';
import { changeFieldLabel } from './field-labels';

/** Moves that end a change without doing it (cancel, reject): they ask for a reason first. */
export const endsTheChange = (t: AvailableTransition) => t.needsReason || /^(cancel|reject)/i.test(t.to) || /^(cancel|reject)/i.test(t.label);

/** Whether a field has a value, as the server judges "missing": not null, not blank text, not an empty list. */
export function hasValue(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** A move with everything it knows: the fields still empty (in the form as edited) and what else stands in the way. */
export interface Move {
  transition: AvailableTransition;
  /** Required fields empty on the saved change and not filled in the form since. */
  missing: string[];
  /** Whether nothing the server knows of would refuse it (the reason a cancel asks for aside). */
  ready: boolean;
  /** Whether it takes the change further along its lifecycle (not back, not to its end without doing it). */
  forward: boolean;
}

/**
 * The moves the caller may fire (by role or relation), with what is missing or in the way of each.
 * `filled` says whether the form, as edited, has a value for a field; `order` ranks states by their place in
 * the change model (a move to a later state goes forward).
 */
export function movesOf(
  transitions: AvailableTransition[],
  current: string,
  filled: (field: string) => boolean,
  order: (state: string) => number,
): Move[] {
  return transitions
    .filter((t) => t.allowed)
    .map((t) => {
      const missing = t.missingFields.filter((f) => !filled(f));
      return {
        transition: t,
        missing,
        ready: missing.length === 0 && t.reasons.length === 0,
        forward: !endsTheChange(t) && order(t.to) > order(current),
      };
    });
}

/** The move for the filled button: the first one forward that will succeed; none when none will. */
export function primaryMove(moves: Move[]): Move | null {
  return moves.find((m) => m.forward && m.ready) ?? null;
}

/** Why a move would be refused, in one sentence list: missing fields first, then the server's reasons. */
export function whyNot(move: Move): string[] {
  return [...(move.missing.length > 0 ? [`Still missing: ${move.missing.map(changeFieldLabel).join(', ')}.`] : []), ...move.transition.reasons];
}

function MoveButton({ move, primary, loading, disabled, onClick }: { move: Move; primary: boolean; loading: boolean; disabled: boolean; onClick: () => void }) {
  const t = move.transition;
  const why = whyNot(move);
  const ending = endsTheChange(t);
  const button = (
    <Button
      size="sm"
      variant={primary ? 'filled' : ending ? 'light' : 'default'}
      color={ending ? 'red' : undefined}
      // A move that would be refused: a dashed outline and quieter text, still a button (it may be tried).
      styles={move.ready || ending || primary ? undefined : { root: { borderStyle: 'dashed', color: 'var(--mantine-color-gray-7)' } }}
      loading={loading}
      disabled={disabled}
      onClick={onClick}
      data-primary={primary || undefined}
      data-ready={move.ready}
      rightSection={
        move.missing.length > 0 ? (
          <Badge size="xs" color="orange" variant="filled" circle aria-hidden>
            {move.missing.length}
          </Badge>
        ) : undefined
      }
      aria-description={why.length > 0 ? `Not ready: ${why.join(' ')}` : ending ? 'Asks for a reason first.' : undefined}
    >
      {ending ? `${t.label}…` : t.label}
    </Button>
  );
  if (why.length === 0) return button;
  return (
    <Tooltip label={why.join(' ')} multiline w={300} events={{ hover: true, focus: true, touch: false }} withArrow>
      {button}
    </Tooltip>
  );
}

/**
 * The lifecycle buttons of a change. The filled one is the move that will succeed (the first forward move
 * nothing stands in the way of); moves that would be refused are quiet, and say why before the click (tooltip,
 * and the list under the buttons); moves that end the change are red and ask first.
 */
export function LifecycleActions({
  moves,
  pending,
  busy,
  onMove,
}: {
  moves: Move[];
  pending: string | null;
  busy: boolean;
  onMove: (t: AvailableTransition) => void;
}) {
  const primary = primaryMove(moves);
  // The filled button first, then the rest in the policy's order, and the moves that end the change last.
  const ordered = [...(primary ? [primary] : []), ...moves.filter((m) => m !== primary && !endsTheChange(m.transition)), ...moves.filter((m) => endsTheChange(m.transition))];
  return (
    <Group gap="xs" aria-label="Lifecycle actions" role="group">
      {ordered.map((m) => (
        <MoveButton
          key={m.transition.to}
          move={m}
          primary={m === primary}
          loading={pending === m.transition.to}
          disabled={busy && pending !== m.transition.to}
          onClick={() => onMove(m.transition)}
        />
      ))}
    </Group>
  );
}

/** Moves refused for the same reason, together: "Return to requester, Reject: Only change managers may do this." */
function byReason(transitions: AvailableTransition[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const t of transitions) {
    const why = t.reasons.join(' ') || 'Not yours to do.';
    groups.set(why, [...(groups.get(why) ?? []), t.label]);
  }
  return [...groups];
}

/** Under the header: what stands in the way of each move the caller could make, before they try it. */
export function MoveReasons({ moves, refusedByRole }: { moves: Move[]; refusedByRole: AvailableTransition[] }) {
  const blocked = moves.filter((m) => m.transition.reasons.length > 0);
  if (blocked.length === 0 && refusedByRole.length === 0) return null;
  return (
    <Stack gap={2} data-testid="move-reasons">
      <List size="xs" c="gray.7" spacing={2} listStyleType="none">
        {blocked.map((m) => (
          <List.Item key={m.transition.to}>
            <Text span size="xs" fw={600}>
              {m.transition.label}:
            </Text>{' '}
            {m.transition.reasons.join(' ')}
          </List.Item>
        ))}
        {byReason(refusedByRole).map(([why, labels]) => (
          <List.Item key={why}>
            <Text span size="xs" fw={600}>
              {labels.join(', ')}:
            </Text>{' '}
            {why}
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}
