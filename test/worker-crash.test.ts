import { complaintBody } from './support/complaints';
import { mailTo, waitForMail } from './support/mail';
import { startSmtpGate } from './support/smtp-gate';
import { eventually, postJson, startServices, type TestServices } from './support/services';

// The acknowledgement is a side effect outside Temporal: a worker that dies mid-send must not
// leave the customer without it, and the retry must not send it twice.

let s: TestServices;
let gate: Awaited<ReturnType<typeof startSmtpGate>>;
beforeAll(async () => {
  gate = await startSmtpGate(Number(process.env.TEST_SMTP_PORT));
  // A short attempt timeout, so Temporal retries the killed worker's attempt within seconds.
  s = await startServices('crash', { SMTP_URL: `smtp://127.0.0.1:${gate.port}`, ACTIVITY_TIMEOUT: '4s' });
});
afterAll(async () => {
  await s?.close();
  await gate?.close();
});

test('killing the worker while the acknowledgement is being sent still sends it exactly once', async () => {
  gate.hold();
  const body = complaintBody();
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  expect(res.status).toBe(201);
  const { id } = res.body;
  const handle = s.temporal.workflow.getHandle(`complaint-${id}`);

  // The worker has started the activity and is talking to the (held) SMTP server.
  await eventually('the activity to reach the SMTP server', async () => gate.waitingCount() > 0);
  const pending = (await handle.describe()).raw.pendingActivities ?? [];
  expect(pending.map((a) => a.activityType?.name)).toContain('sendAcknowledgement');

  s.worker.child.kill('SIGKILL');
  await s.worker.exited;
  gate.release();

  await s.startWorker();
  const [mail] = await waitForMail(body.customerEmail, { timeoutMs: 60_000 });
  expect(mail.subject).toContain(res.body.reference);
  await eventually('the complaint to be acknowledged', async () =>
    (await s.db.complaint.findUnique({ where: { id } }))?.acknowledgedAt != null, 30_000);

  // The second attempt did the sending; one email arrived and one is recorded.
  const history = await handle.fetchHistory();
  const attempts = history.events!
    .filter((e) => e.activityTaskStartedEventAttributes)
    .map((e) => e.activityTaskStartedEventAttributes!.attempt ?? 0);
  expect(Math.max(...attempts)).toBeGreaterThanOrEqual(2);
  await new Promise((r) => setTimeout(r, 2000)); // room for a stray duplicate to arrive
  expect(await mailTo(body.customerEmail)).toHaveLength(1);
  const outbox = await s.db.emailMessage.findMany({ where: { complaintId: id } });
  expect(outbox).toHaveLength(1);
  expect(outbox[0]).toMatchObject({ kind: 'acknowledgement', status: 'sent' });
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'acknowledged' } })).toBe(1);
});

test('an activity retried after it already sent the email does not send it again', async () => {
  const body = complaintBody();
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  const { id } = res.body;
  await waitForMail(body.customerEmail);
  await eventually('the acknowledgement to be recorded', async () =>
    (await s.db.emailMessage.findFirst({ where: { complaintId: id } }))?.status === 'sent');
  // Replaying the same email (what a retry after a lost completion does) is a no-op.
  const { createActivities } = await import('../activities');
  const { createTransport } = await import('../lib/mailer');
  const { loadConfig, publicUrl } = await import('../lib/config');
  const config = loadConfig();
  const acts = createActivities({ db: s.db, mailer: createTransport(process.env.SMTP_URL!), config: { ...config, publicUrl: publicUrl(config) } });
  await acts.sendAcknowledgement(id);
  await new Promise((r) => setTimeout(r, 1000));
  expect(await mailTo(body.customerEmail)).toHaveLength(1);
});

test('with no worker running, an action is answered 503 in time; sent again with its Idempotency-Key it happens once', async () => {
  const body = complaintBody();
  const res = await postJson(`${s.api}/complaints`, body, s.auth);
  const { id } = res.body;
  await waitForMail(body.customerEmail);
  s.worker.child.kill('SIGKILL');
  await s.worker.exited;

  const note = (key: string) => postJson(`${s.api}/complaints/${id}/notes`, { text: 'Called the customer.' }, { ...s.auth, 'Idempotency-Key': key });
  const began = Date.now();
  const first = await note('note-1');
  expect(first.status).toBe(503);
  expect(first.body.error).toMatchObject({ code: 'worker_unavailable', message: expect.stringContaining('not confirmed') });
  expect(Date.now() - began).toBeLessThan(15_000);

  // Back up: the retry, with the same key, gets the outcome of the one action…
  await s.startWorker();
  const retry = await note('note-1');
  expect(retry.status).toBe(200);
  expect(retry.body.actions).toBe(1);
  const again = await note('note-1');
  expect([again.status, again.body.step]).toEqual([200, retry.body.step]); // the first outcome, not a second note
  await new Promise((r) => setTimeout(r, 1000));
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'note_added' } })).toBe(1);
  // …while another key is another note.
  expect((await note('note-2')).status).toBe(200);
  expect(await s.db.complaintEvent.count({ where: { complaintId: id, type: 'note_added' } })).toBe(2);
  expect(await s.db.complaintText.count({ where: { complaintId: id, kind: 'note' } })).toBe(2); // one text per key, however often sent
});
