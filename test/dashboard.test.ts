import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';
import { launchChromium } from './support/browser';

// The managers' quality dashboard in a real browser (Debian's Chromium, driven by playwright-core):
// signed in with a senior manager's token it shows the target table with met / missed marks, every
// chart drawn by Chart.js, the complaints at risk, and each one's timeline; a bad token and an agent's
// token get a message that says why. No script error and no Content-Security-Policy violation.

const OUT = path.join(__dirname, '..', 'test-output');
const CHARTS = ['chart-volume', 'chart-satisfaction', 'chart-pareto', 'chart-backlog'];

let s: TestServices;
let org: Organisation;
let browser: Browser;
/** Complaints seeded through the workflows: breached and escalated, analysed (root cause), closed with a happy survey, untriaged and at risk. */
const seeded = { late: 0, analysed: 0, satisfied: 0, atRisk: 0, atRiskReference: '' };
/** Every script error and console error of every page (CSP violations are console errors). */
const problems: string[] = [];

beforeAll(async () => {
  s = await startServices('dashboard', { SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '30s', SURVEY_WINDOW: '60s' });
  org = await createOrganisation(s.db, 'dashboard');
  browser = await launchChromium();

  // 1. Breached and escalated: a triage deadline of 2 s that nobody meets.
  await setSla(s.db, 'minor', { triage: 2, firstResponse: 600, resolution: 600, warnShare: 0.5, reescalate: 600 });
  seeded.late = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, severity: 'minor' }), s.auth)).body.id;
  await eventually('the late complaint to be escalated', () => s.db.escalation.findFirst({ where: { complaintId: seeded.late } }), 20_000);

  // 2. Analysed: triaged, with a root cause recorded well within its deadline.
  await relaxedSla(s.db);
  seeded.analysed = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, severity: 'minor' }), s.auth)).body.id;
  await must(s.api, org.supervisor, seeded.analysed, 'triage', {
    valid: true, category: 'billing', severity: 'minor', department: org.department, ownerId: org.supervisor.id,
  });
  await must(s.api, org.agent, seeded.analysed, 'root-cause', { rootCause: 'system_error', detail: 'Invoice run used the old tariff' });

  // 3. Closed: resolved, signed off, and the customer answers the survey with a 5, "solved".
  const happy = complaintBody({ department: org.department, severity: 'minor' });
  seeded.satisfied = (await postJson(`${s.api}/complaints`, happy, s.auth)).body.id;
  await must(s.api, org.supervisor, seeded.satisfied, 'triage', {
    valid: true, category: 'product_quality', severity: 'minor', department: org.department, ownerId: org.supervisor.id,
  });
  await must(s.api, org.agent, seeded.satisfied, 'root-cause', { rootCause: 'manufacturing_defect', detail: 'Seal misaligned' });
  await must(s.api, org.agent, seeded.satisfied, 'resolution', { resolutionCode: 'replacement_sent', summary: 'We sent a new kettle.', remedy: 'replacement' });
  await must(s.api, org.supervisor, seeded.satisfied, 'sign-off', { approve: true });
  const [survey] = await waitForMail(happy.customerEmail, { filter: (m) => m.subject.includes('did we put things right') });
  const surveyToken = /\/survey\/([A-Za-z0-9_-]+)/.exec(survey.text)![1];
  expect((await postJson(`${s.api}/survey/${surveyToken}`, { score: 5, resolved: true })).status).toBe(200);
  expect(await s.temporal.workflow.getHandle(`complaint-${seeded.satisfied}`).result()).toMatchObject({ stage: 'closed', outcome: 'resolved' });

  // 4. Untriaged and at risk: 60 s to triage, warned after 5% of it (3 s), nobody triages.
  // The policy stays: the at-risk figure takes the warning share from the severity's current policy.
  await setSla(s.db, 'minor', { triage: 60, firstResponse: 3600, resolution: 3600, warnShare: 0.05, reescalate: 600 });
  const created = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, severity: 'minor', product: 'Toaster <T-1>' }), s.auth);
  expect(created.status).toBe(201);
  seeded.atRisk = created.body.id;
  seeded.atRiskReference = created.body.reference;
  await eventually('the untriaged complaint to pass its warning point', () => s.db.complaintEvent.findFirst({ where: { complaintId: seeded.atRisk, type: 'sla_warning' } }), 15_000);
});
afterAll(async () => {
  if (s) await relaxedSla(s.db);
  await browser?.close();
  await s?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1320, height: 900 } }); // a context of its own: its own sessionStorage
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('dialog', (d) => { problems.push(`dialog: ${d.message()}`); void d.dismiss(); });
  return page;
}

/** Opens the dashboard, signs in with `token` and waits for the answer of /reports/summary. */
async function signIn(page: Page, token: string) {
  const res = await page.goto(`${s.api}/dashboard`);
  expect(res!.status()).toBe(200);
  await page.getByLabel('API token').fill(token);
  const [summary] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/reports/summary'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  return summary;
}

/** Each chart's canvas: its size, whether it differs from a blank canvas of that size, and its data points. */
async function charts(page: Page) {
  return page.evaluate((ids) => {
    const g = globalThis as any;
    return ids.map((id: string) => {
      const canvas = g.document.getElementById(id);
      const blank = g.document.createElement('canvas');
      blank.width = canvas.width;
      blank.height = canvas.height;
      const chart = g.Chart.getChart(canvas);
      const points = chart ? chart.data.datasets.reduce((n: number, d: any) => n + d.data.filter((v: unknown) => v !== null && v !== undefined).length, 0) : 0;
      return { id, width: canvas.width as number, height: canvas.height as number, drawn: canvas.toDataURL() !== blank.toDataURL(), points: points as number };
    });
  }, CHARTS);
}

const markOf = (page: Page, name: string) => page.locator(`#targets-body tr[data-name="${name}"] .mark`).textContent();

test('a senior manager sees the targets, every chart, the complaints at risk and a complaint timeline', async () => {
  const page = await newPage();
  const shown = await page.goto(`${s.api}/dashboard`); // no token needed for the page itself
  expect(shown!.status()).toBe(200);
  expect(shown!.headers()['content-security-policy']).toContain("script-src 'self'");
  await expect(page.title()).resolves.toContain('Quality dashboard');
  expect(await page.locator('#dashboard').isVisible()).toBe(false);

  const summary = await signIn(page, org.senior.token);
  expect(summary.status()).toBe(200);
  expect(summary.request().headers()['authorization']).toBe(`Bearer ${org.senior.token}`);
  await page.waitForSelector('#dashboard[data-loaded="true"]');
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(1);
  expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);

  // All departments: every chart drawn, the target table filled.
  for (const c of await charts(page)) {
    expect(c).toMatchObject({ id: c.id, drawn: true });
    expect(c.width * c.height).toBeGreaterThan(0);
    expect(c.points).toBeGreaterThan(0);
  }
  expect(await page.locator('#targets-body tr[data-name]').count()).toBe(13);

  // This file's department only (the filter re-queries): its figures are known.
  await page.selectOption('#department', org.department);
  const [filtered] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/reports/summary' && new URL(r.url()).searchParams.get('department') === org.department),
    page.getByRole('button', { name: 'Show' }).click(),
  ]);
  expect(filtered.status()).toBe(200);
  await page.waitForFunction((dep) => new URL((globalThis as any).location.href).searchParams.get('department') === dep, org.department);
  await page.waitForSelector('#dashboard[data-loaded="true"]');

  const rows = page.locator('#targets-body tr[data-name]');
  expect(await rows.count()).toBe(13);
  const marks = await page.locator('#targets-body tr[data-name] .mark').allTextContents();
  expect(marks).toHaveLength(13);
  for (const m of marks) expect(['✓ met', '✗ missed', 'no data', '—']).toContain(m);
  // Decided so far: the late one (breached) and the closed one (on time): 1 of 2. Both root causes in time;
  // one survey answer, a 5; the closed one solved and never reopened.
  const cells = (name: string) => page.locator(`#targets-body tr[data-name="${name}"] td`).allTextContents();
  expect(await cells('on_time_handling_rate')).toEqual(['On-time handling (every SLA deadline met)', '50%', '≥ 95%', '✗ missed', '1 of 2']);
  expect(await cells('satisfaction_rate')).toEqual(['Satisfaction (survey answers scoring 4–5)', '100%', '≥ 95%', '✓ met', '1 of 1']);
  expect(await markOf(page, 'on_time_analysis_rate')).toBe('✓ met');
  expect(await markOf(page, 'effective_resolution_rate')).toBe('✓ met');
  expect(await markOf(page, 'complaint_reduction')).toBe('no data'); // nothing in the period before
  expect(await markOf(page, 'reopen_rate')).toBe('—'); // no target

  for (const c of await charts(page)) {
    expect(c).toMatchObject({ id: c.id, drawn: true });
    expect(c.width * c.height).toBeGreaterThan(0);
    expect(c.points).toBeGreaterThan(0);
  }
  // What the charts plot: received, breached and closed (4, 1, 1); the one answer's 100%; the two causes
  // (a tie, by name) with their cumulative share; the three open complaints, all under a day old.
  const plotted = (id: string) => page.evaluate((canvasId) => {
    const chart = (globalThis as any).Chart.getChart(canvasId);
    return { labels: chart.data.labels as string[], data: chart.data.datasets.map((d: any) => d.data) as (number | null)[][] };
  }, id);
  const sum = (d: (number | null)[]) => d.reduce<number>((a, b) => a + (b ?? 0), 0);
  const volume = await plotted('chart-volume');
  expect(volume.data.slice(0, 3).map(sum)).toEqual([4, 1, 1]);
  const satisfaction = await plotted('chart-satisfaction');
  expect(satisfaction.data[0].filter((v) => v !== null)).toEqual([100]);
  expect(await plotted('chart-pareto')).toEqual({ labels: ['Manufacturing defect', 'System error'], data: [[50, 100], [1, 1]] });
  const backlog = await page.evaluate(() => {
    const chart = (globalThis as any).Chart.getChart('chart-backlog');
    return chart.data.datasets.map((d: any) => [d.label, d.data.reduce((a: number, b: number) => a + b, 0)]);
  });
  expect(backlog).toEqual([['<1d old', 3], ['1-3d old', 0], ['3-7d old', 0], ['>7d old', 0]]);

  // At risk: the late one (breached) and the untriaged one past its warning point; not the analysed one.
  const atRisk = await page.locator('#at-risk-body tr').evaluateAll((trs) => trs.map((tr: any) => tr.dataset.reference));
  const reference = (id: number) => `CMP-${String(id).padStart(6, '0')}`;
  expect(atRisk).toEqual([reference(seeded.late), seeded.atRiskReference]);
  expect(await page.locator(`#at-risk-body tr[data-id="${seeded.late}"]`).textContent()).toContain('breached: Triage');
  expect(await page.locator(`#at-risk-body tr[data-id="${seeded.atRisk}"]`).textContent()).toContain('past warning point');

  fs.mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: path.join(OUT, 'dashboard.png'), fullPage: true });

  // The at-risk complaint's link opens its timeline, fetched with the stored token.
  const link = page.getByRole('link', { name: seeded.atRiskReference, exact: true });
  expect(await link.getAttribute('href')).toBe(`/dashboard/complaints/${seeded.atRisk}`);
  await Promise.all([page.waitForURL(`${s.api}/dashboard/complaints/${seeded.atRisk}`), link.click()]);
  await page.waitForSelector('#complaint[data-loaded="true"]');
  expect(await page.getByRole('heading', { level: 2, name: /CMP-/ }).textContent()).toBe(`${seeded.atRiskReference} — Toaster <T-1>`);
  const shownTypes = await page.locator('#steps li').evaluateAll((lis) => lis.map((li: any) => li.dataset.type));
  const timeline = await getJson(`${s.api}/complaints/${seeded.atRisk}/timeline`, org.senior.auth);
  const types = (timeline.body as { type: string }[]).map((e) => e.type);
  expect(shownTypes.length).toBeGreaterThanOrEqual(2);
  expect(shownTypes).toEqual(types.slice(0, shownTypes.length));
  expect(shownTypes).toEqual(expect.arrayContaining(['received', 'sla_warning']));
  expect(await page.locator('#steps li[data-type="received"]').textContent()).toContain(`by Registrar ${s.taskQueue} (Agent)`);
  expect(await page.locator('#deadlines-body tr').count()).toBeGreaterThan(0);
  await page.screenshot({ path: path.join(OUT, 'dashboard-timeline.png'), fullPage: true });

  // Back, and signed out: the token is gone from the tab, and the form is back.
  await page.getByRole('link', { name: '← Back to the dashboard' }).click();
  await page.waitForSelector('#dashboard[data-loaded="true"]');
  await page.getByRole('button', { name: 'Sign out' }).click();
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
  expect(await page.getByLabel('API token').isVisible()).toBe(true);
  expect(await page.locator('#dashboard').isVisible()).toBe(false);
  await page.close();
  expect(problems).toEqual([]); // no script error, no failed request, no CSP violation
});

test('a bad token gets the 401 message and the sign-in form again; an agent gets the 403 message; a manager sees their department', async () => {
  const bad = await newPage();
  const refused = await signIn(bad, 'cmp_00000000_forged');
  expect(refused.status()).toBe(401);
  const message = bad.getByRole('alert');
  await expect(message.textContent()).resolves.toContain('Sign-in failed (401): this token is not valid');
  expect(await bad.getByLabel('API token').isVisible()).toBe(true);
  expect(await bad.locator('#dashboard').isVisible()).toBe(false);
  expect(await bad.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
  await bad.screenshot({ path: path.join(OUT, 'dashboard-401.png') });
  await bad.close();

  const agent = await newPage();
  const forbidden = await signIn(agent, org.agent.token);
  expect(forbidden.status()).toBe(403);
  const text = await agent.getByRole('alert').textContent();
  expect(text).toContain('Not allowed (403)');
  expect(text).toContain('manager');
  expect(await agent.locator('#dashboard').isVisible()).toBe(false);
  expect(await agent.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
  await agent.close();

  // A manager is held to their department: no choice of department, their own named instead.
  const manager = await newPage();
  const own = await signIn(manager, org.manager.token);
  expect(own.status()).toBe(200);
  expect(new URL(own.url()).searchParams.has('department')).toBe(false);
  await manager.waitForSelector('#dashboard[data-loaded="true"]');
  expect(await manager.locator('#department').isVisible()).toBe(false);
  expect(await manager.locator('#department-fixed').textContent()).toContain(org.department);
  expect(await manager.locator('#at-risk-body tr').evaluateAll((trs) => trs.map((tr: any) => tr.dataset.id))).toEqual([String(seeded.late), String(seeded.atRisk)]);
  await manager.close();

  // Each refusal logged one failed request in the console; nothing else went wrong anywhere.
  const expected = /^console: Failed to load resource: the server responded with a status of (401|403)/;
  expect(problems.filter((p) => expected.test(p))).toHaveLength(2);
  expect(problems.filter((p) => !expected.test(p))).toEqual([]);
});

test('the pages and assets need no token; other paths under /dashboard are 404', async () => {
  for (const p of ['/dashboard', '/dashboard/complaints/1', '/dashboard/assets/dashboard.js', '/dashboard/assets/complaint.js',
    '/dashboard/assets/common.js', '/dashboard/assets/dashboard.css', '/dashboard/assets/chart.umd.js']) {
    const res = await fetch(`${s.api}${p}`);
    expect([p, res.status, res.headers.get('cache-control')]).toEqual([p, 200, 'no-cache']);
    expect([...res.headers.keys()].filter((h) => /^\d+$/.test(h))).toEqual([]); // no stray numbered headers
  }
  expect((await fetch(`${s.api}/dashboard/assets/chart.umd.js`)).headers.get('content-type')).toMatch(/javascript/);
  for (const p of ['/dashboard/assets/../dashboard.ts', '/dashboard/assets/index.html', '/dashboard/nothing', '/dashboard/complaints/abc']) {
    expect([p, (await fetch(`${s.api}${p}`)).status]).toEqual([p, 404]);
  }
});
