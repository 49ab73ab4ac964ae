import type { UpdateDefinition } from '@temporalio/common';
import {
  ApplicationFailure, CancellationScope, allHandlersFinished, condition, isCancellation, proxyActivities, setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ComplaintChanges } from '../activities/events';
import * as m from './messages';
import type { Actor, ClockName, ComplaintStatus, Outcome, Stage, SurveyAnswer, TriageInput } from './messages';
import { effectiveSeverity, escalationRole, flagColumns, rank, type Policy } from './policy';
import { SlaClocks } from './sla';

// One complaint's life, in the order a quality manager knows it:
// received → acknowledged → triage → investigation → resolution → sign-off → letter → survey → closed.
// Staff actions arrive as updates; each handler only checks and changes state, and records the step.

const { loadPlan } = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

const refuse = (type: string, message: string) => { throw ApplicationFailure.create({ type, message, nonRetryable: true }); };
const atLeast = (actor: Actor, role: 'supervisor' | 'manager', what: string) => {
  if (rank(actor.role) < rank(role)) refuse(m.REFUSAL.forbidden, `${what} needs a ${role} or above; staff member ${actor.id} is ${actor.role}`);
};
const required = (value: string | undefined, field: string) => {
  if (!value?.trim()) refuse(m.REFUSAL.input, `${field} is required`);
};

export async function complaintWorkflow(complaintId: number): Promise<ComplaintStatus> {
  // ---- State ------------------------------------------------------------------------------------
  const receivedAt = Date.now();
  const status: ComplaintStatus = {
    complaintId, stage: 'received', severity: 'minor', priority: 'normal', flags: [], hasReport: false,
    reopenCount: 0, surveyRound: 0, escalationLevel: 0, deadlines: [], timeline: [],
  };
  // Set once the plan is loaded (below, after the handlers, so that a query is answered from the start).
  let policy: Policy | undefined;
  let acts!: ReturnType<typeof proxyActivities<Activities>>;
  let owner: Actor | null = null;
  let triage: TriageInput | undefined;
  let triageRecorded = false;
  let signedOff = false;
  let signingOff = false;
  let withdrawal: m.WithdrawInput | undefined;
  const answers = new Map<number, SurveyAnswer>();
  const answering = new Set<number>();
  const clocks = new SlaClocks();
  let seq = 0;

  /** Records a step in PostgreSQL (event + the columns it changes) and on the timeline. */
  const record = async (type: string, set: ComplaintChanges = {}, actor?: Actor, data: Record<string, unknown> = {}) => {
    const key = `${++seq}:${type}`;
    status.timeline.push({ at: new Date().toISOString(), type, actorId: actor?.id });
    await acts.recordEvent({ complaintId, key, type, actorId: actor?.id, data: actor?.requestId ? { ...data, requestId: actor.requestId } : data, set });
  };
  const moveTo = (stage: Stage, type: string, set: ComplaintChanges = {}, actor?: Actor, data?: Record<string, unknown>) => {
    status.stage = stage;
    return record(type, { stage, ...set }, actor, data);
  };
  const customerEmail = (kind: 'rejection' | 'customer_question' | 'customer_message' | 'withdrawal', text?: string) =>
    acts.sendCustomerEmail({ complaintId, key: String(seq), kind, text });
  const isOpen = () => status.stage !== 'closed' && !withdrawal;
  const inStage = (...stages: Stage[]) => {
    if (!isOpen()) refuse(m.REFUSAL.state, `the complaint is ${withdrawal ? 'withdrawn' : 'closed'}`);
    if (!stages.includes(status.stage)) refuse(m.REFUSAL.state, `not possible while the complaint is in stage "${status.stage}" (needs ${stages.join(' or ')})`);
  };

  // ---- Queries and staff actions -------------------------------------------------------------------
  const view = (): ComplaintStatus => ({ ...status, deadlines: clocks.view(), escalationLevel: clocks.level() });
  setHandler(m.statusQuery, view);

  /**
   * A staff action: `validate` refuses a wrong one before it is accepted; `run` changes state and records
   * the step. An action that arrives while the complaint is still loading its plan waits for it.
   */
  function action<A>(update: UpdateDefinition<ComplaintStatus, [A]>, validate: (a: A) => void, run: (a: A) => Promise<void>) {
    setHandler(update, async (a: A) => {
      if (!policy) {
        await condition(() => policy !== undefined);
        validate(a);
      }
      await run(a);
      return view();
    }, { validator: (a: A) => { if (policy) validate(a); } });
  }


  action(m.triageUpdate, (input) => {
    if (triage) refuse(m.REFUSAL.state, 'the complaint has already been triaged');
    inStage('received', 'triage');
    validateTriage(input, policy!);
  }, async (input) => {
    triage = input;
    await condition(() => triageRecorded || status.stage === 'closed'); // answer once the decision is on record
  });

  // Severity or flags change once the facts are known: the open deadlines are planned again.
  action(m.reclassifyUpdate, (input) => {
    inStage('investigation', 'waiting_on_customer');
    atLeast(input.actor, 'supervisor', 'reclassifying');
    required(input.reason, 'reason');
    const flags = input.flags ?? status.flags;
    knownSeverityAndFlags(input.severity, flags);
    const severity = effectiveSeverity(input.severity, flags);
    if (severity === status.severity && sameFlags(flags, status.flags)) {
      refuse(m.REFUSAL.input, `the complaint is already ${severity}${flags.length ? ` with flags ${flags.join(', ')}` : ''}`);
    }
    ownerFits(input.owner ?? owner!, severity, flags, input.owner ? 'ownerId' : 'the current owner (give ownerId)');
  }, async ({ actor, severity, flags = status.flags, reason, owner: newOwner }) => {
    const from = status.severity;
    if (newOwner) owner = newOwner;
    Object.assign(status, { severity: effectiveSeverity(severity, flags), flags: [...flags], ownerId: owner!.id });
    clocks.replan(policy!.sla[status.severity]);
    await record('reclassified', { severity: status.severity, ownerId: owner!.id, ...flagColumns(flags), ...clocks.dueDates() },
      actor, { from, to: status.severity, flags, reason, ownerId: owner!.id });
  });

  action(m.addNoteUpdate, ({ text }) => { inStage('received', 'triage', 'investigation', 'waiting_on_customer', 'resolution_proposed'); required(text, 'text'); }, async ({ actor, text }) => {
    await record('note_added', {}, actor, { text });
  });

  action(m.recordRootCauseUpdate, ({ rootCause }) => {
    inStage('investigation', 'waiting_on_customer');
    if (!policy!.rootCauses.includes(rootCause)) refuse(m.REFUSAL.input, `rootCause must be one of ${policy!.rootCauses.join(', ')}`);
  }, async ({ actor, rootCause, detail }) => {
    status.rootCause = rootCause;
    await record('root_cause_recorded', { rootCause, rootCauseDetail: detail ?? null }, actor, { rootCause });
  });

  action(m.submitReportUpdate, ({ report }) => { inStage('investigation', 'waiting_on_customer'); required(report, 'report'); }, async ({ actor, report }) => {
    status.hasReport = true;
    await record('report_submitted', { report }, actor);
  });

  action(m.requestCustomerInfoUpdate, ({ question }) => { inStage('investigation'); required(question, 'question'); }, async ({ actor, question }) => {
    clocks.pause();
    clocks.meet('firstResponse');
    await moveTo('waiting_on_customer', 'customer_info_requested', {}, actor, { question });
    await customerEmail('customer_question', question);
  });

  action(m.recordCustomerReplyUpdate, ({ reply }) => { inStage('waiting_on_customer'); required(reply, 'reply'); }, async ({ actor, reply }) => {
    clocks.resume();
    await moveTo('investigation', 'customer_replied', clocks.dueDates(), actor, { reply });
  });

  action(m.respondUpdate, ({ message }) => { inStage('triage', 'investigation', 'resolution_proposed'); required(message, 'message'); }, async ({ actor, message }) => {
    clocks.meet('firstResponse');
    await record('customer_updated', {}, actor, { message });
    await customerEmail('customer_message', message);
  });

  action(m.proposeResolutionUpdate, (input) => {
    inStage('investigation');
    if (!status.rootCause) refuse(m.REFUSAL.state, 'record the root cause before proposing a resolution');
    if (status.severity !== 'minor' && !status.hasReport) refuse(m.REFUSAL.state, `a ${status.severity} complaint needs an investigation report before a resolution can be proposed`);
    if (!policy!.resolutionCodes.includes(input.resolutionCode)) refuse(m.REFUSAL.input, `resolutionCode must be one of ${policy!.resolutionCodes.join(', ')}`);
    required(input.summary, 'summary');
    if (!m.REMEDIES.includes(input.remedy)) refuse(m.REFUSAL.input, `remedy must be one of ${m.REMEDIES.join(', ')}`);
    if (input.remedy === 'refund' && !(Number(input.refundAmount) > 0)) refuse(m.REFUSAL.input, 'refundAmount must be a positive amount for a refund');
  }, async ({ actor, resolutionCode, summary, remedy, refundAmount }) => {
    status.resolutionCode = resolutionCode;
    await moveTo('resolution_proposed', 'resolution_proposed', {
      resolutionCode, resolutionSummary: summary, remedy: remedy === 'refund' ? `refund:${refundAmount!.toFixed(2)}` : remedy,
    }, actor, { resolutionCode, remedy, refundAmount });
  });

  // The main flow moves on only once a decision is recorded, so the record keeps the order of events.
  action(m.signOffUpdate, ({ actor, approve, comment }) => {
    inStage('resolution_proposed');
    if (signingOff || signedOff) refuse(m.REFUSAL.state, 'the complaint has already been signed off');
    atLeast(actor, status.severity === 'minor' ? 'supervisor' : 'manager', `signing off a ${status.severity} complaint`);
    if (!approve) required(comment, 'comment');
  }, async ({ actor, approve, comment }) => {
    if (approve) {
      signingOff = true;
      await record('signed_off', { signedOffById: actor.id, signedOffAt: new Date() }, actor, { comment });
      signedOff = true;
      signingOff = false;
      // Answered with the state after the step: the letter sent and the complaint resolved (or closed meanwhile).
      await condition(() => status.stage !== 'resolution_proposed');
    } else {
      status.resolutionCode = undefined;
      await moveTo('investigation', 'sign_off_refused', { resolutionCode: null, resolutionSummary: null, remedy: null }, actor, { comment });
    }
  });

  action(m.answerSurveyUpdate, (answer) => {
    inStage('survey');
    if (answering.has(answer.round)) refuse(m.REFUSAL.answered, 'This survey has already been answered. Thank you!');
    if (answer.round !== status.surveyRound) refuse(m.REFUSAL.state, 'this survey has closed');
    if (!Number.isInteger(answer.score) || answer.score < 1 || answer.score > 5) refuse(m.REFUSAL.input, 'score must be a whole number from 1 to 5');
  }, async (answer) => {
    answering.add(answer.round);
    await acts.recordSurveyAnswer(complaintId, answer);
    await record('survey_answered', {}, undefined, { round: answer.round, score: answer.score, resolved: answer.resolved });
    answers.set(answer.round, answer);
  });

  action(m.withdrawUpdate, ({ reason }) => { inStage('received', 'triage', 'investigation', 'waiting_on_customer', 'resolution_proposed', 'resolved', 'survey'); required(reason, 'reason'); }, async (input) => {
    withdrawal = input;
    lifecycle.cancel();
    await condition(() => status.stage === 'closed');
  });

  // ---- SLA: warnings and escalations (see sla.ts) ---------------------------------------------------
  const responsibleRole = () => owner?.role ?? 'supervisor'; // before triage: the department's supervisor
  const slaActions = {
    warn: async (clock: ClockName, dueAt: number) => {
      await acts.warnResponsible({ complaintId, clock, round: status.reopenCount + 1, dueAt, ownerId: owner?.id ?? null });
      await record('sla_warning', {}, undefined, { clock, dueAt: new Date(dueAt).toISOString() });
    },
    breach: async (clock: ClockName, dueAt: number) => {
      await record('sla_breached', {}, undefined, { clock, dueAt: new Date(dueAt).toISOString() });
    },
    escalate: async (clock: ClockName, n: number, dueAt: number) => {
      const role = escalationRole(responsibleRole(), n);
      if (!role) return undefined;
      await acts.notifyEscalation({ complaintId, clock, round: status.reopenCount + 1, role, dueAt });
      await record('escalated', {}, undefined, { clock, level: role, dueAt: new Date(dueAt).toISOString() });
      return role;
    },
  };

  // ---- The process ------------------------------------------------------------------------------------
  const plan = await loadPlan(complaintId);
  policy = plan.policy;
  acts = proxyActivities<Activities>({
    startToCloseTimeout: policy.activityTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  Object.assign(status, {
    severity: effectiveSeverity(plan.intake.severity, plan.intake.flags), flags: plan.intake.flags,
    department: plan.intake.department ?? undefined, ownerId: plan.intake.owner?.id,
  });
  owner = plan.intake.owner;

  const lifecycle = new CancellationScope();
  let outcome: Outcome | undefined;
  try {
    outcome = await lifecycle.run(async () => {
      const sla = () => policy!.sla[status.severity];
      clocks.start('triage', receivedAt, sla());
      clocks.start('firstResponse', receivedAt, sla());
      clocks.start('resolution', receivedAt, sla());
      const watching = clocks.watch(slaActions);
      try {
        return await process();
      } finally {
        clocks.stop();
        await watching.catch((err) => { if (!isCancellation(err)) throw err; });
      }

      async function process(): Promise<Outcome> {
        // 1. Received → acknowledged
        await acts.sendAcknowledgement(complaintId);
        await moveTo('triage', 'acknowledged', { acknowledgedAt: new Date(), severity: status.severity, ...clocks.dueDates() });

        // 2. Triage
        await condition(() => triage !== undefined);
        const t = triage!;
        clocks.meet('triage');
        status.valid = t.valid;
        if (!t.valid) {
          await record('triaged', { valid: false, rejectionReason: t.rejectionReason }, t.actor, { valid: false });
          triageRecorded = true;
          await customerEmail('rejection', t.rejectionReason);
          clocks.meet('firstResponse');
          return 'rejected';
        }
        const flags = t.flags ?? [];
        Object.assign(status, { severity: effectiveSeverity(t.severity!, flags), flags, category: t.category, department: t.department, ownerId: t.owner!.id });
        owner = t.owner!;
        clocks.replan(sla());
        await moveTo('investigation', 'triaged', {
          valid: true, category: t.category, severity: status.severity, department: t.department, ownerId: owner.id, ...clocks.dueDates(),
          ...flagColumns(flags),
        }, t.actor, { severity: status.severity, category: t.category, department: t.department, ownerId: owner.id, flags });
        triageRecorded = true;

        for (let round = 1; ; round++) {
          // 3–5. Investigation, resolution proposed, sign-off: driven by the staff actions above.
          await condition(() => signedOff);
          clocks.meet('resolution');

          // 6. Follow-up letter
          await acts.sendFollowUpLetter(complaintId, round);
          clocks.meet('firstResponse');
          await moveTo('resolved', 'letter_sent', { resolvedAt: new Date() });

          // 7. Survey, a fixed time after resolution; one reminder; no answer closes it.
          await condition(() => false, policy!.surveyDelayMs).catch(rethrow);
          // In stage "survey" before the email leaves, so an answer by return is accepted.
          status.surveyRound = round;
          await moveTo('survey', 'survey_sent', {}, undefined, { round });
          await acts.sendSurvey(complaintId, round, false, policy!.surveyWindowMs);
          if (!(await condition(() => answers.has(round), policy!.surveyReminderMs))) {
            await acts.sendSurvey(complaintId, round, true, policy!.surveyWindowMs);
            await record('survey_reminder_sent', {}, undefined, { round });
            await condition(() => answers.has(round), policy!.surveyWindowMs - policy!.surveyReminderMs);
          }
          if (answering.has(round)) await condition(() => answers.has(round)); // an answer arrived just in time
          const answer = answers.get(round);
          if (!answer) return 'no_response';
          if (answer.resolved && answer.score > policy!.reopenScoreAtMost) return 'resolved';

          // A dissatisfied answer reopens the case to investigation at a raised priority.
          signedOff = false;
          Object.assign(status, { priority: policy!.reopenPriority, reopenCount: status.reopenCount + 1, resolutionCode: undefined });
          clocks.start('resolution', Date.now(), sla(), round + 1);
          await moveTo('investigation', 'reopened', {
            priority: policy!.reopenPriority, reopenCount: status.reopenCount, resolutionCode: null, resolutionSummary: null,
            remedy: null, signedOffById: null, signedOffAt: null, resolvedAt: null, ...clocks.dueDates(),
          }, undefined, { round, score: answer.score, resolved: answer.resolved });
        }
      }
    });
  } catch (err) {
    if (!(withdrawal && isCancellation(err))) throw err;
  }

  // 8. Closed (a withdrawal lands here too: the scope above was cancelled, and with it every timer).
  await CancellationScope.nonCancellable(async () => {
    clocks.stop();
    if (withdrawal) {
      outcome = 'withdrawn';
      await record('withdrawn', {}, withdrawal.actor, { reason: withdrawal.reason });
      await customerEmail('withdrawal');
    }
    status.outcome = outcome;
    await moveTo('closed', 'closed', { closedAt: new Date(), outcome });
    if (outcome !== 'rejected' && outcome !== 'withdrawn') await acts.sendDepartmentSummary(complaintId);
  });
  await condition(allHandlersFinished);
  return view();
}

function rethrow(err: unknown): never { throw err; }

function validateTriage(input: TriageInput, policy: Policy) {
  atLeast(input.actor, 'supervisor', 'triage');
  if (typeof input.valid !== 'boolean') refuse(m.REFUSAL.input, 'valid must be true or false');
  if (!input.valid) return required(input.rejectionReason, 'rejectionReason');
  const missing = [!input.category && 'category', !input.severity && 'severity', !input.department && 'department', !input.owner && 'ownerId'].filter(Boolean);
  if (missing.length) refuse(m.REFUSAL.input, `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} required to triage a valid complaint`);
  if (!input.category || !policy.categories.includes(input.category)) refuse(m.REFUSAL.input, `category must be one of ${policy.categories.join(', ')}`);
  knownSeverityAndFlags(input.severity, input.flags ?? []);
  if (!input.department || !policy.departments.includes(input.department)) refuse(m.REFUSAL.input, `department must be one of ${policy.departments.join(', ') || '(none configured)'}`);
  if (!input.owner) return refuse(m.REFUSAL.input, 'ownerId is required');
  ownerFits(input.owner, effectiveSeverity(input.severity!, input.flags ?? []), input.flags ?? [], 'owner');
}

function knownSeverityAndFlags(severity: m.Severity | undefined, flags: readonly m.Flag[]) {
  if (!severity || !m.SEVERITIES.includes(severity)) refuse(m.REFUSAL.input, `severity must be one of ${m.SEVERITIES.join(', ')}`);
  for (const f of flags) if (!m.FLAGS.includes(f)) refuse(m.REFUSAL.input, `flags may only contain ${m.FLAGS.join(', ')}`);
}

/** A minor complaint may be owned by a supervisor; a flagged or more severe one needs a manager. */
function ownerFits(owner: Actor, severity: m.Severity, flags: readonly m.Flag[], who: string) {
  const flagged = flags.length > 0;
  const needed = severity === 'minor' && !flagged ? 'supervisor' : 'manager';
  if (rank(owner.role) < rank(needed)) {
    refuse(m.REFUSAL.input, `${who} of a ${severity}${flagged ? ' flagged' : ''} complaint must be a ${needed} or above; staff member ${owner.id} is ${owner.role}`);
  }
}

const sameFlags = (a: readonly m.Flag[], b: readonly m.Flag[]) => a.length === b.length && a.every((f) => b.includes(f));

