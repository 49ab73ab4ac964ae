import fc from 'fast-check';
import { Client } from 'pg';
import { dropDatabase } from './support/databases';
import { openApiDocument } from '../api/openapi';
import { createDb, type Db } from '../lib/db';
import { issueToken } from '../lib/tokens';
import { migrate } from '../prisma/migrate';
import { freePort, portAnswers, waitFor, type Managed } from '../scripts/processes';
import { startService } from '../scripts/stack';
import { hostileBody, hostileParam, hostileValue } from './support/arbitraries';
import { complaintBody } from './support/complaints';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { startWorkerProcess } from './support/services';

// No request can crash the API or corrupt what it keeps. A real API process, on a database of its own
// (generated admin changes stay there), takes a 10,000-level body, bytes that are not UTF-8, and
// generated hostile requests on every route of its OpenAPI document: never a 5xx, always the one JSON
// error shape, nothing stored by a refusal, and the same process (pid) from first to last.

const RUNS = Number(process.env.HOSTILE_RUNS ?? 1000); // generated requests per route

let db: Db;
let counter: Client; // the row counts, asked after every request: plain pg answers them in a quarter of Prisma's time
let api: Managed;
let worker: Managed;
let base: string;
let pid: number;
let org: Organisation;
const ids: number[] = []; // the complaints that exist
let databaseUrl: string;
beforeAll(async () => {
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `${url.pathname}_hostile`;
  databaseUrl = url.toString();
  await migrate(url.toString());
  db = createDb(url.toString(), 3);
  counter = new Client({ connectionString: url.toString() });
  await counter.connect();
  // The Temporal server is shared with the other suites, whose complaint-1, complaint-2… exist already.
  await db.$executeRawUnsafe('ALTER SEQUENCE complaints_id_seq RESTART WITH 500000000');
  org = await createOrganisation(db, 'hostile');
  await relaxedSla(db);
  const port = await freePort();
  const taskQueue = `hostile-${Date.now().toString(36)}`;
  const env = { DATABASE_URL: url.toString(), TEMPORAL_TASK_QUEUE: taskQueue, RATE_LIMIT_PER_ADDRESS: '100000000', RATE_LIMIT_PER_TOKEN: '100000000' };
  worker = await startWorkerProcess(taskQueue, env);
  api = startService('api', 'api/main.ts', { ...env, PORT: String(port), LOG_LEVEL: 'error' }, null);
  await waitFor('the API', () => portAnswers(port), 60_000, api);
  base = `http://127.0.0.1:${port}`;
  pid = api.child.pid!;
  for (let i = 0; i < 5; i++) {
    const filed = await send('POST', '/complaints', complaintBody({ department: org.department }), org.agent.auth);
    expect([filed.status, filed.json.error]).toEqual([201, undefined]);
    ids.push(filed.json.id);
  }
}, 180_000);
afterAll(async () => {
  await api?.stop();
  await worker?.stop();
  await db?.$disconnect();
  await counter?.end();
  if (!process.env.TEST_KEEP_DATABASE) await dropDatabase(databaseUrl);
});

async function send(method: string, path: string, body: unknown, headers: Record<string, string> = {}, raw?: Buffer | string) {
  const res = await fetch(`${base}${path}`, {
    method, headers: { ...(body !== undefined || raw ? { 'content-type': 'application/json' } : {}), ...headers },
    body: raw ?? (body === undefined || method === 'GET' ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, type: res.headers.get('content-type') ?? '' };
}

/** What the API writes itself, table by table (the worker's own writes go on beside the test). */
const rowCounts = async () => JSON.stringify((await counter.query(`SELECT
  (SELECT count(*) FROM complaints)::int AS complaints, (SELECT count(*) FROM complaint_texts)::int AS texts,
  (SELECT count(*) FROM staff)::int AS staff, (SELECT count(*) FROM api_tokens)::int AS tokens,
  (SELECT count(*) FROM departments)::int AS departments, (SELECT count(*) FROM sla_policies)::int AS sla,
  (SELECT count(*) FROM list_items)::int AS lists, (SELECT count(*) FROM idempotency_records)::int AS keys`)).rows);

const alive = () => {
  expect(api.child.exitCode).toBeNull();
  expect(api.child.pid).toBe(pid);
};

test('a body nested 10,000 levels deep is a 400 on every route, with or without a token, and the API lives on', async () => {
  const deep = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000); // about 60 kB
  for (const path of ['/complaints', '/complaints/1/notes', '/complaints/1/withdrawal', '/admin/staff', '/survey/abc']) {
    for (const headers of [{}, org.agent.auth, org.admin.auth]) {
      const res = await send('POST', path, undefined, headers, deep);
      // Too deep, or (the survey's smaller limit) too large: refused before anything walks it.
      expect([path, res.status]).toEqual([path, path.startsWith('/survey') ? 413 : 400]);
      expect(res.json.error).toMatchObject({ code: path.startsWith('/survey') ? 'body_too_large' : 'too_deep', fields: { body: expect.any(String) } });
    }
  }
  alive();
  expect((await send('GET', '/health', undefined)).status).toBe(200);
});

test('bytes that are not UTF-8, a NUL or half a surrogate pair are a 400, and nothing is stored', async () => {
  const before = await rowCounts();
  const body = JSON.stringify(complaintBody({ department: org.department, customerName: 'NAME' }));
  const bad = Buffer.concat([Buffer.from(body.split('NAME')[0]), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(body.split('NAME')[1])]);
  const res = await send('POST', '/complaints', undefined, org.agent.auth, bad);
  expect([res.status, res.json.error.code]).toEqual([400, 'invalid_encoding']);
  for (const name of ['a\u0000b', '\ud800', 'x\udfff']) {
    const r = await send('POST', '/complaints', complaintBody({ department: org.department, customerName: name }), org.agent.auth);
    expect([r.status, r.json.error.code]).toEqual([400, 'invalid_text']);
  }
  expect((await send('GET', '/complaints?q=%00', undefined, org.senior.auth)).status).toBe(400);
  expect(await rowCounts()).toBe(before);
  alive();
});

test(`${RUNS} generated hostile requests on every route of the OpenAPI document: no 5xx, the JSON error shape, nothing stored by a refusal`, async () => {
  const doc = openApiDocument() as any;
  const failures: string[] = [];
  let requests = 0;
  let resets = 0; // connection resets on a GET, each sent once more (at most three in the run)
  let counts = await rowCounts(); // as of the last answer
  for (const [template, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const roles: string[] = op['x-roles'] ?? [];
      const person = template.startsWith('/admin') || roles.includes('admin') && !roles.includes('senior_manager') ? org.admin : org.senior;
      const params = (op.parameters ?? []) as any[];
      const querySchema = { type: 'object', properties: Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, p.schema])) };
      const bodySchema = op.requestBody?.content?.['application/json']?.schema;
      // A route that takes only an HTML form (the customer's pages) gets hostile forms as well as JSON.
      const formRef: string | undefined = !bodySchema ? op.requestBody?.content?.['application/x-www-form-urlencoded']?.schema?.$ref : undefined;
      const formFields = formRef ? Object.keys(doc.components.schemas[formRef.split('/').pop()!].properties ?? {}) : [];
      const hostileForm = fc.dictionary(fc.constantFrom(...formFields, 'x', '__proto__'),
        fc.oneof(fc.string({ maxLength: 40 }), hostileValue.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))), { maxKeys: 8 })
        .map((fields) => new URLSearchParams(Object.entries(fields)).toString());
      const request = fc.record({
        path: fc.tuple(...(template.match(/\{\w+\}/g) ?? []).map(() => hostileParam(ids))).map((values) => {
          let i = 0;
          return template.replace(/\{\w+\}/g, () => values[i++]);
        }),
        query: fc.dictionary(fc.constantFrom(...Object.keys(querySchema.properties), 'x', '__proto__'), fc.oneof(fc.string({ maxLength: 30 }), hostileValue.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))), { maxKeys: 3 }),
        body: method === 'get' || method === 'delete' ? fc.constant(undefined) : hostileBody(bodySchema, doc),
        form: formRef ? fc.option(hostileForm, { freq: 2 }) : fc.constant(null),
        token: fc.constantFrom('person', 'person', 'person', 'none', 'bogus'),
      });
      for (const r of fc.sample(request, { numRuns: RUNS, seed: 42 })) {
        const qs = new URLSearchParams(Object.entries(r.query).map(([k, v]) => [k, String(v)] as [string, string])).toString();
        const headers = r.token === 'person' ? person.auth : r.token === 'bogus' ? { authorization: 'Bearer not-a-token' } : {};
        const once = () => (r.form !== null
          ? send(method.toUpperCase(), `${r.path}${qs ? `?${qs}` : ''}`, undefined, { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, r.form)
          : send(method.toUpperCase(), `${r.path}${qs ? `?${qs}` : ''}`, r.body, headers));
        let res;
        try {
          res = await once();
        } catch (first) {
          // A connection reset on an idempotent GET is sent once more, as an HTTP client would: seen about
          // once in six full runs on GET /openapi.json (ECONNRESET, the API alive, its pid unchanged). A
          // request that itself breaks the connection fails again and is reported; so are more than three
          // resets in the whole run, and alive() below still requires the same process throughout.
          if (method !== 'get' || ++resets > 3) {
            failures.push(`${method} ${r.path}: no answer (${first}; ${(first as any)?.cause?.code ?? ''} ${(first as any)?.cause?.message ?? ''})`);
            continue;
          }
          console.warn(`${method} ${r.path}: connection reset (${(first as any)?.cause?.code ?? first}); sent again`);
          try {
            res = await once();
          } catch (err) {
            failures.push(`${method} ${r.path}: no answer twice (${err}; ${(err as any)?.cause?.code ?? ''} ${(err as any)?.cause?.message ?? ''})`);
            continue;
          }
        }
        requests++;
        const where = `${method.toUpperCase()} ${r.path} ${JSON.stringify(r.body)?.slice(0, 120)}`;
        if (res.status >= 500) failures.push(`${where}: ${res.status} ${JSON.stringify(res.json)}`);
        if (res.status >= 400 && res.type.includes('json') && !(typeof res.json?.error?.code === 'string' && typeof res.json?.error?.message === 'string')) {
          failures.push(`${where}: ${res.status} without the error shape`);
        }
        const now = await rowCounts();
        if (res.status >= 400 && now !== counts) failures.push(`${where}: ${res.status} but rows changed`);
        counts = now;
        if (failures.length > 20) break;
      }
      if (api.child.exitCode !== null) failures.push(`the API exited after ${method} ${template}`);
    }
  }
  expect(failures).toEqual([]);
  expect(requests).toBeGreaterThan(RUNS * 30);
  alive();
}, 1_800_000);

test('200 registrations at once, 50 Idempotency-Keys four times each, five times over: no 5xx, every copy answered with its key\'s complaint', async () => {
  // A registrar of its own: the generated admin requests above may have revoked any earlier token.
  const registrar = await db.staff.create({ data: { name: 'Burst Registrar', email: `burst.registrar.${Date.now()}@example.com`, role: 'agent', department: org.department } });
  const auth = { authorization: `Bearer ${(await issueToken(db, registrar.id, 'burst')).token}` };
  for (let round = 0; round < 5; round++) {
    const body = (k: number) => complaintBody({ department: org.department, customerEmail: `burst.${round}.${k}@example.com` });
    const bodies = Array.from({ length: 50 }, (_, k) => body(k));
    const stamp = Date.now().toString(36);
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      send('POST', '/complaints', bodies[i % 50], { ...auth, 'Idempotency-Key': `burst-${stamp}-${i % 50}` })));
    expect(answers.filter((a) => a.status >= 500).map((a) => a.json)).toEqual([]);
    for (let k = 0; k < 50; k++) {
      const copies = answers.filter((_, i) => i % 50 === k);
      expect(copies.map((c) => c.status)).toEqual([201, 201, 201, 201]);
      expect(new Set(copies.map((c) => c.json.id)).size).toBe(1);
    }
    expect(await db.complaint.count({ where: { customerEmail: { startsWith: `burst.${round}.` } } })).toBe(50);
  }
  alive();
}, 600_000);
