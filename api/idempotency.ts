import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../lib/db';
import { ApiError } from './errors';

// `Idempotency-Key`: a retried request with the same key (per staff member) and the same body gets
// the first answer back instead of doing the work again, even when the retries arrive together.

export type Replay = { status: number; body: unknown };
const WAIT_MS = 20_000;

/** What an Idempotency-Key may be: 1 to 200 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

export function idempotencyKey(req: Request): string | undefined {
  const key = req.get('idempotency-key');
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new ApiError(400, 'validation_failed', 'Idempotency-Key: must be 1 to 200 visible ASCII characters', { 'Idempotency-Key': 'must be 1 to 200 visible ASCII characters' });
  }
  return key;
}

/** Claims the key for this request: undefined when this request does the work, else the answer to replay. */
export async function claim(db: Db, actorId: number, key: string, body: unknown): Promise<Replay | undefined> {
  const requestHash = crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    try {
      await db.idempotencyRecord.create({ data: { actorId, key, requestHash } });
      return undefined;
    } catch (err: any) {
      if (err?.code !== 'P2002') throw err;
    }
    // Someone holds the key: wait for their answer (or for them to give it up after a failure).
    for (;;) {
      const rec = await db.idempotencyRecord.findUnique({ where: { actorId_key: { actorId, key } } });
      if (!rec) break; // released: try to claim it ourselves
      if (rec.requestHash !== requestHash) {
        throw new ApiError(422, 'idempotency_key_reused', 'Idempotency-Key: already used for a different request body', { 'Idempotency-Key': 'already used for a different request body' });
      }
      if (rec.status !== null) return { status: rec.status, body: rec.response };
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new ApiError(409, 'in_progress', 'Idempotency-Key: a request with this key is still being handled; retry shortly');
}

export async function complete(db: Db, actorId: number, key: string, answer: Replay) {
  await db.idempotencyRecord.update({ where: { actorId_key: { actorId, key } }, data: { status: answer.status, response: answer.body as object } });
}

/** After a failure, a retry with the same key should try again. */
export async function release(db: Db, actorId: number, key: string) {
  await db.idempotencyRecord.deleteMany({ where: { actorId, key, status: null } });
}
