import type { Db } from '../lib/db';
import { REGULATORY_EVENTS } from '../workflows/regulatory';
import { instantOf } from './regulatory-breaches';

// One complaint's regulatory deadlines, as evidence for a regulator or an ombudsman: from the events its
// workflow recorded (workflows/regulatory.ts lists them), each clock with its citation, when it fell
// due, when the owner was warned, and what happened: met (on time or late), the rule's letter sent (its
// kind and delivery), breached, or closed inside a short window (a summary resolution). The raw events
// come with it, in the workflow's order.

export type ClockOutcome = 'summary_resolution' | 'met' | 'met_late' | 'breached' | 'letter_sent' | 'window_passed' | 'running';

export interface EvidenceClock {
  clock: string;
  citation: string | null;
  atPoint: string | null;
  dueAt: string | null;
  warnAt: string | null;
  warnedAt: string | null;
  metAt: string | null;
  late: boolean | null;
  letterSentAt: string | null;
  letterKind: string | null;
  letterDelivery: string | null;
  breachedAt: string | null;
  summaryResolutionAt: string | null;
  outcome: ClockOutcome;
}

type Data = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v : null);
const iso = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : null);

/** The evidence of complaint `complaintId`, or null when there is no such complaint. */
export async function regulatoryEvidence(db: Db, complaintId: number, now = new Date()) {
  const complaint = await db.complaint.findUnique({ where: { id: complaintId }, select: { id: true, reference: true, regulation: true, createdAt: true } });
  if (!complaint) return null;
  const base = { complaintId: complaint.id, reference: complaint.reference, receivedAt: complaint.createdAt.toISOString(), asOf: now.toISOString() };
  if (!complaint.regulation) {
    return { ...base, regulation: null, profile: null, note: "This complaint is not held to a regulator's rules: it has no regulatory deadlines.", clocks: [] as EvidenceClock[], events: [] };
  }
  const [profile, rows] = await Promise.all([
    db.regulatoryProfile.findUnique({ where: { code: complaint.regulation }, include: { clocks: true } }),
    db.complaintEvent.findMany({ where: { complaintId, type: { in: [...REGULATORY_EVENTS] } }, orderBy: [{ step: 'asc' }, { id: 'asc' }] }),
  ]);
  const events = rows.map((e) => ({ step: e.step, type: e.type, at: instantOf((e.data as Data)?.decidedAt, e.at), data: e.data as Data }));

  const clocks = new Map<string, EvidenceClock>();
  const clockOf = (name: string): EvidenceClock => {
    let c = clocks.get(name);
    if (!c) {
      clocks.set(name, (c = {
        clock: name, citation: profile?.clocks.find((r) => r.name === name)?.citation ?? null, atPoint: profile?.clocks.find((r) => r.name === name)?.atPoint ?? null,
        dueAt: null, warnAt: null, warnedAt: null, metAt: null, late: null, letterSentAt: null, letterKind: null, letterDelivery: null,
        breachedAt: null, summaryResolutionAt: null, outcome: 'running',
      }));
    }
    return c;
  };
  for (const e of events) {
    if (e.type === 'regulatory_clocks_started') {
      for (const started of Array.isArray(e.data.clocks) ? (e.data.clocks as Data[]) : []) {
        if (typeof started?.name !== 'string') continue;
        const c = clockOf(started.name);
        // What the complaint was held to when its clocks started (a firm may change the profile since).
        c.citation = str(started.citation) ?? c.citation;
        c.atPoint = str(started.atPoint) ?? c.atPoint;
        c.dueAt = iso(started.dueAt);
        c.warnAt = iso(started.warnAt);
      }
      continue;
    }
    if (typeof e.data.clock !== 'string') continue;
    const c = clockOf(e.data.clock);
    c.dueAt ??= iso(e.data.dueAt);
    if (e.type === 'regulatory_warning') c.warnedAt ??= e.at;
    if (e.type === 'regulatory_met' && !c.metAt) {
      c.metAt = e.at;
      c.late = e.data.late === true;
    }
    if (e.type === 'regulatory_letter_sent' && !c.letterSentAt) {
      c.letterSentAt = e.at;
      c.letterKind = str(e.data.kind);
      c.letterDelivery = str(e.data.delivery);
    }
    if (e.type === 'regulatory_breached') c.breachedAt ??= e.at;
    if (e.type === 'summary_resolution') c.summaryResolutionAt ??= e.at;
  }
  for (const c of clocks.values()) c.outcome = outcomeOf(c, now);
  const ordered = [...clocks.values()].sort((a, b) => (a.dueAt ?? '9').localeCompare(b.dueAt ?? '9'));
  return {
    ...base, regulation: complaint.regulation,
    profile: profile && { code: profile.code, name: profile.name, regulator: profile.regulator, timeZone: profile.timeZone, ombudsmanName: profile.ombudsmanName },
    clocks: ordered, events,
  };
}

function outcomeOf(c: EvidenceClock, now: Date): ClockOutcome {
  if (c.summaryResolutionAt) return 'summary_resolution';
  if (c.metAt) return c.late ? 'met_late' : 'met';
  if (c.breachedAt) return 'breached';
  if (c.letterSentAt) return 'letter_sent';
  if (c.atPoint === 'window' && c.dueAt && Date.parse(c.dueAt) <= now.getTime()) return 'window_passed';
  return 'running';
}
