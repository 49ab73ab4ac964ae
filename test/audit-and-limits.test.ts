import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../api/app';
import { complaintBody } from './support/complaints';
import { createOrganisation, relaxedSla, type Organisation } from './support/organisation';
import { eventually, getJson, postJson, startServices, type TestServices } from './support/services';

// An audit trail that cannot be skipped (a client that leaves still leaves its row; reads of customer
// data are recorded; anonymous noise is only counted) and limits that keep one client from the others.

let s: TestServices;
let org: Organisation;
beforeAll(async () => {
  s = await startServices('audit-limits');
  org = await createOrganisation(s.db, 'audit-limits');
  await relaxedSla(s.db);
});
afterAll(async () => { await s?.close(); });

const file = async () => {
  const res = await postJson(`${s.api}/complaints`, complaintBody({ department: org.department }), org.agent.auth);
  expect(res.status).toBe(201);
  return res.body.id as number;
};

test('a withdrawal whose client disconnects at once still happens, and its audit row is there, marked aborted', async () => {
  const id = await file();
  const url = new URL(`${s.api}/complaints/${id}/withdrawal`);
  await new Promise<void>((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...org.agent.auth, 'content-type': 'application/json' } });
    req.on('error', () => resolve()); // the socket we destroy
    req.end(JSON.stringify({ reason: 'The customer called to withdraw it.' }), () => setTimeout(() => { req.destroy(); resolve(); }, 10));
  });
  await eventually('the complaint to be withdrawn', async () => (await s.db.complaint.findUniqueOrThrow({ where: { id } })).outcome === 'withdrawn', 30_000);
  const row = await eventually('the audit row', () => s.db.auditEntry.findFirst({ where: { targetId: String(id), action: 'POST /complaints/:id/withdrawal' } }));
  expect([row.actorId, row.outcome, row.status]).toEqual([org.agent.id, 'aborted', 499]);
});

test('reading a complaint leaves an audit row; the customer\'s contact details are not copied into the trail', async () => {
  const id = await file();
  expect((await getJson(`${s.api}/complaints/${id}`, org.agent.auth)).status).toBe(200);
  expect((await getJson(`${s.api}/complaints/${id}/timeline`, org.agent.auth)).status).toBe(200);
  const rows = await eventually('the read rows', async () => {
    const r = await s.db.auditEntry.findMany({ where: { targetId: String(id), method: 'GET' }, orderBy: { id: 'asc' } });
    return r.length === 2 && r;
  });
  expect(rows.map((r) => [r.actorId, r.action, r.outcome])).toEqual([
    [org.agent.id, 'GET /complaints/:id', 'ok'], [org.agent.id, 'GET /complaints/:id/timeline', 'ok'],
  ]);
  const registration = await s.db.auditEntry.findFirstOrThrow({ where: { targetId: String(id), action: 'POST /complaints' } });
  const detail = JSON.stringify(registration.detail);
  expect(detail).toContain('[redacted]');
  for (const value of Object.values(complaintBody()).filter((v) => typeof v === 'string' && /Ada|@|\+44/.test(v))) expect(detail).not.toContain(value);
  // Admins read the trail, filtered.
  const page = await getJson(`${s.api}/admin/audit?targetId=${id}&action=${encodeURIComponent('GET /complaints/:id')}`, org.admin.auth);
  expect(page.status).toBe(200);
  expect(page.body.items.map((e: any) => e.action)).toEqual(['GET /complaints/:id']);
  expect((await getJson(`${s.api}/admin/audit`, org.agent.auth)).status).toBe(403);
});

test('1,000 anonymous posts add no audit rows, only a count', async () => {
  const before = await s.db.auditEntry.count();
  const counted = (await getJson(`${s.api}/admin/audit?limit=1`, org.admin.auth)).body.unauthenticatedSinceStart;
  for (let i = 0; i < 1000; i += 50) {
    const answers = await Promise.all(Array.from({ length: 50 }, () => postJson(`${s.api}/complaints`, complaintBody(), {})));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([401]));
  }
  await new Promise((r) => setTimeout(r, 500)); // rows, were any written, would be there by now
  expect(await s.db.auditEntry.count()).toBe(before);
  expect((await getJson(`${s.api}/admin/audit?limit=1`, org.admin.auth)).body.unauthenticatedSinceStart).toBe(counted + 1000);
});

test('the 61st request within a minute from one token is a 429 with Retry-After; other tokens go on', async () => {
  const app = createApp({ db: s.db, temporal: s.temporal, taskQueue: s.taskQueue, rateLimits: { perAddress: 1000, perToken: 60 } });
  const server = await new Promise<http.Server>((resolve) => { const srv = app.listen(0, '127.0.0.1', () => resolve(srv)); });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (let i = 1; i <= 60; i++) expect((await getJson(`${base}/staff`, org.agent.auth)).status).toBe(200);
    const res = await fetch(`${base}/staff`, { headers: org.agent.auth });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await res.json()) as any).error.code).toBe('rate_limited');
    expect((await getJson(`${base}/staff`, org.supervisor.auth)).status).toBe(200);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
