import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

// Applies prisma/migrations the way `prisma migrate deploy` does, without Prisma's native schema
// engine (which cannot be downloaded everywhere): each folder once, in name order, recorded in
// Prisma's own `_prisma_migrations` table so that `prisma migrate status` agrees.

const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
const LOCK_ID = 72707369; // the advisory lock key Prisma Migrate itself takes

export interface MigrationResult { applied: string[]; alreadyApplied: string[] }

export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    return true;
  } catch (e: any) {
    if (e.code === '42P04' || e.code === '23505') return false; // created concurrently
    throw e;
  } finally {
    await client.end();
  }
}

export function listMigrations(dir = MIGRATIONS_DIR): { name: string; sql: string; checksum: string }[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, 'migration.sql')))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: crypto.createHash('sha256').update(sql).digest('hex') };
    });
}

export async function migrate(url: string, dir = MIGRATIONS_DIR): Promise<MigrationResult> {
  await ensureDatabase(url);
  const client = new Client({ connectionString: url });
  await client.connect();
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_ID]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const done = new Map(rows.map((r) => [r.migration_name as string, r]));
    for (const m of listMigrations(dir)) {
      const row = done.get(m.name);
      if (row && !row.finished_at) {
        throw new Error(`Migration ${m.name} failed earlier and needs attention (see _prisma_migrations.logs)`);
      }
      if (row) {
        if (row.checksum !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied; add a new migration instead`);
        }
        result.alreadyApplied.push(m.name);
        continue;
      }
      // One transaction per migration: a failing one leaves neither its changes nor its record.
      await client.query('BEGIN');
      try {
        // Where all connections share one session (the embedded PGlite) the advisory lock excludes no one,
        // but transactions run one at a time: look again inside ours before applying.
        const recorded = await client.query(
          'SELECT 1 FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL AND finished_at IS NOT NULL',
          [m.name],
        );
        if (recorded.rowCount) {
          await client.query('COMMIT');
          result.alreadyApplied.push(m.name);
          continue;
        }
        await client.query(m.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [crypto.randomUUID(), m.checksum, m.name],
        );
        await client.query('COMMIT');
      } catch (e: any) {
        await client.query('ROLLBACK');
        throw new Error(`Migration ${m.name} failed: ${e.message}`);
      }
      result.applied.push(m.name);
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    await client.end();
  }
  return result;
}

if (require.main === module) {
  const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/complaints';
  migrate(url).then(
    (r) => {
      const where = new URL(url);
      where.password = '';
      console.log(`migrations on ${where.host}${where.pathname}: ${r.applied.length} applied` +
        (r.applied.length ? ` (${r.applied.join(', ')})` : '') + `, ${r.alreadyApplied.length} already there`);
    },
    (e) => { console.error(e.message); process.exit(1); },
  );
}
