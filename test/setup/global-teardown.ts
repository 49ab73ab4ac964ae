import fs from 'node:fs';
import { dropDatabase } from '../support/databases';

export default async function globalTeardown() {
  const services = globalThis.__services;
  if (!services) return;
  for (const m of [...services.stack].reverse()) await m.stop();
  if (!process.env.TEST_KEEP_DATABASE) await dropDatabase(services.databaseUrl);
  fs.rmSync(services.dir, { recursive: true, force: true });
}
