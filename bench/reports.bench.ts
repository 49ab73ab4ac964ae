import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createDb } from '../lib/db';
import { migrate } from '../prisma/migrate';
import { atRiskReport, backlogReport, escalationsReport, paretoReport, summaryReport, targetsReport, trendsReport } from '../reports/figures';
import type { ReportFilters } from '../reports/filters';
import type { Targets } from '../reports/targets';
import { benchDatabaseUrl, describeCounts, dropBenchDatabase, seedComplaints } from './seed';

// npm run bench: how long each quality figure takes over 100,000 stored complaints.
// Creates a database of its own next to the test databases (BENCH_DATABASE_URL or TEST_DATABASE_URL
// for another server), applies the migrations, bulk-inserts two years of complaints with their events,
// escalations and survey answers in SQL (bench/seed.ts), runs every report a few times and prints the
// median per report, then drops the database. BENCH_COMPLAINTS and BENCH_RUNS change the size and runs.

const COMPLAINTS = Number(process.env.BENCH_COMPLAINTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TARGETS: Targets = { onTimeRate: 0.95, satisfactionRate: 0.95, analysisRate: 1, effectiveResolutionRate: 0.9, complaintReduction: 0.1 };

interface Case { name: string; run: () => Promise<unknown> }

async function main() {
  const { url, name } = benchDatabaseUrl();
  console.log(`database ${name}: migrating and loading ${COMPLAINTS.toLocaleString('en')} complaints…`);
  await migrate(url);
  const pg = new Client({ connectionString: url });
  await pg.connect();
  const db = createDb(url, 8);
  try {
    const t0 = performance.now();
    const counts = await seedComplaints(pg, COMPLAINTS, 730); // two years
    console.log(`loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${describeCounts(counts)}\n`);

    const now = new Date();
    const all: ReportFilters = { from: new Date(now.getTime() - 731 * 86_400_000), to: now };
    const quarter: ReportFilters = { from: new Date(now.getTime() - 90 * 86_400_000), to: now };
    const dept: ReportFilters = { ...all, department: 'logistics' };
    const sliced: ReportFilters = { ...quarter, department: 'quality', severity: 'major', channel: 'web' };
    const cases: Case[] = [];
    for (const [label, f] of [['2 years, all', all], ['90 days, all', quarter], ['2 years, 1 department', dept], ['90 days, 3 filters', sliced]] as const) {
      const open = { ...f, from: undefined, to: undefined }; // the backlog is as of now, whatever the range
      cases.push(
        { name: `targets      ${label}`, run: () => targetsReport(db, f, TARGETS, now) },
        { name: `trends/week  ${label}`, run: () => trendsReport(db, f, 'week', TARGETS, now) },
        { name: `trends/month ${label}`, run: () => trendsReport(db, f, 'month', TARGETS, now) },
        { name: `pareto       ${label}`, run: () => paretoReport(db, f, now) },
        { name: `escalations  ${label}`, run: () => escalationsReport(db, f, now) },
        { name: `summary      ${label}`, run: () => summaryReport(db, f, { targets: TARGETS, now }) },
      );
      if (f !== quarter) {
        const openLabel = label.replace(/^[^,]+/, 'all open');
        cases.push(
          { name: `backlog      ${openLabel}`, run: () => backlogReport(db, open, now) },
          { name: `at-risk      ${openLabel}`, run: () => atRiskReport(db, open, 200, now) },
        );
      }
    }
    const results: { name: string; median: number; max: number }[] = [];
    for (const c of cases) {
      await c.run(); // warm-up: plans, caches
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await c.run();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      results.push({ name: c.name, median: times[Math.floor(times.length / 2)], max: times[times.length - 1] });
    }
    const width = Math.max(...results.map((r) => r.name.length));
    // The budget ratio (median ÷ 1 s) is the figure to compare between runs and machines: below 1 meets the target.
    console.log(`${'report'.padEnd(width)}  median ms  max ms  of 1 s budget   (${RUNS} runs after a warm-up, ${COMPLAINTS.toLocaleString('en')} complaints)`);
    for (const r of results) {
      console.log(`${r.name.padEnd(width)}  ${r.median.toFixed(1).padStart(9)}  ${r.max.toFixed(1).padStart(6)}  ${(r.median / 1000).toFixed(2).padStart(13)}${r.median > 1000 ? '  SLOWER THAN 1 s' : ''}`);
    }
    const slow = results.filter((r) => r.median > 1000);
    console.log(slow.length ? `\n${slow.length} report(s) over one second` : '\nevery report under one second');
    process.exitCode = slow.length ? 1 : 0;
  } finally {
    await db.$disconnect();
    await pg.end();
    await dropBenchDatabase(url);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
