import { ApplicationFailure } from '@temporalio/common';
import { renderEmail } from '../templates/render';
import type { ActivityDeps } from './deps';

export interface OutgoingEmail {
  /** One key per logical email: a retried activity finds the row and does not send again. */
  idempotencyKey: string;
  complaintId?: number;
  kind: string;
  to: string;
  template: string;
  values: Record<string, unknown>;
  /** The customer's language (their emails only; staff emails are in English). */
  language?: string | null;
}

/**
 * What became of an email: sent; refused for good by the mail server (the address does not exist, say),
 * which the workflow records and tells a person about; or stopped, because its complaint was withdrawn
 * before it left. A passing failure (server down, 4xx) is thrown, and Temporal retries the activity.
 */
export type Delivery = 'sent' | 'undeliverable' | 'stopped';

const messageIdFor = (key: string) => `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@complaints.local>`;

/** The server refused the recipient with a 5xx: no retry will change that. */
export function isPermanentRefusal(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string; command?: string } | null;
  const code = e?.responseCode ?? 0;
  return code >= 500 && code < 600 && (e?.code === 'EENVELOPE' || e?.command === 'RCPT TO');
}

/**
 * Sends an email at most once per idempotency key, through the outbox: the rendered message is
 * stored first (so the text a customer received can always be shown), then claimed, then sent. A
 * withdrawn complaint's emails stop at the claim, all but the notice of the withdrawal itself. The
 * Message-ID is derived from the key, so a receiving system can also drop a copy.
 */
export async function deliverEmail(deps: ActivityDeps, email: OutgoingEmail): Promise<{ delivery: Delivery; messageId: string; text: string }> {
  const { db } = deps;
  const rendered = renderEmail(email.template, email.values, email.language);
  const messageId = messageIdFor(email.idempotencyKey);
  const row = await db.emailMessage.upsert({
    where: { idempotencyKey: email.idempotencyKey },
    update: {},
    create: {
      idempotencyKey: email.idempotencyKey, complaintId: email.complaintId, kind: email.kind, recipient: email.to,
      subject: rendered.subject, textBody: rendered.text, htmlBody: rendered.html, messageId,
    },
  });
  const done = (delivery: Delivery) => ({ delivery, messageId, text: row.textBody });
  if (row.status === 'sent' || row.status === 'undeliverable' || row.status === 'stopped') return done(row.status);

  const claimed = await db.$executeRaw`
    UPDATE email_messages m SET status = 'sending'
    WHERE m.id = ${row.id} AND m.status IN ('pending', 'sending')
      AND (m.kind = 'withdrawal' OR m.complaint_id IS NULL
           OR NOT EXISTS (SELECT 1 FROM complaints c WHERE c.id = m.complaint_id AND c.withdrawn_at IS NOT NULL))`;
  if (claimed === 0) {
    const now = await db.emailMessage.findUniqueOrThrow({ where: { id: row.id } });
    if (now.status === 'pending' || now.status === 'sending') {
      await db.emailMessage.update({ where: { id: row.id }, data: { status: 'stopped', error: 'the complaint was withdrawn before this email left' } });
      return done('stopped');
    }
    return done(now.status as Delivery);
  }
  try {
    await deps.mailer.sendMail({
      from: deps.config.MAIL_FROM, to: row.recipient, subject: row.subject, text: row.textBody, html: row.htmlBody, messageId: row.messageId,
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (isPermanentRefusal(err)) {
      await db.emailMessage.update({ where: { id: row.id }, data: { status: 'undeliverable', error: message } });
      return done('undeliverable');
    }
    await db.emailMessage.update({ where: { id: row.id }, data: { status: 'pending', error: message } });
    // Retried by Temporal, which keeps the failure: the server's words (they often quote the address) stay here.
    const e = err as { code?: string; responseCode?: number };
    throw ApplicationFailure.retryable(`the mail server did not take email ${row.id} (${[e.code, e.responseCode].filter(Boolean).join(' ') || 'no answer'}); its answer is in email_messages.error`, 'MailNotSent');
  }
  await db.emailMessage.update({ where: { id: row.id }, data: { status: 'sent', sentAt: new Date(), error: null } });
  return done('sent');
}
