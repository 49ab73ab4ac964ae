import crypto from 'node:crypto';
import type { Db } from './db';

// API tokens: `cmp_<prefix>_<secret>`, shown once; only a SHA-256 of the whole token is stored.

export const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

export async function issueToken(db: Db, staffId: number, name = 'default', expiresInDays?: number) {
  const prefix = crypto.randomBytes(4).toString('hex');
  const token = `cmp_${prefix}_${crypto.randomBytes(24).toString('base64url')}`;
  const row = await db.apiToken.create({
    data: {
      staffId, name, prefix, tokenHash: hashToken(token),
      expiresAt: expiresInDays ? new Date(Date.now() + expiresInDays * 86_400_000) : null,
    },
  });
  return { id: row.id, token, prefix };
}

/** The active staff member a token belongs to, or why it is refused. */
export async function staffForToken(db: Db, token: string) {
  const row = await db.apiToken.findUnique({ where: { tokenHash: hashToken(token) }, include: { staff: true } });
  if (!row) return { refused: 'the token is not valid' } as const;
  if (row.revokedAt) return { refused: 'the token has been revoked' } as const;
  if (row.expiresAt && row.expiresAt < new Date()) return { refused: 'the token has expired' } as const;
  if (!row.staff.active) return { refused: 'the staff account is inactive' } as const;
  return { tokenId: row.id, lastUsedAt: row.lastUsedAt, staff: row.staff } as const;
}
