import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Browser } from 'playwright-core';
import { createApp } from '../api/app';
import { API_TITLE, errorSchema, operations } from '../api/openapi';
import { startServices, type TestServices } from './support/services';
import { launchChromium } from './support/browser';

// The OpenAPI document: valid OpenAPI 3.1, the same routes as the Express app (both ways), its security
// as the API really behaves, and the interactive page at /docs in a real browser.

const OUT = path.join(__dirname, '..', 'test-output');
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];

let s: TestServices;
let doc: any;
beforeAll(async () => {
  s = await startServices('openapi');
  const res = await fetch(`${s.api}/openapi.json`); // no token
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  doc = await res.json();
});
afterAll(async () => { await s?.close(); });

const documented = (): string[] =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap(([p, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m.toUpperCase()} ${p}`));

/** Every route of the Express app, walking its router stack (Express 5: app.router.stack, nested routers' handle.stack). */
function expressRoutes(): string[] {
  const app = createApp({ db: {} as any, temporal: {} as any, taskQueue: 'unused' }) as any;
  const out: string[] = [];
  const walk = (stack: any[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        expect(typeof layer.route.path).toBe('string'); // no regex or array routes, which the document could not name
        for (const m of Object.keys(layer.route.methods).filter((k) => k !== '_all')) {
          out.push(`${m.toUpperCase()} ${(prefix + layer.route.path).replace(/:(\w+)/g, '{$1}')}`);
        }
      } else if (Array.isArray(layer.handle?.stack)) {
        // A nested router; app.use(router) mounts at '/', app.use('/x', router) at '/x'.
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
      // Other middleware (body parser, authentication, the 404 fallback, the error handler) is not a route.
    }
  };
  walk(app.router.stack, '');
  return out;
}

/**
 * Runs @seriousme/openapi-schema-validator on `document` in a Node process of its own: the package is
 * ESM-only, which Jest's CommonJS module system cannot load on this Node version.
 */
function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown; version: string; refsResolved: boolean } {
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    let input = '';
    for await (const chunk of process.stdin) input += chunk;
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(input));
    const refsResolved = result.valid && !JSON.stringify(validator.resolveRefs()).includes('"$ref"');
    console.log(JSON.stringify({ ...result, version: validator.version, refsResolved }));
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(__dirname, '..'), input: JSON.stringify(document), encoding: 'utf8' });
  return JSON.parse(out);
}

test('the document is valid OpenAPI 3.1 and every $ref resolves', () => {
  const result = validateOpenApi(doc);
  expect(result.errors ?? []).toEqual([]);
  expect(result).toMatchObject({ valid: true, version: '3.1', refsResolved: true });
  expect(doc.openapi).toMatch(/^3\.1\./);
  // The validator does catch a broken document.
  const broken = validateOpenApi({ ...doc, paths: { '/x': { get: { responses: { 200: { content: 'not an object' } } } } } });
  expect(broken.valid).toBe(false);
});

test('it lists exactly the routes the Express app has', () => {
  const routes = expressRoutes();
  expect(routes.length).toBeGreaterThan(20);
  expect(new Set(routes).size).toBe(routes.length);
  expect([...documented()].sort()).toEqual([...routes].sort());
});

test('every operation has a summary, its security, its bodies and parameters, and the error shape for 4xx', () => {
  const open = ['GET /health', 'GET /health/live', 'GET /health/ready', 'GET /metrics', 'GET /openapi.json', 'GET /docs', 'GET /survey/{token}', 'POST /survey/{token}', 'POST /session', 'GET /session', 'POST /password', 'GET /complain', 'POST /complain', 'GET /status/{token}', 'POST /status/{token}'];
  expect(doc.security).toEqual([{ bearerAuth: [] }, { sessionCookie: [] }]);
  expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  expect(doc.components.securitySchemes.sessionCookie).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'complaints_session' });
  for (const [p, item] of Object.entries<any>(doc.paths)) {
    for (const [m, op] of Object.entries<any>(item)) {
      const name = `${m.toUpperCase()} ${p}`;
      expect([name, typeof op.summary, op.summary.length > 5]).toEqual([name, 'string', true]);
      if (open.includes(name)) expect([name, op.security]).toEqual([name, []]);
      else expect([name, op.security, op['x-roles']?.length > 0]).toEqual([name, undefined, true]);
      for (const param of [...p.matchAll(/\{(\w+)\}/g)].map((x) => x[1])) {
        expect(op.parameters).toContainEqual(expect.objectContaining({ name: param, in: 'path', required: true }));
      }
      if (op.requestBody) {
        // JSON, or for the customer's pages an HTML form only.
        const body = op.requestBody.content['application/json'] ?? op.requestBody.content['application/x-www-form-urlencoded'];
        expect([name, body?.schema?.$ref]).toEqual([name, expect.stringMatching(/^#\/components\/schemas\//)]);
      }
      for (const [status, response] of Object.entries<any>(op.responses)) {
        if (!status.startsWith('4') || !response.content?.['application/json']) continue;
        expect([name, status, response.content['application/json'].schema]).toEqual([name, status, { $ref: '#/components/schemas/Error' }]);
      }
      if (!open.includes(name)) expect([name, Object.keys(op.responses)]).toEqual([name, expect.arrayContaining(['401', '403'])]);
    }
  }
  // The error shape is the one errors.ts sends.
  expect(doc.components.schemas.Error).toMatchObject({
    type: 'object', required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object' } } } },
  });
  // GET /complaints documents its query parameters, generated from complaintListQuery.
  const list = doc.paths['/complaints'].get.parameters.filter((x: any) => x.in === 'query').map((x: any) => x.name);
  expect(list).toEqual(expect.arrayContaining(['stage', 'severity', 'category', 'department', 'ownerId', 'overdue', 'q', 'from', 'to', 'sort', 'limit', 'cursor']));
  // Generated from the routes' own zod schemas: strict bodies, limits and enums as the routes check them.
  const complaint = doc.components.schemas.NewComplaint;
  expect(complaint).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['customerName', 'customerEmail', 'channel', 'description', 'occurredOn', 'product']) });
  expect(complaint.properties.channel.enum).toEqual(['email', 'phone', 'web', 'letter', 'in_person', 'social_media', 'cfpb_portal']);
  expect(complaint.properties.description.maxLength).toBe(10_000);
});

test("each operation's example body is accepted by the route's own schema", () => {
  for (const op of operations()) {
    if (!op.body) continue;
    const parsed = op.body.schema.safeParse(op.body.example);
    expect([op.method, op.path, parsed.success ? 'ok' : parsed.error.message]).toEqual([op.method, op.path, 'ok']);
  }
});

test('the security the document declares is what the API does: no token is a 401 exactly where a token is required', async () => {
  for (const [p, item] of Object.entries<any>(doc.paths)) {
    for (const [m, op] of Object.entries<any>(item)) {
      const url = s.api + p.replace(/\{(\w+)\}/g, (_: string, name: string) => (name === 'token' ? 'no-such-token' : name === 'id' ? '1' : 'minor'));
      const res = await fetch(url, { method: m.toUpperCase(), headers: { 'content-type': 'application/json' }, body: ['get', 'delete'].includes(m) ? undefined : '{}' });
      const text = await res.text();
      if (op.security?.length === 0) {
        expect([m, p, res.status === 401]).toEqual([m, p, false]);
      } else {
        expect([m, p, res.status]).toEqual([m, p, 401]);
        expect(errorSchema.safeParse(JSON.parse(text)).success).toBe(true);
      }
    }
  }
});

test('/docs shows the API in headless Chromium', async () => {
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    const problems: string[] = [];
    page.on('console', (msg) => { if (msg.type() === 'error') problems.push(msg.text()); });
    page.on('pageerror', (err) => problems.push(String(err)));
    page.on('requestfailed', (req) => problems.push(`${req.url()}: ${req.failure()?.errorText}`));

    const res = await page.goto(`${s.api}/docs`); // no token
    expect(res!.status()).toBe(200);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.locator('.swagger-ui .info .title').filter({ hasText: API_TITLE }).waitFor({ timeout: 30_000 });
    await page.locator('.opblock').first().waitFor();
    expect(await page.locator('.opblock').count()).toBe(documented().length);
    await expect(page.locator('.opblock-summary-path', { hasText: '/complaints/{id}/timeline' }).count()).resolves.toBe(1);
    expect(await page.title()).toBe(API_TITLE);
    // Opening an operation shows its generated request body schema and its example.
    await page.locator('#operations-Complaints-postComplaints .opblock-summary-control').click();
    await page.locator('#operations-Complaints-postComplaints .opblock-body').getByText('customerEmail').first().waitFor();

    fs.mkdirSync(OUT, { recursive: true });
    await page.screenshot({ path: path.join(OUT, 'docs.png') });
    expect(problems).toEqual([]);
  } finally {
    await browser?.close();
  }
});
