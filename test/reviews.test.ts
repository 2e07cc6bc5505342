import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Kysely, KyselyPlugin } from 'kysely';
import { helpersFor } from '../src/db/dialect';
import { createRepositories } from '../src/db/repositories';
import { compileBundle, PolicyInvalidError, readBundleFiles } from '../src/policy/loader';
import { eachEngine, type Harness } from './support/cabinet';
import { addMembers, approvalsOf, catalogueEntry, ci, decide, edit, fileAndAuthorize, move, plan } from './support/fixtures';

const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An emergency change, approved by the ECAB and implemented, owned and implemented by a requester. */
async function emergencyImplemented(h: Harness, opts: { ciName?: string; closeCode?: string } = {}) {
  const owner = await h.userWithToken(['requester']);
  const ecab = await h.userWithToken(['approver']);
  await addMembers(h, 'ecab', [ecab.id]);
  const server = await ci(h, opts.ciName ?? `web-${Math.random().toString(36).slice(2, 8)}`, 'server');
  const change = await fileAndAuthorize(h, owner.token, plan([server], { type: 'emergency', implementerId: owner.id, ownerId: owner.id, title: 'Patch the TLS library now' }));
  for (const a of await approvalsOf(h, change.id)) assert.equal((await decide(h, ecab.token, a.id, { decision: 'approve' })).status, 200);
  assert.equal((await edit(h, `/api/v1/changes/${change.id}`, { actualStart: new Date(h.now().getTime() - HOUR).toISOString() })).status, 200);
  const started = await move(h, change.id, 'implement');
  assert.equal(started.status, 200, started.text);
  const done = await edit(h, `/api/v1/changes/${change.id}`, { actualEnd: new Date(h.now().getTime() - 60_000).toISOString(), closeCode: opts.closeCode ?? 'successful', closeNotes: 'Patched' });
  assert.equal(done.status, 200, done.text);
  return { owner, ecab, server, change };
}

/**
 * A standard change on the CI, from the catalogue, scheduled and implemented, with its outcome filled in
 * (standard changes close straight from implement).
 */
async function standardImplemented(h: Harness, server: string, closeCode: string, token?: string) {
  const filed = await h.request('POST', '/api/v1/changes', { token, body: { ...plan([server]), type: 'standard', title: `Routine ${closeCode}`, templateId: await catalogueEntry(h) } });
  assert.equal(filed.status, 201, filed.text);
  assert.equal(filed.body.type, 'standard', JSON.stringify(filed.body.conversion));
  assert.equal((await move(h, filed.body.id, 'scheduled', token)).status, 200);
  assert.equal((await edit(h, `/api/v1/changes/${filed.body.id}`, { actualStart: new Date(h.now().getTime() - HOUR).toISOString() }, token)).status, 200);
  assert.equal((await move(h, filed.body.id, 'implement', token)).status, 200);
  const outcome = await edit(h, `/api/v1/changes/${filed.body.id}`, { actualEnd: new Date(h.now().getTime() - 60_000).toISOString(), closeCode, closeNotes: 'Done' }, token);
  assert.equal(outcome.status, 200, outcome.text);
  return filed.body as { id: string; number: string };
}

/** Thrown to end a transaction without keeping its writes. */
class RolledBack extends Error {}

const review = (h: Harness, id: string, token?: string) => h.request('GET', `/api/v1/changes/${id}/review`, { token });

async function applyReviews(h: Harness, yaml: string | ((shipped: string) => string)): Promise<void> {
  const files = await readBundleFiles(DEFAULT_DIR);
  files['reviews.yaml'] = typeof yaml === 'string' ? yaml : yaml(files['reviews.yaml']!);
  const applied = await h.request('POST', '/api/v1/policy/versions', { body: { files } });
  assert.equal(applied.status, 201, applied.text);
}

describe('post-implementation reviews', () => {
  eachEngine('an emergency change gets a review on entering review, and cannot close until it is completed', async (h) => {
    const { owner, change } = await emergencyImplemented(h);
    assert.equal((await review(h, change.id)).status, 404, 'no review before the change enters review');
    assert.equal((await move(h, change.id, 'review')).status, 200);

    const opened = await review(h, change.id, owner.token);
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.body.state, 'open');
    assert.deepEqual(opened.body.reasons.map((r: { name: string }) => r.name), ['emergency']);
    assert.equal(opened.body.blocksClose, true);
    assert.equal(opened.body.canEdit, true);
    const due = Date.parse(opened.body.dueAt) - Date.parse(opened.body.createdAt);
    assert.equal(due, 10 * DAY, 'due ten days after it opened (reviews.yaml dueDays)');
    assert.equal(opened.headers.etag, `"${opened.body.version}"`);
    const kinds = opened.body.timeline.map((e: { kind: string }) => e.kind);
    for (const kind of ['created', 'transition', 'approval']) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(',')}`);
    assert.equal(opened.body.change.closeCode, 'successful');

    // Every way to the closed state is refused while the review is not completed.
    const refused = await move(h, change.id, 'closed', owner.token);
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'review_required');
    assert.equal(refused.body.error.details.review.id, opened.body.id);
    assert.equal(refused.body.error.details.review.state, 'open');
    assert.deepEqual(refused.body.error.details.review.missing.map((m: { path: string }) => m.path), ['findings']);
    assert.match(refused.body.error.message, /post-implementation review/);
    assert.equal((await h.request('PATCH', `/api/v1/changes/${change.id}`, { body: { state: 'closed', version: opened.body.version } })).status, 400, 'state is not a field');

    // Completing refuses an empty review, listing every missing part.
    const empty = await h.request('POST', `/api/v1/changes/${change.id}/review/complete`, { token: owner.token, body: {} });
    assert.equal(empty.status, 422, empty.text);
    assert.equal(empty.body.error.code, 'review_incomplete');

    // Writes need the version.
    const noVersion = await h.request('PATCH', `/api/v1/changes/${change.id}/review`, { token: owner.token, body: { wentWell: 'x' } });
    assert.equal(noVersion.status, 428, noVersion.text);
    const written = await h.request('PATCH', `/api/v1/changes/${change.id}/review`, {
      token: owner.token,
      headers: { 'if-match': opened.headers.etag as string },
      body: { wentWell: 'The ECAB answered in minutes.', wentBadly: 'The patch was not tested on staging.', factors: ['No staging environment for TLS', 'Alert came late'] },
    });
    assert.equal(written.status, 200, written.text);
    assert.equal(written.body.state, 'in_progress');
    const stale = await h.request('PATCH', `/api/v1/changes/${change.id}/review`, { token: owner.token, body: { wentWell: 'y', version: opened.body.version } });
    assert.equal(stale.status, 412, stale.text);

    // An action without an owner and due date keeps it from completing.
    const bare = await h.request('POST', `/api/v1/changes/${change.id}/review/actions`, { token: owner.token, body: { title: 'Build a staging TLS endpoint' } });
    assert.equal(bare.status, 201, bare.text);
    const incomplete = await h.request('POST', `/api/v1/changes/${change.id}/review/complete`, { token: owner.token, body: {} });
    assert.equal(incomplete.status, 422);
    assert.deepEqual(incomplete.body.error.details.issues.map((i: { path: string }) => i.path), ['actions.0.ownerId', 'actions.0.dueAt']);
    const badAction = await h.request('POST', `/api/v1/changes/${change.id}/review/actions`, { token: owner.token, body: { title: 'x', ownerId: 'nobody', link: { kind: 'problem', id: 'PRB9999999' } } });
    assert.equal(badAction.status, 400, badAction.text);
    assert.deepEqual(badAction.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['link.id', 'ownerId']);

    const actionId = bare.body.actions[0].id;
    const assigned = await h.request('PATCH', `/api/v1/changes/${change.id}/review/actions/${actionId}`, {
      token: owner.token,
      body: { ownerId: owner.id, dueAt: new Date(h.now().getTime() + 14 * DAY).toISOString(), link: { kind: 'change', id: change.id } },
    });
    assert.equal(assigned.status, 200, assigned.text);
    assert.equal(assigned.body.actions[0].link.number, (await h.request('GET', `/api/v1/changes/${change.id}`)).body.number);

    const completed = await h.request('POST', `/api/v1/changes/${change.id}/review/complete`, { token: owner.token, body: {} });
    assert.equal(completed.status, 200, completed.text);
    assert.equal(completed.body.state, 'completed');
    assert.equal(completed.body.completedBy.id, owner.id);
    assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/review/complete`, { token: owner.token, body: {} })).status, 409);
    const frozen = await h.request('PATCH', `/api/v1/changes/${change.id}/review`, { token: owner.token, body: { wentWell: 'later', version: completed.body.version } });
    assert.equal(frozen.status, 409);
    assert.equal(frozen.body.error.code, 'review_completed');

    const closed = await move(h, change.id, 'closed', owner.token);
    assert.equal(closed.status, 200, closed.text);

    // The action is still tracked to done after the change closed.
    const doneAction = await h.request('PATCH', `/api/v1/changes/${change.id}/review/actions/${actionId}`, { token: owner.token, body: { state: 'done' } });
    assert.equal(doneAction.status, 200, doneAction.text);
    assert.equal(doneAction.body.actions[0].state, 'done');
    assert.ok(doneAction.body.actions[0].doneAt);

    const trail = (await h.request('GET', `/api/v1/changes/${change.id}/audit`)).body.items.map((e: { action: string }) => e.action);
    for (const action of ['review.created', 'review.updated', 'review.action_added', 'review.action_updated', 'review.completed']) assert.ok(trail.includes(action), action);
  });

  eachEngine('only the owner, implementer, team and change managers write in a review', async (h) => {
    const { change } = await emergencyImplemented(h);
    assert.equal((await move(h, change.id, 'review')).status, 200);
    const stranger = await h.userWithToken(['requester']);
    const manager = await h.userWithToken(['change_manager']);
    const read = await review(h, change.id, stranger.token);
    assert.equal(read.status, 200, 'anyone who reads the change reads its review');
    assert.equal(read.body.canEdit, false);
    const refused = await h.request('POST', `/api/v1/changes/${change.id}/review/actions`, { token: stranger.token, body: { title: 'Not mine' } });
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.body.error.code, 'review_not_permitted');
    const managed = await h.request('POST', `/api/v1/changes/${change.id}/review/actions`, { token: manager.token, body: { title: 'Mine to add' } });
    assert.equal(managed.status, 201, managed.text);
  });

  eachEngine('needs no review for a successful normal-risk standard change: 404, and it closes', async (h) => {
    const server = await ci(h, 'app-1', 'server');
    const standard = await standardImplemented(h, server, 'successful');
    const closed = await move(h, standard.id, 'closed');
    assert.equal(closed.status, 200, closed.text);
    const none = await review(h, standard.id);
    assert.equal(none.status, 404);
    assert.equal(none.body.error.code, 'not_found');
    assert.match(none.body.error.message, /no post-implementation review/);
  });

  eachEngine('a rolled-back standard change closes at once, its review opening as it closes (the shipped policy holds no standard change)', async (h) => {
    const server = await ci(h, 'app-6', 'server');
    const standard = await standardImplemented(h, server, 'rolled_back');
    const closed = await move(h, standard.id, 'closed');
    assert.equal(closed.status, 200, closed.text);
    const opened = await review(h, standard.id);
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.body.blocksClose, false);
    assert.deepEqual(opened.body.reasons.map((r: { name: string }) => r.name), ['failed']);
  });

  eachEngine('with blockClose, a rolled-back standard change (no review state) is refused at closing, and the refusal opens its review', async (h) => {
    await applyReviews(h, (shipped) => shipped.replace(/blockClose: .*/, 'blockClose: true'));
    const server = await ci(h, 'app-2', 'server');
    const standard = await standardImplemented(h, server, 'rolled_back');
    const refused = await move(h, standard.id, 'closed');
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'review_required');
    const opened = await review(h, standard.id);
    assert.equal(opened.status, 200, opened.text);
    assert.equal(refused.body.error.details.review.id, opened.body.id);
    assert.deepEqual(opened.body.reasons.map((r: { name: string }) => r.name), ['failed']);
    // Refused again: still one review.
    assert.equal((await move(h, standard.id, 'closed')).status, 422);
    assert.equal((await review(h, standard.id)).body.id, opened.body.id);
    // Cancelled is never held back (cancelling from implement is not a transition; the policy's exempt states never wait).
    const written = await edit(h, `/api/v1/changes/${standard.id}/review`, { wentBadly: 'The migration locked the table.' });
    assert.equal(written.status, 200, written.text);
    assert.equal((await h.request('POST', `/api/v1/changes/${standard.id}/review/complete`, { body: {} })).status, 200);
    assert.equal((await move(h, standard.id, 'closed')).status, 200);
  });

  eachEngine('a change that caused an incident needs a review; blockClose false lets it close and opens the review as it closes', async (h) => {
    await applyReviews(h, 'apiVersion: cabinet/v1\nreviews:\n  dueDays: 5\n  blockClose: false\n  rules:\n    - name: caused_incident\n      when: outcome.incidentsCaused > 0\n      reason: It caused an incident.\n');
    const server = await ci(h, 'app-3', 'server');
    const standard = await standardImplemented(h, server, 'successful');
    const incident = await h.request('POST', '/api/v1/incidents', { body: { title: 'Checkout errors', priority: 2, ciIds: [server], causedByChangeId: standard.id } });
    assert.equal(incident.status, 201, incident.text);
    const closed = await move(h, standard.id, 'closed');
    assert.equal(closed.status, 200, closed.text);
    const opened = await review(h, standard.id);
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.body.blocksClose, false);
    assert.equal(Date.parse(opened.body.dueAt) - Date.parse(opened.body.createdAt), 5 * DAY);
    assert.deepEqual(opened.body.change.incidents.map((i: { number: string }) => i.number), [incident.body.number]);
    assert.ok(opened.body.timeline.some((e: { kind: string }) => e.kind === 'incident'), JSON.stringify(opened.body.timeline));
  });

  eachEngine('an incident tied to a change after it closed opens the review the policy now asks for, once', async (h) => {
    const server = await ci(h, 'app-5', 'server');
    const standard = await standardImplemented(h, server, 'successful');
    assert.equal((await move(h, standard.id, 'closed')).status, 200);
    assert.equal((await review(h, standard.id)).status, 404, 'a successful standard change needs no review');
    // Reported later, on another incident first (no cause named), then tied to the change by an edit.
    const incident = await h.request('POST', '/api/v1/incidents', { body: { title: 'Slow checkout since Tuesday', priority: 3, ciIds: [server] } });
    assert.equal(incident.status, 201, incident.text);
    assert.equal((await review(h, standard.id)).status, 404);
    const tied = await h.request('PATCH', `/api/v1/incidents/${incident.body.id}`, { body: { causedByChangeId: standard.id, version: incident.body.version } });
    assert.equal(tied.status, 200, tied.text);
    const opened = await review(h, standard.id);
    assert.equal(opened.status, 200, opened.text);
    assert.deepEqual(opened.body.reasons.map((r: { name: string }) => r.name), ['caused_incident']);
    // A second incident naming it keeps the one review.
    const again = await h.request('POST', '/api/v1/incidents', { body: { title: 'Refunds fail', priority: 2, ciIds: [server], causedByChangeId: standard.id } });
    assert.equal(again.status, 201, again.text);
    assert.equal((await review(h, standard.id)).body.id, opened.body.id);
  });

  eachEngine('an edit of an incident weighs its change’s review again only when it moves what the rules read: cause, priority, CIs', async (h) => {
    const rules = (when: string) => `apiVersion: cabinet/v1\nreviews:\n  dueDays: 5\n  blockClose: false\n  rules:\n    - name: caused_incident\n      when: ${when}\n      reason: It caused an incident.\n`;
    await applyReviews(h, rules('outcome.worstIncidentPriority == 1'));
    const { server, change } = await emergencyImplemented(h);
    assert.equal((await move(h, change.id, 'review')).status, 200);
    assert.equal((await review(h, change.id)).status, 404, 'no rule asks for one yet');
    const filed = await h.request('POST', '/api/v1/incidents', { body: { title: 'Slow checkout', priority: 3, ciIds: [server], causedByChangeId: change.id } });
    assert.equal(filed.status, 201, filed.text);
    assert.equal((await review(h, change.id)).status, 404, 'a priority 3 incident needs no review under this policy');

    // A policy that would ask for one now opens none by itself, nor on an edit of the incident's words or state.
    await applyReviews(h, rules('outcome.incidentsCaused > 0'));
    const reworded = await edit(h, `/api/v1/incidents/${filed.body.id}`, { title: 'Slow checkout since Tuesday', state: 'resolved' });
    assert.equal(reworded.status, 200, reworded.text);
    assert.equal((await review(h, change.id)).status, 404, 'neither the title nor the state is read by the review rules');
    assert.equal((await edit(h, `/api/v1/incidents/${filed.body.id}`, { title: 'Slow checkout since Tuesday' })).status, 200, 'an edit that changes nothing');
    assert.equal((await review(h, change.id)).status, 404);

    // Its priority is read (outcome.worstIncidentPriority): the change is weighed again under the policy in force.
    const raised = await edit(h, `/api/v1/incidents/${filed.body.id}`, { priority: 2 });
    assert.equal(raised.status, 200, raised.text);
    const opened = await review(h, change.id);
    assert.equal(opened.status, 200, opened.text);
    assert.deepEqual(opened.body.reasons.map((r: { name: string }) => r.name), ['caused_incident']);
  });

  eachEngine('two closings at once create one review', async (h) => {
    await applyReviews(h, (shipped) => shipped.replace(/blockClose: .*/, 'blockClose: true'));
    const server = await ci(h, 'app-4', 'server');
    const standard = await standardImplemented(h, server, 'unsuccessful');
    const results = await Promise.all([move(h, standard.id, 'closed'), move(h, standard.id, 'closed'), move(h, standard.id, 'closed')]);
    for (const r of results) assert.equal(r.status, 422, r.text);
    const ids = new Set(results.map((r) => r.body.error.details.review.id));
    assert.equal(ids.size, 1, `one review: ${[...ids].join(', ')}`);
    const trail = (await h.request('GET', `/api/v1/changes/${standard.id}/audit`)).body.items.filter((e: { action: string }) => e.action === 'review.created');
    assert.equal(trail.length, 1);
  });

  eachEngine('the queue lists open, overdue and completed reviews, and mine; the worker tells the owner of an overdue one once', async (h) => {
    const { owner, change } = await emergencyImplemented(h);
    assert.equal((await move(h, change.id, 'review')).status, 200);
    const server = await ci(h, 'app-5', 'server');
    const other = await standardImplemented(h, server, 'rolled_back');
    assert.equal((await move(h, other.id, 'closed')).status, 200, 'closes, its review open');

    const open = await h.request('GET', '/api/v1/reviews?state=open');
    assert.equal(open.status, 200, open.text);
    assert.equal(open.body.items.length, 2);
    const mine = await h.request('GET', '/api/v1/reviews?state=open&mine=true', { token: owner.token });
    assert.deepEqual(mine.body.items.map((i: { change: { id: string } }) => i.change.id), [change.id]);
    assert.equal(mine.body.items[0].owner.id, owner.id);
    assert.equal((await h.request('GET', '/api/v1/reviews?state=overdue')).body.items.length, 0);
    assert.equal((await h.request('GET', '/api/v1/reviews?state=sometime')).status, 400);

    h.advance(11 * DAY);
    const overdue = await h.request('GET', '/api/v1/reviews?state=overdue');
    assert.equal(overdue.body.items.length, 2);
    assert.ok(overdue.body.items.every((i: { overdue: boolean }) => i.overdue));
    const first = await h.tick();
    assert.equal(first.reviewsOverdue, 2);
    assert.equal((await h.tick()).reviewsOverdue, 0, 'told once');
    const inbox = (await h.request('GET', '/api/v1/me/notifications', { token: owner.token })).body.items as { kind: string }[];
    assert.equal(inbox.filter((n) => n.kind === 'review_overdue').length, 1, JSON.stringify(inbox));
    assert.equal((await h.request('GET', '/api/v1/reviews?state=completed')).body.items.length, 0);
    assert.equal((await h.request('GET', '/api/v1/reviews?state=all')).body.items.length, 2);
  });

  eachEngine('open review actions on a CI raise the risk of the next change there, until they are done', async (h) => {
    const { owner, server, change } = await emergencyImplemented(h);
    const before = await h.request('POST', '/api/v1/changes', { body: { ...plan([server]), title: 'Next change before' } });
    const baseline = before.body.risk.score as number;
    assert.equal((await move(h, change.id, 'review')).status, 200);
    const action = await h.request('POST', `/api/v1/changes/${change.id}/review/actions`, {
      token: owner.token,
      body: { title: 'Add a staging TLS endpoint', ownerId: owner.id, dueAt: new Date(h.now().getTime() + 7 * DAY).toISOString() },
    });
    assert.equal(action.status, 201, action.text);
    const next = await h.request('POST', '/api/v1/changes', { body: { ...plan([server]), title: 'Next change' } });
    assert.equal(next.status, 201, next.text);
    assert.ok(next.body.risk.score > baseline, `${next.body.risk.score} > ${baseline}`);
    const factors = (await h.request('GET', `/api/v1/changes/${next.body.id}/risk`)).body.factors as { name: string; contribution: number }[];
    assert.equal(factors.find((f) => f.name === 'review_learning')!.contribution, 6, JSON.stringify(factors));

    // Done, with the findings recorded: what it learned still counts, less.
    await edit(h, `/api/v1/changes/${change.id}/review`, { wentBadly: 'Untested patch', factors: ['No staging'] }, owner.token);
    assert.equal((await h.request('PATCH', `/api/v1/changes/${change.id}/review/actions/${action.body.actions[0].id}`, { token: owner.token, body: { state: 'done' } })).status, 200);
    assert.equal((await h.request('POST', `/api/v1/changes/${change.id}/review/complete`, { token: owner.token, body: {} })).status, 200);
    const later = await h.request('POST', '/api/v1/changes', { body: { ...plan([server]), title: 'Later change' } });
    const learned = (await h.request('GET', `/api/v1/changes/${later.body.id}/risk`)).body.factors as { name: string; contribution: number }[];
    assert.equal(learned.find((f) => f.name === 'review_learning')!.contribution, 3, JSON.stringify(learned));
  });

  eachEngine('a transaction asks for the learning facts of a change once, and again after it writes a review', async (h) => {
    const { owner, server, change } = await emergencyImplemented(h);
    assert.equal((await move(h, change.id, 'review')).status, 200);
    const added = await h.request('POST', `/api/v1/changes/${change.id}/review/actions`, {
      token: owner.token,
      body: { title: 'Add a staging TLS endpoint', ownerId: owner.id, dueAt: new Date(h.now().getTime() + 7 * DAY).toISOString() },
    });
    assert.equal(added.status, 201, added.text);
    const next = await h.request('POST', '/api/v1/changes', { body: { ...plan([server]), title: 'Next change' } });
    assert.equal(next.status, 201, next.text);

    // Statements that read the review actions, counted as the database answers them (a subquery is built
    // through the plugins too, but only a whole statement is answered; the risk context's history facts are one
    // raw statement of subqueries, db/repositories/risk-history.ts).
    let asked = 0;
    const reading = new Set<unknown>();
    const counter: KyselyPlugin = {
      transformQuery: (args) => {
        if ((args.node.kind === 'SelectQueryNode' || args.node.kind === 'RawNode') && JSON.stringify(args.node).includes('"review_actions"')) reading.add(args.queryId);
        return args.node;
      },
      transformResult: async (args) => {
        if (reading.has(args.queryId)) asked++;
        return args.result;
      },
    };
    const { risk, policy } = h.cabinet.services;
    const active = await policy.active();
    const db = h.cabinet.store.kysely;
    await db.transaction().execute(async (trx) => {
      // As a filing's transaction does: routing's context, then the assessment's, through one set of repositories.
      const repos = createRepositories(trx.withPlugin(counter), helpersFor(db as unknown as Kysely<unknown>), { memo: true });
      const filed = (await repos.changes.findById(next.body.id))!;
      const facts = async () => ((await risk.contextOf(repos, filed, active)).history as { openReviewActions: bigint }).openReviewActions;
      assert.equal(await facts(), 1n);
      assert.equal(await facts(), 1n);
      assert.equal(asked, 1, 'asked once for both contexts');
      // A write of the reviews forgets the answer: the transaction reads its own write.
      const review = (await repos.reviews.findByChange(change.id))!;
      const [action] = await repos.reviews.actions(review.id);
      await repos.reviews.updateAction({ ...action!, state: 'done' });
      asked = 0;
      assert.equal(await facts(), 0n);
      assert.equal(asked, 1);
      throw new RolledBack();
    }).catch((err: unknown) => {
      if (!(err instanceof RolledBack)) throw err;
    });
  });

  eachEngine('documents its routes in the OpenAPI description', async (h) => {
    const spec = (await h.request('GET', '/api/v1/openapi.json')).body;
    const ops: [string, string, string][] = [
      ['get', '/api/v1/reviews', 'listReviews'],
      ['get', '/api/v1/changes/{id}/review', 'getChangeReview'],
      ['patch', '/api/v1/changes/{id}/review', 'updateChangeReview'],
      ['post', '/api/v1/changes/{id}/review/actions', 'addReviewAction'],
      ['patch', '/api/v1/changes/{id}/review/actions/{actionId}', 'updateReviewAction'],
      ['post', '/api/v1/changes/{id}/review/complete', 'completeChangeReview'],
    ];
    for (const [method, path, id] of ops) {
      const op = spec.paths[path]?.[method];
      assert.ok(op, `${method} ${path}`);
      assert.equal(op.operationId, id);
      assert.deepEqual(op.tags, ['reviews']);
      assert.ok(op.summary.length > 20);
      if (path.includes('{')) assert.ok(op.responses['404'], `${path} documents 404`);
    }
  });

  eachEngine(
    'the demo has a completed review with its actions, on the firewall cleanup that caused an incident',
    async (h) => {
      const done = await h.request('GET', '/api/v1/reviews?state=completed');
      assert.equal(done.status, 200, done.text);
      const cleanup = done.body.items.find((i: { change: { title: string } }) => i.change.title === 'Firewall rule cleanup on the edge');
      assert.ok(cleanup, JSON.stringify(done.body.items));
      assert.equal(cleanup.openActions, 2);
      const full = await review(h, cleanup.change.id);
      assert.deepEqual(full.body.reasons.map((r: { name: string }) => r.name), ['caused_incident']);
      assert.equal(full.body.actions.length, 2);
      assert.ok(full.body.actions.every((a: { ownerId: string | null; dueAt: string | null }) => a.ownerId && a.dueAt));
      assert.ok(full.body.factors.length > 0);
    },
    { CABINET_DEMO: '1' },
  );

  it('rejects review rules that do not compile, with file, line and path', async () => {
    const files = await readBundleFiles(DEFAULT_DIR);
    files['reviews.yaml'] = 'apiVersion: cabinet/v1\nreviews:\n  blockClose: outcome.closecode == "x"\n  exemptStates: [gone]\n  rules:\n    - name: a\n      when: outcome.failed\n      reason: r\n    - name: a\n      when: change.priority == "high"\n      reason: r\n';
    assert.throws(
      () => compileBundle(files),
      (err: unknown) => {
        assert.ok(err instanceof PolicyInvalidError);
        const issues = err.details.issues as { file: string; line: number; path: string; message: string }[];
        const paths = issues.map((i) => i.path).sort();
        assert.deepEqual(paths, ['reviews.blockClose', 'reviews.exemptStates.0', 'reviews.rules.1.name', 'reviews.rules.1.when'], JSON.stringify(issues));
        assert.ok(issues.every((i) => i.file === 'reviews.yaml' && i.line > 1));
        assert.match(issues.find((i) => i.path === 'reviews.blockClose')!.message, /closeCode/);
        return true;
      },
    );
    // The shipped bundle without the file still loads, with the default rules.
    const without = await readBundleFiles(DEFAULT_DIR);
    delete without['reviews.yaml'];
    assert.deepEqual(compileBundle(without).reviews.rules.map((r) => r.name), ['emergency', 'failed', 'caused_incident', 'broke_glass', 'very_high_risk']);
  });
});
