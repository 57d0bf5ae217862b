#!/usr/bin/env bash
# Debian packages the product and its tests use beside Python: a Chinese TrueType font for the
# PDF reports (fonts-wqy-microhei), pdftotext (poppler-utils), with which the tests read a
# rendered report back, and the dovecot IMAP server (dovecot-imapd) the mail tests start on
# loopback. Idempotent: nothing is installed when all are present.
set -euo pipefail
packages=()
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || packages+=(fonts-wqy-microhei)
command -v pdftotext >/dev/null || packages+=(poppler-utils)
{ command -v dovecot >/dev/null || [ -x /usr/sbin/dovecot ]; } || packages+=(dovecot-imapd)
if [ ${#packages[@]} -gt 0 ]; then
  echo "installing ${packages[*]} (Debian packages)..." >&2
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq >&2 || true
  $SUDO apt-get install -y -qq "${packages[@]}" >&2
fi
