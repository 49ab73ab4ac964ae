import crypto from 'node:crypto';
import type { Db } from './db';
import { config } from './config';
import { hashToken } from './tokens';

// The customer's private link to their complaint's page (/status/<token>). The token is an HMAC of
// the link's row id under a server secret, so every email can carry it without storing it: the
// database keeps only its SHA-256 (status_links.token_hash), and revoking the row ends the link; a new
// row gives a new one. The secret is LINK_SECRET, or, when that is not set, one kept in the database
// (app_secrets) — set LINK_SECRET in production, so that a copy of the database alone opens no page.

let cached: Buffer | undefined;

/** LINK_SECRET, or the one kept in the database (made on first use). */
export async function serverSecret(db: Db): Promise<Buffer> {
  if (cached) return cached;
  const configured = config().LINK_SECRET;
  if (configured) return (cached = Buffer.from(configured, 'utf8'));
  const fresh = crypto.randomBytes(32).toString('base64url');
  await db.$executeRaw`INSERT INTO app_secrets (name, value) VALUES ('link_secret', ${fresh}) ON CONFLICT (name) DO NOTHING`;
  const [row] = await db.$queryRaw<{ value: string }[]>`SELECT value FROM app_secrets WHERE name = 'link_secret'`;
  return (cached = Buffer.from(row.value, 'utf8'));
}

const tokenOf = (key: Buffer, linkId: number) => crypto.createHmac('sha256', key).update(`status-link:${linkId}`).digest('base64url');

/** The complaint's current status link (made on first use), as a token for an email. */
export async function statusToken(db: Db, complaintId: number): Promise<string> {
  const key = await serverSecret(db);
  let link = await db.statusLink.findFirst({ where: { complaintId, revokedAt: null }, orderBy: { id: 'desc' } });
  if (!link) {
    // The id first, so that the row is written with its token's hash at once; two emails at once make
    // one link: the second insert meets the unique index on the open link and takes the first's row.
    const [{ id }] = await db.$queryRaw<{ id: number }[]>`SELECT nextval(pg_get_serial_sequence('status_links', 'id'))::int AS id`;
    const token = tokenOf(key, id);
    const created = await db.$executeRaw`
      INSERT INTO status_links (id, complaint_id, token_hash) VALUES (${id}, ${complaintId}, ${hashToken(token)})
      ON CONFLICT (complaint_id) WHERE revoked_at IS NULL DO NOTHING`;
    if (created === 1) return token;
    link = await db.statusLink.findFirstOrThrow({ where: { complaintId, revokedAt: null } });
  }
  return tokenOf(key, link.id);
}

/** The complaint a status token opens, or null (unknown, tampered with, or revoked). */
export async function complaintForStatusToken(db: Db, token: string): Promise<number | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return null;
  const link = await db.statusLink.findUnique({ where: { tokenHash: hashToken(token) } });
  return link && !link.revokedAt ? link.complaintId : null;
}

/** Ends a complaint's status link; the next email carries a new one. */
export async function revokeStatusLinks(db: Db, complaintId: number): Promise<number> {
  const { count } = await db.statusLink.updateMany({ where: { complaintId, revokedAt: null }, data: { revokedAt: new Date() } });
  return count;
}
