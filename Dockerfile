# One image for the API, the worker and the migration runner; docker-compose.yml picks the command.
FROM node:20-bookworm-slim

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lockfile changes.
# (Full install: the Prisma CLI, a dev dependency, is needed for the generate step below.)
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The Prisma client. At run time it talks to PostgreSQL through @prisma/adapter-pg, so no native
# engine is needed; pointing the engine variables at any file lets Prisma 7 generate offline.
COPY prisma.config.ts ./
COPY prisma/schema.prisma prisma/schema.prisma
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/false PRISMA_QUERY_ENGINE_LIBRARY=/bin/false npx prisma generate

# The sources run as TypeScript through tsx, as locally; nothing to compile.
COPY . .

# Set after `npm ci`: with NODE_ENV=production it would skip the dev dependencies.
ENV NODE_ENV=production
USER node
EXPOSE 3000

# Default: the API. The worker is `node --import tsx worker/main.ts`,
# the migrations (npm run db:migrate) `node --import tsx prisma/migrate.ts`.
CMD ["node", "--import", "tsx", "api/main.ts"]
