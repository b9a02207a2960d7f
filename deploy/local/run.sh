#!/usr/bin/env bash
# `make run`: the whole system on this machine. Finds or starts PostgreSQL and
# Redis, builds, migrates, seeds a demo bank into an empty database, starts
# the local Twilio simulator with a trickle of demo calls and texts, and runs
# the server on http://localhost:8080 until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/../.."

ADMIN_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
DATABASE_URL=$ADMIN_URL REDIS_URL=$REDIS_URL bash deploy/local/services.sh

# The demo runs in its own database, "switchboard", next to whatever else the
# server holds.
DB_NAME=${SWITCHBOARD_DB_NAME:-switchboard}
base=${ADMIN_URL%%\?*}; query=${ADMIN_URL#"$base"}
export DATABASE_URL=${base%/*}/$DB_NAME$query
if ! psql "$ADMIN_URL" -Atc "select 1 from pg_database where datname = '$DB_NAME'" | grep -q 1; then
	psql "$ADMIN_URL" -qc "CREATE DATABASE $DB_NAME"
fi

# Demo settings: the Twilio simulator stands in for Twilio. Real deployments
# set these to the account's values (see the README).
export SWITCHBOARD_ADDR=${SWITCHBOARD_ADDR:-:8080}
export SWITCHBOARD_PUBLIC_URL=${SWITCHBOARD_PUBLIC_URL:-http://localhost:8080}
export TWILIO_ACCOUNT_SID=${TWILIO_ACCOUNT_SID:-ACdemo00000000000000000000000000001}
export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-demoauthtoken000000000000000001}
export TWILIO_FROM_NUMBER=${TWILIO_FROM_NUMBER:-+8610955880}
export SWITCHBOARD_CHAT_KEY=${SWITCHBOARD_CHAT_KEY:-demo-chat-signing-key-change-me-0001}
SIM_ADDR=${SWITCHBOARD_SIM_ADDR:-127.0.0.1:8089}
export TWILIO_API_URL=${TWILIO_API_URL:-http://$SIM_ADDR}

echo "run: building bin/switchboard and bin/switchboardctl (the first build downloads Go modules and compiles them: a few minutes)"
go build -o bin/ ./cmd/switchboard ./cmd/switchboardctl
bin/switchboardctl migrate
if [[ $(psql "$DATABASE_URL" -Atc 'select count(*) from customers') == 0 ]]; then
	echo "run: seeding a demo bank (20,000 customers)"
	bin/switchboardctl seed --customers "${SWITCHBOARD_DEMO_CUSTOMERS:-20000}" --agents 60 --seed 1
fi

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

bin/switchboard &
pids+=($!)
for _ in $(seq 1 50); do curl -fsS http://127.0.0.1:${SWITCHBOARD_ADDR##*:}/healthz >/dev/null 2>&1 && break; sleep 0.2; done

bin/switchboardctl twiliosim --addr "$SIM_ADDR" --webhook-base "$SWITCHBOARD_PUBLIC_URL" \
	--trickle "${SWITCHBOARD_DEMO_TRICKLE:-calls=1/60s,sms=1/45s}" &
pids+=($!)

bin/switchboardctl seed --print-users
cat <<TXT

Switchboard is running:
  agent desk     $SWITCHBOARD_PUBLIC_URL/
  wallboard      $SWITCHBOARD_PUBLIC_URL/agentdesk/wallboard   (supervisors; the desk links to it)
  API            $SWITCHBOARD_PUBLIC_URL/api/v1/   (see README for curl examples)
  Twilio sim     http://$SIM_ADDR/   (records every API request; sends demo calls and texts)
Ctrl-C stops everything.
TXT
wait -n "${pids[@]}"
