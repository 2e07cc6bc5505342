import assert from 'node:assert/strict';
import { describe, eachEngine } from './support/cabinet';

describe('saved views', () => {
  eachEngine('a person saves, lists, renames and deletes their own views, each audited', async (h) => {
    const ada = await h.userWithToken(['requester']);
    const created = await h.request('POST', '/api/v1/me/saved-views', {
      token: ada.token,
      body: { name: '  My open normal changes ', list: 'changes', query: '?type=normal&state=assess,authorize&sort=-plannedStart' },
    });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.name, 'My open normal changes', 'the name is trimmed');
    assert.equal(created.body.query, 'type=normal&state=assess,authorize&sort=-plannedStart', 'without the leading ?');
    assert.equal(created.body.shared, false);
    assert.equal(created.body.mine, true);
    assert.equal(created.body.ownerId, ada.id);
    await h.request('POST', '/api/v1/me/saved-views', { token: ada.token, body: { name: 'All incidents', list: 'incidents', query: 'state=all' } });

    const mine = await h.request('GET', '/api/v1/me/saved-views?list=changes', { token: ada.token });
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.body.items.map((v: { name: string }) => v.name), ['My open normal changes']);
    const everything = await h.request('GET', '/api/v1/me/saved-views', { token: ada.token });
    assert.deepEqual(everything.body.items.map((v: { name: string }) => v.name), ['All incidents', 'My open normal changes']);
    assert.deepEqual((await h.request('GET', '/api/v1/me/saved-views')).body.items, [], 'the admin has none of Ada’s');

    const renamed = await h.request('PATCH', `/api/v1/saved-views/${created.body.id}`, { token: ada.token, body: { name: 'Normal ones', shared: true } });
    assert.equal(renamed.status, 200, renamed.text);
    assert.equal(renamed.body.name, 'Normal ones');
    assert.equal(renamed.body.shared, true);
    assert.equal(renamed.body.query, created.body.query);

    const deleted = await h.request('DELETE', `/api/v1/saved-views/${created.body.id}`, { token: ada.token });
    assert.equal(deleted.status, 204);
    assert.equal((await h.request('GET', `/api/v1/saved-views/${created.body.id}`, { token: ada.token })).status, 404);

    const trail = await h.request('GET', `/api/v1/audit/events?record=${created.body.id}&action=saved_view.created,saved_view.updated,saved_view.deleted`);
    assert.equal(trail.status, 200, trail.text);
    assert.deepEqual((trail.body.items as { action: string }[]).map((e) => e.action).sort(), ['saved_view.created', 'saved_view.deleted', 'saved_view.updated']);
  });

  eachEngine('a shared view opens by its link for anyone who may read the list; only its owner changes or deletes it', async (h) => {
    const ada = await h.userWithToken(['change_manager']);
    const bob = await h.userWithToken(['approver']);
    const nobody = await h.userWithToken([]);
    const shared = await h.request('POST', '/api/v1/me/saved-views', { token: ada.token, body: { name: 'Emergencies', list: 'changes', query: 'type=emergency', shared: true } });
    const hidden = await h.request('POST', '/api/v1/me/saved-views', { token: ada.token, body: { name: 'Private', list: 'changes', query: 'type=normal' } });
    assert.equal(shared.status, 201, shared.text);

    const opened = await h.request('GET', `/api/v1/saved-views/${shared.body.id}`, { token: bob.token });
    assert.equal(opened.status, 200, opened.text);
    assert.equal(opened.body.query, 'type=emergency');
    assert.equal(opened.body.mine, false);
    assert.equal(opened.body.ownerName.length > 0, true);
    assert.deepEqual((await h.request('GET', '/api/v1/me/saved-views', { token: bob.token })).body.items, [], 'a shared view is not one of Bob’s');

    const edit = await h.request('PATCH', `/api/v1/saved-views/${shared.body.id}`, { token: bob.token, body: { name: 'Mine now' } });
    assert.equal(edit.status, 403, edit.text);
    assert.equal(edit.body.error.code, 'not_view_owner');
    const remove = await h.request('DELETE', `/api/v1/saved-views/${shared.body.id}`, { token: bob.token });
    assert.equal(remove.status, 403);
    assert.equal((await h.request('GET', `/api/v1/saved-views/${shared.body.id}`, { token: ada.token })).body.name, 'Emergencies', 'unchanged');

    // Not shared: as if it did not exist, for reading and for writing.
    assert.equal((await h.request('GET', `/api/v1/saved-views/${hidden.body.id}`, { token: bob.token })).status, 404);
    assert.equal((await h.request('PATCH', `/api/v1/saved-views/${hidden.body.id}`, { token: bob.token, body: { name: 'x' } })).status, 404);
    assert.equal((await h.request('DELETE', `/api/v1/saved-views/${hidden.body.id}`, { token: bob.token })).status, 404);

    // Someone who may not read changes opens no view of them, and saves none.
    assert.equal((await h.request('GET', `/api/v1/saved-views/${shared.body.id}`, { token: nobody.token })).status, 403);
    const refused = await h.request('POST', '/api/v1/me/saved-views', { token: nobody.token, body: { name: 'x', list: 'changes', query: '' } });
    assert.equal(refused.status, 403);
    assert.equal((await h.request('GET', `/api/v1/saved-views/${shared.body.id}`, { token: null })).status, 401);

    // Unsharing hides it again.
    await h.request('PATCH', `/api/v1/saved-views/${shared.body.id}`, { token: ada.token, body: { shared: false } });
    assert.equal((await h.request('GET', `/api/v1/saved-views/${shared.body.id}`, { token: bob.token })).status, 404);
  });

  eachEngine('refuses a bad view in one 400 listing every problem', async (h) => {
    const res = await h.request('POST', '/api/v1/me/saved-views', {
      body: { name: '   ', list: 'problems', query: `cursor=abc&view=1&${'x'.repeat(10)}`, shared: 'yes', colour: 'red' },
    });
    assert.equal(res.status, 400, res.text);
    const paths = (res.body.error.details.issues as { path: string }[]).map((i) => i.path).sort();
    assert.deepEqual(paths, ['colour', 'list', 'name', 'query', 'query', 'shared']);
    const messages = (res.body.error.details.issues as { path: string; message: string }[]).filter((i) => i.path === 'list').map((i) => i.message);
    assert.match(messages[0]!, /changes, incidents, cis, templates/);

    const long = await h.request('POST', '/api/v1/me/saved-views', { body: { name: 'n'.repeat(101), list: 'cis', query: 'q='.padEnd(2001, 'x') } });
    assert.equal(long.status, 400);
    assert.deepEqual((long.body.error.details.issues as { path: string }[]).map((i) => i.path).sort(), ['name', 'query']);
    const badList = await h.request('GET', '/api/v1/me/saved-views?list=problems');
    assert.equal(badList.status, 400);
  });
});
