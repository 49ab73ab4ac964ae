#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (for the browser test, test/survey-page.test.ts) and prints
# its path. Installs it with apt-get when /usr/bin/chromium is missing (needs root, or sudo).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "ensure-chromium: $CHROMIUM is missing and installing it needs root (apt-get install chromium)" >&2
    exit 1
  fi
  echo "ensure-chromium: installing Debian's chromium" >&2
  "${SUDO[@]}" apt-get update -qq >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $CHROMIUM is still missing after apt-get install chromium" >&2
  exit 1
fi
echo "$CHROMIUM"
