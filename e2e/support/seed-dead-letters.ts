// Seeds the e2e database with two dead letters for the deliveries journey: two in-app notices to the admin
// about a demo change, each claimed and given up the way the worker gives up on an item after its last
// attempt (the same repository calls). Run by the spec with `node --import tsx`, beside the running server;
// prints `{ number, titles, ids }` as JSON.
import { openCabinetStore } from '../../src/cabinet';
import { loadConfig } from '../../src/config';
import { defaultIds } from '../../src/services/context';
import { createOutboxService } from '../../src/services/outbox.service';
import { E2E_ADMIN } from './environment';

const { store } = await openCabinetStore(loadConfig({ DATABASE_URL: process.env.DATABASE_URL }));
try {
  const admin = await store.repos.accounts.findUserByEmail(E2E_ADMIN.email);
  const change = await store.repos.changes.findById('CHG0000001');
  if (!admin || !change) throw new Error('the demo organisation is not loaded');
  const outbox = createOutboxService({ store, now: () => new Date(), newId: defaultIds }, { maxAttempts: 1 });
  const stamp = Date.now().toString(36);
  const titles = [`Retry me ${stamp}: ${change.number} was moved`, `Discard me ${stamp}: ${change.number} was moved`];
  const ids: string[] = [];
  for (const title of titles) {
    // NOTE: claimed (with a day's lease) in the transaction that queues it, so the server's own worker never
    // sees it pending before it is given up below.
    const id = await store.transaction(async (repos) => {
      const queued = await outbox.notify(repos, { recipients: [{ kind: 'user', ref: admin.id }], kind: 'change_transitioned', title, body: 'Seeded by the deliveries journey.', changeId: change.id });
      if (!(await repos.outbox.claim(queued, 'e2e-seed', new Date().toISOString(), new Date(Date.now() + 86_400_000).toISOString()))) throw new Error(`could not claim ${queued}`);
      return queued;
    });
    if (!(await store.repos.outbox.markDead(id, 'e2e-seed', 'connect ECONNREFUSED (seeded by the deliveries journey)', new Date().toISOString()))) throw new Error(`could not give up ${id}`);
    ids.push(id);
  }
  process.stdout.write(JSON.stringify({ number: change.number, titles, ids }) + '\n');
} finally {
  await store.close();
}
