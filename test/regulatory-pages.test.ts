import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { seedRegulation } from '../lib/regulatory-profiles';
import { launchChromium } from './support/browser';
import { createOrganisation, type Organisation } from './support/organisation';
import { seedRegulatoryFixture, type Seeded } from './support/regulatory-fixture';
import { startServices, type TestServices } from './support/services';

// The quality manager's Regulatory section and the printable evidence page in a real browser (Debian's
// Chromium through playwright-core), over the complaints of test/support/regulatory-fixture.ts: the
// downloads are the API's own answers, the missed deadlines are listed, and the evidence page prints
// its table without the page's controls. Screenshots and a PDF go to test-output/.

const OUT = path.join(__dirname, '..', 'test-output');

let s: TestServices;
let org: Organisation;
let seeded: Seeded;
let browser: Browser;
const problems: string[] = [];
beforeAll(async () => {
  s = await startServices('regulatorypages', {}, { worker: false });
  await seedRegulation(s.db);
  org = await createOrganisation(s.db, 'regpages');
  seeded = await seedRegulatoryFixture(s.db, org.department);
  browser = await launchChromium();
  fs.mkdirSync(OUT, { recursive: true });
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function newPage(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1320, height: 900 } });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  return page;
}

/** Signs in on the page open now with a token pasted into its form. */
async function signIn(page: Page, token: string) {
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const isBreaches = (url: string) => new URL(url).pathname === '/reports/regulatory/breaches' && new URL(url).searchParams.get('department') === org.department;

test('the Regulatory section downloads each return as CSV and JSON for the half-year and lists the missed deadlines', async () => {
  const page = await newPage();
  await page.goto(`${s.api}/dashboard?half=2026-H2`);
  await signIn(page, org.senior.token);
  await page.waitForSelector('#dashboard[data-loaded="true"]');
  expect(await page.getByRole('heading', { name: 'Regulatory' }).isVisible()).toBe(true);
  expect(await page.locator('#regulatory-half').inputValue()).toBe('2026-H2');

  // This file's department (the dashboard's filter), which the section follows.
  await page.selectOption('#department', org.department);
  const [breaches] = await Promise.all([page.waitForResponse((r) => isBreaches(r.url())), page.getByRole('button', { name: 'Show' }).click()]);
  expect(breaches.status()).toBe(200);
  expect(new URL(breaches.url()).searchParams.get('half')).toBe('2026-H2');
  await page.waitForSelector('#regulatory[data-loaded="true"]');

  const rows = page.locator('#breaches-body tr');
  expect(await rows.evaluateAll((trs) => trs.map((tr: any) => [tr.dataset.reference, tr.dataset.clock]))).toEqual([
    [seeded.refs.c, 'eight_weeks'], [seeded.refs.l, 'acknowledgement'], [seeded.refs.r, 'response'],
  ]);
  const late = await page.locator(`#breaches-body tr[data-reference="${seeded.refs.l}"] td`).allTextContents();
  expect(late.slice(0, 4)).toEqual([seeded.refs.l, 'asic', 'Acknowledgement', 'RG 271 (acknowledge within 24 hours or one business day)']);
  expect(late[6]).toBe('18 h');
  expect(await page.locator(`#breaches-body tr[data-reference="${seeded.refs.r}"]`).textContent()).toContain('not met');
  await page.locator('#regulatory').screenshot({ path: path.join(OUT, 'regulatory-section.png') });

  // Every download is what the API answers for the same half-year and department.
  for (const [report, button, file] of [
    ['fca-return', 'FCA return', 'fca-return_2026-H2'], ['asic-idr', 'ASIC IDR report', 'asic-idr_2026-H2'], ['breaches', 'missed deadlines', 'regulatory-breaches_2026-H2'],
  ]) {
    for (const format of ['csv', 'json']) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download the ${button} as ${format.toUpperCase()}` }).click()]);
      const text = fs.readFileSync((await download.path())!, 'utf8');
      const api = await fetch(`${s.api}/reports/regulatory/${report}?half=2026-H2&department=${org.department}&format=${format}`, { headers: org.senior.auth });
      const expected = await api.text();
      if (format === 'csv') {
        expect(download.suggestedFilename()).toBe(`${file}.csv`);
        // The breach list's unmet deadline grows later by the second: compare up to its last column.
        const cut = (t: string) => (report === 'breaches' ? t.replace(/,\d+\r\n/g, ',…\r\n') : t);
        expect(cut(text)).toBe(cut(expected));
      } else {
        expect(download.suggestedFilename()).toBe(`${report}_2026-H2.json`);
        expect(JSON.parse(text).columns).toEqual(JSON.parse(expected).columns);
        expect(JSON.parse(text).rows.length).toBe(JSON.parse(expected).rows.length);
      }
    }
  }

  // A missed deadline's complaint opens its evidence.
  const link = page.getByRole('link', { name: seeded.refs.l, exact: true });
  expect(await link.getAttribute('href')).toBe(`/dashboard/complaints/${seeded.ids.l}/regulatory-evidence`);
  await Promise.all([page.waitForURL(`${s.api}/dashboard/complaints/${seeded.ids.l}/regulatory-evidence`), link.click()]);
  await page.waitForSelector('#evidence[data-loaded="true"]');
  expect(await page.locator('#title').textContent()).toBe(`Regulatory evidence — ${seeded.refs.l}`);
  await page.close();
  expect(problems).toEqual([]);
});

test('the evidence page shows each deadline in the regulator’s time zone and prints without the page’s controls', async () => {
  const page = await newPage();
  await page.goto(`${s.api}/dashboard/complaints/${seeded.ids.l}/regulatory-evidence`);
  await signIn(page, org.agent.token); // anyone who may see the complaint
  await page.waitForSelector('#evidence[data-loaded="true"]');
  const clocks = await page.locator('#clocks-body tr').evaluateAll((trs) => trs.map((tr: any) => [tr.dataset.clock, tr.dataset.outcome]));
  expect(clocks).toEqual([['acknowledgement', 'met_late'], ['five_business_days', 'window_passed'], ['idr_response', 'letter_sent']]);
  const ack = await page.locator('#clocks-body tr[data-clock="acknowledgement"] > *').allTextContents();
  expect(ack.slice(0, 5)).toEqual(['Acknowledgement', 'RG 271 (acknowledge within 24 hours or one business day)', '2026-09-11 17:00 GMT+10', '—', 'Met late']);
  expect(ack[5]).toBe('Breached 2026-09-11 17:00 GMT+10Met 2026-09-12 11:00 GMT+10, 18 h late');
  expect(await page.locator('#clocks-body tr[data-clock="idr_response"]').textContent()).toContain('ASIC IDR delay notification sent 2026-10-10 10:00 GMT+11 (sent)');
  expect(await page.locator('#events-body tr').count()).toBe(5);
  expect(await page.locator('#zone').textContent()).toBe('Australia/Sydney');
  expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(true);
  await page.screenshot({ path: path.join(OUT, 'regulatory-evidence.png'), fullPage: true });

  // Printed: the tables stay, the top bar, the back link and the print button go.
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.topbar').isVisible()).toBe(false);
  expect(await page.locator('#back').isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
  expect(await page.locator('#clocks').isVisible()).toBe(true);
  expect(await page.locator('#events').isVisible()).toBe(true);
  await page.screenshot({ path: path.join(OUT, 'regulatory-evidence-print.png'), fullPage: true });
  const pdf = await page.pdf({ path: path.join(OUT, 'regulatory-evidence.pdf'), format: 'A4', printBackground: true });
  expect(pdf.length).toBeGreaterThan(10_000);
  await page.close();

  // A complaint held to no regulator says so.
  const plain = await newPage();
  await plain.goto(`${s.api}/dashboard/complaints/${seeded.ids.x}/regulatory-evidence`);
  await signIn(plain, org.agent.token);
  await plain.waitForSelector('#evidence[data-loaded="true"]');
  expect(await plain.locator('#no-regulation').textContent()).toContain("not held to a regulator's rules");
  expect(await plain.locator('#clocks').isVisible()).toBe(false);
  await plain.close();
  expect(problems).toEqual([]);
});

test('the evidence page and the section script need no token to load; other paths are 404', async () => {
  for (const p of [`/dashboard/complaints/${seeded.ids.l}/regulatory-evidence`, '/dashboard/assets/evidence.js', '/dashboard/assets/regulatory.js']) {
    expect([p, (await fetch(`${s.api}${p}`)).status]).toEqual([p, 200]);
  }
  expect((await fetch(`${s.api}/dashboard/complaints/${seeded.ids.l}/regulatory-evidence/x`)).status).toBe(404);
});
