import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { startRefusingSmtp } from './support/refusing-smtp';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// An address the mail server refuses for good is a fact to act on, not a reason to retry forever:
// the refusal is recorded, the person responsible is told, and the complaint moves on.

let s: TestServices;
let org: Organisation;
let smtp: Awaited<ReturnType<typeof startRefusingSmtp>>;
beforeAll(async () => {
  smtp = await startRefusingSmtp(Number(process.env.TEST_SMTP_PORT), (address) => address.startsWith('nobody.'));
  s = await startServices('undeliverable', {
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '1s', SURVEY_WINDOW: '2s',
  });
  org = await createOrganisation(s.db, 'undeliverable');
  await relaxedSla(s.db);
});
afterAll(async () => {
  await s?.close();
  await smtp?.close();
});

test('an address the mail server refuses for good: the complaint moves on, the refusal is on its timeline, the owner is emailed', async () => {
  const body = complaintBody({ department: org.department, customerEmail: `nobody.${Date.now().toString(36)}@example.com` });
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  const { id, reference } = res.body;

  // Before triage the department's supervisor is responsible, and is told.
  const [notice] = await waitForMail(org.supervisor.email, { filter: (m) => m.subject.includes(reference) });
  expect(notice.subject).toBe(`[Undeliverable] ${reference}: the customer's email address was refused`);
  expect(notice.text).toContain('acknowledgement');
  await eventually('stage triage', async () => (await s.db.complaint.findUniqueOrThrow({ where: { id } })).stage === 'triage');
  const ack = await s.db.emailMessage.findFirstOrThrow({ where: { complaintId: id, kind: 'acknowledgement' } });
  expect(ack.status).toBe('undeliverable');
  expect(ack.error).toMatch(/550/);

  // The owner, once there is one, hears of the next refusal; the complaint goes on to its end.
  await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'delivery', severity: 'minor', department: org.department, ownerId: org.manager.id,
  });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'process_failure' });
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'apology_given', summary: 'We apologised.', remedy: 'apology' });
  await must(s.api, org.supervisor, id, 'sign-off', { approve: true });
  const [letterNotice] = await waitForMail(org.manager.email, { filter: (m) => m.subject.includes(reference) });
  expect(letterNotice.text).toContain('follow-up letter');
  await s.temporal.workflow.getHandle(`complaint-${id}`).result();
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect([row.stage, row.outcome]).toEqual(['closed', 'no_response']);

  const timeline = await getJson(`${s.api}/complaints/${id}/timeline`, org.manager.auth);
  const refusals = timeline.body.filter((e: any) => e.type === 'email_undeliverable').map((e: any) => e.data.kind);
  expect(refusals).toEqual(['acknowledgement', 'follow_up_letter', 'survey', 'survey_reminder']);
  expect(await s.db.emailMessage.count({ where: { complaintId: id, recipient: body.customerEmail, status: 'sent' } })).toBe(0);
});
