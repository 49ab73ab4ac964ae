import type { Db } from '../lib/db';
import type { Actor, Role } from '../workflows/messages';
import { ApiError } from './errors';

// Checks against the staff directory that several routes make: a 422 naming the field when they fail.

/** What the API shows of a staff member: never the password's hash or the sign-in counters. */
export const STAFF_VIEW = { id: true, name: true, email: true, role: true, department: true, active: true, passwordSetAt: true } as const;

export async function knownDepartment(db: Db, code: string | null | undefined, field = 'department'): Promise<void> {
  if (!code || (await db.department.findUnique({ where: { code } }))) return;
  const known = (await db.department.findMany({ select: { code: true }, orderBy: { code: 'asc' } })).map((d) => d.code);
  throw new ApiError(422, 'invalid_value', `${field}: no department "${code}" (known: ${known.join(', ') || 'none'})`, { [field]: 'is not a known department' });
}

export async function activeStaff(db: Db, id: number, field: string): Promise<Actor> {
  const s = await db.staff.findUnique({ where: { id } });
  if (!s?.active) throw new ApiError(422, 'unknown_staff', `${field}: no active staff member with id ${id}`, { [field]: 'is not an active staff member' });
  return { id: s.id, role: s.role as Role, department: s.department };
}
