#!/usr/bin/env bash
# Finds PostgreSQL and Redis for `make run` and `make test`, or starts local
# ones, installing Debian's postgresql and redis-server packages when they are
# missing. Idempotent: when both answer, it only says so.
#
#   DATABASE_URL  default postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
#   REDIS_URL     default redis://127.0.0.1:6379/0
set -euo pipefail

DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

say() { echo "services: $*" >&2; }
die() { say "$*"; exit 1; }

# host and port out of a URL like scheme://user@host:port/db?x
url_host() { local h=${1#*://}; h=${h#*@}; h=${h%%/*}; h=${h%%\?*}; echo "${h%:*}"; }
url_port() { local h=${1#*://}; h=${h#*@}; h=${h%%/*}; h=${h%%\?*}; [[ $h == *:* ]] && echo "${h##*:}" || echo "$2"; }
is_local() { [[ $1 == 127.0.0.1 || $1 == localhost || $1 == ::1 ]]; }

apt_install() {
	[[ $(id -u) == 0 ]] || die "need $* installed; run as root or: sudo apt-get install -y $*"
	say "installing $* from Debian's packages"
	if [[ -z ${APT_UPDATED:-} ]]; then apt-get update -qq >&2; APT_UPDATED=1; fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

pg_up() { pg_isready -q -h "$1" -p "$2" 2>/dev/null; }

ensure_postgres() {
	local host port
	host=$(url_host "$DATABASE_URL"); port=$(url_port "$DATABASE_URL" 5432)
	command -v pg_isready >/dev/null || { is_local "$host" && apt_install postgresql || apt_install postgresql-client; }
	if pg_up "$host" "$port"; then say "PostgreSQL answers at $host:$port"; return; fi
	is_local "$host" || die "PostgreSQL at $host:$port does not answer (DATABASE_URL points to another host)"
	command -v pg_ctlcluster >/dev/null || apt_install postgresql
	local version
	version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)
	[[ -n $version ]] || die "postgresql is installed but has no cluster in /etc/postgresql"
	say "starting PostgreSQL $version cluster main"
	pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
	for _ in $(seq 1 30); do pg_up "$host" "$port" && break; sleep 1; done
	pg_up "$host" "$port" || die "PostgreSQL did not start; see /var/log/postgresql/"
	allow_local_trust "$version"
}

# A freshly installed Debian cluster asks for passwords on TCP; the
# development setup uses the postgres user without one, on loopback only.
allow_local_trust() {
	local hba=/etc/postgresql/$1/main/pg_hba.conf
	if psql "$DATABASE_URL" -Atc 'select 1' >/dev/null 2>&1; then return; fi
	[[ -w $hba ]] || die "cannot log in to PostgreSQL as in DATABASE_URL and cannot edit $hba"
	say "allowing trust authentication on loopback in $hba (development only)"
	sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
	pg_ctlcluster --skip-systemctl-redirect "$1" main reload >&2
	sleep 1
	psql "$DATABASE_URL" -Atc 'select 1' >/dev/null || die "still cannot log in to PostgreSQL"
}

redis_up() { redis-cli -h "$1" -p "$2" ping 2>/dev/null | grep -q PONG; }

ensure_redis() {
	local host port
	host=$(url_host "$REDIS_URL"); port=$(url_port "$REDIS_URL" 6379)
	command -v redis-cli >/dev/null || { is_local "$host" && apt_install redis-server || apt_install redis-tools; }
	if redis_up "$host" "$port"; then say "Redis answers at $host:$port"; return; fi
	is_local "$host" || die "Redis at $host:$port does not answer (REDIS_URL points to another host)"
	command -v redis-server >/dev/null || apt_install redis-server
	say "starting Redis on 127.0.0.1:$port (no persistence: it is rebuilt from PostgreSQL)"
	mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
	redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
		--dir /tmp --logfile /tmp/switchboard-redis.log >&2
	for _ in $(seq 1 20); do redis_up "$host" "$port" && break; sleep 0.5; done
	redis_up "$host" "$port" || die "Redis did not start; see /tmp/switchboard-redis.log"
}

ensure_postgres
ensure_redis
