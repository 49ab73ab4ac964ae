#!/usr/bin/env bash
# Installs what is missing, then exits: npm packages (from the lockfile), the generated Prisma
# client, and the Temporal CLI. Both README commands run it first; a second run does nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages from package-lock.json ..."
  npm ci --no-audit --no-fund --loglevel=error
fi
# Prisma 7's client needs no native engine, but `prisma generate` looks for one unless told where:
# any file will do (see prisma/README.md).
if [ ! -f generated/prisma/client.ts ] || [ prisma/schema.prisma -nt generated/prisma/client.ts ]; then
  PRISMA_SCHEMA_ENGINE_BINARY=/bin/false PRISMA_QUERY_ENGINE_LIBRARY=/bin/false \
    npx --no-install prisma generate >/dev/null
  echo "Generated the Prisma client."
fi
scripts/temporal-cli.sh >/dev/null
