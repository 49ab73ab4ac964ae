import { DEFAULT_LISTS, DEFAULT_SLA } from '../activities/plan';
import type { Db } from '../lib/db';
import { seedRegulation } from '../lib/regulatory-profiles';

// Reference data a new installation starts with: departments, a small staff directory, the
// configurable lists and the SLA policy per severity. Adds what is missing; never overwrites.

export const DEMO_DEPARTMENTS = [
  { code: 'customer_service', name: 'Customer Service', email: 'customer-service@complaints.local' },
  { code: 'quality', name: 'Quality Assurance', email: 'quality@complaints.local' },
  { code: 'logistics', name: 'Logistics', email: 'logistics@complaints.local' },
  { code: 'billing', name: 'Billing', email: 'billing@complaints.local' },
];

export const DEMO_STAFF = [
  { name: 'Alex Agent', email: 'alex.agent@complaints.local', role: 'agent', department: 'customer_service' },
  { name: 'Sam Supervisor', email: 'sam.supervisor@complaints.local', role: 'supervisor', department: 'customer_service' },
  { name: 'Mia Manager', email: 'mia.manager@complaints.local', role: 'manager', department: 'customer_service' },
  { name: 'Quinn Quality', email: 'quinn.quality@complaints.local', role: 'manager', department: 'quality' },
  { name: 'Sena Senior', email: 'sena.senior@complaints.local', role: 'senior_manager', department: null },
  { name: 'Ada Admin', email: 'ada.admin@complaints.local', role: 'admin', department: null },
];

/** "manufacturing_defect" → "Manufacturing defect": the label a list item starts with. */
export const labelOf = (code: string) => code.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

export async function seed(db: Db): Promise<void> {
  // One statement per table; rows already there (perhaps changed by an admin) are kept as they are.
  await db.department.createMany({ data: DEMO_DEPARTMENTS, skipDuplicates: true });
  await db.staff.createMany({ data: DEMO_STAFF, skipDuplicates: true });
  await db.listItem.createMany({
    data: Object.entries(DEFAULT_LISTS).flatMap(([list, codes]) => codes.map((code) => ({ list, code, label: labelOf(code) }))),
    skipDuplicates: true,
  });
  await db.slaPolicy.createMany({
    data: Object.entries(DEFAULT_SLA).map(([severity, t]) => ({
      severity, triageSeconds: t.triageMs / 1000, firstResponseSeconds: t.firstResponseMs / 1000,
      resolutionSeconds: t.resolutionMs / 1000, warnShare: t.warnShare, reescalateSeconds: t.reescalateMs / 1000,
    })),
    skipDuplicates: true,
  });
  await seedRegulation(db);
}
