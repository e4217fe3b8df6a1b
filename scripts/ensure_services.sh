#!/usr/bin/env bash
# Starts PostgreSQL on this machine if it is not answering (command from the machine's docs).
# The test suite runs against it; under CI a PostgreSQL that is still down fails the tests.
set -u
if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
exit 0
