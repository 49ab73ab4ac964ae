import { must } from './support/actions';
import { complaintBody } from './support/complaints';
import { uniqueAddress, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// The customer's right to erasure: an admin erases a closed complaint, and afterwards no row of any
// table in the database holds the customer's name, email, phone, address or anything anyone wrote
// about the case, while the quality figures of its period are what they were.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('erasure', { SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '2s', SURVEY_WINDOW: '4s' });
  org = await createOrganisation(s.db, 'erasure');
  await relaxedSla(s.db);
}, 180_000);
afterAll(async () => { await s?.close(); });

const erase = (id: number | string, who = org.admin) => postJson(`${s.api}/admin/complaints/${id}/erasure`, {}, who.auth);

/** For each table of the database, which of `needles` some row holds (every column, read as JSON text). */
async function whereFound(needles: string[]): Promise<Record<string, string[]>> {
  const tables = await s.db.$queryRaw<{ name: string }[]>`
    SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`;
  expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['complaints', 'complaint_texts', 'email_messages', 'audit_log', 'survey_responses']));
  const found: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await s.db.$queryRawUnsafe<{ needle: string }[]>(
      `SELECT DISTINCT needle FROM "${name.replace(/"/g, '""')}" AS t, unnest($1::text[]) AS needle
       WHERE strpos(lower(to_jsonb(t)::text), lower(needle)) > 0 ORDER BY 1`, needles);
    if (rows.length) found[name] = rows.map((r) => r.needle);
  }
  return found;
}

test("an erased complaint leaves no trace of the customer or of what was written, and the figures stay", async () => {
  // Every piece of personal data and free text carries a word of its own, so that it can be found in
  // whatever an email template or a JSON column made of it.
  const tag = `zq${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const words = {
    name: `${tag}surname`, phone: String(1_000_000 + Math.floor(Math.random() * 8_999_999)), address: `${tag}lane`,
    description: `${tag}kettle`, note: `${tag}note`, question: `${tag}question`, reply: `${tag}reply`, message: `${tag}message`,
    detail: `${tag}detail`, report: `${tag}report`, summary: `${tag}summary`, signOff: `${tag}signoff`, comment: `${tag}comment`,
  };
  const email = uniqueAddress(`${tag}.mail`);
  const body = complaintBody({
    department: org.department, customerName: `Wilhelmina ${words.name}`, customerEmail: email, customerPhone: `+44 ${words.phone}`,
    customerAddress: `17 ${words.address} Road, Quokkaton`, description: `The ${words.description} hisses and leaks from its base.`,
  });
  const needles = [...Object.values(words), email];

  // The whole life of the complaint, with text at every step that takes some.
  const filed = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(filed.status).toBe(201);
  const id: number = filed.body.id;
  await must(s.api, org.agent, id, 'notes', { text: `Called the customer (${words.note}).` });
  await must(s.api, org.supervisor, id, 'triage', { valid: true, category: 'service', severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  await must(s.api, org.agent, id, 'customer-requests', { question: `Could you send a photo (${words.question})?` });
  await must(s.api, org.agent, id, 'customer-replies', { reply: `Photo sent (${words.reply}).` });
  await must(s.api, org.agent, id, 'responses', { message: `We are on it (${words.message}).` });
  await must(s.api, org.agent, id, 'root-cause', { rootCause: 'communication', detail: `Told the wrong thing (${words.detail}).` });
  await must(s.api, org.agent, id, 'report', { report: `What happened: ${words.report}.` });
  await must(s.api, org.agent, id, 'resolution', { resolutionCode: 'apology_given', summary: `We apologised (${words.summary}).`, remedy: 'apology' });
  await must(s.api, org.supervisor, id, 'sign-off', { approve: true, comment: `Fine (${words.signOff}).` });
  const [survey] = await waitForMail(email, { filter: (m) => m.subject.includes('did we put things right') });
  const token = /\/survey\/([A-Za-z0-9_-]+)/.exec(survey.text)![1];
  expect((await postJson(`${s.api}/survey/${token}`, { score: 4, resolved: true, comment: `Kind people (${words.comment}).` })).status).toBe(200);
  expect(await s.temporal.workflow.getHandle(`complaint-${id}`).result()).toMatchObject({ stage: 'closed', outcome: 'resolved' });
  await waitForMail(org.departmentEmail); // the closure summary, the complaint's last email

  // Before: every word is somewhere (the search does find them), and the figures of the day.
  const before = await whereFound(needles);
  expect(Object.keys(before)).toEqual(expect.arrayContaining(['audit_log', 'complaint_texts', 'complaints', 'email_messages', 'survey_responses']));
  expect(before.complaints).toEqual(expect.arrayContaining([words.name, words.phone, words.address, words.description, email]));
  expect(Object.values(before).flat()).toEqual(expect.arrayContaining(needles));
  const today = new Date().toISOString().slice(0, 10);
  const figures = async () => {
    const r = await getJson(`${s.api}/reports/summary?from=${today}&to=${today}&department=${org.department}&interval=week`, org.senior.auth);
    expect(r.status).toBe(200);
    const { targets, trends, pareto, backlog, atRisk, escalations } = r.body;
    return [targets, trends, pareto, backlog, atRisk, escalations].map((part) => part.rows);
  };
  const figuresBefore = await figures();
  expect(figuresBefore[0].find((row: any) => row.name === 'satisfaction_rate')).toMatchObject({ value: 1, count: 1, base: 1 });
  const rowBefore = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  const eventsBefore = await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: [{ step: 'asc' }, { id: 'asc' }] });
  const answersBefore = await s.db.surveyResponse.findMany({ where: { complaintId: id } });

  // An admin erases it.
  const erased = await erase(id);
  expect(erased.status).toBe(200);
  expect(erased.body).toEqual({ id, reference: rowBefore.reference, erasedAt: expect.any(String), alreadyErased: false });

  // After: not one of the words, anywhere in the database.
  expect(await whereFound(needles)).toEqual({});

  // The figures, the row's facts and the events' types and times are as they were.
  expect(await figures()).toEqual(figuresBefore);
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  const facts = ({ stage, outcome, severity, category, department, channel, product, priority, rootCause, resolutionCode, remedy, reopenCount, ownerId,
    signedOffById, createdAt, acknowledgedAt, triageDueAt, firstResponseDueAt, resolutionDueAt, resolvedAt, closedAt, signedOffAt, occurredOn, workflowStep }: typeof row) =>
    ({ stage, outcome, severity, category, department, channel, product, priority, rootCause, resolutionCode, remedy, reopenCount, ownerId,
      signedOffById, createdAt, acknowledgedAt, triageDueAt, firstResponseDueAt, resolutionDueAt, resolvedAt, closedAt, signedOffAt, occurredOn, workflowStep });
  expect(facts(row)).toEqual(facts(rowBefore));
  expect(row).toMatchObject({ customerName: '[erased]', customerEmail: '[erased]', customerPhone: '[erased]', customerAddress: '[erased]', description: '[erased]', erasedAt: new Date(erased.body.erasedAt) });
  const events = await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: [{ step: 'asc' }, { id: 'asc' }] });
  expect(events.slice(0, -1).map((e) => [e.type, e.at, e.step, e.data])).toEqual(eventsBefore.map((e) => [e.type, e.at, e.step, e.data]));
  expect(events.at(-1)).toMatchObject({ type: 'erased', eventKey: 'erased', actorId: org.admin.id, step: rowBefore.workflowStep + 1_000_000, at: new Date(erased.body.erasedAt) });
  expect((await s.db.surveyResponse.findMany({ where: { complaintId: id } })).map(({ comment, ...rest }) => [rest, comment]))
    .toEqual(answersBefore.map(({ comment: _c, ...rest }) => [rest, '[erased]']));

  // Erasing again is fine, and changes nothing.
  const again = await erase(id);
  expect(again.status).toBe(200);
  expect(again.body).toEqual({ ...erased.body, alreadyErased: true });
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'erased' } })).toBe(1);

  // Both requests are in the audit trail, as the admin's.
  const audited = await eventually('both erasures audited', async () => {
    const entries = await s.db.auditEntry.findMany({ where: { action: 'POST /admin/complaints/:id/erasure', targetId: String(id) } });
    return entries.length === 2 && entries;
  });
  expect(audited.map((e) => [e.actorId, e.outcome, e.status, e.targetType])).toEqual([[org.admin.id, 'ok', 200, 'complaints'], [org.admin.id, 'ok', 200, 'complaints']]);
});

test('an open complaint is refused with 409, an unknown one is a 404, and only an admin may erase', async () => {
  const body = complaintBody({ department: org.department });
  const filed = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(filed.status).toBe(201);
  const id: number = filed.body.id;
  await eventually('the complaint to reach triage', async () => (await s.db.complaint.findUniqueOrThrow({ where: { id } })).stage === 'triage');

  const open = await erase(id);
  expect(open.status).toBe(409);
  expect(open.body.error).toEqual({ code: 'not_closed', message: expect.stringContaining('"triage"') });
  expect(await s.db.complaint.findUniqueOrThrow({ where: { id } })).toMatchObject({ customerName: body.customerName, customerEmail: body.customerEmail, erasedAt: null });
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'erased' } })).toBe(0);

  const unknown = await erase(2_000_000_000);
  expect([unknown.status, unknown.body.error.code]).toEqual([404, 'not_found']);
  expect((await erase('abc')).status).toBe(400);
  for (const who of [org.agent, org.senior]) {
    const refused = await erase(id, who);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'forbidden']);
  }
});
