#!/usr/bin/env bash
# `make bench`: every benchmark at full size, output readable by benchstat.
# The customer and campaign benchmarks build a 1,000,000-customer bank with
# 10,000,000 past interactions once (several minutes on a 2-core machine).
# Results go to stdout and to bench.txt; compare runs with
#   benchstat old.txt bench.txt
set -euo pipefail
cd "$(dirname "$0")/../.."
export SWITCHBOARD_BENCH_CUSTOMERS=${SWITCHBOARD_BENCH_CUSTOMERS:-1000000}
export SWITCHBOARD_BENCH_INTERACTIONS=${SWITCHBOARD_BENCH_INTERACTIONS:-10000000}
out=${BENCH_OUT:-bench.txt}
: >"$out"

echo "== Redis ceiling on this machine: redis-benchmark EVALSHA of a trivial script" | tee -a "$out"
sha=$(redis-cli -u "$REDIS_URL" SCRIPT LOAD "return 1")
redis-benchmark -u "$REDIS_URL" -n 200000 -c 50 -q EVALSHA "$sha" 0 | tr '\r' '\n' | tail -1 | tee -a "$out"

pkgs=(./routing/ ./channels/... ./customers/... ./campaigns/ ./agentdesk/)
for p in "${pkgs[@]}"; do
	echo "== go test -run '^\$' -bench . $p" | tee -a "$out"
	go test -run '^$' -bench . -benchmem -count 1 -timeout 60m "$p" 2>&1 | tee -a "$out"
done
