import type { Prisma } from '../generated/prisma/client';
import type { Actor } from '../workflows/messages';
import { ApiError } from './errors';

/**
 * Need to know: which complaints a staff member may see and act on. The one rule for the list, a
 * complaint, its timeline, the staff actions and the dashboard pages built on them (reports: below):
 * - senior managers: every complaint;
 * - agents, supervisors and managers: their own department's complaints, those they own, and those not
 *   yet given a department (the shared triage queue: whoever triages first gives it one);
 * - admins: none. They manage the organisation (staff, tokens, policies, erasure) without reading
 *   complaints; someone who also handles complaints gets a staff account of their own.
 * A complaint out of scope is answered 404, exactly as one that does not exist.
 */
export function visibleTo(staff: Pick<Actor, 'id' | 'role' | 'department'>): Prisma.ComplaintWhereInput {
  if (staff.role === 'senior_manager') return {};
  if (staff.role === 'admin') return { id: { in: [] } };
  const anyOf: Prisma.ComplaintWhereInput[] = [{ ownerId: staff.id }, { department: null }];
  if (staff.department) anyOf.push({ department: staff.department });
  return { OR: anyOf };
}

/**
 * The department whose figures a report shows: a manager's own (asking for another is 403; a manager
 * without one sees none), anyone else's choice. Reports hold counts and references, not customer data;
 * agents and supervisors have none (REPORT_ROLES).
 */
export function reportDepartment(staff: Pick<Actor, 'role' | 'department'>, asked: string | undefined): string | undefined {
  if (staff.role !== 'manager') return asked;
  if (!staff.department) throw new ApiError(403, 'forbidden', 'reports: a manager sees the figures of their own department, and you have none');
  if (asked !== undefined && asked !== staff.department) {
    throw new ApiError(403, 'forbidden', `department: a manager sees only their own department (${staff.department})`, { department: `must be ${staff.department}` });
  }
  return staff.department;
}
