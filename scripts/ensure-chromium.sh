#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (for the browser tests) and prints its path, with a font
# for Chinese text (the customer pages are in Chinese too; without it Chromium draws boxes, which only
# the screenshots show). Installs what is missing with apt-get (needs root, or sudo).
set -euo pipefail

CHROMIUM=/usr/bin/chromium
CJK_FONT=/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc

install() {
  local SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
      echo "ensure-chromium: $* missing and installing needs root (apt-get install $*)" >&2
      return 1
    fi
  fi
  echo "ensure-chromium: installing $*" >&2
  "${SUDO[@]}" apt-get update -qq >&2 && "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

if [ ! -x "$CHROMIUM" ]; then
  install chromium || exit 1
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $CHROMIUM is still missing after apt-get install chromium" >&2
  exit 1
fi
# WenQuanYi Zen Hei: one small font with the Chinese characters. Not having it is no reason to stop.
if [ ! -f "$CJK_FONT" ]; then
  install fonts-wqy-zenhei || echo "ensure-chromium: no Chinese font; Chinese pages will show boxes in screenshots" >&2
fi
echo "$CHROMIUM"
