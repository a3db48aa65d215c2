#!/usr/bin/env bash
# Makes sure the system programs the tests drive are present, before any test runs.
# As root it installs the missing Debian packages; otherwise it stops at once and prints the
# exact command to run. PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) must be running.
set -euo pipefail

# program -> Debian package
declare -A PACKAGE_OF=(
  [/usr/bin/chromium]=chromium
  [/usr/sbin/nginx]=nginx
  [/usr/bin/wrk]=wrk
  [/usr/bin/tmux]=tmux
  [/usr/bin/caddy]=caddy
  [/usr/bin/podman]=podman
  [/usr/sbin/runc]=runc
  [/usr/bin/mmdebstrap]=mmdebstrap
  [/usr/bin/redis-server]=redis-server
  # The Python package's tests (clients/python) run on Debian's Python and these modules.
  [/usr/lib/python3/dist-packages/pytest]=python3-pytest
  [/usr/lib/python3/dist-packages/fastapi]=python3-fastapi
  [/usr/lib/python3/dist-packages/flask]=python3-flask
  [/usr/lib/python3/dist-packages/httpx]=python3-httpx
  [/usr/lib/python3/dist-packages/uvicorn]=python3-uvicorn
  [/usr/share/doc/python3-venv]=python3-venv
)

missing=()
for program in "${!PACKAGE_OF[@]}"; do
  [ -e "$program" ] || missing+=("${PACKAGE_OF[$program]}")
done

if [ ${#missing[@]} -gt 0 ]; then
  command="apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "The tests need Debian packages that are not installed. Run:" >&2
    echo "  sudo sh -c 'apt-get update && $command'" >&2
    exit 1
  fi
  echo "Installing test prerequisites: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $command >/dev/null || { apt-get update >/dev/null && $command >/dev/null; }
fi

fail=0
if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  echo "PostgreSQL is not listening on 127.0.0.1:5432 (trust auth, database 'test')." >&2
  fail=1
fi
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "Redis is not listening on 127.0.0.1:6379." >&2
  fail=1
fi
exit $fail
