import crypto from 'node:crypto';
import { toMs } from '../lib/config';
import { hashToken } from '../lib/tokens';
import { labelOf } from '../prisma/seed';
import type { ActivityDeps } from './deps';
import { deliverEmail, type Delivery } from './email';

// Emails to the customer. Each takes ids and loads the customer's data itself: none of it passes
// through the workflow's history.

export type CustomerEmailKind = 'rejection' | 'customer_question' | 'customer_message' | 'withdrawal';

export function customerActivities(deps: ActivityDeps) {
  const { db, config } = deps;
  const load = (complaintId: number) => db.complaint.findUniqueOrThrow({ where: { id: complaintId } });
  /** The root cause as its list names it, e.g. "Manufacturing defect". */
  const rootCauseLabel = async (code: string | null) => {
    if (!code) return undefined;
    const item = await db.listItem.findUnique({ where: { list_code: { list: 'root_cause', code } } });
    return item?.label ?? labelOf(code);
  };
  const greeting = (c: Awaited<ReturnType<typeof load>>) => ({ customerName: c.customerName, reference: c.reference, product: c.product });

  return {
    async sendAcknowledgement(complaintId: number): Promise<Delivery> {
      const c = await load(complaintId);
      const { delivery } = await deliverEmail(deps, {
        idempotencyKey: `acknowledgement:${complaintId}`, complaintId, kind: 'acknowledgement', to: c.customerEmail,
        template: 'acknowledgement', values: { ...greeting(c), description: c.description },
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
      const { delivery } = await deliverEmail(deps, {
        idempotencyKey: `${input.kind}:${input.complaintId}:${input.key}`, complaintId: c.id, kind: input.kind,
        to: c.customerEmail, template: input.kind,
        values: { ...greeting(c), reason: text, question: text, message: text },
      });
      return delivery;
    },

    /** The personal letter after sign-off: what was found and what was done. Its text is kept with the complaint. */
    async sendFollowUpLetter(complaintId: number, round: number): Promise<Delivery> {
      const c = await load(complaintId);
      const remedyText: Record<string, string> = {
        refund: `We have refunded you${c.remedy?.includes(':') ? ` ${c.remedy.split(':')[1]}` : ''}.`,
        replacement: 'We are sending you a replacement.',
        repair: 'We have arranged a repair.',
        compensation: 'We have paid you compensation.',
        apology: 'Please accept our sincere apology.',
        none: '',
      };
      const letter = await deliverEmail(deps, {
        idempotencyKey: `follow_up_letter:${complaintId}:${round}`, complaintId, kind: 'follow_up_letter', to: c.customerEmail,
        template: 'follow_up_letter',
        values: {
          ...greeting(c),
          findings: [await rootCauseLabel(c.rootCause), c.rootCauseDetail].filter(Boolean).join(': '),
          actions: c.resolutionSummary ?? '',
          remedy: remedyText[(c.remedy ?? 'none').split(':')[0]] ?? '',
        },
      });
      await db.complaint.update({ where: { id: complaintId }, data: { letterText: letter.text } });
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
      const { delivery } = await deliverEmail(deps, {
        idempotencyKey: `${kind}:${complaintId}:${round}`, complaintId, kind, to: c.customerEmail, template: kind,
        values: { ...greeting(c), link: `${config.publicUrl}/survey/${token}` },
      });
      return delivery;
    },
  };
}
