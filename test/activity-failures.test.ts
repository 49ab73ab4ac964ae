import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../activities';
import { loadConfig, publicUrl } from '../lib/config';
import { createDb, type Db } from '../lib/db';
import { createTransport } from '../lib/mailer';
import { freePort } from '../scripts/processes';
import { complaintBody } from './support/complaints';

// Activities decide which failures a retry can mend: a mail server that does not answer is retried,
// a complaint that is not there fails at once (MockActivityEnvironment runs them as a worker would).

let db: Db;
beforeAll(() => { db = createDb(process.env.DATABASE_URL!, 2); });
afterAll(async () => { await db.$disconnect(); });

const activitiesWith = (smtpUrl: string) => {
  const c = loadConfig(process.env);
  return createActivities({ db, mailer: createTransport(smtpUrl), config: { ...c, publicUrl: publicUrl(c) } });
};
const failureOf = async (run: () => Promise<unknown>) => {
  try { await run(); } catch (err) { return err as ApplicationFailure; }
  throw new Error('it did not fail');
};

test('a complaint that does not exist fails at once: no retry brings it back', async () => {
  const acts = activitiesWith(process.env.SMTP_URL!);
  const err = await failureOf(() => new MockActivityEnvironment().run(acts.sendAcknowledgement, 2_000_000_000));
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect([err.type, err.nonRetryable]).toEqual(['RowNotFound', true]);
});

test('a mail server that does not answer is retried, and its words stay in PostgreSQL, not in the failure', async () => {
  const body = complaintBody();
  const row = await db.complaint.create({ data: {
    customerName: body.customerName, customerEmail: body.customerEmail, channel: body.channel, description: body.description,
    product: body.product, reference: `ACT-${Date.now()}`, occurredOn: new Date('2026-11-20'),
  } });
  const acts = activitiesWith(`smtp://127.0.0.1:${await freePort()}`); // nothing listens there
  const err = await failureOf(() => new MockActivityEnvironment().run(acts.sendAcknowledgement, row.id));
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect([err.type, err.nonRetryable]).toEqual(['MailNotSent', false]);
  expect(err.message).not.toContain(body.customerEmail);
  const outbox = await db.emailMessage.findFirstOrThrow({ where: { complaintId: row.id, kind: 'acknowledgement' } });
  expect([outbox.status, outbox.error]).toEqual(['pending', expect.stringMatching(/ECONNREFUSED/)]);
});
