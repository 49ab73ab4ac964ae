import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createDb, type Db } from '../lib/db';
import { listMigrations, migrate } from '../prisma/migrate';
import { freePort, waitFor, type Managed } from '../scripts/processes';
import { startService } from '../scripts/stack';

// The run command's fallback for machines without PostgreSQL: PGlite behind a TCP server, migrated by our
// runner, used through Prisma's pg adapter with connection pools, as the API and the worker use it.
// Independent of the real services that the global setup starts.
//
// startEmbeddedPostgres(dir, port) runs in a child process (test/support/embedded-postgres-process.ts), as
// in the run command: Jest's module sandbox cannot load PGlite, which uses dynamic import().

interface Embedded { url: string; process: Managed; output: string[] }

let root: string;
const running = new Set<Embedded>();
const clients = new Set<Db>();

beforeAll(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-pg-test-')); });
afterAll(async () => {
  for (const db of clients) await db.$disconnect().catch(() => undefined);
  for (const pg of running) await pg.process.stop(2000);
  fs.rmSync(root, { recursive: true, force: true });
});

async function start(dataDir: string): Promise<Embedded> {
  const port = await freePort();
  const output: string[] = [];
  const child = startService('pglite', 'test/support/embedded-postgres-process.ts',
    { EMBEDDED_PG_DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(port) }, (line) => output.push(line));
  const pg: Embedded = { url: '', process: child, output };
  running.add(pg);
  await waitFor('the embedded PostgreSQL', async () => output.some((l) => l.startsWith('ready ')), 60_000, child);
  pg.url = output.find((l) => l.startsWith('ready '))!.slice('ready '.length);
  expect(pg.url).toBe(`postgresql://postgres@127.0.0.1:${port}/postgres`);
  return pg;
}

/** SIGTERM runs stop(); the process must then end by itself, well before the SIGKILL after 15 s. */
async function stop(pg: Embedded): Promise<void> {
  const began = Date.now();
  await pg.process.stop(15_000);
  running.delete(pg);
  expect(await pg.process.exited).toBe(0);
  expect(pg.output).toContain('stopped');
  expect(Date.now() - began).toBeLessThan(15_000);
}
function connect(url: string, poolSize: number): Db {
  const db = createDb(url, poolSize);
  clients.add(db);
  return db;
}
async function disconnect(db: Db): Promise<void> {
  await db.$disconnect();
  clients.delete(db);
}

const complaintData = (reference: string, customerName = 'Ada Lovelace') => ({
  reference,
  customerName,
  customerEmail: 'ada@example.test',
  channel: 'web',
  description: 'The kettle leaks from its base after two days of use.',
  occurredOn: new Date('2026-11-20T00:00:00Z'),
  product: 'Kettle K-200',
});

/** What POST /complaints does: row, first event and final reference in one interactive transaction. */
const register = (db: Db, customerName: string) =>
  db.$transaction(async (tx) => {
    const row = await tx.complaint.create({ data: complaintData(`pending-${customerName}`, customerName) });
    await tx.complaintEvent.create({ data: { complaintId: row.id, eventKey: 'received', type: 'received', data: { channel: 'web' } } });
    return tx.complaint.update({ where: { id: row.id }, data: { reference: `CMP-${String(row.id).padStart(6, '0')}` } });
  });

test('migrates, stores complaints through pooled Prisma clients, and keeps them across a restart', async () => {
  const dataDir = path.join(root, 'main');
  const migrations = listMigrations().map((m) => m.name);
  expect(migrations.length).toBeGreaterThan(0);

  let pg = await start(dataDir);

  const first = await migrate(pg.url);
  expect(first).toEqual({ applied: migrations, alreadyApplied: [] });
  const second = await migrate(pg.url);
  expect(second).toEqual({ applied: [], alreadyApplied: migrations });

  let db = connect(pg.url, 5);
  const filed = await db.complaint.create({ data: complaintData('CMP-EMBEDDED-1') });
  await db.complaintEvent.create({ data: { complaintId: filed.id, eventKey: 'received', type: 'received', data: { channel: 'web' } } });
  const readBack = await db.complaint.findUniqueOrThrow({ where: { id: filed.id }, include: { events: true } });
  expect(readBack).toMatchObject({
    reference: 'CMP-EMBEDDED-1', customerName: 'Ada Lovelace', channel: 'web', product: 'Kettle K-200',
    stage: 'received', language: 'en', priority: 'normal', reopenCount: 0,
  });
  expect(readBack.occurredOn.toISOString()).toBe('2026-11-20T00:00:00.000Z');
  expect(readBack.events).toHaveLength(1);
  expect(readBack.events[0]).toMatchObject({ eventKey: 'received', type: 'received', data: { channel: 'web' } });

  // An interactive transaction as the API runs it, and one that fails and must leave nothing behind.
  const registered = await register(db, 'Charles Babbage');
  expect(registered.reference).toBe(`CMP-${String(registered.id).padStart(6, '0')}`);
  expect(await db.complaintEvent.count({ where: { complaintId: registered.id } })).toBe(1);
  await expect(db.$transaction(async (tx) => {
    await tx.complaint.create({ data: complaintData('CMP-ROLLED-BACK') });
    throw new Error('changed my mind');
  })).rejects.toThrow('changed my mind');
  expect(await db.complaint.findUnique({ where: { reference: 'CMP-ROLLED-BACK' } })).toBeNull();

  // Pools: many queries at once, of different shapes, each getting its own answer.
  expect(await Promise.all(Array.from({ length: 10 }, () => db.complaint.count()))).toEqual(Array(10).fill(2));
  const mixed = await Promise.all(Array.from({ length: 12 }, (_, i) => {
    switch (i % 3) {
      case 0: return db.complaint.count();
      case 1: return db.complaint.findUnique({ where: { id: filed.id }, select: { reference: true } });
      default: return db.complaintEvent.findMany({ where: { complaintId: registered.id }, select: { type: true } });
    }
  }));
  mixed.forEach((answer, i) => {
    expect(answer).toEqual([2, { reference: 'CMP-EMBEDDED-1' }, [{ type: 'received' }]][i % 3]);
  });
  // Interactive transactions from several pooled connections at once, alongside plain queries.
  const names = ['Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov', 'Donald Knuth'];
  const [concurrent] = await Promise.all([
    Promise.all(names.map((name) => register(db, name))),
    Promise.all(Array.from({ length: 10 }, () => db.complaint.findMany({ select: { id: true } }))),
  ]);
  expect(concurrent.map((c) => c.customerName)).toEqual(names);
  for (const c of concurrent) expect(c.reference).toBe(`CMP-${String(c.id).padStart(6, '0')}`);
  expect(new Set(concurrent.map((c) => c.id)).size).toBe(names.length);
  expect(await db.complaint.count()).toBe(2 + names.length);
  expect(await db.complaintEvent.count()).toBe(2 + names.length);

  // Stop with the pool's connections still open, then start again on the same data.
  await stop(pg);
  await disconnect(db);
  pg = await start(dataDir);
  expect(await migrate(pg.url)).toEqual({ applied: [], alreadyApplied: migrations });
  db = connect(pg.url, 3);
  const survived = await db.complaint.findUniqueOrThrow({ where: { id: filed.id }, include: { events: true } });
  expect(survived).toMatchObject({ reference: 'CMP-EMBEDDED-1', customerName: 'Ada Lovelace' });
  expect(survived.events.map((e) => e.eventKey)).toEqual(['received']);
  expect((await db.complaint.findMany({ orderBy: { id: 'asc' } })).map((c) => c.customerName))
    .toEqual(['Ada Lovelace', 'Charles Babbage', ...names]);
  const next = await register(db, 'Ada Byron');
  expect(next.id).toBeGreaterThan(Math.max(...concurrent.map((c) => c.id)));
  await disconnect(db);
  await stop(pg);
});

test('concurrent migration runs on a fresh embedded database apply each migration once', async () => {
  const pg = await start(path.join(root, 'concurrent-migrations'));
  const migrations = listMigrations().map((m) => m.name);
  const results = await Promise.all([migrate(pg.url), migrate(pg.url), migrate(pg.url)]);
  expect(results.flatMap((r) => r.applied).sort()).toEqual(migrations);
  for (const r of results) expect([...r.applied, ...r.alreadyApplied].sort()).toEqual(migrations);
  const check = new Client({ connectionString: pg.url });
  await check.connect();
  try {
    const { rows } = await check.query('SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name');
    expect(rows.map((r) => r.migration_name)).toEqual(migrations);
  } finally {
    await check.end();
  }
  await stop(pg);
});

test('one connection\'s transaction is not joined by another, and a connection lost mid-transaction is rolled back', async () => {
  const pg = await start(path.join(root, 'transactions'));
  await migrate(pg.url);
  const [a, b] = [new Client({ connectionString: pg.url }), new Client({ connectionString: pg.url })];
  await a.connect();
  await b.connect();
  const labels = async () =>
    (await b.query<{ code: string }>("SELECT code FROM list_items WHERE list = 'test' ORDER BY code")).rows.map((r) => r.code);
  try {
    await a.query('BEGIN');
    await a.query("INSERT INTO list_items (list, code, label) VALUES ('test', 'a', 'from a')");
    // b writes while a's transaction is open; a then rolls back, which must not take b's row with it.
    const bWrites = b.query("INSERT INTO list_items (list, code, label) VALUES ('test', 'b', 'from b')");
    await new Promise((resolve) => setTimeout(resolve, 100));
    await a.query('ROLLBACK');
    await bWrites;
    expect(await labels()).toEqual(['b']);

    // a goes away with its transaction open: its row is gone and the others carry on.
    await a.query('BEGIN');
    await a.query("INSERT INTO list_items (list, code, label) VALUES ('test', 'lost', 'never committed')");
    await a.end();
    expect(await labels()).toEqual(['b']);
    await b.query('BEGIN');
    await b.query("INSERT INTO list_items (list, code, label) VALUES ('test', 'c', 'from b again')");
    await b.query('COMMIT');
    expect(await labels()).toEqual(['b', 'c']);
  } finally {
    await a.end().catch(() => undefined);
    await b.end().catch(() => undefined);
  }
  await stop(pg);
});
