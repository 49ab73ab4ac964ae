import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../api/app';
import { setPassword } from '../api/sessions';
import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation, type Person } from './support/organisation';
import { eventually, postJson, startServices, type TestServices } from './support/services';
import { launchChromium } from './support/browser';
import { seedRegulation } from '../lib/regulatory-profiles';

// The staff console in a real browser (Debian's Chromium through playwright-core) against the real
// API, workflow worker, PostgreSQL and mail catcher: people sign in with a password and work complaints
// by clicking. Screenshots go to test-output/console/.

const SHOTS = path.join(__dirname, '..', 'test-output', 'console');
const PASSWORD = 'a long passphrase, 2026';

let s: TestServices;
let org: Organisation;
let browser: Browser;
const problems: string[] = [];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  s = await startServices('console');
  org = await createOrganisation(s.db, 'console');
  await relaxedSla(s.db);
  await seedRegulation(s.db);
  for (const p of [org.agent, org.supervisor, org.manager, org.senior]) await setPassword(s.db, p.id, p.email, PASSWORD);
  browser = await launchChromium();
});
afterAll(async () => {
  if (s) await relaxedSla(s.db);
  await browser?.close();
  await s?.close();
});
afterEach(() => {
  // No script error, no Content-Security-Policy violation, on any page of any test.
  const seen = problems.splice(0);
  expect(seen).toEqual([]);
});

async function newContext(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A refused request is logged by Chromium as a console error; those are the ones the tests provoke.
    if (m.type() === 'error' && !/status of (400|401|403|404|409|422|429)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  return { context, page };
}

/** Signs `person` in through the sign-in page; lands on `next` (default: the queues). */
async function signIn(person: Person, next?: string) {
  const { context, page } = await newContext();
  await page.goto(`${s.api}/console/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/console/sign-in')), page.getByRole('button', { name: 'Sign in' }).click()]);
  await page.waitForSelector('#who-name');
  return { context, page };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Opens a complaint's page and waits for its data. */
async function openComplaint(page: Page, id: number) {
  await page.goto(`${s.api}/console/complaints/${id}`);
  await page.waitForSelector('#complaint:not([hidden])');
}

/** Fills and sends one action form; waits for the page to say it was done (or accepted), or fails with the refusal shown. */
async function submitAction(page: Page, action: string, fill: (form: ReturnType<Page['locator']>) => Promise<void>, button?: string) {
  const form = page.locator(`form[data-action="${action}"]`);
  await fill(form);
  await form.getByRole('button', { name: button ?? undefined }).first().click();
  const title = { triage: 'Triage', 'root-cause': 'Root cause', resolution: 'Propose a resolution', 'sign-off': 'Sign-off', notes: 'Add a note' }[action] ?? action;
  const outcome = await page.waitForFunction(([a, t]) => {
    const d = (globalThis as any).document;
    const p = d.getElementById('pending');
    if (p && !p.hidden && p.textContent.startsWith(`${t}:`)) return 'done';
    const refusal = d.querySelector(`form[data-action="${a}"] .form-message:not([hidden])`);
    return refusal && refusal.classList.contains('error') ? `refused: ${refusal.textContent}` : false;
  }, [action, title]);
  expect(await outcome.jsonValue()).toBe('done');
}

const availableForms = (page: Page) => page.locator('#action-forms form').evaluateAll((forms) => forms.map((f) => (f as any).dataset.action));

test('1. an agent registers a complaint through the form; it is in the triage queue; a double submit files one complaint', async () => {
  const { context, page } = await signIn(org.agent);
  await shot(page, '1-queues');
  await page.getByRole('link', { name: 'Register a complaint' }).click();
  await page.waitForSelector('form[data-ready="true"]');
  expect(await page.getByLabel('Receiving employee').inputValue()).toContain(org.agent.name);

  // The API's own messages appear next to the fields it names.
  await page.getByRole('button', { name: 'Register the complaint' }).click();
  await page.waitForSelector('.field-error');
  expect(await page.locator('#customerEmail-error').textContent()).toBe('must be a valid email address');
  expect(await page.locator('#customerName').getAttribute('aria-invalid')).toBe('true');

  const customerEmail = `console.${Date.now()}@example.com`;
  await page.getByLabel('Name', { exact: true }).fill('Giulia Bianchi');
  await page.getByLabel('Email', { exact: true }).fill(customerEmail);
  await page.getByLabel('Phone', { exact: true }).fill('+39 06 1234 5678');
  await page.getByLabel('Address', { exact: true }).fill('Via Roma 1, 00100 Roma');
  await page.getByLabel('Language of the customer\'s letters').selectOption('it');
  await page.getByLabel('Product or service').fill('Macchina da caffè M-3');
  await page.getByLabel('Date it happened').fill('2026-11-28');
  await page.getByLabel('Details, in the customer\'s words').fill('La macchina perde acqua dal serbatoio.');
  await page.getByLabel('Channel').selectOption('phone');
  await page.getByLabel('Department').selectOption(org.department);
  // Bought on a store card: the product group chooses the FCA's rules (the regulator's list is the default).
  await page.getByLabel('Product group').selectOption('credit_cards');
  expect(await page.getByLabel('Regulator\'s rules').locator('option').allTextContents()).toContain('UK FCA (DISP 1)');
  await shot(page, '2-register');

  // Two submits of the same form, as fast as a double click: one complaint.
  const posts: number[] = [];
  page.on('response', (r) => { if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/complaints') posts.push(r.status()); });
  await page.locator('#complaint-form').evaluate((f) => { (f as any).requestSubmit(); (f as any).requestSubmit(); });
  await page.waitForURL(/\/console\/complaints\/\d+\?registered=1$/);
  await eventually('both posts to be answered', async () => posts.length === 2, 10_000);
  expect(posts.sort()).toEqual([201, 201]);
  const rows = await s.db.complaint.findMany({ where: { customerEmail } });
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ language: 'it', department: org.department, channel: 'phone', productGroup: 'credit_cards', regulation: 'fca' });
  const received = await s.db.complaintEvent.findFirst({ where: { complaintId: rows[0].id, type: 'received' } });
  expect(received?.actorId).toBe(org.agent.id);

  // The department's triage queue lists it, with its triage deadline once the workflow has planned it.
  await eventually('the triage deadline planned', () => s.db.complaint.findFirst({ where: { id: rows[0].id, triageDueAt: { not: null } } }), 20_000);
  await page.goto(`${s.api}/console#queue=triage`);
  await page.waitForSelector('#queue[data-loaded="triage"]');
  expect(await page.locator(`#queue-body tr[data-reference="${rows[0].reference}"]`).count()).toBe(1);
  const row = page.locator(`#queue-body tr[data-reference="${rows[0].reference}"]`);
  expect(await row.locator('td').nth(1).textContent()).toBe('Giulia Bianchi');
  expect(await row.locator('.countdown').textContent()).toMatch(/left$/);
  await shot(page, '3-triage-queue');
  await context.close();
});

test('2. triage, root cause, resolution and sign-off by clicking; the letter appears on the timeline', async () => {
  // Registered by clicking too: the agent's form.
  const agent = await signIn(org.agent, '/console/new');
  await agent.page.waitForSelector('form[data-ready="true"]');
  const customerEmail = `letter.${Date.now()}@example.com`;
  await agent.page.getByLabel('Name', { exact: true }).fill('Maria Santos');
  await agent.page.getByLabel('Email', { exact: true }).fill(customerEmail);
  await agent.page.getByLabel('Product or service').fill('Kettle K-200');
  await agent.page.getByLabel('Date it happened').fill('2026-11-29');
  await agent.page.getByLabel('Details, in the customer\'s words').fill('The kettle switches itself off before the water boils.');
  await agent.page.getByLabel('Department').selectOption(org.department);
  await agent.page.getByRole('button', { name: 'Register the complaint' }).click();
  await agent.page.waitForURL(/\/console\/complaints\/(\d+)/);
  const id = Number(/complaints\/(\d+)/.exec(agent.page.url())![1]);
  expect(await availableForms(agent.page)).not.toContain('triage'); // agents do not triage

  // The supervisor triages: minor, owned by the supervisor (an owner is a supervisor or above).
  const sup = await signIn(org.supervisor, `/console/complaints/${id}`);
  await sup.page.waitForSelector('form[data-action="triage"]');
  await submitAction(sup.page, 'triage', async (f) => {
    await f.getByLabel('Accept: a valid complaint').check();
    await f.getByLabel('Category (optional)').selectOption('product_quality');
    await f.getByLabel('Severity (optional)').selectOption('minor');
    await f.getByLabel('Department (optional)').selectOption(org.department);
    await f.getByLabel('Owner (optional)').selectOption(String(org.supervisor.id));
  });
  await sup.page.waitForSelector('#complaint[data-stage="investigation"]');
  await shot(sup.page, '4-triaged');

  // The agent records the root cause and proposes the resolution.
  await openComplaint(agent.page, id);
  await submitAction(agent.page, 'root-cause', async (f) => {
    await f.getByLabel('Root cause').selectOption('manufacturing_defect');
    await f.getByLabel('Detail (optional)').fill('Thermostat calibrated 10 degrees low');
  });
  // A refusal of the workflow is shown in words beside its form: a refund needs an amount.
  const resolution = agent.page.locator('form[data-action="resolution"]');
  await agent.page.waitForSelector('form[data-action="resolution"]');
  await resolution.getByLabel('Resolution').selectOption('replacement_sent');
  await resolution.getByLabel('Summary (goes into the letter to the customer)').fill('We sent you a new kettle from a corrected batch.');
  await resolution.getByLabel('Remedy').selectOption('refund');
  await resolution.getByRole('button', { name: 'Propose resolution' }).click();
  await agent.page.waitForSelector('form[data-action="resolution"] .form-message:not([hidden])');
  expect(await resolution.locator('.form-message').textContent()).toContain('refundAmount must be a positive amount for a refund');
  await submitAction(agent.page, 'resolution', async (f) => {
    await f.getByLabel('Remedy').selectOption('replacement');
    await f.getByLabel('Upheld, for the regulators\' returns (optional)').selectOption('true');
    await f.getByLabel('Redress paid, if not the refund (optional)').fill('30');
  });
  await agent.page.waitForSelector('#complaint[data-stage="resolution_proposed"]');
  expect(await availableForms(agent.page)).not.toContain('sign-off');

  // The supervisor signs off; the follow-up letter shows on the timeline, with its text.
  await openComplaint(sup.page, id);
  await sup.page.waitForSelector('form[data-action="sign-off"]');
  await submitAction(sup.page, 'sign-off', async () => undefined, 'Sign off');
  const letter = sup.page.locator('#steps li[data-kind="follow_up_letter"]');
  await letter.waitFor({ timeout: 30_000 });
  await letter.locator('summary').click();
  expect(await letter.locator('.email-text').textContent()).toContain('We sent you a new kettle from a corrected batch.');
  await sup.page.waitForSelector('#steps li[data-kind="follow_up_letter"][data-status="sent"]', { timeout: 30_000 });
  await shot(sup.page, '5-signed-off-timeline');
  // Every step by clicking, each with its author; and the letter really arrived.
  const steps = await s.db.complaintEvent.findMany({ where: { complaintId: id }, include: { actor: true } });
  expect(steps.find((e) => e.type === 'triaged')?.actorId).toBe(org.supervisor.id);
  expect(steps.find((e) => e.type === 'root_cause_recorded')?.actorId).toBe(org.agent.id);
  expect(steps.find((e) => e.type === 'resolution_proposed')?.actorId).toBe(org.agent.id);
  expect(steps.find((e) => e.type === 'signed_off')?.actorId).toBe(org.supervisor.id);
  expect(await s.db.complaint.findUniqueOrThrow({ where: { id } })).toMatchObject({ upheld: true, redressAmount: expect.anything() });
  expect(Number((await s.db.complaint.findUniqueOrThrow({ where: { id } })).redressAmount)).toBe(30);
  await waitForMail(customerEmail, { filter: (m) => m.text.includes('We sent you a new kettle from a corrected batch.') });
  const authors = await sup.page.locator('#steps li[data-type="triaged"] .actor').textContent();
  expect(authors).toBe(`by ${org.supervisor.name} (Supervisor)`);
  await agent.context.close();
  await sup.context.close();
});

test('3. a major complaint: no sign-off for the agent, the manager signs; a forged supervisor post gets the workflow\'s reason', async () => {
  const created = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, severity: 'major' }), org.agent.auth);
  const id = created.body.id as number;
  await must(s.api, org.supervisor, id, 'triage', { valid: true, category: 'product_quality', severity: 'major', department: org.department, ownerId: org.manager.id });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'manufacturing_defect' });
  await must(s.api, org.agent, id, 'report', { report: 'Batch 42 had a faulty seal.' });
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'replacement_sent', summary: 'A new unit was sent.', remedy: 'replacement' });

  const agent = await signIn(org.agent, `/console/complaints/${id}`);
  await agent.page.waitForSelector('#complaint[data-stage="resolution_proposed"]');
  expect(await availableForms(agent.page)).not.toContain('sign-off');
  expect(await agent.page.getByRole('button', { name: 'Sign off' }).count()).toBe(0);

  const sup = await signIn(org.supervisor, `/console/complaints/${id}`);
  await sup.page.waitForSelector('#complaint[data-stage="resolution_proposed"]');
  expect(await availableForms(sup.page)).not.toContain('sign-off');
  // A forged form post: the supervisor's own session and CSRF token, the route the page does not offer.
  const forged = await sup.page.evaluate(async (cid) => {
    const g = globalThis as any;
    const session = await (await g.fetch('/session')).json();
    const res = await g.fetch(`/complaints/${cid}/sign-off`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken }, body: JSON.stringify({ approve: true }),
    });
    return { status: res.status, body: await res.json() };
  }, id);
  expect(forged.status).toBe(403);
  expect(forged.body.error.message).toBe(`signing off a major complaint needs a manager or above; staff member ${org.supervisor.id} is supervisor`);

  const manager = await signIn(org.manager, `/console/complaints/${id}`);
  await manager.page.waitForSelector('form[data-action="sign-off"]');
  await shot(manager.page, '6-manager-sign-off');
  await submitAction(manager.page, 'sign-off', async () => undefined, 'Sign off');
  await manager.page.waitForSelector('#steps li[data-type="signed_off"]');
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id } })).signedOffById).toBe(org.manager.id);
  for (const c of [agent, sup, manager]) await c.context.close();
});

test('4. a breached complaint is red in "at risk" with its escalation level; a countdown turns red without a reload', async () => {
  // Breached: 2 s to triage. About to breach: 40 s to triage, past its warning point after 2 s. The
  // policies stay until the end: the at-risk list reads the warning share from the current policy.
  await setSla(s.db, 'minor', { triage: 2, firstResponse: 3600, resolution: 3600, warnShare: 0.5, reescalate: 3600 });
  await setSla(s.db, 'major', { triage: 40, firstResponse: 3600, resolution: 3600, warnShare: 0.05, reescalate: 3600 });
  const late = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, severity: 'minor' }), org.agent.auth)).body;
  const soon = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, severity: 'major' }), org.agent.auth)).body;
  await eventually('the late complaint to be escalated', () => s.db.escalation.findFirst({ where: { complaintId: late.id } }), 20_000);
  await eventually('the other to pass its warning point', () => s.db.complaintEvent.findFirst({ where: { complaintId: soon.id, type: 'sla_warning' } }), 20_000);

  const { context, page } = await signIn(org.supervisor, '/console#queue=at_risk');
  await page.waitForSelector('#queue[data-loaded="at_risk"]');
  const lateRow = page.locator(`#queue-body tr[data-reference="${late.reference}"]`);
  expect(await lateRow.getAttribute('data-breached')).toBe('true');
  expect(await lateRow.locator('.countdown').getAttribute('data-state')).toBe('breached');
  // Nobody owns it yet, so the department's supervisor is responsible: the first escalation goes to the manager.
  expect(await lateRow.locator('.escalation').textContent()).toBe('manager');
  const red = await lateRow.locator('.countdown').evaluate((n) => (globalThis as any).getComputedStyle(n).color);
  expect(red).toBe('rgb(180, 35, 24)');

  const soonRow = page.locator(`#queue-body tr[data-reference="${soon.reference}"] .countdown`);
  expect(await soonRow.getAttribute('data-state')).toBe('warning');
  await shot(page, '7-at-risk');
  await page.evaluate(() => { (globalThis as any).notReloaded = true; });
  await page.waitForFunction((ref) => (globalThis as any).document.querySelector(`#queue-body tr[data-reference="${ref}"] .countdown`)?.dataset.state === 'breached', soon.reference, { timeout: 60_000 });
  expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);
  expect(await soonRow.evaluate((n) => (globalThis as any).getComputedStyle(n).color)).toBe('rgb(180, 35, 24)');
  await shot(page, '8-turned-red');
  await context.close();
  await relaxedSla(s.db);
});

test('5. sign-in: wrong password, the sixth attempt slowed, cookie flags, CSRF, sign-out ends the session', async () => {
  const { context, page } = await newContext();
  await page.goto(`${s.api}/console`);
  await page.waitForURL(/\/console\/sign-in\?next=/); // not signed in: off to the sign-in page
  const person = org.senior;
  for (let i = 1; i <= 5; i++) {
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(`wrong password ${i}`);
    const [res] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/session'), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect(res.status()).toBe(401);
    await page.waitForSelector('#message:not([hidden])');
    expect(await page.locator('#message').textContent()).toContain('the email or the password is wrong');
  }
  // The sixth, even with the right password, is slowed down.
  await page.getByLabel('Email').fill(person.email);
  await page.getByLabel('Password').fill(PASSWORD);
  const [slowed] = await Promise.all([page.waitForResponse((r) => new URL(r.url()).pathname === '/session'), page.getByRole('button', { name: 'Sign in' }).click()]);
  expect(slowed.status()).toBe(429);
  expect(Number(slowed.headers()['retry-after'])).toBeGreaterThan(0);
  await page.waitForFunction(() => (globalThis as any).document.getElementById('message').textContent.includes('Too many failed sign-ins'));
  const audit = await eventually('the six attempts on the audit trail', async () => {
    const rows = await s.db.auditEntry.findMany({ where: { actorId: person.id, action: 'POST /session' }, orderBy: { id: 'asc' } });
    return rows.length === 6 && rows;
  }, 10_000);
  expect(audit.map((a) => a.status)).toEqual([401, 401, 401, 401, 401, 429]);
  expect(JSON.stringify(audit.map((a) => a.detail))).not.toContain(PASSWORD);
  await context.close();

  // Another account signs in: the cookie is HttpOnly and SameSite=Strict (Secure only over HTTPS, below).
  const signedIn = await signIn(org.manager);
  const [cookie] = await signedIn.context.cookies();
  expect(cookie).toMatchObject({ name: 'complaints_session', httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
  expect(await signedIn.page.evaluate(() => (globalThis as any).document.cookie)).toBe(''); // not readable by scripts

  // A change without the CSRF token is refused, as JSON or as a form post; with it, it is taken.
  const complaint = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department }), org.agent.auth)).body;
  const attempts = await signedIn.page.evaluate(async (cid) => {
    const g = globalThis as any;
    const json = await g.fetch(`/complaints/${cid}/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'no token' }) });
    const form = await g.fetch(`/complaints/${cid}/notes`, { method: 'POST', body: new g.URLSearchParams({ text: 'a forged form' }) });
    const session = await (await g.fetch('/session')).json();
    const ok = await g.fetch(`/complaints/${cid}/notes`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session.csrfToken }, body: JSON.stringify({ text: 'with the token' }) });
    return [[json.status, (await json.json()).error.code], [form.status, (await form.json()).error.code], [ok.status]];
  }, complaint.id);
  expect(attempts).toEqual([[403, 'csrf_failed'], [403, 'csrf_failed'], [200]]);

  // Sign-out ends the session on the server: the old cookie no longer works.
  await signedIn.page.getByRole('button', { name: 'Sign out' }).click();
  await signedIn.page.waitForURL(/\/console\/sign-in\?signedOut=1/);
  const old = await fetch(`${s.api}/complaints?limit=1`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
  expect(old.status).toBe(401);
  expect(((await old.json()) as any).error.code).toBe('session_ended');
  await signedIn.context.close();

  // Behind a proxy that ends TLS (TRUST_PROXY), the cookie is Secure too.
  const app = createApp({ db: s.db, temporal: s.temporal, taskQueue: 'unused', trustProxy: 1 });
  const server = http.createServer(app).listen(0);
  try {
    const port = (server.address() as AddressInfo).port;
    const res = await fetch(`http://127.0.0.1:${port}/session`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Forwarded-Proto': 'https' }, body: JSON.stringify({ email: org.agent.email, password: PASSWORD }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('set-cookie')).toMatch(/^complaints_session=[\w-]+; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Strict$/);
  } finally {
    server.close();
  }
});
