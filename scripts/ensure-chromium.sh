#!/usr/bin/env bash
# Make sure Debian's chromium (and a Chinese font, so the screenshots are legible) is installed
# for the browser tests (aftersales/browser_tests). Prints the path of the chromium binary.
# Idempotent: what is installed is reused. Playwright never downloads a browser here: the tests
# launch this one with executable_path.
set -euo pipefail
CHROMIUM="${AFTERSALES_CHROMIUM:-/usr/bin/chromium}"

packages=()
[ -x "$CHROMIUM" ] || packages+=(chromium)
# Without a CJK font every Chinese character in a screenshot is an empty box.
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  packages+=(fonts-wqy-microhei)
fi
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]} (Debian packages)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2 || true
  $SUDO apt-get install -y -qq "${packages[@]}" >&2
fi
if [ ! -x "$CHROMIUM" ]; then
  echo "chromium is still missing at $CHROMIUM after the install" >&2
  exit 1
fi
echo "$CHROMIUM"
