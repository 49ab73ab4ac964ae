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
 * Runs one report query in a transaction of its own with JIT compilation off. PostgreSQL's JIT kicks in
 * on the planner's cost alone, and for these queries (a few hundred ms over 100,000 complaints) it cost
 * more than the query itself: up to 1.3 s of compiling for a 0.5 s query (see bench/reports.bench.ts).
 */
export async function reportQuery<T>(db: Db, query: Prisma.Sql): Promise<T[]> {
  const [, rows] = await db.$transaction([
    db.$queryRaw`SELECT set_config('jit', 'off', true)`,
    db.$queryRaw<T[]>(query),
  ]);
  return rows;
}
