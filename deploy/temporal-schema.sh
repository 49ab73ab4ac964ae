#!/usr/bin/env bash
# Temporal's databases in PostgreSQL: docker-compose.yml runs this once, in the temporalio/admin-tools
# image, before the temporal service starts (it replaces what the retired auto-setup image did).
# Creates `temporal` and `temporal_visibility` when missing and brings both schemas up to the version
# that ships with this admin-tools release, which matches the server image's version.
#
# Safe on every `docker compose up`: `create` leaves an existing database alone (the tool ignores
# PostgreSQL's duplicate_database error), `setup-schema -v 0.0` only creates the version tables if
# missing and records 0.0 only when no later version is there, and `update-schema` applies only the
# versions newer than the recorded one. Upgrading Temporal: raise both image tags together; this then
# applies the new schema versions before the new server starts.
set -euo pipefail

: "${DB:=postgres12}"
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the PostgreSQL host}"
: "${DB_PORT:=5432}"
: "${POSTGRES_USER:?POSTGRES_USER must be set}"
: "${POSTGRES_PWD:?POSTGRES_PWD must be set}"
: "${DBNAME:=temporal}"
: "${VISIBILITY_DBNAME:=temporal_visibility}"
SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

# The password through the environment (SQL_PASSWORD, PGPASSWORD), not on a command line.
export SQL_PASSWORD="$POSTGRES_PWD" PGPASSWORD="$POSTGRES_PWD"

# depends_on already waits for PostgreSQL's healthcheck; this covers a start without compose.
for attempt in $(seq 1 60); do
  if pg_isready -q -h "$POSTGRES_SEEDS" -p "$DB_PORT" -U "$POSTGRES_USER" -d postgres; then break; fi
  if [ "$attempt" = 60 ]; then echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT did not answer within 2 minutes" >&2; exit 1; fi
  echo "waiting for PostgreSQL at $POSTGRES_SEEDS:$DB_PORT ..."
  sleep 2
done

sql_tool() {
  local db=$1; shift
  temporal-sql-tool --plugin "$DB" --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" "$@"
}

setup() {
  local db=$1 dir=$2
  echo "== $db (schema from $dir)"
  sql_tool "$db" create
  sql_tool "$db" setup-schema -v 0.0
  sql_tool "$db" update-schema -d "$dir"
}

setup "$DBNAME" "$SCHEMA_ROOT/temporal/versioned"
setup "$VISIBILITY_DBNAME" "$SCHEMA_ROOT/visibility/versioned"
echo "Temporal schema ready in $DBNAME and $VISIBILITY_DBNAME"
