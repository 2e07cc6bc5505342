import { Readable } from 'node:stream';
import { z } from 'zod';
import { AuditEventPage, AuditExportQuery, AuditSearchQuery, AuditVerdict } from '../../contracts/audit';
import { ErrorBody } from '../../contracts/common';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

/** An export's body: one audit event, as JSON, per line. */
const JsonLines = z.custom<Readable>(() => true).meta({ type: 'string', description: 'One audit event (JSON) per line' });

/** The auditor's API: search the trail, verify its hash chain, export it for offline checking. */
export function auditRoutes(app: App, { services }: RouteDeps): void {
  app.get(
    '/api/v1/audit/events',
    {
      schema: {
        tags: ['audit'],
        operationId: 'searchAuditEvents',
        summary:
          'Search the audit trail (auditors, change managers, admins): by record (change number, CI name, any id…), person, actions and time; newest first, with names for the ids the events carry',
        querystring: AuditSearchQuery,
        response: { 200: AuditEventPage, 400: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => services.audit.search(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/audit/verify',
    {
      schema: {
        tags: ['audit'],
        operationId: 'verifyAuditChain',
        summary: 'Recompute the hash chain of the whole audit trail; keep `lastHash` to prove later that nothing before it was rewritten',
        response: { 200: AuditVerdict, 403: ErrorBody },
      },
    },
    async (request) => services.audit.verify(actorOf(request)),
  );
  app.get(
    '/api/v1/audit/export',
    {
      schema: {
        tags: ['audit'],
        operationId: 'exportAuditTrail',
        summary:
          'The audit trail as JSON lines, oldest first: all of it, or the stretch of the chain recorded between `from` and `to`. Check it offline with `cabinet audit verify FILE` (a stretch that does not start at event 1: `--after HASH`)',
        querystring: AuditExportQuery,
        // NOTE: the body is a stream of JSON lines: documented as text, never serialised by a schema.
        response: { 200: { description: 'The events as JSON lines, oldest first', content: { 'application/x-ndjson': { schema: JsonLines } } } },
      },
    },
    async (request, reply) => {
      const { first, last, lines } = await services.audit.exportRange(actorOf(request), request.query);
      const whole = request.query.from === undefined && request.query.to === undefined;
      const filename = whole || first === null ? 'cabinet-audit.jsonl' : `cabinet-audit-${first}-${last}.jsonl`;
      void reply.header('content-type', 'application/x-ndjson; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`);
      if (first !== null) void reply.header('x-cabinet-audit-range', `${first}-${last}`);
      return reply.send(Readable.from(lines));
    },
  );
}
