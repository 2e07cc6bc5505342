import { Readable } from 'node:stream';
import { z } from 'zod';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';

const Verdict = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  headSeq: z.number().int(),
  lastSeq: z.number().int().optional(),
  lastHash: z.string().optional(),
  brokenSeq: z.number().int().optional(),
  reason: z.string().optional(),
});

export function auditRoutes(app: App, { services }: RouteDeps): void {
  app.get('/api/v1/audit/verify', { schema: { tags: ['audit'], summary: 'Recompute the hash chain of the whole audit trail', response: { 200: Verdict } } }, async (request) =>
    services.audit.verify(actorOf(request)),
  );
  app.get(
    '/api/v1/audit/export',
    { schema: { tags: ['audit'], summary: 'The whole audit trail as JSON lines; check it offline with `cabinet audit verify FILE`' } },
    async (request, reply) => {
      const actor = actorOf(request);
      const lines = services.audit.exportLines(actor);
      // Pull the first line before answering so a permission error still becomes a proper 403.
      const first = await lines.next();
      async function* all() {
        if (!first.done) yield first.value;
        yield* lines;
      }
      void reply.header('content-type', 'application/x-ndjson; charset=utf-8').header('content-disposition', 'attachment; filename="cabinet-audit.jsonl"');
      return reply.send(Readable.from(all()));
    },
  );
}
