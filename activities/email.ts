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
}

const messageIdFor = (key: string) => `<${key.replace(/[^A-Za-z0-9._-]/g, '.')}@complaints.local>`;

/**
 * Sends an email at most once per idempotency key. The rendered message is stored first (the
 * outbox row), so the text a customer received can always be shown; a row marked sent is not
 * sent again. The Message-ID is derived from the key, so a receiving system can also drop a copy.
 */
export async function deliverEmail(deps: ActivityDeps, email: OutgoingEmail): Promise<{ sent: boolean; messageId: string; text: string }> {
  const rendered = renderEmail(email.template, email.values);
  const messageId = messageIdFor(email.idempotencyKey);
  const row = await deps.db.emailMessage.upsert({
    where: { idempotencyKey: email.idempotencyKey },
    update: {},
    create: {
      idempotencyKey: email.idempotencyKey,
      complaintId: email.complaintId,
      kind: email.kind,
      recipient: email.to,
      subject: rendered.subject,
      textBody: rendered.text,
      htmlBody: rendered.html,
      messageId,
    },
  });
  if (row.status === 'sent') return { sent: false, messageId, text: row.textBody };
  await deps.mailer.sendMail({
    from: deps.config.MAIL_FROM,
    to: row.recipient,
    subject: row.subject,
    text: row.textBody,
    html: row.htmlBody,
    messageId: row.messageId,
  });
  await deps.db.emailMessage.update({ where: { id: row.id }, data: { status: 'sent', sentAt: new Date() } });
  return { sent: true, messageId, text: row.textBody };
}
