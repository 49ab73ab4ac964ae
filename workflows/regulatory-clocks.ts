import { condition } from '@temporalio/workflow';
import type { RegulatoryDeadline } from './messages';
import { regulatoryDueAt, regulatoryWarnAt, type RegulatoryMetBy, type RegulatoryPlan, type RegulatoryRule } from './regulatory';

// A regulated complaint's clocks (the rules are in regulatory.ts), beside its internal SLA clocks: each
// sleeps until its warning and its point, counted from receipt; what stops it (the acknowledgement, an
// answer, the final response) is told through `happened`. At a point not met, the rule's letter goes out
// or a breach is recorded. Every step is recorded as an event (see REGULATORY_EVENTS), the evidence a
// firm shows its regulator.

export interface RegulatoryActions {
  record(type: string, data: Record<string, unknown>): Promise<void>;
  warn(rule: RegulatoryRule, dueAt: number): Promise<void>;
  /** Sends the rule's letter; resolves with what became of it. */
  letter(rule: RegulatoryRule, dueAt: number, finalResponseBy: number | undefined): Promise<string>;
}

interface Clock { rule: RegulatoryRule; dueAt: number; warnAt?: number; met: boolean; letterSent: boolean; breached: boolean }

/** Which clocks an event stops: an answer stops "response" clocks; the final response stops every clock but the acknowledgement's. */
const STOPS: Record<RegulatoryMetBy, RegulatoryMetBy[]> = {
  acknowledgement: ['acknowledgement'], response: ['response'], final_response: ['response', 'final_response'],
};

const iso = (ms: number) => new Date(ms).toISOString();

export class RegulatoryClocks {
  private readonly clocks: Clock[];
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;
  private finalResponse = false;

  constructor(readonly plan: RegulatoryPlan, readonly receivedAt: number, private readonly actions: RegulatoryActions) {
    this.clocks = plan.rules.map((rule) => ({
      rule, dueAt: regulatoryDueAt(receivedAt, rule, plan), warnAt: regulatoryWarnAt(receivedAt, rule, plan), met: false, letterSent: false, breached: false,
    }));
  }

  /** What the first event records: the profile and every clock's point. */
  started(): Record<string, unknown> {
    return {
      profile: this.plan.code,
      clocks: this.clocks.map((c) => ({
        name: c.rule.name, citation: c.rule.citation, atPoint: c.rule.atPoint, dueAt: iso(c.dueAt), ...(c.warnAt === undefined ? {} : { warnAt: iso(c.warnAt) }),
      })),
    };
  }

  /** A final response at `at` inside a short window (DISP 1.5, RG 271's five business days): that window, else undefined. */
  summaryWindow(at: number): { rule: RegulatoryRule; dueAt: number } | undefined {
    if (this.finalResponse) return undefined;
    const c = this.clocks.find((k) => k.rule.atPoint === 'window' && at <= k.dueAt);
    return c && { rule: c.rule, dueAt: c.dueAt };
  }

  /** What stops clocks happened at `at` (the workflow's time): each clock it stops is recorded as met. */
  happened(what: RegulatoryMetBy, at: number) {
    if (what === 'final_response') this.finalResponse = true;
    for (const c of this.clocks) {
      if (c.met || c.rule.atPoint === 'window' || !STOPS[what].includes(c.rule.metBy)) continue;
      c.met = true;
      // Late only when nothing the rule allows came first: an FCA eight-week letter keeps the rule.
      this.track(this.actions.record('regulatory_met', { clock: c.rule.name, dueAt: iso(c.dueAt), at: iso(at), late: at > c.dueAt && !c.letterSent }));
    }
  }

  stop() { this.stopped = true; }

  /** Each clock as the status query shows it. */
  view(): RegulatoryDeadline[] {
    return this.clocks.map((c) => ({
      clock: c.rule.name, citation: c.rule.citation, atPoint: c.rule.atPoint, dueAt: iso(c.dueAt),
      state: c.rule.atPoint === 'window' ? 'window'
        : c.met ? (c.breached ? 'met_late' : 'met') : c.letterSent ? 'letter' : c.breached ? 'breached' : 'open',
    }));
  }

  /** Runs every clock until it is met, its point passes, or `stop()`; then waits for what is being recorded. */
  async watch(): Promise<void> {
    await Promise.all(this.clocks.filter((c) => c.rule.atPoint !== 'window').map((c) => this.run(c)));
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** Keeps a step being recorded until `watch` ends (its failure is the caller's: see complaint.ts's `beside`). */
  private track(p: Promise<void>) {
    this.pending.add(p);
    p.then(() => this.pending.delete(p), () => this.pending.delete(p));
  }

  /** Sleeps until `at` or until the clock is met or stopped; true when it should not go on. */
  private async over(c: Clock, at: number): Promise<boolean> {
    const done = () => c.met || this.stopped;
    const ms = at - Date.now();
    if (ms > 0) await condition(done, ms);
    return done();
  }

  private async run(c: Clock) {
    if (c.warnAt !== undefined && c.warnAt < c.dueAt) {
      if (await this.over(c, c.warnAt)) return;
      // A warning found only after the point (the worker was down) is no use.
      if (Date.now() < c.dueAt) this.track(this.actions.warn(c.rule, c.dueAt));
    }
    if (await this.over(c, c.dueAt)) return;
    if (c.rule.atPoint === 'letter' && c.rule.letterKind) {
      c.letterSent = true;
      const finalBy = this.clocks.filter((k) => k.rule.atPoint === 'breach' && k.rule.metBy === 'final_response').map((k) => k.dueAt);
      const delivery = await this.actions.letter(c.rule, c.dueAt, finalBy.length ? Math.max(...finalBy) : undefined);
      await this.actions.record('regulatory_letter_sent', { clock: c.rule.name, kind: c.rule.letterKind, dueAt: iso(c.dueAt), at: iso(Date.now()), delivery });
    } else {
      c.breached = true;
      await this.actions.record('regulatory_breached', { clock: c.rule.name, dueAt: iso(c.dueAt) });
    }
  }
}
