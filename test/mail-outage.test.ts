import { act } from './support/actions';
import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { startSmtpGate } from './support/smtp-gate';
import { eventually, postJson, startServices, type TestServices } from './support/services';

// A mail server that hangs: deadlines do not wait for it (a warning stuck there must not hold back the
// escalation that falls due meanwhile), staff actions are taken and answered, and every email still
// arrives, once, when mail flows again.

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

test('a triage sent while the acknowledgement hangs is accepted (202) and takes effect when mail flows', async () => {
  const body = complaintBody({ department: org.department });
  gate.hold();
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  const { id } = res.body;
  await eventually('the acknowledgement to reach the (held) mail server', async () => gate.waitingCount() > 0, 15_000);

  const triage = { valid: true, category: 'delivery', severity: 'minor', department: org.department, ownerId: org.supervisor.id };
  const first = await act(s.api, org.supervisor, id, 'triage', triage);
  expect(first.status).toBe(202);
  expect(first.body).toMatchObject({ accepted: true, updateId: expect.any(String) });
  // On record already: a second triage is refused at once, while nothing is in PostgreSQL yet.
  const second = await act(s.api, org.supervisor, id, 'triage', triage);
  expect([second.status, second.body.error.message]).toEqual([409, 'the complaint has already been triaged']);
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'triaged' } })).toBe(0);
  // A note waits for nothing.
  expect((await act(s.api, org.agent, id, 'notes', { text: 'The customer called again.' })).status).toBe(200);

  gate.release();
  await eventually('the triage to take effect', async () => (await s.db.complaint.findUnique({ where: { id } }))?.stage === 'investigation', 30_000);
  const types = (await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: { id: 'asc' } })).map((e) => [e.type, e.actorId]);
  expect(types).toEqual([['received', expect.any(Number)], ['note_added', org.agent.id], ['acknowledged', null], ['triaged', org.supervisor.id]]);
  await new Promise((r) => setTimeout(r, 1000)); // room for a stray duplicate
  expect(await mailTo(body.customerEmail)).toHaveLength(1);
});
