#!/usr/bin/env bash
# Debian packages the product and its tests use beside Python: a Chinese TrueType font for the
# PDF reports (fonts-wqy-microhei) and pdftotext (poppler-utils), with which the tests read a
# rendered report back. Idempotent: nothing is installed when both are present.
set -euo pipefail
packages=()
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || packages+=(fonts-wqy-microhei)
command -v pdftotext >/dev/null || packages+=(poppler-utils)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]} (Debian packages)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2 || true
  $SUDO apt-get install -y -qq "${packages[@]}" >&2
fi
