import type { UpdateDefinition } from '@temporalio/common';
import {
  ApplicationFailure, CancellationScope, allHandlersFinished, condition, isCancellation, patched, proxyActivities, proxyLocalActivities,
  setHandler, upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { CustomerEmailKind } from '../activities/customer';
import type { Delivery } from '../activities/email';
import type { ComplaintRow } from '../activities/events';
import * as m from './messages';
import type { Actor, ClockName, ComplaintStart, ComplaintStatus, Outcome, Stage, SurveyAnswer, TextId, TriageInput } from './messages';
import { effectiveSeverity, escalationRole, rank, type Policy } from './policy';
import { ACTION_RULES, signOffRole } from './permissions';
import { searchAttributesOf } from './search-attributes';
import { SlaClocks } from './sla';
import { RegulatoryClocks } from './regulatory-clocks';

// One complaint's life, in the order a quality manager knows it:
// received → acknowledged → triage → investigation → resolution → sign-off → letter → survey → closed.
// Staff actions arrive as updates; each handler checks, takes the decision at once (a clock is met the
// moment its decision is accepted) and records the step. Customer emails leave one after another
// beside the process, so a mail outage holds back neither a decision nor a deadline.

// Short, idempotent database steps run as local activities: no task round trip through the server.
const { loadPlan, recordStep, recordSurveyAnswer } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds', retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** Temporal accepts 2,000 updates per execution: past this many accepted actions, only a withdrawal is taken. */
export const ACTION_HARD_LIMIT = 1800;

const refuse = (type: string, message: string) => { throw ApplicationFailure.create({ type, message, nonRetryable: true }); };
const atLeast = (actor: Actor, role: 'supervisor' | 'manager', what: string) => {
  if (rank(actor.role) < rank(role)) refuse(m.REFUSAL.forbidden, `${what} needs a ${role} or above; staff member ${actor.id} is ${actor.role}`);
};
/** Free text arrives as the id of its stored row (see messages.ts). */
const required = (textId: TextId | undefined, field: string) => {
  if (!Number.isInteger(textId) || textId! < 1) refuse(m.REFUSAL.input, `${field} is required`);
};

export async function complaintWorkflow({ complaintId, receivedAt }: ComplaintStart): Promise<ComplaintStatus> {
  // ---- State ------------------------------------------------------------------------------------
  // The complaint's columns as the workflow owns them; every recorded step writes them all.
  const row: ComplaintRow = {
    stage: 'received', outcome: null, valid: null, rejectionReasonTextId: null, category: null, severity: 'minor', department: null,
    ownerId: null, flags: [], priority: 'normal', rootCause: null, rootCauseDetailTextId: null, reportTextId: null, resolutionCode: null,
    resolutionSummaryTextId: null, remedy: null, signedOffById: null, signedOffAt: null, reopenCount: 0, acknowledgedAt: null,
    resolvedAt: null, withdrawnAt: null, closedAt: null, triageDueAt: null, firstResponseDueAt: null, resolutionDueAt: null,
    upheld: null, redressAmount: null, summaryResolution: false,
  };
  let policy: Policy | undefined; // set once the plan is loaded (after the handlers, so a query is answered from the start)
  let acts!: ReturnType<typeof proxyActivities<Activities>>;
  let owner: Actor | null = null;
  let triaged = false;
  let signedOff = false;
  let signingOff = false;
  let proposedBy: number | undefined; // four eyes: who proposed the resolution cannot sign it off
  let withdrawal: m.WithdrawInput | undefined;
  let surveyRound = 0;
  let step = 0;
  let actions = 0;
  const answers = new Map<number, SurveyAnswer>();
  const answering = new Set<number>();
  const clocks = new SlaClocks();
  let regulatory: RegulatoryClocks | undefined; // a regulator's clocks, when the complaint is held to a profile
  /** Something a regulator's clock waits for was sent to the customer (see regulatory-clocks.ts). */
  const regulatoryMet = (what: 'acknowledgement' | 'response' | 'final_response') => (delivery: Delivery) => {
    if (delivery === 'sent') regulatory?.happened(what, Date.now());
  };
  const lifecycle = new CancellationScope(); // cancelled by a withdrawal, with every timer and email in it

  const stage = () => row.stage as Stage;
  const facts = () => ({ complaintId, severity: row.severity as m.Severity, department: row.department });
  const view = (): ComplaintStatus => ({
    complaintId, stage: stage(), outcome: (row.outcome ?? undefined) as Outcome | undefined, severity: row.severity as m.Severity,
    priority: row.priority as ComplaintStatus['priority'], flags: [...row.flags], category: row.category ?? undefined,
    department: row.department ?? undefined, ownerId: row.ownerId ?? undefined, valid: row.valid ?? undefined,
    rootCause: row.rootCause ?? undefined, hasReport: row.reportTextId !== null, resolutionCode: row.resolutionCode ?? undefined,
    reopenCount: row.reopenCount, surveyRound, escalationLevel: clocks.level(), deadlines: clocks.view(), step, actions,
    ...(regulatory ? { regulatory: regulatory.view() } : {}),
  });

  /**
   * Keeps the complaint findable by stage, severity, department, owner and breach (upserted when they
   * change). Patch 'search-attributes' (2026-12-02): complaints started before it carry none.
   */
  let findable = '';
  const keepFindable = () => {
    if (!patched('search-attributes')) return;
    const now = { stage: row.stage, severity: row.severity, department: row.department, ownerId: row.ownerId, breached: clocks.breached() };
    if (JSON.stringify(now) === findable) return;
    findable = JSON.stringify(now);
    upsertSearchAttributes(searchAttributesOf(now));
  };

  /** Records a step (its event, and the row as it now stands) under the next step number. */
  const record = (type: string, actor?: Actor, data: Record<string, unknown> = {}) => {
    Object.assign(row, clocks.dueDates());
    keepFindable();
    return recordStep({
      complaintId, step: ++step, type, at: Date.now(), actorId: actor?.id,
      data: actor?.requestId ? { ...data, requestId: actor.requestId } : data, row: { ...row, flags: [...row.flags] },
    });
  };

  // Work beside the process (emails, SLA actions): a failure there fails the process at its next wait.
  let failure: { error: unknown } | undefined;
  const beside = <T>(p: Promise<T>): Promise<T> => {
    p.catch((error) => { if (!isCancellation(error)) failure ??= { error }; });
    return p;
  };
  const until = async (done: () => boolean, timeoutMs?: number) => {
    const met = await (timeoutMs === undefined ? condition(() => !!failure || done()) : condition(() => !!failure || done(), timeoutMs));
    if (failure) throw failure.error;
    return met;
  };

  /** Customer emails leave in the order they were decided. A refused address is recorded and its owner told. */
  let outbox: Promise<unknown> = Promise.resolve();
  const toCustomer = (kind: string, send: () => Promise<Delivery>): Promise<Delivery> => {
    const sent = outbox.then(() => lifecycle.run(send)).then(async (delivery) => {
      if (delivery === 'undeliverable') await undeliverable(kind);
      return delivery;
    });
    outbox = sent.catch(() => undefined);
    return beside(sent);
  };
  const undeliverable = async (kind: string) => {
    const recorded = record('email_undeliverable', undefined, { kind });
    const thisStep = step; // taken now: another step may be recorded while this one is
    await recorded;
    await acts.notifyUndeliverable({ ...facts(), kind, step: thisStep, ownerId: owner?.id ?? null });
  };
  const letter = (kind: CustomerEmailKind, textId: TextId) =>
    toCustomer(kind, () => acts.sendCustomerEmail({ complaintId, key: `text-${textId}`, kind, textId }));

  const isOpen = () => stage() !== 'closed' && !withdrawal;
  const inStage = (...stages: readonly Stage[]) => {
    if (!isOpen()) refuse(m.REFUSAL.state, `the complaint is ${withdrawal ? 'withdrawn' : 'closed'}`);
    if (!stages.includes(stage())) refuse(m.REFUSAL.state, `not possible while the complaint is in stage "${stage()}" (needs ${stages.join(' or ')})`);
  };

  // ---- Queries and staff actions -------------------------------------------------------------------
  setHandler(m.statusQuery, view);

  /**
   * A staff action: `validate` refuses a wrong one before it is accepted; `run` takes the decision and
   * records the step. An action that arrives while the complaint is still loading its plan waits for it.
   * Optional actions (notes, messages, questions) stop at the policy's limit; everything but a withdrawal at the hard one.
   */
  function action<A>(update: UpdateDefinition<ComplaintStatus, [A]>, validate: (a: A) => void, run: (a: A) => Promise<void>, optional = false) {
    const check = (a: A) => {
      if (update !== m.withdrawUpdate && actions >= ACTION_HARD_LIMIT) {
        refuse(m.REFUSAL.limit, `this complaint has reached the limit of ${ACTION_HARD_LIMIT} actions; it can still be withdrawn`);
      }
      if (optional && actions >= policy!.maxOptionalActions) {
        refuse(m.REFUSAL.limit, `this complaint has reached the limit of ${policy!.maxOptionalActions} actions; only the steps that move it on are taken now`);
      }
      validate(a);
    };
    setHandler(update, async (a: A) => {
      if (!policy) {
        await condition(() => policy !== undefined);
        check(a);
      }
      actions++;
      await run(a);
      return view();
    }, { validator: (a: A) => { if (policy) check(a); } });
  }

  action(m.triageUpdate, (input) => {
    if (triaged) refuse(m.REFUSAL.state, 'the complaint has already been triaged');
    inStage(...ACTION_RULES.triage.stages);
    validateTriage(input, policy!);
  }, async (t) => {
    triaged = true;
    clocks.meet('triage');
    row.valid = t.valid;
    if (!t.valid) {
      clocks.meet('firstResponse'); // the rejection letter is the answer
      row.rejectionReasonTextId = t.rejectionReasonTextId!;
      const recorded = record('triaged', t.actor, { valid: false, textId: t.rejectionReasonTextId });
      void letter('rejection', t.rejectionReasonTextId!).then(regulatoryMet('final_response'), () => undefined);
      return recorded;
    }
    const flags = t.flags ?? [];
    owner = t.owner!;
    Object.assign(row, {
      severity: effectiveSeverity(t.severity!, flags), flags, category: t.category, department: t.department, ownerId: owner.id, stage: 'investigation',
    });
    clocks.replan(policy!.sla[row.severity as m.Severity]);
    await record('triaged', t.actor, { severity: row.severity, category: t.category, department: t.department, ownerId: owner.id, flags });
  });

  // Severity or flags change once the facts are known: the open deadlines are planned again.
  action(m.reclassifyUpdate, (input) => {
    inStage(...ACTION_RULES.reclassify.stages);
    atLeast(input.actor, 'supervisor', 'reclassifying');
    required(input.reasonTextId, 'reason');
    const flags = input.flags ?? row.flags;
    knownSeverityAndFlags(input.severity, flags);
    const severity = effectiveSeverity(input.severity, flags);
    if (severity === row.severity && sameFlags(flags, row.flags)) {
      refuse(m.REFUSAL.input, `the complaint is already ${severity}${flags.length ? ` with flags ${flags.join(', ')}` : ''}`);
    }
    ownerFits(input.owner ?? owner!, severity, flags, input.owner ? 'ownerId' : 'the current owner (give ownerId)');
  }, async ({ actor, severity, flags = row.flags, reasonTextId, owner: newOwner }) => {
    const from = row.severity;
    if (newOwner) owner = newOwner;
    Object.assign(row, { severity: effectiveSeverity(severity, flags), flags: [...flags], ownerId: owner!.id });
    clocks.replan(policy!.sla[row.severity as m.Severity]);
    await record('reclassified', actor, { from, to: row.severity, flags, textId: reasonTextId, ownerId: owner!.id });
  });

  action(m.addNoteUpdate, ({ textId }) => {
    inStage(...ACTION_RULES.notes.stages);
    required(textId, 'text');
  }, ({ actor, textId }) => record('note_added', actor, { textId }), true);

  action(m.recordRootCauseUpdate, ({ rootCause }) => {
    inStage(...ACTION_RULES['root-cause'].stages);
    if (!policy!.rootCauses.includes(rootCause)) refuse(m.REFUSAL.input, `rootCause must be one of ${policy!.rootCauses.join(', ')}`);
  }, ({ actor, rootCause, detailTextId }) => {
    Object.assign(row, { rootCause, rootCauseDetailTextId: detailTextId ?? null });
    return record('root_cause_recorded', actor, { rootCause, textId: detailTextId });
  });

  action(m.submitReportUpdate, ({ textId }) => { inStage(...ACTION_RULES.report.stages); required(textId, 'report'); }, ({ actor, textId }) => {
    row.reportTextId = textId;
    return record('report_submitted', actor, { textId });
  });

  action(m.requestCustomerInfoUpdate, ({ textId }) => { inStage(...ACTION_RULES['customer-requests'].stages); required(textId, 'question'); }, ({ actor, textId }) => {
    clocks.pause();
    clocks.meet('firstResponse');
    row.stage = 'waiting_on_customer';
    const recorded = record('customer_info_requested', actor, { textId });
    void letter('customer_question', textId).then(regulatoryMet('response'), () => undefined);
    return recorded;
  }, true);

  action(m.recordCustomerReplyUpdate, ({ textId }) => { inStage(...ACTION_RULES['customer-replies'].stages); required(textId, 'reply'); }, ({ actor, textId }) => {
    clocks.resume();
    row.stage = 'investigation';
    return record('customer_replied', actor, { textId });
  });

  action(m.respondUpdate, ({ textId }) => { inStage(...ACTION_RULES.responses.stages); required(textId, 'message'); }, ({ actor, textId }) => {
    clocks.meet('firstResponse');
    const recorded = record('customer_updated', actor, { textId });
    void letter('customer_message', textId).then(regulatoryMet('response'), () => undefined);
    return recorded;
  }, true);

  action(m.proposeResolutionUpdate, (input) => {
    inStage(...ACTION_RULES.resolution.stages);
    if (!row.rootCause) refuse(m.REFUSAL.state, 'record the root cause before proposing a resolution');
    if (row.severity !== 'minor' && row.reportTextId === null) refuse(m.REFUSAL.state, `a ${row.severity} complaint needs an investigation report before a resolution can be proposed`);
    if (!policy!.resolutionCodes.includes(input.resolutionCode)) refuse(m.REFUSAL.input, `resolutionCode must be one of ${policy!.resolutionCodes.join(', ')}`);
    required(input.summaryTextId, 'summary');
    if (!m.REMEDIES.includes(input.remedy)) refuse(m.REFUSAL.input, `remedy must be one of ${m.REMEDIES.join(', ')}`);
    if (input.remedy === 'refund' && !(Number(input.refundAmount) > 0)) refuse(m.REFUSAL.input, 'refundAmount must be a positive amount for a refund');
  }, ({ actor, resolutionCode, summaryTextId, remedy, refundAmount, upheld, redressAmount }) => {
    proposedBy = actor.id;
    Object.assign(row, {
      stage: 'resolution_proposed', resolutionCode, resolutionSummaryTextId: summaryTextId,
      remedy: remedy === 'refund' ? `refund:${refundAmount!.toFixed(2)}` : remedy,
      // For the returns: a refund is redress paid unless staff say otherwise.
      upheld: upheld ?? null, redressAmount: redressAmount ?? (remedy === 'refund' ? refundAmount! : null),
    });
    return record('resolution_proposed', actor, { resolutionCode, remedy, refundAmount, upheld, redressAmount, textId: summaryTextId });
  });

  // Approval meets the resolution clock at once; the main flow then sends the letter.
  action(m.signOffUpdate, ({ actor, approve, commentTextId }) => {
    inStage(...ACTION_RULES['sign-off'].stages);
    if (signingOff || signedOff) refuse(m.REFUSAL.state, 'the complaint has already been signed off');
    atLeast(actor, signOffRole(row.severity as m.Severity), `signing off a ${row.severity} complaint`);
    if (approve && actor.id === proposedBy) {
      refuse(m.REFUSAL.forbidden, `four eyes: staff member ${actor.id} proposed this resolution, so someone else must sign it off`);
    }
    if (!approve) required(commentTextId, 'comment');
  }, async ({ actor, approve, commentTextId }) => {
    if (approve) {
      signingOff = true;
      clocks.meet('resolution');
      clocks.meet('firstResponse'); // the letter that follows is the answer
      Object.assign(row, { signedOffById: actor.id, signedOffAt: Date.now() });
      await record('signed_off', actor, { textId: commentTextId });
      signedOff = true;
      signingOff = false;
      // Answered with the state after the step: the letter sent and the complaint resolved (or closed meanwhile).
      await condition(() => stage() !== 'resolution_proposed');
    } else {
      Object.assign(row, { stage: 'investigation', resolutionCode: null, resolutionSummaryTextId: null, remedy: null, upheld: null, redressAmount: null });
      await record('sign_off_refused', actor, { textId: commentTextId });
    }
  });

  action(m.answerSurveyUpdate, (answer) => {
    // Already answered stays the answer, even once the complaint has moved on because of it.
    if (answering.has(answer.round)) refuse(m.REFUSAL.answered, 'This survey has already been answered. Thank you!');
    inStage('survey');
    if (answer.round !== surveyRound) refuse(m.REFUSAL.state, 'this survey has closed');
    if (!Number.isInteger(answer.score) || answer.score < 1 || answer.score > 5) refuse(m.REFUSAL.input, 'score must be a whole number from 1 to 5');
  }, async (answer) => {
    answering.add(answer.round);
    await recordSurveyAnswer(complaintId, answer);
    await record('survey_answered', undefined, { round: answer.round, score: answer.score, resolved: answer.resolved, textId: answer.commentTextId });
    answers.set(answer.round, answer);
  });

  action(m.withdrawUpdate, ({ reasonTextId }) => {
    inStage(...ACTION_RULES.withdrawal.stages);
    required(reasonTextId, 'reason');
  }, async (input) => {
    withdrawal = input;
    lifecycle.cancel();
    await condition(() => stage() === 'closed');
  });

  // ---- SLA: warnings and escalations (see sla.ts), decided from the workflow's own facts -------------
  const responsibleRole = () => owner?.role ?? 'supervisor'; // before triage: the department's supervisor
  const round = () => row.reopenCount + 1;
  const slaActions = {
    warn: async (clock: ClockName, dueAt: number) => {
      await record('sla_warning', undefined, { clock, dueAt: new Date(dueAt).toISOString() });
      await acts.warnResponsible({ ...facts(), clock, round: round(), dueAt, ownerId: owner?.id ?? null });
    },
    breach: async (clock: ClockName, dueAt: number) => {
      await record('sla_breached', undefined, { clock, dueAt: new Date(dueAt).toISOString() });
    },
    escalate: async (clock: ClockName, n: number, dueAt: number) => {
      const role = escalationRole(responsibleRole(), n);
      if (!role) return undefined;
      await Promise.all([
        acts.notifyEscalation({ ...facts(), clock, round: round(), role, dueAt }),
        record('escalated', undefined, { clock, level: role, dueAt: new Date(dueAt).toISOString() }),
      ]);
      return role;
    },
  };

  // ---- The process ------------------------------------------------------------------------------------
  const plan = await loadPlan(complaintId);
  acts = proxyActivities<Activities>({
    startToCloseTimeout: plan.policy.activityTimeout,
    retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
  });
  owner = plan.intake.owner;
  Object.assign(row, {
    severity: effectiveSeverity(plan.intake.severity, plan.intake.flags), flags: plan.intake.flags,
    department: plan.intake.department, ownerId: owner?.id ?? null,
  });
  policy = plan.policy;
  const sla = () => policy!.sla[row.severity as m.Severity];
  // Patch 'regulatory-clocks' (2026-12-02): only complaints held to a regulator's profile take this path.
  if (plan.regulation && patched('regulatory-clocks')) {
    const profile = plan.regulation;
    regulatory = new RegulatoryClocks(profile, receivedAt, {
      record: (type, data) => beside(record(type, undefined, data)),
      warn: (rule, dueAt) => beside(Promise.all([
        record('regulatory_warning', undefined, { clock: rule.name, dueAt: new Date(dueAt).toISOString() }),
        acts.warnRegulatoryDeadline({ ...facts(), ownerId: owner?.id ?? null, clock: rule.name, label: `${profile.regulator} ${rule.citation}`, dueAt }),
      ]).then(() => undefined)),
      letter: (rule, dueAt, finalResponseBy) => toCustomer(rule.letterKind!, () => acts.sendRegulatoryLetter({ complaintId, kind: rule.letterKind!, dueAt, finalResponseBy })),
    });
  }

  let outcome: Outcome | undefined;
  try {
    outcome = await lifecycle.run(async () => {
      // Every clock counts from the complaint's arrival, however late a worker first got to it.
      clocks.start('triage', receivedAt, sla());
      clocks.start('firstResponse', receivedAt, sla());
      clocks.start('resolution', receivedAt, sla());
      const watching = beside(clocks.watch(slaActions));
      if (regulatory) void beside(record('regulatory_clocks_started', undefined, regulatory.started()));
      const regulated = regulatory && beside(regulatory.watch());
      try {
        const result = await process();
        await outbox; // the last letters leave before the complaint closes
        if (failure) throw failure.error;
        return result;
      } finally {
        clocks.stop();
        regulatory?.stop();
        await watching.catch((err) => { if (!isCancellation(err)) throw err; });
        await regulated?.catch((err) => { if (!isCancellation(err)) throw err; });
      }

      async function process(): Promise<Outcome> {
        // 1. Received → acknowledged, beside the rest: triage may come first.
        void beside(toCustomer('acknowledgement', () => acts.sendAcknowledgement(complaintId)).then((delivery) => {
          if (delivery === 'sent') row.acknowledgedAt = Date.now();
          if (stage() === 'received') row.stage = 'triage';
          const recorded = record('acknowledged', undefined, { delivery });
          regulatoryMet('acknowledgement')(delivery);
          return recorded;
        }));

        // 2. Triage: the decision is taken by its handler.
        await until(() => triaged);
        if (!row.valid) return 'rejected';

        for (let n = 1; ; n++) {
          // 3–5. Investigation, resolution proposed, sign-off: driven by the staff actions above.
          await until(() => signedOff);

          // 6. Follow-up letter; resolved inside a regulator's short window, that window's letter instead
          // (the FCA's summary resolution communication), and the complaint is marked so.
          const summary = regulatory?.summaryWindow(row.signedOffAt!);
          if (summary) {
            row.summaryResolution = true;
            await record('summary_resolution', undefined, { clock: summary.rule.name, dueAt: new Date(summary.dueAt).toISOString() });
          }
          const kind = summary?.rule.letterKind;
          const delivery = await (kind
            ? toCustomer(kind, () => acts.sendRegulatoryLetter({ complaintId, kind, dueAt: summary.dueAt }))
            : toCustomer('follow_up_letter', () => acts.sendFollowUpLetter(complaintId, n)));
          Object.assign(row, { stage: 'resolved', resolvedAt: Date.now() });
          await record('letter_sent', undefined, { round: n, delivery, ...(kind ? { kind } : {}) });
          regulatoryMet('final_response')(delivery);

          // 7. Survey, a fixed time after resolution; one reminder; no answer closes it.
          await until(() => false, policy!.surveyDelayMs);
          // In stage "survey" before the email leaves, so an answer by return is accepted.
          surveyRound = n;
          row.stage = 'survey';
          await record('survey_sent', undefined, { round: n });
          await toCustomer('survey', () => acts.sendSurvey(complaintId, n, false, policy!.surveyWindowMs));
          if (!(await until(() => answers.has(n), policy!.surveyReminderMs))) {
            await toCustomer('survey_reminder', () => acts.sendSurvey(complaintId, n, true, policy!.surveyWindowMs));
            await record('survey_reminder_sent', undefined, { round: n });
            await until(() => answers.has(n), policy!.surveyWindowMs - policy!.surveyReminderMs);
          }
          if (answering.has(n)) await until(() => answers.has(n)); // an answer arrived just in time
          const answer = answers.get(n);
          if (!answer) return 'no_response';
          if (answer.resolved && answer.score > policy!.reopenScoreAtMost) return 'resolved';

          // A dissatisfied answer reopens the case to investigation at a raised priority.
          signedOff = false;
          Object.assign(row, {
            stage: 'investigation', priority: policy!.reopenPriority, reopenCount: row.reopenCount + 1, resolutionCode: null,
            resolutionSummaryTextId: null, remedy: null, signedOffById: null, signedOffAt: null, resolvedAt: null,
          });
          clocks.start('resolution', Date.now(), sla(), n + 1);
          await record('reopened', undefined, { round: n, score: answer.score, resolved: answer.resolved });
        }
      }
    });
  } catch (err) {
    if (!(withdrawal && isCancellation(err))) throw err;
  }

  // 8. Closed (a withdrawal lands here too: the scope above was cancelled, and with it every timer and email).
  await CancellationScope.nonCancellable(async () => {
    clocks.stop();
    if (withdrawal) {
      outcome = 'withdrawn';
      row.withdrawnAt = Date.now(); // from here on, no other email of this complaint leaves (see deliverEmail)
      await record('withdrawn', withdrawal.actor, { textId: withdrawal.reasonTextId });
      const delivery = await acts.sendCustomerEmail({ complaintId, key: 'final', kind: 'withdrawal' });
      if (delivery === 'undeliverable') await undeliverable('withdrawal');
    }
    Object.assign(row, { stage: 'closed', outcome, closedAt: Date.now() });
    await record('closed', undefined, { outcome });
    if (outcome !== 'rejected' && outcome !== 'withdrawn') await acts.sendDepartmentSummary(complaintId);
  });
  await condition(allHandlersFinished);
  return view();
}

function validateTriage(input: TriageInput, policy: Policy) {
  atLeast(input.actor, 'supervisor', 'triage');
  if (typeof input.valid !== 'boolean') refuse(m.REFUSAL.input, 'valid must be true or false');
  if (!input.valid) return required(input.rejectionReasonTextId, 'rejectionReason');
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
