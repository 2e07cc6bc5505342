import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { BoardParams } from '../../contracts/boards';
import {
  AgendaEditRequest,
  AgendaView,
  AttendanceRequest,
  Condition,
  ConditionVerifyRequest,
  CurrentItemRequest,
  DecisionRequest,
  DecisionView,
  Meeting,
  MeetingCancelRequest,
  MeetingItemParams,
  MeetingListQuery,
  MeetingParams,
  MeetingRequest,
  MeetingUpdate,
  Minutes,
  PreRead,
} from '../../contracts/meetings';
import { renderMinutesPdf } from '../../services/minutes-pdf';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { optionalIfMatch, withETag } from '../versions';

const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });
const ConditionParams = ChangeParams.extend({ conditionId: z.string().min(1).describe('Condition id') });
const MinutesQuery = z.strictObject({
  format: z.enum(['json', 'markdown', 'pdf']).default('json').describe('markdown: the minutes as a text/markdown download; pdf: as an application/pdf download, the Markdown’s SHA-256 in its footer and metadata'),
});
const errors = { 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } as const;

/** Board meetings: schedule, agenda, live meeting, decisions, minutes; a change's conditions (docs/cab.md#meetings). */
export function meetingsRoutes(app: App, { services }: RouteDeps, opts: { publicUrl: string | null }): void {
  const { meetings } = services;
  app.post(
    '/api/v1/boards/:id/meetings',
    {
      schema: {
        tags: ['cab'],
        operationId: 'scheduleMeeting',
        summary: 'Schedule a meeting of the board (id or name); the chair is the one given or the board’s chair rule picks one; the board’s people are told',
        params: BoardParams,
        body: MeetingRequest,
        response: { 201: Meeting, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(withETag(reply, await meetings.create(actorOf(request), request.params.id, request.body))),
  );
  app.get(
    '/api/v1/meetings',
    {
      schema: {
        tags: ['cab'],
        operationId: 'listMeetings',
        summary: 'Board meetings by start: the meeting calendar; filter by board, period and state',
        querystring: MeetingListQuery,
        response: { 200: z.object({ items: z.array(Meeting) }), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({ items: await meetings.list(actorOf(request), request.query) }),
  );
  app.get(
    '/api/v1/boards/:id/meetings',
    {
      schema: {
        tags: ['cab'],
        operationId: 'listBoardMeetings',
        summary: 'The board’s meetings (id or name) by start; filter by period and state',
        params: BoardParams,
        querystring: MeetingListQuery.omit({ boardId: true }),
        response: { 200: z.object({ items: z.array(Meeting) }), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({ items: await meetings.list(actorOf(request), { ...request.query, boardId: request.params.id }) }),
  );
  app.get(
    '/api/v1/meetings/:id',
    { schema: { tags: ['cab'], operationId: 'getMeeting', summary: 'A meeting; ETag: its version', params: MeetingParams, response: { 200: Meeting, 403: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => withETag(reply, await meetings.get(actorOf(request), request.params.id)),
  );
  app.get(
    '/api/v1/meetings/:id/ics',
    {
      schema: {
        tags: ['cab'],
        operationId: 'getMeetingIcs',
        summary: 'The meeting as an iCalendar event (text/calendar) to add to a calendar: the chair as organizer, the board’s people as attendees; imported again, it updates the same event',
        params: MeetingParams,
        response: { 200: z.string().describe('iCalendar text'), 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const text = await meetings.ics(actorOf(request), request.params.id, opts.publicUrl ?? `${request.protocol}://${request.host}`);
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="meeting-${request.params.id}.ics"`).send(text);
    },
  );
  app.patch(
    '/api/v1/meetings/:id',
    {
      schema: {
        tags: ['cab'],
        operationId: 'updateMeeting',
        summary: 'Change a planned meeting (time, title, chair: change managers) or its notes (also the chair, while live); a stale version (body or If-Match) 412',
        params: MeetingParams,
        body: MeetingUpdate,
        response: { 200: Meeting, 412: ErrorBody, ...errors },
      },
    },
    async (request, reply) => withETag(reply, await meetings.update(actorOf(request), request.params.id, request.body, optionalIfMatch(request))),
  );
  app.post(
    '/api/v1/meetings/:id/cancel',
    {
      schema: { tags: ['cab'], operationId: 'cancelMeeting', summary: 'Cancel a planned meeting, with a reason', params: MeetingParams, body: MeetingCancelRequest, response: { 200: Meeting, 412: ErrorBody, ...errors } },
    },
    async (request, reply) => withETag(reply, await meetings.cancel(actorOf(request), request.params.id, request.body)),
  );
  app.post(
    '/api/v1/meetings/:id/start',
    {
      schema: { tags: ['cab'], operationId: 'startMeeting', summary: 'Start the meeting (its chair or a change manager): it is live and its agenda freezes', params: MeetingParams, response: { 200: Meeting, ...errors } },
    },
    async (request, reply) => withETag(reply, await meetings.start(actorOf(request), request.params.id)),
  );
  app.put(
    '/api/v1/meetings/:id/attendance',
    {
      schema: { tags: ['cab'], operationId: 'setMeetingAttendance', summary: 'Record who is present (and who sent apologies)', params: MeetingParams, body: AttendanceRequest, response: { 200: Meeting, ...errors } },
    },
    async (request, reply) => withETag(reply, await meetings.setAttendance(actorOf(request), request.params.id, request.body)),
  );
  app.put(
    '/api/v1/meetings/:id/current',
    {
      schema: { tags: ['cab'], operationId: 'setMeetingCurrentItem', summary: 'The item now discussed (null: none); the time spent on the one before is kept', params: MeetingParams, body: CurrentItemRequest, response: { 200: Meeting, ...errors } },
    },
    async (request, reply) => withETag(reply, await meetings.setCurrent(actorOf(request), request.params.id, request.body.changeId)),
  );
  app.get(
    '/api/v1/meetings/:id/agenda',
    {
      schema: {
        tags: ['cab'],
        operationId: 'getMeetingAgenda',
        summary: 'The agenda: the changes awaiting the board planned before the meeting after next, by risk then planned start, with allotted minutes, urgent and late marks, votes so far and decisions; FYI standard changes; items decided ahead',
        params: MeetingParams,
        response: { 200: AgendaView, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => meetings.agenda(actorOf(request), request.params.id),
  );
  app.post(
    '/api/v1/meetings/:id/agenda',
    {
      schema: { tags: ['cab'], operationId: 'editMeetingAgenda', summary: 'Add, remove or move an item, with a reason (change managers)', params: MeetingParams, body: AgendaEditRequest, response: { 200: AgendaView, ...errors } },
    },
    async (request) => meetings.editAgenda(actorOf(request), request.params.id, request.body),
  );
  app.get(
    '/api/v1/meetings/:id/items/:changeId',
    {
      schema: { tags: ['cab'], operationId: 'getMeetingItemPreRead', summary: 'An item’s pre-read: risk and its factors, CIs, impact (the services reached, with their tiers, and the dependent CIs), conflicts, history, open concerns, approvals given, plans', params: MeetingItemParams, response: { 200: PreRead, 403: ErrorBody, 404: ErrorBody } },
    },
    async (request) => meetings.preRead(actorOf(request), request.params.id, request.params.changeId),
  );
  app.post(
    '/api/v1/meetings/:id/items/:changeId/decision',
    {
      schema: {
        tags: ['cab'],
        operationId: 'decideMeetingItem',
        summary:
          'The board’s decision on an item (chair or change manager, live meeting): approve, approve_with_conditions, defer (to a later meeting), reject, request_info; a rationale always; approve and reject need the meeting’s quorum (422 quorum_not_met)',
        params: MeetingItemParams,
        body: DecisionRequest,
        response: { 201: DecisionView, 422: ErrorBody, ...errors },
      },
    },
    async (request, reply) => reply.status(201).send(await meetings.decide(actorOf(request), request.params.id, request.params.changeId, request.body)),
  );
  app.post(
    '/api/v1/meetings/:id/end',
    {
      schema: { tags: ['cab'], operationId: 'endMeeting', summary: 'End the meeting: writes its minutes once (their SHA-256 enters the audit chain) and sends them', params: MeetingParams, response: { 201: Minutes, ...errors } },
    },
    async (request, reply) => reply.status(201).send(await meetings.end(actorOf(request), request.params.id)),
  );
  app.get(
    '/api/v1/meetings/:id/minutes',
    {
      schema: { tags: ['cab'], operationId: 'getMeetingMinutes', summary: 'The minutes of an ended meeting; `format=markdown` downloads them as text/markdown, `format=pdf` as application/pdf', params: MeetingParams, querystring: MinutesQuery, response: { 200: Minutes, 403: ErrorBody, 404: ErrorBody } },
    },
    async (request, reply) => {
      const minutes = await meetings.minutes(actorOf(request), request.params.id);
      if (request.query.format === 'json') return minutes;
      if (request.query.format === 'pdf') {
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="minutes-${minutes.meetingId}.pdf"`)
          .send((await renderMinutesPdf(minutes)) as unknown as z.infer<typeof Minutes>);
      }
      return reply
        .type('text/markdown; charset=utf-8')
        .header('content-disposition', `attachment; filename="minutes-${request.params.id}.md"`)
        .send(minutes.markdown as unknown as z.infer<typeof Minutes>);
    },
  );
  for (const method of ['put', 'patch', 'delete'] as const) {
    app[method](
      '/api/v1/meetings/:id/minutes',
      {
        schema: {
          tags: ['cab'],
          operationId: `${method}MeetingMinutes`,
          summary: 'Minutes cannot be changed: always 409 minutes_immutable (the 200 is never sent; it names what the minutes are)',
          params: MeetingParams,
          response: { 200: Minutes, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => meetings.editMinutes(actorOf(request), request.params.id),
    );
  }
  app.get(
    '/api/v1/changes/:id/board-decisions',
    { schema: { tags: ['cab'], operationId: 'listChangeBoardDecisions', summary: 'The boards’ decisions on the change, oldest first', params: ChangeParams, response: { 200: z.object({ items: z.array(DecisionView) }), 403: ErrorBody, 404: ErrorBody } } },
    async (request) => ({ items: await meetings.decisionsOf(actorOf(request), request.params.id) }),
  );
  app.get(
    '/api/v1/changes/:id/conditions',
    { schema: { tags: ['cab'], operationId: 'listChangeConditions', summary: 'The conditions of the change’s approval, each judged now; it cannot start until every one is met', params: ChangeParams, response: { 200: z.object({ items: z.array(Condition) }), 403: ErrorBody, 404: ErrorBody } } },
    async (request) => ({ items: await meetings.conditionsOf(actorOf(request), request.params.id) }),
  );
  app.post(
    '/api/v1/changes/:id/conditions/:conditionId/verify',
    {
      schema: {
        tags: ['cab'],
        operationId: 'verifyChangeCondition',
        summary: 'Mark a condition met (its verifier, or a change manager when it names none); a check is met when it holds (409)',
        params: ConditionParams,
        body: ConditionVerifyRequest.nullish(),
        response: { 200: Condition, ...errors },
      },
    },
    async (request) => meetings.verifyCondition(actorOf(request), request.params.id, request.params.conditionId, request.body?.note),
  );
}
