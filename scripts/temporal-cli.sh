#!/usr/bin/env bash
# Prints the path of a Temporal CLI, building the pinned version from its Go module when none is found.
# Order: $TEMPORAL_CLI, `temporal` on PATH, the cache, then `go install` into the cache.
# v1.5.1 is the newest tag `go install …@version` accepts: later go.mod files carry a replace directive.
set -euo pipefail
version=v1.5.1
if [ -n "${TEMPORAL_CLI:-}" ]; then
  [ -x "$TEMPORAL_CLI" ] || { echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file" >&2; exit 1; }
  echo "$TEMPORAL_CLI"; exit 0
fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
cache="${XDG_CACHE_HOME:-$HOME/.cache}/complaint-service/temporal-$version"
if [ ! -x "$cache/temporal" ]; then
  command -v go >/dev/null 2>&1 || { echo "No Temporal CLI found and no Go toolchain to build one: install Go, or set TEMPORAL_CLI" >&2; exit 1; }
  echo "Building the Temporal CLI $version from its Go module (once; a few minutes) into $cache ..." >&2
  mkdir -p "$cache"
  GOBIN="$cache" CGO_ENABLED=0 GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$version" >&2
fi
echo "$cache/temporal"
