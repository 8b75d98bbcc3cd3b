#!/usr/bin/env bash
# Makes sure what the test suite needs outside npm is there: Chromium for the browser tests and a PostgreSQL
# server for the scale-out store tests. Idempotent and quiet when all is in place.
set -euo pipefail

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-prereqs: installing Chromium (Debian package) for the browser tests..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test-prereqs: Chromium is missing; install it (apt-get install -y chromium) or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi

if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "test-prereqs: starting PostgreSQL..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null && break; sleep 1; done
  if ! (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; then
    echo "test-prereqs: no PostgreSQL on 127.0.0.1:5432 (set PG_TEST_URL or start one)" >&2
    exit 1
  fi
fi
