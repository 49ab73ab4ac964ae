import path from 'node:path';
import express, { Router } from 'express';
import { z } from 'zod';
import { ROLES, SEVERITIES, type Role } from '../workflows/messages';
import { adminSchemas, LISTS } from './admin';
import { auditQuery } from './audit';
import { ADMIN_ROLES, ANY_ROLE, REPORT_ROLES, SIGN_OFF_ROLES, STAFF_ROLES, TRIAGE_ROLES } from './auth';
import { regulatoryOperations } from './regulatory';
import { reportOperations } from './reports';
import { reviewScheduleChange } from './review-admin';
import { actionSchemas, complaintCorrection, complaintListQuery, idParam, newComplaintSchema, type ActionName } from './schemas';
import { answerForm, complaintFormFields } from './customer';
import { IDEMPOTENCY_KEY } from './idempotency';
import { answerSchema, formSchema } from './survey';
import { passwordLinkUseSchema, passwordSchema, signInSchema } from './sessions';
import { SESSION_COOKIE } from '../lib/sessions';
import { ACTION_RULES, ACTIONS as ACTION_NAMES } from '../workflows/permissions';

// The OpenAPI 3.1 document, generated from the zod schemas the routes validate with (request bodies,
// query and path parameters), served at GET /openapi.json, with Swagger UI at GET /docs.
// Every route of the app is one entry of `operations()`; test/openapi.test.ts checks both ways that the
// document and the Express app list the same routes.

export const API_TITLE = 'Complaint service API';
const API_VERSION: string = require('../package.json').version;

/** The one JSON shape of every refusal. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string().describe('Stable machine-readable reason, e.g. validation_failed, invalid_id, not_found, forbidden'),
    message: z.string().describe('What is wrong, for people'),
    fields: z.record(z.string(), z.string()).optional().describe('Each bad field (or header, or query parameter) with what is wrong with it'),
  }),
}).describe('Every 4xx and 5xx answer in JSON has this shape');

type JsonSchema = Record<string, unknown>;
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Tag = 'Sign-in' | 'Customers' | 'Complaints' | 'Staff actions' | 'Directory' | 'Administration' | 'Quality review' | 'Regulatory returns' | 'Survey' | 'Service';

export interface Operation {
  method: Method;
  /** Express-style, as the router has it: /complaints/:id */
  path: string;
  tag: Tag;
  summary: string;
  description?: string;
  /** Roles whose token may call it; 'public' needs no token. */
  roles: readonly Role[] | 'public';
  /** Path parameters, with the status a bad value gets (400 when its form is checked, 404 when it is only looked up). */
  params?: Record<string, { schema: JsonSchema; description: string; bad: 400 | 404 }>;
  query?: z.ZodObject;
  headers?: Record<string, { schema: JsonSchema; description: string }>;
  body?: {
    /** The component name of the schema. */
    name: string;
    schema: z.ZodType;
    /** A body the route accepts (checked by the tests). */
    example: Record<string, unknown>;
    /** Also accepted as an HTML form post. */
    form?: { name: string; schema: z.ZodType };
  };
  /** A body taken only as an HTML form post (application/x-www-form-urlencoded): the customer's pages. */
  formBody?: { name: string; schema: z.ZodType; example: Record<string, string> };
  ok: { status: number; description: string; schema?: string | JsonSchema; html?: boolean; text?: boolean };
  /** A second success answer (JSON). */
  alsoOk?: { status: number; description: string; schema: JsonSchema };
  /** Error statuses beyond those every route of its kind has (401/403 with a token, 400/413 with a body). */
  errors?: number[];
  /** Error pages are HTML (the survey link); with `both`, JSON for JSON requests and HTML for form posts. */
  errorPages?: 'html' | 'both';
}

// ---- schemas of path parameters (the same checks as the routes) -------------------------------------

/** A single zod schema as JSON Schema 2020-12 (what OpenAPI 3.1 uses), describing what the route accepts. */
export const jsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema: _s, $id: _i, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  return rest;
};

const complaintId = { schema: jsonSchema(idParam), description: 'The complaint id', bad: 400 as const };
/** schemas.ts's parseId: a positive whole number that fits PostgreSQL's integer. */
const rowId = (what: string) => ({ schema: { type: 'integer', minimum: 1, maximum: 2_147_483_647 }, description: `The ${what} id`, bad: 400 as const });
const code = (what: string) => ({ schema: jsonSchema(adminSchemas.department.shape.code), description: `The ${what} code (lower_snake_case)`, bad: 400 as const });
const listParam = {
  // admin.ts's listName: hyphens are read as underscores.
  schema: { type: 'string', enum: [...new Set([...LISTS, ...LISTS.map((l) => l.replace(/_/g, '-'))])] },
  description: 'The list: categories, root causes or resolution codes',
  bad: 404 as const,
};
const surveyToken = { schema: { type: 'string' }, description: 'The single-use token from the survey email', bad: 404 as const };
const statusToken = { schema: { type: 'string' }, description: 'The private token from the links in our emails', bad: 404 as const };

// ---- the routes ------------------------------------------------------------------------------------

const ACTIONS: Record<ActionName, { summary: string; description?: string; example: Record<string, unknown> }> = {
  triage: {
    summary: 'Triage: accept with category, severity, department and owner, or reject with a reason',
    description: 'Any flag makes a complaint at least major and needs a manager as owner. A rejected complaint gets a rejection letter and is closed.',
    example: { valid: true, category: 'product_quality', severity: 'minor', department: 'customer_service', ownerId: 2 },
  },
  reclassify: {
    summary: 'Change the severity or flags during investigation (the open deadlines are planned again)',
    description: 'Flags are kept when omitted. A deadline already missed stays missed. When the owner no longer fits (a flagged or major complaint needs a manager), give a new ownerId.',
    example: { severity: 'critical', flags: ['safety'], reason: 'The base overheats: a burn risk.', ownerId: 3 },
  },
  notes: { summary: 'Add an internal note', example: { text: 'Called the customer; photos of the base are on their way.' } },
  'root-cause': { summary: 'Record the root cause (from the root_cause list)', example: { rootCause: 'manufacturing_defect', detail: 'Seal misaligned' } },
  report: { summary: 'Submit the investigation report (required for major and critical before a resolution)', example: { report: 'The seal of batch 42 was fitted out of line.' } },
  'customer-requests': { summary: 'Ask the customer a question (emailed; SLA clocks pause)', example: { question: 'Could you send us a photo of the base?' } },
  'customer-replies': { summary: "Record the customer's answer (SLA clocks resume)", example: { reply: 'Photo sent by email.' } },
  responses: { summary: 'Send the customer a message (counts as the first response)', example: { message: 'We are looking into it and will write again by Friday.' } },
  resolution: {
    summary: 'Propose a resolution (resolution code from the list, summary, remedy)',
    example: { resolutionCode: 'replacement_sent', summary: 'We sent a new kettle.', remedy: 'replacement' },
  },
  'sign-off': {
    summary: 'Approve the proposed resolution, or send it back with a comment',
    description: 'A supervisor signs off minor complaints; a manager or senior manager any severity.',
    example: { approve: true },
  },
  withdrawal: { summary: 'Withdraw the complaint (any time before closure)', example: { reason: 'The customer found the cause themselves.' } },
};

const idempotencyHeader = (description: string) => ({ 'Idempotency-Key': { schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source }, description } });

const pascal = (s: string) => s.split(/[-_]/).map((w) => w[0].toUpperCase() + w.slice(1)).join('');

export function operations(): Operation[] {
  const ops: Operation[] = [
    {
      method: 'get', path: '/health', tag: 'Service', roles: 'public', summary: 'Health: PostgreSQL and Temporal both answer (the same as /health/ready)',
      ok: { status: 200, description: 'Both answer', schema: 'Health' }, errors: [503],
    },
    {
      method: 'get', path: '/health/ready', tag: 'Service', roles: 'public', summary: 'Readiness: PostgreSQL and Temporal both answer, so requests can be served',
      description: 'A load balancer sends no traffic to a process answering 503; restarting it would not help.',
      ok: { status: 200, description: 'Both answer', schema: 'Health' }, errors: [503],
    },
    {
      method: 'get', path: '/health/live', tag: 'Service', roles: 'public', summary: 'Liveness: the process answers (restart it when this does not)',
      ok: { status: 200, description: 'Alive', schema: { type: 'object', properties: { status: { const: 'ok' }, uptimeSeconds: { type: 'integer' } } } },
    },
    {
      method: 'get', path: '/metrics', tag: 'Service', roles: 'public', summary: 'Prometheus metrics of this API process',
      description: 'Request latency histograms by route (`http_request_duration_seconds`), the process (memory, event-loop lag), and open complaints by stage, at risk and breached at the moment of the scrape. With METRICS_TOKEN set, only with `Authorization: Bearer <METRICS_TOKEN>`.',
      ok: { status: 200, description: 'Prometheus text format', text: true }, errors: [401],
    },
    { method: 'get', path: '/openapi.json', tag: 'Service', roles: 'public', summary: 'This OpenAPI 3.1 document', ok: { status: 200, description: 'The document', schema: { type: 'object' } } },
    { method: 'get', path: '/docs', tag: 'Service', roles: 'public', summary: 'Interactive API reference (Swagger UI)', ok: { status: 200, description: 'An HTML page', html: true } },

    {
      method: 'post', path: '/session', tag: 'Sign-in', roles: 'public', summary: 'Sign in with email and password (the console)',
      description: 'Sets the session cookie (HttpOnly, SameSite=Strict, Secure over HTTPS) and answers with the CSRF token that every change sent with the cookie must carry as `X-CSRF-Token`. After five failed sign-ins in a row the account answers 429 with Retry-After until SIGN_IN_DELAY (doubling with each further failure) has passed.',
      body: { name: 'SignIn', schema: signInSchema, example: { email: 'sam@example.com', password: 'correct horse battery' } },
      ok: { status: 201, description: 'Signed in', schema: 'Session' }, errors: [401, 422, 429],
    },
    {
      method: 'get', path: '/session', tag: 'Sign-in', roles: 'public', summary: 'Who is signed in with the session cookie, and its CSRF token',
      description: 'Without a session (no cookie, or one that has ended), `staff` and `csrfToken` are null.',
      ok: { status: 200, description: 'The session, or nulls', schema: 'Session' },
    },
    {
      method: 'delete', path: '/session', tag: 'Sign-in', roles: ANY_ROLE, summary: 'Sign out: the session ends on the server (the cookie no longer works)',
      description: 'Needs the session cookie and its X-CSRF-Token.', ok: { status: 204, description: 'Signed out' },
    },
    {
      method: 'post', path: '/password', tag: 'Sign-in', roles: 'public', summary: 'Set a password with the one-time link an admin had emailed',
      description: 'The token is the part after # in the link. The account\'s other sessions end.',
      body: { name: 'PasswordLinkUse', schema: passwordLinkUseSchema, example: { token: 'the-token-from-the-link', password: 'a long passphrase of mine' } },
      ok: { status: 200, description: 'Set', schema: { type: 'object', properties: { passwordSet: { type: 'boolean' }, email: { type: 'string' } } } }, errors: [410, 422],
    },
    {
      method: 'post', path: '/complaints', tag: 'Complaints', roles: STAFF_ROLES, summary: 'Register a complaint and start its workflow',
      description: 'Stores the complaint and starts its workflow, both or neither. The acknowledgement email goes out at once.',
      headers: idempotencyHeader('A retry with the same key and body returns the first answer (with `Idempotent-Replayed: true`) and starts no second workflow; the same key with another body is a 422.'),
      body: {
        name: 'NewComplaint', schema: newComplaintSchema,
        example: {
          customerName: 'Ada Lovelace', customerEmail: 'ada@example.com', customerPhone: '+44 20 7946 0000', channel: 'web',
          description: 'The kettle leaks from its base after two days.', occurredOn: '2026-01-20', product: 'Kettle K-200', department: 'customer_service',
        },
      },
      ok: { status: 201, description: 'Registered', schema: 'ComplaintCreated' }, errors: [409, 422, 503],
    },
    {
      method: 'get', path: '/complaints', tag: 'Complaints', roles: ANY_ROLE, summary: 'List complaints: filters, sort, cursor pagination',
      description: 'Unknown query parameters are refused. `queue` picks one of the work queues of the signed-in staff member (the console\'s lists). `q` searches the description (case-insensitive); `from`/`to` bound the creation time; `nextCursor` of one page is the `cursor` of the next. Each item carries its next open deadline, whether it is at risk or breached, and its escalation level.',
      query: complaintListQuery, ok: { status: 200, description: 'One page', schema: 'ComplaintPage' },
    },
    {
      method: 'get', path: '/complaints/:id', tag: 'Complaints', roles: ANY_ROLE, summary: "A complaint with its workflow's live view",
      params: { id: complaintId }, ok: { status: 200, description: 'The complaint', schema: 'Complaint' }, errors: [404],
    },
    {
      method: 'get', path: '/complaints/:id/timeline', tag: 'Complaints', roles: ANY_ROLE, summary: 'Every step of a complaint, in order, with its actor',
      params: { id: complaintId }, ok: { status: 200, description: 'The events', schema: { type: 'array', items: { $ref: '#/components/schemas/TimelineEntry' } } }, errors: [404],
    },
    {
      method: 'patch', path: '/complaints/:id', tag: 'Complaints', roles: STAFF_ROLES, summary: "Correct the customer's language or time zone (their next emails follow it)",
      params: { id: complaintId }, body: { name: 'ComplaintCorrection', schema: complaintCorrection, example: { language: 'pt' } },
      ok: { status: 200, description: 'Corrected', schema: { type: 'object', properties: { id: { type: 'integer' }, reference: { type: 'string' }, language: { type: 'string' }, timeZone: { type: 'string' } } } }, errors: [404],
    },
    {
      method: 'get', path: '/complaints/:id/emails', tag: 'Complaints', roles: ANY_ROLE, summary: 'Every email of a complaint, with its text and whether it left',
      params: { id: complaintId }, ok: { status: 200, description: 'The emails', schema: { type: 'array', items: { $ref: '#/components/schemas/Email' } } }, errors: [404],
    },

    ...(Object.keys(ACTIONS) as ActionName[]).map((name): Operation => ({
      method: 'post', path: `/complaints/:id/${name}`, tag: 'Staff actions', roles: ACTION_RULES[name].roles,
      summary: ACTIONS[name].summary,
      description: [ACTIONS[name].description, 'Sent to the complaint\'s workflow in the name of the token\'s owner; its validator refuses a wrong one with 409 (wrong moment), 422 (wrong value) or 403 (wrong person), leaving the complaint unchanged.'].filter(Boolean).join(' '),
      params: { id: complaintId },
      headers: idempotencyHeader('Names this one action: sent again with the same key (after a 503, say), it is carried out once and the retry gets its outcome.'),
      body: { name: `${pascal(name)}Input`, schema: actionSchemas[name], example: ACTIONS[name].example },
      ok: { status: 200, description: "The workflow's state after the step", schema: 'ComplaintStatus' },
      alsoOk: {
        status: 202,
        description: 'Accepted and on record in the workflow, but not yet carried out (an earlier step, such as an email, is still under way); it takes effect by itself',
        schema: {
          type: 'object', required: ['accepted', 'updateId', 'message'],
          properties: { accepted: { type: 'boolean', const: true }, updateId: { type: 'string' }, message: { type: 'string' } },
        },
      },
      errors: [404, 409, 422, 503],
    })),

    { method: 'get', path: '/staff', tag: 'Directory', roles: ANY_ROLE, summary: 'The active staff', ok: { status: 200, description: 'Staff', schema: { type: 'array', items: { $ref: '#/components/schemas/Staff' } } } },
    { method: 'get', path: '/lists', tag: 'Directory', roles: ANY_ROLE, summary: 'The choices of the forms: categories, root causes, resolution codes (active), severities, flags, remedies, channels, regulatory profiles and product groups', ok: { status: 200, description: 'The lists', schema: { type: 'object' } } },
    { method: 'get', path: '/departments', tag: 'Directory', roles: ANY_ROLE, summary: 'The departments', ok: { status: 200, description: 'Departments', schema: { type: 'array', items: { $ref: '#/components/schemas/Department' } } } },

    { method: 'get', path: '/admin/staff', tag: 'Administration', roles: ADMIN_ROLES, summary: 'All staff, active or not', ok: { status: 200, description: 'Staff', schema: { type: 'array', items: { $ref: '#/components/schemas/Staff' } } } },
    {
      method: 'get', path: '/admin/audit', tag: 'Administration', roles: ADMIN_ROLES, summary: 'The audit trail, newest first, filtered',
      description: 'Every change by a signed-in staff member and every read of customer data, with who, what, when and the outcome (aborted: the client left before its answer). Contact details and secrets in bodies are redacted; requests without a valid token are only counted.',
      query: auditQuery, ok: { status: 200, description: 'A page of entries', schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object' } }, nextBefore: { type: ['integer', 'null'] }, unauthenticatedSinceStart: { type: 'integer' } } } },
    },
    {
      method: 'post', path: '/admin/staff', tag: 'Administration', roles: ADMIN_ROLES, summary: 'Add a staff member',
      body: { name: 'NewStaff', schema: adminSchemas.newStaff, example: { name: 'Alex Agent', email: 'alex@example.com', role: 'agent', department: 'customer_service' } },
      ok: { status: 201, description: 'Added', schema: 'Staff' }, errors: [409],
    },
    {
      method: 'patch', path: '/admin/staff/:id', tag: 'Administration', roles: ADMIN_ROLES, summary: 'Change a staff member (name, role, department, active)',
      params: { id: rowId('staff member') }, body: { name: 'StaffChange', schema: adminSchemas.staffChange, example: { role: 'supervisor' } },
      ok: { status: 200, description: 'Changed', schema: 'Staff' }, errors: [404],
    },
    {
      method: 'post', path: '/admin/staff/:id/tokens', tag: 'Administration', roles: ADMIN_ROLES, summary: 'Issue an API token (shown once; only its hash is kept)',
      params: { id: rowId('staff member') }, body: { name: 'NewToken', schema: adminSchemas.newToken, example: { label: 'laptop', days: 90 } },
      ok: { status: 201, description: 'The token', schema: 'IssuedToken' }, errors: [404],
    },
    {
      method: 'put', path: '/admin/staff/:id/password', tag: 'Administration', roles: ADMIN_ROLES, summary: "Set a staff member's console password (the account's sessions end)",
      params: { id: rowId('staff member') }, body: { name: 'PasswordInput', schema: passwordSchema, example: { password: 'a long passphrase for sam' } },
      ok: { status: 204, description: 'Set' }, errors: [404, 422],
    },
    {
      method: 'post', path: '/admin/staff/:id/password-link', tag: 'Administration', roles: ADMIN_ROLES, summary: 'Email the staff member a one-time link to set their password (valid 24 h)',
      params: { id: rowId('staff member') }, ok: { status: 201, description: 'Sent', schema: { type: 'object', properties: { sentTo: { type: 'string' }, expiresAt: { type: 'string' }, delivery: { type: 'string' } } } }, errors: [404, 503],
    },
    {
      method: 'delete', path: '/admin/tokens/:id', tag: 'Administration', roles: ADMIN_ROLES, summary: 'Revoke an API token (at once)',
      params: { id: rowId('token') }, ok: { status: 204, description: 'Revoked' }, errors: [404],
    },
    { method: 'get', path: '/admin/departments', tag: 'Administration', roles: ADMIN_ROLES, summary: 'The departments', ok: { status: 200, description: 'Departments', schema: { type: 'array', items: { $ref: '#/components/schemas/Department' } } } },
    {
      method: 'put', path: '/admin/departments/:code', tag: 'Administration', roles: ADMIN_ROLES, summary: 'Add or change a department (with the address of its closure summaries)',
      params: { code: code('department') },
      body: {
        name: 'DepartmentInput',
        // The route takes the code from the path, over any `code` in the body.
        schema: adminSchemas.department.omit({ code: true }).extend({ code: z.unknown().optional().describe('Ignored: the code is the one in the path') }),
        example: { name: 'Customer service', email: 'care@example.com' },
      },
      ok: { status: 200, description: 'Stored', schema: 'Department' },
    },
    { method: 'get', path: '/admin/sla-policies', tag: 'Administration', roles: ADMIN_ROLES, summary: 'The SLA policies', ok: { status: 200, description: 'Policies', schema: { type: 'array', items: { $ref: '#/components/schemas/SlaPolicy' } } } },
    {
      method: 'put', path: '/admin/sla-policies/:severity', tag: 'Administration', roles: ADMIN_ROLES, summary: "Set a severity's SLA (affects complaints started from now on)",
      description: '`businessHours`, when set, is a calendar: `{ timeZone, week: { mon: [["09:00","17:00"]], … }, holidays: ["2026-12-25"] }`; null counts every hour.',
      params: { severity: { schema: jsonSchema(z.enum(SEVERITIES)), description: 'The severity', bad: 404 } },
      body: {
        name: 'SlaPolicyInput', schema: adminSchemas.slaPolicy,
        example: { triageSeconds: 86_400, firstResponseSeconds: 259_200, resolutionSeconds: 1_209_600, warnShare: 0.75, reescalateSeconds: 86_400 },
      },
      ok: { status: 200, description: 'Stored', schema: 'SlaPolicy' }, errors: [404],
    },
    {
      method: 'get', path: '/admin/lists/:list', tag: 'Administration', roles: ADMIN_ROLES, summary: 'The items of a configurable list',
      params: { list: listParam }, ok: { status: 200, description: 'Items', schema: { type: 'array', items: { $ref: '#/components/schemas/ListItem' } } }, errors: [404],
    },
    {
      method: 'put', path: '/admin/lists/:list/:code', tag: 'Administration', roles: ADMIN_ROLES, summary: 'Add or change a list item (a category, root cause or resolution code)',
      params: { list: listParam, code: code('item') }, body: { name: 'ListItemInput', schema: adminSchemas.listItem, example: { label: 'Delivery', active: true } },
      ok: { status: 200, description: 'Stored', schema: 'ListItem' }, errors: [404],
    },
    {
      method: 'post', path: '/admin/complaints/:id/erasure', tag: 'Administration', roles: ADMIN_ROLES, summary: "Erase a closed complaint's personal data (the customer's right to erasure)",
      description: 'Replaces the customer\'s name, email, phone, address and description, every text written about the complaint, its emails and the bodies of the requests about it in the audit trail with "[erased]"; its figures (dates, stages, codes, scores, escalations, the types and times of its events) stay. Recorded as the event `erased`. Refused (409) while the complaint is open or its process is still finishing; erasing again answers the first erasure.',
      params: { id: complaintId },
      ok: {
        status: 200, description: 'Erased (now or before)',
        schema: {
          type: 'object', required: ['id', 'reference', 'erasedAt', 'alreadyErased'],
          properties: { id: { type: 'integer' }, reference: { type: 'string' }, erasedAt: { type: 'string', format: 'date-time' }, alreadyErased: { type: 'boolean' } },
        },
      },
      errors: [404, 409, 503],
    },

    {
      method: 'get', path: '/admin/review-schedule', tag: 'Quality review', roles: ADMIN_ROLES, summary: "The periodic quality review's schedule",
      ok: { status: 200, description: 'The schedule', schema: 'ReviewSchedule' }, errors: [404],
    },
    {
      method: 'patch', path: '/admin/review-schedule', tag: 'Quality review', roles: ADMIN_ROLES, summary: 'Pause, resume or change the quality review (how often, over which period, to whom)',
      body: { name: 'ReviewScheduleChange', schema: reviewScheduleChange, example: { every: '7d', period: '7d', paused: false } },
      ok: { status: 200, description: 'The changed schedule', schema: 'ReviewSchedule' }, errors: [404, 422],
    },
    {
      method: 'post', path: '/admin/review-schedule/trigger', tag: 'Quality review', roles: ADMIN_ROLES, summary: 'Run the quality review now',
      ok: { status: 202, description: 'Started', schema: { type: 'object', properties: { triggered: { const: true } }, required: ['triggered'] } }, errors: [404],
    },
    {
      method: 'get', path: '/reports/reviews', tag: 'Quality review', roles: REPORT_ROLES, summary: 'The last 50 quality review runs',
      ok: { status: 200, description: 'Runs, newest first', schema: { type: 'array', items: { $ref: '#/components/schemas/ReviewRun' } } },
    },
    ...reportOperations(), // the quality figures: api/reports.ts
    ...regulatoryOperations(), // the regulators' returns and a complaint's regulatory evidence: api/regulatory.ts

    {
      method: 'get', path: '/survey/:token', tag: 'Survey', roles: 'public', summary: "The customer's survey form (an HTML page)",
      description: 'A used, expired, closed or unknown link gets a page that says so.',
      params: { token: surveyToken }, ok: { status: 200, description: 'The form', html: true }, errors: [404, 410], errorPages: 'html',
    },
    {
      method: 'post', path: '/survey/:token', tag: 'Survey', roles: 'public', summary: "The customer's survey answer (JSON, or the form's post)",
      description: 'Recorded through the workflow; once only per link. A JSON request gets JSON back; a form post gets an HTML page.',
      params: { token: surveyToken },
      body: { name: 'SurveyAnswer', schema: answerSchema, example: { score: 4, resolved: true, comment: 'Quick and kind.' }, form: { name: 'SurveyAnswerForm', schema: formSchema } },
      ok: { status: 200, description: 'Thank you', schema: 'SurveyThanks', html: true }, errors: [404, 409, 410, 422, 503], errorPages: 'both',
    },

    {
      method: 'get', path: '/complain', tag: 'Customers', roles: 'public', summary: 'The public complaint form (an HTML page, no script)',
      description: 'In English, Italian, Portuguese, Tagalog or Chinese: `?lang=en|it|pt|tl|zh`, else the browser\'s Accept-Language. Other query parameters (a campaign\'s, say) are ignored: a link to the form always opens it.',
      ok: { status: 200, description: 'The form', html: true }, errorPages: 'html',
    },
    {
      method: 'post', path: '/complain', tag: 'Customers', roles: 'public', summary: "A customer's complaint, from the form",
      description: 'Registered like a staff registration (channel web, no staff actor), answered with a page showing the reference. Refused with a page: a filled hidden field, a form sent within 2 s of being shown, more than COMPLAINT_FORM_PER_MINUTE posts a minute from one address (429).',
      formBody: { name: 'ComplaintForm', schema: complaintFormFields, example: { name: 'Ana Lima', email: 'ana@example.com', product: 'Kettle K-200', occurredOn: '2026-11-20', description: 'It leaks.', language: 'pt', consent: 'yes', started: '1796100000000.signature' } },
      ok: { status: 201, description: 'Registered: a page with the reference', html: true }, errors: [422, 503], errorPages: 'html',
    },
    {
      method: 'get', path: '/status/:token', tag: 'Customers', roles: 'public', summary: "The customer's private page of their complaint (HTML, their language)",
      description: 'Where it stands, when to expect an answer, our messages, and a form to answer our question while we wait for it. Nothing about staff, notes or root causes. After an answer the page is shown with `?answered=1` (it thanks for it); other query parameters are ignored.',
      params: { token: statusToken }, ok: { status: 200, description: 'The page', html: true }, errors: [404], errorPages: 'html',
    },
    {
      method: 'post', path: '/status/:token', tag: 'Customers', roles: 'public', summary: "The customer's answer to our question, from their page",
      description: 'Recorded in the workflow as the customer\'s reply (its clocks resume), then a redirect (303) back to the page.',
      params: { token: statusToken }, formBody: { name: 'StatusAnswerForm', schema: answerForm, example: { answer: 'The serial number is SN-42.' } },
      ok: { status: 303, description: 'Taken: back to the page', html: true }, errors: [404, 409, 422, 503], errorPages: 'html',
    },
  ];
  return ops;
}

// ---- response schemas ------------------------------------------------------------------------------

const when = z.iso.datetime();
const nullableText = z.string().nullable();
const complaintSummary = z.object({
  id: z.int(), reference: z.string(), stage: z.string(), severity: nullableText, priority: z.string(), category: nullableText,
  department: nullableText, ownerId: z.int().nullable(), channel: z.string(), product: z.string(), customerName: z.string(),
  createdAt: when, triageDueAt: when.nullable(), resolutionDueAt: when.nullable(), outcome: nullableText,
});
const listedComplaint = complaintSummary.extend({
  ownerName: nullableText,
  nextDeadline: z.object({ clock: z.string(), dueAt: when, warnAt: when }).nullable().describe('The open deadline due first; null when no clock runs'),
  atRisk: z.boolean().describe('Past the warning point of an open deadline, or breached'), breached: z.boolean(),
  escalationLevel: z.int().describe('0 none, 1 supervisor, 2 manager, 3 senior management'),
});
const staff = z.object({ id: z.int(), name: z.string(), email: z.string(), role: z.enum(ROLES), department: nullableText, active: z.boolean(), passwordSetAt: when.nullable().describe('When the console password was last set; null: none') });
const department = z.object({ code: z.string(), name: z.string(), email: z.string() });
const responseSchemas: Record<string, z.ZodType> = {
  Error: errorSchema,
  ComplaintCreated: z.object({ id: z.int(), reference: z.string(), status: z.string(), workflowId: z.string() }),
  ComplaintSummary: complaintSummary,
  ComplaintPage: z.object({ items: z.array(listedComplaint), nextCursor: z.string().nullable().describe('The `cursor` of the next page; null on the last') }),
  Complaint: complaintSummary.extend({
    customerEmail: z.string(), description: z.string(), occurredOn: when,
    workflow: z.object({ workflowId: z.string(), runStatus: z.string().optional(), state: z.unknown().optional(), stateError: z.string().optional(), error: z.string().optional() }),
    availableActions: z.array(z.enum(ACTION_NAMES)).describe('The staff actions the caller may take now (stage, role, and for a sign-off severity and four eyes)'),
  }).describe('The stored complaint (every column) and its workflow'),
  Email: z.object({
    id: z.int(), kind: z.string(), recipient: z.string(), subject: z.string(), textBody: z.string(),
    status: z.enum(['pending', 'sending', 'sent', 'undeliverable', 'stopped']), createdAt: when, sentAt: when.nullable(),
  }),
  Session: z.object({
    staff: z.object({ id: z.int(), name: z.string(), email: z.string(), role: z.enum(ROLES), department: nullableText }).nullable(),
    csrfToken: z.string().nullable().describe('Send as X-CSRF-Token with every change made with the session cookie'),
    expiresAt: when.optional(),
  }),
  TimelineEntry: z.object({ at: when, type: z.string(), actor: z.object({ id: z.int(), name: z.string(), role: z.string() }).nullable(), data: z.unknown() }),
  ComplaintStatus: z.object({
    complaintId: z.int(), stage: z.string(), outcome: z.string().optional(), severity: z.enum(SEVERITIES), priority: z.string(),
    flags: z.array(z.string()), ownerId: z.int().optional(), escalationLevel: z.int(), deadlines: z.array(z.object({}).loose()), step: z.int(), actions: z.int(),
  }).describe("The workflow's view of the complaint"),
  Staff: staff,
  Department: department,
  SlaPolicy: z.object({
    severity: z.enum(SEVERITIES), triageSeconds: z.int(), firstResponseSeconds: z.int(), resolutionSeconds: z.int(),
    warnShare: z.number(), reescalateSeconds: z.int(), businessHours: z.unknown(),
  }),
  ListItem: z.object({ list: z.string(), code: z.string(), label: z.string(), active: z.boolean() }),
  IssuedToken: z.object({ id: z.int(), token: z.string().describe('Send as `Authorization: Bearer <token>`; shown only here'), prefix: z.string() }),
  Health: z.object({ status: z.string(), checks: z.object({ database: z.object({ status: z.enum(['up', 'down']), error: z.string().optional() }), temporal: z.object({ status: z.enum(['up', 'down']), error: z.string().optional() }) }) }),
  ReviewSchedule: z.object({
    scheduleId: z.string(), everyMs: z.number().nullable(), periodMs: z.number().nullable(), recipientEmail: z.string().nullable(),
    paused: z.boolean(), note: z.string().nullable(), nextRuns: z.array(when), recentRuns: z.array(z.object({ scheduledAt: when, takenAt: when, workflowId: z.string() })),
  }),
  ReviewRun: z.object({
    id: z.int(), workflowId: z.string(), startedAt: when, finishedAt: when.nullable(), periodFrom: when, periodTo: when, recipientId: z.int().nullable(),
  }),
  SurveyThanks: z.object({ thankYou: z.literal(true), message: z.string() }),
};

// ---- the document ----------------------------------------------------------------------------------

const ERRORS: Record<number, string> = {
  400: 'Bad input: not JSON, a field, query parameter or header that is wrong (each named in `fields`), or a bad id',
  401: 'No token, or a token that is not valid, has expired or was revoked',
  403: "The token's owner lacks a role this needs (the message names it), or the workflow refuses this person",
  404: 'Not found',
  409: 'Not at this moment: the complaint is in another stage or closed, or a retry with the same Idempotency-Key is still running',
  410: 'The survey link was used already or has expired',
  413: 'The body is larger than 100 kb',
  422: 'A value the service does not know (department, staff member, list item) or a reused Idempotency-Key',
  429: 'Too many requests from this address or token in the last minute (wait for Retry-After), or too many actions on one complaint still being carried out',
  503: 'A part of the service did not answer in time (Temporal, the worker, or the reports\' database). A registration is then not stored; a staff action is not confirmed (send it again with the same Idempotency-Key)',
};
const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const htmlContent = { 'text/html': { schema: { type: 'string' } } };
const expressPath = (p: string) => p.replace(/:(\w+)/g, '{$1}');

function operationObject(op: Operation): JsonSchema {
  const secured = op.roles !== 'public';
  const parameters: JsonSchema[] = [];
  for (const [name, p] of Object.entries(op.params ?? {})) parameters.push({ name, in: 'path', required: true, description: p.description, schema: p.schema });
  if (op.query) {
    const q = jsonSchema(op.query) as { properties: Record<string, JsonSchema>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties)) parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
  }
  for (const [name, h] of Object.entries(op.headers ?? {})) parameters.push({ name, in: 'header', required: false, description: h.description, schema: h.schema });

  const statuses = new Set(op.errors ?? []);
  if (secured) [401, 403].forEach((s) => statuses.add(s));
  if (op.body || op.formBody || op.query || op.headers) statuses.add(400);
  for (const p of Object.values(op.params ?? {})) statuses.add(p.bad);
  if (op.body || op.formBody) statuses.add(413);
  statuses.add(429); // the rate limits stand before every route
  const responses: Record<string, JsonSchema> = {};
  const ok = op.ok;
  const okSchema = typeof ok.schema === 'string' ? { $ref: `#/components/schemas/${ok.schema}` } : ok.schema;
  responses[ok.status] = {
    description: ok.description,
    ...(okSchema || ok.html || ok.text ? { content: { ...(okSchema && { 'application/json': { schema: okSchema } }), ...(ok.html && htmlContent), ...(ok.text && { 'text/plain': { schema: { type: 'string' } } }) } } : {}),
  };
  if (op.alsoOk) responses[op.alsoOk.status] = { description: op.alsoOk.description, content: { 'application/json': { schema: op.alsoOk.schema } } };
  for (const s of [...statuses].sort((a, b) => a - b)) {
    const content = op.errorPages === 'html' ? htmlContent : op.errorPages === 'both' ? { ...errorContent, ...htmlContent } : errorContent;
    responses[s] = { description: ERRORS[s], content };
  }

  const roles = secured ? `Roles: ${(op.roles as Role[]).join(', ')}.` : 'No token needed.';
  return {
    operationId: `${op.method}${pascal(op.path.replace(/^\//, '').replace(/[/:.]+/g, '-'))}`,
    tags: [op.tag],
    summary: op.summary,
    description: [op.description, roles].filter(Boolean).join('\n\n'),
    ...(secured ? { 'x-roles': op.roles } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(op.body && {
      requestBody: {
        // Bodies whose every field is optional may be left out.
        required: (jsonSchema(op.body.schema).required as string[] | undefined)?.length ? true : false,
        content: {
          'application/json': { schema: { $ref: `#/components/schemas/${op.body.name}` }, example: op.body.example },
          ...(op.body.form && { 'application/x-www-form-urlencoded': { schema: { $ref: `#/components/schemas/${op.body.form.name}` } } }),
        },
      },
    }),
    ...(op.formBody && {
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: { $ref: `#/components/schemas/${op.formBody.name}` }, example: op.formBody.example } },
      },
    }),
    responses,
  };
}

/** Named zod schemas as components/schemas, referring to each other by $ref. */
function components(named: Map<string, z.ZodType>, override?: (ctx: { jsonSchema: JsonSchema }) => void): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of named) registry.add(schema, { id });
  const generated = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', uri: (id) => `#/components/schemas/${id}`, override });
  return Object.fromEntries(Object.entries(generated.schemas).map(([id, { $schema: _s, $id: _i, ...rest }]) => [id, rest]));
}

/** The OpenAPI 3.1 document of the whole API. */
export function openApiDocument(): JsonSchema {
  const ops = operations();
  const bodies = new Map<string, z.ZodType>();
  for (const op of ops) {
    if (op.body) bodies.set(op.body.name, op.body.schema);
    if (op.body?.form) bodies.set(op.body.form.name, op.body.form.schema);
    if (op.formBody) bodies.set(op.formBody.name, op.formBody.schema);
  }
  const schemas = {
    // What the routes accept, exactly as their zod schemas check it.
    ...components(bodies),
    // What they answer: without the bounds zod puts on every integer, which only clutter the examples.
    ...components(new Map(Object.entries(responseSchemas)), ({ jsonSchema: j }) => {
      if (j.minimum === -Number.MAX_SAFE_INTEGER) delete j.minimum;
      if (j.maximum === Number.MAX_SAFE_INTEGER) delete j.maximum;
    }),
  };

  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of ops) (paths[expressPath(op.path)] ??= {})[op.method] = operationObject(op);

  return {
    openapi: '3.1.0',
    info: {
      title: API_TITLE,
      version: API_VERSION,
      description: [
        'Customer complaints handled as durable Temporal workflows. Staff send their API token as `Authorization: Bearer <token>`',
        '(an admin issues tokens: `npm run admin` or `POST /admin/staff/{id}/tokens`). Every refusal is JSON of one shape,',
        '`{ "error": { "code", "message", "fields"? } }`; bodies are JSON objects of at most 100 kb, and unknown fields are refused.',
      ].join(' '),
    },
    tags: [
      { name: 'Sign-in', description: 'People sign in to the console with a password and get a session cookie; machine clients use API tokens' },
      { name: 'Complaints', description: 'Register, list and read complaints' },
      { name: 'Staff actions', description: "Steps of a complaint's process, sent to its workflow" },
      { name: 'Directory', description: 'Staff and departments' },
      { name: 'Administration', description: 'Staff, tokens, departments, SLA policies and lists (admins only; audited)' },
      { name: 'Quality review', description: 'The periodic quality review: its schedule and its runs' },
      { name: 'Regulatory returns', description: "The regulators' returns (FCA, ASIC), the deadlines missed, and a complaint's regulatory evidence" },
      { name: 'Customers', description: "The customer's own pages: the public complaint form and their complaint's private status page (no token)" },
      { name: 'Survey', description: "The customer's satisfaction survey, through the link in the email (no token)" },
      { name: 'Service', description: 'Health and this reference' },
    ],
    security: [{ bearerAuth: [] }, { sessionCookie: [] }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token, `cmp_…`' },
        sessionCookie: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'A console session (POST /session); every change also needs its CSRF token in `X-CSRF-Token`' },
      },
      schemas,
    },
  };
}

// ---- serving it ------------------------------------------------------------------------------------

const SWAGGER_UI = path.dirname(require.resolve('swagger-ui-dist/package.json'));
/** The files of swagger-ui-dist that the page loads (and their source maps). */
const ASSETS = /^\/(?:swagger-ui\.css|index\.css|swagger-ui-bundle\.js|favicon-(?:16x16|32x32)\.png)(?:\.map)?$/;

const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${API_TITLE}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="stylesheet" href="/docs/index.css">
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png" sizes="32x32">
</head>
<body>
<div id="swagger-ui"><noscript><p>This page needs JavaScript. The API's OpenAPI document is at <a href="/openapi.json">/openapi.json</a>.</p></noscript></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/swagger-initializer.js"></script>
</body>
</html>
`;

// A file of its own, not inline: the Content-Security-Policy (helmet's default) allows scripts from 'self' only.
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null
  });
});
`;

/** GET /openapi.json and GET /docs (with Swagger UI's files under /docs/); no token needed. */
export function docsRoutes(): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send((document ??= JSON.stringify(openApiDocument())));
  });
  router.get('/docs', (_req, res) => { res.type('html').send(DOCS_PAGE); });
  const assets = express.static(SWAGGER_UI, { index: false, redirect: false });
  router.use('/docs', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path === '/swagger-initializer.js') return void res.type('text/javascript').send(INITIALIZER);
    if (ASSETS.test(req.path)) return assets(req, res, next);
    next();
  });
  return router;
}
