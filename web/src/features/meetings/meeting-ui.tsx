import { Badge } from '@mantine/core';
import { useEffect, useState } from 'react';
import { displayTimeZone, isoToLocalInput } from '../../shared/format';
import type { BoardDecision, Meeting, MeetingState } from './meetings-api';

/** Meeting states in words; typed so that a state added to the contract needs a label here. */
export const MEETING_STATE_LABELS: Record<MeetingState, string> = {
  planned: 'Planned',
  live: 'In progress',
  ended: 'Ended',
  cancelled: 'Cancelled',
};

const MEETING_STATE_COLORS: Record<MeetingState, string> = { planned: 'blue', live: 'green', ended: 'gray', cancelled: 'red' };

export function MeetingStateBadge({ state, size = 'sm' }: { state: MeetingState; size?: 'sm' | 'md' }) {
  return (
    <Badge variant="light" color={MEETING_STATE_COLORS[state]} size={size} data-state={state}>
      {MEETING_STATE_LABELS[state]}
    </Badge>
  );
}

/** The decisions on a retrospective item: an approval another board gave, reviewed after the fact. */
export type RetrospectiveDecision = 'ratify' | 'flag';

/** The board's decisions in words, as the decision panel offers them (on an item awaiting the board). */
export const DECISION_LABELS: Record<Exclude<BoardDecision, RetrospectiveDecision>, string> = {
  approve: 'Approve',
  approve_with_conditions: 'Approve with conditions',
  defer: 'Defer',
  reject: 'Reject',
  request_info: 'Ask for information',
};

/** The decisions the panel offers on a retrospective item. */
export const RETROSPECTIVE_LABELS: Record<RetrospectiveDecision, string> = {
  ratify: 'Ratify',
  flag: 'Flag',
};

/** A decision once made, in the past tense. */
export const DECIDED_LABELS: Record<BoardDecision, string> = {
  approve: 'Approved',
  approve_with_conditions: 'Approved with conditions',
  defer: 'Deferred',
  reject: 'Rejected',
  request_info: 'Information asked',
  ratify: 'Ratified',
  flag: 'Flagged',
};

const DECISION_COLORS: Record<BoardDecision, string> = {
  approve: 'green',
  approve_with_conditions: 'teal',
  defer: 'yellow',
  reject: 'red',
  request_info: 'orange',
  ratify: 'green',
  flag: 'red',
};

export function DecisionBadge({ decision }: { decision: BoardDecision }) {
  return (
    <Badge variant="light" color={DECISION_COLORS[decision]} size="sm" data-decision={decision}>
      {DECIDED_LABELS[decision]}
    </Badge>
  );
}

/** The day an instant falls on in the display zone, as a key that sorts: "2026-12-07". */
export function dayKey(iso: string): string {
  return isoToLocalInput(iso).slice(0, 10);
}

/** "Monday 7 December 2026": a day heading, in the display zone. */
export function dayHeading(iso: string): string {
  return new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: displayTimeZone() }).format(
    new Date(iso),
  );
}

/** 65 seconds → "1:05", 3725 → "1:02:05"; negative counts as 0. */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** The time now, read again every `everyMs` while `running`: the timers tick with it. */
export function useNow(running: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!running) return undefined;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [running, everyMs]);
  return now;
}

/** Whether this person may run the meeting: its chair, or a change manager (board.manage). */
export function canRunMeeting(meeting: Pick<Meeting, 'chair'>, me: { id: string }, canManage: boolean): boolean {
  return canManage || (meeting.chair !== null && meeting.chair.userId === me.id);
}
