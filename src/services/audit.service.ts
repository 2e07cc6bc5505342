import type { Actor } from '../domain/actor';
import { ChainVerifier, type ChainedEvent, type ChainVerdict } from '../domain/audit/chain';
import { assertPermission } from '../domain/auth/roles';
import type { ServiceDeps } from './context';

const PAGE = 1000;

/** Verification and export of the hash-chained audit trail. */
export function createAuditService(deps: ServiceDeps) {
  const { store } = deps;

  async function* events(): AsyncGenerator<ChainedEvent> {
    let after = 0;
    for (;;) {
      const page = await store.repos.audit.page(after, PAGE);
      for (const e of page) yield e;
      if (page.length < PAGE) return;
      after = page[page.length - 1]!.seq;
    }
  }

  return {
    /**
     * Recomputes every hash in order and checks the chain ends where the head says, so a deleted tail is
     * caught as well as an edited or removed event.
     */
    async verify(actor: Actor): Promise<ChainVerdict & { headSeq: number }> {
      assertPermission(actor, 'audit.read');
      const verifier = new ChainVerifier();
      for await (const e of events()) if (!verifier.push(e)) break;
      const verdict = verifier.result();
      const head = await store.repos.audit.head();
      if (verdict.ok && (verdict.lastSeq !== head.seq || verdict.lastHash !== head.hash)) {
        return { ok: false, checked: verdict.checked, brokenSeq: verdict.lastSeq + 1, reason: `the chain ends at event ${verdict.lastSeq} but ${head.seq} events were written (events were removed)`, headSeq: head.seq };
      }
      return { ...verdict, headSeq: head.seq };
    },

    /** The whole chain, oldest first, as JSON lines (one event per line). */
    async *exportLines(actor: Actor): AsyncGenerator<string> {
      assertPermission(actor, 'audit.read');
      for await (const e of events()) yield JSON.stringify(e) + '\n';
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
