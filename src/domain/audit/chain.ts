import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The hashed content of an audit event; `hash` = sha256(prevHash + "\n" + canonicalJson(content)). */
export interface AuditContent {
  seq: number;
  at: string;
  actorId: string;
  actorName: string;
  action: string;
  entityType: string;
  entityId: string;
  data: Record<string, unknown>;
}

export interface ChainedEvent extends AuditContent {
  prevHash: string;
  hash: string;
}

/**
 * JSON with object keys sorted at every depth and no insignificant whitespace, so the same content always
 * serialises to the same bytes whatever engine stored it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function hashEvent(prevHash: string, content: AuditContent): string {
  const { seq, at, actorId, actorName, action, entityType, entityId, data } = content;
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ seq, at, actorId, actorName, action, entityType, entityId, data }))
    .digest('hex');
}

export type ChainVerdict =
  | { ok: true; checked: number; lastSeq: number; lastHash: string }
  | { ok: false; checked: number; brokenSeq: number; reason: string };

/**
 * Checks events in order: sequence numbers consecutive from 1, each `prevHash` equal to the hash
 * before it, and each hash recomputed from the content. Stops at the first broken event.
 *
 * Given `after` (the hash of the event just before the first one, as an earlier check or export gave it), it
 * checks a stretch of the chain instead: the first event may have any number, and must link to that hash.
 */
export class ChainVerifier {
  private expectedSeq: number | null = null;
  private prevHash: string | null = null;
  private checked = 0;
  private broken: { seq: number; reason: string } | null = null;

  constructor(private readonly opts: { after?: string } = {}) {}

  /** Feeds the next event; returns false once the chain is broken. */
  push(event: ChainedEvent): boolean {
    if (this.broken) return false;
    const fail = (reason: string) => {
      this.broken = { seq: event.seq, reason };
      return false;
    };
    if (this.expectedSeq === null && this.opts.after !== undefined) {
      // A stretch of the chain: it proves nothing unless it continues from a hash the auditor kept.
      if (event.prevHash !== this.opts.after) return fail(`it does not continue from the hash given (its prevHash is ${event.prevHash})`);
    } else if (this.expectedSeq === null) {
      // A trail always starts at event 1 from the genesis hash; a file missing its head was cut.
      if (event.seq !== 1) return fail(`the trail starts at event ${event.seq} instead of event 1 (earlier events are missing; to check a stretch of the chain, give the hash of the event before it with --after)`);
      if (event.prevHash !== GENESIS_HASH) return fail('the first event does not start from the genesis hash');
    } else if (event.seq !== this.expectedSeq) {
      return fail(`expected event ${this.expectedSeq} but found ${event.seq} (an event is missing or out of order)`);
    }
    if (this.prevHash !== null && event.prevHash !== this.prevHash) return fail('its prevHash does not match the hash of the event before it');
    if (hashEvent(event.prevHash, event) !== event.hash) return fail('its content does not match its hash (the event was altered)');
    this.checked++;
    this.expectedSeq = event.seq + 1;
    this.prevHash = event.hash;
    return true;
  }

  result(): ChainVerdict {
    if (this.broken) return { ok: false, checked: this.checked, brokenSeq: this.broken.seq, reason: this.broken.reason };
    return { ok: true, checked: this.checked, lastSeq: (this.expectedSeq ?? 1) - 1, lastHash: this.prevHash ?? this.opts.after ?? GENESIS_HASH };
  }
}

/** The fields that differ between two records, as `{ field: { from, to } }`. */
export function diffFields(before: Record<string, unknown>, after: Record<string, unknown>, fields?: readonly string[]): Record<string, { from: unknown; to: unknown }> {
  const out: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of fields ?? Object.keys(after)) {
    if (canonicalJson(before[key] ?? null) !== canonicalJson(after[key] ?? null)) out[key] = { from: before[key] ?? null, to: after[key] ?? null };
  }
  return out;
}
