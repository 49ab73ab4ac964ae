import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server in front of the mail catcher that refuses some recipients for good, as a mail
 * server does for an address that does not exist ("550 5.1.1 no such user"); everything else is
 * relayed to the catcher unchanged.
 */
export async function startRefusingSmtp(catcherPort: number, refuses: (address: string) => boolean) {
  const relay = nodemailer.createTransport({ host: '127.0.0.1', port: catcherPort, secure: false, ignoreTLS: true });
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!refuses(address.address)) return callback();
      callback(Object.assign(new Error(`5.1.1 <${address.address}>: no such user here`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        relay.sendMail({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, raw: Buffer.concat(chunks) })
          .then(() => callback(), (err: Error) => callback(Object.assign(err, { responseCode: 451 })));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
