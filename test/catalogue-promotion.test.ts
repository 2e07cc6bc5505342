import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { sql } from 'kysely';
import { eachEngine, type Harness } from './support/cabinet';
import { ci, plan } from './support/fixtures';

/** Makes the database refuse to link an entry to the change it came from, as a failing disk or a lost connection would. */
async function refuseSourceLinks(h: Harness, refuse: boolean): Promise<void> {
  const db = h.cabinet.store.kysely;
  if (h.engine === 'sqlite') {
    if (refuse) await sql`create trigger refuse_source_link before update of source_change_id on change_templates begin select raise(abort, 'the link was refused'); end`.execute(db);
    else await sql`drop trigger refuse_source_link`.execute(db);
    return;
  }
  if (refuse) {
    await sql`create function refuse_source_link() returns trigger language plpgsql as $$ begin raise exception 'the link was refused'; end $$`.execute(db);
    await sql`create trigger refuse_source_link before update of source_change_id on change_templates for each row execute function refuse_source_link()`.execute(db);
  } else {
    await sql`drop trigger refuse_source_link on change_templates`.execute(db);
    await sql`drop function refuse_source_link()`.execute(db);
  }
}

async function auditActions(h: Harness): Promise<string[]> {
  const res = await h.request('GET', '/api/v1/audit/export');
  assert.equal(res.status, 200, res.text);
  return res.text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { action: string }).action);
}

describe('proposing a catalogue entry from a change', () => {
  eachEngine('is all or nothing: when linking the entry to its change fails, neither the entry nor its audit events stay', async (h) => {
    const server = await ci(h, 'web-1', 'server');
    const filed = await h.request('POST', '/api/v1/changes', { body: plan([server], { title: 'Renew the TLS certificate', implementationPlan: 'certbot renew' }) });
    assert.equal(filed.status, 201, filed.text);

    await refuseSourceLinks(h, true);
    const failed = await h.request('POST', `/api/v1/changes/${filed.body.number}/propose-entry`, { body: { name: 'Renew a TLS certificate' } });
    assert.equal(failed.status, 500, failed.text);
    const stored = await h.cabinet.store.kysely.selectFrom('change_templates').select('id').where('name', '=', 'Renew a TLS certificate').execute();
    assert.deepEqual(stored, [], 'no entry without its link');
    const actions = await auditActions(h);
    assert.ok(!actions.includes('template.created') && !actions.includes('template.proposed_from_change'), actions.join(', '));

    // Once the database takes the link again, the same name is free: nothing was left behind to collide with.
    await refuseSourceLinks(h, false);
    const proposed = await h.request('POST', `/api/v1/changes/${filed.body.number}/propose-entry`, { body: { name: 'Renew a TLS certificate' } });
    assert.equal(proposed.status, 201, proposed.text);
    assert.equal(proposed.body.state, 'proposed');
    assert.deepEqual((await auditActions(h)).filter((a) => a.startsWith('template.')), ['template.created', 'template.proposed_from_change']);
  });
});
