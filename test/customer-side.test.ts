import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { uniqueAddress, waitForMail, type CaughtMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { eventually, postJson, startServices, type TestServices } from './support/services';
import { launchChromium } from './support/browser';

// The customer's side against the real stack: every email and page in the customer's language (read
// back from the mail catcher, the pages in headless Chromium), the language found from the description
// when none is given, the public complaint form with its guards, and the private status page.

const SHOTS = path.join(__dirname, '..', 'test-output', 'customer');

let s: TestServices;
let org: Organisation;
let browser: Browser;

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  s = await startServices('customer', { SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '30s', SURVEY_WINDOW: '60s' });
  org = await createOrganisation(s.db, 'customer');
  await relaxedSla(s.db);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

/** Words each language's acknowledgement, follow-up letter and survey carry, and its survey page's heading. */
const LANGUAGES = {
  en: { ack: ['We have received your complaint', 'Dear', 'Kind regards'], letter: ['what we found', 'We have refunded you €49.99.'], survey: 'did we put things right?', page: 'How did we do?', htmlLang: 'en' },
  it: { ack: ['Abbiamo ricevuto il Suo reclamo', 'Gentile', 'Cordiali saluti'], letter: ['esito delle verifiche', 'rimborsarLe 49,99 €'], survey: 'abbiamo risolto il problema?', page: 'La Sua opinione ci interessa', htmlLang: 'it' },
  pt: { ack: ['Recebemos sua reclamação', 'Prezado(a)', 'Atenciosamente'], letter: ['o que apuramos', 'reembolso de € 49,99'], survey: 'conseguimos resolver o problema?', page: 'Como foi o nosso atendimento?', htmlLang: 'pt' },
  tl: { ack: ['Natanggap na po namin ang inyong reklamo', 'Mahal na', 'Lubos na gumagalang'], letter: ['ang aming natuklasan', '€49.99'], survey: 'naayos po ba namin ang problema?', page: 'Kumusta po ang aming serbisyo?', htmlLang: 'tl' },
  zh: { ack: ['我们已收到您的投诉', '尊敬的', '此致'], letter: ['调查结果及处理措施', '我们已向您退款€49.99。'], survey: '您的问题解决了吗？', page: '您对我们的处理满意吗？', htmlLang: 'zh' },
} as const;

/** Every line of the email is valid text: no replacement character, no mojibake of UTF-8 read as Latin-1. */
const intact = (m: CaughtMail) => {
  for (const t of [m.subject, m.text, m.html]) expect(t).not.toMatch(/\uFFFD|Ã.|â€|å.|ä¸/);
};

async function resolveWithRefund(id: number) {
  await must(s.api, org.supervisor, id, 'triage', { valid: true, category: 'product_quality', severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'manufacturing_defect', detail: 'Seal' });
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'refund_issued', summary: 'Refund.', remedy: 'refund', refundAmount: 49.99 });
  await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
}

test('1. in each of five languages: acknowledgement, follow-up letter, survey email and survey page', async () => {
  const filed = await Promise.all(Object.keys(LANGUAGES).map(async (language) => {
    const body = complaintBody({ department: org.department, language, customerName: language === 'zh' ? '李明' : 'Ana Lima' });
    const res = await postJson(`${s.api}/complaints`, body, org.agent.auth);
    expect(res.status).toBe(201);
    return { language: language as keyof typeof LANGUAGES, id: res.body.id as number, email: body.customerEmail as string, reference: res.body.reference as string };
  }));
  await Promise.all(filed.map((f) => resolveWithRefund(f.id)));
  for (const f of filed) {
    const words = LANGUAGES[f.language];
    const [ack] = await waitForMail(f.email, { filter: (m) => m.subject.includes(words.ack[0]) });
    expect(ack.subject).toContain(f.reference);
    for (const w of words.ack.slice(1)) expect(ack.text).toContain(w); // the greeting and the closing formula
    expect(ack.text).toMatch(/\/status\/[A-Za-z0-9_-]{20,}/);
    intact(ack);
    const [letter] = await waitForMail(f.email, { filter: (m) => m.subject.includes(words.letter[0]) });
    expect(letter.text.replace(/\u00a0/g, ' ')).toContain(words.letter[1]); // a locale may put a no-break space before the amount
    intact(letter);
    const [survey] = await waitForMail(f.email, { filter: (m) => m.subject.includes(words.survey) });
    intact(survey);
    const link = /https?:\/\/\S+\/survey\/[A-Za-z0-9_-]+/.exec(survey.text)![0].replace(/^https?:\/\/[^/]+/, s.api);
    const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
    const shown = await page.goto(link);
    expect(shown!.status()).toBe(200);
    expect(await page.getAttribute('html', 'lang')).toBe(words.htmlLang);
    expect(await page.locator('h1').textContent()).toBe(words.page);
    await page.screenshot({ path: path.join(SHOTS, `survey-${f.language}.png`), fullPage: true });
    await page.close();
  }
});

test('2. no language given: a Portuguese description is answered in Portuguese; two words fall back to English', async () => {
  const pt = complaintBody({ department: org.department, description: 'A chaleira começou a vazar pela base depois de dois dias de uso e ninguém respondeu aos meus e-mails.' });
  delete pt.language;
  const short = complaintBody({ department: org.department, description: 'Chaleira quebrada' });
  const [a, b] = await Promise.all([postJson(`${s.api}/complaints`, pt, org.agent.auth), postJson(`${s.api}/complaints`, short, org.agent.auth)]);
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id: a.body.id } })).language).toBe('pt');
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id: b.body.id } })).language).toBe('en');
  await waitForMail(pt.customerEmail, { filter: (m) => m.subject.startsWith('Recebemos sua reclamação') });
  await waitForMail(short.customerEmail, { filter: (m) => m.subject.startsWith('We have received your complaint') });
  // Staff can correct it; the change is theirs to make, and the next email follows it.
  const fixed = await fetch(`${s.api}/complaints/${b.body.id}`, { method: 'PATCH', headers: { ...org.agent.auth, 'content-type': 'application/json' }, body: JSON.stringify({ language: 'pt' }) });
  expect(fixed.status).toBe(200);
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id: b.body.id } })).language).toBe('pt');
});

/** Fills the public form on `page` (already open). */
async function fillForm(page: Page, email: string) {
  await page.locator('#name').fill('Maria Dela Cruz');
  await page.locator('#email').fill(email);
  await page.locator('#product').fill('Rice cooker RC-5');
  await page.locator('#occurredOn').fill('2026-11-27');
  await page.locator('#description').fill('Hindi na po uminit ang rice cooker pagkatapos ng tatlong araw na paggamit.');
  await page.locator('#consent').check();
}

test('3. the public form in Tagalog: the reference page, the acknowledgement in Tagalog; bots, haste and floods refused', async () => {
  const page = await browser.newPage({ viewport: { width: 900, height: 1400 } });
  await page.goto(`${s.api}/complain?lang=tl`);
  expect(await page.getAttribute('html', 'lang')).toBe('tl');
  const trap = (await page.locator('#website').boundingBox())!; // the honeypot is out of sight (and out of the tab order)
  expect(trap.x + trap.width).toBeLessThanOrEqual(0);
  expect(await page.locator('#website').getAttribute('tabindex')).toBe('-1');
  const email = uniqueAddress('maria');
  await fillForm(page, email);
  await page.locator('#language').selectOption('tl');
  await page.screenshot({ path: path.join(SHOTS, 'form-tl.png'), fullPage: true });
  await page.waitForTimeout(2100); // a person takes more than two seconds
  const [answer] = await Promise.all([page.waitForNavigation(), page.locator('button[type=submit]').click()]);
  expect(answer!.status()).toBe(201);
  const reference = await page.locator('.reference').textContent();
  expect(reference).toMatch(/^CMP-\d{6}$/);
  await page.screenshot({ path: path.join(SHOTS, 'form-thanks-tl.png'), fullPage: true });
  const row = await s.db.complaint.findUniqueOrThrow({ where: { reference: reference! } });
  expect(row).toMatchObject({ channel: 'web', language: 'tl', customerEmail: email });
  const received = await s.db.complaintEvent.findFirstOrThrow({ where: { complaintId: row.id, type: 'received' } });
  expect(received.actorId).toBeNull();
  const [ack] = await waitForMail(email);
  expect(ack.subject).toContain('Natanggap na po namin ang inyong reklamo');

  // Straight posts, as a program would send them: the form's own stamp, then a filled honeypot, or haste.
  const form = async () => {
    const html = await (await fetch(`${s.api}/complain?lang=en`)).text();
    return /name="started" value="([^"]+)"/.exec(html)![1];
  };
  const post = (fields: Record<string, string>) => fetch(`${s.api}/complain`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ name: 'Bot', email: uniqueAddress('bot'), product: 'X', occurredOn: '2026-11-27', description: 'Buy now', language: 'en', consent: 'yes', ...fields }),
  });
  const before = await s.db.complaint.count();
  const started = await form();
  const trapped = await post({ started, website: 'http://spam.example' });
  expect(trapped.status).toBe(400);
  expect(await trapped.text()).toContain('as a program would fill it in');
  const hasty = await post({ started: await form() });
  expect(hasty.status).toBe(400);
  expect(await hasty.text()).toContain('too quickly');
  // Forms shown long enough ago, posted invalid (no consent): they count against the address like any other.
  await new Promise((r) => setTimeout(r, 2100));
  const statuses: number[] = [];
  for (let i = 0; i < 7; i++) statuses.push((await post({ started, consent: '' })).status);
  expect(statuses).toEqual([422, 422, 422, 422, 422, 422, 422]); // posts 4 to 10 of the minute (the browser's was the first)
  const flood = await post({ started }); // the eleventh
  expect(flood.status).toBe(429);
  expect(flood.headers.get('content-type')).toContain('text/html');
  expect(await flood.text()).toContain('Too many complaints have been sent from your connection');
  expect(await s.db.complaint.count()).toBe(before);
  await page.close();
});

test('4. the status page: the step and the expected date; the customer answers our question there; tampered links and other complaints stay hidden', async () => {
  const body = complaintBody({ department: org.department, language: 'en' });
  const id = (await postJson(`${s.api}/complaints`, body, org.agent.auth)).body.id as number;
  const other = (await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, product: 'Other Product Z-9' }), org.agent.auth)).body;
  const [ack] = await waitForMail(body.customerEmail);
  const link = /https?:\/\/\S+\/status\/([A-Za-z0-9_-]+)/.exec(ack.text)!;
  const url = `${s.api}/status/${link[1]}`;
  const page = await browser.newPage({ viewport: { width: 900, height: 1300 } });
  expect((await page.goto(url))!.status()).toBe(200);
  expect(await page.locator('.step').getAttribute('data-step')).toBe('received');
  expect(await page.locator('.answer dd').nth(1).textContent()).toMatch(/^\d{1,2} \w+ \d{4}$/); // e.g. "3 December 2026"

  await must(s.api, org.supervisor, id, 'triage', { valid: true, category: 'product_quality', severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  await must(s.api, org.agent, id, 'notes', { text: 'INTERNAL: customer sounded upset, check batch 42' });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'manufacturing_defect' });
  await must(s.api, org.agent, id, 'customer-requests', { question: 'Could you tell us the serial number on the base?' });
  await waitForMail(body.customerEmail, { filter: (m) => m.text.includes('serial number') });
  await page.goto(url);
  expect(await page.locator('.step').getAttribute('data-step')).toBe('waiting');
  expect(await page.locator('.question blockquote').textContent()).toBe('Could you tell us the serial number on the base?');
  const content = await page.content();
  for (const hidden of ['INTERNAL', 'batch 42', org.supervisor.name, org.agent.name, 'Manufacturing defect', 'manufacturing_defect', other.reference, 'Other Product Z-9']) {
    expect([hidden, content.includes(hidden)]).toEqual([hidden, false]);
  }
  await page.locator('#answer').fill('It is SN-2026-0042.');
  await page.screenshot({ path: path.join(SHOTS, 'status-question.png'), fullPage: true });
  await Promise.all([page.waitForURL(/answered=1$/), page.getByRole('button').click()]);
  expect(await page.locator('.notice').textContent()).toContain('we have your answer');
  expect(await page.locator('.step').getAttribute('data-step')).toBe('investigating');
  await page.screenshot({ path: path.join(SHOTS, 'status-answered.png'), fullPage: true });

  // The workflow took it: back in investigation with its clocks running, the answer on the timeline.
  const state = await s.temporal.workflow.getHandle(`complaint-${id}`).query<any>('status');
  expect(state.stage).toBe('investigation');
  expect(state.deadlines.filter((d: any) => !d.metAt).every((d: any) => !d.paused)).toBe(true);
  const timeline = await (await fetch(`${s.api}/complaints/${id}/timeline`, { headers: org.agent.auth })).json() as any[];
  expect(timeline.find((e) => e.type === 'customer_replied')).toMatchObject({ actor: null, data: { text: 'It is SN-2026-0042.' } });

  // A link changed by one character opens nothing, and says so in a page.
  const tampered = link[1].slice(0, -1) + (link[1].endsWith('A') ? 'B' : 'A');
  const gone = await fetch(`${s.api}/status/${tampered}`);
  expect(gone.status).toBe(404);
  expect(await gone.text()).toContain('We cannot find this page');
  await page.close();
});
