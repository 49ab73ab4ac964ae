import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app';
import { freePort, waitFor } from '../scripts/processes';
import { startService } from '../scripts/stack';
import { complaintBody } from './support/complaints';
import { eventually, postJson, startServices, type TestServices } from './support/services';

// What an operator sees: the metrics Prometheus scrapes (the API's /metrics: request latency by route,
// the process, open complaints by stage; the worker's Temporal SDK metrics on WORKER_METRICS_ADDRESS),
// health split into liveness and readiness, and logs as one JSON object a line with the ids they are about.

let s: TestServices;
let workerMetrics: string;
beforeAll(async () => {
  const address = `127.0.0.1:${await freePort()}`;
  workerMetrics = `http://${address}/metrics`;
  s = await startServices('metrics', { WORKER_METRICS_ADDRESS: address });
}, 120_000);
afterAll(async () => { await s?.close(); });

/** The value of one series in Prometheus text, e.g. sample(text, 'complaints_open{stage="triage"}'). */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

test('the API and the worker answer with Prometheus text: request latency by route, open complaints, workflow task metrics', async () => {
  const before = await (await fetch(`${s.api}/metrics`)).text();
  const openBefore = sample(before, 'complaints_open{stage="triage"}') ?? 0;
  const filed = await postJson(`${s.api}/complaints`, complaintBody(), s.auth);
  expect(filed.status).toBe(201);
  await eventually('the acknowledgement', async () =>
    (await s.db.complaint.findUniqueOrThrow({ where: { id: filed.body.id } })).stage === 'triage');
  await fetch(`${s.api}/complaints/${filed.body.id}`, { headers: s.auth });
  await fetch(`${s.api}/no/such/route/${'x'.repeat(40)}`, { headers: s.auth });

  const res = await fetch(`${s.api}/metrics`);
  expect([res.status, res.headers.get('content-type')]).toEqual([200, expect.stringContaining('text/plain')]);
  const text = await res.text();
  expect(text).toContain('# TYPE http_request_duration_seconds histogram');
  // One series per route template, whatever the path asked: the id is not a label value, nor is the unknown path.
  expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/complaints",status="201"}')).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="/complaints/:id",status="200"}')).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/complaints/:id",status="200"}')).toBeGreaterThanOrEqual(1);
  expect(sample(text, 'http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}')).toBeGreaterThanOrEqual(1);
  expect(text).not.toContain(`route="/complaints/${filed.body.id}"`);
  expect(text).not.toContain('xxxxxxxx');
  // The service's own figures, read at the scrape; the shared database holds other suites' complaints too.
  expect(sample(text, 'complaints_open{stage="triage"}')).toBeGreaterThanOrEqual(openBefore + 1);
  for (const name of ['complaints_at_risk{stage="triage"}', 'complaints_breached{stage="investigation"}', 'nodejs_eventloop_lag_p99_seconds', 'process_resident_memory_bytes']) {
    expect([name, typeof sample(text, name)]).toEqual([name, 'number']);
  }

  // The worker: the SDK's own metrics, among them workflow task latencies and the activities it ran.
  const worker = await eventually('the worker\'s metrics', async () => {
    const r = await fetch(workerMetrics).catch(() => undefined);
    const t = r?.status === 200 ? await r.text() : '';
    return t.includes('temporal_workflow_task_execution_latency') && t.includes('temporal_activity_execution_latency') && t;
  });
  expect(worker).toMatch(new RegExp(`temporal_workflow_task_execution_latency_count\\{[^}]*task_queue="${s.taskQueue}"[^}]*\\} [1-9]`));
  expect(worker).toMatch(new RegExp(`temporal_activity_execution_latency_count\\{[^}]*activity_type="sendAcknowledgement"[^}]*\\} [1-9]`));
}, 120_000);

test('with METRICS_TOKEN set, /metrics answers only with that bearer token', async () => {
  const app = createApp({ db: s.db, temporal: s.temporal, taskQueue: s.taskQueue, metricsToken: 'scraper-secret-0123456789' });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  try {
    const without = await fetch(url);
    expect([without.status, ((await without.json()) as any).error.code]).toEqual([401, 'unauthenticated']);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong-secret-0123456789' } })).status).toBe(401);
    const ok = await fetch(url, { headers: { authorization: 'Bearer scraper-secret-0123456789' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('complaints_open{stage="received"}');
  } finally {
    server.close();
  }
});

test('liveness and readiness answer apart', async () => {
  const live = await fetch(`${s.api}/health/live`);
  expect([live.status, await live.json()]).toEqual([200, { status: 'ok', uptimeSeconds: expect.any(Number) }]);
  const ready = await fetch(`${s.api}/health/ready`);
  expect([ready.status, await ready.json()]).toEqual([200, expect.objectContaining({ status: 'ok', checks: { database: { status: 'up' }, temporal: { status: 'up' } } })]);
});

const parsed = (lines: string[]) => lines.map((l) => { try { return JSON.parse(l); } catch { return { unparsed: l }; } });

test('the worker logs one JSON object a line; an activity\'s lines carry its workflow id, activity and attempt', async () => {
  const filed = await postJson(`${s.api}/complaints`, complaintBody(), s.auth);
  expect(filed.status).toBe(201);
  const line = await eventually('the acknowledgement step in the worker log', async () =>
    parsed(s.worker.lines).find((l) => l.msg === 'step recorded' && l.complaintId === filed.body.id && l.type === 'acknowledged'));
  expect(line).toMatchObject({ level: 'info', time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), pid: s.worker.child.pid, workflowId: `complaint-${filed.body.id}`, activityType: expect.any(String), attempt: 1 });
  expect(parsed(s.worker.lines).filter((l) => 'unparsed' in l)).toEqual([]);
});

test('the API logs one JSON line per request with the request id it answered with', async () => {
  const port = await freePort();
  const lines: string[] = [];
  const api = startService('api', 'api/main.ts', { PORT: String(port), LOG_LEVEL: 'info', TEMPORAL_TASK_QUEUE: s.taskQueue }, (l) => lines.push(l));
  try {
    await waitFor('the API', async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null))?.ok === true, 60_000, api);
    const res = await fetch(`http://127.0.0.1:${port}/complaints/${'9'.repeat(6)}`, { headers: { ...s.auth, 'x-request-id': 'obs-check-1' } });
    expect([res.status, res.headers.get('x-request-id')]).toEqual([404, 'obs-check-1']);
    const line = await eventually('the request line', async () => parsed(lines).find((l) => l.requestId === 'obs-check-1'));
    expect(line).toMatchObject({ level: 'info', msg: 'request', method: 'GET', route: '/complaints/:id', status: 404, durationMs: expect.any(Number), actorId: expect.any(Number) });
    expect(parsed(lines).filter((l) => 'unparsed' in l)).toEqual([]);
  } finally {
    await api.stop();
  }
});
