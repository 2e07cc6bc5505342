import type { Config } from '../../config';
import type { AgendaView, Meeting } from '../../contracts/meetings';
import { CliError, formatTable, printJson } from '../output';
import { cliActor, withServices } from './admin';
import { stdout } from '../io';

const RISK_WORDS: Record<string, string> = { low: 'low', moderate: 'moderate', high: 'high', very_high: 'very high' };

/**
 * `cabinet cab agenda --board NAME`: the agenda of the board's next meeting (the one under way, else the next
 * planned), or of `--meeting ID`; `--json` prints the meeting and its agenda as the API answers them.
 */
export async function agenda(config: Config, opts: { board: string; meeting?: string; json?: boolean }): Promise<void> {
  await withServices(config, async (services) => {
    const actor = cliActor();
    const board = await services.boards.get(actor, opts.board);
    let meeting: Meeting | undefined;
    if (opts.meeting) {
      meeting = await services.meetings.get(actor, opts.meeting);
      if (meeting.boardId !== board.id) throw new CliError(`Meeting ${opts.meeting} is not a meeting of ${board.name}.`);
    } else {
      const now = Date.now();
      const open = (await services.meetings.list(actor, { boardId: board.id, limit: 500 })).filter((m) => m.state === 'live' || (m.state === 'planned' && Date.parse(m.end) > now));
      meeting = open.find((m) => m.state === 'live') ?? open[0];
    }
    if (!meeting) throw new CliError(`${board.name} has no meeting planned. Schedule one: POST /api/v1/boards/${board.id}/meetings, or on the board's page.`);
    const view = await services.meetings.agenda(actor, meeting.id);
    if (opts.json) {
      printJson({ meeting, agenda: view });
      return;
    }
    stdout.write(print(meeting, view));
  });
}

function print(meeting: Meeting, view: AgendaView): string {
  const lines = [
    // A meeting's default title is the board's name and the date: said once.
    `${meeting.title.startsWith(meeting.boardName) ? meeting.boardName : `${meeting.title} (${meeting.boardName})`}: ${meeting.start.replace('T', ' ').slice(0, 16)} UTC, ${meeting.durationMinutes} min, ${meeting.state}${meeting.chair ? `, chaired by ${meeting.chair.name}` : ''}`,
    '',
  ];
  if (view.items.length === 0) lines.push('Nothing awaits the board.', '');
  else {
    const rows = view.items.map((i) => [
      String(i.position),
      i.number,
      RISK_WORDS[i.riskLevel] ?? i.riskLevel,
      i.plannedStart ? i.plannedStart.replace('T', ' ').slice(0, 16) : 'not planned',
      `${i.allottedMinutes} min`,
      [i.retrospective ? `retrospective (approved by ${i.retrospective.boardName})` : '', i.urgent ? 'urgent' : '', i.late ? 'late' : '', i.overflow ? 'over time' : '', i.decision ? i.decision.decision.replace(/_/g, ' ') : ''].filter(Boolean).join(', '),
      i.title,
    ]);
    lines.push(formatTable(['#', 'CHANGE', 'RISK', 'PLANNED START (UTC)', 'TIME', 'MARKS', 'TITLE'], rows).trimEnd(), '');
  }
  if (view.overrunMinutes > 0) lines.push(`The items need ${view.overrunMinutes} min more than the meeting has.`, '');
  if (view.decidedAhead.length) lines.push(`Decided ahead by votes: ${view.decidedAhead.map((d) => `${d.number} (${d.outcome})`).join(', ')}`, '');
  if (view.fyi.length) lines.push(`For information (standard changes): ${view.fyi.map((f) => f.number).join(', ')}`, '');
  if (view.removed.length) lines.push(...view.removed.map((r) => `Removed ${r.number}: ${r.reason}`), '');
  return lines.join('\n');
}
