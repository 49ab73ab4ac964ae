import { act, must } from './support/actions';
import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// The managers' side: deadlines warn the owner, escalate up the chain when missed, stay quiet when met,
// and stand still while the case waits on the customer.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('sla');
  org = await createOrganisation(s.db, 'sla');
});
beforeEach(async () => { await relaxedSla(s.db); });
afterAll(async () => { await s?.close(); });

const status = (id: number) => s.temporal.workflow.getHandle(`complaint-${id}`).query<any>('status');
const file = async (extra: Record<string, unknown> = {}) => {
  const body = complaintBody({ department: org.department, ...extra });
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  return { id: res.body.id as number, reference: res.body.reference as string, customer: body.customerEmail as string };
};

test('a major safety complaint nobody triages warns its owner, then reaches a manager, then senior management', async () => {
  await setSla(s.db, 'major', { triage: 4, firstResponse: 600, resolution: 600, warnShare: 0.5, reescalate: 3 });
  const { id, reference } = await file({ flags: ['safety'] }); // flagged: at least major

  const [warning] = await waitForMail(org.supervisor.email); // before triage the department's supervisor owns it
  expect(warning.subject).toContain('[SLA warning]');
  expect(warning.subject).toContain(reference);
  const [toManager] = await waitForMail(org.manager.email, { timeoutMs: 15_000 });
  expect(toManager.subject).toContain(`[Escalation] ${reference}: triage deadline missed (major)`);
  expect(toManager.text).toContain(`/dashboard/complaints/${id}`); // a page staff can open
  const [toSenior] = await waitForMail(org.senior.email, { timeoutMs: 15_000 });
  expect(toSenior.text).toContain('escalated to you as senior management');

  const view = await eventually('level 3 in the workflow', async () => {
    const v = await status(id);
    return v.escalationLevel === 3 && v;
  });
  const triage = view.deadlines.find((d: any) => d.clock === 'triage');
  expect(view.severity).toBe('major');
  expect(triage.escalatedTo).toEqual(['manager', 'senior_manager']);
  expect(triage.breachedAt).toBeDefined();

  const escalations = await s.db.escalation.findMany({ where: { complaintId: id }, orderBy: { at: 'asc' } });
  expect(escalations.map((e) => [e.clock, e.level, e.staffId])).toEqual([
    ['triage', 'manager', org.manager.id], ['triage', 'senior_manager', org.senior.id],
  ]);
  // The first at the triage deadline, the next one re-escalation interval later; each recorded within 2 s.
  expect(escalations[0].deadline.toISOString()).toBe(triage.dueAt);
  expect(escalations[1].deadline.getTime() - escalations[0].deadline.getTime()).toBe(3000);
  for (const e of escalations) {
    const late = e.at.getTime() - e.deadline.getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThanOrEqual(2000);
  }
  // The top of the chain has been told; nobody is told again, and the owner only got the warning.
  await new Promise((r) => setTimeout(r, 3500));
  expect(await s.db.escalation.count({ where: { complaintId: id } })).toBe(2);
  expect((await mailTo(org.supervisor.email)).filter((m) => m.subject.includes(reference))).toHaveLength(1);
});

test('a deadline met just in time sends no escalation', async () => {
  await setSla(s.db, 'minor', { triage: 5, firstResponse: 600, resolution: 600, warnShare: 0.5, reescalate: 2 });
  const { id, reference } = await file();
  const triageClock = await eventually('the triage clock', async () => (await status(id)).deadlines.find((d: any) => d.clock === 'triage'));
  const due = new Date(triageClock.dueAt).getTime();
  await new Promise((r) => setTimeout(r, due - Date.now() - 1200)); // room for a slow round trip on a busy machine
  await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'delivery', severity: 'minor', department: org.department, ownerId: org.supervisor.id,
  });
  const triage = (await status(id)).deadlines.find((d: any) => d.clock === 'triage');
  expect(new Date(triage.metAt).getTime()).toBeLessThan(due);

  await new Promise((r) => setTimeout(r, 5000)); // past the deadline and a re-escalation interval
  expect(await s.db.escalation.count({ where: { complaintId: id } })).toBe(0);
  for (const person of [org.manager, org.senior]) {
    expect((await mailTo(person.email)).filter((m) => m.subject.includes(reference))).toHaveLength(0);
  }
  expect((await status(id)).escalationLevel).toBe(0);
});

test('waiting on the customer pauses the resolution clock: the deadline moves by the time spent waiting', async () => {
  const { id, customer } = await file();
  await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'billing', severity: 'minor', department: org.department, ownerId: org.supervisor.id,
  });
  const dueBefore = new Date((await status(id)).deadlines.find((d: any) => d.clock === 'resolution').dueAt).getTime();

  await must(s.api, org.agent, id, 'customer-requests', { question: 'Which store did you buy it from?' });
  const [question] = await waitForMail(customer, { filter: (m) => m.subject.includes('we need some information') });
  expect(question.text).toContain('Which store did you buy it from?');
  const waiting = await status(id);
  expect(waiting.stage).toBe('waiting_on_customer');
  expect(waiting.deadlines.find((d: any) => d.clock === 'resolution').paused).toBe(true);

  await new Promise((r) => setTimeout(r, 3000));
  await must(s.api, org.agent, id, 'customer-replies', { reply: 'The one on High Street.' });
  const after = await status(id);
  expect(after.stage).toBe('investigation');
  const at = async (type: string) => Date.parse(((await s.db.complaintEvent.findFirstOrThrow({ where: { complaintId: id, type } })).data as any).decidedAt);
  const waited = await at('customer_replied') - await at('customer_info_requested');
  expect(waited).toBeGreaterThanOrEqual(2900);
  const resolution = after.deadlines.find((d: any) => d.clock === 'resolution');
  expect(resolution.paused).toBe(false);
  expect(new Date(resolution.dueAt).getTime() - dueBefore).toBe(waited);
  // Asking the customer was the first response.
  expect(after.deadlines.find((d: any) => d.clock === 'firstResponse').metAt).toBeDefined();
});

test('a triage that raises the severity re-plans the remaining deadlines', async () => {
  await setSla(s.db, 'critical', { triage: 600, firstResponse: 120, resolution: 300, reescalate: 60 });
  const { id } = await file(); // registered as minor: 10-hour clocks
  const before = await eventually('the clocks', async () => { const v = await status(id); return v.deadlines.length === 3 && v; });
  const triaged = await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'safety', severity: 'critical', department: org.department, ownerId: org.manager.id,
  });
  const due = (v: any, clock: string) => new Date(v.deadlines.find((d: any) => d.clock === clock).dueAt).getTime();
  const start = due(before, 'resolution') - 10 * 3600_000; // the clocks run from arrival
  expect(due(triaged, 'resolution') - start).toBe(300_000);
  expect(due(triaged, 'firstResponse') - start).toBe(120_000);
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect(row.severity).toBe('critical');
  expect(row.resolutionDueAt!.getTime()).toBe(due(triaged, 'resolution'));
});

test('reclassifying during investigation re-plans the open deadlines: one now missed escalates at once', async () => {
  await setSla(s.db, 'critical', { triage: 600, firstResponse: 600, resolution: 2, reescalate: 600 });
  const { id, reference } = await file(); // minor: 10-hour clocks
  await must(s.api, org.supervisor, id, 'triage', {
    valid: true, category: 'delivery', severity: 'minor', department: org.department, ownerId: org.supervisor.id,
  });
  const before = await status(id);
  const arrival = new Date(before.deadlines.find((d: any) => d.clock === 'resolution').dueAt).getTime() - 10 * 3600_000;
  await new Promise((r) => setTimeout(r, Math.max(0, arrival + 2500 - Date.now()))); // past a critical resolution deadline

  // Refused, and nothing moves: an agent; the same severity; a supervisor left owning a critical complaint.
  const tryIt = (person: any, body: Record<string, unknown>) => act(s.api, person, id, 'reclassify', body);
  expect((await tryIt(org.agent, { severity: 'critical', reason: 'Burns' })).status).toBe(403);
  const same = await tryIt(org.supervisor, { severity: 'minor', reason: 'No change' });
  expect([same.status, same.body.error.message]).toEqual([422, 'the complaint is already minor']);
  const unfit = await tryIt(org.supervisor, { severity: 'critical', reason: 'Burns' });
  expect(unfit.status).toBe(422);
  expect(unfit.body.error.message).toMatch(/the current owner \(give ownerId\) of a critical complaint must be a manager/);
  const noFlag = await tryIt(org.supervisor, { severity: 'critical', flags: ['weather'], reason: 'Burns' });
  expect([noFlag.status, Object.keys(noFlag.body.error.fields)]).toEqual([400, ['flags.0']]);
  expect(await status(id)).toMatchObject({ severity: 'minor', ownerId: org.supervisor.id, deadlines: before.deadlines });

  const after = await must(s.api, org.supervisor, id, 'reclassify', { severity: 'critical', flags: ['safety'], reason: 'The base overheats', ownerId: org.manager.id });
  expect(after).toMatchObject({ severity: 'critical', flags: ['safety'], ownerId: org.manager.id, stage: 'investigation' });
  const due = (v: any, clock: string) => new Date(v.deadlines.find((d: any) => d.clock === clock).dueAt).getTime();
  expect(due(after, 'resolution') - arrival).toBe(2000);
  expect(due(after, 'firstResponse') - arrival).toBe(600_000);

  // The resolution deadline is already behind: one level above the new owner hears of it now.
  const [mail] = await waitForMail(org.senior.email, { filter: (m) => m.subject.includes(reference) });
  expect(mail.subject).toContain('resolution deadline missed (critical)');
  const escalation = await s.db.escalation.findFirstOrThrow({ where: { complaintId: id } });
  expect([escalation.clock, escalation.level, escalation.deadline.getTime()]).toEqual(['resolution', 'senior_manager', arrival + 2000]);
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect([row.severity, row.flagSafety, row.ownerId, row.resolutionDueAt!.getTime()]).toEqual(['critical', true, org.manager.id, arrival + 2000]);
  const event = await s.db.complaintEvent.findFirstOrThrow({ where: { complaintId: id, type: 'reclassified' } });
  expect(event.actorId).toBe(org.supervisor.id);
  expect(event.data).toMatchObject({ from: 'minor', to: 'critical', flags: ['safety'], textId: expect.any(Number), ownerId: org.manager.id });
  const timeline = await getJson(`${s.api}/complaints/${id}/timeline`, org.supervisor.auth);
  expect(timeline.body.find((e: any) => e.type === 'reclassified').data).toMatchObject({ text: 'The base overheats' });
});

test('a policy that counts working hours only puts the deadline inside working time', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const allWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['09:00', '17:00']]]));
  await setSla(s.db, 'minor', {
    triage: 3600, firstResponse: 8 * 3600 + 1800, resolution: 36000, reescalate: 3600,
    businessHours: { timeZone: 'UTC', week: allWeek, holidays: [today] }, // today does not count at all
  });
  const { id } = await file();
  const v = await eventually('the clocks', async () => { const x = await status(id); return x.deadlines.length === 3 && x; });
  const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const dayAfter = new Date(Date.parse(`${today}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
  const due = (clock: string) => v.deadlines.find((d: any) => d.clock === clock).dueAt;
  expect(due('triage')).toBe(`${tomorrow}T10:00:00.000Z`); // one working hour after tomorrow's opening
  expect(due('firstResponse')).toBe(`${dayAfter}T09:30:00.000Z`); // a full day, then half an hour
  expect(due('resolution')).toBe(`${dayAfter}T11:00:00.000Z`);
});
