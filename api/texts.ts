import type { Db } from '../lib/db';
import { readTexts } from '../lib/texts';

// Free text that staff and customers write about a complaint lives in complaint_texts; the workflow is
// given its id (see workflows/messages.ts), so none of it lands in Temporal's history.

/**
 * Stores a text and returns its id. With a `requestKey` (the update id of an idempotent request),
 * a retry of the same request gets the same row.
 */
export async function storeText(db: Db, t: { complaintId: number; kind: string; body: string; authorId?: number; requestKey?: string }): Promise<number> {
  if (!t.requestKey) return (await db.complaintText.create({ data: t, select: { id: true } })).id;
  const row = await db.complaintText.upsert({ where: { requestKey: t.requestKey }, update: {}, create: t, select: { id: true } });
  return row.id;
}

/** Removes texts stored for a request the workflow refused: a refusal leaves nothing behind. */
export async function dropTexts(db: Db, ids: number[]): Promise<void> {
  if (ids.length) await db.complaintText.deleteMany({ where: { id: { in: ids } } });
}

/** Event data with each `textId` replaced by its `text`, for people allowed to read the complaint. */
export async function withTexts<E extends { data: unknown }>(db: Db, complaintId: number, events: E[]): Promise<E[]> {
  const ids = events.map((e) => (e.data as { textId?: unknown } | null)?.textId).filter((id): id is number => typeof id === 'number');
  if (!ids.length) return events;
  const texts = await readTexts(db, complaintId, ids);
  return events.map((e) => {
    const { textId, ...rest } = (e.data ?? {}) as { textId?: number };
    return textId === undefined ? e : { ...e, data: { ...rest, text: texts.get(textId) ?? null } };
  });
}
