import fs from 'node:fs';
import path from 'node:path';
import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, setSla, type Organisation } from './support/organisation';
import { eventually, postJson, startServices, type TestServices } from './support/services';
import { freePort, type Managed } from '../scripts/processes';
import { startTemporal } from '../scripts/stack';

// Durable timers: the worker dies and the Temporal server restarts while a complaint waits for its
// triage deadline. The escalation must still come on time, and nothing may be sent twice.

let temporal: Managed;
let s: TestServices;
let org: Organisation;
let port: number;
const dbFile = path.join(process.env.TEST_TEMP_DIR ?? fs.mkdtempSync('/tmp/restart-'), `restart-${Date.now()}.sqlite`);
const startServer = () => startTemporal({ port, dbFile, log: null });

beforeAll(async () => {
  port = await freePort();
  temporal = await startServer();
  s = await startServices('restart', { TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
  org = await createOrganisation(s.db, 'restart');
  await relaxedSla(s.db);
});
afterAll(async () => {
  await s?.close();
  await temporal?.stop();
});

test('after the worker and the Temporal server restart mid-wait, the escalation fires on time and nothing is sent twice', async () => {
  await setSla(s.db, 'major', { triage: 20, firstResponse: 600, resolution: 600, warnShare: 0.2, reescalate: 600 });
  const body = complaintBody({ department: org.department, flags: ['safety'] });
  const { id, reference } = (await postJson(`${s.api}/complaints`, body, s.auth)).body;
  await waitForMail(body.customerEmail);
  await waitForMail(org.supervisor.email, { filter: (m) => m.subject.includes(reference) }); // the warning, at 4 s
  const handle = s.temporal.workflow.getHandle(`complaint-${id}`);
  // The warning is finished (recorded, no activity in flight): from here on the workflow only waits.
  await eventually('the warning to be recorded', async () =>
    await s.db.complaintEvent.count({ where: { complaintId: id, type: 'sla_warning' } }) === 1
      && ((await handle.describe()).raw.pendingActivities ?? []).length === 0);

  // Everything goes down in the middle of the wait…
  s.worker.child.kill('SIGKILL');
  await s.worker.exited;
  await temporal.stop();
  await new Promise((r) => setTimeout(r, 1000));
  // …and comes back from the same database.
  temporal = await startServer();
  await s.startWorker();
  expect((await handle.describe()).status.name).toBe('RUNNING');
  const triage = (await handle.query<any>('status')).deadlines.find((d: any) => d.clock === 'triage');
  expect(Date.now()).toBeLessThan(Date.parse(triage.dueAt)); // back before the deadline: the timer fires on the restarted server

  const [escalation] = await waitForMail(org.manager.email, { timeoutMs: 30_000 });
  expect(escalation.subject).toContain(reference);
  const row = await eventually('the escalation row', () => s.db.escalation.findFirst({ where: { complaintId: id } }));
  const late = row.at.getTime() - row.deadline.getTime();
  expect(late).toBeGreaterThanOrEqual(0);
  expect(late).toBeLessThanOrEqual(2000);
  expect(row.deadline.toISOString()).toBe(triage.dueAt);

  await new Promise((r) => setTimeout(r, 2000));
  expect((await mailTo(body.customerEmail))).toHaveLength(1);
  expect((await mailTo(org.supervisor.email)).filter((m) => m.subject.includes(reference))).toHaveLength(1);
  expect((await mailTo(org.manager.email)).filter((m) => m.subject.includes(reference))).toHaveLength(1);
  expect(await s.db.escalation.count({ where: { complaintId: id } })).toBe(1);
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'sla_warning' } })).toBe(1);
});
