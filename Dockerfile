# One image for the API, the worker and the migration runner; docker-compose.yml picks the command.
# Two stages: "build" installs everything and runs `npm run build` (TypeScript compiled to dist/, the
# files the code reads copied next to it, the workflow bundle prebuilt); the final image gets only the
# production dependencies and dist/, and runs as the unprivileged `node` user.

FROM node:24-bookworm-slim AS build

WORKDIR /app

# Dependencies first, so this layer is rebuilt only when the lockfile changes.
# (Full install: the Prisma CLI, TypeScript and tsx, dev dependencies, are needed below.)
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# The Prisma client. At run time it talks to PostgreSQL through @prisma/adapter-pg, so no native
# engine is needed; pointing the engine variables at any file lets Prisma 7 generate offline.
COPY prisma.config.ts ./
COPY prisma/schema.prisma prisma/schema.prisma
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/false PRISMA_QUERY_ENGINE_LIBRARY=/bin/false npx prisma generate

# dist/api/main.js, dist/worker/main.js, dist/prisma/migrate.js, dist/scripts/admin.js and dist/workflow-bundle.js.
COPY . .
RUN npm run build


FROM node:24-bookworm-slim AS runtime

WORKDIR /app
ENV NODE_ENV=production

# Production dependencies only: no TypeScript, tsx or test tools. --omit=optional as well, or npm would
# still install the Prisma CLI (an optional peer of @prisma/client, and a dev dependency here) with
# TypeScript and Prisma Studio; it also leaves out swc's native binary, which only bundling workflows
# needs, and the worker loads the bundle prebuilt above.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --no-audit --no-fund && npm cache clean --force

COPY --from=build /app/dist ./dist

USER node
EXPOSE 3000

# Default: the API. The worker is `node dist/worker/main.js` (it loads dist/workflow-bundle.js), the
# migrations `node dist/prisma/migrate.js`, the staff command line `node dist/scripts/admin.js`.
CMD ["node", "dist/api/main.js"]
