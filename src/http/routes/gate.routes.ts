import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { FastifyRequest, preParsingHookHandler } from 'fastify';
import { z } from 'zod';
import { ErrorBody } from '../../contracts/common';
import { GateCheckGetQuery, GateCheckInput, GateCheckList, GateCheckListQuery, GateCheckView } from '../../contracts/gate';
import { actorOf } from '../auth';
import type { App, RouteDeps } from '../types';
import { referenceCheck } from '../validation';

const CHECKS = '/api/v1/gate/checks';
const JSON_TYPE = 'application/json; charset=utf-8';
/** The largest body a repeated check is answered by before parsing: a check is a few hundred bytes. */
const REPEAT_MAX_BYTES = 4096;

/** The exact body of a check the route read itself (below), by request: the service remembers answers by it. */
const rawBodies = new WeakMap<FastifyRequest, string>();

/** A check sent as pipelines send it: JSON, as it is (no encoding), small, of a known length, no query string. */
function isPlainCheck(request: FastifyRequest): boolean {
  const { headers } = request;
  const length = Number(headers['content-length']);
  return (
    request.url === CHECKS &&
    headers['content-type'] === 'application/json' &&
    headers['content-encoding'] === undefined &&
    length > 0 &&
    length <= REPEAT_MAX_BYTES
  );
}

/** The whole body when all its bytes have arrived already (the usual small request, in one packet with its headers). */
function bodyArrived(stream: NodeJS.ReadableStream, length: number): Buffer | null {
  const message = stream as Partial<IncomingMessage>;
  if (message.readableLength !== length || message.readableFlowing === true) return null;
  const body = stream.read() as unknown;
  if (Buffer.isBuffer(body) && body.length === length) return body;
  if (Buffer.isBuffer(body)) stream.unshift(body);
  return null;
}

/** Reads a whole request body (its length known and small). */
function readBody(stream: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  let length = 0;
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
  };
  const onEnd = (err?: Error) => {
    stream.removeListener('data', onData);
    stream.removeListener('end', onEnd);
    stream.removeListener('error', onEnd);
    done(err ?? null, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length));
  };
  stream.on('data', onData);
  stream.on('end', onEnd);
  stream.on('error', onEnd);
  stream.resume();
}

const CheckParams = z.object({ id: z.string().min(1).describe('Gate check id') });
const ChangeParams = z.object({ id: z.string().min(1).describe('Change id or number (CHG0000001)') });

/** The deployment gate (docs/pipelines.md): pipelines ask before they deploy, and wait for a new answer. */
export function gateRoutes(app: App, { services }: RouteDeps): void {
  const { gate } = services;

  /**
   * NOTE (speed): CI tools poll the gate with the same request again and again. Once authenticated (every
   * onRequest hook has run: credentials, CSRF), a check whose exact bytes this process has answered for the
   * account is answered here, before its body is parsed and validated, with what the handler would send
   * (gate.service.ts `repeatedAnswer`). Anything else (another type, an encoding, a query string, a large or
   * chunked body, a body not remembered) goes on to be parsed and validated from the same bytes, as any request.
   */
  const answerRepeats: preParsingHookHandler = (request, reply, payload, done) => {
    const actor = request.actor;
    if (!actor || !isPlainCheck(request)) {
      done(null, payload);
      return;
    }
    const answer = (body: Buffer) => {
      const raw = body.toString('latin1');
      const json = gate.repeatedAnswer(actor, raw);
      if (json !== undefined) {
        void reply.type(JSON_TYPE).send(json);
        return;
      }
      rawBodies.set(request, raw);
      done(null, Readable.from([body], { objectMode: false }));
    };
    const arrived = bodyArrived(payload, Number(request.headers['content-length']));
    if (arrived) {
      answer(arrived);
      return;
    }
    readBody(payload, (err, body) => {
      if (!err) {
        answer(body);
        return;
      }
      // As Fastify answers a body that fails to arrive.
      (err as Error & { statusCode?: number }).statusCode ??= 400;
      done(err);
    });
  };

  app.post(
    CHECKS,
    {
      preParsing: answerRepeats,
      schema: {
        tags: ['gate'],
        operationId: 'checkGate',
        summary:
          'May this deployment go out now? Answers allow, deny or pending at once, with reasons in stable codes, each naming the record behind it. Idempotent on (source, repository, pipeline.runId, pipeline.attempt, target.environment): the same key answers the same check (decided again while pending); a new attempt is a new check',
        body: GateCheckInput,
        response: { 200: GateCheckView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
      config: { checkReferences: referenceCheck(GateCheckInput, (request, fields) => gate.referenceIssues(actorOf(request), fields)) },
    },
    async (request, reply) => {
      const answer = await gate.checkAnswer(actorOf(request), request.body, rawBodies.get(request));
      // NOTE (speed): a remembered answer is sent as the JSON it was first sent as (gate.service.ts).
      // Fastify sends a JSON string as it is, without serialising it again (the cast only tells the type provider).
      return 'json' in answer ? reply.type(JSON_TYPE).send(answer.json as unknown as GateCheckView) : answer.view;
    },
  );
  app.get(
    '/api/v1/gate/checks',
    {
      schema: {
        tags: ['gate'],
        operationId: 'listGateChecks',
        summary: 'Gate checks, newest first, filtered by change, service, decision, source and repository',
        querystring: GateCheckListQuery,
        response: { 200: GateCheckList, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody },
      },
    },
    async (request) => gate.list(actorOf(request), request.query),
  );
  app.get(
    '/api/v1/gate/checks/:id',
    {
      schema: {
        tags: ['gate'],
        operationId: 'getGateCheck',
        summary:
          'A gate check. With `wait=SECONDS` (at most 60), answers as soon as its decision differs from `decision` (the one you last saw; the current one when left out), or when the wait ends: ask again in a loop to wait longer',
        params: CheckParams,
        querystring: GateCheckGetQuery,
        response: { 200: GateCheckView, 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => {
      const { wait, decision } = request.query;
      const actor = actorOf(request);
      return wait ? gate.wait(actor, request.params.id, wait, decision) : gate.get(actor, request.params.id);
    },
  );
  app.get(
    '/api/v1/changes/:id/gate-checks',
    {
      schema: {
        tags: ['gate'],
        operationId: 'listChangeGateChecks',
        summary: 'Every gate check of the change, newest first: what the gate answered each pipeline that deployed it',
        params: ChangeParams,
        response: { 200: z.object({ items: z.array(GateCheckView) }), 401: ErrorBody, 403: ErrorBody, 404: ErrorBody },
      },
    },
    async (request) => ({ items: await gate.listForChange(actorOf(request), request.params.id) }),
  );
}
