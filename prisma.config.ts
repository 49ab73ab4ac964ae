import { defineConfig } from 'prisma/config';

// The service applies migrations itself (scripts/migrate.ts); this file serves the Prisma CLI
// (`prisma generate`, and `prisma migrate status` where Prisma's engines can be had).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/complaints' },
});
