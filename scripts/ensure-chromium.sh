#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser tests and benchmark (/usr/bin/chromium), installed
# with apt-get when it is missing. playwright-core drives it; Playwright's own browser download is
# never used (these machines reach only the npm registry and Debian's packages).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is missing: install it as root with 'apt-get install -y chromium' (Debian's package)" >&2
  exit 1
fi
echo "installing Debian's chromium (apt-get install -y chromium)"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y --no-install-recommends chromium >/dev/null; }
/usr/bin/chromium --version
