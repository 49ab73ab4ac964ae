import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('happy', { SURVEY_DELAY: '2s', SURVEY_REMINDER_AFTER: '20s', SURVEY_WINDOW: '40s' });
  org = await createOrganisation(s.db, 'happy');
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

test('a minor complaint goes from acknowledgement to a closed case with a satisfied customer', async () => {
  const body = complaintBody({ department: org.department });
  const created = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(created.status).toBe(201);
  const { id, reference } = created.body;
  const customer = body.customerEmail;

  // 1. Acknowledged
  const [ack] = await waitForMail(customer);
  expect(ack.subject).toContain(reference);

  // 2. Triage by a supervisor, who also owns it (enough for a minor complaint)
  await eventually('stage triage', async () => (await getJson(`${s.api}/complaints/${id}`, org.agent.auth)).body.stage === 'triage');
  const triaged = await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'product_quality', severity: 'minor',
    department: org.department, ownerId: org.supervisor.id,
  });
  expect(triaged).toMatchObject({ stage: 'investigation', severity: 'minor', ownerId: org.supervisor.id });

  // 3. Investigation
  await must(s.api, org.agent, id, 'notes', { text: 'Called the customer; the seal was fitted crooked.' });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'manufacturing_defect', detail: 'Seal misaligned on line 3' });

  // 4. Resolution proposed, 5. signed off by the supervisor
  await must(s.api, org.agent, id, 'resolution', {
    resolutionCode: 'replacement_sent', summary: 'We sent you a new kettle from a checked batch.', remedy: 'replacement',
  });
  const signed = await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
  expect(signed.stage).toBe('resolved'); // answered once the letter is out

  // 6. Follow-up letter, personal, and kept with the complaint
  const [letter] = await waitForMail(customer, { filter: (m) => m.subject.includes('what we found') });
  expect(letter.text).toContain(`Dear ${body.customerName}`);
  expect(letter.text).toContain(reference);
  expect(letter.text).toContain('Manufacturing defect: Seal misaligned on line 3'); // the list's label, not its code
  expect(letter.text).toContain('We sent you a new kettle from a checked batch.');
  expect(letter.text).toContain('We are sending you a replacement.');
  const stored = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect(stored.letterText).toBe(letter.text.trimEnd() + '\n');
  expect(stored.signedOffById).toBe(org.supervisor.id);

  // 7. The survey comes the configured delay after resolution, with a link
  const [survey] = await waitForMail(customer, { filter: (m) => m.subject.includes('did we put things right') });
  expect(new Date(survey.date).getTime() - new Date(letter.date).getTime()).toBeGreaterThanOrEqual(1900);
  const token = /\/survey\/([A-Za-z0-9_-]+)/.exec(survey.text)![1];
  const answered = await postJson(`${s.api}/survey/${token}`, { score: 5, resolved: true, comment: 'Quick and kind.' });
  expect(answered.status).toBe(200);

  // 8. Closed; the department learns cause and outcome
  const result = await s.temporal.workflow.getHandle(`complaint-${id}`).result();
  expect(result).toMatchObject({ stage: 'closed', outcome: 'resolved', reopenCount: 0 });
  const [summary] = await waitForMail(org.departmentEmail);
  expect(summary.subject).toContain(reference);
  expect(summary.text).toContain('Root cause: manufacturing_defect');
  expect(summary.text).toContain('5/5, resolved');

  const events = await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: { id: 'asc' } });
  expect(events.map((e) => e.type)).toEqual([
    'received', 'acknowledged', 'triaged', 'note_added', 'root_cause_recorded', 'resolution_proposed',
    'signed_off', 'letter_sent', 'survey_sent', 'survey_answered', 'closed',
  ]);
  expect(events.find((e) => e.type === 'triaged')!.actorId).toBe(org.supervisor.id);
  expect(events.find((e) => e.type === 'signed_off')!.actorId).toBe(org.supervisor.id);
  const final = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect(final).toMatchObject({ stage: 'closed', outcome: 'resolved', rootCause: 'manufacturing_defect', resolutionCode: 'replacement_sent' });
  expect(await s.db.surveyResponse.findMany({ where: { complaintId: id } })).toMatchObject([{ score: 5, resolved: true, comment: 'Quick and kind.' }]);
  // Every email the customer got, in order, and nothing else.
  const all = await waitForMail(customer, { count: 3 });
  expect(all.map((m) => m.subject).sort()).toEqual([ack.subject, letter.subject, survey.subject].sort());
  // The same survey link cannot be used twice.
  expect((await postJson(`${s.api}/survey/${token}`, { score: 1, resolved: false })).status).toBe(410);
  // The customer's answer is a step of the complaint; the audit trail (staff's requests) holds neither
  // the customer's link nor their words.
  expect(events.find((e) => e.type === 'survey_answered')!.data).toMatchObject({ score: 5, resolved: true, textId: expect.any(Number) });
  expect(JSON.stringify(await s.db.auditEntry.findMany({ select: { path: true, detail: true } }))).not.toMatch(new RegExp(`${token}|Quick and kind`));
});
