#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed (for the browser tests) and prints its path, with a font
# for Chinese text (the customer pages are in Chinese too). Installs what is missing with apt-get
# (needs root, or sudo).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

PACKAGES=()
[ -x "$CHROMIUM" ] || PACKAGES+=(chromium)
# WenQuanYi Zen Hei: one small font with the Chinese characters (Chromium shows boxes without one).
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || PACKAGES+=(fonts-wqy-zenhei)

if [ ${#PACKAGES[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then SUDO=(); elif command -v sudo >/dev/null 2>&1; then SUDO=(sudo); else
    echo "ensure-chromium: ${PACKAGES[*]} missing and installing needs root (apt-get install ${PACKAGES[*]})" >&2
    exit 1
  fi
  echo "ensure-chromium: installing ${PACKAGES[*]}" >&2
  "${SUDO[@]}" apt-get update -qq >&2
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${PACKAGES[@]}" >&2
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: $CHROMIUM is still missing after apt-get install chromium" >&2
  exit 1
fi
echo "$CHROMIUM"
