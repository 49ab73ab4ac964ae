import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client';
import { config } from './config';

export type Db = PrismaClient;

export function createDb(url: string = config().DATABASE_URL, maxConnections = 10): Db {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: maxConnections }) });
}

let shared: Db | undefined;
/** One client per process, created on first use. */
export function db(): Db {
  return (shared ??= createDb());
}
