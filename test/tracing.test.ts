import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Client } from '@temporalio/client';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import { defaultActivities } from '../activities';
import { createApp } from '../api/app';
import { createDb, type Db } from '../lib/db';
import { createClient } from '../lib/temporal';
import { issueToken } from '../lib/tokens';
import { startTracing, stopTracing } from '../lib/tracing';
import { createWorker } from '../worker/worker';
import { complaintBody } from './support/complaints';
import { eventually, postJson } from './support/services';

// One registration, traced end to end with Temporal's OpenTelemetry interceptors: the API's request span,
// the workflow start under it, the workflow run, and the acknowledgement activity, all in one trace.
// The API and the worker run in this process here, so one in-memory exporter sees every span; in
// production each process exports to the OTLP endpoint and the trace context travels in Temporal's headers.

const exporter = new InMemorySpanExporter();
let db: Db;
let temporal: Client;
let server: Server;
let worker: Worker;
let running: Promise<void>;
let api: string;
const taskQueue = `tracing-${Date.now().toString(36)}`;

beforeAll(async () => {
  if (!process.env.TEST_VERBOSE) Runtime.install({ logger: new DefaultLogger('WARN') });
  startTracing('complaints-test', exporter);
  db = createDb(process.env.DATABASE_URL!, 3);
  temporal = await createClient(); // with the tracing client interceptor, as api/main.ts makes it
  server = await new Promise((resolve) => { const s = createApp({ db, temporal, taskQueue }).listen(0, '127.0.0.1', () => resolve(s)); });
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ({ worker } = await createWorker(defaultActivities(), { taskQueue }));
  running = worker.run();
}, 120_000);
afterAll(async () => {
  worker?.shutdown();
  await running;
  server?.close();
  await temporal?.connection.close();
  await db?.$disconnect();
  await stopTracing();
});

/** The spans of one trace as an indented tree, children under their parent. */
function tree(spans: ReadableSpan[], root: ReadableSpan, depth = 0): string[] {
  const children = spans.filter((s) => s.parentSpanId === root.spanContext().spanId).sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1]);
  return [`${'  '.repeat(depth)}${root.name}`, ...children.flatMap((c) => tree(spans, c, depth + 1))];
}

test('a registration is one trace: the API span, the workflow start, the workflow, the acknowledgement activity', async () => {
  const staff = await db.staff.create({ data: { name: 'Tracing Agent', email: `tracing.${taskQueue}@example.com`, role: 'agent' } });
  const { token } = await issueToken(db, staff.id, 'tracing');
  const filed = await postJson(`${api}/complaints`, complaintBody(), { authorization: `Bearer ${token}` });

  expect(filed.status).toBe(201);

  const auth = { authorization: `Bearer ${token}` };
  const activity = await eventually('the acknowledgement activity span', async () =>
    exporter.getFinishedSpans().find((s) => s.name === 'RunActivity:sendAcknowledgement'), 60_000);
  // The activity's span is exported as it ends; the workflow's own span only when the workflow does
  // (weeks later, for a real complaint): withdrawn here, so the whole tree can be printed.
  await eventually('stage triage', async () => (await db.complaint.findUniqueOrThrow({ where: { id: filed.body.id } })).stage === 'triage');
  expect((await postJson(`${api}/complaints/${filed.body.id}/withdrawal`, { reason: 'Traced and done.' }, auth)).status).toBe(200);
  await temporal.workflow.getHandle(`complaint-${filed.body.id}`).result();
  await eventually('the workflow span', async () => exporter.getFinishedSpans().find((s) => s.name === 'RunWorkflow:complaintWorkflow' && s.spanContext().traceId === activity.spanContext().traceId));
  const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === activity.spanContext().traceId);
  const request = spans.find((s) => s.name === 'POST /complaints');
  expect(request).toBeDefined();
  expect(request!.parentSpanId).toBeUndefined(); // the root: nothing before the request
  expect(request!.attributes).toMatchObject({ 'http.route': '/complaints', 'http.response.status_code': 201 });

  const printed = tree(spans, request!);
  console.log(`the trace of one registration (${spans.length} spans):\n${printed.join('\n')}`);
  const parentOf = (s: ReadableSpan) => spans.find((p) => p.spanContext().spanId === s.parentSpanId);
  const ancestors = (s: ReadableSpan): string[] => { const p = parentOf(s); return p ? [p.name, ...ancestors(p)] : []; };
  // The start is the request's own child; the workflow run and the acknowledgement descend from it.
  expect(parentOf(spans.find((s) => s.name === 'StartWorkflow:complaintWorkflow')!)?.name).toBe('POST /complaints');
  expect(ancestors(spans.find((s) => s.name === 'RunWorkflow:complaintWorkflow')!)).toEqual(expect.arrayContaining(['StartWorkflow:complaintWorkflow', 'POST /complaints']));
  expect(ancestors(activity)).toEqual(['StartActivity:sendAcknowledgement', 'RunWorkflow:complaintWorkflow', 'StartWorkflow:complaintWorkflow', 'POST /complaints']);
  // The withdrawal is a trace of its own request: its update reaches the same workflow.
  expect(exporter.getFinishedSpans().find((s) => s.name === 'POST /complaints/:id/withdrawal')).toBeDefined();
  // Ids only: no customer text in any span's attributes.
  expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(complaintBody().customerName);
}, 120_000);
