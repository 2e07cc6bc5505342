import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { type Page } from '@playwright/test';
import { expect, test } from './support/test';
import { axeFindings, localDateTime, signIn, skipWithoutBrowser } from './support/fixtures';

skipWithoutBrowser();
// axe-core is injected into the page (see axeFindings).
test.use({ bypassCSP: true });

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A real receiver on 127.0.0.1 that keeps what it is sent and answers 200. */
async function startReceiver(): Promise<{ url: string; hits: Hit[]; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.end('thanks');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/cabinet`, hits, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** What docs/communication.md tells a receiver to do with X-Cabinet-Signature. */
function verifies(header: string, secret: string, body: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${parts.t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1 ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Calls the API as whoever is signed in on the page, with their CSRF token; fails on an error answer. */
async function call<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  const me = (await (await page.request.get('/api/v1/me')).json()) as { csrfToken: string };
  const res = await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': me.csrfToken } });
  expect(res.ok(), `${method} ${path}: ${res.status()} ${await res.text()}`).toBe(true);
  return (res.status() === 204 ? undefined : await res.json()) as T;
}

async function axeProblems(page: Page): Promise<string[]> {
  await page.waitForTimeout(300);
  return (await axeFindings(page)).map((f) => `${f.id} (${f.impact}): ${f.targets.slice(0, 5).join(', ')}`);
}

test('an admin allows a local receiver, tests a webhook before saving it, and sees a scheduled change delivered in its log', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const receiver = await startReceiver();
  const secret = 'e2e-webhook-secret-0123456789';
  try {
    await signIn(page);
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    expect(await axeProblems(page), 'axe-core on the empty page').toEqual([]);

    // A receiver on this machine is private: refused until the allow-list names it.
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const form = page.getByRole('form', { name: 'Add a webhook' });
    await form.getByRole('textbox', { name: 'URL' }).fill(receiver.url);
    await form.getByLabel('Secret', { exact: false }).first().fill(secret);
    await form.getByRole('button', { name: 'Send test message' }).click();
    await expect(form.getByText(/127\.0\.0\.1 is a loopback address/)).toBeVisible();
    expect(receiver.hits).toHaveLength(0);

    const allow = page.getByRole('form', { name: 'Private targets allowed' });
    await allow.getByRole('textbox', { name: 'Hosts, addresses and ranges' }).fill('127.0.0.1');
    await allow.getByRole('button', { name: 'Save the allow-list' }).click();
    await expect(allow.getByRole('status')).toHaveText('Saved.');

    // The test message goes at once, signed; the answer shows before saving.
    await form.getByRole('group', { name: 'Implementation' }).getByRole('checkbox', { name: 'Started' }).check();
    await form.getByRole('button', { name: 'Send test message' }).click();
    await expect(form.getByRole('status')).toContainText('The receiver accepted the test message');
    await expect(form.getByRole('status')).toContainText('HTTP 200');
    expect(receiver.hits).toHaveLength(1);
    expect(receiver.hits[0]!.headers['x-cabinet-event']).toBe('ping');
    expect(verifies(String(receiver.hits[0]!.headers['x-cabinet-signature']), secret, receiver.hits[0]!.body)).toBe(true);
    expect(await axeProblems(page), 'axe-core on the form with its test answer').toEqual([]);
    await page.screenshot({ path: 'test-results/webhooks-form.png', fullPage: true });

    await form.getByRole('button', { name: 'Add webhook' }).click();
    await expect(form).toHaveCount(0);
    const table = page.getByRole('table', { name: 'Webhooks' });
    const row = table.getByRole('row').filter({ hasText: receiver.url });
    await expect(row).toContainText('Generic JSON');
    await expect(row).toContainText(`…${secret.slice(-4)}`);
    await expect(row).not.toContainText(secret);

    // A change is scheduled: the worker (every second in these tests) sends it to the receiver.
    const ci = await call<{ id: string }>(page, 'POST', '/api/v1/cis', {
      name: 'webhook-e2e-db',
      type: 'database',
      environment: 'production',
      criticality: 'low',
    });
    // A standard change is made from a catalogue entry (the admin's entry is active at once).
    const entry = await call<{ id: string }>(page, 'POST', '/api/v1/templates', {
      name: `Rotate a test database ${Date.now()}`,
      type: 'standard',
      fields: { title: 'Rotate a test database' },
    });
    const change = await call<{ id: string; number: string; type: string }>(page, 'POST', '/api/v1/changes', {
      type: 'standard',
      templateId: entry.id,
      title: 'Rotate the webhook test database',
      description: 'd',
      justification: 'j',
      implementationPlan: 'p',
      testPlan: 't',
      backoutPlan: 'b',
      ciIds: [ci.id],
      plannedStart: new Date(localDateTime(4, 21)).toISOString(),
      plannedEnd: new Date(localDateTime(4, 22)).toISOString(),
    });
    expect(change.type).toBe('standard');
    await call(page, 'POST', `/api/v1/changes/${change.id}/transitions`, { to: 'scheduled' });
    await expect.poll(() => receiver.hits.filter((h) => h.headers['x-cabinet-event'] === 'scheduled').length, { timeout: 20_000 }).toBe(1);
    const delivered = receiver.hits.find((h) => h.headers['x-cabinet-event'] === 'scheduled')!;
    expect(verifies(String(delivered.headers['x-cabinet-signature']), secret, delivered.body)).toBe(true);
    expect(JSON.parse(delivered.body).change.number).toBe(change.number);

    await row.getByRole('button', { name: `Delivery log of ${receiver.url}` }).click();
    const log = page.getByRole('table', { name: `Delivery log of ${receiver.url}` });
    await expect(log.getByRole('row').filter({ hasText: change.number })).toContainText('Delivered');
    expect(await axeProblems(page), 'axe-core with the delivery log open').toEqual([]);
    await page.screenshot({ path: 'test-results/webhooks-page.png', fullPage: true });

    // Delete, after a confirmation.
    await row.getByRole('button', { name: `Delete ${receiver.url}` }).click();
    const dialog = page.getByRole('dialog', { name: /Delete the webhook to 127\.0\.0\.1/ });
    await dialog.getByRole('button', { name: 'Delete it' }).click();
    await expect(table).toHaveCount(0);
    await expect(page.getByText('No webhooks yet.')).toBeVisible();
  } finally {
    await receiver.close();
  }
});
