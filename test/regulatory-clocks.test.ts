import { formatDate } from '../lib/locale';
import { seedRegulation } from '../lib/regulatory-profiles';
import { regulatoryDueAt, type RegulatoryPlan } from '../workflows/regulatory';
import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, setSla, type Organisation } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// Regulators' clocks on the real stack. The clock cannot be skipped, so the complaints are registered
// with a receipt in the past (as a letter opened late would be): the real eight-week and business-day
// arithmetic then puts the points a few seconds ahead, or already behind.

let s: TestServices;
let org: Organisation;
const DAY = 86_400;
beforeAll(async () => {
  s = await startServices('regulatory');
  org = await createOrganisation(s.db, 'regulatory');
  await seedRegulation(s.db);
  // Internal SLAs longer than any receipt here lies in the past: only the regulators' clocks act.
  for (const severity of ['minor', 'major', 'critical'] as const) {
    await setSla(s.db, severity, { triage: 120 * DAY, firstResponse: 120 * DAY, resolution: 120 * DAY, reescalate: DAY });
  }
});
afterAll(async () => { await s?.close(); });

/** The profile as the worker loads it (activities/plan.ts). */
async function planOf(code: string): Promise<RegulatoryPlan> {
  const p = await s.db.regulatoryProfile.findUniqueOrThrow({ where: { code }, include: { clocks: true } });
  const holidays = await s.db.publicHoliday.findMany({ where: { calendar: p.calendar } });
  return {
    code, name: p.name, regulator: p.regulator, timeZone: p.timeZone, closeOfBusiness: p.closeOfBusiness,
    holidays: holidays.map((h) => h.date.toISOString().slice(0, 10)),
    rules: p.clocks.map((c) => ({ ...c, unit: c.unit as any, metBy: c.metBy as any, atPoint: c.atPoint as any })),
  };
}

async function register(body: Record<string, unknown>) {
  const res = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, ...body }), s.auth);
  expect(res.status).toBe(201);
  return res.body as { id: number; reference: string };
}
const eventsOf = (id: number, type: string) => s.db.complaintEvent.findMany({ where: { complaintId: id, type }, orderBy: { step: 'asc' } });
const triage = (id: number) => must(s.api, org.supervisor, id, 'triage', {
  valid: true, category: 'billing', severity: 'minor', department: org.department, ownerId: org.manager.id,
});
async function resolve(id: number) {
  await must(s.api, org.manager, id, 'root-cause', { rootCause: 'process_failure' });
  await must(s.api, org.manager, id, 'resolution', {
    resolutionCode: 'refund_issued', summary: 'We refunded the duplicated fee.', remedy: 'refund', refundAmount: 25, upheld: true,
  });
  await must(s.api, org.senior, id, 'sign-off', { approve: true });
}

test('FCA DISP 1.6.2R: no final response by the end of eight weeks sends the referral-rights letter once, on time, and the evidence lists it', async () => {
  const fca = await planOf('fca');
  const eightWeeks = fca.rules.find((r) => r.name === 'eight_weeks')!;
  // A receipt whose eight-week point falls 12 s from now (in London time, whatever summer time did meanwhile).
  const target = Date.now() + 12_000;
  let receivedAt = target - 56 * DAY * 1000;
  receivedAt -= regulatoryDueAt(receivedAt, eightWeeks, fca) - target;
  const dueAt = regulatoryDueAt(receivedAt, eightWeeks, fca);
  expect(Math.abs(dueAt - target)).toBeLessThan(1000);

  const c = await register({ regulation: 'fca', productGroup: 'banking', receivedAt: new Date(receivedAt).toISOString(), customerEmail: `fca.${Date.now()}@example.com` });
  const customer = (await s.db.complaint.findUniqueOrThrow({ where: { id: c.id } })).customerEmail;
  const stored = await eventually('the eight-week letter', () => s.db.emailMessage.findFirst({ where: { complaintId: c.id, kind: 'fca_eight_week', status: 'sent' } }), 40_000);
  const [letter] = await waitForMail(customer, { filter: (m) => m.subject === stored.subject });
  expect(letter.text).toContain('https://www.financial-ombudsman.org.uk');
  expect(letter.text).toContain(c.reference);

  const [sent] = await eventually('the letter recorded', async () => { const e = await eventsOf(c.id, 'regulatory_letter_sent'); return e.length ? e : undefined; });
  const data = sent.data as Record<string, string>;
  expect(data).toMatchObject({ clock: 'eight_weeks', kind: 'fca_eight_week', dueAt: new Date(dueAt).toISOString(), delivery: 'sent' });
  // On time: not before its point, and within seconds of it.
  const leftAt = Date.parse(data.at);
  expect(leftAt).toBeGreaterThanOrEqual(dueAt);
  expect(leftAt - dueAt).toBeLessThan(5000);
  const email = await s.db.emailMessage.findMany({ where: { complaintId: c.id, kind: 'fca_eight_week' } });
  expect(email.map((e) => e.status)).toEqual(['sent']);

  // Once: a while later there is still one such letter, and the clock recorded no breach.
  await new Promise((r) => setTimeout(r, 4000));
  expect((await mailTo(customer)).filter((m) => m.subject === letter.subject)).toHaveLength(1);
  expect(await eventsOf(c.id, 'regulatory_breached')).toHaveLength(0);
  const started = await eventsOf(c.id, 'regulatory_clocks_started');
  expect(started).toHaveLength(1);
  expect((started[0].data as any).clocks.map((k: any) => k.name)).toEqual(['summary_resolution', 'eight_weeks']);

  // The final response later: the clock is met, not late (the letter kept the rule).
  await triage(c.id);
  await must(s.api, org.manager, c.id, 'report', { report: 'Checked the ledger.' });
  await resolve(c.id);
  const [met] = await eventually('the clock met', async () => { const e = await eventsOf(c.id, 'regulatory_met'); return e.length ? e : undefined; });
  expect(met.data).toMatchObject({ clock: 'eight_weeks', late: false });
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id: c.id } });
  expect([row.summaryResolution, row.upheld, Number(row.redressAmount)]).toEqual([false, true, 25]);
  // Outside the three-day window, the usual follow-up letter is the final response.
  expect(await s.db.emailMessage.count({ where: { complaintId: c.id, kind: 'follow_up_letter' } })).toBe(1);

  const evidence = await getJson(`${s.api}/complaints/${c.id}/regulatory-evidence`, org.senior.auth);
  expect(evidence.status).toBe(200);
  expect(JSON.stringify(evidence.body)).toContain('fca_eight_week');
});

test('FCA DISP 1.5: resolved by close of business on the third business day is a summary resolution, with its letter; the eight-week clock stops', async () => {
  const fca = await planOf('fca');
  const window = fca.rules.find((r) => r.name === 'summary_resolution')!;
  const receivedAt = Date.now() - 3_600_000; // an hour ago: at least two business days remain in any week
  const c = await register({ regulation: 'fca', productGroup: 'credit_cards', receivedAt: new Date(receivedAt).toISOString() });
  await triage(c.id);
  await must(s.api, org.manager, c.id, 'report', { report: 'Duplicate fee confirmed.' });
  await resolve(c.id);

  const [summary] = await eventually('the summary resolution', async () => { const e = await eventsOf(c.id, 'summary_resolution'); return e.length ? e : undefined; });
  expect(summary.data).toMatchObject({ clock: 'summary_resolution', dueAt: new Date(regulatoryDueAt(receivedAt, window, fca)).toISOString() });
  const letter = await eventually('the summary resolution letter', () => s.db.emailMessage.findFirst({ where: { complaintId: c.id, kind: 'fca_summary_resolution', status: 'sent' } }));
  expect(letter.textBody).toContain('https://www.financial-ombudsman.org.uk');
  expect(await s.db.emailMessage.count({ where: { complaintId: c.id, kind: 'follow_up_letter' } })).toBe(0);
  const row = await eventually('the row', async () => { const r = await s.db.complaint.findUniqueOrThrow({ where: { id: c.id } }); return r.resolvedAt ? r : undefined; });
  expect(row.summaryResolution).toBe(true);
  expect(row.letterText).toBe(letter.textBody);
  const met = await eventually('the eight-week clock met', async () => { const e = await eventsOf(c.id, 'regulatory_met'); return e.length ? e : undefined; });
  expect(met.map((e) => (e.data as any).clock)).toEqual(['eight_weeks']);
  expect((met[0].data as any).late).toBe(false);

  // Received ten days ago: past its window, not a summary resolution.
  const late = await register({ regulation: 'fca', productGroup: 'credit_cards', receivedAt: new Date(Date.now() - 10 * DAY * 1000).toISOString() });
  await triage(late.id);
  await must(s.api, org.manager, late.id, 'report', { report: 'Duplicate fee confirmed.' });
  await resolve(late.id);
  await eventually('the follow-up letter', () => s.db.emailMessage.findFirst({ where: { complaintId: late.id, kind: 'follow_up_letter', status: 'sent' } }));
  expect(await eventsOf(late.id, 'summary_resolution')).toHaveLength(0);
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id: late.id } })).summaryResolution).toBe(false);
});

test('ASIC RG 271: a complaint acknowledged more than 24 hours (and a business day) after receipt is a breach, in the breach list', async () => {
  const receivedAt = Date.now() - 7 * DAY * 1000; // a week: past 24 hours and the next business day, holidays or not
  const c = await register({ regulation: 'asic', receivedAt: new Date(receivedAt).toISOString() });
  const [breach] = await eventually('the breach', async () => { const e = await eventsOf(c.id, 'regulatory_breached'); return e.length ? e : undefined; });
  expect(breach.data).toMatchObject({ clock: 'acknowledgement' });
  const [met] = await eventually('the late acknowledgement', async () => { const e = await eventsOf(c.id, 'regulatory_met'); return e.length ? e : undefined; });
  expect(met.data).toMatchObject({ clock: 'acknowledgement', late: true });

  // On time: an ASIC complaint received now is acknowledged within its 24 hours, no breach.
  const onTime = await register({ regulation: 'asic' });
  const [ok] = await eventually('the acknowledgement met', async () => { const e = await eventsOf(onTime.id, 'regulatory_met'); return e.length ? e : undefined; });
  expect(ok.data).toMatchObject({ clock: 'acknowledgement', late: false });

  const live = await getJson(`${s.api}/complaints/${c.id}`, org.senior.auth);
  expect(live.body.regulation).toBe('asic');
  expect(live.body.workflow.state.regulatory.map((k: any) => [k.clock, k.state])).toEqual([
    ['acknowledgement', 'met_late'], ['five_business_days', 'window'], ['idr_response', 'open'],
  ]);

  const list = await getJson(`${s.api}/reports/regulatory/breaches?regulation=asic`, org.senior.auth);
  expect(list.status).toBe(200);
  const text = JSON.stringify(list.body);
  expect(text).toContain(c.reference);
  expect(text).not.toContain(onTime.reference);
});

test('ASIC RG 271: no IDR response within 30 calendar days sends the delay notice naming AFCA, once, in the customer\'s language', async () => {
  const asic = await planOf('asic');
  const idr = asic.rules.find((r) => r.name === 'idr_response')!;
  const target = Date.now() + 10_000;
  let receivedAt = target - 30 * DAY * 1000;
  receivedAt -= regulatoryDueAt(receivedAt, idr, asic) - target;
  const c = await register({ regulation: 'asic', language: 'it', receivedAt: new Date(receivedAt).toISOString() });
  const letter = await eventually('the IDR delay notice', () => s.db.emailMessage.findFirst({ where: { complaintId: c.id, kind: 'asic_idr_delay', status: 'sent' } }), 40_000);
  expect(letter.textBody).toContain('https://www.afca.org.au');
  expect(letter.textBody).toContain('1800 931 678');
  expect(letter.subject).not.toMatch(/complaint/i); // written in Italian
  const [sent] = await eventually('the notice recorded', async () => { const e = await eventsOf(c.id, 'regulatory_letter_sent'); return e.length ? e : undefined; });
  expect(sent.data).toMatchObject({ clock: 'idr_response', kind: 'asic_idr_delay', dueAt: new Date(regulatoryDueAt(receivedAt, idr, asic)).toISOString() });
  expect(Date.parse((sent.data as any).at)).toBeGreaterThanOrEqual(regulatoryDueAt(receivedAt, idr, asic));
  await new Promise((r) => setTimeout(r, 3000));
  expect(await s.db.emailMessage.count({ where: { complaintId: c.id, kind: 'asic_idr_delay' } })).toBe(1);
});

test('payment services: the holding reply at the first point names the final deadline; the final deadline unmet is a breach', async () => {
  // A firm's own profile with the payment-services shape in hours, so both points fall within the test.
  await s.db.regulatoryProfile.create({
    data: {
      code: 'psd_hours_test', name: 'Payment services (test, in hours)', regulator: 'FCA', calendar: 'GB-ENG', timeZone: 'Europe/London',
      ombudsmanName: 'Financial Ombudsman Service', ombudsmanUrl: 'https://www.financial-ombudsman.org.uk',
      clocks: { create: [
        { name: 'holding_reply', citation: 'DISP 1.6.2AR(1)', amount: 1, unit: 'hours', metBy: 'final_response', atPoint: 'letter', letterKind: 'psd_holding_reply' },
        { name: 'final_deadline', citation: 'DISP 1.6.2AR(2)', amount: 2, unit: 'hours', metBy: 'final_response', atPoint: 'breach' },
      ] },
    },
  });
  const receivedAt = Date.now() - 2 * 3_600_000 + 14_000; // the holding reply is 14 s past due already; the final point in 14 s
  const c = await register({ regulation: 'psd_hours_test', receivedAt: new Date(receivedAt).toISOString() });
  const reply = await eventually('the holding reply', () => s.db.emailMessage.findFirst({ where: { complaintId: c.id, kind: 'psd_holding_reply', status: 'sent' } }));
  expect(reply.textBody).toContain('Financial Ombudsman Service');
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id: c.id } });
  expect(reply.textBody).toContain(formatDate(new Date(receivedAt + 2 * 3_600_000), row.language, row.timeZone));
  const [breach] = await eventually('the final deadline breached', async () => { const e = await eventsOf(c.id, 'regulatory_breached'); return e.length ? e : undefined; }, 40_000);
  expect(breach.data).toMatchObject({ clock: 'final_deadline', dueAt: new Date(receivedAt + 2 * 3_600_000).toISOString() });
  expect(Date.parse(breach.at.toISOString())).toBeGreaterThanOrEqual(receivedAt + 2 * 3_600_000);
  const live = await getJson(`${s.api}/complaints/${c.id}`, org.senior.auth);
  expect(live.body.workflow.state.regulatory.map((k: any) => [k.clock, k.state])).toEqual([['holding_reply', 'letter'], ['final_deadline', 'breached']]);
});

test('registration: an unknown profile is a 400; a CFPB portal complaint is held to the CFPB profile by its channel', async () => {
  const bad = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, regulation: 'nope' }), s.auth);
  expect(bad.status).toBe(400);
  expect(bad.body.error.fields).toHaveProperty('regulation');
  const cfpb = await register({ channel: 'cfpb_portal' });
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id: cfpb.id } })).regulation).toBe('cfpb');
  const [started] = await eventually('the CFPB clocks', async () => { const e = await eventsOf(cfpb.id, 'regulatory_clocks_started'); return e.length ? e : undefined; });
  expect((started.data as any).clocks.map((k: any) => k.name)).toEqual(['response', 'final_response']);
  // A clock the workflow could not count never gets into the table.
  await expect(s.db.regulatoryClock.create({ data: { profileCode: 'cfpb', name: 'bad', citation: 'x', amount: 2, unit: 'fortnights', metBy: 'response', atPoint: 'breach' } }))
    .rejects.toThrow(/regulatory_clocks_unit_check/);
  await expect(s.db.regulatoryClock.create({ data: { profileCode: 'cfpb', name: 'bad', citation: 'x', amount: 2, unit: 'hours', metBy: 'response', atPoint: 'letter' } }))
    .rejects.toThrow(/regulatory_clocks_letter_check/);
  const plain = await register({});
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id: plain.id } })).regulation).toBeNull();
});
