import nodemailer, { type Transporter } from 'nodemailer';
import { config } from './config';

export function createTransport(url: string = config().SMTP_URL): Transporter {
  // Give up on a silent server well within an activity attempt, so a stuck attempt cannot
  // deliver late, after Temporal has retried it.
  return nodemailer.createTransport({ url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as any);
}

let shared: Transporter | undefined;
export function mailer(): Transporter {
  return (shared ??= createTransport());
}
