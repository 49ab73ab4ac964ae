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

/**
 * Requests of this process that hold a key, by `actorId:key`: their copies arriving meanwhile wait here,
 * in memory, for the first one's answer, holding no database connection. A copy that reaches another
 * API process finds the row taken and polls it, with growing pauses.
 */
const holders = new Map<string, { requestHash: string; answer: Promise<Replay | undefined>; settle: (a: Replay | undefined) => void }>();

const reused = () => new ApiError(422, 'idempotency_key_reused', 'Idempotency-Key: already used for a different request body', { 'Idempotency-Key': 'already used for a different request body' });

/** Claims the key for this request: undefined when this request does the work, else the answer to replay. */
export async function claim(db: Db, actorId: number, key: string, body: unknown): Promise<Replay | undefined> {
  const requestHash = crypto.createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const id = `${actorId}:${key}`;
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const holder = holders.get(id);
    if (holder) {
      if (holder.requestHash !== requestHash) throw reused();
      const answer = await holder.answer;
      if (answer) return answer;
      continue; // released after a failure: try again
    }
    let settle!: (a: Replay | undefined) => void;
    holders.set(id, { requestHash, answer: new Promise((r) => { settle = r; }), settle });
    try {
      await db.idempotencyRecord.create({ data: { actorId, key, requestHash } });
      return undefined; // this request does the work; complete() or release() answers the copies
    } catch (err: any) {
      if (err?.code !== 'P2002') { holders.delete(id); settle(undefined); throw err; }
    }
    // Held by another process: wait for its answer there, then pass it on to the copies waiting here.
    let answer: Replay | undefined;
    try {
      answer = await pollElsewhere(db, actorId, key, requestHash, deadline);
    } finally {
      holders.delete(id);
      settle(answer);
    }
    if (answer) return answer;
  }
  throw new ApiError(409, 'in_progress', 'Idempotency-Key: a request with this key is still being handled; retry shortly');
}

async function pollElsewhere(db: Db, actorId: number, key: string, requestHash: string, deadline: number): Promise<Replay | undefined> {
  for (let pause = 50; Date.now() < deadline; pause = Math.min(pause * 2, 1000)) {
    const rec = await db.idempotencyRecord.findUnique({ where: { actorId_key: { actorId, key } } });
    if (!rec) return undefined; // released: the caller tries to claim it
    if (rec.requestHash !== requestHash) throw reused();
    if (rec.status !== null) return { status: rec.status, body: rec.response };
    await new Promise((r) => setTimeout(r, pause));
  }
  return undefined;
}

export async function complete(db: Db, actorId: number, key: string, answer: Replay) {
  try {
    await db.idempotencyRecord.update({ where: { actorId_key: { actorId, key } }, data: { status: answer.status, response: answer.body as object } });
  } finally {
    const holder = holders.get(`${actorId}:${key}`);
    holders.delete(`${actorId}:${key}`);
    holder?.settle(answer);
  }
}

/** After a failure, a retry with the same key should try again. */
export async function release(db: Db, actorId: number, key: string) {
  try {
    await db.idempotencyRecord.deleteMany({ where: { actorId, key, status: null } });
  } finally {
    const holder = holders.get(`${actorId}:${key}`);
    holders.delete(`${actorId}:${key}`);
    holder?.settle(undefined);
  }
}
