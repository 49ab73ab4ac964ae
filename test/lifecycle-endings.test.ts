import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { eventually, postJson, startServices, type TestServices } from './support/services';

// How a complaint ends: reopened by an unhappy customer, closed without an answer, rejected, withdrawn.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('endings', { SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '2s', SURVEY_WINDOW: '4s', REOPEN_PRIORITY: 'urgent' });
  org = await createOrganisation(s.db, 'endings');
});
beforeEach(async () => { await relaxedSla(s.db); });
afterAll(async () => { await s?.close(); });

const handle = (id: number) => s.temporal.workflow.getHandle(`complaint-${id}`);
const status = (id: number) => handle(id).query<any>('status');
const surveyLink = (text: string) => /\/survey\/([A-Za-z0-9_-]+)/.exec(text)![1];

async function resolvedComplaint() {
  const body = complaintBody({ department: org.department });
  const id = (await postJson(`${s.api}/complaints`, body, s.auth)).body.id as number;
  await must(s.api, org.supervisor, id, 'triage', { valid: true, category: 'service', severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'communication' });
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'apology_given', summary: 'We apologised.', remedy: 'apology' });
  await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
  return { id, customer: body.customerEmail as string };
}

test('a survey score of 1 reopens the case to investigation at a raised priority', async () => {
  const { id, customer } = await resolvedComplaint();
  const [survey] = await waitForMail(customer, { filter: (m) => m.subject.includes('did we put things right') });
  // Sent three times at once (a double click, a second tab): one answer counts, the others are told so.
  const tries = await Promise.all([1, 2, 3].map(() => postJson(`${s.api}/survey/${surveyLink(survey.text)}`, { score: 1, resolved: false, comment: 'Still broken.' })));
  expect(tries.map((t) => t.status).sort()).toEqual([200, 410, 410]);
  expect(tries.filter((t) => t.status === 410).map((t) => t.body.error.code)).toEqual(['survey_answered', 'survey_answered']);

  const reopened = await eventually('the case to reopen', async () => { const v = await status(id); return v.stage === 'investigation' && v; });
  expect(reopened).toMatchObject({ priority: 'urgent', reopenCount: 1 });
  expect(reopened.deadlines.filter((d: any) => d.clock === 'resolution').map((d: any) => d.round)).toEqual([1, 2]);
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({ stage: 'investigation', priority: 'urgent', reopenCount: 1, resolutionCode: null, signedOffById: null });
  expect((await s.db.complaintEvent.findFirstOrThrow({ where: { complaintId: id, type: 'reopened' } })).data).toMatchObject({ score: 1, resolved: false });

  // The second round runs the same way and can end well.
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'replacement_sent', summary: 'A new unit.', remedy: 'replacement' });
  await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
  const surveys = await waitForMail(customer, { count: 2, filter: (m) => m.subject.includes('did we put things right') });
  const second = surveys.find((m) => surveyLink(m.text) !== surveyLink(survey.text))!;
  expect((await postJson(`${s.api}/survey/${surveyLink(second.text)}`, { score: 5, resolved: true })).status).toBe(200);
  expect(await handle(id).result()).toMatchObject({ stage: 'closed', outcome: 'resolved', reopenCount: 1 });
});

test('an unanswered survey gets one reminder, then the case closes as "no response"', async () => {
  const { id, customer } = await resolvedComplaint();
  const result = await handle(id).result();
  expect(result).toMatchObject({ stage: 'closed', outcome: 'no_response' });
  const mails = await mailTo(customer);
  expect(mails.filter((m) => m.subject.includes('did we put things right'))).toHaveLength(1);
  expect(mails.filter((m) => m.subject.startsWith('Reminder:'))).toHaveLength(1);
  const types = (await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: { id: 'asc' } })).map((e) => e.type);
  expect(types.slice(-4)).toEqual(['letter_sent', 'survey_sent', 'survey_reminder_sent', 'closed']);
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id } })).outcome).toBe('no_response');
  // The link lives as long as the complaint's survey window (4 s here), as the workflow waits.
  const invitation = await s.db.surveyInvitation.findFirstOrThrow({ where: { complaintId: id } });
  expect(Math.abs(invitation.expiresAt.getTime() - invitation.createdAt.getTime() - 4000)).toBeLessThan(1000);
  // A late answer finds the survey closed.
  const link = surveyLink(mails.find((m) => m.subject.startsWith('Reminder:'))!.text);
  const late = await postJson(`${s.api}/survey/${link}`, { score: 4, resolved: true });
  expect(late.status).toBe(410);
  expect(late.body.error.code).toBe('survey_expired');
});

test('an invalid complaint gets a polite rejection letter with the reason and is closed', async () => {
  const body = complaintBody({ department: org.department });
  const { id, reference } = (await postJson(`${s.api}/complaints`, body, s.auth)).body;
  await must(s.api, org.supervisor, id, 'triage', { valid: false, rejectionReason: 'The product was bought from another company.' });
  const [letter] = await waitForMail(body.customerEmail, { filter: (m) => m.subject.includes('our review') });
  expect(letter.subject).toContain(reference);
  expect(letter.text).toContain('The product was bought from another company.');
  expect(await handle(id).result()).toMatchObject({ stage: 'closed', outcome: 'rejected', valid: false });
  expect(await s.db.complaint.findUniqueOrThrow({ where: { id } })).toMatchObject({ valid: false, outcome: 'rejected', stage: 'closed' });
});

test('a withdrawn complaint is closed and its deadlines no longer escalate', async () => {
  await setSla(s.db, 'minor', { triage: 3, firstResponse: 3, resolution: 3, warnShare: 0.9, reescalate: 1 });
  const body = complaintBody({ department: org.department });
  const { id, reference } = (await postJson(`${s.api}/complaints`, body, s.auth)).body;
  await waitForMail(body.customerEmail);
  const res = await must(s.api, org.agent, id, 'withdrawal', { reason: 'Customer phoned: the kettle works after all.' });
  expect(res).toMatchObject({ stage: 'closed', outcome: 'withdrawn' });
  expect(await handle(id).result()).toMatchObject({ outcome: 'withdrawn' });
  expect((await handle(id).describe()).status.name).toBe('COMPLETED');
  // Cancelling the lifecycle left nothing dangling: no workflow task ever failed.
  const history = await handle(id).fetchHistory();
  expect(history.events!.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
  await waitForMail(body.customerEmail, { filter: (m) => m.subject.includes('withdrawn') });

  await new Promise((r) => setTimeout(r, 4500)); // well past every deadline
  expect(await s.db.escalation.count({ where: { complaintId: id } })).toBe(0);
  for (const person of [org.supervisor, org.manager, org.senior]) {
    expect((await mailTo(person.email)).filter((m) => m.subject.includes(reference))).toHaveLength(0);
  }
  const after = await postJson(`${s.api}/complaints/${id}/notes`, { text: 'too late' }, org.agent.auth);
  expect(after.status).toBe(409);
});
