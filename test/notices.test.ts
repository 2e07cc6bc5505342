import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_TEMPLATES, escapeMarkdown, markdownToHtml, markdownToText, renderNotice, templateProblems } from '../src/policy/notice-templates';
import { readBundleFiles } from '../src/policy/loader';
import { eachEngine, type Harness } from './support/cabinet';
import { at, follow, graph, person, standard } from './support/communication';

const HOUR = 3_600_000;
const DEFAULT_DIR = new URL('../policies/default', import.meta.url).pathname;

async function move(h: Harness, id: string, to: string, token: string) {
  const res = await h.request('POST', `/api/v1/changes/${id}/transitions`, { token, body: { to } });
  assert.equal(res.status, 200, `${to}: ${res.text}`);
}

async function edit(h: Harness, id: string, token: string, body: Record<string, unknown>) {
  const current = await h.request('GET', `/api/v1/changes/${id}`, { token });
  const res = await h.request('PATCH', `/api/v1/changes/${id}`, { token, body: { ...body, version: current.body.version } });
  assert.equal(res.status, 200, res.text);
}

async function titles(h: Harness, token: string, kind = 'change_announced'): Promise<string[]> {
  const res = await h.request('GET', '/api/v1/me/notifications', { token });
  assert.equal(res.status, 200, res.text);
  return res.body.items
    .filter((n: { kind: string }) => n.kind === kind)
    .map((n: { title: string }) => n.title)
    .reverse();
}

async function applyPolicy(h: Harness, edit: (files: Record<string, string>) => void): ReturnType<Harness['request']> {
  const files = await readBundleFiles(DEFAULT_DIR);
  edit(files);
  return h.request('POST', '/api/v1/policy/versions', { body: { files } });
}

describe('notice templates (pure)', () => {
  it('renders the default words, escapes values for Markdown and keeps time tokens for each reader', () => {
    const view = { actor: 'Ada', facts: 'Risk low.', reason: '', change: { ref: 'CHG1 "Pay *now* [here](https://evil.example)"', window: '{{range:2026-01-01T00:00:00.000Z|2026-01-01T01:00:00.000Z}}' } };
    const scheduled = renderNotice(DEFAULT_TEMPLATES.scheduled, view);
    assert.equal(scheduled.title, 'CHG1 "Pay *now* [here](https://evil.example)" was scheduled for {{range:2026-01-01T00:00:00.000Z|2026-01-01T01:00:00.000Z}} by Ada.');
    const custom = renderNotice({ title: 't', body: '**{{change.ref}}** {{reason}} done.' }, view);
    assert.equal(custom.markdown, '**CHG1 "Pay \\*now\\* \\[here\\](https://evil.example)"** done.');
    assert.doesNotMatch(markdownToHtml(custom.markdown), /<a /, 'a value never becomes a link');
    assert.equal(markdownToText(custom.markdown), 'CHG1 "Pay *now* [here](https://evil.example)" done.');
  });

  it('turns raw HTML and script links into text, keeps web links', () => {
    const html = markdownToHtml('<img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](https://cabinet.example/x)');
    assert.doesNotMatch(html, /<img|href="javascript/);
    assert.match(html, /&lt;img/);
    assert.match(html, /<a href="https:\/\/cabinet.example\/x">b<\/a>/);
    assert.equal(escapeMarkdown('# one\n- two'), '\\# one \\- two');
  });

  it('refuses raw output, partials and unknown values in a template', () => {
    assert.deepEqual(templateProblems('{{change.ref}} {{#change.window}}at {{change.window}}{{/change.window}}'), []);
    const problems = templateProblems('{{{change.title}}} {{> x}} {{change.nme}}');
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /unescaped/);
    assert.match(problems[1]!, /partials/);
    assert.match(problems[2]!, /unknown value "change.nme"/);
  });
});

describe('notices of a change’s life', () => {
  eachEngine('a subscriber hears of scheduled, started, runs longer and completed; change managers and subscribers hear of a failure', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const pia = await person(h, 'Pia Picky', ['stakeholder']);
    const carl = await person(h, 'Carl Manager', ['change_manager']);
    await follow(h, sam.token, { target: { kind: 'service', id: 'Payments' }, includeDependencies: true });
    await follow(h, pia.token, { target: { kind: 'ci', id: g.db }, events: ['failed'] });
    // Running longer needs a window that may still move under way: this policy locks approved content in review only.
    const applied = await applyPolicy(h, (files) => {
      files['approvals.yaml'] = files['approvals.yaml']!.replace('lockedIn: [implement, review]', 'lockedIn: [review]');
    });
    assert.equal(applied.status, 201, applied.text);
    const change = await standard(h, rita.token, [g.db]);
    await move(h, change.id, 'scheduled', rita.token);
    await edit(h, change.id, rita.token, { actualStart: new Date(h.now().getTime() - 60_000).toISOString() });
    await move(h, change.id, 'implement', rita.token);
    const before = at(h, 2);
    await edit(h, change.id, rita.token, { plannedEnd: at(h, 3) });
    await edit(h, change.id, rita.token, { actualEnd: h.now().toISOString(), closeCode: 'successful', closeNotes: 'Done.' });
    await move(h, change.id, 'closed', rita.token);
    await h.tick();
    const ref = `${change.number} "Patch the payments database"`;
    const seen = await titles(h, sam.token);
    assert.equal(seen.length, 4, seen.join('\n'));
    assert.match(seen[0]!, new RegExp(`^${ref} was scheduled for .+ by Rita Requester\\.$`));
    assert.equal(seen[1], `${ref} has started: Rita Requester is implementing it.`);
    assert.match(seen[2]!, new RegExp(`^${ref} runs longer: it now ends .+\\.$`));
    assert.equal(seen[3], `${ref} was completed.`);
    const bodies = (await h.request('GET', '/api/v1/me/notifications', { token: sam.token })).body.items.map((n: { body: string }) => n.body);
    assert.ok(bodies.some((b: string) => b.startsWith('It was closed as successful.')), bodies.join('\n'));
    assert.ok(bodies.some((b: string) => b.includes('It was planned to end') && !b.includes('{{')), 'the reason names the old end, written out');
    assert.ok(before < at(h, 3));
    assert.deepEqual(await titles(h, pia.token), [], 'Pia chose failures only');
    assert.deepEqual(await titles(h, carl.token), [], 'a success does not reach change managers');

    // A second change is rolled back: Pia, Sam and every change manager hear of it.
    const failed = await standard(h, rita.token, [g.db], { title: 'Resize the payments database' });
    await move(h, failed.id, 'scheduled', rita.token);
    await edit(h, failed.id, rita.token, { actualStart: new Date(h.now().getTime() - 60_000).toISOString() });
    await move(h, failed.id, 'implement', rita.token);
    await edit(h, failed.id, rita.token, { actualEnd: h.now().toISOString(), closeCode: 'rolled_back', closeNotes: 'Rolled back.' });
    await move(h, failed.id, 'closed', rita.token);
    await h.tick();
    const failure = `${failed.number} "Resize the payments database" failed.`;
    assert.deepEqual(await titles(h, pia.token), [failure]);
    assert.equal((await titles(h, sam.token)).at(-1), failure);
    assert.deepEqual(await titles(h, carl.token), [failure], 'notifications.yaml sends failures to change managers');
    assert.deepEqual(await titles(h, rita.token), [], 'the requester hears of their own change’s moves from its own notices, not twice');
  });

  eachEngine('the upcoming notice goes out once per offset before the start, and again for a new start', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    await follow(h, sam.token, { target: { kind: 'ci', id: g.db }, events: ['upcoming'] });
    const start = new Date(Math.ceil((h.now().getTime() + 30 * HOUR) / HOUR) * HOUR);
    const change = await standard(h, rita.token, [g.db], { plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + 2 * HOUR).toISOString() });
    await move(h, change.id, 'scheduled', rita.token);
    assert.equal((await h.tick()).upcoming, 0, 'more than 24 hours ahead');
    h.advance(start.getTime() - h.now().getTime() - 23 * HOUR);
    assert.equal((await h.tick()).upcoming, 1);
    assert.equal((await h.tick()).upcoming, 0, 'once per offset');
    h.advance(22.5 * HOUR);
    assert.equal((await h.tick()).upcoming, 1, 'the 1 h notice');
    await h.tick();
    const seen = await titles(h, sam.token);
    assert.equal(seen.length, 2, seen.join('\n'));
    for (const t of seen) assert.match(t, new RegExp(`^${change.number} "Patch the payments database" starts \\w{3} \\d+ \\w{3} \\d{4}, \\d\\d:\\d\\d UTC\\.$`));
    // Moved to a start 10 hours on, it is a new occasion: its 24 h notice is due at once.
    await edit(h, change.id, rita.token, { plannedStart: new Date(start.getTime() + 10 * HOUR).toISOString(), plannedEnd: new Date(start.getTime() + 12 * HOUR).toISOString() });
    assert.equal((await h.tick()).upcoming, 1);
  });
});

describe('notices of freezes and lockdowns', () => {
  eachEngine('a freeze announced, changed and lifted reaches those who follow what it covers; a global one reaches every subscriber', async (h) => {
    const g = await graph(h);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const olly = await person(h, 'Olly Other', ['stakeholder']);
    const carl = await person(h, 'Carl Manager', ['change_manager']);
    await follow(h, sam.token, { target: { kind: 'service', id: 'Payments' } });
    await follow(h, olly.token, { target: { kind: 'ci', id: g.other } });
    const body = { name: 'Payments peak', kind: 'freeze', start: at(h, 24).slice(0, 16), timeZone: 'UTC', durationMinutes: 600, scope: { serviceIds: [g.payments] } };
    const created = await h.request('POST', '/api/v1/windows', { token: carl.token, body });
    assert.equal(created.status, 201, created.text);
    const updated = await h.request('PATCH', `/api/v1/windows/${created.body.id}`, { token: carl.token, body: { durationMinutes: 720, version: created.body.version } });
    assert.equal(updated.status, 200, updated.text);
    const removed = await h.request('DELETE', `/api/v1/windows/${created.body.id}`, { token: carl.token });
    assert.equal(removed.status, 204, removed.text);
    await h.tick();
    const seen = await titles(h, sam.token, 'freeze_announced');
    assert.equal(seen.length, 3, seen.join('\n'));
    assert.match(seen[0]!, /^Change freeze "Payments peak" announced: .+\.$/);
    assert.match(seen[1]!, /^Change freeze "Payments peak" was changed: now .+\.$/);
    assert.equal(seen[2], 'Change freeze "Payments peak" was lifted.');
    const notes = (await h.request('GET', '/api/v1/me/notifications', { token: sam.token })).body.items;
    assert.equal(notes.at(-1).body, 'No changes to Payments while it holds, unless an exception is approved.');
    assert.deepEqual(await titles(h, olly.token, 'freeze_announced'), [], 'reports-db is not covered');
    assert.deepEqual(await titles(h, carl.token, 'freeze_announced'), [], 'who wrote it is not told');

    const global = await h.request('POST', '/api/v1/windows', { token: carl.token, body: { ...body, name: 'Year end', scope: { global: true } } });
    assert.equal(global.status, 201, global.text);
    await h.tick();
    assert.deepEqual(await titles(h, olly.token, 'freeze_announced'), [`Change freeze "Year end" announced: ${(await titles(h, sam.token, 'freeze_announced')).at(-1)!.split(': ')[1]}`]);
  });

  eachEngine('an urgent freeze that holds a scheduled change tells its audience at once', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    await follow(h, sam.token, { target: { kind: 'ci', id: g.db }, events: ['lockdown'] });
    const start = new Date(Math.ceil((h.now().getTime() + 2 * HOUR) / HOUR) * HOUR);
    const change = await standard(h, rita.token, [g.db], { plannedStart: start.toISOString(), plannedEnd: new Date(start.getTime() + HOUR).toISOString() });
    await move(h, change.id, 'scheduled', rita.token);
    const lockdown = await h.request('POST', '/api/v1/windows', {
      body: { name: 'Incident lockdown', kind: 'freeze', urgent: true, start: new Date(h.now().getTime() - HOUR).toISOString().slice(0, 16), timeZone: 'UTC', durationMinutes: 600, scope: { ciIds: [g.db] } },
    });
    assert.equal(lockdown.status, 201, lockdown.text);
    await h.tick();
    await h.tick();
    const seen = await titles(h, sam.token);
    assert.deepEqual(seen, [`${change.number} "Patch the payments database" is on hold: urgent freeze "Incident lockdown".`]);
  });
});

describe('notifications.yaml', () => {
  eachEngine('its rules choose the audience in CEL and its templates the words', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const dora = await person(h, 'Dora DBA', ['implementer']);
    await follow(h, sam.token, { target: { kind: 'service', id: 'Databases' } });
    const applied = await applyPolicy(h, (files) => {
      files['notifications.yaml'] = [
        'apiVersion: cabinet/v1',
        'notifications:',
        '  upcoming: [2h]',
        '  rules:',
        '    - name: dbas_hear_of_databases',
        '      events: [scheduled]',
        `      audience: "'implementer' in reader.roles && cis.exists(c, c.type == 'database')"`,
        '      channels: [in_app]',
        '  templates:',
        '    scheduled:',
        '      title: "Heads up: {{change.number}} touches {{change.cis}}"',
        '      body: "**{{change.title}}** runs {{change.window}}."',
      ].join('\n');
    });
    assert.equal(applied.status, 201, applied.text);
    const change = await standard(h, rita.token, [g.db]);
    await move(h, change.id, 'scheduled', rita.token);
    await h.tick();
    assert.deepEqual(await titles(h, sam.token), [], 'no rule admits plain subscribers now');
    const told = (await h.request('GET', '/api/v1/me/notifications', { token: dora.token })).body.items.filter((n: { kind: string }) => n.kind === 'change_announced');
    assert.deepEqual(told.map((n: { title: string }) => n.title), [`Heads up: ${change.number} touches pay-db-1`]);
    assert.match(told[0].body, /^Patch the payments database runs \w{3} \d+ \w{3} \d{4}, \d\d:\d\d–\d\d:\d\d UTC\.$/);
  });

  eachEngine('“who will be told” of one event follows the rules: a failure reaches every change manager, in-app', async (h) => {
    const g = await graph(h);
    const rita = await person(h, 'Rita Requester', ['requester']);
    const sam = await person(h, 'Sam Stakeholder', ['stakeholder']);
    const carl = await person(h, 'Carl Manager', ['change_manager']);
    await follow(h, sam.token, { target: { kind: 'ci', id: g.db }, channels: ['in_app', 'email'], events: ['failed'] });
    const change = await standard(h, rita.token, [g.db]);
    const any = await h.request('GET', `/api/v1/changes/${change.id}/audience`);
    assert.equal(any.status, 200, any.text);
    assert.equal(any.body.event, null);
    assert.deepEqual(any.body.people.map((p: { name: string }) => p.name), ['Sam Stakeholder']);
    const failed = await h.request('GET', `/api/v1/changes/${change.id}/audience?event=failed`);
    assert.equal(failed.status, 200, failed.text);
    const rows = failed.body.people.map((p: { name: string; channels: string[]; rules: string[]; reasons: string[] }) => [p.name, p.channels, p.rules, p.reasons[0]]);
    assert.deepEqual(
      rows.filter((r: string[]) => r[0] === carl.name || r[0] === sam.name),
      [
        [carl.name, ['in_app'], ['failures_to_change_managers'], 'by the rule failures_to_change_managers'],
        [sam.name, ['email', 'in_app'], ['stakeholders'], 'follows pay-db-1'],
      ],
    );
    const scheduled = await h.request('GET', `/api/v1/changes/${change.id}/audience?event=scheduled`);
    assert.deepEqual(scheduled.body.people, [], 'Sam chose failures only, and no rule sends schedules to managers');
    const bad = await h.request('GET', `/api/v1/changes/${change.id}/audience?event=exploded`);
    assert.equal(bad.status, 400, bad.text);
    assert.equal(bad.body.error.details.issues[0].path, 'query.event');
  });

  eachEngine('a bundle with a broken audience or template is refused with every problem at its place', async (h) => {
    const refused = await applyPolicy(h, (files) => {
      files['notifications.yaml'] = [
        'apiVersion: cabinet/v1',
        'notifications:',
        '  upcoming: [soon]',
        '  rules:',
        '    - name: a',
        '      audience: reader.rolez',
        '    - name: b',
        '      events: [exploded]',
        '  templates:',
        '    started:',
        '      title: "{{{change.title}}} {{change.nope}}"',
      ].join('\n');
    });
    assert.equal(refused.status, 422, refused.text);
    assert.equal(refused.body.error.code, 'invalid_policy');
    const paths = refused.body.error.details.issues.map((i: { path: string; file: string; line: number }) => `${i.file}:${i.line} ${i.path}`).sort();
    assert.deepEqual(paths, ['notifications.yaml:3 notifications.upcoming.0', 'notifications.yaml:6 notifications.rules.0.audience', 'notifications.yaml:8 notifications.rules.1.events.0']);
    const broken = await applyPolicy(h, (files) => {
      files['notifications.yaml'] = ['apiVersion: cabinet/v1', 'notifications:', '  rules:', '    - name: a', '      audience: reader.rolez', '  templates:', '    started:', '      title: "{{{change.title}}} {{change.nope}}"'].join('\n');
    });
    assert.equal(broken.status, 422, broken.text);
    const issues = broken.body.error.details.issues.map((i: { path: string; message: string }) => `${i.path}: ${i.message}`);
    assert.equal(issues.length, 3, issues.join('\n'));
    assert.match(issues.find((i: string) => i.startsWith('notifications.rules.0.audience'))!, /unknown field "rolez" \(did you mean "roles"\?\)/);
    assert.equal(issues.filter((i: string) => i.startsWith('notifications.templates.started.title')).length, 2);
  });
});
