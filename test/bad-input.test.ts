import { errorSchema } from '../api/openapi';
import { issueToken } from '../lib/tokens';
import { complaintBody } from './support/complaints';
import { allMail, waitForMail } from './support/mail';
import { createOrganisation, relaxedSla, type Organisation, type Person } from './support/organisation';
import { postJson, startServices, type TestServices } from './support/services';

// A table of bad inputs tried against every route that takes input, built from the OpenAPI document's
// operations (a new route is covered as soon as it is documented, and test/openapi.test.ts makes sure
// every route is): wrong JSON types, a body over the limit, unknown fields, wrong field types, SQL and
// HTML in text fields, bad ids, bad query parameters and headers. Each is sent with a token of a role
// the route allows, so that it is the input that gets judged. Every answer must be a 4xx with the JSON
// error shape (or, where the route is an HTML page, a page that echoes nothing), nothing may be stored,
// no email sent, and nothing anyone typed may come back unescaped in a page or an email.

const SQL = "'; DROP TABLE complaints; --";
const SCRIPT = '<script>alert(1)</script>';
const XSS = '<script>alert(1)</script><img src=x onerror=alert(1)>';
/** As they go into the URL path. */
const BAD_IDS = ['0', '-1', 'abc', '1.5', '99999999999', '%00', '%3Cscript%3Ealert(1)%3C%2Fscript%3E', encodeURIComponent(SQL)];
/** Nothing that looks like markup someone sent may appear in a page or email as it was sent. */
const RAW_MARKUP = ['<script>alert(1)', '<img src=x', 'onerror=alert(1)>'];

type Schema = Record<string, any>;
interface Row { what: string; method: string; url: string; person?: Person; body?: string; contentType?: string; headers?: Record<string, string>; status?: number; htmlOk: (status: number) => boolean }

let s: TestServices;
let org: Organisation;
let admin: Person;
let doc: any;
let complaintId: number;
let xssCustomer: string;

beforeAll(async () => {
  s = await startServices('bad-input');
  org = await createOrganisation(s.db, 'bad-input');
  await relaxedSla(s.db);
  const adminRow = await s.db.staff.create({ data: { name: 'Admin BadInput', email: `admin.bad-input.${Date.now()}@example.com`, role: 'admin' } });
  const { token } = await issueToken(s.db, adminRow.id);
  admin = { id: adminRow.id, email: adminRow.email, name: adminRow.name, token, auth: { authorization: `Bearer ${token}` } };
  doc = await (await fetch(`${s.api}/openapi.json`)).json();

  // One valid complaint, with markup in what the customer typed: its id is the "good" id of the table.
  const body = complaintBody({ department: org.department, customerName: `Ada ${XSS}`, description: `It leaks. ${XSS} ${SQL}` });
  xssCustomer = body.customerEmail;
  const created = await postJson(`${s.api}/complaints`, body, org.agent.auth);
  expect(created.status).toBe(201);
  complaintId = created.body.id;
  await waitForMail(xssCustomer);
});
afterAll(async () => { await s?.close(); });

// ---- what is stored, and what was sent --------------------------------------------------------------

const TABLES: Record<string, string> = {
  complaints: 'x::text', complaint_events: '', staff: 'x::text', api_tokens: '(x.id, x.staff_id, x.name, x.revoked_at, x.expires_at)::text',
  list_items: 'x::text', sla_policies: 'x::text', departments: 'x::text', survey_responses: 'x::text',
};
/** Row counts of the tables, and a digest of their contents (so that an update is seen too). */
async function snapshot(): Promise<Record<string, string>> {
  const sql = Object.entries(TABLES).map(([t, row]) =>
    `SELECT '${t}' AS t, count(*)::text AS n, ${row ? `md5(coalesce(string_agg(${row}, '|' ORDER BY ${row}), ''))` : `''`} AS d FROM ${t} x`).join(' UNION ALL ');
  const rows = await s.db.$queryRawUnsafe<{ t: string; n: string; d: string }[]>(sql);
  return Object.fromEntries(rows.map((r) => [r.t, `${r.n} rows ${r.d}`.trim()]));
}
/** Waits until the valid complaint's workflow has stopped writing. */
async function settled() {
  let last = await snapshot();
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = await snapshot();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error('the database did not settle');
}

// ---- the table, from the document --------------------------------------------------------------------

const ROLE_ORDER = ['agent', 'supervisor', 'manager', 'senior_manager', 'admin'];
function personFor(roles: string[] | undefined): Person | undefined {
  if (!roles) return undefined;
  const role = ROLE_ORDER.find((r) => roles.includes(r))!;
  return { agent: org.agent, supervisor: org.supervisor, manager: org.manager, senior_manager: org.senior, admin }[role];
}

const ref = (schema: Schema): Schema => (schema?.$ref ? doc.components.schemas[schema.$ref.split('/').pop()] : schema);
const types = (schema: Schema): string[] => [schema.type ?? [], ...(schema.anyOf ?? []).map((x: Schema) => x.type ?? [])].flat();

/** A value of the wrong JSON type for a field; undefined when the field takes anything. */
function wrongType(schema: Schema): unknown {
  const t = types(schema);
  if (t.length === 0) return undefined;
  if (t.includes('string')) return 12345;
  if (t.includes('integer') || t.includes('number')) return '1';
  if (t.includes('boolean')) return 'yes';
  return 'not an array or object';
}

/** Whether a path parameter's documented schema refuses `raw` (so the route must too). */
function refuses(schema: Schema, raw: string): boolean {
  if (schema.enum) return !schema.enum.includes(raw);
  if (schema.type === 'integer') {
    const min = schema.minimum ?? (schema.exclusiveMinimum ?? 0) + 1;
    return !/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > (schema.maximum ?? Number.MAX_SAFE_INTEGER);
  }
  if (schema.pattern) return !new RegExp(schema.pattern, 'u').test(raw);
  return true; // a free-form key (the survey token) is looked up, and none of these exists
}

/** A query parameter value that its documented schema refuses. */
function badQueryValues(schema: Schema): string[] {
  if (schema.enum) return ['not_a_value', SCRIPT];
  if (schema.type === 'integer') return ['abc', '1.5', '-1', String(BigInt(schema.maximum ?? 2_147_483_647) + 1n)]; // one past its documented maximum
  const out: string[] = [];
  if (schema.pattern) out.push(SCRIPT, SQL);
  if (schema.maxLength) out.push('x'.repeat(schema.maxLength + 1));
  if (schema.minLength) out.push('');
  return out;
}

function goodParam(path: string, p: Schema): string {
  if (p.schema.enum) return p.schema.enum[0];
  if (p.schema.type === 'integer') return String(path.startsWith('/complaints') ? complaintId : org.agent.id);
  if (p.name === 'token') return 'no-such-survey-token';
  return 'bad_input_probe';
}

function tableFor(path: string, method: string, op: any): Row[] {
  const person = op.security?.length === 0 ? undefined : personFor(op['x-roles']);
  const params: Schema[] = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const url = (bad: Record<string, string> = {}, query = '') =>
    s.api + path.replace(/\{(\w+)\}/g, (_, name: string) => bad[name] ?? encodeURIComponent(goodParam(path, pathParams.find((p) => p.name === name)!))) + query;
  const htmlOk = (status: number) => Boolean(op.responses[status]?.content?.['text/html']);
  const M = method.toUpperCase();
  const row = (what: string, r: Partial<Row>): Row => ({ what: `${M} ${path}: ${what}`, method: M, url: url(), person, htmlOk, ...r });
  const rows: Row[] = [];

  const json = op.requestBody?.content?.['application/json'];
  // The document's example, made valid here (this file's department and people), so that each row is wrong in one way only.
  const example: Record<string, unknown> | undefined = json?.example && {
    ...json.example,
    ...('department' in json.example && { department: org.department }),
    ...('ownerId' in json.example && { ownerId: org.manager.id }),
  };
  if (json) {
    const schema = ref(json.schema);
    const send = (what: string, body: string, extra: Partial<Row> = {}) => rows.push(row(what, { body, contentType: 'application/json', status: 400, ...extra }));
    for (const [what, body] of [['an array', '[]'], ['a string', '"text"'], ['a number', '42'], ['null', 'null'], ['true', 'true'], ['broken JSON', '{"a":'], ['an array of the example', JSON.stringify([example])]]) {
      send(`body is ${what}`, body!);
    }
    send('body over 100 kb', JSON.stringify({ ...example, padding: 'x'.repeat(110 * 1024) }), { status: 413 });
    send('unknown field', JSON.stringify({ ...example, unexpectedField: 1 }));
    send('unknown field named with markup', JSON.stringify({ ...example, [SCRIPT]: SQL }));
    for (const [field, fieldSchema] of Object.entries<Schema>(schema.properties ?? {})) {
      const wrong = wrongType(fieldSchema);
      if (wrong !== undefined) send(`${field} of the wrong type`, JSON.stringify({ ...example, [field]: wrong }));
      if (fieldSchema.maxLength) send(`${field} too long`, JSON.stringify({ ...example, [field]: 'x'.repeat(fieldSchema.maxLength + 1) }));
      if (types(fieldSchema).includes('integer')) send(`${field} not whole`, JSON.stringify({ ...example, [field]: 1.5 }));
      if (types(fieldSchema).includes('integer')) send(`${field} out of range`, JSON.stringify({ ...example, [field]: 99_999_999_999 }));
    }
    // SQL and HTML in every text field of a body that is otherwise invalid (an unknown field).
    const textFields = Object.entries<Schema>(schema.properties ?? {}).filter(([, f]) => types(f).includes('string')).map(([k]) => k);
    for (const payload of [SQL, SCRIPT, XSS]) {
      send(`${JSON.stringify(payload)} in ${textFields.join(', ') || 'an unknown field'}`,
        JSON.stringify({ ...example, ...Object.fromEntries(textFields.map((f) => [f, payload])), unexpectedField: payload }));
    }
  }

  // A route that takes only an HTML form (the customer's pages): JSON, an oversized form, markup and SQL in every field.
  const form = !json && op.requestBody?.content?.['application/x-www-form-urlencoded'];
  if (form) {
    const fields = Object.keys(ref(form.schema).properties ?? {});
    const post = (what: string, body: string, extra: Partial<Row> = {}) => rows.push(row(what, { body, contentType: 'application/x-www-form-urlencoded', ...extra }));
    rows.push(row('a JSON body instead of the form', { body: JSON.stringify(form.example ?? {}), contentType: 'application/json' }));
    post('form over 40 kb', new URLSearchParams({ ...form.example, padding: 'x'.repeat(50 * 1024) }).toString(), { status: 413 });
    post('an empty form', '');
    for (const payload of [SQL, SCRIPT, XSS]) {
      post(`${JSON.stringify(payload)} in ${fields.join(', ')}`, new URLSearchParams(Object.fromEntries(fields.map((f) => [f, payload]))).toString());
    }
    for (const f of fields) post(`${f} too long`, new URLSearchParams({ ...form.example, [f]: 'x'.repeat(30_000) }).toString());
  }

  for (const p of pathParams) {
    for (const raw of BAD_IDS) {
      if (!refuses(p.schema, decodeURIComponent(raw))) continue;
      rows.push(row(`${p.name} = ${raw}`, {
        url: url({ [p.name]: raw }),
        ...(example && { body: JSON.stringify(example), contentType: 'application/json' }),
      }));
    }
  }

  const query = params.filter((p) => p.in === 'query');
  if (query.length) rows.push(row('unknown query parameter', { url: url({}, '?unexpected=1'), status: 400 }));
  for (const p of query) {
    for (const v of badQueryValues(p.schema)) rows.push(row(`?${p.name}=${v.slice(0, 40)}`, { url: url({}, `?${p.name}=${encodeURIComponent(v)}`), status: 400 }));
  }

  for (const h of params.filter((p) => p.in === 'header')) {
    // Too long, and a character (the space) the documented pattern does not allow.
    for (const v of ['x'.repeat(201), 'two words']) {
      rows.push(row(`header ${h.name}: ${v.slice(0, 20)}`, {
        headers: { [h.name]: v }, status: 400, ...(example && { body: JSON.stringify(example), contentType: 'application/json' }),
      }));
    }
  }
  return rows;
}

async function send(row: Row) {
  const res = await fetch(row.url, {
    method: row.method,
    headers: { ...(row.person?.auth ?? {}), ...(row.contentType && { 'content-type': row.contentType }), ...(row.headers ?? {}) },
    body: row.body,
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** What is wrong with an answer to a bad input, or nothing. */
function judge(row: Row, res: { status: number; type: string; text: string }): string | undefined {
  if (res.status < 400 || res.status > 499) return `answered ${res.status}: ${res.text.slice(0, 200)}`;
  if (res.status === 401 || res.status === 403) return `refused the caller (${res.status}), not the input: the document's roles are wrong`;
  if (row.status && res.status !== row.status) return `answered ${res.status}, expected ${row.status}: ${res.text.slice(0, 200)}`;
  if (res.type.startsWith('text/html')) {
    if (!row.htmlOk(res.status)) return `answered an HTML page where the document promises JSON`;
    const echoed = RAW_MARKUP.filter((m) => res.text.includes(m));
    if (echoed.length) return `echoed ${echoed.join(', ')} into the page`;
    return undefined;
  }
  if (!res.type.startsWith('application/json')) return `answered ${res.type}`;
  const body = JSON.parse(res.text);
  const shape = errorSchema.strict().safeParse(body);
  if (!shape.success) return `error shape: ${res.text.slice(0, 200)}`;
  if (typeof body.error.code !== 'string' || typeof body.error.message !== 'string') return 'error shape';
  return undefined;
}

// ---- the tests -------------------------------------------------------------------------------------

test('a valid complaint with markup in its text: the acknowledgement email has it escaped in its HTML part', async () => {
  const [ack] = await waitForMail(xssCustomer);
  expect(ack.html).toContain('Ada &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
  expect(ack.html).toContain('&#39;; DROP TABLE complaints; --');
  for (const m of RAW_MARKUP) expect(ack.html).not.toContain(m);
  // The plain-text part is plain text: there it is as typed.
  expect(ack.text).toContain(XSS);
  // Stored as typed (it is data, not markup), and still there.
  const stored = await s.db.complaint.findUniqueOrThrow({ where: { id: complaintId } });
  expect(stored.customerName).toBe(`Ada ${XSS}`);
});

test('a table of bad inputs against every route: all 4xx with the JSON error shape, nothing stored, no email', async () => {
  const mailBefore = (await allMail()).length;
  const before = await settled();
  const problems: string[] = [];
  const covered = new Set<string>();
  let count = 0;

  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const rows = tableFor(path, method, op);
      if (!rows.length) continue;
      covered.add(`${method.toUpperCase()} ${path}`);
      for (const row of rows) {
        count++;
        const problem = judge(row, await send(row));
        if (problem) problems.push(`${row.what}: ${problem}`);
      }
      const now = await snapshot();
      if (JSON.stringify(now) !== JSON.stringify(before)) {
        problems.push(`${method.toUpperCase()} ${path}: stored something: ${JSON.stringify(Object.entries(now).filter(([t, v]) => before[t] !== v).map(([t]) => t))}`);
        Object.assign(before, now);
      }
    }
  }
  // Give a workflow that a bad input might have started the time to send its email.
  await new Promise((r) => setTimeout(r, 2000));
  const after = await snapshot();
  expect(after).toEqual(before);
  expect(problems).toEqual([]);
  expect((await allMail()).length).toBe(mailBefore);

  // Every route that takes input (a body, a path parameter, query parameters or a header) was tried.
  const takesInput = Object.entries<any>(doc.paths).flatMap(([p, item]) => Object.entries<any>(item)
    .filter(([, op]) => op.requestBody || op.parameters?.length).map(([m]) => `${m.toUpperCase()} ${p}`));
  expect([...covered].sort()).toEqual(takesInput.sort());
  expect(count).toBeGreaterThan(300);
});

test('hostile but valid text is taken as data: searching for SQL finds it as text and breaks nothing', async () => {
  const before = await snapshot();
  const get = async (query: string) => {
    const res = await fetch(`${s.api}/complaints?${query}`, { headers: org.agent.auth });
    expect(res.status).toBe(200);
    return (await res.json()) as { items: { id: number }[]; nextCursor: string | null };
  };
  expect((await get(`q=${encodeURIComponent(SQL)}`)).items.map((c) => c.id)).toEqual([complaintId]);
  expect((await get(`category=${encodeURIComponent(SQL)}&department=${encodeURIComponent(SCRIPT)}`)).items).toEqual([]);
  expect(await snapshot()).toEqual(before);
});

test('the survey page does not echo a link token with markup in it', async () => {
  for (const token of ['%3Cscript%3Ealert(1)%3C%2Fscript%3E', '%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', encodeURIComponent(`${XSS}"'&`)]) {
    const res = await fetch(`${s.api}/survey/${token}`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    for (const m of RAW_MARKUP) expect(html).not.toContain(m);
    expect(html).not.toContain(decodeURIComponent(token));
    // A form post to such a link: the same page, nothing echoed.
    const post = await fetch(`${s.api}/survey/${token}`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ score: '1', resolved: 'no', comment: XSS }).toString(),
    });
    expect(post.status).toBe(404);
    const page = await post.text();
    for (const m of RAW_MARKUP) expect(page).not.toContain(m);
  }
});

test('no email in the mail catcher has markup someone typed unescaped in its HTML part', async () => {
  const mail = await allMail();
  expect(mail.length).toBeGreaterThan(0);
  const raw = mail.filter((m) => RAW_MARKUP.some((x) => (m.html ?? '').includes(x))).map((m) => m.subject);
  expect(raw).toEqual([]);
});
