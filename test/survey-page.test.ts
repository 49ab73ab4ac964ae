import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page, type Response } from 'playwright-core';
import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { startServices, postJson, type TestServices } from './support/services';
import { hashToken } from '../lib/tokens';
import { launchChromium } from './support/browser';

// The customer's survey page, in a real browser (Debian's Chromium, driven by playwright-core):
// the link from the email shows the form, the answer is recorded through the workflow, and a used,
// expired, closed or forged link gets a page that says so.

const OUT = path.join(__dirname, '..', 'test-output');
const XSS = '<script>alert(1)</script>';
const COMMENT = `Quick and kind, thank you. ${XSS} & "quotes" too.`;

let s: TestServices;
let org: Organisation;
let browser: Browser;
/** Every page's HTML, to check that nothing a person typed comes back unescaped. */
const seen: { what: string; html: string }[] = [];
const dialogs: string[] = [];

beforeAll(async () => {
  s = await startServices('survey-page', { SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '30s', SURVEY_WINDOW: '60s' });
  org = await createOrganisation(s.db, 'survey-page');
  await relaxedSla(s.db);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  return page;
}

/** Opens `url` (or waits for the navigation `go` starts) and keeps the page's HTML. */
async function visit(page: Page, what: string, go: () => Promise<Response | null>) {
  const res = (await go())!;
  await page.waitForLoadState('load');
  seen.push({ what, html: await page.content() }, { what: `${what} (as served)`, html: await res.text() });
  return res;
}

function expectPageHeaders(res: Response) {
  const h = res.headers();
  expect(h['content-type']).toMatch(/^text\/html; charset=utf-8/);
  expect(h['content-security-policy']).toContain("default-src 'none'");
  expect(h['content-security-policy']).not.toMatch(/script-src|unsafe-inline/);
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['cache-control']).toBe('no-store');
}

test('the customer answers the survey in a browser; the link then only says it was answered', async () => {
  const description = 'The kettle <b>leaks</b> from its base after two days of use, every morning, all over the worktop.';
  const body = complaintBody({ department: org.department, product: 'Kettle <K-200>', description });
  const created = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(created.status).toBe(201);
  const { id, reference } = created.body as { id: number; reference: string };
  const customer = body.customerEmail as string;

  // To the survey, as in the happy path.
  await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'product_quality', severity: 'minor', department: org.department, ownerId: org.supervisor.id,
  });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'manufacturing_defect', detail: 'Seal misaligned' });
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'replacement_sent', summary: 'We sent a new kettle.', remedy: 'replacement' });
  await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
  const [survey] = await waitForMail(customer, { filter: (m) => m.subject.includes('did we put things right') });
  const token = /\/survey\/([A-Za-z0-9_-]+)/.exec(survey.text)![1];
  // The email's link points at PUBLIC_URL; this file's API listens elsewhere.
  const link = `${s.api}/survey/${token}`;

  // A form post with a missing score comes back as the form, with the message at the field and the choices kept.
  const invalid = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ resolved: 'no', comment: `</textarea>${XSS}` }).toString(),
  });
  const invalidHtml = await invalid.text();
  seen.push({ what: 'invalid form post', html: invalidHtml });
  expect(invalid.status).toBe(400);
  expect(invalidHtml).toContain('Please choose a score from 1 to 5.');
  expect(invalidHtml).toMatch(/id="resolved-no" name="resolved" value="no"\s+checked/);
  expect(invalidHtml).toContain('&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>');
  expect(invalidHtml).toContain('<title>Error: ');
  // A form too large for the parser is a page too; a bad JSON answer is still answered in JSON.
  const huge = await fetch(link, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ score: '4', resolved: 'yes', comment: 'x'.repeat(30_000) }).toString(),
  });
  expect(huge.status).toBe(413);
  expect(huge.headers.get('content-type')).toMatch(/^text\/html/);
  expect(await huge.text()).toContain('Your answer is too long');
  const badJson = await postJson(link, { score: 9, resolved: true });
  expect(badJson.status).toBe(400);
  expect(badJson.body.error.fields).toEqual({ score: 'must be a whole number from 1 to 5' });
  expect((await s.db.surveyInvitation.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).usedAt).toBeNull();

  // The form, in the browser.
  const page = await newPage();
  const shown = await visit(page, 'form', () => page.goto(link));
  expect(shown.status()).toBe(200);
  expectPageHeaders(shown);
  expect(await page.locator('html').getAttribute('lang')).toBe('en');
  await expect(page.title()).resolves.toContain('How did we do?');
  expect(await page.getByText(reference, { exact: true }).isVisible()).toBe(true);
  const summary = await page.locator('.summary').textContent();
  expect(summary).toContain('Kettle <K-200>');
  expect(summary).toContain('The kettle <b>leaks</b> from its base');
  expect(summary).not.toContain('worktop'); // only the first ~80 characters

  const score = page.getByRole('group', { name: 'How satisfied are you with how we handled your complaint?' });
  expect(await score.getByRole('radio').count()).toBe(5);
  await score.getByRole('radio', { name: '4 Satisfied' }).check();
  await page.getByRole('group', { name: 'Was your problem solved?' }).getByRole('radio', { name: 'Yes' }).check();
  await page.getByRole('textbox', { name: /Anything else you would like to tell us/ }).fill(COMMENT);
  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, 'survey-form.png'), fullPage: true });

  const posted = await visit(page, 'thank-you page', async () => {
    const [res] = await Promise.all([
      page.waitForResponse((r) => r.url() === link && r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Send my answer' }).click(),
    ]);
    return res;
  });
  expect(posted.status()).toBe(200);
  expectPageHeaders(posted);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Thank you for your answer');
  const answer = await page.locator('dl.answer').textContent();
  expect(answer).toContain('4 out of 5');
  expect(answer).toContain('Yes');
  expect(answer).toContain(COMMENT);
  expect(await page.getByText(reference, { exact: true }).isVisible()).toBe(true);
  await page.screenshot({ path: path.join(OUT, 'survey-page.png'), fullPage: true });

  // Recorded through the workflow, exactly as typed.
  expect(await s.temporal.workflow.getHandle(`complaint-${id}`).result()).toMatchObject({ stage: 'closed', outcome: 'resolved' });
  expect(await s.db.surveyResponse.findMany({ where: { complaintId: id } })).toMatchObject([{ round: 1, score: 4, resolved: true, comment: COMMENT }]);
  expect((await s.db.surveyInvitation.findUniqueOrThrow({ where: { tokenHash: hashToken(token) } })).usedAt).not.toBeNull();

  // The same link again: answered, no form.
  const again = await visit(page, 'used link', () => page.goto(link));
  expect(again.status()).toBe(410);
  expectPageHeaders(again);
  await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This survey has already been answered');
  expect(await page.locator('form, input, textarea, button').count()).toBe(0);
  // Posting the form once more changes nothing.
  const repost = await fetch(link, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'score=1&resolved=no',
  });
  expect(repost.status).toBe(410);
  expect(await repost.text()).toContain('This survey has already been answered');
  expect(await s.db.surveyResponse.count({ where: { complaintId: id } })).toBe(1);

  // A forged token, and one that differs from the real one in its last character: not found, and nothing of the complaint.
  for (const forged of ['forged-token-that-does-not-exist', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A')]) {
    const res = await visit(page, `forged token ${forged}`, () => page.goto(`${s.api}/survey/${forged}`));
    expect(res.status()).toBe(404);
    expectPageHeaders(res);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('We cannot find this survey');
    expect(await page.locator('form').count()).toBe(0);
    const html = await page.content();
    for (const secret of [reference, 'Kettle', 'leaks', body.customerName as string]) expect(html).not.toContain(secret);
  }

  // An expired link, and a link to a complaint whose case is closed (rows made here, for the same complaint).
  const expired = `expired-${token}`;
  const closed = `closed-${token}`;
  await s.db.surveyInvitation.create({ data: { tokenHash: hashToken(expired), complaintId: id, round: 90, expiresAt: new Date(Date.now() - 1000) } });
  await s.db.surveyInvitation.create({ data: { tokenHash: hashToken(closed), complaintId: id, round: 91, expiresAt: new Date(Date.now() + 3600_000) } });
  for (const [t, heading] of [[expired, 'This survey has closed'], [closed, 'This survey is closed']]) {
    const res = await visit(page, heading, () => page.goto(`${s.api}/survey/${t}`));
    expect(res.status()).toBe(410);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(heading);
    expect(await page.locator('form').count()).toBe(0);
  }

  // Nothing typed or stored came back as markup, and no script ever ran.
  expect(seen.length).toBeGreaterThanOrEqual(10);
  for (const { what, html } of seen) {
    expect({ what, unescaped: html.includes('<script>alert(1)') || html.includes('<b>leaks') || html.includes('<K-200>') })
      .toEqual({ what, unescaped: false });
  }
  expect(dialogs).toEqual([]);
});
