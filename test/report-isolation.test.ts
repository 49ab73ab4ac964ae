import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { createApp } from '../api/app';
import { createDb, createReportDb, REPORT_APPLICATION_NAME, type Db } from '../lib/db';
import { createOrganisation, type Organisation } from './support/organisation';
import { eventually, getJson } from './support/services';

// Reports cannot starve the API: they run on a small pool of their own whose statements PostgreSQL
// stops at a timeout. Here the report pool has two connections and a 3 s timeout, and a test
// transaction holds an exclusive lock on `complaints`, so every report query waits for as long as it
// may, deterministically. Meanwhile token checks, on the API's own pool, answer as always; each report
// answers 503 in the API's one error shape; and the report connections are free again by themselves,
// while the lock is still held.

const TIMEOUT_MS = 3000;
/** Ten years back: the longest range a report takes. */
const TEN_YEARS = `from=${new Date(Date.now() - 3650 * 86_400_000).toISOString().slice(0, 10)}`;

let db: Db;
let reportDb: Db;
let server: Server;
let api: string;
let org: Organisation;
beforeAll(async () => {
  db = createDb(process.env.DATABASE_URL!, 5);
  reportDb = createReportDb(process.env.DATABASE_URL!, { maxConnections: 2, statementTimeoutMs: TIMEOUT_MS });
  // No route used here talks to Temporal: no worker, no client.
  const app = createApp({ db, reportDb, temporal: {} as any, taskQueue: 'unused' });
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)); });
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  org = await createOrganisation(db, 'isolation');
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await Promise.all([db?.$disconnect(), reportDb?.$disconnect()]);
});

/** The report pool's connections to this database, by what they are doing. */
async function reportConnections() {
  const rows = await db.$queryRaw<{ state: string | null; waiting: boolean }[]>`
    SELECT state, coalesce(wait_event_type = 'Lock', false) AS waiting FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = ${REPORT_APPLICATION_NAME}`;
  return { total: rows.length, onLock: rows.filter((r) => r.waiting).length, busy: rows.filter((r) => r.state !== 'idle').length };
}

async function timed<T>(p: Promise<T>) {
  const t = Date.now();
  const value = await p;
  return { value, ms: Date.now() - t };
}

test('a report past its statement timeout answers 503 in the error shape, and sign-in is not held up meanwhile', async () => {
  const senior = org.senior.auth;
  expect((await getJson(`${api}/reports/targets`, senior)).status).toBe(200); // the pool works

  const lock = new PgClient({ connectionString: process.env.DATABASE_URL });
  await lock.connect();
  try {
    await lock.query('BEGIN');
    await lock.query('LOCK TABLE complaints IN ACCESS EXCLUSIVE MODE');

    let answered = 0;
    const ask = (path: string) => getJson(`${api}${path}`, senior).finally(() => { answered++; });
    // One report takes a connection and waits on the lock; a summary (six queries) takes the other and queues the rest.
    const targets = ask(`/reports/targets?${TEN_YEARS}`);
    await eventually('the first report to wait on the lock', async () => (await reportConnections()).onLock === 1, 10_000);
    const summary = ask(`/reports/summary?${TEN_YEARS}`);
    await eventually('both report connections to wait on the lock', async () => (await reportConnections()).onLock === 2, 10_000);

    // Meanwhile: token checks (and the staff directory) on the API's own pool answer at once.
    for (let i = 0; i < 10; i++) {
      for (const who of [org.agent, org.manager, org.admin]) {
        const { value, ms } = await timed(getJson(`${api}/staff`, who.auth));
        expect(value.status).toBe(200);
        expect(ms).toBeLessThan(2000);
      }
    }
    expect(answered).toBe(0); // every lookup answered while both reports were still held

    const t = await targets;
    expect(t.status).toBe(503);
    expect(t.body).toEqual({ error: { code: 'report_timeout', message: expect.stringContaining('REPORT_STATEMENT_TIMEOUT') } });
    const s = await summary;
    expect(s.status).toBe(503);
    expect(Object.keys(s.body)).toEqual(['error']);
    expect(['report_timeout', 'reports_busy']).toContain(s.body.error.code);
    expect(typeof s.body.error.message).toBe('string');

    // No connection is left busy: with the lock still held, every report connection comes back idle
    // (the summary's last queries may still be waiting their turn for a moment).
    await eventually('the report connections to be idle', async () => (await reportConnections()).busy === 0, 4 * TIMEOUT_MS);
    await new Promise((r) => setTimeout(r, TIMEOUT_MS + 500));
    expect((await reportConnections()).busy).toBe(0); // and they stay so
  } finally {
    await lock.query('ROLLBACK').catch(() => undefined);
    await lock.end();
  }
  // And the pool serves the next report.
  const after = await getJson(`${api}/reports/summary?${TEN_YEARS}`, senior);
  expect(after.status).toBe(200);
  expect(after.body.report).toBe('summary');
});
