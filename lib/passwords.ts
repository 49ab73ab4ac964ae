import crypto from 'node:crypto';
import { promisify } from 'node:util';

// Staff passwords, hashed with scrypt (memory-hard, in Node's crypto): `scrypt$N$r$p$salt$hash`, salt
// and hash in base64url. The parameters travel with the hash, so raising them later still verifies
// the old ones. A password is never stored, logged or sent back.

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, o: crypto.ScryptOptions) => Promise<Buffer>;
/** 2^15 × 8 × 128 bytes = 32 MiB of memory per hash, about 50–100 ms of a core. */
const PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;
const maxmem = (N: number, r: number) => 256 * N * r;

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const { N, r, p } = PARAMS;
  const key = await scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N, r, p, maxmem: maxmem(N, r) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** Whether `password` is the one hashed; false for a hash in any other form. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<boolean> {
  const parts = (stored ?? '').split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') {
    // Same work as a real check, so that a missing account or password takes as long as a wrong one.
    await hashPassword(password);
    return false;
  }
  const [N, r, p] = parts.slice(1, 4).map(Number);
  const expected = Buffer.from(parts[5], 'base64url');
  const key = await scrypt(password.normalize('NFKC'), Buffer.from(parts[4], 'base64url'), expected.length, { N, r, p, maxmem: maxmem(N, r) });
  return crypto.timingSafeEqual(key, expected);
}

/** Why a new password is refused, or null. */
export function weakPassword(password: string, email?: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (new Set(password).size < 5) return 'must not repeat the same few characters';
  if (email && password.toLowerCase().includes(email.split('@')[0].toLowerCase())) return 'must not contain your email name';
  return null;
}
