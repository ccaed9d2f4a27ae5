#!/usr/bin/env bash
# `make test`'s set-up: make sure this machine has what the whole suite needs, or stop at
# once with one line saying what is missing and the command that installs it. Never a
# green run that skipped part of the suite for lack of a tool.
#
#   Chromium            the browser tests (Playwright drives /usr/bin/chromium)
#   dovecot             the IMAP poller's tests (each starts its own on a free port)
#   PostgreSQL, Redis   the suite's database and channel layer (the local ones unless
#                       DATABASE_URL / REDIS_URL name others); the fault suite also starts
#                       private ones from the same binaries (initdb, redis-server)
#   nginx, envsubst     the proxy tests run deploy/nginx/ with Debian's nginx (tests/deploy)
#   ../shared           the shared mail and knowledge-base corpora (BEACON_SHARED_DIR)
#
# As root with apt, what is missing is installed (no package may start its service here:
# a temporary policy-rc.d says "denied"), and PostgreSQL and Redis are started when they
# are installed but down. Prints the DATABASE_URL and REDIS_URL to use.
set -euo pipefail
cd "$(dirname "$0")/.."

LOCAL_DATABASE_URL="postgres://postgres@127.0.0.1:5432/beacon"
LOCAL_REDIS_URL="redis://127.0.0.1:6379/0"

say() { echo "make test: $*" >&2; }

postgres_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/dovecot ] || missing+=(dovecot-imapd)
{ [ -n "$(postgres_bin)" ] && [ -x "$(postgres_bin)/initdb" ]; } || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql-client)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v envsubst >/dev/null 2>&1 || missing+=(gettext-base)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing ${missing[*]} (apt)"
    policy=/usr/sbin/policy-rc.d
    own_policy=""
    if [ ! -e "$policy" ]; then
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
      own_policy=1
      trap 'rm -f "$policy"' EXIT  # also when the install fails
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    if [ -n "$own_policy" ]; then
      rm -f "$policy"
      trap - EXIT
    fi
  else
    say "missing ${missing[*]}; install with: sudo apt-get install ${missing[*]}"
    exit 1
  fi
fi

shared="${BEACON_SHARED_DIR:-../shared}"
if [ ! -d "$shared/corpora/kb" ] || [ ! -d "$shared/corpora/mail" ]; then
  say "the shared corpora are not at $shared/corpora; set BEACON_SHARED_DIR to the folder holding corpora/"
  exit 1
fi

wait_for() {  # wait_for <what> <command...>
  local what=$1; shift
  for _ in $(seq 30); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  say "$what did not start"; exit 1
}

if [ -z "${DATABASE_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [ "$(id -u)" != 0 ]; then
    say "PostgreSQL is not running on 127.0.0.1:5432; start it (sudo pg_ctlcluster <version> main start) or set DATABASE_URL"
    exit 1
  fi
  cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$cluster" ]; then
    pg_createcluster "$(basename "$(dirname "$(postgres_bin)")")" main >/dev/null
    cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
    # A cluster made for the tests: trust on loopback, as the suite connects as postgres
    # without a password (an existing cluster's configuration is left alone).
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' \
      "/etc/postgresql/$cluster/main/pg_hba.conf"
  fi
  say "starting PostgreSQL $cluster"
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  wait_for PostgreSQL pg_isready -q -h 127.0.0.1 -p 5432
fi

if [ -z "${REDIS_URL:-}" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting Redis"
  mkdir -p /tmp/beacon-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/beacon-redis --logfile /tmp/beacon-redis/redis.log
  wait_for Redis redis-cli -h 127.0.0.1 -p 6379 ping
fi

echo "DATABASE_URL=${DATABASE_URL:-$LOCAL_DATABASE_URL}"
echo "REDIS_URL=${REDIS_URL:-$LOCAL_REDIS_URL}"
