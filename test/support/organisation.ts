import { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';
import { issueToken } from '../../lib/tokens';
import type { Severity } from '../../workflows/messages';

// A department of one's own per test file, with one person at each level of the chain, so that
// escalations and summaries land in mailboxes no other test reads.

export interface Organisation {
  department: string;
  departmentEmail: string;
  agent: Person; supervisor: Person; manager: Person; senior: Person; admin: Person;
}
/** A staff member with an API token, ready to act over HTTP. */
export interface Person { id: number; email: string; name: string; token: string; auth: Record<string, string> }

export async function createOrganisation(db: Db, name: string): Promise<Organisation> {
  const tag = `${name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const department = tag.replace(/[^a-z0-9]/gi, '_');
  const departmentEmail = `dept.${tag}@example.com`;
  await db.department.create({ data: { code: department, name: `Department ${name}`, email: departmentEmail } });
  const person = async (role: string, label: string) => {
    const email = `${label}.${tag}@example.com`;
    const s = await db.staff.create({ data: { name: `${label[0].toUpperCase()}${label.slice(1)} ${name}`, email, role, department } });
    const { token } = await issueToken(db, s.id, 'test');
    return { id: s.id, email, name: s.name, token, auth: { authorization: `Bearer ${token}` } };
  };
  return {
    department, departmentEmail,
    agent: await person('agent', 'agent'),
    supervisor: await person('supervisor', 'supervisor'),
    manager: await person('manager', 'manager'),
    senior: await person('senior_manager', 'senior'),
    admin: await person('admin', 'admin'),
  };
}

/** Sets the SLA for a severity, in seconds, for complaints started from now on. */
export async function setSla(db: Db, severity: Severity, s: { triage: number; firstResponse: number; resolution: number; warnShare?: number; reescalate: number; businessHours?: object | null }) {
  const data = {
    triageSeconds: s.triage, firstResponseSeconds: s.firstResponse, resolutionSeconds: s.resolution,
    // Always written: a calendar left behind by an earlier test would move every later deadline.
    warnShare: s.warnShare ?? 0.75, reescalateSeconds: s.reescalate, businessHours: s.businessHours ?? Prisma.DbNull,
  };
  await db.slaPolicy.upsert({ where: { severity }, update: data, create: { severity, ...data } });
}

const HOURS = 3600;
/** SLAs long enough that no warning or escalation happens during a test. */
export async function relaxedSla(db: Db) {
  for (const severity of ['minor', 'major', 'critical'] as const) {
    await setSla(db, severity, { triage: 10 * HOURS, firstResponse: 10 * HOURS, resolution: 10 * HOURS, reescalate: HOURS });
  }
}
