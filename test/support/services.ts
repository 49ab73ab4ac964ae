import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createDb, createReportDb, type Db } from '../../lib/db';
import { issueToken } from '../../lib/tokens';
import { startService } from '../../scripts/stack';
import { waitFor, type Managed } from '../../scripts/processes';

// What one test file runs for itself on the shared Temporal server, database and mail catcher:
// a worker process on a task queue of its own, the API in-process, and clients to look inside.

export interface TestServices {
  api: string;
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** The worker process started last. */
  readonly worker: WorkerProcess;
  /** Headers of an agent who registers the complaints of this file. */
  auth: Record<string, string>;
  /** Starts (another) worker process on this file's task queue, with extra environment. */
  startWorker(env?: NodeJS.ProcessEnv): Promise<WorkerProcess>;
  close(): Promise<void>;
}

/** A worker process, with the lines it has written so far (the last 5,000). */
export type WorkerProcess = Managed & { lines: string[] };

export async function startWorkerProcess(taskQueue: string, env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
  const lines: string[] = [];
  // At info at least: its "worker polling" line is how a test knows it is ready.
  const worker = startService('worker', 'worker/main.ts', { TEMPORAL_TASK_QUEUE: taskQueue, LOG_LEVEL: process.env.TEST_VERBOSE ? 'debug' : 'info', ...env }, (l) => {
    lines.push(l);
    if (lines.length > 5000) lines.shift();
    if (process.env.TEST_VERBOSE) console.log(`worker| ${l}`);
  });
  await waitFor('the worker to poll', async () => lines.some((l) => l.includes('worker polling')), 60_000, worker)
    .catch((e) => { throw new Error(`${e.message}\n${lines.slice(-20).join('\n')}`); });
  return Object.assign(worker, { lines });
}

/**
 * `workerEnv.TEMPORAL_ADDRESS` points the worker and the API at another Temporal server than the shared one.
 * With `worker: false` no worker starts (a file that seeds rows itself and runs no workflow).
 */
export async function startServices(name: string, workerEnv: NodeJS.ProcessEnv = {}, o: { worker?: boolean } = {}): Promise<TestServices> {
  const taskQueue = `${name}-${Date.now().toString(36)}`;
  const db = createDb(process.env.DATABASE_URL!, 5);
  // The reports' own small pool, as in production (lib/db.ts); a timeout no figure of a test comes near.
  const reportDb = createReportDb(process.env.DATABASE_URL!, { maxConnections: 2, statementTimeoutMs: 60_000 });
  const connection = await Connection.connect({ address: workerEnv.TEMPORAL_ADDRESS ?? process.env.TEMPORAL_ADDRESS! });
  const temporal = new Client({ connection, namespace: 'default' });
  const app = createApp({ db, reportDb, temporal, taskQueue, reviewScheduleId: workerEnv.REVIEW_SCHEDULE_ID });
  const server: Server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  const workers: WorkerProcess[] = [];
  const startWorker = async (env: NodeJS.ProcessEnv = {}) => {
    const w = await startWorkerProcess(taskQueue, { ...workerEnv, ...env });
    workers.push(w);
    return w;
  };
  if (o.worker !== false) await startWorker();
  const registrar = await db.staff.create({ data: { name: `Registrar ${taskQueue}`, email: `registrar.${taskQueue}@example.com`, role: 'agent' } });
  const { token } = await issueToken(db, registrar.id, 'test');
  return {
    api: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    db, temporal, taskQueue, startWorker, auth: { authorization: `Bearer ${token}` },
    get worker() { return workers[workers.length - 1]; },
    async close() {
      await Promise.all(workers.map((w) => w.stop()));
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await connection.close();
      await Promise.all([db.$disconnect(), reportDb.$disconnect()]);
    },
  };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, body: json, text };
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.json() };
}

export async function eventually<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ''}`);
}
