import { Client, Connection } from '@temporalio/client';
import { createApp } from '../api/app';
import { createDb } from '../lib/db';
import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

let s: TestServices;
beforeAll(async () => { s = await startServices('foundation'); });
afterAll(async () => { await s?.close(); });

const workflowsOnQueue = async () => {
  const ids: string[] = [];
  for await (const wf of s.temporal.workflow.list({ query: `TaskQueue = '${s.taskQueue}'` })) ids.push(wf.workflowId);
  return ids;
};

test('a complaint filed over HTTP is stored, runs as a workflow and is acknowledged by email', async () => {
  const body = complaintBody({ customerAddress: '12 Analytical Row, London' });
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({ id: expect.any(Number), reference: expect.stringMatching(/^CMP-\d{6}$/), status: 'received' });
  const { id, reference } = res.body;

  // PostgreSQL holds the complaint as filed.
  const row = await s.db.complaint.findUniqueOrThrow({ where: { id } });
  expect(row).toMatchObject({
    reference, customerName: body.customerName, customerEmail: body.customerEmail, customerPhone: body.customerPhone,
    customerAddress: body.customerAddress, channel: 'web', description: body.description, product: body.product,
  });
  expect(row.occurredOn.toISOString().slice(0, 10)).toBe('2026-11-20');

  // Temporal runs its workflow.
  const description = await s.temporal.workflow.getHandle(`complaint-${id}`).describe();
  expect(description.status.name).toBe('RUNNING');
  expect(description.type).toBe('complaintWorkflow');
  expect(description.taskQueue).toBe(s.taskQueue);
  const history = await s.temporal.workflow.getHandle(`complaint-${id}`).fetchHistory();
  const started = history.events![0].workflowExecutionStartedEventAttributes!;
  // Ids and the arrival instant only: the customer's details stay in PostgreSQL.
  expect(JSON.parse(Buffer.from(started.input!.payloads![0].data!).toString())).toEqual({ complaintId: id, receivedAt: row.createdAt.getTime() });

  // The customer receives the acknowledgement.
  const [mail] = await waitForMail(body.customerEmail);
  expect(mail.to[0].address).toBe(body.customerEmail);
  expect(mail.subject).toContain(reference);
  expect(mail.text).toContain('Dear Ada Lovelace');
  expect(mail.html).toContain(reference);

  // The step is recorded, and the API shows the stored complaint with the workflow's live state.
  const events = await eventually('the acknowledged event', async () => {
    const e = await s.db.complaintEvent.findMany({ where: { complaintId: id }, orderBy: { id: 'asc' } });
    return e.length >= 2 && e;
  });
  expect(events.map((e) => e.type)).toEqual(['received', 'acknowledged']);
  const { body: view } = await getJson(`${s.api}/complaints/${id}`, s.auth);
  expect(view).toMatchObject({ id, reference, stage: 'triage', customerEmail: body.customerEmail });
  expect(view.acknowledgedAt).toEqual(expect.any(String));
  expect(view.workflow).toMatchObject({ workflowId: `complaint-${id}`, runStatus: 'RUNNING', state: { stage: 'triage' } });
});

describe('bad input is refused with a 400 naming the field, and nothing is stored or started', () => {
  const cases: [string, () => RequestInit, string][] = [
    ['a missing email', () => json(omit(complaintBody(), 'customerEmail')), 'customerEmail'],
    ['a malformed email', () => json(complaintBody({ customerEmail: 'ada-at-example' })), 'customerEmail'],
    ['an empty description', () => json(complaintBody({ description: '   ' })), 'description'],
    ['a body that is not JSON', () => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"customerName": "Ada",' }), 'body'],
    ['a form-encoded body', () => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'customerName=Ada' }), 'body'],
    ['an unknown channel', () => json(complaintBody({ channel: 'carrier pigeon' })), 'channel'],
    ['a date in the future', () => json(complaintBody({ occurredOn: '2999-01-01' })), 'occurredOn'],
    ['an impossible date', () => json(complaintBody({ occurredOn: '2026-02-30' })), 'occurredOn'],
    ['an unknown field', () => json({ ...complaintBody(), priority: 'urgent' }), 'priority'],
  ];
  test.each(cases)('%s', async (_name, request, field) => {
    const complaintsBefore = await s.db.complaint.count();
    const workflowsBefore = (await workflowsOnQueue()).length;
    const req = request();
    const res = await fetch(`${s.api}/complaints`, { ...req, headers: { ...(req.headers as Record<string, string>), ...s.auth } });
    expect(res.status).toBe(400);
    const body: any = await res.json();
    expect(body.error.message).toContain(field);
    expect(body.error.fields).toHaveProperty(field);
    expect(await s.db.complaint.count()).toBe(complaintsBefore);
    expect((await workflowsOnQueue()).length).toBe(workflowsBefore);
  });
});

test('asking for a complaint that does not exist, or by a malformed id, is answered 404 and 400', async () => {
  const missing = await fetch(`${s.api}/complaints/99999999`, { headers: s.auth });
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as any).error.code).toBe('not_found');
  const malformed = await fetch(`${s.api}/complaints/abc`, { headers: s.auth });
  expect(malformed.status).toBe(400);
  expect(((await malformed.json()) as any).error.fields).toHaveProperty('id');
});

describe('GET /health', () => {
  test('says ok when PostgreSQL and Temporal both answer', async () => {
    const res = await fetch(`${s.api}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'up' }, temporal: { status: 'up' } } });
  });

  test('names the part that is down', async () => {
    const deadDb = createDb('postgresql://postgres@127.0.0.1:1/nowhere', 1);
    const deadTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    for (const [deps, down] of [
      [{ db: deadDb, temporal: s.temporal }, 'database'],
      [{ db: s.db, temporal: deadTemporal }, 'temporal'],
    ] as const) {
      const app = createApp({ ...deps, taskQueue: s.taskQueue });
      const server = app.listen(0);
      const port = (server.address() as any).port;
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      server.close();
      expect(res.status).toBe(503);
      const body: any = await res.json();
      expect(body.status).toContain(down);
      expect(body.checks[down].status).toBe('down');
    }
    await deadDb.$disconnect();
  });
});

test('a complaint whose workflow cannot start is not kept', async () => {
  const deadTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = createApp({ db: s.db, temporal: deadTemporal, taskQueue: s.taskQueue });
  const server = app.listen(0);
  const body = complaintBody();
  const before = await s.db.complaint.count();
  const res = await postJson(`http://127.0.0.1:${(server.address() as any).port}/complaints`, body, s.auth);
  server.close();
  expect(res.status).toBe(503);
  expect(res.body.error.code).toBe('workflow_unavailable');
  expect(await s.db.complaint.count()).toBe(before);
  expect(await mailTo(body.customerEmail)).toHaveLength(0);
});

test('a workflow id already taken in Temporal (a reset database) is refused, and that workflow is left alone', async () => {
  // The next complaint will get id n + 1; something else already runs as complaint-(n + 1).
  const [{ n }] = await s.db.$queryRaw<{ n: bigint }[]>`SELECT nextval(pg_get_serial_sequence('complaints', 'id')) AS n`;
  const stranger = await s.temporal.workflow.start('someoneElsesWorkflow', { taskQueue: `nobody-${Date.now()}`, workflowId: `complaint-${Number(n) + 1}` });
  try {
    const before = await s.db.complaint.count();
    const res = await postJson(`${s.api}/complaints`, complaintBody(), s.auth);
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('workflow_id_taken');
    expect(res.body.error.message).toContain(`complaint-${Number(n) + 1}`);
    expect(await s.db.complaint.count()).toBe(before);
    expect((await stranger.describe()).status.name).toBe('RUNNING');
    // The next try gets the next id and goes through.
    expect((await postJson(`${s.api}/complaints`, complaintBody(), s.auth)).status).toBe(201);
  } finally {
    await stranger.terminate('test over');
  }
});

function json(body: unknown): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
function omit<T extends object>(o: T, key: keyof T) {
  const { [key]: _, ...rest } = o;
  return rest;
}
