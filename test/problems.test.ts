import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startCabinet } from '../src/cabinet';
import { loadConfig } from '../src/config';
import { KnownErrorListQuery, ProblemListQuery } from '../src/contracts/problems';
import { systemActor } from '../src/domain/actor';
import { eachEngine, type Harness } from './support/cabinet';
import { at, person, standard } from './support/communication';
import { createTestDatabase } from './support/databases';
import { ci, edit, plan } from './support/fixtures';
import { startSmtp } from './support/smtp';

const DAY = 86_400_000;

const smtp = await startSmtp();
after(() => smtp.close());

async function change(h: Harness, ciIds: string[], extra: Record<string, unknown> = {}): Promise<{ id: string; number: string; title: string }> {
  const res = await h.request('POST', '/api/v1/changes', { body: plan(ciIds, extra) });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function incident(h: Harness, body: Record<string, unknown>, token?: string) {
  const res = await h.request('POST', '/api/v1/incidents', { body, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function problem(h: Harness, body: Record<string, unknown>, token?: string) {
  const res = await h.request('POST', '/api/v1/problems', { body, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function knownError(h: Harness, body: Record<string, unknown>, token?: string) {
  const res = await h.request('POST', '/api/v1/known-errors', { body, token });
  assert.equal(res.status, 201, res.text);
  return res.body;
}

async function auditEvents(h: Harness): Promise<{ action: string; entityType: string; entityId: string; data: Record<string, unknown> }[]> {
  const res = await h.request('GET', '/api/v1/audit/export');
  assert.equal(res.status, 200, res.text);
  return res.text.split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

const numbers = (items: { number: string }[]) => items.map((i) => i.number);

describe('problems and known errors', () => {
  eachEngine('opens a problem linked to incidents, the change that caused it and the change that fixes it, and walks it through its states', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const web = await ci(h, 'pay-web', 'web_server');
    const cause = await change(h, [db], { title: 'Raise the pool size' });
    const fix = await change(h, [db], { title: 'Put the pool size back' });
    const first = await incident(h, { title: 'Payments time out', ciIds: [db], priority: 2 });
    const second = await incident(h, { title: 'Payments slow', ciIds: [db] });
    const teams = await h.request('POST', '/api/v1/teams', { body: { name: 'Database team' } });
    assert.equal(teams.status, 201, teams.text);

    const created = await problem(h, {
      title: 'Connection pool exhausted',
      description: 'The pool runs dry under load',
      priority: 2,
      ciIds: ['pay-db', web],
      teamId: teams.body.id,
      incidentIds: [first.number, second.id],
      causedByChangeIds: [cause.number],
      fixChangeIds: [fix.id],
    });
    assert.match(created.number, /^PRB\d{7}$/);
    assert.equal(created.state, 'new');
    assert.deepEqual(created.nextStates, ['assess', 'closed']);
    assert.deepEqual(created.cis.map((c: { name: string }) => c.name), ['pay-db', 'pay-web']);
    assert.equal(created.owner?.id, (await h.request('GET', '/api/v1/me')).body.id);
    assert.equal(created.team?.name, 'Database team');
    assert.deepEqual(numbers(created.incidents), [first.number, second.number].sort());
    assert.deepEqual(numbers(created.causedByChanges), [cause.number]);
    assert.deepEqual(numbers(created.fixChanges), [fix.number]);
    assert.equal(created.version, 1);

    const read = await h.request('GET', `/api/v1/problems/${created.number.toLowerCase()}`);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body, created);
    assert.equal(read.headers.etag, '"1"');
    assert.equal((await h.request('GET', '/api/v1/problems/PRB9999999')).status, 404);

    // Forward a step at a time; a jump that skips steps is refused with the moves that are allowed.
    const jump = await edit(h, `/api/v1/problems/${created.id}`, { state: 'fix_in_progress' });
    assert.equal(jump.status, 409, jump.text);
    assert.equal(jump.body.error.code, 'invalid_transition');
    assert.deepEqual(jump.body.error.details.allowed, ['assess', 'closed']);
    assert.equal((await edit(h, `/api/v1/problems/${created.id}`, { state: 'assess' })).status, 200);
    const analysed = await edit(h, `/api/v1/problems/${created.id}`, { state: 'root_cause_analysis', rootCause: 'Pool size 10 after CHG change' });
    assert.equal(analysed.status, 200, analysed.text);
    assert.equal(analysed.body.rootCause, 'Pool size 10 after CHG change');
    const resolved = await edit(h, `/api/v1/problems/${created.id}`, { state: 'resolved' });
    assert.equal(resolved.body.state, 'resolved');
    assert.ok(resolved.body.resolvedAt);
    // Going back when the fix did not hold clears the stamp.
    const reopened = await edit(h, `/api/v1/problems/${created.id}`, { state: 'fix_in_progress' });
    assert.equal(reopened.body.resolvedAt, null);
    const closed = await edit(h, `/api/v1/problems/${created.id}`, { state: 'closed' });
    assert.ok(closed.body.closedAt);
    assert.deepEqual(closed.body.nextStates, []);
    const stuck = await edit(h, `/api/v1/problems/${created.id}`, { state: 'assess' });
    assert.equal(stuck.status, 409);

    const events = await auditEvents(h);
    assert.deepEqual(
      events.filter((e) => e.entityId === created.id).map((e) => e.action),
      ['problem.created', 'problem.updated', 'problem.updated', 'problem.updated', 'problem.updated', 'problem.updated'],
    );
    // An auditor finds the problem's events by its number, with its name.
    const found = await h.request('GET', `/api/v1/audit/events?record=${created.number}`);
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(found.body.records.map((r: { type: string; label: string }) => [r.type, r.label]), [['problem', created.number]]);
    assert.equal(found.body.names[created.id]?.label, created.number);
    const linked = events.filter((e) => e.action === 'change.problem_linked');
    assert.deepEqual(linked.map((e) => [e.entityId, e.data.role]).sort(), [[cause.id, 'caused'], [fix.id, 'fix']].sort());

    // Unlinking a fix is audited on the change.
    const problem2 = await problem(h, { title: 'Disk fills', fixChangeIds: [fix.number] });
    assert.equal((await edit(h, `/api/v1/problems/${problem2.id}`, { fixChangeIds: [] })).status, 200);
    assert.ok((await auditEvents(h)).some((e) => e.action === 'change.problem_unlinked' && e.entityId === fix.id && e.data.problem === problem2.number));
  });

  eachEngine('refuses a problem listing every problem of the body at once, and edits without a version (428) or with a stale one (412)', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const bad = await h.request('POST', '/api/v1/problems', {
      body: { title: ' ', priority: 7, ciIds: [db, 'nope'], incidentIds: ['INC9999999'], causedByChangeIds: ['CHG9999999'], fixChangeIds: ['CHG8888888'], teamId: 'no-team', ownerId: 'nobody', extra: 1 },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.code, 'invalid_input');
    assert.deepEqual(
      bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(),
      ['causedByChangeIds.0', 'ciIds.1', 'extra', 'fixChangeIds.0', 'incidentIds.0', 'ownerId', 'priority', 'teamId', 'title'],
    );
    // A well-formed body with wrong references only: refused the same way, and nothing written.
    const refs = await h.request('POST', '/api/v1/problems', { body: { title: 'Slow', serviceId: 'Nope', incidentIds: ['INC0000404'] } });
    assert.equal(refs.status, 400, refs.text);
    assert.deepEqual(refs.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['incidentIds.0', 'serviceId']);
    assert.deepEqual((await h.request('GET', '/api/v1/problems')).body.items, []);

    const created = await problem(h, { title: 'Slow' });
    const none = await h.request('PATCH', `/api/v1/problems/${created.id}`, { body: { title: 'Slower' } });
    assert.equal(none.status, 428, none.text);
    assert.equal(none.body.error.code, 'version_required');
    assert.equal((await h.request('PATCH', `/api/v1/problems/${created.id}`, { body: { title: 'Slower', version: 1 } })).status, 200);
    const stale = await h.request('PATCH', `/api/v1/problems/${created.id}`, { body: { title: 'Slowest', version: 1 } });
    assert.equal(stale.status, 412, stale.text);
    const viaHeader = await h.request('PATCH', `/api/v1/problems/${created.id}`, { body: { title: 'Slowest' }, headers: { 'if-match': '"2"' } });
    assert.equal(viaHeader.status, 200, viaHeader.text);
    const badEdit = await h.request('PATCH', `/api/v1/problems/${created.id}`, { body: { state: 'done', ciIds: ['nope'], version: 3 } });
    assert.equal(badEdit.status, 400, badEdit.text);
    assert.deepEqual(badEdit.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['ciIds.0', 'state']);
    assert.equal((await h.request('PATCH', '/api/v1/problems/PRB9999999', { body: { title: 'x', version: 1 } })).status, 404);

    // Two people edit the same version at once: one wins, the other is told to read it again, and the links
    // are the winner's alone.
    const inc1 = await incident(h, { title: 'One' });
    const inc2 = await incident(h, { title: 'Two' });
    const racing = await Promise.all([
      h.request('PATCH', `/api/v1/problems/${created.id}`, { body: { incidentIds: [inc1.number], version: 3 } }),
      h.request('PATCH', `/api/v1/problems/${created.id}`, { body: { incidentIds: [inc2.number], version: 3 } }),
    ]);
    assert.deepEqual(racing.map((r) => r.status).sort(), [200, 412]);
    const winner = racing.find((r) => r.status === 200)!.body;
    const stored = (await h.request('GET', `/api/v1/problems/${created.id}`)).body;
    assert.deepEqual(numbers(stored.incidents), numbers(winner.incidents));
    assert.equal(stored.version, 4);
  });

  eachEngine('lets those who read incidents read problems, those who file them open problems, and only a change manager or the owner and team edit one', async (h) => {
    const auditor = await h.userWithToken(['auditor']);
    const stakeholder = await h.userWithToken(['stakeholder']);
    const rita = await h.userWithToken(['requester']);
    const ivan = await h.userWithToken(['implementer']);
    const manager = await h.userWithToken(['change_manager']);
    const team = await h.request('POST', '/api/v1/teams', { body: { name: 'Web team' } });
    const tina = await h.userWithToken(['implementer'], { teamIds: [team.body.id] });

    assert.equal((await h.request('GET', '/api/v1/problems', { token: auditor.token })).status, 200);
    assert.equal((await h.request('GET', '/api/v1/problems', { token: stakeholder.token })).status, 403);
    assert.equal((await h.request('POST', '/api/v1/problems', { token: auditor.token, body: { title: 'x' } })).status, 403);

    const mine = await problem(h, { title: 'Login loops', teamId: team.body.id }, rita.token);
    assert.equal(mine.owner?.id, rita.id);
    const path = `/api/v1/problems/${mine.id}`;
    assert.equal((await edit(h, path, { title: 'Login loops forever' }, rita.token)).status, 200);
    assert.equal((await edit(h, path, { state: 'assess' }, tina.token)).status, 200);
    const other = await edit(h, path, { title: 'Mine now' }, ivan.token);
    assert.equal(other.status, 403, other.text);
    assert.equal((await edit(h, path, { ownerId: ivan.id }, manager.token)).status, 200);
    assert.equal((await edit(h, path, { title: 'Mine now' }, ivan.token)).status, 200);
    assert.equal((await edit(h, path, { title: 'Not yours' }, auditor.token)).status, 403);

    // Known errors: a change manager records any; the owner of a problem records one on it; others may not.
    assert.equal((await h.request('POST', '/api/v1/known-errors', { token: rita.token, body: { title: 'Loose' } })).status, 403);
    assert.equal((await h.request('POST', '/api/v1/known-errors', { token: rita.token, body: { title: 'On theirs', problemId: mine.number } })).status, 403);
    assert.equal((await h.request('POST', '/api/v1/known-errors', { token: ivan.token, body: { title: 'On mine', problemId: mine.number } })).status, 201);
    assert.equal((await h.request('POST', '/api/v1/known-errors', { token: manager.token, body: { title: 'Anything' } })).status, 201);
    assert.equal((await h.request('GET', '/api/v1/known-errors', { token: auditor.token })).body.items.length, 2);
  });

  eachEngine('lists problems filtered, sorted and paged, and exports them as CSV', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const inc = await incident(h, { title: 'Down', ciIds: [db] });
    const a = await problem(h, { title: 'Alpha pool', priority: 1, ciIds: [db], incidentIds: [inc.number] });
    h.advance(1000);
    const b = await problem(h, { title: 'Beta disk', priority: 3, rootCause: 'log rotation off' });
    h.advance(1000);
    const c = await problem(h, { title: 'Gamma cert', priority: 2 });
    assert.equal((await edit(h, `/api/v1/problems/${c.id}`, { state: 'closed' })).status, 200);

    const list = async (q: string) => {
      const res = await h.request('GET', `/api/v1/problems?${q}`);
      assert.equal(res.status, 200, res.text);
      return res.body;
    };
    assert.deepEqual(numbers((await list('')).items), [c.number, b.number, a.number]);
    assert.deepEqual(numbers((await list('state=open')).items), [b.number, a.number]);
    assert.deepEqual(numbers((await list('ciId=pay-db')).items), [a.number]);
    assert.deepEqual(numbers((await list(`incidentId=${inc.number}`)).items), [a.number]);
    assert.deepEqual(numbers((await list('q=rotation')).items), [b.number]);
    assert.deepEqual(numbers((await list('sort=priority')).items), [a.number, c.number, b.number]);
    const page1 = await list('sort=-priority&limit=2');
    assert.deepEqual(numbers(page1.items), [b.number, c.number]);
    assert.deepEqual(numbers((await list(`sort=-priority&limit=2&cursor=${page1.nextCursor}`)).items), [a.number]);
    const newest = await list('limit=1');
    assert.deepEqual(numbers((await list(`limit=5&cursor=${newest.nextCursor}`)).items), [b.number, a.number]);

    const bad = await h.request('GET', '/api/v1/problems?state=open,nope&priority=9&ciId=gone&sort=size');
    assert.equal(bad.status, 400, bad.text);
    const unknown = await h.request('GET', '/api/v1/problems?state=nope&priority=9&ciId=gone');
    assert.deepEqual(unknown.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['query.ciId', 'query.priority', 'query.state']);

    const csv = await h.request('GET', '/api/v1/problems/export.csv?state=open');
    assert.equal(csv.status, 200, csv.text);
    const lines = csv.text.trim().split(/\r?\n/);
    assert.match(lines[0]!, /^Number,Title,Priority,State,Owner/);
    assert.equal(lines.length, 3);
    assert.ok(lines.some((l) => l.includes(a.number) && l.includes(inc.number)));
  });

  eachEngine('records known errors; only published ones are found on CIs, on a change and for the new-change form', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const web = await ci(h, 'pay-web', 'web_server');
    const other = await ci(h, 'reports-db', 'database');
    const prb = await problem(h, { title: 'Pool exhausted', ciIds: [db] });

    const draft = await knownError(h, { title: 'Pool runs dry', cause: 'Pool of 10', workaround: 'Restart **pay-api**', ciIds: ['pay-db', web], problemId: prb.number });
    assert.match(draft.number, /^KE\d{7}$/);
    assert.equal(draft.state, 'draft');
    assert.equal(draft.publishedAt, null);
    assert.deepEqual(draft.problem, { id: prb.id, number: prb.number, title: prb.title, state: 'new' });
    const published = await knownError(h, { title: 'Cert expires', workaround: 'Renew by hand', ciIds: [web], state: 'published' });
    assert.ok(published.publishedAt);
    await knownError(h, { title: 'Elsewhere', ciIds: [other], state: 'published' });

    const repos = h.cabinet.store.repos;
    assert.deepEqual(
      (await repos.problems.knownErrorsOnCis([db, web])).map((k) => [k.number, k.ciIds]),
      [[published.number, [web]]],
    );
    assert.deepEqual(await repos.problems.knownErrorsOnCis([]), []);

    const on = await edit(h, `/api/v1/known-errors/${draft.id}`, { state: 'published' });
    assert.equal(on.status, 200, on.text);
    assert.ok(on.body.publishedAt);
    const found = await repos.problems.knownErrorsOnCis([db, web]);
    assert.deepEqual(found.map((k) => k.number), [draft.number, published.number]);
    assert.deepEqual(found[0], { id: draft.id, number: draft.number, title: 'Pool runs dry', workaround: 'Restart **pay-api**', ciIds: [db, web].sort() });

    const chg = await change(h, [db]);
    const ofChange = await h.request('GET', `/api/v1/changes/${chg.number}/known-errors`);
    assert.equal(ofChange.status, 200, ofChange.text);
    assert.deepEqual(ofChange.body.items.map((k: { number: string; cis: { name: string }[] }) => [k.number, k.cis.map((c) => c.name)]), [[draft.number, ['pay-db']]]);
    assert.equal((await h.request('GET', '/api/v1/changes/CHG9999999/known-errors')).status, 404);

    const form = await h.request('GET', `/api/v1/known-errors/on-cis?ciIds=pay-web,${other}`);
    assert.equal(form.status, 200, form.text);
    assert.deepEqual(form.body.items.map((k: { number: string }) => k.number).length, 3);
    const unknown = await h.request('GET', '/api/v1/known-errors/on-cis?ciIds=nope');
    assert.equal(unknown.status, 400, unknown.text);

    // Retired: no longer found anywhere; the list still has it under its state.
    assert.equal((await edit(h, `/api/v1/known-errors/${published.number}`, { state: 'retired' })).body.state, 'retired');
    assert.deepEqual((await repos.problems.knownErrorsOnCis([web])).map((k) => k.number), [draft.number]);
    assert.deepEqual(numbers((await h.request('GET', '/api/v1/known-errors?state=retired')).body.items), [published.number]);
    assert.deepEqual(numbers((await h.request('GET', `/api/v1/known-errors?problemId=${prb.number}`)).body.items), [draft.number]);
    assert.deepEqual(numbers((await h.request('GET', `/api/v1/problems/${prb.id}`)).body.knownErrors), [draft.number]);

    const bad = await h.request('POST', '/api/v1/known-errors', { body: { title: '', state: 'retired', ciIds: ['gone'], problemId: 'PRB9999999' } });
    assert.equal(bad.status, 400, bad.text);
    assert.deepEqual(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort(), ['ciIds.0', 'problemId', 'state', 'title']);
    assert.equal((await h.request('PATCH', `/api/v1/known-errors/${draft.id}`, { body: { title: 'x' } })).status, 428);
    assert.equal((await h.request('GET', '/api/v1/known-errors/KE9999999')).status, 404);
    const events = await auditEvents(h);
    assert.deepEqual(events.filter((e) => e.entityId === draft.id).map((e) => e.action), ['known_error.created', 'known_error.updated']);
  });

  eachEngine('shares a workaround with the people who filed the problem’s incidents and its owner, and says who was told', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const rita = await person(h, 'Rita Requester', ['requester']);
    const ivan = await person(h, 'Ivan Implementer', ['implementer']);
    const olga = await person(h, 'Olga Owner', ['change_manager']);
    const a = await incident(h, { title: 'Checkout fails', ciIds: [db] }, rita.token);
    const b = await incident(h, { title: 'Checkout fails again', ciIds: [db] }, rita.token);
    const c = await incident(h, { title: 'Refunds fail', ciIds: [db] }, ivan.token);
    const prb = await problem(h, { title: 'Pool exhausted', ownerId: olga.id, incidentIds: [a.id, b.id, c.id] });
    const ke = await knownError(h, { title: 'Pool runs dry', workaround: 'Restart pay-api', problemId: prb.id, ciIds: [db] });

    const early = await h.request('POST', `/api/v1/known-errors/${ke.number}/share`);
    assert.equal(early.status, 409, early.text);
    assert.equal(early.body.error.code, 'not_published');
    assert.equal((await edit(h, `/api/v1/known-errors/${ke.id}`, { state: 'published' })).status, 200);

    const notAllowed = await h.request('POST', `/api/v1/known-errors/${ke.id}/share`, { token: rita.token });
    assert.equal(notAllowed.status, 403, notAllowed.text);
    const shared = await h.request('POST', `/api/v1/known-errors/${ke.id}/share`);
    assert.equal(shared.status, 200, shared.text);
    assert.deepEqual(shared.body.told, [
      { id: ivan.id, name: 'Ivan Implementer', reasons: [`filed ${c.number}`] },
      { id: olga.id, name: 'Olga Owner', reasons: [`owns ${prb.number}`] },
      { id: rita.id, name: 'Rita Requester', reasons: [`filed ${a.number}`, `filed ${b.number}`].sort() },
    ]);
    await h.tick();
    for (const who of [rita, ivan, olga]) {
      const inbox = (await h.request('GET', '/api/v1/me/notifications', { token: who.token })).body.items as { kind: string; title: string; body: string }[];
      const note = inbox.find((n) => n.kind === 'workaround_shared');
      assert.ok(note, JSON.stringify(inbox));
      assert.equal(note.title, `Workaround for ${ke.number}: Pool runs dry`);
      assert.match(note.body, /Restart pay-api/);
    }
    const events = await auditEvents(h);
    const event = events.find((e) => e.action === 'known_error.shared');
    assert.deepEqual((event?.data.toldIds as string[]).sort(), [ivan.id, olga.id, rita.id].sort());

    // And by email, once each, with the workaround and a link to the known error.
    const mails = smtp.mailTo(rita.email);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]!.mail.subject, `Workaround for ${ke.number}: Pool runs dry`);
    assert.match(mails[0]!.mail.text ?? '', /Restart pay-api/);
    assert.match(mails[0]!.mail.text ?? '', new RegExp(`https://cabinet.example.com/known-errors/${ke.number}`));
    assert.equal(smtp.mailTo(olga.email).length, 1);
  }, smtp.env);

  eachEngine('resolves a problem when its fix change closes successfully, and tells its owner; a fix that ends otherwise resolves nothing', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const rita = await person(h, 'Rita Requester', ['requester']);
    const olga = await person(h, 'Olga Owner', ['change_manager']);
    const failedFix = await standard(h, rita.token, [db], { title: 'First try' });
    const fix = await standard(h, rita.token, [db], { title: 'Second try', plannedStart: at(h, 3), plannedEnd: at(h, 4) });
    const prb = await problem(h, { title: 'Pool exhausted', ownerId: olga.id, fixChangeIds: [failedFix.number, fix.number] });
    const other = await problem(h, { title: 'Also fixed by it', fixChangeIds: [fix.number] });
    assert.equal((await edit(h, `/api/v1/problems/${other.id}`, { state: 'closed' })).status, 200);

    const finish = async (id: string, closeCode: string) => {
      for (const step of [
        () => h.request('POST', `/api/v1/changes/${id}/transitions`, { token: rita.token, body: { to: 'scheduled' } }),
        () => edit(h, `/api/v1/changes/${id}`, { actualStart: new Date(h.now().getTime() - 60_000).toISOString() }, rita.token),
        () => h.request('POST', `/api/v1/changes/${id}/transitions`, { token: rita.token, body: { to: 'implement' } }),
        () => edit(h, `/api/v1/changes/${id}`, { actualEnd: h.now().toISOString(), closeCode, closeNotes: 'Done.' }, rita.token),
        () => h.request('POST', `/api/v1/changes/${id}/transitions`, { token: rita.token, body: { to: 'closed' } }),
      ]) {
        const res = await step();
        assert.equal(res.status, 200, res.text);
      }
    };
    // Cancelled: a final state without a successful close code.
    const cancelled = await h.request('POST', `/api/v1/changes/${failedFix.id}/transitions`, { token: rita.token, body: { to: 'cancelled', comment: 'Not this way' } });
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal((await h.request('GET', `/api/v1/problems/${prb.id}`)).body.state, 'new');
    await finish(fix.id, 'successful_with_issues');
    const after = (await h.request('GET', `/api/v1/problems/${prb.id}`)).body;
    assert.equal(after.state, 'resolved');
    assert.ok(after.resolvedAt);
    assert.deepEqual(after.resolvedByChange, { id: fix.id, number: fix.number, title: 'Second try' });
    assert.equal((await h.request('GET', `/api/v1/problems/${other.id}`)).body.state, 'closed');
    const event = (await auditEvents(h)).find((e) => e.action === 'problem.resolved');
    assert.equal(event?.entityId, prb.id);
    assert.equal(event?.data.change, fix.number);
    await h.tick();
    const inbox = (await h.request('GET', '/api/v1/me/notifications', { token: olga.token })).body.items as { kind: string; title: string }[];
    assert.ok(inbox.some((n) => n.kind === 'problem_resolved' && n.title === `${prb.number} resolved by ${fix.number}`), JSON.stringify(inbox));
  });

  eachEngine('suggests a problem for a CI with three incidents in 30 days that no problem explains', async (h) => {
    const db = await ci(h, 'pay-db', 'database');
    const web = await ci(h, 'pay-web', 'web_server');
    const openedAt = (daysAgo: number) => new Date(h.now().getTime() - daysAgo * DAY).toISOString();
    const old = await incident(h, { title: 'Long ago', ciIds: [db], openedAt: openedAt(40) });
    const one = await incident(h, { title: 'One', ciIds: [db, web], openedAt: openedAt(3) });
    const two = await incident(h, { title: 'Two', ciIds: [db], openedAt: openedAt(2) });
    const three = await incident(h, { title: 'Three', ciIds: [db], openedAt: openedAt(1) });
    await incident(h, { title: 'Web only', ciIds: [web], openedAt: openedAt(1) });

    const res = await h.request('GET', '/api/v1/problems/suggestions');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.threshold, 3);
    assert.equal(res.body.days, 30);
    assert.deepEqual(res.body.items.map((s: { ci: { name: string }; incidents: { number: string }[] }) => [s.ci.name, numbers(s.incidents)]), [
      ['pay-db', [three.number, two.number, one.number]],
    ]);
    assert.ok(!JSON.stringify(res.body).includes(old.number));

    // Once a problem explains one of them, the CI is no longer suggested.
    await problem(h, { title: 'Pool exhausted', incidentIds: [two.number] });
    assert.deepEqual((await h.request('GET', '/api/v1/problems/suggestions')).body.items, []);
    const stakeholder = await h.userWithToken(['stakeholder']);
    assert.equal((await h.request('GET', '/api/v1/problems/suggestions', { token: stakeholder.token })).status, 403);
  });

  it('the demo organisation has a problem behind the payment API incident, fixed by the hotfix, with a published known error', async () => {
    const db = await createTestDatabase('sqlite');
    const cabinet = await startCabinet(loadConfig({ DATABASE_URL: db.url, CABINET_DEMO: '1', CABINET_WEB_DIR: '/nonexistent' }));
    try {
      const actor = systemActor();
      const { items } = await cabinet.services.problems.list(actor, ProblemListQuery.parse({}));
      assert.equal(items.length, 1);
      const [problem] = items;
      assert.equal(problem!.state, 'root_cause_analysis');
      assert.deepEqual(problem!.incidents.map((i) => i.title), ['Payment API connections exhausted']);
      assert.deepEqual(problem!.fixChanges.map((c) => c.title), ['Hotfix: payment API leaking connections']);
      const known = await cabinet.services.problems.listKnownErrors(actor, KnownErrorListQuery.parse({ state: 'published' }));
      assert.equal(known.items[0]?.problem?.id, problem!.id);
      assert.match(known.items[0]!.workaround, /Restart the pay-api pods/);
    } finally {
      await cabinet.close();
      await db.drop();
    }
  });
});
