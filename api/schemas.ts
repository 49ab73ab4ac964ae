import { z } from 'zod';
import { ApiError } from './errors';
import { FLAGS, REMEDIES, SEVERITIES } from '../workflows/messages';
import type { ActionName } from '../workflows/permissions';
import { knownTimeZone } from '../lib/locale';

// "is required" rather than zod's "expected string, received undefined".
z.config({
  customError: (iss) =>
    iss.code === 'invalid_type' ? (iss.input === undefined ? 'is required' : `must be ${iss.expected === 'object' ? 'a JSON object' : iss.expected}`) : undefined,
});

export const CHANNELS = ['email', 'phone', 'web', 'letter', 'in_person', 'social_media', 'cfpb_portal'] as const;

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'is not a real date')
  .refine((s) => new Date(`${s}T00:00:00Z`).getTime() <= Date.now() + 24 * 3600_000, 'must not be in the future');

export const severityEnum = z.enum(SEVERITIES, { message: `must be one of ${SEVERITIES.join(', ')}` });
const flagList = z.array(z.enum(FLAGS, { message: `must each be one of ${FLAGS.join(', ')}` })).max(3)
  .refine((f) => new Set(f).size === f.length, 'must not repeat a flag');

const languageCode = z.string().regex(/^[a-z]{2}$/, 'must be a two-letter language code');
const timeZoneName = z.string().max(64).refine((zone) => knownTimeZone(zone), 'must be an IANA time zone such as Europe/Rome');

/** PATCH /complaints/:id: what staff may correct about how the customer is written to. */
export const complaintCorrection = z.strictObject({ language: languageCode.optional(), timeZone: timeZoneName.optional() })
  .refine((b) => b.language !== undefined || b.timeZone !== undefined, 'give language or timeZone');

export const newComplaintSchema = z.strictObject({
  customerName: text(200),
  customerEmail: z.string().trim().max(320).email('must be a valid email address'),
  customerPhone: z.string().trim().regex(/^\+?[0-9 ()./-]{5,30}$/, 'must be a phone number').optional(),
  customerAddress: text(500).optional(),
  channel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` }),
  description: text(10_000),
  occurredOn: isoDate,
  product: text(200),
  // What the customer is written in; left out, it is taken from the description (English when unsure).
  language: languageCode.optional(),
  timeZone: timeZoneName.optional(),
  // The registering staff member's first assessment; triage confirms or changes it.
  severity: severityEnum.optional(),
  flags: flagList.optional(),
  department: z.string().trim().min(1).max(100).optional(),
  ownerId: z.number().int().positive().max(2_147_483_647, 'is not a known staff id').optional(),
  // When the complaint arrived, if before it was registered (a letter opened this morning): every clock counts from here.
  receivedAt: z.string().trim().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/, 'must be an ISO 8601 date-time with an offset (2026-11-01T08:00:00Z)')
    .transform((s) => new Date(s))
    .refine((d) => !Number.isNaN(d.getTime()), 'is not a real date-time')
    .refine((d) => d.getTime() <= Date.now() + 60_000, 'must not be in the future')
    .refine((d) => d.getTime() >= Date.now() - 90 * 86_400_000, 'must be within the last 90 days')
    .optional(),
  // The regulator's rules the complaint is held to (a regulatory_profiles code, e.g. fca, asic, cfpb);
  // left out, the profile whose product groups or channels match, or none.
  regulation: z.string().trim().regex(/^[a-z0-9_]{1,40}$/, 'must be a regulatory profile code such as fca').optional(),
  // The product group the regulators' returns count it under (e.g. banking, credit_cards, payment_services).
  productGroup: z.string().trim().regex(/^[a-z0-9_]{1,60}$/, 'must be a product group code such as credit_cards').optional(),
});

export type NewComplaint = z.infer<typeof newComplaintSchema>;

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
/** A range edge: `YYYY-MM-DD` (a whole UTC day; `to` includes it) or an ISO 8601 instant with its offset. */
export const instant = (edge: 'from' | 'to') => z.string().trim()
  .refine((s) => (DATE.test(s) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s)) || (DATE_TIME.test(s) && !Number.isNaN(Date.parse(s))),
    'must be a date (YYYY-MM-DD) or an ISO 8601 date-time with an offset (2026-11-01T08:00:00Z)')
  .transform((s) => {
    if (!DATE.test(s)) return new Date(s);
    const day = new Date(`${s}T00:00:00Z`);
    return edge === 'to' ? new Date(day.getTime() + 86_400_000) : day;
  });

const STAGES = ['received', 'triage', 'investigation', 'waiting_on_customer', 'resolution_proposed', 'resolved', 'survey', 'closed'] as const;

/** GET /complaints: filters, sort and a page. */
/** The staff console's work queues (GET /complaints?queue=…), each for the signed-in staff member. */
export const QUEUES = {
  mine: 'open complaints I own',
  triage: "complaints waiting for triage in my department (and those not yet given one)",
  at_risk: 'open complaints past the warning point of a deadline, or breached',
  waiting: 'complaints waiting on the customer',
  sign_off: 'resolutions proposed that I may sign off (my role suffices for the severity, and I did not propose it)',
} as const;
const QUEUE_NAMES = Object.keys(QUEUES) as (keyof typeof QUEUES)[];

export const complaintListQuery = z.strictObject({
  queue: z.enum(QUEUE_NAMES, { message: `must be one of ${QUEUE_NAMES.join(', ')}` }).optional()
    .describe(Object.entries(QUEUES).map(([k, v]) => `${k}: ${v}`).join('; ')),
  stage: z.enum(STAGES, { message: `must be one of ${STAGES.join(', ')}` }).optional(),
  severity: severityEnum.optional(),
  category: z.string().max(100).optional(),
  department: z.string().max(100).optional(),
  channel: z.enum(CHANNELS, { message: `must be one of ${CHANNELS.join(', ')}` }).optional(),
  ownerId: z.coerce.number().int().positive().max(2_147_483_647, 'is not a known staff id').optional(),
  overdue: z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true').optional(),
  q: z.string().trim().min(1).max(200).optional(),
  from: instant('from').optional(),
  to: instant('to').optional(),
  sort: z.enum(['createdAt', '-createdAt', 'updatedAt', '-updatedAt', 'id', '-id'], { message: 'must be one of createdAt, -createdAt, updatedAt, -updatedAt, id, -id' }).default('-createdAt'),
  limit: z.coerce.number().int().min(1, 'must be from 1 to 100').max(100, 'must be from 1 to 100').default(25),
  cursor: z.string().max(200).optional(),
});

/** A row id from a path (`:id`), or a 400 naming the field. */
export function parseId(raw: string, field = 'id', what = 'id'): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isInteger(n) || n < 1 || n > 2_147_483_647) {
    throw new ApiError(400, 'invalid_id', `${field}: must be ${what === 'id' ? 'an id' : `a ${what} id`} (a positive whole number)`, { [field]: 'must be a positive whole number' });
  }
  return n;
}

export const idParam = z.coerce.number({ message: 'must be a complaint id (a positive whole number)' })
  .int('must be a complaint id (a positive whole number)')
  .positive('must be a complaint id (a positive whole number)')
  .max(2_147_483_647, 'is not a known complaint id');

const staffId = z.number({ message: 'must be the id of a staff member' }).int().positive().max(2_147_483_647, 'is not a known staff id');
const longText = (max = 10_000) => z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

/** The body of each staff action (POST /complaints/:id/<action>). The actor is the token's owner, never a field. */
export const actionSchemas = {
  triage: z.strictObject({
    valid: z.boolean({ message: 'must be true or false' }), rejectionReason: longText(2000).optional(),
    category: z.string().max(100).optional(), severity: severityEnum.optional(),
    department: z.string().max(100).optional(), ownerId: staffId.optional(),
    flags: flagList.optional(),
  }),
  reclassify: z.strictObject({
    severity: severityEnum,
    flags: flagList.optional(),
    reason: longText(2000), ownerId: staffId.optional(),
  }),
  notes: z.strictObject({ text: longText() }),
  'root-cause': z.strictObject({ rootCause: z.string().min(1).max(100), detail: longText(4000).optional() }),
  report: z.strictObject({ report: longText(50_000) }),
  'customer-requests': z.strictObject({ question: longText(4000) }),
  'customer-replies': z.strictObject({ reply: longText() }),
  responses: z.strictObject({ message: longText(4000) }),
  resolution: z.strictObject({
    resolutionCode: z.string().min(1).max(100), summary: longText(4000),
    remedy: z.enum(REMEDIES, { message: `must be one of ${REMEDIES.join(', ')}` }),
    refundAmount: z.number().positive().max(1_000_000).optional(),
    // For the regulators' returns: whether the complaint is upheld (wholly or partly) and the redress paid.
    upheld: z.boolean({ message: 'must be true or false' }).optional(),
    redressAmount: z.number().min(0).max(100_000_000).optional(),
  }),
  'sign-off': z.strictObject({ approve: z.boolean({ message: 'must be true or false' }), comment: longText(4000).optional() }),
  withdrawal: z.strictObject({ reason: longText(2000) }),
} satisfies Record<ActionName, z.ZodType>;
export type { ActionName };
