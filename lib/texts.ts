import type { Db } from './db';

/** The bodies of a complaint's stored texts (complaint_texts) by id; ids of other complaints are not found. */
export async function readTexts(db: Db, complaintId: number, ids: readonly (number | null | undefined)[]): Promise<Map<number, string>> {
  const wanted = [...new Set(ids.filter((id): id is number => typeof id === 'number'))];
  if (!wanted.length) return new Map();
  const rows = await db.complaintText.findMany({ where: { complaintId, id: { in: wanted } }, select: { id: true, body: true } });
  return new Map(rows.map((t) => [t.id, t.body]));
}
