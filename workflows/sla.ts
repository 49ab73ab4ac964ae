import { condition } from '@temporalio/workflow';
import { addWorkingTime, workingTimeBetween } from './business-hours';
import type { ClockName, Deadline } from './messages';
import { ladderLevel, type SlaTerms } from './policy';

// SLA clocks of one complaint. Each clock has a budget counted from its start (in working time when
// the policy has a calendar), a warning at a share of it, and, once breached, an escalation one level
// up, repeated after a further interval while it stays breached. Waiting on the customer pauses the
// clocks; the deadline moves by the working time spent waiting. `watch` is the one loop that sleeps
// until the next of these instants; any change wakes it to plan again, which cancels its timer.

interface Clock {
  name: ClockName;
  round: number;
  startMs: number;
  budgetMs: number;
  terms: SlaTerms;
  pausedMs: number;
  pausedSince?: number;
  warned: boolean;
  breachedAt?: number;
  metAt?: number;
  escalations: number;
  nextEscalationAt?: number;
  escalatedTo: string[];
  done: boolean; // met, or escalated to the top
}

export interface SlaActions {
  warn(clock: ClockName, dueAt: number): Promise<void>;
  /** The deadline has passed unmet (once per clock), before its first escalation. */
  breach(clock: ClockName, dueAt: number): Promise<void>;
  /** Escalates once more; resolves with the role reached, or undefined when there is no level left. */
  escalate(clock: ClockName, n: number, dueAt: number): Promise<string | undefined>;
}


export class SlaClocks {
  private clocks: Clock[] = [];
  private version = 0;
  private stopped = false;

  private changed() { this.version++; }

  private dueAt(c: Clock) {
    return addWorkingTime(new Date(c.startMs), c.budgetMs + c.pausedMs, c.terms.calendar).getTime();
  }
  private warnAt(c: Clock) {
    return addWorkingTime(new Date(c.startMs), c.budgetMs * c.terms.warnShare + c.pausedMs, c.terms.calendar).getTime();
  }

  start(name: ClockName, startMs: number, terms: SlaTerms, round = 1) {
    const budgetMs = { triage: terms.triageMs, firstResponse: terms.firstResponseMs, resolution: terms.resolutionMs }[name];
    this.clocks.push({ name, round, startMs, budgetMs, terms, pausedMs: 0, warned: false, escalations: 0, escalatedTo: [], done: false });
    this.changed();
  }

  /** The deadline is met: its pending warning and escalation timers go. */
  meet(name: ClockName) {
    const c = this.clocks.find((k) => k.name === name && k.metAt === undefined);
    if (!c) return;
    c.metAt = Date.now();
    this.changed();
  }


  /**
   * New terms (the severity changed): every open clock is planned again from its own start. A deadline
   * already missed stays missed, with its escalations: it keeps the terms it was missed under.
   */
  replan(terms: SlaTerms) {
    for (const c of this.clocks.filter((k) => k.metAt === undefined && k.breachedAt === undefined)) {
      c.terms = terms;
      c.budgetMs = { triage: terms.triageMs, firstResponse: terms.firstResponseMs, resolution: terms.resolutionMs }[c.name];
    }
    this.changed();
  }

  pause() {
    const now = Date.now();
    for (const c of this.clocks) if (c.metAt === undefined && c.pausedSince === undefined) c.pausedSince = now;
    this.changed();
  }

  resume() {
    const now = Date.now();
    for (const c of this.clocks) {
      if (c.pausedSince === undefined) continue;
      const waited = workingTimeBetween(new Date(c.pausedSince), new Date(now), c.terms.calendar);
      c.pausedMs += waited;
      if (c.nextEscalationAt !== undefined) c.nextEscalationAt += now - c.pausedSince;
      c.pausedSince = undefined;
    }
    this.changed();
  }

  stop() {
    this.stopped = true;
    this.changed();
  }

  /** The current deadline of each clock (its latest round), in ms, as the complaint's columns name them. */
  dueDates(): { triageDueAt: number | null; firstResponseDueAt: number | null; resolutionDueAt: number | null } {
    const out = { triageDueAt: null, firstResponseDueAt: null, resolutionDueAt: null } as Record<`${ClockName}DueAt`, number | null>;
    for (const c of this.clocks) out[`${c.name}DueAt`] = this.dueAt(c);
    return out;
  }

  /** Whether any deadline has been missed (in any round). */
  breached() {
    return this.clocks.some((c) => c.breachedAt !== undefined);
  }

  /** The highest escalation level reached on any clock: 0 none, 1 supervisor, 2 manager, 3 senior management. */
  level() {
    return Math.max(0, ...this.clocks.flatMap((c) => c.escalatedTo.map(ladderLevel)));
  }

  view(): Deadline[] {
    return this.clocks.map((c) => ({
      clock: c.name,
      round: c.round,
      dueAt: new Date(this.dueAt(c)).toISOString(),
      warnAt: new Date(this.warnAt(c)).toISOString(),
      warned: c.warned,
      breachedAt: c.breachedAt === undefined ? undefined : new Date(c.breachedAt).toISOString(),
      metAt: c.metAt === undefined ? undefined : new Date(c.metAt).toISOString(),
      paused: c.pausedSince !== undefined,
      escalationLevel: Math.max(0, ...c.escalatedTo.map(ladderLevel)),
      escalatedTo: [...c.escalatedTo],
    }));
  }

  /** The next thing to do: a warning, a breach, or a further escalation, with its instant. */
  private next(): { clock: Clock; kind: 'warn' | 'escalate'; at: number } | undefined {
    let best: { clock: Clock; kind: 'warn' | 'escalate'; at: number } | undefined;
    for (const c of this.clocks) {
      if (c.metAt !== undefined || c.done || c.pausedSince !== undefined) continue;
      const candidate = !c.warned && c.breachedAt === undefined
        ? { clock: c, kind: 'warn' as const, at: this.warnAt(c) }
        : { clock: c, kind: 'escalate' as const, at: c.breachedAt === undefined ? this.dueAt(c) : c.nextEscalationAt! };
      if (!best || candidate.at < best.at) best = candidate;
    }
    return best;
  }

  /**
   * Runs until `stop()`: sleeps until the next instant, acts, plans again. The actions (emails,
   * records) run beside the loop, so a slow or stuck one never holds back another deadline: a
   * warning runs on its own, a clock's breach and escalations one after another. Stopping waits for
   * those still running. A failed action fails the watch.
   */
  async watch(actions: SlaActions): Promise<void> {
    const running = new Set<Promise<void>>();
    const tails = new Map<Clock, Promise<void>>();
    let failure: { error: unknown } | undefined;
    const act = (chain: Clock | null, job: () => Promise<void>) => {
      const before = chain ? tails.get(chain) : undefined;
      const p = (before ?? Promise.resolve()).then(job);
      if (chain) tails.set(chain, p);
      running.add(p);
      p.then(() => running.delete(p), (error) => { failure ??= { error }; this.changed(); });
    };

    while (!this.stopped && !failure) {
      const seen = this.version;
      const next = this.next();
      const wait = next ? next.at - Date.now() : Infinity;
      if (wait > 0) {
        await (wait === Infinity ? condition(() => this.version !== seen) : condition(() => this.version !== seen, wait));
        continue;
      }
      const c = next!.clock;
      const dueAt = next!.at;
      if (next!.kind === 'warn') {
        c.warned = true;
        // A warning found only after its deadline (the worker was down, say) is no use: the escalation follows at once.
        const due = this.dueAt(c);
        if (Date.now() < due) act(null, () => (c.metAt === undefined ? actions.warn(c.name, due) : Promise.resolve()));
        continue;
      }
      if (c.breachedAt === undefined) {
        c.breachedAt = Date.now();
        act(c, () => actions.breach(c.name, dueAt));
      }
      // The next escalation is planned now; the role reached is known when this one has been sent.
      const n = c.escalations++;
      c.nextEscalationAt = dueAt + c.terms.reescalateMs;
      act(c, async () => {
        if (c.done || c.metAt !== undefined) return; // met while waiting its turn: nobody needs telling
        const role = await actions.escalate(c.name, n, dueAt);
        if (role === undefined) c.done = true; // top of the chain reached: nobody left to tell
        else c.escalatedTo.push(role);
        this.changed();
      });
    }
    await Promise.all(running);
    if (failure) throw failure.error;
  }
}
