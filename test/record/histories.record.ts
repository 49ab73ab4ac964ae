import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';
import { must } from '../support/actions';
import { complaintBody } from '../support/complaints';
import { mailTo, waitForMail } from '../support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation, type Person } from '../support/organisation';
import { eventually, postJson, startServices, type TestServices } from '../support/services';
import { seedRegulation } from '../../lib/regulatory-profiles';
import { regulatoryDueAt, type RegulatoryRule } from '../../workflows/regulatory';

// Runs one real complaint per scenario against the real stack, driven over HTTP as the lifecycle tests
// drive it, and keeps each finished workflow's history in test/histories/<scenario>.<yyyymmddThhmm>.json for
// test/replay.test.ts. `npm run histories:record` runs it (never `npm test`); `-- -t <scenario>` runs one.
// The rules for the recorded files are in test/histories/README.md.

const HISTORIES = path.join(__dirname, '..', 'histories');
const RECORDED_ON = new Date().toISOString().slice(0, 16).replace(/[-:]/g, ''); // e.g. 20261202T0130

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  // The survey's window leaves room for a slow answer on a busy machine; no-response still ends in seconds.
  s = await startServices('record', { SURVEY_DELAY: '2s', SURVEY_REMINDER_AFTER: '2s', SURVEY_WINDOW: '8s' });
  org = await createOrganisation(s.db, 'record');
  await seedRegulation(s.db);
});
// The SLA policy is read when a complaint starts: a scenario that shortens one starts from the relaxed ones.
beforeEach(async () => { await relaxedSla(s.db); });
afterAll(async () => { await s?.close(); });

const handle = (id: number) => s.temporal.workflow.getHandle(`complaint-${id}`);
const status = (id: number) => handle(id).query<any>('status');

async function file(extra: Record<string, unknown> = {}) {
  const body = complaintBody({ department: org.department, ...extra });
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  if (res.status !== 201) throw new Error(`filing a complaint answered ${res.status}: ${res.text}`);
  return { id: res.body.id as number, reference: res.body.reference as string, customer: body.customerEmail as string };
}

const triage = (id: number, extra: Record<string, unknown> = {}) => must(s.api, org.supervisor, id, 'triage', {
  valid: true, category: 'product_quality', severity: 'minor', department: org.department, ownerId: org.supervisor.id, ...extra,
});
const rootCause = (id: number) => must(s.api, org.agent, id, 'root-cause', { rootCause: 'manufacturing_defect', detail: 'Seal misaligned on line 3' });

/** Proposes a resolution and has it signed off; answered once the letter is out. */
async function resolve(id: number, signer: Person = org.supervisor) {
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'replacement_sent', summary: 'We sent you a new kettle.', remedy: 'replacement' });
  await must(s.api, signer, id, 'sign-off', { approve: true });
}

const answeredLinks = new Set<string>();
/** Answers the customer's newest survey through the link in its email, as the customer would. */
async function answerSurvey(customer: string, score: number, resolved: boolean) {
  const token = await eventually('a survey email with a new link', async () =>
    (await mailTo(customer)).map((m) => /\/survey\/([A-Za-z0-9_-]+)/.exec(m.text)?.[1]).find((t) => t && !answeredLinks.has(t)));
  answeredLinks.add(token);
  const res = await postJson(`${s.api}/survey/${token}`, { score, resolved, comment: score > 2 ? 'Thank you.' : 'Still broken.' });
  if (res.status !== 200) throw new Error(`the survey answer was refused with ${res.status}: ${res.text}`);
}

/** Where a scenario's history goes; refused before the scenario runs when that file is already there. */
function target(scenario: string) {
  const to = path.join(HISTORIES, `${scenario}.${RECORDED_ON}.json`);
  if (fs.existsSync(to)) {
    throw new Error(`${path.relative(process.cwd(), to)} already exists, and a recorded history is never edited: ` +
      'delete it first if it was never committed, or record on another day');
  }
  return to;
}

/** Waits for the complaint's workflow to end as expected, then writes its history. */
async function keepHistory(to: string, id: number, expected: Record<string, unknown>) {
  expect(await handle(id).result()).toMatchObject({ stage: 'closed', ...expected });
  expect((await handle(id).describe()).status.name).toBe('COMPLETED');
  const history = await handle(id).fetchHistory();
  // A history with a failed workflow task records a bug, not the process: it is no reference to replay.
  const failedTasks = history.events!.filter((e) => e.workflowTaskFailedEventAttributes);
  expect(failedTasks.map((e) => e.workflowTaskFailedEventAttributes!.failure?.message)).toEqual([]);
  const json = historyToJSON(history);
  expect(historyFromJSON(JSON.parse(json)).events).toHaveLength(history.events!.length); // reads back whole
  fs.mkdirSync(HISTORIES, { recursive: true });
  fs.writeFileSync(to, `${json}\n`, { flag: 'wx' });
}

test('happy-path: filed, triaged, investigated, resolved, signed off, and the satisfied customer closes it', async () => {
  const to = target('happy-path');
  const { id, customer } = await file();
  await waitForMail(customer); // acknowledged
  await eventually('stage triage', async () => (await status(id)).stage === 'triage');
  await triage(id);
  await must(s.api, org.agent, id, 'notes', { text: 'Called the customer; the seal was fitted crooked.' });
  await rootCause(id);
  await resolve(id);
  await answerSurvey(customer, 5, true);
  await keepHistory(to, id, { outcome: 'resolved', reopenCount: 0 });
});

test('rejection: triaged as invalid, the customer gets the reason and the case closes', async () => {
  const to = target('rejection');
  const { id } = await file();
  await must(s.api, org.supervisor, id, 'triage', { valid: false, rejectionReason: 'The product was bought from another company.' });
  await keepHistory(to, id, { outcome: 'rejected', valid: false });
});

test('withdrawal: withdrawn during the investigation, the case closes', async () => {
  const to = target('withdrawal');
  const { id } = await file();
  await triage(id);
  await rootCause(id);
  await must(s.api, org.agent, id, 'withdrawal', { reason: 'Customer phoned: the kettle works after all.' });
  await keepHistory(to, id, { outcome: 'withdrawn' });
});

test('reopen-by-survey: an unhappy answer reopens the case, the second resolution satisfies', async () => {
  const to = target('reopen-by-survey');
  const { id, customer } = await file();
  await triage(id);
  await rootCause(id);
  await resolve(id);
  await answerSurvey(customer, 1, false);
  await eventually('the case to reopen', async () => { const v = await status(id); return v.stage === 'investigation' && v.reopenCount === 1; });
  await resolve(id);
  await answerSurvey(customer, 5, true);
  await keepHistory(to, id, { outcome: 'resolved', reopenCount: 1 });
});

test('no-response: the survey and its reminder go unanswered, the case closes as no response', async () => {
  const to = target('no-response');
  const { id } = await file();
  await triage(id);
  await rootCause(id);
  await resolve(id);
  await keepHistory(to, id, { outcome: 'no_response' });
});

test('escalation-to-top: a major safety complaint nobody triages reaches a manager, then senior management', async () => {
  await setSla(s.db, 'major', { triage: 4, firstResponse: 600, resolution: 600, warnShare: 0.5, reescalate: 3 });
  const to = target('escalation-to-top');
  const { id, reference } = await file({ flags: ['safety'] }); // flagged: at least major
  await waitForMail(org.senior.email, { filter: (m) => m.subject.includes(reference), timeoutMs: 30_000 });
  await eventually('level 3 in the workflow', async () => (await status(id)).escalationLevel === 3);
  await triage(id, { severity: 'major', flags: ['safety'], ownerId: org.manager.id });
  await must(s.api, org.agent, id, 'withdrawal', { reason: 'Settled by the manager on the phone.' });
  await keepHistory(to, id, { outcome: 'withdrawn' });
});

test('reclassification: a minor complaint becomes critical during investigation, a manager takes it to the end', async () => {
  const to = target('reclassification');
  const { id, customer } = await file();
  await triage(id);
  await must(s.api, org.supervisor, id, 'reclassify', { severity: 'critical', flags: ['safety'], reason: 'The base overheats', ownerId: org.manager.id });
  await rootCause(id);
  await must(s.api, org.agent, id, 'report', { report: 'The seal lets water reach the heating element.' });
  await resolve(id, org.manager);
  await answerSurvey(customer, 5, true);
  await keepHistory(to, id, { outcome: 'resolved', severity: 'critical' });
});

test('waiting-on-customer: the case waits for the customer\'s answer, then runs to the end', async () => {
  const to = target('waiting-on-customer');
  const { id, customer } = await file();
  await triage(id);
  await must(s.api, org.agent, id, 'customer-requests', { question: 'Which store did you buy it from?' });
  await waitForMail(customer, { filter: (m) => m.subject.includes('we need some information') });
  await must(s.api, org.agent, id, 'customer-replies', { reply: 'The one on High Street.' });
  await rootCause(id);
  await resolve(id);
  await answerSurvey(customer, 5, true);
  await keepHistory(to, id, { outcome: 'resolved' });
});

test('business-hours: deadlines counted in working hours only, the case runs to the end', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const week = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['09:00', '17:00']]]));
  await setSla(s.db, 'minor', {
    triage: 3600, firstResponse: 8 * 3600 + 1800, resolution: 36000, reescalate: 3600,
    businessHours: { timeZone: 'UTC', week, holidays: [today] },
  });
  const to = target('business-hours');
  const { id, customer } = await file();
  await eventually('the deadlines', async () => (await status(id)).deadlines.length === 3);
  await triage(id);
  await rootCause(id);
  await resolve(id);
  await answerSurvey(customer, 5, true);
  await keepHistory(to, id, { outcome: 'resolved' });
});

test('notes-and-messages: notes, a message to the customer and a report along the way, then the end', async () => {
  const to = target('notes-and-messages');
  const { id, customer } = await file();
  await must(s.api, org.agent, id, 'notes', { text: 'Registered from a phone call.' });
  await triage(id);
  await must(s.api, org.agent, id, 'notes', { text: 'Asked the warehouse for the batch number.' });
  await must(s.api, org.agent, id, 'responses', { message: 'We are looking into it and will write again this week.' });
  await waitForMail(customer, { filter: (m) => m.text.includes('We are looking into it') });
  await must(s.api, org.agent, id, 'report', { report: 'Batch 42 had misaligned seals.' });
  await rootCause(id);
  await resolve(id);
  await answerSurvey(customer, 4, true);
  await keepHistory(to, id, { outcome: 'resolved' });
});

/** A receipt whose rule's point falls `inMs` from now, in the profile's own calendar arithmetic. */
async function receivedFor(profile: string, clock: string, inMs: number) {
  const p = await s.db.regulatoryProfile.findUniqueOrThrow({ where: { code: profile }, include: { clocks: true } });
  const plan = { ...p, holidays: (await s.db.publicHoliday.findMany({ where: { calendar: p.calendar } })).map((h) => h.date.toISOString().slice(0, 10)) };
  const rule = p.clocks.find((c) => c.name === clock)! as unknown as RegulatoryRule;
  const target = Date.now() + inMs;
  let at = target - rule.amount * 86_400_000;
  at -= regulatoryDueAt(at, rule, plan) - target;
  return new Date(at).toISOString();
}

test('regulatory-fca-eight-weeks: an FCA complaint reaches eight weeks without a final response; the referral-rights letter, then the final response', async () => {
  const to = target('regulatory-fca-eight-weeks');
  const { id, customer } = await file({ regulation: 'fca', productGroup: 'banking', receivedAt: await receivedFor('fca', 'eight_weeks', 5000) });
  await eventually('the eight-week letter', () => s.db.emailMessage.findFirst({ where: { complaintId: id, kind: 'fca_eight_week', status: 'sent' } }), 30_000);
  await eventually('the letter recorded', () => s.db.complaintEvent.findFirst({ where: { complaintId: id, type: 'regulatory_letter_sent' } }));
  await triage(id);
  await rootCause(id);
  await resolve(id);
  await answerSurvey(customer, 5, true);
  await keepHistory(to, id, { outcome: 'resolved' });
});

test('regulatory-summary-resolution: an FCA complaint resolved within three business days is a summary resolution', async () => {
  const to = target('regulatory-summary-resolution');
  const { id, customer } = await file({ regulation: 'fca', productGroup: 'credit_cards' });
  await triage(id);
  await rootCause(id);
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'refund_issued', summary: 'We refunded the fee.', remedy: 'refund', refundAmount: 12.5, upheld: true });
  await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
  await answerSurvey(customer, 5, true);
  await keepHistory(to, id, { outcome: 'resolved' });
});

test('regulatory-asic-late-acknowledgement: an ASIC complaint received a week before it was registered: the acknowledgement is a breach; withdrawn', async () => {
  const to = target('regulatory-asic-late-acknowledgement');
  const { id } = await file({ regulation: 'asic', receivedAt: new Date(Date.now() - 7 * 86_400_000).toISOString() });
  await eventually('the late acknowledgement', () => s.db.complaintEvent.findFirst({ where: { complaintId: id, type: 'regulatory_met' } }));
  await triage(id);
  await must(s.api, org.agent, id, 'responses', { message: 'We are looking into it.' });
  await must(s.api, org.agent, id, 'withdrawal', { reason: 'Settled on the phone.' });
  await keepHistory(to, id, { outcome: 'withdrawn' });
});
