#!/usr/bin/env bash
# Install Debian's wrk (the HTTP load generator `make bench` uses), if missing.
# Exits non-zero when it cannot; bench/run.sh then falls back to its multi-process Python client.
set -euo pipefail
if command -v wrk >/dev/null 2>&1; then
  exit 0
fi
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-wrk: installing Debian package wrk" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
command -v wrk >/dev/null 2>&1
