import { createHash } from 'node:crypto';

/**
 * The minutes of a board meeting (issue 15, point 7; docs/cab.md#minutes): generated once, when the meeting
 * ends, from what was recorded. Pure, so the same record always gives the same text and the same hash.
 */

export interface MinutesInput {
  board: { name: string; kind: string };
  meeting: { id: string; title: string; start: string; durationMinutes: number; startedAt: string | null; endedAt: string; chair: string | null; notes: string };
  /** `attested`: recorded by the person or a change manager (only those count towards a quorum). */
  attendance: { name: string; present: boolean; attested: boolean; domains: string[] }[];
  decisions: {
    number: string;
    title: string;
    riskLevel: string;
    decision: string;
    rationale: string;
    decidedBy: string;
    decidedAt: string;
    minutesSpent: number | null;
    allottedMinutes: number | null;
    votes: { name: string; decision: string }[];
    quorum: { met: boolean; voters: number; missingMembers: number; missingDomains: string[] };
    conditions: { text: string; dueAt: string | null; verifier: string }[];
    deferredTo: string | null;
  }[];
  /** Items on the agenda that were not decided at the meeting. */
  undecided: { number: string; title: string }[];
  /** Items removed from the agenda, with why. */
  removed: { number: string; reason: string }[];
}

const WORDS: Record<string, string> = {
  approve: 'Approved',
  approve_with_conditions: 'Approved with conditions',
  defer: 'Deferred',
  reject: 'Rejected',
  request_info: 'More information requested',
  ratify: 'Ratified (retrospective review)',
  flag: 'Flagged (retrospective review)',
};

/** Markdown text (escaped where people's words could break the layout). */
const md = (text: string) => text.replace(/([\\`*_[\]<>#|])/g, '\\$1');
const oneLine = (text: string) => md(text.replace(/\s*\n\s*/g, ' ').trim());
const minutes = (n: number) => `${Math.round(n * 10) / 10} min`;

export function renderMinutes(input: MinutesInput): string {
  const { board, meeting } = input;
  const out: string[] = [];
  out.push(`# Minutes: ${oneLine(meeting.title)}`, '');
  out.push(`- Board: ${oneLine(board.name)} (${board.kind})`);
  out.push(`- Planned: ${meeting.start}, ${meeting.durationMinutes} minutes`);
  out.push(`- Held: ${meeting.startedAt ?? 'not started'} to ${meeting.endedAt}`);
  out.push(`- Chair: ${meeting.chair ? oneLine(meeting.chair) : 'none'}`);
  out.push(`- Meeting id: ${meeting.id}`, '');

  out.push('## Attendance', '');
  const present = input.attendance.filter((a) => a.present);
  const apologies = input.attendance.filter((a) => !a.present);
  out.push(`Present (${present.length}): ${present.length ? present.map((a) => `${oneLine(a.name)}${a.domains.length ? ` (${a.domains.join(', ')})` : ''}${a.attested ? '' : ' [not confirmed]'}`).join('; ') : 'nobody recorded'}`);
  if (apologies.length) out.push('', `Absent: ${apologies.map((a) => oneLine(a.name)).join('; ')}`);
  if (present.some((a) => !a.attested)) out.push('', '[not confirmed]: recorded by the chair, not by the person or a change manager; not counted towards a quorum.');
  out.push('');

  out.push('## Decisions', '');
  if (input.decisions.length === 0) out.push('No decisions were recorded.', '');
  for (const d of input.decisions) {
    out.push(`### ${d.number}: ${oneLine(d.title)}`, '');
    out.push(`- Decision: **${WORDS[d.decision] ?? d.decision}** (risk ${d.riskLevel.replace('_', ' ')})`);
    out.push(`- Rationale: ${oneLine(d.rationale)}`);
    if (d.deferredTo) out.push(`- Deferred to: ${d.deferredTo}`);
    for (const c of d.conditions) out.push(`- Condition: ${oneLine(c.text)}${c.dueAt ? `, due ${c.dueAt}` : ''}; verified by ${oneLine(c.verifier)}`);
    out.push(`- Quorum: ${d.quorum.met ? 'met' : 'not met'} (${d.quorum.voters} counting${d.quorum.missingMembers ? `, ${d.quorum.missingMembers} short` : ''}${d.quorum.missingDomains.length ? `, missing ${d.quorum.missingDomains.join(', ')}` : ''})`);
    if (d.votes.length) out.push(`- Votes: ${d.votes.map((v) => `${oneLine(v.name)} ${v.decision}`).join('; ')}`);
    const spent = d.minutesSpent === null ? null : minutes(d.minutesSpent);
    if (spent || d.allottedMinutes !== null) out.push(`- Time: ${spent ?? 'not timed'}${d.allottedMinutes !== null ? ` of ${d.allottedMinutes} min allotted` : ''}`);
    out.push(`- Recorded by ${oneLine(d.decidedBy)} at ${d.decidedAt}`, '');
  }

  if (input.undecided.length) {
    out.push('## Not decided', '');
    for (const u of input.undecided) out.push(`- ${u.number}: ${oneLine(u.title)}`);
    out.push('');
  }
  if (input.removed.length) {
    out.push('## Removed from the agenda', '');
    for (const r of input.removed) out.push(`- ${r.number}: ${oneLine(r.reason)}`);
    out.push('');
  }
  out.push('## Notes', '');
  out.push(meeting.notes.trim() ? md(meeting.notes.trim()) : 'No notes.', '');
  return out.join('\n');
}

/** The SHA-256 (hex) of the minutes' text: what the audit chain records. */
export function minutesHash(markdown: string): string {
  return createHash('sha256').update(markdown, 'utf8').digest('hex');
}

/** Minutes allotted per risk level on an agenda (docs/cab.md#the-agenda). */
export const DEFAULT_ALLOTMENT = { low: 5, moderate: 10, high: 15, very_high: 20 } as const;
