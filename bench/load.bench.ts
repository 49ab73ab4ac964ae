import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createDb, type Db } from '../lib/db';
import { migrate } from '../prisma/migrate';
import { seed } from '../prisma/seed';
import { freePort, waitFor, type Managed } from '../scripts/processes';
import { startMailCatcher, startService, startTemporal } from '../scripts/stack';
import { complaintBody } from '../test/support/complaints';
import { createOrganisation, relaxedSla, setSla, type Organisation, type Person } from '../test/support/organisation';
import { benchDatabaseUrl, dropBenchDatabase } from './seed';

// npm run bench:load: the service's capacity on this machine, measured in one run against its real
// parts (a Temporal dev server with its file database as `npm start` runs it, MailDev, PostgreSQL, the
// worker and the API as processes of their own). Every figure is printed beside what it is held
// against, as a ratio:
//   - raw client.workflow.start per second on the same server (32 concurrent), the yardstick;
//   - POST /complaints per second at 32 concurrent clients, and complaints acknowledged per second end
//     to end (from the first request to the last acknowledgement email sent);
//   - the API's median and p99 answer to POST /complaints at a steady 10 per second;
//   - history events, history bytes and Temporal actions per complaint: the happy path to closure, and
//     one escalated to senior management, then withdrawn;
//   - the worker's resident memory with 0, BENCH_INTAKE and BENCH_OPEN complaints open;
//   - escalation lateness (p50, p99: escalation recorded minus the deadline counted from arrival)
//     while BENCH_OPEN complaints are open;
//   - two workers and two APIs on the one server against one of each (intake rate, share of each).
// BENCH_RAW_STARTS, BENCH_INTAKE, BENCH_RATE_SECONDS, BENCH_OPEN, BENCH_ESCALATIONS change the sizes.

const RAW_STARTS = Number(process.env.BENCH_RAW_STARTS ?? 1000);
const INTAKE = Number(process.env.BENCH_INTAKE ?? 1000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 30);
const OPEN = Number(process.env.BENCH_OPEN ?? 10_000);
const ESCALATIONS = Number(process.env.BENCH_ESCALATIONS ?? 100);
const CONCURRENCY = 32;
const TARGETS = { intake: 0.8, endToEnd: 0.3, medianMs: 50, happyEvents: 72 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
};
const log = (line: string) => console.log(`[bench] ${line}`);
const rssMb = (m: Managed) => {
  const status = fs.readFileSync(`/proc/${m.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
};

/** CPU seconds a process has used so far (user + system), from /proc. */
const cpuSeconds = (pid: number) => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 a second)
  } catch { return 0; }
};
/** CPU seconds of every PostgreSQL server process (they come and go with connections: summed by name). */
const postgresCpu = () => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).reduce((sum, pid) => {
  try { return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres' ? sum + cpuSeconds(Number(pid)) : sum; } catch { return sum; }
}, 0);

/** Runs `task(i)` for i < n with at most `width` at once; returns the seconds it took. */
async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<number> {
  const t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, n) }, async () => {
    while (next < n) await task(next++);
  }));
  return (performance.now() - t) / 1000;
}

interface Stack {
  temporal: Client; db: Db; env: NodeJS.ProcessEnv; org: Organisation;
  apis: { url: string; m: Managed }[]; workers: { metrics: string; m: Managed }[];
}

async function startApi(env: NodeJS.ProcessEnv) {
  const port = await freePort();
  const m = startService('api', 'api/main.ts', { ...env, PORT: String(port) }, null);
  await waitFor('the API', async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => null))?.ok === true, 60_000, m);
  return { url: `http://127.0.0.1:${port}`, m };
}
async function startWorker(env: NodeJS.ProcessEnv) {
  const address = `127.0.0.1:${await freePort()}`;
  const lines: string[] = [];
  const m = startService('worker', 'worker/main.ts', { ...env, LOG_LEVEL: 'info', WORKER_METRICS_ADDRESS: address }, (l) => { if (lines.length < 100) lines.push(l); });
  await waitFor('the worker', async () => lines.some((l) => l.includes('worker polling')), 120_000, m);
  return { metrics: `http://${address}/metrics`, m };
}

/** Activities the worker has run so far (the SDK's own counter, from its metrics endpoint). */
async function activitiesRun(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text.split('\n').filter((l) => /^temporal_activity_execution_latency_count\{/.test(l) || /^temporal_local_activity_execution_latency_count\{/.test(l))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

async function register(api: string, person: Person, extra: Record<string, unknown>, department: string): Promise<{ id: number; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${api}/complaints`, { method: 'POST', headers: { ...person.auth, 'content-type': 'application/json' }, body: JSON.stringify(complaintBody({ department, ...extra })) });
  const body = (await res.json()) as { id: number };
  if (res.status !== 201) throw new Error(`POST /complaints answered ${res.status}: ${JSON.stringify(body)}`);
  return { id: body.id, ms: performance.now() - t };
}

async function act(api: string, person: Person, id: number, action: string, body: Record<string, unknown>) {
  const res = await fetch(`${api}/complaints/${id}/${action}`, { method: 'POST', headers: { ...person.auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`${action} answered ${res.status}: ${await res.text()}`);
}

/** Waits until every one of `ids` has its acknowledgement sent; returns when the last one was. */
async function acknowledged(db: Db, ids: number[], timeoutMs = 1_800_000): Promise<Date> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await db.$queryRawUnsafe<{ done: number; last: Date | null }[]>(
      `SELECT count(*)::int AS done, max(sent_at) AS last FROM email_messages WHERE kind = 'acknowledgement' AND status = 'sent' AND complaint_id = ANY($1::int[])`, ids);
    if (row.done >= ids.length) return row.last!;
    if (Date.now() > until) throw new Error(`${row.done} of ${ids.length} acknowledged`);
    await sleep(500);
  }
}

/** History events, bytes and Temporal actions (starts, activities incl. local, timers, signals, updates, upserts) of one workflow. */
async function historyOf(client: Client, id: number) {
  const history = await client.workflow.getHandle(`complaint-${id}`).fetchHistory();
  const events = history.events ?? [];
  const E = temporal.api.enums.v1.EventType;
  const action = new Set<temporal.api.enums.v1.EventType>([E.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, E.EVENT_TYPE_MARKER_RECORDED,
    E.EVENT_TYPE_TIMER_STARTED, E.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, E.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED, E.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
    E.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED]);
  const count = (t: temporal.api.enums.v1.EventType) => events.filter((e) => e.eventType === t).length;
  return {
    events: events.length,
    kb: temporal.api.history.v1.History.encode(history).finish().length / 1024,
    actions: events.filter((e) => action.has(e.eventType!)).length,
    activities: count(E.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED), localActivities: count(E.EVENT_TYPE_MARKER_RECORDED),
    workflowTasks: count(E.EVENT_TYPE_WORKFLOW_TASK_COMPLETED), timers: count(E.EVENT_TYPE_TIMER_STARTED),
  };
}

async function happyPath(s: Stack): Promise<number> {
  const { org } = s;
  const api = s.apis[0].url;
  const { id } = await register(api, org.agent, {}, org.department);
  await acknowledged(s.db, [id], 60_000);
  await act(api, org.supervisor, id, 'triage', { valid: true, category: 'product_quality', severity: 'minor', department: org.department, ownerId: org.supervisor.id });
  await act(api, org.agent, id, 'notes', { text: 'Called the customer; the seal was fitted crooked.' });
  await act(api, org.agent, id, 'root-cause', { rootCause: 'manufacturing_defect', detail: 'Seal misaligned on line 3' });
  await act(api, org.agent, id, 'resolution', { resolutionCode: 'replacement_sent', summary: 'We sent you a new kettle.', remedy: 'replacement' });
  await act(api, org.supervisor, id, 'sign-off', { approve: true });
  // The survey follows SURVEY_DELAY after the letter; its link is in the email as sent.
  let token: string | undefined;
  for (let i = 0; i < 120 && !token; i++) {
    const mail = await s.db.emailMessage.findFirst({ where: { complaintId: id, kind: 'survey', status: 'sent' } });
    token = mail ? /\/survey\/([A-Za-z0-9_-]+)/.exec(mail.textBody)?.[1] : undefined;
    if (!token) await sleep(500);
  }
  if (!token) throw new Error('no survey email');
  const answered = await fetch(`${api}/survey/${token}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ score: 5, resolved: true }) });
  if (answered.status !== 200) throw new Error(`survey answered ${answered.status}`);
  await s.temporal.workflow.getHandle(`complaint-${id}`).result();
  return id;
}

async function fullyEscalated(s: Stack): Promise<number> {
  const { org } = s;
  await setSla(s.db, 'major', { triage: 3, firstResponse: 3600, resolution: 3600, warnShare: 0.5, reescalate: 2 });
  const { id } = await register(s.apis[0].url, org.agent, { flags: ['safety'] }, org.department);
  for (let i = 0; i < 120; i++) {
    if ((await s.db.escalation.count({ where: { complaintId: id } })) >= 2) break;
    await sleep(500);
  }
  await act(s.apis[0].url, org.manager, id, 'withdrawal', { reason: 'The benchmark is done with it.' });
  await s.temporal.workflow.getHandle(`complaint-${id}`).result();
  await relaxedSla(s.db);
  return id;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'complaints-bench-'));
  const { url: databaseUrl } = benchDatabaseUrl();
  const [temporalPort, smtpPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const stack: Managed[] = [];
  let s: Stack | undefined;
  try {
    stack.push(await startMailCatcher({ smtpPort, webPort, dir: path.join(dir, 'mail'), log: null }));
    stack.push(await startTemporal({ port: temporalPort, dbFile: path.join(dir, 'temporal.sqlite'), log: null }));
    await migrate(databaseUrl);
    const db = createDb(databaseUrl, 4);
    await seed(db);
    const org = await createOrganisation(db, 'bench');
    await relaxedSla(db);
    const env: NodeJS.ProcessEnv = {
      DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`, SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      TEMPORAL_TASK_QUEUE: 'complaints-bench', LOG_LEVEL: 'warn', REVIEW_EVERY: 'off',
      RATE_LIMIT_PER_ADDRESS: '100000000', RATE_LIMIT_PER_TOKEN: '100000000',
      SURVEY_DELAY: '1s', SURVEY_REMINDER_AFTER: '60s', SURVEY_WINDOW: '120s',
    };
    const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
    const temporal = new Client({ connection, namespace: 'default' });
    s = { temporal, db, env, org, apis: [await startApi(env)], workers: [await startWorker(env)] };
    const rows: string[][] = [];
    const row = (...cells: (string | number)[]) => {
      rows.push(cells.map(String));
      log(cells.join(' | '));
    };
    await sleep(3000);
    const rss0 = rssMb(s.workers[0].m);

    // 1. The yardstick: bare workflow starts on the same server (a queue no worker polls).
    const rawSeconds = await pool(RAW_STARTS, CONCURRENCY, async (i) => {
      await temporal.workflow.start('benchBareStart', { taskQueue: 'bench-bare-starts', workflowId: `bare-${i}`, args: [] });
    });
    const rawRate = RAW_STARTS / rawSeconds;
    row('raw `client.workflow.start` (32 concurrent)', `${rawRate.toFixed(1)}/s`, '1.00', 'the yardstick');

    // 2. Intake at 32 concurrent clients, and end to end to the acknowledgement; where the CPU went.
    const parts = { API: s.apis[0].m, worker: s.workers[0].m, Temporal: stack[1], MailDev: stack[0] };
    const cpu = () => ({ ...Object.fromEntries(Object.entries(parts).map(([k, m]) => [k, cpuSeconds(m.child.pid!)])), PostgreSQL: postgresCpu(), bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 });
    const cpuBefore = cpu();
    const intakeIds: number[] = [];
    const firstRequest = new Date();
    const intakeSeconds = await pool(INTAKE, CONCURRENCY, async () => { intakeIds.push((await register(s!.apis[0].url, org.agent, {}, org.department)).id); });
    const intakeRate = INTAKE / intakeSeconds;
    row('`POST /complaints` (32 concurrent)', `${intakeRate.toFixed(1)}/s`, (intakeRate / rawRate).toFixed(2), `≥ ${TARGETS.intake}`);
    const lastAck = await acknowledged(db, intakeIds);
    const e2eRate = INTAKE / ((lastAck.getTime() - firstRequest.getTime()) / 1000);
    row('acknowledged end to end', `${e2eRate.toFixed(1)}/s`, (e2eRate / rawRate).toFixed(2), `≥ ${TARGETS.endToEnd}`);
    const cpuAfter = cpu();
    const cpuMs = Object.fromEntries(Object.keys(cpuAfter).map((k) => [k, (1000 * ((cpuAfter as any)[k] - (cpuBefore as any)[k])) / INTAKE]));
    const totalMs = Object.values(cpuMs).reduce((a, b) => a + b, 0);
    row('CPU per complaint, registered and acknowledged', `${totalMs.toFixed(1)} ms`, '',
      Object.entries(cpuMs).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '));
    await sleep(3000);
    const rssIntake = rssMb(s.workers[0].m);

    // 3. The API's answer at a steady 10 per second.
    const latencies: number[] = [];
    const rateIds: number[] = [];
    const inFlight: Promise<void>[] = [];
    const t0 = performance.now();
    for (let i = 0; i < RATE_SECONDS * 10; i++) {
      const due = t0 + i * 100;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      inFlight.push(register(s.apis[0].url, org.agent, {}, org.department).then((r) => { latencies.push(r.ms); rateIds.push(r.id); }));
    }
    await Promise.all(inFlight);
    const median = pct(latencies, 0.5);
    row('`POST /complaints` median at 10/s', `${median.toFixed(1)} ms`, (median / TARGETS.medianMs).toFixed(2), `≤ ${TARGETS.medianMs} ms (ratio ≤ 1)`);
    row('`POST /complaints` p99 at 10/s', `${pct(latencies, 0.99).toFixed(1)} ms`, (pct(latencies, 0.99) / median).toFixed(2), 'p99 / median');
    await acknowledged(db, rateIds);

    // 4. History per complaint.
    const happy = await historyOf(temporal, await happyPath(s));
    row('happy path: history events', happy.events, (happy.events / 144).toFixed(2), `≤ ${TARGETS.happyEvents} (half of 144; ratio ≤ 0.5)`);
    row('happy path: history size, actions', `${happy.kb.toFixed(1)} kB, ${happy.actions} actions`, (happy.kb / 104).toFixed(2), 'against 104 kB before');
    row('happy path: activities, local activities, workflow tasks, timers', `${happy.activities}, ${happy.localActivities}, ${happy.workflowTasks}, ${happy.timers}`, '', 'against 16 activities, 24 workflow tasks before');
    const escalated = await historyOf(temporal, await fullyEscalated(s));
    row('escalated to senior management, withdrawn: history events', escalated.events, (escalated.events / happy.events).toFixed(2), 'against the happy path');
    row('escalated: history size, actions', `${escalated.kb.toFixed(1)} kB, ${escalated.actions} actions`, (escalated.actions / happy.actions).toFixed(2), 'actions against the happy path');

    // 5. Fill to OPEN open complaints.
    const open = await db.complaint.count({ where: { stage: { not: 'closed' } } });
    const fillIds: number[] = [];
    const fillSeconds = await pool(Math.max(0, OPEN - open), CONCURRENCY, async () => { fillIds.push((await register(s!.apis[0].url, org.agent, {}, org.department)).id); });
    await acknowledged(db, fillIds);
    log(`filled to ${OPEN} open complaints in ${fillSeconds.toFixed(0)} s`);
    await sleep(5000);
    const rssOpen = rssMb(s.workers[0].m);
    const perThousand = (rssOpen - rss0) / (OPEN / 1000);
    row(`worker RSS: 0 / ${INTAKE.toLocaleString('en')} / ${OPEN.toLocaleString('en')} open`, `${rss0.toFixed(0)} / ${rssIntake.toFixed(0)} / ${rssOpen.toFixed(0)} MB`,
      (rssOpen / rss0).toFixed(2), `${perThousand.toFixed(1)} MB per 1,000 open`);

    // 6. Escalation lateness while OPEN are open: flagged complaints (at least major) whose triage clock is 20 s.
    await setSla(db, 'major', { triage: 20, firstResponse: 3600, resolution: 3600, warnShare: 0.9, reescalate: 3600 });
    const lateIds: number[] = [];
    await pool(ESCALATIONS, 10, async () => { lateIds.push((await register(s!.apis[0].url, org.agent, { flags: ['safety'] }, org.department)).id); });
    const lateness: number[] = [];
    for (let i = 0; i < 240; i++) {
      const rows = await db.escalation.findMany({ where: { complaintId: { in: lateIds }, clock: 'triage', level: 'manager' } });
      if (rows.length >= lateIds.length) {
        lateness.push(...rows.map((e) => e.at.getTime() - e.deadline.getTime()));
        break;
      }
      await sleep(1000);
    }
    if (lateness.length < lateIds.length) throw new Error('escalations missing');
    row(`escalation lateness, ${ESCALATIONS} deadlines with ${OPEN.toLocaleString('en')} open`, `p50 ${pct(lateness, 0.5)} ms, p99 ${pct(lateness, 0.99)} ms`, '', 'after the deadline counted from arrival');
    await relaxedSla(db);

    // 7. Scale-out: the same intake on one worker and one API, then on two of each.
    const oneSeconds = await pool(INTAKE, CONCURRENCY, async () => { await register(s!.apis[0].url, org.agent, {}, org.department); });
    s.apis.push(await startApi(env));
    s.workers.push(await startWorker(env));
    const before = await Promise.all(s.workers.map((w) => activitiesRun(w.metrics)));
    const twoIds: number[] = [];
    const twoSeconds = await pool(INTAKE, CONCURRENCY, async (i) => { twoIds.push((await register(s!.apis[i % 2].url, org.agent, {}, org.department)).id); });
    await acknowledged(db, twoIds);
    const after = await Promise.all(s.workers.map((w) => activitiesRun(w.metrics)));
    const ran = after.map((a, i) => a - before[i]);
    const share = ran.map((r) => `${Math.round((100 * r) / Math.max(1, ran[0] + ran[1]))}%`).join(' / ');
    row('two APIs + two workers: intake (32 concurrent)', `${(INTAKE / twoSeconds).toFixed(1)}/s`, (oneSeconds / twoSeconds).toFixed(2), `against one of each at the same load; activities per worker ${share}`);

    console.log(`\nnpm run bench:load (${os.cpus().length} cores; ${RAW_STARTS} bare starts, ${INTAKE} intake, ${RATE_SECONDS} s at 10/s, ${OPEN.toLocaleString('en')} open, ${ESCALATIONS} escalations)\n`);
    console.log('| measure | value | ratio | held against |');
    console.log('| --- | --- | --- | --- |');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    await connection.close();
  } finally {
    for (const x of [...(s?.apis ?? []), ...(s?.workers ?? [])]) await x.m.stop();
    await s?.db.$disconnect();
    for (const m of stack.reverse()) await m.stop();
    await dropBenchDatabase(databaseUrl);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
