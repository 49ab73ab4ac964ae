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
  expect(warning?.status).toBe('sending'); // still hanging when the escalation was recorded
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

test('with the mail server held, a triage accepted at 2 s meets the triage clock: no breach, no escalation', async () => {
  await setSla(s.db, 'minor', { triage: 6, firstResponse: 600, resolution: 600, warnShare: 0.5, reescalate: 2 });
  const body = complaintBody({ department: org.department });
  gate.hold();
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  const { id, reference } = res.body;
  const arrival = (await s.db.complaint.findUniqueOrThrow({ where: { id } })).createdAt.getTime();
  await eventually('the acknowledgement to reach the (held) mail server', async () => gate.waitingCount() > 0, 15_000);
  await new Promise((r) => setTimeout(r, Math.max(0, arrival + 2000 - Date.now())));

  // Taken and answered at once: the decision does not wait for the acknowledgement.
  const triage = { valid: true, category: 'delivery', severity: 'minor', department: org.department, ownerId: org.supervisor.id };
  const triaged = await act(s.api, org.supervisor, id, 'triage', triage);
  expect(triaged.status).toBe(200);
  expect(triaged.body.stage).toBe('investigation');
  const clock = triaged.body.deadlines.find((d: any) => d.clock === 'triage');
  expect(Date.parse(clock.dueAt)).toBe(arrival + 6000);
  expect(Date.parse(clock.metAt)).toBeLessThan(arrival + 4000);
  const again = await act(s.api, org.supervisor, id, 'triage', triage);
  expect([again.status, again.body.error.message]).toEqual([409, 'the complaint has already been triaged']);
  expect((await act(s.api, org.agent, id, 'notes', { text: 'The customer called again.' })).status).toBe(200);

  // Past the deadline and two re-escalation intervals, with the acknowledgement still hanging.
  await new Promise((r) => setTimeout(r, arrival + 11_000 - Date.now()));
  const ack = await s.db.emailMessage.findFirstOrThrow({ where: { complaintId: id, kind: 'acknowledgement' } });
  expect(ack.status).not.toBe('sent');
  const kinds = (await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: { step: 'asc' } })).map((e) => e.type);
  expect(kinds).toEqual(['received', 'triaged', 'note_added']);
  expect(await s.db.escalation.count({ where: { complaintId: id } })).toBe(0);
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect([row.stage, row.acknowledgedAt]).toEqual(['investigation', null]);

  gate.release();
  await eventually('the acknowledgement to be recorded', async () =>
    (await s.db.complaint.findUniqueOrThrow({ where: { id } })).acknowledgedAt !== null, 40_000);
  const after = await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: { step: 'asc' } });
  expect(after.map((e) => [e.type, e.actorId])).toEqual([
    ['received', expect.any(Number)], ['triaged', org.supervisor.id], ['note_added', org.agent.id], ['acknowledged', null],
  ]);
  expect((await s.db.complaint.findUniqueOrThrow({ where: { id } })).stage).toBe('investigation'); // the late acknowledgement moved nothing back
  await new Promise((r) => setTimeout(r, 1000)); // room for a stray duplicate
  expect(await mailTo(body.customerEmail)).toHaveLength(1);
  for (const person of [org.supervisor, org.manager, org.senior]) {
    expect((await mailTo(person.email)).filter((m) => m.subject.includes(reference))).toHaveLength(0);
  }
});
