import type { Db } from '../../lib/db';
import { referenceFor } from '../../lib/reference';
import { DEFAULT_PROFILES } from '../../lib/regulatory-profiles';
import { calendarsOf } from '../../reports/regulatory-calendar';
import { regulatoryDueAt, type RegulatoryUnit } from '../../workflows/regulatory';

// Complaints held to the regulators' rules, written straight into the database (no workflow runs): their
// rows as a finished workflow leaves them, and for three of them the regulatory events it records
// (workflows/regulatory.ts). All in one department of their own, in the second half of 2026.
//
// FCA (Europe/London), 2026-H2 = 2026-06-30T23:00Z … 2026-12-31T24:00Z:
//   a  credit_cards  received Fri 28 Aug, resolved Thu 3 Sep: within 3 business days only because
//                    Monday 31 August is a bank holiday; upheld, £50
//   b  credit_cards  received 7 Sep, resolved 7 weeks later; not upheld
//   c  banking       received 6 Jul, resolved 60 days later (after 8 weeks); upheld, £250.75; its
//                    eight-week letter went out and the final response was late
//   d  banking       fca_payments; received Thu 1 Oct, withdrawn Mon 5 Oct (closed without a resolution)
//   e  (no group)    received 20 Nov, open
//   f  banking       received 15 Jun (H1), resolved 10 Jul: outstanding at the start, closed in H2; upheld, £20
//   g  banking       received and resolved in H1: not in the return
//   j  credit_cards  received 30 Jun 23:30 UTC, which is 00:30 on 1 July in London: opened in H2; open
//   x  no regulation received and resolved in H2, upheld, £999: not in any return
// ASIC (Australia/Sydney):
//   h  received 1 Sep, acknowledged the same day, resolved 4 Sep (within 5 business days), A$100
//   l  received 10 Sep, acknowledged late (a breach, met late), its IDR delay notification sent, open
//   m  received 2 Mar, resolved 20 Jul: open at the start of H2, so reported
//   n  received 1 Feb, resolved 1 Mar: not reported
// CFPB (America/New_York):
//   r  received 1 Oct; its 15-day response deadline breached, still unmet

export type FixtureKey = 'a' | 'b' | 'c' | 'd' | 'e' | 'f' | 'g' | 'j' | 'x' | 'h' | 'l' | 'm' | 'n' | 'r';

interface Spec {
  regulation: string | null; productGroup?: string; product?: string; category?: string; channel?: string;
  received: string; acknowledged?: string; resolved?: string; closedWithout?: 'withdrawn' | 'rejected';
  upheld?: boolean; redress?: number; remedy?: string; resolutionCode?: string;
}

export const FIXTURE: Record<FixtureKey, Spec> = {
  a: { regulation: 'fca', productGroup: 'credit_cards', received: '2026-08-28T09:00:00Z', resolved: '2026-09-03T14:00:00Z', upheld: true, redress: 50 },
  b: { regulation: 'fca', productGroup: 'credit_cards', received: '2026-09-07T10:00:00Z', resolved: '2026-10-26T10:00:00Z', upheld: false },
  c: { regulation: 'fca', productGroup: 'banking', received: '2026-07-06T10:00:00Z', resolved: '2026-09-04T10:00:00Z', upheld: true, redress: 250.75 },
  d: { regulation: 'fca_payments', productGroup: 'banking', received: '2026-10-01T10:00:00Z', resolved: '2026-10-05T10:00:00Z', closedWithout: 'withdrawn' },
  e: { regulation: 'fca', received: '2026-11-20T10:00:00Z' },
  f: { regulation: 'fca', productGroup: 'banking', received: '2026-06-15T10:00:00Z', resolved: '2026-07-10T10:00:00Z', upheld: true, redress: 20 },
  g: { regulation: 'fca', productGroup: 'banking', received: '2026-05-01T10:00:00Z', resolved: '2026-06-01T10:00:00Z', upheld: true, redress: 75 },
  j: { regulation: 'fca', productGroup: 'credit_cards', received: '2026-06-30T23:30:00Z' },
  x: { regulation: null, productGroup: 'credit_cards', received: '2026-09-01T10:00:00Z', resolved: '2026-09-02T10:00:00Z', upheld: true, redress: 999 },
  h: {
    regulation: 'asic', productGroup: 'credit_cards', product: 'Platinum card', category: 'fees', channel: 'phone',
    received: '2026-09-01T01:00:00Z', acknowledged: '2026-09-01T02:00:00Z', resolved: '2026-09-04T03:00:00Z', upheld: true, redress: 100, remedy: 'refund', resolutionCode: 'refund_given',
  },
  l: { regulation: 'asic', productGroup: 'home_loans', product: 'Variable home loan', category: 'service', channel: 'email', received: '2026-09-10T00:00:00Z', acknowledged: '2026-09-12T01:00:00Z' },
  m: { regulation: 'asic', productGroup: 'credit_cards', product: 'Basic card', category: 'fees', received: '2026-03-02T00:00:00Z', resolved: '2026-07-20T00:00:00Z', upheld: false, resolutionCode: 'explanation_given', remedy: 'none' },
  n: { regulation: 'asic', productGroup: 'credit_cards', product: 'Basic card', received: '2026-02-01T00:00:00Z', resolved: '2026-03-01T00:00:00Z' },
  r: { regulation: 'cfpb', productGroup: 'mortgages', channel: 'cfpb_portal', received: '2026-10-01T14:00:00Z' },
};

export interface Seeded { ids: Record<FixtureKey, number>; refs: Record<FixtureKey, string> }

export async function seedRegulatoryFixture(db: Db, department: string): Promise<Seeded> {
  const ids = {} as Record<FixtureKey, number>;
  const refs = {} as Record<FixtureKey, string>;
  for (const [key, s] of Object.entries(FIXTURE) as [FixtureKey, Spec][]) {
    const resolved = s.resolved && !s.closedWithout ? new Date(s.resolved) : null;
    const closed = s.resolved ? new Date(s.resolved) : null;
    const row = await db.complaint.create({
      data: {
        reference: `pending-${key}-${Math.random().toString(36).slice(2)}`, customerName: 'Ada Lovelace', customerEmail: 'ada@example.com',
        channel: s.channel ?? 'web', description: 'A complaint seeded for the regulatory reports.', occurredOn: new Date('2026-01-01T00:00:00Z'),
        product: s.product ?? 'Current account', department, regulation: s.regulation, productGroup: s.productGroup ?? null,
        category: s.category ?? 'service', severity: 'minor', createdAt: new Date(s.received),
        acknowledgedAt: s.acknowledged ? new Date(s.acknowledged) : new Date(new Date(s.received).getTime() + 3_600_000),
        stage: closed ? 'closed' : 'investigation', outcome: s.closedWithout ?? (closed ? 'resolved' : null),
        resolvedAt: resolved, closedAt: closed, withdrawnAt: s.closedWithout === 'withdrawn' ? closed : null,
        upheld: s.upheld ?? null, redressAmount: s.redress ?? null, remedy: s.remedy ?? (resolved ? 'apology' : null),
        resolutionCode: s.resolutionCode ?? (resolved ? 'apology_given' : null),
      },
    });
    // `received` at receipt, as registration records it.
    await db.complaintEvent.create({ data: { complaintId: row.id, eventKey: 'received', type: 'received', step: 0, data: { channel: s.channel ?? 'web' }, at: new Date(s.received) } });
    ids[key] = row.id;
    refs[key] = referenceFor(row.id);
    await db.complaint.update({ where: { id: row.id }, data: { reference: refs[key] } });
  }
  await recordEvents(db, ids);
  return { ids, refs };
}

type Event = { type: string; at: string; data: Record<string, unknown> };

/** The regulatory events of c, l and r, as their workflows would have recorded them. */
async function recordEvents(db: Db, ids: Record<FixtureKey, number>) {
  const calendars = await calendarsOf(db, ['fca', 'asic', 'cfpb']);
  const rules = (code: string) => DEFAULT_PROFILES.find((p) => p.code === code)!.clocks;
  /** regulatory_clocks_started with each rule's point and warning computed from receipt. */
  const started = (code: string, received: string): Event => {
    const at = Date.parse(received);
    return {
      type: 'regulatory_clocks_started', at: received,
      data: {
        profile: code,
        clocks: rules(code).map((r) => {
          const due = regulatoryDueAt(at, { amount: r.amount, unit: r.unit as RegulatoryUnit }, calendars.get(code)!);
          const warn = r.warnShare && r.atPoint !== 'window' ? at + Math.round((due - at) * r.warnShare) : undefined;
          return { name: r.name, citation: r.citation, atPoint: r.atPoint, dueAt: new Date(due).toISOString(), ...(warn ? { warnAt: new Date(warn).toISOString() } : {}) };
        }),
      },
    };
  };
  const dueOf = (e: Event, clock: string) => ((e.data.clocks as { name: string; dueAt: string }[]).find((c) => c.name === clock)!).dueAt;

  const c = started('fca', FIXTURE.c.received);
  const cDue = dueOf(c, 'eight_weeks');
  const l = started('asic', FIXTURE.l.received);
  const lAck = dueOf(l, 'acknowledgement');
  const lIdr = dueOf(l, 'idr_response');
  const r = started('cfpb', FIXTURE.r.received);
  const rDue = dueOf(r, 'response');
  const events: Record<'c' | 'l' | 'r', Event[]> = {
    c: [
      c,
      { type: 'regulatory_warning', at: '2026-08-17T10:00:00Z', data: { clock: 'eight_weeks', dueAt: cDue } },
      { type: 'regulatory_letter_sent', at: cDue, data: { clock: 'eight_weeks', kind: 'fca_eight_week', dueAt: cDue, delivery: 'sent' } },
      { type: 'regulatory_met', at: FIXTURE.c.resolved!, data: { clock: 'eight_weeks', dueAt: cDue, late: true } },
    ],
    l: [
      l,
      { type: 'regulatory_breached', at: lAck, data: { clock: 'acknowledgement', dueAt: lAck } },
      { type: 'regulatory_met', at: FIXTURE.l.acknowledged!, data: { clock: 'acknowledgement', dueAt: lAck, late: true } },
      { type: 'regulatory_warning', at: '2026-10-02T12:00:00Z', data: { clock: 'idr_response', dueAt: lIdr } },
      { type: 'regulatory_letter_sent', at: lIdr, data: { clock: 'idr_response', kind: 'asic_idr_delay', dueAt: lIdr, delivery: 'sent' } },
    ],
    r: [r, { type: 'regulatory_breached', at: rDue, data: { clock: 'response', dueAt: rDue } }],
  };
  for (const [key, list] of Object.entries(events) as ['c' | 'l' | 'r', Event[]][]) {
    await db.complaintEvent.createMany({
      data: list.map((e, i) => ({
        complaintId: ids[key], step: i + 1, eventKey: `${i + 1}:${e.type}`, type: e.type, at: new Date(e.at),
        // As recordStep writes them: the workflow's own instant of the step beside the row's.
        data: { ...e.data, decidedAt: e.at } as object,
      })),
    });
  }
}
