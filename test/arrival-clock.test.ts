import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { eventually, postJson, startServices, type TestServices } from './support/services';

// Clocks count from the complaint's arrival, not from when a worker first got to it: a complaint filed
// while no worker runs is already late when one starts, and is escalated at once, against its arrival.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('arrival');
  org = await createOrganisation(s.db, 'arrival');
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

test('a critical complaint filed while no worker runs is escalated at once when one starts, its deadline counted from arrival', async () => {
  await setSla(s.db, 'critical', { triage: 20, firstResponse: 600, resolution: 600, warnShare: 0.5, reescalate: 600 });
  await s.worker.stop();
  const body = complaintBody({ department: org.department, severity: 'critical' });
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  const { id, reference } = res.body;
  const arrival = (await s.db.complaint.findUniqueOrThrow({ where: { id } })).createdAt.getTime();

  // The worker starts 40 s after arrival, 20 s past the triage deadline.
  await new Promise((r) => setTimeout(r, arrival + 40_000 - Date.now()));
  expect(await s.db.escalation.count({ where: { complaintId: id } })).toBe(0);
  await s.startWorker();
  const polling = Date.now();

  const escalation = await eventually('the escalation row', () => s.db.escalation.findFirst({ where: { complaintId: id } }), 20_000);
  expect([escalation.clock, escalation.level, escalation.staffId]).toEqual(['triage', 'manager', org.manager.id]);
  expect(escalation.deadline.getTime()).toBe(arrival + 20_000);
  expect(escalation.at.getTime() - polling).toBeLessThan(5000); // at once, not 20 s after the worker started
  const [mail] = await waitForMail(org.manager.email, { filter: (m) => m.subject.includes(reference) });
  expect(mail.subject).toBe(`[Escalation] ${reference}: triage deadline missed (critical)`);

  const view = await s.temporal.workflow.getHandle(`complaint-${id}`).query<any>('status');
  const triage = view.deadlines.find((d: any) => d.clock === 'triage');
  expect(Date.parse(triage.dueAt)).toBe(arrival + 20_000);
  expect(triage.escalatedTo).toEqual(['manager']);
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect(row.triageDueAt!.getTime()).toBe(arrival + 20_000);
  const breach = await s.db.complaintEvent.findFirstOrThrow({ where: { complaintId: id, type: 'sla_breached' } });
  expect(breach.data).toMatchObject({ clock: 'triage', dueAt: new Date(arrival + 20_000).toISOString() });
  // A warning found only after its deadline is no use to anyone: the supervisor is not sent one.
  expect((await mailTo(org.supervisor.email)).filter((m) => m.subject.includes(reference))).toHaveLength(0);
});
