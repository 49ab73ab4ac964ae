import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { config, toMs } from './config';

export type Db = PrismaClient;

export function createDb(url: string = config().DATABASE_URL, maxConnections = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: maxConnections }) });
}

let shared: Db | undefined;
/** One client per process, created on first use. */
export function db(): Db {
  return (shared ??= createDb());
}

/** How the report pool's connections name themselves to PostgreSQL (pg_stat_activity.application_name). */
export const REPORT_APPLICATION_NAME = 'complaints-reports';

export interface ReportDbOptions {
  /** Default REPORT_POOL_SIZE. */
  maxConnections?: number;
  /** Default REPORT_STATEMENT_TIMEOUT. */
  statementTimeoutMs?: number;
}

/**
 * A pool for the quality reports only: a few connections, each with a statement_timeout that
 * PostgreSQL itself enforces (set when the connection opens) and no parallel workers, so reports over
 * years of data hold no connection the API needs, keep at most `maxConnections` of the database's
 * cores busy, and never run for ever. A report waits at most as long for one of these connections as
 * it may run (Prisma's maxWait); the transaction's own timeout is left above the statement timeout, so
 * it is always PostgreSQL that stops a report, and the connection is left idle.
 */
export function createReportDb(url: string = config().DATABASE_URL, o: ReportDbOptions = {}): Db {
  const max = o.maxConnections ?? config().REPORT_POOL_SIZE;
  const timeout = Math.max(1, Math.round(o.statementTimeoutMs ?? toMs(config().REPORT_STATEMENT_TIMEOUT)));
  return new PrismaClient({
    adapter: new PrismaPg({
      connectionString: url, max, application_name: REPORT_APPLICATION_NAME,
      statement_timeout: timeout,
      // One core per report connection: with parallel workers two reports kept six processes busy, and
      // on 2 cores a ten-year summary took 3.8 s with them, 2.7 s without (see README, Performance).
      options: '-c max_parallel_workers_per_gather=0',
      // A transaction abandoned half-way (a crash between statements) gives its connection back too.
      idle_in_transaction_session_timeout: timeout + 5_000,
    }),
    transactionOptions: { maxWait: timeout, timeout: timeout + 5_000 },
  });
}

let sharedReports: Db | undefined;
/** The process's report pool (REPORT_POOL_SIZE, REPORT_STATEMENT_TIMEOUT), created on first use. */
export function reportDb(): Db {
  return (sharedReports ??= createReportDb());
}
