import fs from 'node:fs';
import { Client } from 'pg';

export default async function globalTeardown() {
  const services = globalThis.__services;
  if (!services) return;
  for (const m of [...services.stack].reverse()) await m.stop();
  if (!process.env.TEST_KEEP_DATABASE) {
    const admin = new URL(services.databaseUrl);
    const name = admin.pathname.slice(1);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  }
  fs.rmSync(services.dir, { recursive: true, force: true });
}
