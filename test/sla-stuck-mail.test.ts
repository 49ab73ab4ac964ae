import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { startSmtpGate } from './support/smtp-gate';
import { eventually, postJson, startServices, type TestServices } from './support/services';

// Deadlines do not wait for side effects: a warning email stuck at a slow mail server must not hold
// back the escalation that falls due while it hangs, and both still arrive, once, when mail flows.

let s: TestServices;
let org: Organisation;
let gate: Awaited<ReturnType<typeof startSmtpGate>>;
beforeAll(async () => {
  gate = await startSmtpGate(Number(process.env.TEST_SMTP_PORT));
  s = await startServices('stuck-mail', { SMTP_URL: `smtp://127.0.0.1:${gate.port}` }); // default 1 min attempt timeout
  org = await createOrganisation(s.db, 'stuck-mail');
  await relaxedSla(s.db);
});
afterAll(async () => {
  await s?.close();
  await gate?.close();
});

test('an escalation is recorded on time while the warning before it hangs at the mail server', async () => {
  await setSla(s.db, 'major', { triage: 10, firstResponse: 600, resolution: 600, warnShare: 0.3, reescalate: 600 });
  const body = complaintBody({ department: org.department, flags: ['safety'] });
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  const { id, reference } = res.body;
  await waitForMail(body.customerEmail); // the acknowledgement goes through the open gate
  gate.hold();

  // At 3 s the warning leaves for the mail server, which never answers while the gate is held.
  await eventually('the warning to reach the (held) mail server', async () => gate.waitingCount() > 0, 15_000);
  const row = await eventually('the escalation row', () => s.db.escalation.findFirst({ where: { complaintId: id } }), 20_000);
  const late = row.at.getTime() - row.deadline.getTime();
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThanOrEqual(2000);
  const warning = await s.db.emailMessage.findFirst({ where: { complaintId: id, kind: 'sla_warning' } });
  expect(warning?.status).toBe('pending'); // still hanging when the escalation was recorded
  expect(await mailTo(org.manager.email)).toHaveLength(0);

  gate.release();
  const [warned] = await waitForMail(org.supervisor.email, { filter: (m) => m.subject.includes(reference) });
  expect(warned.subject).toContain('[SLA warning]');
  const [escalated] = await waitForMail(org.manager.email, { filter: (m) => m.subject.includes(reference) });
  expect(escalated.subject).toContain(`[Escalation] ${reference}`);
  await eventually('the workflow to know the manager was told', async () => {
    const view = await s.temporal.workflow.getHandle(`complaint-${id}`).query<any>('status');
    return view.escalationLevel === 2;
  });
  await new Promise((r) => setTimeout(r, 1000)); // room for a stray duplicate
  expect((await mailTo(org.supervisor.email)).filter((m) => m.subject.includes(reference))).toHaveLength(1);
  expect((await mailTo(org.manager.email)).filter((m) => m.subject.includes(reference))).toHaveLength(1);
});
