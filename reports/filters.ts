import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';

// What every report is asked for: a time range and the four dimensions a complaint can be sliced by.
// Values reach PostgreSQL only as bound parameters (Prisma.sql); nothing from a request is spliced
// into SQL text. Times are UTC: the columns are `timestamp(3)` holding UTC, and every instant is sent
// as an ISO string cast to `timestamp` (the trailing Z is dropped by that cast, not converted).

export interface ReportFilters {
  /** Start of the range, inclusive. Default: 90 days before `to`. */
  from?: Date;
  /** End of the range, exclusive. Default: the start of tomorrow (UTC), so that today is included. */
  to?: Date;
  department?: string;
  category?: string;
  severity?: string;
  channel?: string;
}

export interface Range { from: Date; to: Date }

export const DAY_MS = 86_400_000;
export const DEFAULT_RANGE_DAYS = 90;

export function rangeOf(f: ReportFilters, now = new Date()): Range {
  const to = f.to ?? new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  const from = f.from ?? new Date(to.getTime() - DEFAULT_RANGE_DAYS * DAY_MS);
  return { from, to };
}

/** An instant as a `timestamp` (UTC) parameter. */
export const ts = (d: Date) => Prisma.sql`${d.toISOString()}::timestamp`;

/** ` AND …` restricting the complaints aliased `c` to the requested dimensions (empty when none). */
export function dimensions(f: ReportFilters): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (f.department !== undefined) parts.push(Prisma.sql`c.department = ${f.department}`);
  if (f.category !== undefined) parts.push(Prisma.sql`c.category = ${f.category}`);
  if (f.severity !== undefined) parts.push(Prisma.sql`c.severity = ${f.severity}`);
  if (f.channel !== undefined) parts.push(Prisma.sql`c.channel = ${f.channel}`);
  return parts.length ? Prisma.sql` AND ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

/** The filters as they are echoed back with every report. */
export function describe(f: ReportFilters, range: Partial<Range> = {}) {
  return {
    from: range.from?.toISOString() ?? null,
    to: range.to?.toISOString() ?? null,
    filters: { department: f.department ?? null, category: f.category ?? null, severity: f.severity ?? null, channel: f.channel ?? null },
  };
}

/** A number as JSON wants it: finite, or null (0/0, no data). */
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number.isFinite(Number(v)) ? Number(v) : null);
export const ratio = (count: number, base: number): number | null => (base > 0 ? count / base : null);

/**
 * A report that did not run to its end: PostgreSQL stopped it at the report pool's statement timeout
 * (`timeout`), or every report connection stayed busy for as long as a report may wait (`busy`).
 */
export class ReportStopped extends Error {
  constructor(public reason: 'timeout' | 'busy', options?: { cause?: unknown }) {
    super(reason === 'timeout' ? 'the report query was stopped by its statement timeout' : 'no report connection became free in time', options);
    this.name = 'ReportStopped';
  }
}

/** The ReportStopped that a Prisma error stands for, if it is one. */
function stopped(err: any): ReportStopped | undefined {
  // 57014: query_canceled, which is what statement_timeout raises.
  if (err?.code === 'P2010' && err.meta?.driverAdapterError?.cause?.code === '57014') return new ReportStopped('timeout', { cause: err });
  // Prisma's maxWait: the transaction could not start (no connection was free) in time.
  if (err?.code === 'P2028' && /unable to start a transaction/i.test(String(err.message))) return new ReportStopped('busy', { cause: err });
  return undefined;
}

/**
 * Runs one report query in a transaction of its own with JIT compilation off. PostgreSQL's JIT kicks in
 * on the planner's cost alone, and for these queries (a few hundred ms over 100,000 complaints) it cost
 * more than the query itself: up to 1.3 s of compiling for a 0.5 s query (see bench/reports.bench.ts).
 * On the report pool (lib/db.ts's reportDb) a query that runs too long is a ReportStopped.
 */
export async function reportQuery<T>(db: Db, query: Prisma.Sql): Promise<T[]> {
  try {
    const [, rows] = await db.$transaction([
      db.$queryRaw`SELECT set_config('jit', 'off', true)`,
      db.$queryRaw<T[]>(query),
    ]);
    return rows;
  } catch (err) {
    throw stopped(err) ?? err;
  }
}
