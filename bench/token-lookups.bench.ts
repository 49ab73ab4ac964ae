import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createApp } from '../api/app';
import { createDb, createReportDb, type Db } from '../lib/db';
import { issueToken } from '../lib/tokens';
import { migrate } from '../prisma/migrate';
import { benchDatabaseUrl, describeCounts, dropBenchDatabase, seedComplaints } from './seed';

// npm run bench:isolation: do token-authenticated lookups stay fast while dashboards compute ten years
// of figures? Creates a database of its own (as bench/reports.bench.ts does), loads 100,000 complaints
// over ten years, starts the API in-process (its own pool of 10 connections; the reports on the report
// pool, REPORT_POOL_SIZE and REPORT_STATEMENT_TIMEOUT), and times lookups one at a time
// (GET /staff and GET /complaints?limit=1, each with a token) three ways:
//   - nothing else running;
//   - four clients asking for the ten-year summary over and over (six queries each, side by side);
//   - the same four with the reports on the API's own pool, as before the report pool existed.
// Prints p50, p99 and max per lookup and phase, each as a ratio to the same figure with nothing else
// running, then drops the database. The issue's target: lookups under 50 ms while four summaries run.
// BENCH_COMPLAINTS, BENCH_LOOKUPS (per route and phase, or BENCH_PHASE_SECONDS, whichever comes first)
// and BENCH_SUMMARIES change the sizes.

const COMPLAINTS = Number(process.env.BENCH_COMPLAINTS ?? 100_000);
const LOOKUPS = Number(process.env.BENCH_LOOKUPS ?? 400);
const PHASE_MS = 1000 * Number(process.env.BENCH_PHASE_SECONDS ?? 30);
const SUMMARIES = Number(process.env.BENCH_SUMMARIES ?? 4);
const TARGET_MS = 50;
const DAY = 86_400_000;
const LOOKUP_ROUTES = ['/staff', '/complaints?limit=1'] as const;

interface Api { url: string; server: Server }
interface Timings { [route: string]: number[] }
interface SummaryRuns { ms: number[]; statuses: Record<number, number> }

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(deps: Parameters<typeof createApp>[0]): Promise<Api> {
  const server: Server = await new Promise((resolve) => { const s = createApp(deps).listen(0, '127.0.0.1', () => resolve(s)); });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
async function stop(api: Api) {
  api.server.closeAllConnections();
  await new Promise((r) => api.server.close(r));
}

async function get(url: string, token: string): Promise<{ status: number; ms: number }> {
  const t = performance.now();
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - t };
}

/** `count` lookups of each route (fewer if PHASE_MS runs out first), one at a time, alternating. */
async function lookups(api: Api, token: string, count = LOOKUPS): Promise<Timings> {
  const out: Timings = Object.fromEntries(LOOKUP_ROUTES.map((r) => [r, []]));
  const until = performance.now() + PHASE_MS;
  for (let i = 0; i < count && performance.now() < until; i++) {
    for (const route of LOOKUP_ROUTES) {
      const r = await get(`${api.url}${route}`, token);
      if (r.status !== 200) throw new Error(`GET ${route} answered ${r.status}`);
      out[route].push(r.ms);
    }
  }
  return out;
}

/** SUMMARIES clients, each asking for the ten-year summary again as soon as it has its answer, until `done`. */
function summaries(api: Api, token: string, query: string) {
  const runs: SummaryRuns = { ms: [], statuses: {} };
  let stopping = false;
  const client = async () => {
    while (!stopping) {
      const r = await get(`${api.url}/reports/summary?${query}`, token);
      runs.statuses[r.status] = (runs.statuses[r.status] ?? 0) + 1;
      if (r.status === 200) runs.ms.push(r.ms);
    }
  };
  const clients = Array.from({ length: SUMMARIES }, client);
  return { runs, done: async () => { stopping = true; await Promise.all(clients); } };
}

/** Queries running in the database: the lookups are measured once the summaries' queries are. */
async function busyReportQueries(db: Db) {
  const [{ n }] = await db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
    WHERE datname = current_database() AND state = 'active' AND query NOT LIKE '%pg_stat_activity%'`;
  return n;
}

async function main() {
  // The API's per-token rate limit would refuse a benchmark's worth of requests from one token.
  process.env.RATE_LIMIT_PER_TOKEN ??= '1000000';
  process.env.RATE_LIMIT_PER_ADDRESS ??= '1000000';
  process.env.LOG_LEVEL ??= 'warn'; // no line per request
  const { url, name } = benchDatabaseUrl();
  console.log(`database ${name}: migrating and loading ${COMPLAINTS.toLocaleString('en')} complaints over ten years…`);
  await migrate(url);
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const db = createDb(url, 10); // as the API runs it
  const reportDb = createReportDb(url);
  const apis: Api[] = [];
  try {
    const t0 = performance.now();
    const counts = await seedComplaints(pg, COMPLAINTS, 3650);
    console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${describeCounts(counts)}`);
    const [agent, senior] = await Promise.all([
      db.staff.create({ data: { name: 'Bench Agent', email: 'bench.agent@example.com', role: 'agent' } }),
      db.staff.create({ data: { name: 'Bench Senior', email: 'bench.senior@example.com', role: 'senior_manager' } }),
    ]);
    const lookupToken = (await issueToken(db, agent.id, 'bench')).token;
    const reportToken = (await issueToken(db, senior.id, 'bench')).token;
    const from = new Date(Date.now() - 3650 * DAY).toISOString().slice(0, 10);
    const query = `from=${from}`; // to: the end of today; ten years

    // Temporal is not used by any route measured here.
    const temporal = {} as any;
    const isolated = await start({ db, reportDb, temporal, taskQueue: 'bench' });
    const shared = await start({ db, reportDb: db, temporal, taskQueue: 'bench' });
    apis.push(isolated, shared);

    // Warm-up: plans, caches, keep-alive connections.
    await lookups(isolated, lookupToken, 50);
    const warm = await get(`${isolated.url}/reports/summary?${query}`, reportToken);
    if (warm.status !== 200) throw new Error(`the summary answered ${warm.status}`);
    console.log(`one ten-year summary alone: ${warm.ms.toFixed(0)} ms\n`);

    const phases: { name: string; timings: Timings; runs?: SummaryRuns }[] = [];
    phases.push({ name: 'nothing else running', timings: await lookups(isolated, lookupToken) });
    for (const [label, api] of [[`${SUMMARIES} summaries, report pool`, isolated], [`${SUMMARIES} summaries, shared pool (before)`, shared]] as const) {
      const load = summaries(api, reportToken, query);
      // Measure once the summaries' queries are running.
      for (let i = 0; i < 100 && (await busyReportQueries(db)) < 2; i++) await sleep(20);
      const timings = await lookups(api, lookupToken);
      await load.done();
      phases.push({ name: label, timings, runs: load.runs });
    }

    const idle = phases[0].timings;
    const rows: string[][] = [];
    for (const p of phases) {
      for (const route of LOOKUP_ROUTES) {
        const t = [...p.timings[route]].sort((a, b) => a - b);
        const base = [...idle[route]].sort((a, b) => a - b);
        const ratio = (q: number) => (q === 1 ? t[t.length - 1] / base[base.length - 1] : pct(t, q) / pct(base, q));
        const fig = (q: number) => (q === 1 ? t[t.length - 1] : pct(t, q));
        const s = p.runs ? [...p.runs.ms].sort((a, b) => a - b) : [];
        const other = p.runs ? Object.entries(p.runs.statuses).filter(([st]) => st !== '200').map(([st, n]) => `${n}×${st}`).join(' ') : '';
        rows.push([
          p.name, `GET ${route}`, String(t.length), fig(0.5).toFixed(1), fig(0.99).toFixed(1), fig(1).toFixed(1),
          `${ratio(0.5).toFixed(1)} / ${ratio(0.99).toFixed(1)} / ${ratio(1).toFixed(1)}`,
          p.runs ? `${s.length}${other ? ` (+${other})` : ''}` : '–',
          p.runs && s.length ? pct(s, 0.5).toFixed(0) : '–',
        ]);
      }
    }
    const head = ['phase', 'lookup', 'n', 'p50 ms', 'p99 ms', 'max ms', '÷ idle (p50 / p99 / max)', 'summaries answered', 'summary p50 ms'];
    console.log(`| ${head.join(' | ')} |\n| ${head.map(() => '---').join(' | ')} |`);
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log(`\n(lookups one at a time, at most ${LOOKUPS} per route and phase or ${PHASE_MS / 1000} s; ${COMPLAINTS.toLocaleString('en')} complaints over ten years; `
      + `report pool: ${process.env.REPORT_POOL_SIZE ?? 'default'} connections, statement timeout ${process.env.REPORT_STATEMENT_TIMEOUT ?? 'default'})`);
    const loaded = phases[1].timings;
    const worst = Math.max(...LOOKUP_ROUTES.map((r) => pct([...loaded[r]].sort((a, b) => a - b), 0.99)));
    console.log(`target (lookups under ${TARGET_MS} ms while ${SUMMARIES} summaries run, at p99): ${worst < TARGET_MS ? 'met' : 'MISSED'} (${worst.toFixed(1)} ms)`);
  } finally {
    for (const api of apis) await stop(api);
    await Promise.all([db.$disconnect(), reportDb.$disconnect()]);
    await pg.end();
    await dropBenchDatabase(url);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
