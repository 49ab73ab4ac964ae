import { Prisma } from '../generated/prisma/client';
import type { Db } from '../lib/db';
import { reportQuery } from './filters';
import { calendarsOf, describePeriod, resolvePeriod, type PeriodInput } from './regulatory-calendar';

// Every regulatory deadline missed whose due instant falls in the period: what the workflow recorded as
// `regulatory_breached` (the point passed without what the rule needs) or as `regulatory_met` with
// late = true (met, but after the point), one row per complaint and clock however many of those events
// it has. `metAt` is when the clock was met after all (null: still unmet as of `asOf`); `lateSeconds`
// is how far past the due instant it was met, or, still unmet, is as of `asOf`. The citation is the
// profile's (regulatory_clocks). Times are the workflow's own instants of its steps (data.decidedAt),
// else the time the event was written.

export interface BreachRow {
  reference: string;
  complaintId: number;
  regulation: string;
  clock: string;
  citation: string | null;
  dueAt: string;
  breachedAt: string | null;
  metAt: string | null;
  lateSeconds: number;
}
export const BREACH_COLUMNS = ['reference', 'complaintId', 'regulation', 'clock', 'citation', 'dueAt', 'breachedAt', 'metAt', 'lateSeconds'] as const;

/** The workflow's instant of a step (an ISO string in its data), else when its event was written. */
export function instantOf(decidedAt: unknown, written: Date): string {
  const t = typeof decidedAt === 'string' ? Date.parse(decidedAt) : NaN;
  return new Date(Number.isNaN(t) ? written.getTime() : t).toISOString();
}

interface Fact { complaintId: number; reference: string; regulation: string; type: string; clock: string; dueAt: string; at: Date; decidedAt: string | null; citation: string | null }

export interface BreachOptions extends PeriodInput { regulation?: string; department?: string; now?: Date }

export async function regulatoryBreaches(db: Db, o: BreachOptions) {
  const now = o.now ?? new Date();
  // The period's edges are midnights of the regulator asked for, or of UTC across regulators.
  const timeZone = o.regulation ? (await calendarsOf(db, [o.regulation])).get(o.regulation)?.timeZone ?? 'UTC' : 'UTC';
  const period = resolvePeriod(o, timeZone, now);
  const facts = await reportQuery<Fact>(db, Prisma.sql`
    SELECT c.id AS "complaintId", c.reference, c.regulation, e.type, e.data->>'clock' AS clock, e.data->>'dueAt' AS "dueAt",
           e.at, e.data->>'decidedAt' AS "decidedAt", rc.citation
    FROM complaint_events e
    JOIN complaints c ON c.id = e.complaint_id
    LEFT JOIN regulatory_clocks rc ON rc.profile_code = c.regulation AND rc.name = e.data->>'clock'
    WHERE e.type IN ('regulatory_breached', 'regulatory_met') AND (e.type = 'regulatory_breached' OR e.data->>'late' = 'true')
      AND c.regulation IS NOT NULL AND e.data->>'dueAt' IS NOT NULL
      AND (e.data->>'dueAt')::timestamptz >= ${period.from.toISOString()}::timestamptz
      AND (e.data->>'dueAt')::timestamptz < ${period.to.toISOString()}::timestamptz
      ${o.regulation === undefined ? Prisma.empty : Prisma.sql`AND c.regulation = ${o.regulation}`}
      ${o.department === undefined ? Prisma.empty : Prisma.sql`AND c.department = ${o.department}`}
    ORDER BY e.complaint_id, e.step, e.id`);

  const byClock = new Map<string, BreachRow>();
  for (const f of facts) {
    const key = `${f.complaintId}:${f.clock}`;
    const at = instantOf(f.decidedAt, f.at);
    const row = byClock.get(key) ?? {
      reference: f.reference, complaintId: f.complaintId, regulation: f.regulation, clock: f.clock, citation: f.citation,
      dueAt: new Date(f.dueAt).toISOString(), breachedAt: null, metAt: null, lateSeconds: 0,
    };
    if (f.type === 'regulatory_breached') row.breachedAt ??= at;
    else row.metAt ??= at;
    byClock.set(key, row);
  }
  const rows = [...byClock.values()]
    .map((r) => ({ ...r, lateSeconds: Math.max(0, Math.round((Date.parse(r.metAt ?? now.toISOString()) - Date.parse(r.dueAt)) / 1000)) }))
    .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.reference.localeCompare(b.reference) || a.clock.localeCompare(b.clock));
  return {
    report: 'regulatory-breaches' as const, asOf: now.toISOString(), ...describePeriod(period),
    filters: { regulation: o.regulation ?? null, department: o.department ?? null }, columns: BREACH_COLUMNS, rows,
  };
}
