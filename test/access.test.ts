import { act, must } from './support/actions';
import { complaintBody } from './support/complaints';
import { waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation, type Person } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';
import { issueToken } from '../lib/tokens';

// Staff act with tokens of the right role; anything else is refused before it reaches the workflow.

let s: TestServices;
let org: Organisation;
let admin: Person;
beforeAll(async () => {
  s = await startServices('access', { SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '20s', SURVEY_WINDOW: '40s' });
  org = await createOrganisation(s.db, 'access');
  admin = org.admin;
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

const status = (id: number) => s.temporal.workflow.getHandle(`complaint-${id}`).query<any>('status');
const noToken: Person = { id: 0, email: '', name: 'nobody', token: '', auth: {} };
const badToken: Person = { id: 0, email: '', name: 'forger', token: 'cmp_x_y', auth: { authorization: 'Bearer cmp_00000000_forged' } };

/** The wrong people try first: each refused with 401/403, and the workflow does not move. */
async function onlyFor(id: number, action: string, body: Record<string, unknown>, wrong: [Person, number][], right: Person) {
  for (const [person, code] of wrong) {
    const before = await status(id);
    const res = await act(s.api, person, id, action, body);
    expect([action, person.name, res.status]).toEqual([action, person.name, code]);
    expect(res.body.error.code).toBe(code === 401 ? (person === noToken ? 'unauthenticated' : 'invalid_token') : 'forbidden');
    expect(await status(id)).toEqual(before);
  }
  return must(s.api, right, id, action, body);
}

test('a complaint walks its whole life over HTTP with tokens of the right roles; wrong roles get 403, no token 401', async () => {
  const body = complaintBody({ department: org.department });
  expect((await postJson(`${s.api}/complaints`, body)).status).toBe(401);
  expect((await postJson(`${s.api}/complaints`, body, admin.auth)).status).toBe(403); // admins manage, staff register
  const created = await postJson(`${s.api}/complaints`, body, org.agent.auth);
  expect(created.status).toBe(201);
  const id = created.body.id;
  await waitForMail(body.customerEmail);
  await eventually('the acknowledgement', async () => (await status(id)).stage === 'triage'); // nothing moves by itself from here

  const triage = { valid: true, category: 'delivery', severity: 'major', department: org.department, ownerId: org.manager.id };
  await onlyFor(id, 'triage', triage, [[noToken, 401], [badToken, 401], [org.agent, 403], [admin, 403]], org.supervisor);
  await onlyFor(id, 'root-cause', { rootCause: 'process_failure' }, [[noToken, 401], [admin, 403]], org.agent);
  await onlyFor(id, 'report', { report: 'Parcel left at the wrong depot.' }, [[noToken, 401]], org.agent);
  await onlyFor(id, 'resolution', { resolutionCode: 'explanation_given', summary: 'We explained.', remedy: 'apology' }, [[admin, 403]], org.agent);
  // A supervisor passes the API's role gate, but the workflow wants a manager for a major complaint.
  await onlyFor(id, 'sign-off', { approve: true }, [[org.agent, 403], [org.supervisor, 403], [admin, 403]], org.manager);

  const [survey] = await waitForMail(body.customerEmail, { filter: (m) => m.subject.includes('did we put things right') });
  const token = /\/survey\/([A-Za-z0-9_-]+)/.exec(survey.text)![1];
  expect((await postJson(`${s.api}/survey/${token}`, { score: 5, resolved: true })).status).toBe(200); // customers need no account
  expect(await s.temporal.workflow.getHandle(`complaint-${id}`).result()).toMatchObject({ outcome: 'resolved' });

  // Each step names the person whose token made it.
  const timeline = await getJson(`${s.api}/complaints/${id}/timeline`, org.agent.auth);
  const by = (type: string) => timeline.body.find((e: any) => e.type === type)?.actor?.id;
  expect([by('received'), by('triaged'), by('root_cause_recorded'), by('signed_off')]).toEqual([org.agent.id, org.supervisor.id, org.agent.id, org.manager.id]);
  expect((await getJson(`${s.api}/complaints/${id}/timeline`)).status).toBe(401);
});

test('ten concurrent retries of one registration with the same Idempotency-Key make one complaint and one workflow', async () => {
  const body = complaintBody({ department: org.department });
  const headers = { ...org.agent.auth, 'Idempotency-Key': `retry-${Date.now()}` };
  const answers = await Promise.all(Array.from({ length: 10 }, () => postJson(`${s.api}/complaints`, body, headers)));
  expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
  const ids = new Set(answers.map((a) => a.body.id));
  expect(ids.size).toBe(1);
  expect(await s.db.complaint.count({ where: { customerEmail: body.customerEmail } })).toBe(1);
  const workflows: string[] = [];
  for await (const wf of s.temporal.workflow.list({ query: `TaskQueue = '${s.taskQueue}' AND WorkflowId = 'complaint-${[...ids][0]}'` })) workflows.push(wf.workflowId);
  expect(workflows).toHaveLength(1);
  await waitForMail(body.customerEmail);
  // The same key with another body is a mistake, not a retry.
  const other = await postJson(`${s.api}/complaints`, { ...body, description: 'Something else' }, headers);
  expect(other.status).toBe(422);
  expect(other.body.error.code).toBe('idempotency_key_reused');
});

test('every change is in the audit trail with who, what, when and the outcome', async () => {
  const requestId = `audit-${Date.now()}`;
  const created = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department }), { ...org.agent.auth, 'X-Request-Id': requestId });
  const id = created.body.id;
  const refused = await act(s.api, org.agent, id, 'triage', { valid: false, rejectionReason: 'no' });
  expect(refused.status).toBe(403);
  // Entries are written once the answer has gone.
  const entries = await eventually('both audit entries', async () => {
    const rows = await s.db.auditEntry.findMany({ where: { targetId: String(id) }, orderBy: { id: 'asc' } });
    return rows.length >= 2 && rows;
  });
  expect(entries.map((e) => [e.actorId, e.action, e.outcome, e.status])).toEqual([
    [org.agent.id, 'POST /complaints', 'ok', 201],
    [org.agent.id, 'POST /complaints/:id/triage', 'refused', 403],
  ]);
  expect(entries[0].requestId).toBe(requestId);
  // The request id also reaches the workflow's record of the step.
  const received = await s.db.complaintEvent.findFirstOrThrow({ where: { complaintId: id, type: 'received' } });
  expect(received.data).toMatchObject({ requestId });
  expect(created.text).toBeDefined();
});

test('admins manage staff and tokens; a revoked token stops working at once', async () => {
  const email = `new.${Date.now()}@example.com`;
  expect((await postJson(`${s.api}/admin/staff`, { name: 'New Agent', email, role: 'agent' }, org.manager.auth)).status).toBe(403);
  const staff = await postJson(`${s.api}/admin/staff`, { name: 'New Agent', email, role: 'agent', department: org.department }, admin.auth);
  expect(staff.status).toBe(201);
  const issued = await postJson(`${s.api}/admin/staff/${staff.body.id}/tokens`, { label: 'laptop' }, admin.auth);
  expect(issued.status).toBe(201);
  const auth = { authorization: `Bearer ${issued.body.token}` };
  expect((await getJson(`${s.api}/staff`, auth)).status).toBe(200);
  const stored = await s.db.apiToken.findUniqueOrThrow({ where: { id: issued.body.id } });
  expect(stored.tokenHash).not.toContain(issued.body.token); // only a hash is kept
  expect(JSON.stringify(stored)).not.toContain(issued.body.token);

  const revoke = await fetch(`${s.api}/admin/tokens/${issued.body.id}`, { method: 'DELETE', headers: admin.auth });
  expect(revoke.status).toBe(204);
  const after = await getJson(`${s.api}/staff`, auth);
  expect(after.status).toBe(401);
  expect(after.body.error.message).toContain('revoked');
  const audit = await s.db.auditEntry.findFirstOrThrow({ where: { action: 'POST /admin/staff/:id/tokens', actorId: admin.id } });
  expect(JSON.stringify(audit.detail)).not.toContain(issued.body.token);
});

test('complaints can be listed with filters, sorted, and paged with a cursor', async () => {
  const marker = `marker${Date.now()}`;
  const ids: number[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, description: `Case ${i} ${marker}`, channel: i % 2 ? 'phone' : 'email' }), org.agent.auth);
    ids.push(res.body.id);
  }
  const page1 = await getJson(`${s.api}/complaints?q=${marker}&sort=id&limit=2`, org.agent.auth);
  expect(page1.body.items.map((c: any) => c.id)).toEqual(ids.slice(0, 2));
  const page2 = await getJson(`${s.api}/complaints?q=${marker}&sort=id&limit=2&cursor=${page1.body.nextCursor}`, org.agent.auth);
  expect(page2.body.items.map((c: any) => c.id)).toEqual(ids.slice(2, 4));
  const page3 = await getJson(`${s.api}/complaints?q=${marker}&sort=id&limit=2&cursor=${page2.body.nextCursor}`, org.agent.auth);
  expect(page3.body).toEqual({ items: [expect.objectContaining({ id: ids[4] })], nextCursor: null });
  const phones = await getJson(`${s.api}/complaints?q=${marker.toUpperCase()}&channel=phone&sort=-id`, org.agent.auth);
  expect(phones.body.items.map((c: any) => c.id)).toEqual([ids[3], ids[1]]);
  const bad = await getJson(`${s.api}/complaints?severity=huge&limit=1000`, org.agent.auth);
  expect(bad.status).toBe(400);
  expect(Object.keys(bad.body.error.fields).sort()).toEqual(['limit', 'severity']);
});

test('admins change SLA policies and lists; a bad calendar is refused naming the field', async () => {
  const put = (path: string, body: unknown, who: Person = admin) =>
    fetch(`${s.api}${path}`, { method: 'PUT', headers: { ...who.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const policy = { triageSeconds: 36000, firstResponseSeconds: 36000, resolutionSeconds: 36000, warnShare: 0.75, reescalateSeconds: 3600 };
  const week = { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']] };
  const withHours = await put('/admin/sla-policies/critical', { ...policy, businessHours: { timeZone: 'Europe/London', week } });
  expect(withHours.status).toBe(200);
  expect((await s.db.slaPolicy.findUniqueOrThrow({ where: { severity: 'critical' } })).businessHours).toMatchObject({ timeZone: 'Europe/London' });
  expect((await put('/admin/sla-policies/critical', policy)).status).toBe(200); // no calendar: every hour counts again
  expect((await s.db.slaPolicy.findUniqueOrThrow({ where: { severity: 'critical' } })).businessHours).toBeNull();
  const bad = await put('/admin/sla-policies/critical', { ...policy, businessHours: { timeZone: 'Mars/Olympus', week } });
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as any).error.fields).toHaveProperty('businessHours');
  expect((await put('/admin/sla-policies/critical', policy, org.manager)).status).toBe(403);

  expect((await put('/admin/lists/root-cause/late_courier', { label: 'Courier was late' })).status).toBe(200);
  const list = await getJson(`${s.api}/admin/lists/root-cause`, admin.auth);
  expect(list.body).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'late_courier', label: 'Courier was late', active: true })]));
  await s.db.listItem.delete({ where: { list_code: { list: 'root_cause', code: 'late_courier' } } }); // other tests use the built-in list
});

test('what a careful reviewer tried: inclusive dates, literal search, unknown departments, the last admin, bare JSON values', async () => {
  const today = new Date().toISOString().slice(0, 10);
  const marker = `pct${Date.now()}`;
  const filed = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department, description: `Charged 100% twice ${marker}` }), org.agent.auth);
  // `to` as a date includes that day, like the reports.
  const sameDay = await getJson(`${s.api}/complaints?q=${marker}&from=${today}&to=${today}`, org.agent.auth);
  expect(sameDay.body.items.map((c: any) => c.id)).toEqual([filed.body.id]);
  // % and _ are searched for as text, not as wildcards.
  expect((await getJson(`${s.api}/complaints?q=${encodeURIComponent(`100% twice ${marker}`)}`, org.agent.auth)).body.items).toHaveLength(1);
  expect((await getJson(`${s.api}/complaints?q=${encodeURIComponent(`1_0% twice ${marker}`)}`, org.agent.auth)).body.items).toHaveLength(0);

  // The list takes dates as the reports do: a day that does not exist is refused.
  const badDay = await getJson(`${s.api}/complaints?to=2026-02-30`, org.agent.auth);
  expect([badDay.status, Object.keys(badDay.body.error.fields)]).toEqual([400, ['to']]);
  // Two admins creating the same account at once: one 201, one 409, never a 500.
  const twin = { name: 'Twin', email: `twin.${Date.now()}@example.com`, role: 'agent' };
  const twins = await Promise.all([1, 2, 3].map(() => postJson(`${s.api}/admin/staff`, twin, admin.auth)));
  expect(twins.map((t) => t.status).sort()).toEqual([201, 409, 409]);

  const unknownDept = await postJson(`${s.api}/admin/staff`, { name: 'R', email: `r.${Date.now()}@example.com`, role: 'agent', department: 'nope' }, admin.auth);
  expect(unknownDept.status).toBe(422);
  expect(unknownDept.body.error.fields).toHaveProperty('department');

  // The last active admin cannot lock everyone out.
  const otherAdmins = await s.db.staff.findMany({ where: { role: 'admin', active: true, id: { not: admin.id } } });
  await s.db.staff.updateMany({ where: { id: { in: otherAdmins.map((a) => a.id) } }, data: { active: false } });
  try {
    const patch = (body: unknown) => fetch(`${s.api}/admin/staff/${admin.id}`, { method: 'PATCH', headers: { ...admin.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    for (const body of [{ active: false }, { role: 'manager' }]) {
      const res = await patch(body);
      expect(res.status).toBe(409);
      expect(((await res.json()) as any).error.code).toBe('last_admin');
    }
    // Two admins left, each demoting the other at the same moment: one change wins, one admin remains.
    const second = await s.db.staff.create({ data: { name: 'Second Admin', email: `second.admin.${Date.now()}@example.com`, role: 'admin' } });
    const { token } = await issueToken(s.db, second.id, 'test');
    const demote = (auth: Record<string, string>, id: number) =>
      fetch(`${s.api}/admin/staff/${id}`, { method: 'PATCH', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'manager' }) });
    const both = await Promise.all([demote(admin.auth, second.id), demote({ authorization: `Bearer ${token}` }, admin.id)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await s.db.staff.count({ where: { role: 'admin', active: true } })).toBe(1);
    await s.db.staff.updateMany({ where: { id: { in: [admin.id, second.id] } }, data: { role: 'admin' } });
  } finally {
    await s.db.staff.updateMany({ where: { id: { in: otherAdmins.map((a) => a.id) } }, data: { active: true } });
  }

  for (const body of ['null', '"text"', '42']) {
    const res = await fetch(`${s.api}/complaints`, { method: 'POST', headers: { ...org.agent.auth, 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toBe('body: must be a JSON object');
  }
});
