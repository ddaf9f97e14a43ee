#!/usr/bin/env bash
# Debian packages the platform needs: Noto CJK fonts for PDFs (WeasyPrint), Pango for
# WeasyPrint, gettext for the translations, Chromium for the browser journey tests, PgBouncer for
# the connection-pooling test, nginx and openssl for the deployment test.
set -eu
need=()
fc-list 2>/dev/null | grep "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk)
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || need+=(libpango-1.0-0 libpangoft2-1.0-0)
command -v msgfmt >/dev/null 2>&1 || need+=(gettext)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
{ command -v pgbouncer || test -x /usr/sbin/pgbouncer; } >/dev/null 2>&1 || need+=(pgbouncer)
{ command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1 || need+=(nginx)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# `system-deps.sh bench` adds what `make bench` needs: Debian's wrk (a C load generator).
if [ "${1:-}" = bench ]; then command -v wrk >/dev/null 2>&1 || need+=(wrk); fi
[ ${#need[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
    echo "Please install as root: apt-get install ${need[*]}" >&2; exit 1; fi
else SUDO=; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
