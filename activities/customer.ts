import crypto from 'node:crypto';
import { toMs } from '../lib/config';
import { hashToken } from '../lib/tokens';
import { labelOf } from '../prisma/seed';
import type { ActivityDeps } from './deps';
import { deliverEmail, type Delivery, type OutgoingEmail } from './email';
import { formatAmount, formatDate } from '../lib/locale';
import { statusToken } from '../lib/status-links';
import { emailLanguage, emailTexts, fillText } from '../templates/render';
import type { Severity } from '../workflows/messages';
import { DEFAULT_SLA } from './plan';

// Emails to the customer. Each takes ids and loads the customer's data itself: none of it passes
// through the workflow's history.

export type CustomerEmailKind = 'rejection' | 'customer_question' | 'customer_message' | 'withdrawal';

export function customerActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  /** Arrival plus the first-response time of the complaint's severity (the default policy without a row). */
  const firstResponseDue = async (c: { createdAt: Date; severity: string | null }) => {
    const severity = (c.severity ?? 'minor') as Severity;
    const row = await db.slaPolicy.findUnique({ where: { severity } });
    return new Date(c.createdAt.getTime() + (row ? row.firstResponseSeconds * 1000 : DEFAULT_SLA[severity].firstResponseMs));
  };
  const load = (complaintId: number) => db.complaint.findUniqueOrThrow({ where: { id: complaintId } });
  /** The root cause as its list names it, e.g. "Manufacturing defect". */
  const rootCauseLabel = async (code: string | null) => {
    if (!code) return undefined;
    const item = await db.listItem.findUnique({ where: { list_code: { list: 'root_cause', code } } });
    return item?.label ?? labelOf(code);
  };
  type Row = Awaited<ReturnType<typeof load>>;
  /** What every customer email names: them, the complaint, and the private link to its page (lib/status-links.ts). */
  const greeting = async (c: Row) => ({
    customerName: c.customerName, reference: c.reference, product: c.product,
    statusLink: `${config.publicUrl}/status/${await statusToken(db, c.id)}`,
  });
  /** An email to the customer, in their language. */
  const toCustomer = async (c: Row, e: Omit<OutgoingEmail, 'to' | 'complaintId' | 'language'>) =>
    deliverEmail(deps, { ...e, complaintId: c.id, to: c.customerEmail, language: c.language });

  return {
    async sendAcknowledgement(complaintId: number): Promise<Delivery> {
      const c = await load(complaintId);
      // The first answer is due by the first-response deadline: the row's, or the policy's from arrival
      // when the workflow has not written it yet (the acknowledgement goes out beside its first steps).
      const due = c.firstResponseDueAt ?? await firstResponseDue(c);
      const { delivery } = await toCustomer(c, {
        idempotencyKey: `acknowledgement:${complaintId}`, kind: 'acknowledgement', template: 'acknowledgement',
        values: { ...(await greeting(c)), description: c.description, answerBy: formatDate(due, c.language, c.timeZone) },
      });
      return delivery;
    },

    /**
     * A letter written by staff or the process: rejection reason, a question, an update, a withdrawal.
     * `key` is the workflow step that decided it; `textId` names the staff's words in complaint_texts.
     */
    async sendCustomerEmail(input: { complaintId: number; key: string; kind: CustomerEmailKind; textId?: number }): Promise<Delivery> {
      const c = await load(input.complaintId);
      const text = input.textId
        ? (await db.complaintText.findFirstOrThrow({ where: { id: input.textId, complaintId: c.id } })).body
        : '';
      const { delivery } = await toCustomer(c, {
        idempotencyKey: `${input.kind}:${input.complaintId}:${input.key}`, kind: input.kind, template: input.kind,
        values: { ...(await greeting(c)), reason: text, question: text, message: text },
      });
      return delivery;
    },

    /** The personal letter after sign-off: what was found and what was done. Its text is kept with the complaint. */
    async sendFollowUpLetter(complaintId: number, round: number): Promise<Delivery> {
      const c = await load(complaintId);
      // The remedy in the letter's language, a refund with its amount in the customer's locale.
      const [remedy, amount] = (c.remedy ?? 'none').split(':');
      const phrases = emailTexts(emailLanguage('follow_up_letter', c.language)).remedy;
      const remedyText = remedy === 'refund'
        ? (amount ? fillText(phrases.refund, { amount: formatAmount(Number(amount), c.language) }) : phrases.refundNoAmount)
        : phrases[remedy] ?? '';
      const letter = await toCustomer(c, {
        idempotencyKey: `follow_up_letter:${complaintId}:${round}`, kind: 'follow_up_letter', template: 'follow_up_letter',
        values: {
          ...(await greeting(c)),
          findings: [await rootCauseLabel(c.rootCause), c.rootCauseDetail].filter(Boolean).join(': '),
          actions: c.resolutionSummary ?? '',
          remedy: remedyText,
        },
      });
      await db.complaint.update({ where: { id: complaintId }, data: { letterText: letter.text } });
      return letter.delivery;
    },

    /**
     * A letter a regulator's rule requires (workflows/regulatory.ts): the FCA's eight-week letter, a summary
     * resolution communication, a payment-services holding reply, ASIC's IDR delay notice; each names the
     * ombudsman of the complaint's profile. Once per complaint and kind.
     */
    async sendRegulatoryLetter(input: { complaintId: number; kind: string; dueAt: number; finalResponseBy?: number }): Promise<Delivery> {
      const c = await load(input.complaintId);
      const profile = c.regulation ? await db.regulatoryProfile.findUnique({ where: { code: c.regulation } }) : null;
      if (!profile) throw new Error(`complaint ${c.id} has no regulatory profile for a ${input.kind} letter`);
      const on = (ms: number) => formatDate(new Date(ms), c.language, c.timeZone);
      const letter = await toCustomer(c, {
        idempotencyKey: `${input.kind}:${c.id}`, kind: input.kind, template: input.kind,
        values: {
          ...(await greeting(c)), receivedOn: on(c.createdAt.getTime()), dueOn: on(input.dueAt),
          finalResponseBy: input.finalResponseBy ? on(input.finalResponseBy) : '', actions: c.resolutionSummary ?? '',
          reason: emailTexts(emailLanguage(input.kind, c.language)).delayReason,
          ombudsmanName: profile.ombudsmanName, ombudsmanUrl: profile.ombudsmanUrl,
        },
      });
      // The summary resolution is the complaint's final letter, kept with it as the follow-up letter is.
      if (input.kind === 'fca_summary_resolution') await db.complaint.update({ where: { id: c.id }, data: { letterText: letter.text } });
      return letter.delivery;
    },

    /**
     * The survey (or its one reminder) with a link that carries a single-use token for this round. Only
     * the token's hash is kept with the invitation; the reminder carries the link the survey email did.
     * `windowMs` is the complaint's own survey window (fixed when it started), so the link and the workflow agree.
     */
    async sendSurvey(complaintId: number, round: number, reminder: boolean, windowMs?: number): Promise<Delivery> {
      const c = await load(complaintId);
      const first = await db.emailMessage.findUnique({ where: { idempotencyKey: `survey:${complaintId}:${round}` } });
      const sentToken = first && /\/survey\/([A-Za-z0-9_-]+)/.exec(first.textBody)?.[1];
      // No survey email stored yet (a first attempt, or one that stopped before storing it): a new token.
      const token = sentToken ?? crypto.randomBytes(24).toString('base64url');
      await db.surveyInvitation.upsert({
        where: { complaintId_round: { complaintId, round } },
        update: sentToken ? {} : { tokenHash: hashToken(token) },
        create: {
          tokenHash: hashToken(token), complaintId, round,
          expiresAt: new Date(Date.now() + (windowMs ?? toMs(config.SURVEY_WINDOW))), // no window: a workflow from before it was passed
        },
      });
      const kind = reminder ? 'survey_reminder' : 'survey';
      const { delivery } = await toCustomer(c, {
        idempotencyKey: `${kind}:${complaintId}:${round}`, kind, template: kind,
        values: { ...(await greeting(c)), link: `${config.publicUrl}/survey/${token}` },
      });
      return delivery;
    },
  };
}
